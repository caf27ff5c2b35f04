// `permslip/session`: keeps one user's checker fresh. Given a function that fetches a snapshot,
// it loads it, refreshes in the background before it expires, swaps the checker atomically
// (a new state object, never a half-updated one) and tells subscribers. Once the snapshot has
// expired with no fresh one, the checker is a deny-all one whose reason is `expired`; when no
// snapshot could be loaded at all, a deny-all one whose reason is `invalid`. So the UI reads
// `session.checker` and never needs a null check.
//
// One timer drives everything (the next refresh or retry, and the expiry); each firing
// re-reads the clock, so a timer that fires late (a sleeping laptop, a throttled background
// tab) still does the right thing. The checker also latches expiry on its own clock, so checks
// deny after expiry even before the timer fires.

import { Catalogue, Permslip, PermslipError } from "./core.js";
import { DEFAULT_LEEWAY } from "./facts.js";

// setTimeout stores its delay in 32 bits: longer delays fire at once. Longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Refresh when this share of the lifetime left at load remains, but no earlier than...
const REFRESH_SHARE = 0.2;
// ...this many seconds before expiry.
const MAX_REFRESH_BEFORE = 300;
const DEFAULT_RETRY = 2;
const DEFAULT_MAX_RETRY = 60;

const LOAD_OPTIONS = ["jwks", "audience", "issuer", "subject", "leeway", "maxTokenBytes", "catalogue"];

function invalid(message) {
  return new PermslipError("invalid_argument", message);
}

function seconds(value, name, fallback) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalid(`\`${name}\` must be a non-negative number of seconds`);
  }
  return value;
}

const realClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // In Node, a pending refresh must not keep the process alive.
    if (typeof t === "object" && t !== null && typeof t.unref === "function") t.unref();
    return t;
  },
  clearTimeout: (t) => clearTimeout(t),
};

/**
 * Creates a session. Nothing is fetched until `start()`.
 *
 * Options: `fetchSnapshot(signal)` (required) returns a token string or `{ token, catalogue? }`
 * (the catalogue bundle as a `Catalogue` or as its token, verified once while it stays the
 * same); `jwks`, `audience` and the other `Permslip.load` options (`catalogue` may be a token
 * too); `refreshBefore` (seconds before
 * expiry to refresh; default 20% of the lifetime left at load, at most 300); `retryDelay`
 * (first retry after a failure, seconds, default 2, doubling) and `maxRetryDelay` (default 60);
 * `minSerial` (default 0; the session then refuses any snapshot older than the newest loaded);
 * `clock` ({ now, setTimeout, clearTimeout }, for tests; its `now` also drives the checkers).
 */
export function createSession(options) {
  return new PermslipSession(options);
}

export class PermslipSession {
  #fetchSnapshot;
  #loadOptions;
  #leewayMs;
  #refreshBefore; // seconds, or undefined for the default rule
  #retryMs;
  #maxRetryMs;
  #minSerial;
  #clock;
  #injectedClock;

  #state;
  #listeners = new Set();
  #started = false;
  #stopped = false;
  #generation = 0; // bumped by stop(): results of older fetches are dropped
  #inflight = null; // promise of the running fetch
  #abort = null;
  #timer = null;
  #nextFetchAt = null; // ms: the planned refresh or retry
  #expireAt = null; // ms: when the current checker stops answering (exp + leeway)
  #failures = 0;
  #onVisible = null;
  #catalogueToken = null; // the last catalogue bundle given as a token, and its verified form
  #catalogue = null;

  constructor(options) {
    if (options === null || typeof options !== "object") {
      throw invalid("createSession expects options `{ fetchSnapshot, jwks, audience }`");
    }
    if (typeof options.fetchSnapshot !== "function") {
      throw invalid("`fetchSnapshot` must be a function returning a token (or `{ token, catalogue }`)");
    }
    this.#fetchSnapshot = options.fetchSnapshot;
    const load = {};
    for (const key of LOAD_OPTIONS) if (options[key] !== undefined) load[key] = options[key];
    this.#loadOptions = load;
    this.#leewayMs = seconds(options.leeway, "leeway", DEFAULT_LEEWAY) * 1000;
    this.#refreshBefore = options.refreshBefore === undefined
      ? undefined
      : seconds(options.refreshBefore, "refreshBefore", 0);
    this.#retryMs = seconds(options.retryDelay, "retryDelay", DEFAULT_RETRY) * 1000;
    this.#maxRetryMs = Math.max(this.#retryMs, seconds(options.maxRetryDelay, "maxRetryDelay", DEFAULT_MAX_RETRY) * 1000);
    this.#minSerial = seconds(options.minSerial, "minSerial", 0);
    const clock = options.clock;
    if (clock !== undefined) {
      if (clock === null || typeof clock.now !== "function" || typeof clock.setTimeout !== "function" || typeof clock.clearTimeout !== "function") {
        throw invalid("`clock` must have `now`, `setTimeout` and `clearTimeout` functions");
      }
    }
    this.#clock = clock ?? realClock;
    this.#injectedClock = clock !== undefined;
    this.#state = Object.freeze({
      status: "loading",
      checker: Permslip.denyAll("invalid"),
      error: null,
      expiresAt: null,
      refreshAt: null,
    });
    // Methods handed around as callbacks (React's useSyncExternalStore takes them unbound).
    this.subscribe = this.subscribe.bind(this);
    this.getState = this.getState.bind(this);
  }

  /** The current checker: never null; deny-all while loading, after expiry or after failure. */
  get checker() {
    return this.#state.checker;
  }

  /** `{ status, checker, error, expiresAt, refreshAt }`; a new frozen object on every change. */
  getState() {
    return this.#state;
  }

  /** Calls `listener(state)` after every change; returns the function that unsubscribes. */
  subscribe(listener) {
    if (typeof listener !== "function") throw invalid("subscribe expects a function");
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Fetches the first snapshot; resolves with the state once that attempt is over. */
  start() {
    if (this.#stopped) return Promise.resolve(this.#state);
    if (this.#started) return this.#inflight ?? Promise.resolve(this.#state);
    this.#started = true;
    const doc = globalThis.document;
    if (doc !== undefined && typeof doc.addEventListener === "function") {
      // Timers are throttled in background tabs: catch up as soon as the page shows again.
      this.#onVisible = () => {
        if (doc.visibilityState === "visible") this.#tick();
      };
      doc.addEventListener("visibilitychange", this.#onVisible);
    }
    return this.#fetch();
  }

  /** Fetches a fresh snapshot now (sharing a fetch already running); resolves with the state. */
  refresh() {
    if (this.#stopped) return Promise.resolve(this.#state);
    if (!this.#started) return this.start();
    return this.#fetch();
  }

  /**
   * Stops refreshing: cancels the timer, aborts a running fetch and drops its result. The
   * current checker keeps answering until its own expiry.
   */
  stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#generation++;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#abort !== null) this.#abort.abort();
    this.#abort = null;
    this.#inflight = null;
    if (this.#onVisible !== null) globalThis.document.removeEventListener("visibilitychange", this.#onVisible);
    this.#onVisible = null;
  }

  #set(changes) {
    this.#state = Object.freeze({
      ...this.#state,
      ...changes,
      refreshAt: this.#nextFetchAt === null ? null : new Date(this.#nextFetchAt),
    });
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#state);
      } catch (e) {
        // One failing subscriber must not starve the others or break the refresh loop.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  #fetch() {
    if (this.#inflight !== null) return this.#inflight;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextFetchAt = null;
    const generation = this.#generation;
    const abort = typeof AbortController === "function" ? new AbortController() : null;
    this.#abort = abort;
    const run = async () => {
      let checker = null;
      let error = null;
      try {
        const got = await this.#fetchSnapshot(abort === null ? undefined : abort.signal);
        if (generation !== this.#generation) return this.#state;
        checker = await this.#load(got);
      } catch (e) {
        error = e;
      }
      if (generation !== this.#generation) {
        checker?.free();
        return this.#state;
      }
      this.#inflight = null;
      this.#abort = null;
      if (checker !== null) this.#accept(checker);
      else this.#fail(error);
      this.#arm();
      return this.#state;
    };
    this.#inflight = run();
    return this.#inflight;
  }

  // Verifies with loadAsync: the platform's Ed25519 (WebCrypto in browsers), off the main thread.
  async #load(got) {
    let token = got;
    const options = { ...this.#loadOptions, minSerial: this.#minSerial };
    if (this.#injectedClock) options.now = this.#clock.now;
    if (got !== null && typeof got === "object") {
      token = got.token;
      if (got.catalogue !== undefined && got.catalogue !== null) options.catalogue = got.catalogue;
    }
    if (typeof token !== "string") {
      throw new PermslipError("malformed", "malformed token: fetchSnapshot must return a string or `{ token }`");
    }
    if (typeof options.catalogue === "string") options.catalogue = await this.#verifiedCatalogue(options.catalogue, options);
    return Permslip.loadAsync(token.trim(), options);
  }

  // A catalogue bundle given as its token is verified once and reused until it changes.
  async #verifiedCatalogue(token, options) {
    const trimmed = token.trim();
    if (trimmed !== this.#catalogueToken) {
      const { subject, minSerial, catalogue, ...shared } = options;
      this.#catalogue = await Catalogue.loadAsync(trimmed, shared);
      this.#catalogueToken = trimmed;
    }
    return this.#catalogue;
  }

  #accept(checker) {
    const now = this.#clock.now();
    const current = this.#state;
    if (
      current.status === "ready" &&
      checker.serial <= current.checker.serial &&
      checker.expiresAt.getTime() <= current.expiresAt.getTime()
    ) {
      // The same snapshot again (a cache, a static file): nothing to swap; ask again later, with
      // the same backoff as a failure so a backend that cannot issue is not hammered.
      this.#nextFetchAt = Math.min(this.#backoff(now), this.#expireAt);
      this.#set({});
      return;
    }
    this.#failures = 0;
    this.#minSerial = Math.max(this.#minSerial, checker.serial);
    const exp = checker.expiresAt.getTime();
    this.#expireAt = exp + this.#leewayMs;
    const left = Math.max(0, exp - now);
    const before = this.#refreshBefore === undefined
      ? Math.min(MAX_REFRESH_BEFORE * 1000, left * REFRESH_SHARE)
      : this.#refreshBefore * 1000;
    // Never sooner than a retry delay: a server handing out nearly-expired snapshots must not
    // make the session spin.
    this.#nextFetchAt = Math.max(now + this.#retryMs, exp - before);
    this.#set({ status: "ready", checker, error: null, expiresAt: checker.expiresAt });
  }

  // When to try again after a failure (or a snapshot that was not fresher): doubling delays.
  #backoff(now) {
    const delay = Math.min(this.#maxRetryMs, this.#retryMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return now + delay;
  }

  #fail(error) {
    const now = this.#clock.now();
    this.#nextFetchAt = this.#backoff(now);
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.#state.status === "ready" && this.#expireAt !== null && now < this.#expireAt) {
      // The current snapshot still answers: keep it, report the failed refresh.
      this.#set({ error: err });
      return;
    }
    // A snapshot that lapsed (ready until now, or expired before) or arrived expired: `expired`.
    // Nothing valid was ever loaded: `invalid`.
    const status = this.#state.status;
    const expired = err.code === "expired" || status === "expired" || status === "ready";
    const next = expired ? "expired" : "error";
    this.#expireAt = null;
    this.#set({
      status: next,
      // Same status: keep the same deny-all checker, so nothing re-renders for a new object.
      checker: status === next ? this.#state.checker : Permslip.denyAll(expired ? "expired" : "invalid"),
      error: err,
      expiresAt: expired ? this.#state.expiresAt : null,
    });
  }

  #tick() {
    if (this.#stopped) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    const now = this.#clock.now();
    if (this.#expireAt !== null && now >= this.#expireAt) {
      this.#expireAt = null;
      this.#set({ status: "expired", checker: Permslip.denyAll("expired") });
    }
    if (this.#nextFetchAt !== null && now >= this.#nextFetchAt && this.#inflight === null) {
      this.#fetch();
      return; // the fetch re-arms when it settles
    }
    this.#arm();
  }

  #arm() {
    if (this.#stopped || this.#inflight !== null) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    let at = Infinity;
    if (this.#expireAt !== null) at = Math.min(at, this.#expireAt);
    if (this.#nextFetchAt !== null) at = Math.min(at, this.#nextFetchAt);
    if (at === Infinity) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.#clock.now()));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#tick();
    }, delay);
  }
}
