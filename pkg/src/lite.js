// `permslip/lite`: the small checker for issuer-compiled snapshots (docs/LITE.md). The issuer
// signs the engine's decisions; this verifies the signature with the platform's Ed25519
// (node:crypto on Node, WebCrypto elsewhere), has the small module (dist/permslip_lite.wasm, no
// imports) validate the tables, and answers by lookup. The full entry's API and error codes,
// minus profile(), permissions() and provenance in explanations. One module instance serves
// every token: each loaded token is a block of its memory (a "slip pointer"), released when its
// checker is freed or collected.
//
// Written for size (it is counted against other libraries' bundles): no dependencies, terse
// messages, internals in #private names a minifier shortens.

import {
  DEFAULT_LEEWAY,
  DEFAULT_MAX_TOKEN_BYTES,
  HANDLE_DENY,
  LITE_STATUS_CODES,
  MAX_MENU_DEPTH,
  MAX_MENU_ITEMS,
  REASONS,
} from "./facts.js";

export { HANDLE_DENY };

import { PermslipError } from "./error.js";
import { coarseNow, invalid, named as str, optionalString, toClock, whole } from "./options.js";

export { PermslipError };

const fail = (code, message) => new PermslipError(code, message);
const enc = new TextEncoder();
const dec = new TextDecoder();
// A Node builtin, loaded synchronously (Node 20.16+); undefined elsewhere.
const builtin = (name) => globalThis.process?.getBuiltinModule?.(name);
// Explanation messages by reason, worded as src/engine/explain.rs words them: $ the target,
// @ the scope or action, % the level needed, ! the product. Permissions, then levels.
const PERMISSION_MESSAGES =
  "$ granted|$ granted|unknown permission `$`|product ! is off|$ is revoked for this user|$ must be enabled explicitly|$ is not granted for `@`|missing permission $".split(
    "|",
  );
const LEVEL_MESSAGES =
  "% or higher on $|administrator on $||product ! is off||||||$ is restricted to its assigned users|unknown feature `$`|`$` is not visible to this user|unknown action `@`".split(
    "|",
  );

// ---- The module ---------------------------------------------------------------------------

let module; // the compiled WebAssembly.Module

const wasmUrl = () => new URL("../dist/permslip_lite.wasm", import.meta.url);
const initFailed = (e) => new PermslipError("init_failed", `cannot initialise permslip: ${e?.message ?? e}`, { cause: e });

// The module; on Node compiled from the package's file at the first use.
function compiled() {
  if (!module) {
    const fs = builtin("node:fs");
    let url;
    try {
      url = wasmUrl();
    } catch {}
    // Only a package on disk can be read here (workerd with nodejs_compat has node:fs, but its
    // modules have no file URL): elsewhere the module comes from `init`.
    if (!fs || url?.protocol != "file:") throw fail("not_initialized", "call `await init()` or use loadAsync first");
    try {
      module = new WebAssembly.Module(fs.readFileSync(url));
    } catch (e) {
      throw initFailed(e);
    }
  }
  return module;
}

/**
 * Compiles the module from `input`: a `WebAssembly.Module` (taken at once, before the promise
 * settles: workerd), the .wasm bytes, a URL, a `Response` or a promise of one. Default: the
 * package's file (read on Node, fetched next to this file elsewhere). Once only: concurrent
 * calls share one fetch.
 */
export function init(input) {
  if (input instanceof WebAssembly.Module) module ??= input;
  return module
    ? Promise.resolve()
    : (pending ??= compile(input).then(
        (m) => void (module ??= m),
        (e) => {
          pending = null; // a later call may try again
          throw e instanceof PermslipError ? e : initFailed(e);
        },
      ));
}

let pending; // the compilation under way

async function compile(input) {
  if (input == null && builtin("node:fs")) return compiled();
  let x = await (input ?? wasmUrl());
  // Bytes first: merely reading `globalThis.Request` loads Node's fetch (20+ ms in a fresh process).
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return WebAssembly.compile(x);
  if (typeof x == "string" || x instanceof URL || (globalThis.Request && x instanceof Request)) x = await fetch(x);
  return x instanceof WebAssembly.Module
    ? x
    : !x.arrayBuffer
      ? WebAssembly.compile(x)
      : /wasm/.test(x.headers?.get("content-type")) && WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(x)
        : WebAssembly.compile(await x.arrayBuffer());
}

let X; // the exports of the one instance
const wasm = () => (X ??= new WebAssembly.Instance(compiled(), {}).exports);
// Releases a collected checker's slip. workerd has no FinalizationRegistry: there only free()
// releases (call it when a request is done with its checker).
const registry = globalThis.FinalizationRegistry && new FinalizationRegistry((slip) => X.release(slip));
const bytesAt = (at, n) => new Uint8Array(X.memory.buffer, at, n);
const outAt = () => new Uint32Array(X.memory.buffer, X.out(), 8);
// The string whose (ptr, len) are at out[i], out[i + 1]: "" when absent.
const text = (i, o = outAt()) => dec.decode(bytesAt(o[i], o[i + 1]));

// Writes `a` (and `b` unless null) at the scratch area; returns their UTF-8 lengths (-1: no
// `b`). A string longer than `max` (the token's length: no name in it is longer) is cut to
// max + 1 code units: still unknown, and the scratch area stays small.
function put(max, a, b) {
  a = a.slice(0, max + 1);
  b = b?.slice(0, max + 1);
  const n = 3 * (a.length + (b ? b.length : 0));
  const m = bytesAt(X.scratch(n), n);
  const la = enc.encodeInto(a, m).written;
  return [la, b == null ? -1 : enc.encodeInto(b, m.subarray(la)).written];
}

// Throws the error of a non-zero status.
function check(status, message) {
  if (status) {
    const code = LITE_STATUS_CODES[status];
    // Opaque on purpose, as in the full entry: which check failed helps only an attacker. The
    // module keeps no detail (lite/src/error.rs); `permslip verify TOKEN` prints it.
    throw fail(code, message ?? (status == 2 ? "invalid signature" : `${code.replace(/_/g, " ")} (lite token)`));
  }
}

// ---- Key sets -----------------------------------------------------------------------------

const SECRET = Symbol();
let keysOf;

/** A parsed JWKS (its Ed25519 keys). Parse once and reuse: host keys are imported once. */
export class KeySet {
  #keys; // kid -> { x (base64url), raw (32 bytes), node / web (the host's key, once imported) }

  constructor(keys, secret) {
    if (secret !== SECRET) throw new TypeError("use KeySet.parse(jwks)");
    this.#keys = keys;
  }

  /**
   * Parses a JWKS (JSON text or object) by the full entry's rules (src/token/jwks.rs). The
   * module checks the keys' encodings now if it is compiled (always on Node), else at first use.
   */
  static parse(jwks) {
    const bad = (m) => fail("invalid_key_set", `invalid key set: ${m}`);
    let doc;
    try {
      doc = JSON.parse(typeof jwks == "string" ? jwks : JSON.stringify(jwks));
    } catch (e) {
      throw bad(e.message);
    }
    const list = doc?.keys;
    const keys = new Map();
    if (!Array.isArray(list)) throw bad("no `keys` array");
    for (const k of list) {
      if (typeof k?.kty != "string" || ["crv", "x", "kid", "alg", "use"].some((f) => k[f] != null && typeof k[f] != "string")) {
        throw bad("a key is not a JWK");
      }
      const { d, kty, crv, kid, alg, use, x } = k;
      if (d != null) throw bad("a key includes private material `d`");
      if (kty == "OKP" && crv == "Ed25519") {
        if (kid == null) throw bad("an Ed25519 key has no `kid`");
        const at = `key \`${kid}\` has `;
        if (alg != null && alg != "EdDSA" && alg != "Ed25519") throw bad(`${at}algorithm \`${alg}\``);
        if (use != null && use != "sig") throw bad(`${at}use \`${use}\``);
        // 32 bytes in canonical unpadded base64url: 43 characters, the last with 2 low bits clear.
        if (!/^[\w-]{42}[AEIMQUYcgkosw048]$/.test(x)) throw bad(`${at}an invalid \`x\``);
        if (keys.has(kid)) throw bad(`duplicate key id \`${kid}\``);
        keys.set(kid, { x, raw: Uint8Array.from(atob(x.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)) });
      }
    }
    if (!keys.size) throw bad("no Ed25519 signing key");
    try {
      compiled();
    } catch {}
    if (module) checked(keys);
    return new KeySet(keys, SECRET);
  }

  /** The ids of the Ed25519 keys, in document order. */
  get kids() {
    return [...this.#keys.keys()];
  }

  static {
    keysOf = (s) => checked(s.#keys);
  }
}

// The module's check of every key of a set (canonical, not of small order), once.
function checked(keys) {
  if (!keys.ok) {
    wasm();
    for (const [kid, { raw }] of keys) {
      bytesAt(X.scratch(32), 32).set(raw);
      check(X.check_key(), `invalid key set: key \`${kid}\` is weak or not canonical`);
    }
    keys.ok = 1;
  }
  return keys;
}

// One-entry cache for a JWKS given as a string (strings are immutable).
let lastJson;
let lastKeys;


// ---- Loading ------------------------------------------------------------------------------

// Everything before the signature's equation: module, options, size, envelope, key.
function open(token, options) {
  compiled();
  if (options === null || typeof options != "object") throw invalid("options `{ jwks, audience }` required");
  const { audience, issuer, subject, jwks } = options;
  if (!audience || typeof audience != "string") throw invalid("`audience`: expected a non-empty string");
  const o = [
    toClock(options.now),
    [audience, optionalString(issuer, "issuer"), optionalString(subject, "subject")],
    whole(options.leeway, "leeway", DEFAULT_LEEWAY),
    whole(options.minSerial, "minSerial", 0),
  ];
  const max = whole(options.maxTokenBytes, "maxTokenBytes", DEFAULT_MAX_TOKEN_BYTES);
  if (jwks === undefined) throw invalid("`jwks` required");
  let keys = jwks;
  if (typeof jwks == "string") {
    if (jwks !== lastJson) lastKeys = KeySet.parse(jwks);
    lastJson = jwks;
    keys = lastKeys;
  } else if (!(jwks instanceof KeySet)) keys = KeySet.parse(jwks);
  keys = keysOf(keys);
  if (typeof token != "string") throw fail("malformed", "malformed token: expected a string");
  // UTF-8 is never shorter than UTF-16: refuse a long string before encoding it.
  const bytes = token.length > max ? token : enc.encode(token);
  if (bytes.length > max) throw fail("too_large", `token of ${bytes.length}+ bytes, over the limit of ${max}`);
  const at = write(bytes);
  const [, , signed, signature] = outAt();
  const kid = text(0);
  const key = keys.get(kid);
  if (!key) {
    X.discard(at);
    throw fail("unknown_key", `unknown key \`${kid}\``);
  }
  // The token stays in its own block of the module's memory until accept or discard.
  return [o, bytes.length, key, at, signed, signature];
}

// Writes the token to a load block of its own and opens it (out = [kid, signed length,
// signature]); returns where it is.
function write(bytes) {
  const n = bytes.length;
  const at = wasm().input(n);
  if (!at) throw fail("too_large", "out of memory");
  bytesAt(at, n).set(bytes);
  const status = X.open(at);
  if (status) X.discard(at);
  check(status);
  return at;
}

// The signing input and the signature of an opened token: views of the module's memory as it
// is now (taken after any await: memory may have grown meanwhile, detaching older views).
const signedParts = ([, , , at, signed, signature]) => [bytesAt(at, signed), bytesAt(signature, 64)];

const unavailable = () => fail("platform_unavailable", "no Ed25519 in this runtime: use the full entry");

// node:crypto's verdict; undefined off Node (or where it cannot take the key).
function nodeVerify(c) {
  // No throw where there is no node:crypto: a caught exception costs a stack trace per load.
  const crypto = builtin("node:crypto");
  const key = c[2];
  if (crypto)
    try {
      key.node ??= crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key.x }, format: "jwk" });
      const [message, signature] = signedParts(c);
      return crypto.verify(null, message, key.node, signature);
    } catch {}
}

// The rest of a load once the platform has checked the equation: accept frees the token's block.
function finish([[clock, expected, leeway, minSerial], n, , at], ok, verifiedBy) {
  if (!ok) {
    X.discard(at);
    throw fail("bad_signature", "invalid signature");
  }
  check(X.accept(at));
  const slip = outAt()[0];
  try {
    // Read after the signature check, which may have awaited.
    const now = Math.floor((clock ?? Date.now)() / 1000);
    return loaded(slip, now, n, expected, leeway, minSerial, clock, verifiedBy);
  } catch (e) {
    X.release(slip);
    throw e;
  }
}

function loaded(slip, now, n, expected, leeway, minSerial, clock, verifiedBy) {
  expected.map((v, kind) => v != null && check(X.expect(slip, kind, put(n, v)[0])));
  const [exp, nbf, serial] = [X.exp(slip), X.nbf(slip), X.serial(slip)];
  const t = X.times(slip, now, leeway, minSerial);
  check(
    t,
    t == 3
      ? `token expired at ${exp} (now ${now})`
      : t == 4
        ? `token not valid before ${nbf} (now ${now})`
        : `token serial ${serial} is older than the minimum ${minSerial}`,
  );
  X.claims(slip);
  const subject = text(2);
  const issuer = text(0);
  const levels = [];
  for (let l; X.level_name(slip, levels.length + 1), (l = text(0)); ) levels.push(l);
  return new Permslip(SECRET, slip, null, (exp + leeway) * 1000, clock, n, levels, subject, issuer, exp, serial, verifiedBy);
}

const KINDS = ["permission", "feature", "resource"];

// ---- The checker --------------------------------------------------------------------------

const badMenu = (m) => fail("invalid_menu", `invalid menu: ${m}`);
// These two throw (they are used in expressions).
const badRequirement = (item) => {
  throw badMenu(`bad \`requires\` of \`${item.id}\``);
};
const badQuery = () => {
  throw invalid("explain expects { permission, scope? }, { feature, action } or { resource, action }");
};
const optionalName = (v, item) => {
  if (v != null && typeof v != "string") badRequirement(item);
  return v;
};

/**
 * One user's verified permissions: every check is synchronous, memoised, never throws for an
 * unknown name (it denies), and denies with reason `expired` once the snapshot has expired.
 */
export class Permslip {
  #slip; // the token's slip pointer; 0: deny-all or freed
  #dead; // null while live; "expired", "invalid" or "freed"
  #expMs; // (exp + leeway) * 1000
  #clock; // null: the shared coarse clock
  #max; // the token's length: no name in it is longer
  #levels;
  #exp;
  #memo = {}; // export -> name -> second name (0: none) -> answer; check -> handle -> answer
  #menus; // tree -> [recipe when dead, recipe when live]
  #cached = 0;

  constructor(secret, slip, dead, expMs, clock, max, levels, subject, issuer, exp, serial, verifiedBy) {
    if (secret !== SECRET) throw new TypeError("use Permslip.load(token, options)");
    this.#slip = slip;
    this.#dead = dead;
    this.#expMs = expMs;
    this.#clock = clock;
    this.#max = max;
    this.#levels = levels;
    this.#exp = exp;
    // The user (`sub`), the issuer (`iss`), the issue counter, and which Ed25519 verified.
    Object.freeze(Object.assign(this, { subject, issuer, serial, verifiedBy }));
    if (slip) registry?.register(this, slip, this);
  }

  /** Verifies and loads a lite snapshot synchronously where node:crypto exists (Node, workerd with nodejs_compat). */
  static load(token, options) {
    const c = open(token, options);
    const ok = nodeVerify(c);
    if (ok == null) {
      X.discard(c[3]);
      throw unavailable();
    }
    return finish(c, ok, "node:crypto");
  }

  /**
   * `load` everywhere: compiles the module if needed (see `init`), verifies with node:crypto
   * on Node and WebCrypto's Ed25519 elsewhere.
   */
  static async loadAsync(token, options) {
    await init();
    const c = open(token, options);
    let ok = nodeVerify(c);
    if (ok != null) return finish(c, ok, "node:crypto");
    try {
      const key = c[2];
      const web = await (key.web ??= crypto.subtle.importKey("raw", key.raw, "Ed25519", false, ["verify"]));
      // WebCrypto copies its inputs when called: the views may change afterwards.
      const [message, signature] = signedParts(c);
      ok = await crypto.subtle.verify("Ed25519", web, signature, message);
    } catch {
      X.discard(c[3]);
      throw unavailable();
    }
    return finish(c, ok, "webcrypto");
  }

  /** A checker that denies everything with `reason` (`invalid` or `expired`). */
  static denyAll(reason = "invalid") {
    if (reason != "invalid" && reason != "expired") throw invalid("denyAll: `invalid` or `expired`");
    return new Permslip(SECRET, 0, reason, 0, null, 0, [], "", "", 0, 0, null);
  }

  // True while the snapshot may answer; latches `expired` (a clock going back revives nothing).
  #live() {
    if (this.#dead == "freed") throw fail("freed", "this checker was freed");
    if (!this.#dead && (this.#clock ?? coarseNow)() >= this.#expMs) this.#dead = "expired";
    return !this.#dead;
  }

  /** Whether the snapshot has expired (or this is a deny-all checker). */
  get expired() {
    return !this.#live();
  }
  /** When the snapshot expires (`exp`, without the leeway). */
  get expiresAt() {
    return new Date(this.#exp * 1000);
  }
  /** The level scale, lowest first. */
  get levels() {
    return [...this.#levels];
  }

  /** Releases the instance; the checker then throws `freed`. */
  free() {
    if (this.#slip) {
      registry?.unregister(this);
      X.release(this.#slip);
      this.#slip = 0;
    }
    this.#dead = "freed";
  }

  // A new entry in the memo: past 8192, it starts over.
  #count() {
    if (++this.#cached > 8192) {
      this.#memo = {};
      this.#cached = 0;
    }
  }

  // Export `fn`'s answer for the name `a` (and `b` unless null), memoised per export, name and
  // second name (no string is built: a hit is three lookups); `map` maps the module's number.
  #ask(fn, a, b, map = (v) => v) {
    const byName = (this.#memo[fn] ??= new Map());
    let bySecond = byName.get(a);
    if (!bySecond) byName.set(a, (bySecond = new Map()));
    const k = b ?? 0;
    let v = bySecond.get(k);
    if (v === undefined) {
      this.#count();
      bySecond.set(k, (v = map(X[fn](this.#slip, ...put(this.#max, a, b)))));
    }
    return v;
  }

  // ---- handles ----

  /** Resolves a permission (and scope value) to a handle for `check`; unknown: HANDLE_DENY. */
  handle(permission, scope) {
    return this.#handle("handle", permission, scope, "scope");
  }

  /** Handle for "at least `level` on `feature`" (default: the lowest level). */
  featureHandle(feature, level) {
    return this.#handle("feature_handle", feature, level === "" ? null : level, "level");
  }

  /** Handle for "at least `level` on resource `id`" (default: the lowest level). */
  resourceHandle(id, level) {
    return this.#handle("resource_handle", id, level === "" ? null : level, "level");
  }

  // Handles resolve after expiry too (only checks deny); a deny-all checker has none.
  #handle(fn, a, b, what) {
    this.#live();
    str(a, "name");
    if (b != null) str(b, what);
    return this.#slip ? this.#ask(fn, a, b, (h) => h >>> 0) : HANDLE_DENY;
  }

  /** Answers a handle. */
  check(handle) {
    const live = this.#live();
    if (handle !== handle >>> 0) throw invalid("not a handle");
    if (!live) return false;
    const answers = (this.#memo.check ??= new Map());
    let v = answers.get(handle);
    if (v === undefined) {
      this.#count();
      answers.set(handle, (v = X.check(this.#slip, handle) == 1));
    }
    return v;
  }

  /** Answers many handles: `out[i]` is 1 (allow) or 0. */
  checkMany(handles) {
    if (!(handles instanceof Uint32Array)) throw invalid("checkMany expects a Uint32Array");
    const out = new Uint8Array(handles.length);
    if (this.#live()) out.forEach((_, i) => (out[i] = X.check(this.#slip, handles[i])));
    return out;
  }

  // ---- checks by name ----

  /** May the user do `permission` (for `scope` if given, for some value otherwise)? */
  can(permission, scope) {
    str(permission, "permission");
    if (scope != null) str(scope, "scope");
    return this.#live() && this.#ask("can", permission, scope, Boolean);
  }

  #level(fn, name) {
    str(name, "name");
    return this.#levels[(this.#live() && this.#ask(fn, name)) - 1] ?? null;
  }

  /** The level held on a feature, or null. */
  featureLevel(feature) {
    return this.#level("feature_level", feature);
  }

  /** Whether the user sees a feature (holds at least its lowest level). */
  visible(feature) {
    return this.featureLevel(feature) != null;
  }

  /** The level held on a resource, or null (none, or not visible). */
  resourceLevel(id) {
    return this.#level("resource_level", id);
  }

  /** May the user do `action` on a feature? */
  canFeature(feature, action) {
    return this.#pair("can_feature", feature, action);
  }

  /** May the user do `action` on a resource? */
  canResource(id, action) {
    return this.#pair("can_resource", id, action);
  }

  #pair(fn, target, action) {
    str(target, "name");
    str(action, "action");
    return this.#live() && this.#ask(fn, target, action, Boolean);
  }

  /** The feature's resources the user may do `action` on, in snapshot order. */
  list(feature, action) {
    str(feature, "feature");
    str(action, "action");
    return this.#live()
      ? Array.from({ length: X.list(this.#slip, ...put(this.#max, feature, action)) }, (_, i) => (X.list_item(i), text(0)))
      : [];
  }

  // ---- explanations ----

  /**
   * Why (not)? `{ permission, scope? }`, `{ feature, action }` or `{ resource, action }`: the
   * full entry's explanation without `via` and `granted_by`.
   */
  explain(query) {
    if (query === null || typeof query != "object") badQuery();
    let { permission: target, scope: second, feature, resource, action } = query;
    const kind = target !== undefined ? 0 : feature !== undefined ? 1 : resource !== undefined ? 2 : badQuery();
    if (kind) {
      target = str(kind < 2 ? feature : resource, KINDS[kind]);
      second = str(action, "action");
    } else {
      str(target, "permission");
      if (second != null) str(second, "scope");
    }
    const q = kind
      ? `${action} on ${kind < 2 ? "feature " : ""}${target}`
      : `permission ${target}${second != null ? ` for \`${second}\`` : ""}`;
    if (!this.#live()) {
      return {
        allowed: false,
        reason: this.#dead,
        query: q,
        message: this.#dead == "expired" ? `snapshot expired at ${this.expiresAt.toISOString()}` : "no valid snapshot",
      };
    }
    X["explain_" + KINDS[kind]](this.#slip, ...put(this.#max, target, second));
    const o = outAt();
    const r = o[1];
    const e = { allowed: o[0] == 1, reason: REASONS[r], query: q };
    const fields = {};
    ["level", "needed", "product"].map((k, i) => o[2 * i + 3] && (e[k] = fields[k] = text(2 * i + 2, o)));
    const values = { $: target, "@": second ?? "", "%": fields.needed ?? "", "!": fields.product ?? "?" };
    e.message = (kind ? LEVEL_MESSAGES[r] || "% needed on $" : PERMISSION_MESSAGES[Math.min(r, 7)]).replace(/[$@%!]/g, (c) => values[c]);
    return e;
  }

  // ---- navigation ----

  /**
   * The visible part of a navigation tree (docs/SEMANTICS.md, "Navigation"): a leaf shows when
   * its requirement holds, a group when its own requirement (if any) holds and a child shows.
   * Unchanged items are the input objects; a group that lost children is a shallow copy with
   * the visible `children`.
   */
  filterMenu(tree) {
    if (!Array.isArray(tree)) throw badMenu("expected an array");
    const live = this.#live();
    // What shows is fixed while the checker is live (and once it is dead): the walk runs once per
    // tree and state, and leaves a recipe; each call builds fresh copies from it. As in the full
    // entry, a tree is taken to be immutable once shown.
    const views = (this.#menus ??= new WeakMap()).get(tree) ?? [];
    this.#menus.set(tree, views);
    const recipe = (views[+live] ??= this.#walk(tree, live));
    const build = (r) => r.map((e) => (Array.isArray(e) ? { ...e[0], children: build(e[1]) } : e));
    return build(recipe);
  }

  // The recipe of the visible part of `tree`: an entry is an item shown as it is, or
  // [item, recipe of its visible children] for a group that lost some.
  #walk(tree, live) {
    let count = 0;
    // The recipe for `items`, and whether every item shows unchanged.
    const walk = (items, depth) => {
      const out = [];
      let same = true;
      for (const item of items) {
        if (depth > MAX_MENU_DEPTH || ++count > MAX_MENU_ITEMS) {
          throw fail("limit_exceeded", `menu deeper than ${MAX_MENU_DEPTH} or over ${MAX_MENU_ITEMS} items`);
        }
        if (item === null || typeof item != "object" || Array.isArray(item)) throw badMenu("an item is not an object");
        const { requires: r, children } = item;
        if (children != null && !Array.isArray(children)) throw badMenu(`\`children\` of \`${item.id}\` not an array`);
        let h;
        if (r != null) {
          if (typeof r != "object") badRequirement(item);
          // As in Rust, a permission requirement takes precedence.
          h =
            typeof r.permission == "string"
              ? this.handle(r.permission, optionalName(r.scope, item))
              : typeof r.feature == "string"
                ? this.featureHandle(r.feature, optionalName(r.level, item))
                : badRequirement(item);
        }
        const [kids, kept] = children?.length ? walk(children, depth + 1) : [];
        if ((h === undefined || (live && this.check(h))) && (!kids || kids.length)) {
          out.push(!kids || kept ? item : [item, kids]);
          if (!kept) same &&= !kids;
        } else same = false;
      }
      return [out, same];
    };
    return walk(tree, 1)[0];
  }
}
