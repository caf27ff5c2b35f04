// `permslip/edge`: a request gate for edge workers (Cloudflare Workers / workerd, Deno, Node).
//
// In scope: find the snapshot in a request (`Authorization: Bearer` or a cookie), verify it
// (once per distinct token per isolate: verified checkers are cached by exact token string),
// match the request against a route table validated at start-up, and answer 401 / 403 / 400 or
// hand the origin a copy of the request carrying the verified subject and the decision.
// Out of scope: fetching or rotating key sets, refusing replays across isolates (`minSerial`
// needs state the edge does not share), CSRF, anything about the response. See docs/EDGE.md.
//
// The gate is synchronous from the token to the decision: nothing awaits between reading the
// cache and checking the snapshot, so an evicted checker can be freed at once (its wasm memory
// back) without an in-flight request still holding it.
//
// The engine that verifies and checks snapshots is the full one (./core.js) unless the `engine`
// option names another: `permslip/lite`'s module namespace, for issuer-compiled lite tokens.
// lite.js is never imported here, so a gate on the full engine does not load it.

import { Catalogue, isInitialized, KeySet, Permslip, PermslipError } from "./core.js";
import { DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_BYTES, HANDLE_DENY } from "./facts.js";

const DEFAULT_COOKIE = "permslip";
const DEFAULT_CACHE_SIZE = 256;
const HEADER_PREFIX = "x-permslip-";
// Above this many routes a table is almost certainly generated wrongly; matching stays linear.
const MAX_ROUTES = 4096;
const METHOD = /^[A-Z][A-Z0-9-]*$/;
const PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A literal path segment: visible ASCII without the characters that end or encode a path.
const LITERAL = /^[!$&'()+,;=@A-Za-z0-9._~-]+$/;
const EMPTY = Object.freeze({});

// Codes that mean "the gate itself is broken", not "this token cannot be trusted": 500.
const GATE_FAULTS = new Set(["invalid_argument", "not_initialized", "init_failed", "freed", "internal"]);
// The lite engine's too: no Ed25519 for a synchronous load (a runtime without node:crypto: use
// authorizeAsync / handle), and a key set whose keys are checked only at the first load (parsed
// before the lite module was initialised).
const LITE_GATE_FAULTS = new Set([...GATE_FAULTS, "platform_unavailable", "invalid_key_set"]);

// The full engine: ./core.js, as before the `engine` option existed.
const FULL_ENGINE = Object.freeze({ lite: false, Permslip, KeySet, PermslipError, faults: GATE_FAULTS });

// ---- Errors -----------------------------------------------------------------------------------

/**
 * The route table is invalid. `errors` lists every problem found (one line each); `message`
 * joins them. `code` is always `invalid_route_table`.
 */
export class RouteTableError extends Error {
  constructor(errors) {
    super(`invalid route table: ${errors.join("; ")}`);
    this.name = "RouteTableError";
    this.code = "invalid_route_table";
    this.errors = errors;
  }
}

// ---- Route table ------------------------------------------------------------------------------

const COMPILED = Symbol("permslip.routes");

// Requirement kinds and the keys each allows; a requirement must match exactly one kind.
const KINDS = [
  { kind: "public", keys: ["public"] },
  { kind: "authenticated", keys: ["authenticated"] },
  { kind: "permission", keys: ["permission", "scope"] },
  { kind: "level", keys: ["feature", "level"] },
  { kind: "feature", keys: ["feature", "action"] },
  { kind: "resource", keys: ["resource", "action"] },
];
const REQUIREMENT_FORMS =
  "{ public: true }, { authenticated: true }, { permission, scope? }, { feature, level? }, { feature, action } or { resource, action }";

const show = (v) => {
  try {
    return `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;
  } catch {
    return "`?`";
  }
};

function requirementKind(r) {
  if ("public" in r) return "public";
  if ("authenticated" in r) return "authenticated";
  if ("permission" in r) return "permission";
  if ("resource" in r) return "resource";
  if ("feature" in r) return "action" in r ? "feature" : "level";
  return null;
}

// Validates one requirement; returns a frozen copy or null (problems pushed onto `errors`).
function compileRequirement(r, where, params, errors) {
  if (r === null || typeof r !== "object" || Array.isArray(r)) {
    errors.push(`${where}: \`requires\` must be ${REQUIREMENT_FORMS}`);
    return null;
  }
  const kind = requirementKind(r);
  if (kind === null) {
    errors.push(`${where}: \`requires\` must be ${REQUIREMENT_FORMS}`);
    return null;
  }
  const { keys } = KINDS.find((k) => k.kind === kind);
  const before = errors.length;
  for (const key of Object.keys(r)) {
    if (keys.includes(key)) continue;
    if ((kind === "feature" || kind === "level") && (key === "level" || key === "action")) {
      errors.push(`${where}: a feature requirement takes \`level\` or \`action\`, not both`);
    } else {
      errors.push(`${where}: unknown key ${show(key)} in a ${kind} requirement (allowed: ${keys.map((k) => `\`${k}\``).join(", ")})`);
    }
  }
  const out = { kind };
  if (kind === "public" || kind === "authenticated") {
    if (r[kind] !== true) errors.push(`${where}: \`${kind}\` must be \`true\``);
    return errors.length > before ? null : Object.freeze(out);
  }
  for (const key of keys) {
    const v = r[key];
    const optional = key === "scope" || key === "level";
    if (v === undefined || (optional && v === null)) {
      if (!optional) errors.push(`${where}: \`${key}\` is required`);
      continue;
    }
    if (typeof v !== "string" || v === "") {
      errors.push(`${where}: \`${key}\` must be a non-empty string`);
      continue;
    }
    if (v.startsWith(":")) {
      if (key !== "scope" && key !== "resource") {
        errors.push(`${where}: \`${key}\` cannot reference a path parameter (only \`scope\` and \`resource\` can)`);
        continue;
      }
      const p = v.slice(1);
      if (params === null) {
        errors.push(`${where}: ${show(v)} references a path parameter, but the fallback has no path`);
        continue;
      }
      if (!params.includes(p)) {
        errors.push(
          `${where}: \`${key}\` references ${show(v)}, which the path does not declare` +
            (params.length ? ` (it declares ${params.map((x) => `\`:${x}\``).join(", ")})` : ""),
        );
        continue;
      }
      out[key] = { param: p };
    } else {
      out[key] = v;
    }
  }
  return errors.length > before ? null : Object.freeze(out);
}

// Parses "/a/:id/*" into segments; returns null (problems pushed) when invalid.
function compilePattern(path, where, errors) {
  if (typeof path !== "string" || !path.startsWith("/")) {
    errors.push(`${where}: \`path\` must be a string starting with \`/\``);
    return null;
  }
  const before = errors.length;
  const raw = path === "/" ? [] : path.slice(1).split("/");
  const segs = [];
  const params = [];
  let star = false;
  raw.forEach((s, i) => {
    if (s === "*") {
      if (i !== raw.length - 1) errors.push(`${where}: \`*\` is allowed only as the last segment of ${show(path)}`);
      star = true;
    } else if (s.startsWith(":")) {
      const name = s.slice(1);
      if (!PARAM.test(name)) errors.push(`${where}: invalid parameter name ${show(s)} (letters, digits and \`_\`)`);
      else if (params.includes(name)) errors.push(`${where}: parameter \`:${name}\` appears twice in ${show(path)}`);
      params.push(name);
      segs.push({ param: name });
    } else if (s === "") {
      errors.push(`${where}: ${show(path)} has an empty segment (double or trailing \`/\`)`);
    } else if (s === "." || s === ".." || !LITERAL.test(s) || s.includes("*")) {
      errors.push(`${where}: invalid path segment ${show(s)} (unencoded URL path characters; \`*\` only as a whole last segment)`);
    } else {
      segs.push({ literal: s });
    }
  });
  return errors.length > before ? null : { segs, params, star };
}

function compileMethods(method, where, errors) {
  const list = Array.isArray(method) ? method : [method];
  if (list.length === 0 || list.some((m) => typeof m !== "string")) {
    errors.push(`${where}: \`method\` must be a method name, \`*\` or a non-empty array of method names`);
    return null;
  }
  if (list.includes("*")) {
    if (list.length > 1) errors.push(`${where}: \`*\` cannot be combined with other methods`);
    return list.length > 1 ? null : "*";
  }
  const bad = list.find((m) => !METHOD.test(m));
  if (bad !== undefined) {
    errors.push(`${where}: invalid method ${show(bad)} (upper-case, e.g. \`GET\`)`);
    return null;
  }
  return [...new Set(list)];
}

// Rank of segment i: a literal before a parameter before `*`; a pattern that has ended before a
// longer one (`/a` before `/a/*`). Sorting by these ranks makes the first match the most specific.
function rank(route, i) {
  if (i < route.segs.length) return route.segs[i].literal !== undefined ? 1 : 2;
  return route.star ? 3 : 0;
}

function bySpecificity(a, b) {
  const n = Math.max(a.segs.length, b.segs.length) + 1;
  for (let i = 0; i < n; i++) {
    const d = rank(a, i) - rank(b, i);
    if (d !== 0) return d;
  }
  return (a.methods === "*" ? 1 : 0) - (b.methods === "*" ? 1 : 0) || a.index - b.index;
}

/**
 * Validates a route table (a JSON string, `{ routes, fallback? }` or an array of routes) and
 * compiles it for matching. Throws `RouteTableError` listing every problem. Call it at start-up
 * (module top level) so a bad table stops the worker from loading rather than failing requests.
 */
export function compileRoutes(table) {
  if (table !== null && typeof table === "object" && table[COMPILED] === true) return table;
  let data = table;
  if (typeof table === "string") {
    try {
      data = JSON.parse(table);
    } catch (e) {
      throw new RouteTableError([`not valid JSON: ${e.message}`]);
    }
  }
  if (Array.isArray(data)) data = { routes: data };
  if (data === null || typeof data !== "object") {
    throw new RouteTableError(["expected `{ routes: [...], fallback? }` or an array of routes"]);
  }
  const errors = [];
  for (const key of Object.keys(data)) {
    if (key !== "routes" && key !== "fallback" && key !== "$schema" && key !== "description") {
      errors.push(`unknown top-level key ${show(key)} (allowed: \`routes\`, \`fallback\`)`);
    }
  }
  if (!Array.isArray(data.routes)) {
    errors.push("`routes` must be an array");
    throw new RouteTableError(errors);
  }
  if (data.routes.length > MAX_ROUTES) errors.push(`more than ${MAX_ROUTES} routes`);

  let fallback = null; // null: deny
  if (data.fallback !== undefined && data.fallback !== "deny") {
    if (data.fallback === null || typeof data.fallback !== "object" || Array.isArray(data.fallback)) {
      errors.push(`\`fallback\` must be \`"deny"\` (the default) or a requirement: ${REQUIREMENT_FORMS}`);
    } else {
      fallback = compileRequirement(data.fallback, "`fallback`", null, errors);
    }
  }

  const routes = [];
  const seen = new Map(); // method + shape -> label
  data.routes.forEach((r, index) => {
    const where0 = `route ${index + 1}`;
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      errors.push(`${where0}: expected an object \`{ method, path, requires }\``);
      return;
    }
    const label = `${Array.isArray(r.method) ? r.method.join(",") : r.method} ${r.path}`;
    const where = `${where0} (${show(label)})`;
    for (const key of Object.keys(r)) {
      if (!["method", "path", "requires", "description"].includes(key)) {
        errors.push(`${where}: unknown key ${show(key)} (allowed: \`method\`, \`path\`, \`requires\`, \`description\`)`);
      }
    }
    const methods = compileMethods(r.method, where, errors);
    const pattern = compilePattern(r.path, where, errors);
    if (r.requires === undefined) {
      errors.push(`${where}: \`requires\` is missing (use \`{ "public": true }\` for a route without a snapshot)`);
      return;
    }
    const requires = compileRequirement(r.requires, where, pattern ? pattern.params : [], errors);
    if (methods === null || pattern === null || requires === null) return;
    const shape = pattern.segs.map((s) => (s.literal !== undefined ? `/${s.literal}` : "/:")).join("") + (pattern.star ? "/*" : "");
    for (const m of methods === "*" ? ["*"] : methods) {
      const key = `${m} ${shape}`;
      const other = seen.get(key);
      if (other !== undefined) errors.push(`${where}: matches the same requests as ${other}`);
      else seen.set(key, where0);
    }
    routes.push({ index, label, methods, segs: pattern.segs, star: pattern.star, requires });
  });
  if (errors.length > 0) throw new RouteTableError(errors);
  routes.sort(bySpecificity);
  return Object.freeze({
    [COMPILED]: true,
    routes: Object.freeze(routes.map((r) => Object.freeze(r))),
    fallback,
  });
}

// ---- Matching -------------------------------------------------------------------------------

// Splits and decodes a pathname; null when it is ambiguous (see docs/EDGE.md, "Paths").
function pathSegments(pathname) {
  let p = pathname;
  if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  if (p === "/") return [];
  const raw = p.slice(1).split("/");
  const out = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s === "") return null;
    let d = s;
    if (s.includes("%")) {
      try {
        d = decodeURIComponent(s);
      } catch {
        return null;
      }
      // An encoded separator, dot segment or NUL could reach the origin as something else.
      if (d === "." || d === ".." || /[/\\\0]/.test(d)) return null;
    }
    out[i] = d;
  }
  return out;
}

function matchRoute(routes, method, segs) {
  outer: for (const r of routes) {
    if (r.methods !== "*" && !r.methods.includes(method)) continue;
    const n = r.segs.length;
    if (r.star ? segs.length < n : segs.length !== n) continue;
    let params = EMPTY;
    for (let i = 0; i < n; i++) {
      const s = r.segs[i];
      if (s.literal !== undefined) {
        if (s.literal !== segs[i]) continue outer;
      } else {
        if (params === EMPTY) params = {};
        params[s.param] = segs[i];
      }
    }
    return { route: r, params };
  }
  return null;
}

const resolve = (v, params) => (v === undefined || typeof v === "string" ? v : params[v.param]);

// ---- Requests and responses -------------------------------------------------------------------

function bearer(request) {
  const h = request.headers.get("authorization");
  if (h === null) return null;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(h);
  return m === null ? null : m[1];
}

// The value of cookie `name`; `false` when it appears more than once with different values.
function cookie(request, name) {
  const h = request.headers.get("cookie");
  if (h === null) return null;
  let found = null;
  for (const part of h.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    if (found !== null && found !== v) return false;
    found = v;
  }
  return found;
}

// JSON safe in a header value: non-ASCII escaped as \uXXXX (still the same JSON).
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function json(status, body, extra) {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  if (extra) for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  return new Response(JSON.stringify(body), { status, headers });
}

const quote = (s) => s.replace(/["\\\r\n]/g, " ");

// ---- The gate -------------------------------------------------------------------------------

function optionNumber(v, name, fallback) {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`\`${name}\` must be a non-negative integer`);
  }
  return v;
}

function clockOf(now) {
  if (now === undefined || now === null) return Date.now;
  if (typeof now === "function") {
    return () => {
      const t = now();
      const ms = t instanceof Date ? t.getTime() : t;
      // NaN would compare as "not expired": refuse it (the request then fails, closed).
      if (typeof ms !== "number" || !Number.isFinite(ms)) throw new TypeError("the `now` function must return a time");
      return ms;
    };
  }
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new TypeError("`now` must be milliseconds since the epoch, a Date or a function returning one");
  }
  return () => ms;
}

/**
 * Creates a gate. See edge.d.ts for the options and their defaults. Throws `RouteTableError` for
 * a bad route table, `PermslipError` for a bad key set or catalogue bundle, `TypeError` for bad
 * options.
 */
export function createGate(options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createGate expects `{ routes, jwks, audience }`");
  }
  const table = compileRoutes(options.routes);
  const engine = engineOf(options.engine);
  if (!engine.lite && !isInitialized()) {
    throw new PermslipError(
      "not_initialized",
      "the wasm module is not initialised: import `permslip` before `permslip/edge` (its Node and workerd entries initialise it) or call `initSync`",
    );
  }
  const audience = options.audience;
  if (typeof audience !== "string" || audience === "") throw new TypeError("`audience` must be a non-empty string");
  const issuer = options.issuer ?? undefined;
  if (issuer !== undefined && typeof issuer !== "string") throw new TypeError("`issuer` must be a string");
  const leeway = optionNumber(options.leeway, "leeway", DEFAULT_LEEWAY);
  const maxTokenBytes = optionNumber(options.maxTokenBytes, "maxTokenBytes", DEFAULT_MAX_TOKEN_BYTES);
  const cacheSize = optionNumber(options.cacheSize, "cacheSize", DEFAULT_CACHE_SIZE);
  const cookieName = options.cookie === undefined ? DEFAULT_COOKIE : options.cookie;
  if (cookieName !== null && (typeof cookieName !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(cookieName))) {
    throw new TypeError("`cookie` must be a cookie name or null");
  }
  const explain = options.explain ?? true;
  if (typeof explain !== "boolean") throw new TypeError("`explain` must be a boolean");
  const now = clockOf(options.now);
  // Parse the key set once: every cold load reuses it.
  if (engine.lite && options.jwks instanceof KeySet) {
    throw new TypeError("`jwks` is a key set of the full entry: pass the JWKS itself or `KeySet.parse` of `permslip/lite`");
  }
  const jwks = options.jwks instanceof engine.KeySet ? options.jwks : engine.KeySet.parse(options.jwks);
  let catalogue = options.catalogue ?? undefined;
  if (engine.lite) {
    if (catalogue !== undefined) {
      throw new TypeError("`catalogue` cannot be used with the lite engine: lite snapshots carry their compiled decisions, not a catalogue");
    }
    const loadOptions = { jwks, audience, issuer, leeway, maxTokenBytes, now: options.now ?? undefined };
    return new Gate(GATE, { table, cookieName, cacheSize, maxTokenBytes, leeway, explain, now, loadOptions, engine });
  }
  if (typeof catalogue === "string") {
    // Verified once here; a bad bundle stops the gate from being created.
    catalogue = Catalogue.load(catalogue.trim(), { jwks, audience, issuer, leeway, now: options.now ?? undefined });
  } else if (catalogue !== undefined && !(catalogue instanceof Catalogue)) {
    throw new TypeError("`catalogue` must be a catalogue bundle token or a `Catalogue` (see Catalogue.load)");
  }
  const loadOptions = { jwks, audience, issuer, leeway, maxTokenBytes, catalogue, now: options.now ?? undefined };
  return new Gate(GATE, { table, cookieName, cacheSize, maxTokenBytes, leeway, explain, now, loadOptions, engine: FULL_ENGINE });
}

// The engine an `engine` option names: the full one by default (or when given the full entry's
// own namespace), else a `permslip/lite`-shaped namespace (checked here; TypeError otherwise).
function engineOf(engine) {
  if (engine === undefined || engine === null) return FULL_ENGINE;
  const fn = (v) => typeof v === "function";
  const isClass = (v) => fn(v) && v.prototype !== undefined;
  if (
    typeof engine !== "object" ||
    !isClass(engine.Permslip) ||
    !fn(engine.Permslip.load) ||
    !fn(engine.Permslip.loadAsync) ||
    !isClass(engine.KeySet) ||
    !fn(engine.KeySet.parse) ||
    !isClass(engine.PermslipError) ||
    !(engine.PermslipError.prototype instanceof Error)
  ) {
    throw new TypeError(
      "`engine` must be the module namespace of `permslip/lite` (`import * as lite from \"permslip/lite\"`) or of `permslip`: " +
        "with `Permslip.load`, `Permslip.loadAsync`, `KeySet.parse` and `PermslipError`",
    );
  }
  if (engine.Permslip === Permslip) return FULL_ENGINE;
  return Object.freeze({
    lite: true,
    Permslip: engine.Permslip,
    KeySet: engine.KeySet,
    PermslipError: engine.PermslipError,
    faults: LITE_GATE_FAULTS,
  });
}

const GATE = Symbol("Gate");

class Gate {
  #table;
  #cookie;
  #cacheSize;
  #maxTokenBytes;
  #leeway;
  #explain;
  #now;
  #load;
  #engine;
  // token -> { checker, expMs, headers }; Map iteration order is insertion order, so the first
  // key is the least recently used (a hit re-inserts).
  #cache = new Map();
  #stats = { hits: 0, misses: 0, evictions: 0, expired: 0 };

  constructor(secret, o) {
    if (secret !== GATE) throw new TypeError("use createGate(options)");
    this.#table = o.table;
    this.#cookie = o.cookieName;
    this.#cacheSize = o.cacheSize;
    this.#maxTokenBytes = o.maxTokenBytes;
    this.#leeway = o.leeway;
    this.#explain = o.explain;
    this.#now = o.now;
    this.#load = o.loadOptions;
    this.#engine = o.engine;
  }

  /** The compiled route table. */
  get routes() {
    return this.#table;
  }

  /** Cache counters and size (a copy). */
  get stats() {
    return { ...this.#stats, size: this.#cache.size, capacity: this.#cacheSize };
  }

  /** Frees every cached checker (for example after a key rotation). */
  clear() {
    for (const e of this.#cache.values()) e.checker.free();
    this.#cache.clear();
  }

  /**
   * Decides a request synchronously. Returns `{ allowed: true, request, ... }` with the request
   * to forward (client copies of `X-Permslip-*` removed, the gate's own added) or
   * `{ allowed: false, response, ... }` with the 400/401/403/500 to send instead.
   */
  authorize(request) {
    const routed = this.#route(request);
    return routed.done ?? this.#authorizeRouted(request, routed, null);
  }

  /**
   * `authorize`, verifying a snapshot the cache does not hold with `Permslip.loadAsync`: the
   * platform's Ed25519 (WebCrypto in workers, node:crypto in Node) instead of the module's
   * own. Same decisions; `handle` uses it.
   */
  async authorizeAsync(request) {
    const routed = this.#route(request);
    if (routed.done !== undefined) return routed.done;
    const token = this.#tokenOf(request);
    let loaded = null;
    if (typeof token === "string" && token !== "" && token.length <= this.#maxTokenBytes && !this.#cache.has(token)) {
      try {
        loaded = { token, checker: await this.#engine.Permslip.loadAsync(token, this.#load) };
      } catch (error) {
        loaded = { token, error };
      }
    }
    return this.#authorizeRouted(request, routed, loaded);
  }

  // The route a request takes: `{ url, method, match, requirement }`, or `{ done }` with the
  // result when it needs no snapshot (bad path, public route).
  #route(request) {
    const url = new URL(request.url);
    const segs = pathSegments(url.pathname);
    if (segs === null) {
      const done = this.#refuse(400, "bad_request", {
        error: "bad_request",
        message: "ambiguous path: empty segment, bad percent-encoding or an encoded separator or dot segment",
      });
      return { done };
    }
    const method = request.method.toUpperCase();
    const match = matchRoute(this.#table.routes, method, segs);
    const requirement = match === null ? this.#table.fallback : match.route.requires;
    if (requirement !== null && requirement.kind === "public") {
      return { done: this.#pass(request, { decision: "public", route: match === null ? null : match.route.label }, null, false) };
    }
    return { url, method, match, requirement };
  }

  // `loaded`: `{ token, checker }` or `{ token, error }` from `authorizeAsync`, or null.
  #authorizeRouted(request, { url, method, match, requirement }, loaded) {
    // Every other outcome needs a verified snapshot.
    const auth = this.#authenticate(request, loaded);
    if (auth.response !== undefined) return auth;
    const { entry, cached } = auth;
    try {
      return this.#decide(request, method, url.pathname, match, requirement, entry, cached);
    } catch {
      // A fault while checking (a wasm trap): fail closed.
      return this.#refuse(500, "gate_error", { error: "gate_error", message: "the gate could not decide" });
    } finally {
      // A checker the cache does not hold served this request only (all of it synchronous).
      if (this.#cache.get(auth.token) !== entry) entry.checker.free();
    }
  }

  #decide(request, method, pathname, match, requirement, entry, cached) {
    const routeLabel = match === null ? null : match.route.label;
    if (requirement === null) {
      const ask = `${method} ${pathname}`;
      return this.#forbidden(entry, null, null, {
        allowed: false,
        reason: "no_route",
        query: ask,
        via: [],
        message: `no route matches ${show(ask)} and the table denies unmatched requests`,
      }, cached);
    }
    const resolved = resolveRequirement(requirement, match === null ? EMPTY : match.params);
    const c = entry.checker;
    let allowed = false;
    switch (requirement.kind) {
      case "authenticated":
        allowed = true;
        break;
      case "permission":
        allowed = c.can(resolved.permission, resolved.scope);
        break;
      case "level":
        allowed = c.check(c.featureHandle(resolved.feature, resolved.level));
        break;
      case "feature":
        allowed = c.canFeature(resolved.feature, resolved.action);
        break;
      case "resource":
        allowed = c.canResource(resolved.resource, resolved.action);
        break;
    }
    if (allowed) {
      return this.#pass(request, { decision: "allow", route: routeLabel, requirement: resolved }, entry, cached);
    }
    return this.#forbidden(entry, routeLabel, resolved, this.#explain ? explainDenial(c, requirement.kind, resolved) : null, cached);
  }

  /**
   * `authorize`, then `forward(request)` for an allowed request (its result is returned) or the
   * gate's own response. A request whose snapshot failed verification never reaches `forward`.
   */
  async handle(request, forward) {
    const r = await this.authorizeAsync(request);
    return r.allowed ? forward(r.request) : r.response;
  }

  // The snapshot a request carries: a string, null (none) or false (ambiguous cookies).
  #tokenOf(request) {
    const token = bearer(request);
    return token === null && this.#cookie !== null ? cookie(request, this.#cookie) : token;
  }

  // Finds and verifies the snapshot: `{ entry, cached }` or a refusal. `loaded` as for
  // #authorizeRouted; a checker in it that this request does not use is freed.
  #authenticate(request, loaded) {
    const auth = this.#authenticateWith(request, loaded);
    if (loaded?.checker !== undefined && auth.entry?.checker !== loaded.checker) loaded.checker.free();
    return auth;
  }

  #authenticateWith(request, loaded) {
    const token = this.#tokenOf(request);
    if (token === false) {
      return this.#unauthenticated("invalid", "ambiguous", `the \`${this.#cookie}\` cookie appears more than once with different values`);
    }
    if (token === null || token === "") {
      return this.#unauthenticated("missing", null, "no snapshot: send `Authorization: Bearer <snapshot>`" + (this.#cookie ? ` or the \`${this.#cookie}\` cookie` : ""));
    }
    if (token.length > this.#maxTokenBytes) {
      return this.#unauthenticated("invalid", "too_large", `token is at least ${token.length} bytes, over the limit of ${this.#maxTokenBytes}`);
    }
    const nowMs = this.#now();
    const hit = this.#cache.get(token);
    if (hit !== undefined) {
      this.#cache.delete(token);
      if (nowMs >= hit.expMs) {
        // Expiry is re-checked on every hit: a cached snapshot never outlives its `exp`.
        this.#stats.expired++;
        hit.checker.free();
        return this.#unauthenticated("expired", "expired", `snapshot expired at ${new Date(hit.exp * 1000).toISOString()}`);
      }
      this.#cache.set(token, hit);
      this.#stats.hits++;
      return { entry: hit, cached: true, token };
    }
    this.#stats.misses++;
    let checker;
    try {
      if (loaded?.token !== token) checker = this.#engine.Permslip.load(token, this.#load);
      else if (loaded.error !== undefined) throw loaded.error;
      else checker = loaded.checker;
    } catch (e) {
      // Failures are never cached: a later request with the same string verifies again.
      const code = typeof e?.code === "string" ? e.code : "internal";
      // Every entry's errors are one class: anything else is a fault of the gate.
      const engine = this.#engine;
      if (!(e instanceof PermslipError) || engine.faults.has(code)) {
        return this.#refuse(500, "gate_error", { error: "gate_error", message: "the gate could not verify the snapshot" });
      }
      return this.#unauthenticated(code === "expired" ? "expired" : "invalid", code, e.message);
    }
    const entry = {
      checker,
      exp: checker.expiresAt.getTime() / 1000,
      expMs: checker.expiresAt.getTime() + this.#leeway * 1000,
      headers: {
        "x-permslip-subject": encodeURIComponent(checker.subject),
        "x-permslip-issuer": encodeURIComponent(checker.issuer),
        "x-permslip-serial": String(checker.serial),
        "x-permslip-expires": String(checker.expiresAt.getTime() / 1000),
      },
    };
    if (this.#cacheSize > 0) {
      this.#cache.set(token, entry);
      while (this.#cache.size > this.#cacheSize) {
        const [oldest, old] = this.#cache.entries().next().value;
        this.#cache.delete(oldest);
        old.checker.free();
        this.#stats.evictions++;
      }
    }
    return { entry, cached: false, token };
  }

  #pass(request, decision, entry, cached) {
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) {
      if (name.startsWith(HEADER_PREFIX)) headers.delete(name);
    }
    headers.set("x-permslip-decision", decision.decision);
    if (decision.route !== null) headers.set("x-permslip-route", decision.route);
    if (decision.requirement !== undefined) headers.set("x-permslip-requirement", asciiJson(decision.requirement));
    let subject = null;
    if (entry !== null) {
      for (const [k, v] of Object.entries(entry.headers)) headers.set(k, v);
      headers.set("x-permslip-cache", cached ? "hit" : "miss");
      subject = entry.checker.subject;
    }
    return {
      allowed: true,
      status: 200,
      request: new Request(request, { headers }),
      subject,
      decision: decision.decision,
      route: decision.route,
      cached,
    };
  }

  #forbidden(entry, route, requirement, explanation, cached) {
    const subject = entry.checker.subject;
    const body = { error: "forbidden", subject, route, requirement };
    if (explanation !== null) body.explanation = explanation;
    return {
      allowed: false,
      status: 403,
      response: json(403, body),
      subject,
      decision: "deny",
      reason: explanation?.reason ?? "denied",
      route,
      cached,
    };
  }

  #unauthenticated(reason, code, message) {
    const hdr =
      reason === "missing"
        ? 'Bearer realm="permslip"'
        : `Bearer realm="permslip", error="invalid_token", error_description="${quote(message)}"`;
    return {
      allowed: false,
      status: 401,
      response: json(401, { error: "unauthenticated", reason, code, message }, { "www-authenticate": hdr }),
      subject: null,
      decision: "unauthenticated",
      reason,
      code,
      route: null,
      cached: false,
    };
  }

  #refuse(status, reason, body) {
    return { allowed: false, status, response: json(status, body), subject: null, decision: reason, reason, route: null, cached: false };
  }
}

function resolveRequirement(req, params) {
  switch (req.kind) {
    case "authenticated":
      return { authenticated: true };
    case "permission":
      return req.scope === undefined
        ? { permission: req.permission }
        : { permission: req.permission, scope: resolve(req.scope, params) };
    case "level":
      return req.level === undefined ? { feature: req.feature } : { feature: req.feature, level: req.level };
    case "feature":
      return { feature: req.feature, action: req.action };
    case "resource":
      return { resource: resolve(req.resource, params), action: req.action };
  }
  return {};
}

// The explanation of a denial, in the shape of `Permslip#explain`.
function explainDenial(c, kind, r) {
  if (kind === "permission" || kind === "feature" || kind === "resource") return c.explain(r);
  // A minimum level on a feature: permslip explains actions, so describe the levels here.
  const levels = c.levels;
  const needed = r.level ?? levels[0];
  const held = c.featureLevel(r.feature);
  const query = `level ${needed} on feature ${r.feature}`;
  if (!levels.includes(needed)) {
    return { allowed: false, reason: "unknown_level", query, via: [], needed, message: `unknown level ${show(needed)}` };
  }
  if (held === null && c.featureHandle(r.feature) === HANDLE_DENY) {
    // The scale has levels (checked above), so only an unknown feature resolves to no handle.
    return { allowed: false, reason: "unknown_feature", query, via: [], needed, message: `unknown feature ${show(r.feature)}` };
  }
  const e = { allowed: false, reason: "level_too_low", query, via: [], needed, message: "" };
  if (held !== null) e.level = held;
  e.message = held === null ? `no level on feature ${r.feature}, needs ${needed}` : `${held} on feature ${r.feature}, needs ${needed}`;
  return e;
}
