// The public JS API over the wasm bindings (src/wasm.rs). Every entry point (node, workerd,
// browser, init) re-exports this module; they differ only in how they initialise the wasm.
//
// Costs that shaped it (Node 20): a JS->wasm call with numbers ~9 ns, passing a short string
// ~60 ns, returning a string ~300 ns. So names are resolved to numeric handles once and cached
// per checker, batches go through a scratch area in wasm memory, and structures (explain,
// profile, list) come back as one JSON string.

import initGlue, {
  initSync as initGlueSync,
  WasmBatch,
  WasmKeySet,
  WasmSigned,
  explain_unanswerable as explainUnanswerable,
} from "../dist/permslip.js";

import { DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_BYTES, HANDLE_DENY, MAX_MENU_DEPTH, MAX_MENU_ITEMS } from "./facts.js";

export { HANDLE_DENY };
// Passed as the split length when a call carries one name only (see src/wasm.rs).
const NO_SECOND = 0xffffffff;
// Cached name resolutions per checker before the caches are emptied and refilled.
const MAX_CACHED = 8192;
// Handles per crossing in checkMany, so a huge batch never grows wasm memory much.
const BATCH_CHUNK = 4096;

import { PermslipError } from "./error.js";
import { coarseNow, invalid, named as name, optionalString, toClock, whole } from "./options.js";

export { PermslipError };


// Errors from wasm carry `code`; anything else (a trap, a glue TypeError) is a bug: `internal`.
function rethrow(e) {
  if (e instanceof PermslipError) throw e;
  if (e instanceof Error && typeof e.code === "string") {
    throw new PermslipError(e.code, e.message);
  }
  throw new PermslipError("internal", `internal error: ${e?.message ?? e}`, { cause: e });
}

// ---- Module initialisation ----------------------------------------------------------------

let memory = null; // WebAssembly.Memory once initialised

function ready(exports) {
  memory = exports.memory;
}

function assertReady() {
  if (memory === null) {
    throw new PermslipError(
      "not_initialized",
      "the wasm module is not initialised: call `await init()` (browsers) or `initSync({ module })` first",
    );
  }
}

/** Whether the wasm module is initialised. */
export function isInitialized() {
  return memory !== null;
}

/**
 * Initialises asynchronously (browsers). `input` is a URL, a string URL, a `Response` (or a
 * promise of one), bytes or a `WebAssembly.Module`; default: the `.wasm` next to this package's
 * glue, resolved from `import.meta.url`. A second call is a no-op.
 */
export async function init(input) {
  if (memory !== null) return;
  try {
    ready(await initGlue(input === undefined ? undefined : { module_or_path: input }));
  } catch (e) {
    throw new PermslipError("init_failed", `cannot initialise permslip: ${e?.message ?? e}`, { cause: e });
  }
}

/**
 * Initialises synchronously from a `WebAssembly.Module` (workers, where compiling bytes is
 * forbidden) or from bytes (Node). Accepts `{ module }` or the module/bytes themselves.
 * A second call is a no-op.
 */
export function initSync(input) {
  if (memory !== null) return;
  let module = input;
  if (input !== null && typeof input === "object" && Object.getPrototypeOf(input) === Object.prototype) {
    module = input.module;
  }
  const ok =
    module instanceof WebAssembly.Module ||
    module instanceof ArrayBuffer ||
    ArrayBuffer.isView(module);
  if (!ok) {
    throw invalid("initSync expects `{ module }` with a WebAssembly.Module or the .wasm bytes");
  }
  try {
    ready(initGlueSync({ module }));
  } catch (e) {
    throw new PermslipError("init_failed", `cannot initialise permslip: ${e?.message ?? e}`, { cause: e });
  }
}

// ---- Batch scratch area -----------------------------------------------------------------------

let batch = null;
let batchCap = 0;
let batchHandles = null; // Uint32Array over wasm memory
let batchOut = null; // Uint8Array over wasm memory

// Views over wasm memory detach when it grows; recreate them then (as wasm-bindgen's glue does).
function batchViews(n) {
  if (batchCap < n) {
    if (batch !== null) batch.free();
    batch = new WasmBatch(Math.max(n, 64));
    batchCap = batch.capacity();
    batchHandles = null;
  }
  if (batchHandles === null || batchHandles.byteLength === 0) {
    batchHandles = new Uint32Array(memory.buffer, batch.handles_ptr(), batchCap);
    batchOut = new Uint8Array(memory.buffer, batch.out_ptr(), batchCap);
  }
}

// ---- Key sets ---------------------------------------------------------------------------------

// Accessors to the wasm objects inside KeySet and Catalogue, for this module only.
let keySetInner;
let hostKeysOf;
let hostUsesOf;
let catalogueInner;
let catalogueLength;

/** A parsed JWKS. Parse once and reuse it for every load: decoding Ed25519 keys costs. */
export class KeySet {
  #inner;
  #hostKeys = []; // key index -> the host's key object (or a promise of it), null: use wasm
  #hostUses = []; // key index -> verifications "auto" gave the synchronous host

  constructor(inner, secret) {
    if (secret !== KEYSET) throw new TypeError("use KeySet.parse(jwks)");
    this.#inner = inner;
  }

  /** Parses a JWKS given as a JSON string or as an object (`{ keys: [...] }`). */
  static parse(jwks) {
    assertReady();
    let json = jwks;
    if (typeof jwks !== "string") {
      if (jwks === null || typeof jwks !== "object") {
        throw new PermslipError("invalid_key_set", "invalid key set: expected a JWKS object or JSON string");
      }
      try {
        json = JSON.stringify(jwks);
      } catch (e) {
        throw new PermslipError("invalid_key_set", `invalid key set: ${e.message}`);
      }
    }
    try {
      return new KeySet(WasmKeySet.parse(json), KEYSET);
    } catch (e) {
      rethrow(e);
    }
  }

  /** The ids of the Ed25519 keys, in document order. */
  get kids() {
    return this.#inner.kids();
  }

  static {
    keySetInner = (keys) => keys.#inner;
    hostKeysOf = (keys) => keys.#hostKeys;
    hostUsesOf = (keys) => keys.#hostUses;
  }
}

const KEYSET = Symbol("KeySet");

// One-entry cache for JWKS given as a string: strings are immutable, so an equal string is the
// same key set. Objects are not cached (they could be changed in place to drop a key).
let lastJwksJson = null;
let lastJwks = null;

function keySetOf(jwks) {
  if (jwks instanceof KeySet) return jwks;
  if (typeof jwks === "string") {
    if (jwks !== lastJwksJson) {
      lastJwks = KeySet.parse(jwks);
      lastJwksJson = jwks;
    }
    return lastJwks;
  }
  if (jwks === undefined) throw invalid("`jwks` is required");
  return KeySet.parse(jwks);
}

// ---- Catalogue bundles ------------------------------------------------------------------------

const CATALOGUE = Symbol("Catalogue");

/**
 * A verified catalogue bundle: a model's shared catalogue signed as its own token, named by
 * the slips of that model (`catalogue_hash`). Load it once and pass it to every
 * `Permslip.load` of that model.
 */
export class Catalogue {
  #inner;
  #length; // the bundle's length: no catalogue name can be longer

  constructor(inner, length, secret) {
    if (secret !== CATALOGUE) throw new TypeError("use Catalogue.load(token, options)");
    this.#inner = inner;
    this.#length = length;
  }

  /**
   * Verifies and compiles a catalogue bundle with the same options as `Permslip.load` (its
   * `subject` and `minSerial` do not apply).
   */
  static load(token, options) {
    const o = loadOptions(options);
    const signed = open(token, o, true);
    return Catalogue.#finish(token, o, signed, verdictSync(o, signed));
  }

  /**
   * `Catalogue.load`, verifying the signature with the platform's Ed25519 where it is only
   * asynchronous (WebCrypto in browsers and workers). Same checks, same answers.
   */
  static async loadAsync(token, options) {
    const o = loadOptions(options);
    const signed = open(token, o, true);
    return Catalogue.#finish(token, o, signed, await verdictAsync(o, signed));
  }

  static #finish(token, o, signed, [host]) {
    try {
      const inner = signed.load_catalogue(keySetInner(o.keys), Math.floor(o.nowMs() / 1000), host);
      return new Catalogue(inner, token.length, CATALOGUE);
    } catch (e) {
      rethrow(e);
    }
  }

  /** The binding hash slips name in `catalogue_hash`. */
  get hash() {
    return this.#inner.hash();
  }

  static {
    catalogueInner = (catalogue) => catalogue.#inner;
    catalogueLength = (catalogue) => catalogue.#length;
  }
}

// Validates the options shared by snapshots and catalogue bundles.
function loadOptions(options) {
  assertReady();
  if (options === null || typeof options !== "object") {
    throw invalid("options `{ jwks, audience }` are required");
  }
  const audience = options.audience;
  if (typeof audience !== "string" || audience === "") {
    throw invalid("`audience` must be a non-empty string");
  }
  const clock = toClock(options.now);
  return {
    audience,
    issuer: optionalString(options.issuer, "issuer"),
    subject: optionalString(options.subject, "subject"),
    leeway: whole(options.leeway, "leeway", DEFAULT_LEEWAY),
    minSerial: whole(options.minSerial, "minSerial", 0),
    maxTokenBytes: whole(options.maxTokenBytes, "maxTokenBytes", DEFAULT_MAX_TOKEN_BYTES),
    clock,
    nowMs: clock === null ? Date.now : clock,
    verifier: verifierOption(options.verifier),
    keys: keySetOf(options.jwks),
  };
}

function verifierOption(value) {
  if (value === undefined || value === null) return "auto";
  if (value !== "auto" && value !== "wasm" && value !== "platform") {
    throw invalid("`verifier` must be \"auto\", \"wasm\" or \"platform\"");
  }
  return value;
}

// ---- Signature verification ---------------------------------------------------------------------
//
// The wasm module checks everything about a token except the Ed25519 group equation itself,
// including the strict checks that need no curve arithmetic (canonical S, R not of small
// order: src/token/strict.rs). The equation goes to WebCrypto's Ed25519 in loadAsync where
// that is faster (browsers, Deno, workers: BoringSSL and friends, ~1.4x the module's speed in
// Chromium), else to the module's own (src/token/equation.rs). On Node, node:crypto takes a
// key's first verifications (faster cold) and the module the rest (faster warm, with the key's
// fixed-base table): see node-crypto.js. tests/vectors/ed25519.json shows every verifier
// accepts exactly the same signatures.

// What the host's Ed25519 said of the equation: `undefined` when the module decides it (the
// `host` argument of WasmSigned's loads), else `true` (valid) or `false`.
const HERE = undefined;

// Filled by WasmSigned.open: key index, signing input address and length, signature address.
const facts = new Uint32Array(4);

// A synchronous platform verifier (node:crypto), installed by the Node entry:
// { name, handOverAfter, importKey(raw32) -> key, verify(key, message, signature) -> boolean }.
// "auto" uses it for a key's first `handOverAfter` verifications, then has the module build
// the key's fixed-base table and verifies in wasm from then on.
let syncHost = null;

// Whether this verification goes to the synchronous host.
function useSyncHost(o, signed) {
  if (syncHost === null || o.verifier === "wasm") return false;
  if (o.verifier === "platform") return true;
  const index = facts[0];
  if (hostKeysOf(o.keys)[index] === null) return false; // the host refused the key
  const uses = hostUsesOf(o.keys);
  const n = uses[index] ?? 0;
  if (n > syncHost.handOverAfter) return false;
  uses[index] = n + 1;
  if (n < syncHost.handOverAfter) return true;
  keySetInner(o.keys).prepare_key(index); // the hand-over: build the key's table once
  return false;
}

/** Internal: the Node entry installs node:crypto here. */
export function setSyncVerifier(host) {
  syncHost = host;
}

function open(token, o, bundle) {
  checkToken(token, o.maxTokenBytes);
  try {
    return WasmSigned.open(token, keySetInner(o.keys), o, bundle, facts);
  } catch (e) {
    rethrow(e);
  }
}

function unavailable() {
  return new PermslipError(
    "platform_unavailable",
    "`verifier: \"platform\"`: this runtime has no usable Ed25519 (node:crypto or WebCrypto)",
  );
}

// Views into wasm memory, taken right before use: memory may grow between calls.
function messageOf() {
  return new Uint8Array(memory.buffer, facts[1], facts[2]);
}

function signatureOf() {
  return new Uint8Array(memory.buffer, facts[3], 64);
}

// [verdict, verifier name] with the synchronous platform verifier, if any.
function verdictSync(o, signed) {
  if (useSyncHost(o, signed)) {
    const keys = hostKeysOf(o.keys);
    const index = facts[0];
    let key = keys[index];
    try {
      if (key === undefined) {
        key = keys[index] = syncHost.importKey(keySetInner(o.keys).public_key(index));
      }
      const ok = syncHost.verify(key, messageOf(), signatureOf());
      return [ok, syncHost.name];
    } catch (e) {
      // A platform that cannot take this key or call: verify in wasm instead.
      keys[index] = null;
      if (o.verifier === "platform") {
        signed.free();
        throw unavailable();
      }
    }
  }
  if (o.verifier === "platform") {
    signed.free();
    throw unavailable();
  }
  return [HERE, "wasm"];
}

// WebCrypto's SubtleCrypto when it has Ed25519 (probed once), else null.
let subtleProbe = null;

function ed25519Subtle() {
  if (subtleProbe === null) {
    const subtle = globalThis.crypto?.subtle;
    subtleProbe =
      subtle === undefined
        ? Promise.resolve(null)
        : subtle
            .importKey("raw", new Uint8Array(ED25519_PROBE_KEY), { name: "Ed25519" }, false, ["verify"])
            .then(
              () => subtle,
              () => null,
            );
  }
  return subtleProbe;
}

// The Ed25519 base point's encoding: a valid public key to probe support with.
const ED25519_PROBE_KEY = [
  0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

// [verdict, verifier name], using WebCrypto where only it is available.
async function verdictAsync(o, signed) {
  if (o.verifier === "wasm" || syncHost !== null) return verdictSync(o, signed);
  // Read before awaiting: another load reuses `facts` meanwhile.
  const [index, messageAt, messageLen, signatureAt] = facts;
  try {
    const subtle = await ed25519Subtle();
    if (subtle !== null) {
      const keys = hostKeysOf(o.keys);
      if (keys[index] === undefined) {
        const raw = keySetInner(o.keys).public_key(index);
        keys[index] = subtle
          .importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
          .catch(() => null);
      }
      const key = await keys[index];
      if (key !== null) {
        // verify() copies its inputs before it returns its promise; views are taken after the
        // await above, since memory may have grown.
        const signature = new Uint8Array(memory.buffer, signatureAt, 64);
        const message = new Uint8Array(memory.buffer, messageAt, messageLen);
        const ok = await subtle.verify("Ed25519", key, signature, message);
        return [ok, "webcrypto"];
      }
    }
  } catch (e) {
    // WebCrypto failed for this call: verify in wasm instead (below).
  }
  if (o.verifier === "platform") {
    signed.free();
    throw unavailable();
  }
  return [HERE, "wasm"];
}

function checkToken(token, maxTokenBytes) {
  if (typeof token !== "string") {
    throw new PermslipError("malformed", "malformed token: expected a string");
  }
  // UTF-8 is never shorter than UTF-16, so this refuses only what Rust would refuse, without
  // copying a huge string into wasm memory first.
  if (token.length > maxTokenBytes) {
    throw new PermslipError("too_large", `token is at least ${token.length} bytes, over the limit of ${maxTokenBytes}`);
  }
}

// ---- The checker --------------------------------------------------------------------------------

const PERMSLIP = Symbol("Permslip");

// loadOptions plus the snapshot-only `catalogue` option.
function snapshotOptions(options) {
  const o = loadOptions(options);
  const catalogue = options.catalogue;
  if (catalogue !== undefined && catalogue !== null && !(catalogue instanceof Catalogue)) {
    throw invalid("`catalogue` must be a Catalogue (see Catalogue.load)");
  }
  return [o, catalogue];
}


function handleArg(value) {
  if (typeof value !== "number" || value >>> 0 !== value) {
    throw invalid("a handle is a number returned by handle(), featureHandle() or resourceHandle()");
  }
  return value;
}

// Two-level cache: first name -> (second name -> value), with no string concatenation per call.
function get2(map, a, b) {
  const inner = map.get(a);
  return inner === undefined ? undefined : inner.get(b);
}

/**
 * One user's verified permissions. Created by `Permslip.load`; every check is synchronous,
 * never throws for an unknown name (it denies), and denies with reason `expired` once the
 * snapshot has expired.
 */
export class Permslip {
  #c; // WasmChecker, or null for a deny-all checker
  #dead; // null while live; "expired", "invalid" or "freed"
  #expMs; // expiry instant in ms: (exp + leeway) * 1000
  #clock; // null: the shared coarse clock; otherwise a function returning ms
  #maxName; // a name longer than the token(s) it came in cannot be in the snapshot
  #levels; // level names, lowest first
  #subject;
  #issuer;
  #exp;
  #serial;
  #verifiedBy;
  #profile = null; // JSON string, fetched once

  // A checker is immutable, so every answer can be memoised: after its first call, a check is
  // a Map lookup and no call into wasm at all (the expiry test still runs on every call).
  #perm = new Map(); // permission -> handle
  #scoped = new Map(); // permission -> scope -> handle
  #answers = new Map(); // handle -> boolean
  #canMemo = new Map(); // permission -> boolean
  #canScopedMemo = new Map(); // permission -> scope -> boolean
  #feat = new Map(); // feature -> level (or "" for default) -> handle
  #res = new Map(); // resource -> level (or "") -> handle
  #featLevel = new Map(); // feature -> level number
  #canF = new Map(); // feature -> action -> boolean
  #canR = new Map(); // resource -> action -> boolean
  #cached = 0;
  #menus = new WeakMap(); // tree -> plan (handles belong to this checker)

  constructor(secret, inner, meta) {
    if (secret !== PERMSLIP) throw new TypeError("use Permslip.load(token, options)");
    this.#c = inner;
    this.#dead = meta.dead;
    this.#expMs = meta.expMs;
    this.#clock = meta.clock;
    this.#maxName = meta.maxName;
    this.#levels = meta.levels;
    this.#subject = meta.subject;
    this.#issuer = meta.issuer;
    this.#exp = meta.exp;
    this.#serial = meta.serial;
    this.#verifiedBy = meta.verifiedBy;
  }

  /**
   * Verifies a snapshot token and compiles it. Throws `PermslipError` (see the README for the
   * codes) when the token cannot be trusted.
   */
  static load(token, options) {
    const [o, catalogue] = snapshotOptions(options);
    const signed = open(token, o, false);
    return Permslip.#finish(token, o, catalogue, signed, verdictSync(o, signed));
  }

  /**
   * `Permslip.load`, verifying the signature with the platform's Ed25519 where it is only
   * asynchronous (WebCrypto in browsers and workers): faster there, and off the main thread.
   * Same checks, same answers; in Node it is `load` (node:crypto is synchronous).
   */
  static async loadAsync(token, options) {
    const [o, catalogue] = snapshotOptions(options);
    const signed = open(token, o, false);
    return Permslip.#finish(token, o, catalogue, signed, await verdictAsync(o, signed));
  }

  static #finish(token, o, catalogue, signed, [host, verifiedBy]) {
    // Read after the signature check, which may have awaited.
    const now = Math.floor(o.nowMs() / 1000);
    let inner;
    let meta;
    try {
      inner =
        catalogue instanceof Catalogue
          ? signed.load_snapshot_with(keySetInner(o.keys), catalogueInner(catalogue), now, host)
          : signed.load_snapshot(keySetInner(o.keys), now, host);
      meta = JSON.parse(inner.meta());
    } catch (e) {
      rethrow(e);
    }
    const exp = meta.exp;
    return new Permslip(PERMSLIP, inner, {
      dead: null,
      expMs: (exp + o.leeway) * 1000,
      clock: o.clock,
      // Every name the checker knows came in one of the two tokens, and a name is never
      // longer than the token that carried it (see #maxName).
      maxName: Math.max(token.length, catalogue instanceof Catalogue ? catalogueLength(catalogue) : 0),
      levels: meta.levels,
      subject: meta.subject,
      issuer: meta.issuer,
      exp,
      serial: meta.serial,
      verifiedBy,
    });
  }

  /**
   * A checker that denies everything with `reason` (`invalid` or `expired`): what to use when
   * no snapshot could be loaded, so the UI keeps one code path.
   */
  static denyAll(reason = "invalid") {
    if (reason !== "invalid" && reason !== "expired") {
      throw invalid("denyAll reason must be `invalid` or `expired`");
    }
    return new Permslip(PERMSLIP, null, {
      dead: reason,
      expMs: 0,
      clock: null,
      maxName: 0,
      levels: [],
      subject: "",
      issuer: "",
      exp: 0,
      serial: 0,
      verifiedBy: null,
    });
  }

  // ---- state ----

  // True while the snapshot may answer; latches `expired` so a clock going back cannot revive
  // a stale snapshot.
  #live() {
    if (this.#dead !== null) {
      this.#notFreed();
      return false;
    }
    if ((this.#clock === null ? coarseNow() : this.#clock()) < this.#expMs) return true;
    this.#dead = "expired";
    return false;
  }

  /** Whether the snapshot has expired (or this is a deny-all checker). */
  get expired() {
    return !this.#live();
  }

  /** The user the snapshot is about (`sub`). */
  get subject() {
    return this.#subject;
  }

  /** The issuer (`iss`). */
  get issuer() {
    return this.#issuer;
  }

  /** When the snapshot expires (`exp`), without the leeway. */
  get expiresAt() {
    return new Date(this.#exp * 1000);
  }

  /** The issue counter (`serial`): pass the highest seen as `minSerial` to refuse replays. */
  get serial() {
    return this.#serial;
  }

  /**
   * Which Ed25519 verified the snapshot's signature: `"node:crypto"`, `"webcrypto"` or
   * `"wasm"` (`null` for a deny-all checker).
   */
  get verifiedBy() {
    return this.#verifiedBy;
  }

  /** Releases the wasm memory now instead of at garbage collection; the checker then throws. */
  free() {
    if (this.#c !== null) this.#c.free();
    this.#c = null;
    this.#dead = "freed";
  }

  #remember() {
    if (++this.#cached > MAX_CACHED) {
      this.#perm.clear();
      this.#scoped.clear();
      this.#answers.clear();
      this.#canMemo.clear();
      this.#canScopedMemo.clear();
      this.#feat.clear();
      this.#res.clear();
      this.#featLevel.clear();
      this.#canF.clear();
      this.#canR.clear();
      this.#cached = 1;
    }
  }

  // ---- handles ----

  /** Resolves a permission (and scope value) to a handle for `check`; unknown: `HANDLE_DENY`. */
  handle(permission, scope) {
    this.#notFreed();
    if (scope === undefined || scope === null) {
      const h = this.#perm.get(permission);
      return h === undefined ? this.#resolvePermission(permission) : h;
    }
    const h = get2(this.#scoped, permission, scope);
    return h === undefined ? this.#resolveScoped(permission, scope) : h;
  }

  #resolvePermission(permission) {
    name(permission, "permission");
    if (this.#c === null || permission.length > this.#maxName) return HANDLE_DENY;
    const h = this.#c.permission_handle(permission, NO_SECOND);
    this.#remember();
    this.#perm.set(permission, h);
    return h;
  }

  #resolveScoped(permission, scope) {
    name(permission, "permission");
    name(scope, "scope");
    if (this.#c === null || permission.length > this.#maxName) return HANDLE_DENY;
    // A scope value longer than the token cannot be listed in it, but an unscoped grant still
    // covers it: Rust decides (an unknown value resolves to the "every value" handle).
    const h = this.#c.permission_handle(permission + scope, permission.length);
    this.#remember();
    let inner = this.#scoped.get(permission);
    if (inner === undefined) this.#scoped.set(permission, (inner = new Map()));
    inner.set(scope, h);
    return h;
  }

  #notFreed() {
    if (this.#dead === "freed") throw new PermslipError("freed", "this checker was freed");
  }

  /** Handle for "at least `level` on `feature`" (default: the lowest level). */
  featureHandle(feature, level) {
    this.#notFreed();
    return this.#levelHandle(this.#feat, feature, level, "feature");
  }

  /** Handle for "at least `level` on resource `id`" (default: the lowest level). */
  resourceHandle(id, level) {
    this.#notFreed();
    return this.#levelHandle(this.#res, id, level, "resource");
  }

  #levelHandle(cache, target, level, kind) {
    const key = level === undefined || level === null ? "" : level;
    const h = get2(cache, target, key);
    if (h !== undefined) return h;
    name(target, kind);
    if (key !== "") name(level, "level");
    if (this.#c === null || target.length > this.#maxName || key.length > this.#maxName) {
      return HANDLE_DENY;
    }
    const resolved =
      kind === "feature"
        ? key === ""
          ? this.#c.feature_handle(target, NO_SECOND)
          : this.#c.feature_handle(target + key, target.length)
        : key === ""
          ? this.#c.resource_handle(target, NO_SECOND)
          : this.#c.resource_handle(target + key, target.length);
    this.#remember();
    let inner = cache.get(target);
    if (inner === undefined) cache.set(target, (inner = new Map()));
    inner.set(key, resolved);
    return resolved;
  }

  /** Answers a handle (memoised: one call into wasm per distinct handle). */
  check(handle) {
    if (this.#live()) {
      const a = this.#answers.get(handle);
      return a === undefined ? this.#ask(handleArg(handle)) : a;
    }
    handleArg(handle);
    return false;
  }

  #ask(h) {
    let a = this.#answers.get(h);
    if (a === undefined) {
      a = this.#c.check(h);
      this.#remember();
      this.#answers.set(h, a);
    }
    return a;
  }

  /** Answers many handles in one call: `out[i]` is 1 (allow) or 0. */
  checkMany(handles) {
    if (!(handles instanceof Uint32Array)) throw invalid("checkMany expects a Uint32Array of handles");
    const n = handles.length;
    const out = new Uint8Array(n);
    if (!this.#live()) return out;
    for (let start = 0; start < n; start += BATCH_CHUNK) {
      const m = Math.min(BATCH_CHUNK, n - start);
      batchViews(m);
      for (let i = 0; i < m; i++) batchHandles[i] = handles[start + i];
      this.#c.check_batch(batch, m);
      for (let i = 0; i < m; i++) out[start + i] = batchOut[i];
    }
    return out;
  }

  // ---- checks by name ----

  /** May the user do `permission` (for `scope`, if given; for some value otherwise)? */
  can(permission, scope) {
    if (!this.#live()) {
      name(permission, "permission");
      if (scope !== undefined && scope !== null) name(scope, "scope");
      return false;
    }
    if (scope === undefined || scope === null) {
      const a = this.#canMemo.get(permission);
      return a === undefined ? this.#canMiss(permission) : a;
    }
    const a = get2(this.#canScopedMemo, permission, scope);
    return a === undefined ? this.#canScopedMiss(permission, scope) : a;
  }

  #canMiss(permission) {
    const a = this.#ask(this.handle(permission));
    this.#remember();
    this.#canMemo.set(permission, a);
    return a;
  }

  #canScopedMiss(permission, scope) {
    const a = this.#ask(this.handle(permission, scope));
    this.#remember();
    let inner = this.#canScopedMemo.get(permission);
    if (inner === undefined) this.#canScopedMemo.set(permission, (inner = new Map()));
    inner.set(scope, a);
    return a;
  }

  #levelNumber(feature) {
    let l = this.#featLevel.get(feature);
    if (l === undefined) {
      name(feature, "feature");
      if (feature.length > this.#maxName) return 0;
      l = this.#c.feature_level(feature);
      this.#remember();
      this.#featLevel.set(feature, l);
    }
    return l;
  }

  /** The level name held on a feature, or `null` for none. */
  featureLevel(feature) {
    if (!this.#live()) {
      name(feature, "feature");
      return null;
    }
    const l = this.#levelNumber(feature);
    return l === 0 ? null : (this.#levels[l - 1] ?? null);
  }

  /** The level name held on a resource, or `null` for none (or not visible). */
  resourceLevel(id) {
    name(id, "resource");
    if (!this.#live() || id.length > this.#maxName) return null;
    const l = this.#c.resource_level(id);
    return l === 0 ? null : (this.#levels[l - 1] ?? null);
  }

  /** Whether the user sees a feature (holds at least its lowest level). */
  visible(feature) {
    if (!this.#live()) {
      name(feature, "feature");
      return false;
    }
    return this.#levelNumber(feature) > 0;
  }

  /** The level scale, lowest first. */
  get levels() {
    return this.#levels.slice();
  }

  /** May the user do `action` on a feature? */
  canFeature(feature, action) {
    return this.#pairCheck(this.#canF, feature, action, "feature", true);
  }

  /** May the user do `action` on a resource? */
  canResource(id, action) {
    return this.#pairCheck(this.#canR, id, action, "resource", false);
  }

  #pairCheck(cache, target, action, kind, feature) {
    if (!this.#live()) {
      name(target, kind);
      name(action, "action");
      return false;
    }
    const hit = get2(cache, target, action);
    if (hit !== undefined) return hit;
    name(target, kind);
    name(action, "action");
    if (target.length > this.#maxName || action.length > this.#maxName) return false;
    const joined = target + action;
    const yes = feature
      ? this.#c.can_feature(joined, target.length)
      : this.#c.can_resource(joined, target.length);
    this.#remember();
    let inner = cache.get(target);
    if (inner === undefined) cache.set(target, (inner = new Map()));
    inner.set(action, yes);
    return yes;
  }

  /** The resources of `feature` the user may do `action` on, in snapshot order. */
  list(feature, action) {
    name(feature, "feature");
    name(action, "action");
    if (!this.#live() || feature.length > this.#maxName || action.length > this.#maxName) return [];
    return this.#json(() => this.#c.list(feature + action, feature.length));
  }

  #json(call) {
    let text;
    try {
      text = call();
    } catch (e) {
      rethrow(e);
    }
    return JSON.parse(text);
  }

  // ---- explanations and introspection ----

  /**
   * Why (not)? `query` is `{ permission, scope? }`, `{ feature, action }` or
   * `{ resource, action }`; returns a plain object (see the README).
   */
  explain(query) {
    if (query === null || typeof query !== "object") {
      throw invalid("explain expects { permission, scope? }, { feature, action } or { resource, action }");
    }
    const { permission, scope, feature, resource, action } = query;
    // [kind, first name, second name or undefined], as src/wasm.rs takes them.
    let asked;
    if (permission !== undefined) {
      const hasScope = scope !== undefined && scope !== null;
      asked = [0, name(permission, "permission"), hasScope ? name(scope, "scope") : undefined];
    } else if (feature !== undefined || resource !== undefined) {
      const isFeature = feature !== undefined;
      asked = [isFeature ? 1 : 2, name(isFeature ? feature : resource, isFeature ? "feature" : "resource"), name(action, "action")];
    } else {
      throw invalid("explain expects { permission, scope? }, { feature, action } or { resource, action }");
    }
    const [kind, first, second] = asked;
    const joined = second === undefined ? first : first + second;
    const split = second === undefined ? NO_SECOND : first.length;
    // Every word of every explanation is the engine's, live or not.
    if (!this.#live()) {
      return this.#json(() => explainUnanswerable(kind, joined, split, this.#dead === "expired" ? this.#exp : undefined));
    }
    return this.#json(() =>
      kind === 0
        ? this.#c.explain_permission(joined, split)
        : kind === 1
          ? this.#c.explain_feature(joined, split)
          : this.#c.explain_resource(joined, split),
    );
  }

  /**
   * The user's profile: roles (with the channel they come through), teams, managed users,
   * effective permissions and feature levels with provenance. After expiry, `permissions` and
   * `levels` are empty.
   */
  profile() {
    const live = this.#live();
    if (this.#c === null) {
      return { subject: "", name: "", roles: [], teams: [], manages: [], permissions: [], levels: [] };
    }
    if (this.#profile === null) {
      try {
        this.#profile = this.#c.profile();
      } catch (e) {
        rethrow(e);
      }
    }
    const p = JSON.parse(this.#profile);
    if (!live) {
      p.permissions = [];
      p.levels = [];
    }
    return p;
  }

  /** Effective permissions with provenance: `profile().permissions`. */
  permissions() {
    return this.profile().permissions;
  }

  // ---- navigation ----

  /**
   * The visible part of a navigation tree (an array of `{ id, requires?, children? }`): a leaf
   * shows when its requirement holds, a group when its own requirement (if any) holds and at
   * least one child shows. One call into wasm for the whole tree. Unchanged items are returned
   * as the input objects (treat both as read-only); a group that lost children is a shallow
   * copy with the visible `children`. The tree's structure is cached per array object: build a
   * new array when the tree changes.
   */
  filterMenu(tree) {
    if (!Array.isArray(tree)) {
      throw new PermslipError("invalid_menu", "invalid menu: expected an array of items");
    }
    let plan = this.#menus.get(tree);
    if (plan === undefined) {
      plan = this.#plan(tree);
      this.#menus.set(tree, plan);
    }
    // What shows is fixed for a checker while it is live (and once it is dead), so it is worked
    // out once per state: one call into wasm for the whole tree, then a recipe for the copies.
    const view = this.#live()
      ? (plan.live ??= menuView(plan, this.#menuAnswers(plan)))
      : (plan.dead ??= menuView(plan, null));
    const { items, built } = plan;
    const { copies, kids, copied, roots } = view;
    for (let k = 0; k < copies.length; k++) {
      const ks = kids[k];
      const children = new Array(ks.length);
      for (let j = 0; j < ks.length; j++) {
        const c = ks[j];
        children[j] = copied[c] === 1 ? built[c] : items[c];
      }
      const i = copies[k];
      built[i] = { ...items[i], children };
    }
    const out = new Array(roots.length);
    for (let j = 0; j < roots.length; j++) {
      const r = roots[j];
      out[j] = copied[r] === 1 ? built[r] : items[r];
    }
    built.fill(undefined);
    return out;
  }

  // One batch call answering every requirement of a menu plan.
  #menuAnswers(plan) {
    const n = plan.items.length;
    const answers = new Uint8Array(n);
    if (n === 0) return answers;
    batchViews(n);
    batchHandles.set(plan.handles);
    this.#c.check_batch(batch, n);
    for (let i = 0; i < n; i++) answers[i] = batchOut[i];
    return answers;
  }

  // Flattens a tree in pre-order (iteratively: no depth can overflow the stack) and resolves
  // each requirement to a handle once.
  #plan(tree) {
    const items = [];
    const parents = [];
    const reqs = [];
    const roots = [];
    const stack = [];
    for (let i = tree.length - 1; i >= 0; i--) stack.push(tree[i], -1, 1);
    while (stack.length > 0) {
      const depth = stack.pop();
      const parentIndex = stack.pop();
      const item = stack.pop();
      if (depth > MAX_MENU_DEPTH) {
        throw new PermslipError("limit_exceeded", `menu nested deeper than ${MAX_MENU_DEPTH} levels`);
      }
      if (items.length >= MAX_MENU_ITEMS) {
        throw new PermslipError("limit_exceeded", `menu has more than ${MAX_MENU_ITEMS} items`);
      }
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        throw new PermslipError("invalid_menu", "invalid menu: every item must be an object");
      }
      const children = item.children;
      if (children !== undefined && children !== null && !Array.isArray(children)) {
        throw new PermslipError("invalid_menu", `invalid menu: \`children\` of \`${item.id}\` must be an array`);
      }
      const index = items.length;
      items.push(item);
      parents.push(parentIndex);
      reqs.push(item.requires);
      if (parentIndex === -1) roots.push(index);
      if (children) {
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i], index, depth + 1);
      }
    }
    const n = items.length;
    // One buffer for the plan's arrays: typed-array allocations dominate a small tree's plan.
    const words = new Int32Array(5 * n);
    const parent = words.subarray(0, n);
    const firstChild = words.subarray(n, 2 * n);
    const nextSibling = words.subarray(2 * n, 3 * n);
    const lastChild = words.subarray(3 * n, 4 * n);
    const handles = new Uint32Array(words.buffer, 16 * n, n);
    words.fill(-1, n, 4 * n);
    const flags = new Uint8Array(2 * n);
    const group = flags.subarray(0, n);
    const hasReq = flags.subarray(n, 2 * n);
    for (let i = 0; i < n; i++) {
      const p = parents[i];
      parent[i] = p;
      if (p >= 0) {
        group[p] = 1;
        if (lastChild[p] === -1) firstChild[p] = i;
        else nextSibling[lastChild[p]] = i;
        lastChild[p] = i;
      }
      const r = reqs[i];
      if (r === undefined || r === null) {
        handles[i] = HANDLE_DENY;
        continue;
      }
      hasReq[i] = 1;
      handles[i] = this.#requirementHandle(r, items[i]);
    }
    return {
      items,
      parent,
      group,
      hasReq,
      handles,
      firstChild,
      nextSibling,
      roots,
      built: new Array(n).fill(undefined),
      live: undefined,
      dead: undefined,
    };
  }

  #requirementHandle(r, item) {
    if (typeof r !== "object") throw badRequirement(item);
    // As in Rust, a permission requirement takes precedence (first variant of the union).
    if (typeof r.permission === "string") return this.handle(r.permission, optionalName(r.scope, item));
    if (typeof r.feature === "string") return this.featureHandle(r.feature, optionalName(r.level, item));
    throw badRequirement(item);
  }
}

// Module-level rather than closures per item: a menu plan resolves every item of the tree.
function badRequirement(item) {
  return new PermslipError(
    "invalid_menu",
    `invalid menu: \`requires\` of \`${item.id}\` must be { permission, scope? } or { feature, level? }`,
  );
}

function optionalName(v, item) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badRequirement(item);
  return v;
}

/**
 * Which items of a menu plan show (Rust's `visible_menu_ids` rule: a leaf when its requirement
 * holds; a group when its own requirement, if any, holds and at least one child shows) and how
 * to build the result: groups that lost a child are copied, bottom-up; everything else is the
 * input object. `answers` is null for a dead checker (every requirement denies).
 */
function menuView(plan, answers) {
  const { parent, group, hasReq, firstChild, nextSibling, roots } = plan;
  const n = parent.length;
  const shown = new Uint8Array(n);
  const childShown = new Uint8Array(n);
  // Reverse pre-order visits every child before its parent.
  for (let i = n - 1; i >= 0; i--) {
    const own = hasReq[i] === 0 || (answers !== null && answers[i] === 1);
    const vis = own && (group[i] === 0 || childShown[i] === 1);
    shown[i] = vis ? 1 : 0;
    if (vis && parent[i] >= 0) childShown[parent[i]] = 1;
  }
  const copied = new Uint8Array(n);
  const copies = [];
  const kids = [];
  for (let i = n - 1; i >= 0; i--) {
    if (shown[i] === 0 || group[i] === 0) continue;
    let same = true;
    const visible = [];
    for (let c = firstChild[i]; c !== -1; c = nextSibling[c]) {
      if (shown[c] === 1) visible.push(c);
      if (shown[c] === 0 || copied[c] === 1) same = false;
    }
    if (!same) {
      copied[i] = 1;
      copies.push(i);
      kids.push(Int32Array.from(visible));
    }
  }
  return {
    copies: Int32Array.from(copies),
    kids,
    copied,
    roots: Int32Array.from(roots.filter((r) => shown[r] === 1)),
  };
}


