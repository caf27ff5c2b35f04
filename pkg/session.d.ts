// Hand-written types for `permslip/session`.

import type { Catalogue, LoadOptions, Permslip, PermslipError } from "./index.js";

/**
 * What `fetchSnapshot` may return: the token, or the token with its model's catalogue bundle
 * (a verified `Catalogue`, or the bundle's token: verified once, reused while it is the same).
 */
export type FetchedSnapshot = string | { token: string; catalogue?: Catalogue | string | null };

/** Where the session stands. */
export type SessionStatus =
  /** Before the first snapshot arrives: the checker denies everything (reason `invalid`). */
  | "loading"
  /** A verified snapshot answers. */
  | "ready"
  /** The snapshot expired and no fresh one could be loaded: every check denies, reason `expired`. */
  | "expired"
  /** No valid snapshot could be loaded: every check denies, reason `invalid`. */
  | "error";

/** A snapshot of the session; a new frozen object on every change. */
export interface SessionState {
  readonly status: SessionStatus;
  /** Never null: a deny-all checker unless `status` is `ready`. */
  readonly checker: Permslip;
  /**
   * The last failure (a `PermslipError` for a refused snapshot, whatever `fetchSnapshot` threw
   * otherwise). Set while `ready` too when a background refresh failed; cleared by a success.
   */
  readonly error: PermslipError | Error | null;
  /** When the current (or last) snapshot expires, without the leeway. */
  readonly expiresAt: Date | null;
  /** When the next refresh or retry is planned. */
  readonly refreshAt: Date | null;
}

/** A clock for tests; `now` also drives the checkers' expiry. */
export interface SessionClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export interface SessionOptions extends Omit<LoadOptions, "now" | "minSerial" | "catalogue"> {
  /** Fetches a fresh snapshot; `signal` aborts when the session stops. */
  fetchSnapshot(signal?: AbortSignal): FetchedSnapshot | Promise<FetchedSnapshot>;
  /**
   * The catalogue bundle for every snapshot (when `fetchSnapshot` does not return one): a
   * `Catalogue` or its token. Default: none.
   */
  catalogue?: Catalogue | string | null;
  /**
   * Seconds before expiry to fetch a fresh snapshot. Default: 20% of the lifetime left when the
   * snapshot was loaded, at most 300.
   */
  refreshBefore?: number;
  /** Seconds before the first retry after a failure, doubling each time. Default: 2. */
  retryDelay?: number;
  /** The longest wait between retries, in seconds. Default: 60. */
  maxRetryDelay?: number;
  /**
   * The lowest `serial` accepted at first. Default: 0. The session then refuses any snapshot
   * older than the newest it loaded (error code `rollback`).
   */
  minSerial?: number;
  /** The clock, for tests. Default: `Date.now` and the global timers. */
  clock?: SessionClock;
}

export declare class PermslipSession {
  private constructor();
  /** The current checker (`getState().checker`). */
  readonly checker: Permslip;
  /** The current state; the same object until something changes (for `useSyncExternalStore`). */
  getState(): SessionState;
  /** Called after every change; returns the unsubscribe function. Bound: pass it around as is. */
  subscribe(listener: (state: SessionState) => void): () => void;
  /** Fetches the first snapshot; resolves once that attempt is over (success or failure). */
  start(): Promise<SessionState>;
  /** Fetches now, sharing a fetch already running. */
  refresh(): Promise<SessionState>;
  /** Stops timers and drops a running fetch; the current checker answers until its expiry. */
  stop(): void;
}

/** Creates a session; call `start()` to fetch the first snapshot. */
export declare function createSession(options: SessionOptions): PermslipSession;
