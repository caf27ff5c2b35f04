// Hand-written types for `permslip/lite` (src/lite.js): issuer-compiled snapshots checked by a
// small module, see docs/LITE.md. The API is the full entry's (index.d.ts) without `Catalogue`,
// `profile()`, `permissions()`, the `verifier` and `catalogue` options, and provenance (`via`,
// `granted_by`) in explanations.

// The shapes both entries share are the full entry's own.
import type { Clock, ExplainQuery, InitInput, Jwks, NavItem, Reason, Requirement } from "./index.js";
export type { Clock, ExplainQuery, InitInput, Jwks, NavItem, Reason, Requirement };

/** A handle that always denies; unknown names resolve to it. */
export declare const HANDLE_DENY: 4294967295;

/**
 * Compiles the lite module (`dist/permslip_lite.wasm`, exported as `permslip/lite/wasm`).
 * Default: read synchronously from the package on Node, fetched next to `src/lite.js` (resolved
 * from `import.meta.url`) elsewhere. A `WebAssembly.Module` (workerd, where importing a .wasm
 * yields one) is taken synchronously, before the promise settles. A second call is a no-op.
 * `loadAsync` calls it when needed. Rejects with `PermslipError` code `init_failed`.
 */
export declare function init(input?: InitInput): Promise<void>;

// The codes are generated from Rust (facts.d.ts): the lite entry gives a subset of them (no
// slip-compilation codes: the issuer compiled the slip).
import type { ErrorCode, LoadErrorCode } from "./facts.js";
export type { ErrorCode, LoadErrorCode };

/** A load, init or argument error, with a stable `code`. Messages may change; codes do not. */
export declare class PermslipError extends Error {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions);
  readonly name: "PermslipError";
  readonly code: ErrorCode;
}

/** A parsed, checked key set. Parse once and reuse: the platform's key objects are cached. */
export declare class KeySet {
  private constructor();
  /**
   * Throws `PermslipError` code `invalid_key_set`. The module's check of the keys' encoding
   * runs here once the module is compiled (always on Node), else at the first load.
   */
  static parse(jwks: string | Jwks): KeySet;
  /** The ids of the Ed25519 keys, in document order. */
  readonly kids: string[];
}

export interface LoadOptions {
  /** The verifying keys: a `KeySet`, a JWKS object or its JSON text. */
  jwks: KeySet | Jwks | string;
  /** This application's audience; the token's `aud` must contain it. */
  audience: string;
  /** The expected `iss`. Default: any issuer the key set trusts. */
  issuer?: string;
  /** The expected `sub` (the signed-in user). Default: any subject. */
  subject?: string;
  /** Clock-skew allowance for `exp` and `nbf`, in seconds. Default: 60. */
  leeway?: number;
  /** The lowest `serial` accepted (the highest seen, to refuse replays). Default: 0. */
  minSerial?: number;
  /** The largest token accepted, in bytes. Default: 16384. */
  maxTokenBytes?: number;
  /** The clock, for tests. Default: `Date.now` (read coarsely, see the README). */
  now?: Clock;
}

/** A structured answer to "why (not)?": the full entry's without `via` and `granted_by`. */
export interface Explanation {
  allowed: boolean;
  reason: Reason;
  /** What was asked, e.g. `permission fax.send` or `edit on feature documents`. */
  query: string;
  /** The level held, for level checks. */
  level?: string;
  /** The level needed, for level checks. */
  needed?: string;
  /** The product that is off, for `product_off`. */
  product?: string;
  /** One human sentence. */
  message: string;
}

/**
 * One user's verified permissions, from a lite snapshot: every check is synchronous, memoised,
 * never throws for an unknown name (it denies), and denies with reason `expired` once the
 * snapshot has expired.
 */
export declare class Permslip {
  private constructor();

  /**
   * Verifies a lite snapshot and loads it, synchronously, with node:crypto: wherever
   * `process.getBuiltinModule("node:crypto")` exists (Node 20.16+, workerd with
   * `nodejs_compat`); elsewhere `platform_unavailable`: use `loadAsync`. Throws `PermslipError` with a
   * `LoadErrorCode` when the token cannot be trusted, `invalid_argument` for bad options.
   */
  static load(token: string, options: LoadOptions): Permslip;

  /**
   * `load` in every runtime: compiles the module if needed (see `init`), verifies with
   * node:crypto on Node and WebCrypto's Ed25519 elsewhere (`platform_unavailable` without it).
   * Same checks, same answers, same errors.
   */
  static loadAsync(token: string, options: LoadOptions): Promise<Permslip>;

  /** A checker that denies everything with `reason`: for when no snapshot could be loaded. */
  static denyAll(reason?: "invalid" | "expired"): Permslip;

  /** The user (`sub`). */
  readonly subject: string;
  /** The issuer (`iss`). */
  readonly issuer: string;
  /** When the snapshot expires (`exp`, without the leeway). */
  readonly expiresAt: Date;
  /** The issue counter. */
  readonly serial: number;
  /** Which Ed25519 verified the signature (`null` for a deny-all checker). */
  readonly verifiedBy: "node:crypto" | "webcrypto" | null;
  /** Whether the snapshot has expired (then every check denies with reason `expired`). */
  readonly expired: boolean;
  /** The level scale, lowest first. */
  readonly levels: string[];

  /** May the user do `permission` (for `scope` if given, for some value otherwise)? */
  can(permission: string, scope?: string | null): boolean;
  /** Resolves a permission to a numeric handle for `check`/`checkMany`. */
  handle(permission: string, scope?: string | null): number;
  /** Resolves "at least `level` (default: the lowest) on a feature" to a handle. */
  featureHandle(feature: string, level?: string | null): number;
  /** Resolves "at least `level` (default: the lowest) on a resource" to a handle. */
  resourceHandle(id: string, level?: string | null): number;
  /** Answers a handle. */
  check(handle: number): boolean;
  /** Answers many handles in one call: 1 allow, 0 deny. */
  checkMany(handles: Uint32Array): Uint8Array;

  /** The level held on a feature, or `null`. */
  featureLevel(feature: string): string | null;
  /** The level held on a resource, or `null` (none, or not visible). */
  resourceLevel(id: string): string | null;
  /** Whether the user sees a feature (holds at least its lowest level). */
  visible(feature: string): boolean;
  /** May the user do `action` on a feature? */
  canFeature(feature: string, action: string): boolean;
  /** May the user do `action` on a resource? */
  canResource(id: string, action: string): boolean;
  /** The feature's resources the user may do `action` on, in snapshot order. */
  list(feature: string, action: string): string[];

  /** Why (not)? */
  explain(query: ExplainQuery): Explanation;

  /** The visible part of a navigation tree. */
  filterMenu<T extends NavItem>(tree: readonly T[]): T[];

  /**
   * Releases the snapshot's memory in the module now (one module instance holds every loaded
   * snapshot); the checker then throws `freed`. Otherwise it is released when the checker is
   * garbage-collected, except where there is no `FinalizationRegistry` (workerd): call it there.
   */
  free(): void;
}
