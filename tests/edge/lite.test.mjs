// `permslip/edge` on the lite engine (`createGate({ ..., engine: lite })`): for every user of the
// examples the edge suites use, a lite gate given the user's lite token must answer every request
// as the full gate answers it given the user's golden (full) token: allowed or not, status,
// decision, the X-Permslip-* headers the origin gets, and the 403 body (explanations compared on
// reason, allowed, needed, level, product and message: lite has no provenance). Then the lite
// gate's own refusals, option checks, cache and authorizeAsync.
//
// Lite tokens are issued by the CLI (tests/js/lite-fixtures.mjs) with the golden snapshots'
// parameters, so subject, issuer, serial and expiry agree too.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as full from "../../pkg/src/node.js";
import * as lite from "../../pkg/src/lite.js";
import { createGate } from "../../pkg/src/edge.js";
import { ISSUE, issueLite, issueLiteTokens, LITE_EXAMPLES, LITE_NOW, liteSkip, signLiteParts } from "../js/lite-fixtures.mjs";
import { AMPLIFLOW_ROUTES, AUDIENCE, CATALOGUE, EXAMPLE_ROUTES, golden, JWKS_JSON, ROOT, tamperSignature } from "./helpers.mjs";

const skip = liteSkip();
const NOW = LITE_NOW; // inside every example token's validity (golden and lite alike)
const PRIVATE_JWK_2 = JSON.parse(readFileSync(join(ROOT, "tests", "keys", "test-2-private.jwk.json"), "utf8"));

let tokens; // example -> user -> lite token
let dir;
before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "permslip-edge-lite-"));
  tokens = issueLiteTokens(dir);
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

const readJson = (...p) => JSON.parse(readFileSync(join(ROOT, ...p), "utf8"));
const users = (example) => readJson("examples", example, "directory.json").users.map((u) => u.id);

function req(method, path, token) {
  const headers = new Headers({ "x-permslip-subject": "spoofed", "x-other": "kept" });
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  return new Request(`https://app.example.test${path}`, { method, headers });
}

// ---- What the two gates are compared on --------------------------------------------------------

const EXPLANATION_KEYS = ["reason", "allowed", "needed", "level", "product", "message"];
const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/** A gate result as data: everything the caller and the origin can see, explanations trimmed. */
async function outcome(r) {
  const o = {
    allowed: r.allowed,
    status: r.status,
    decision: r.decision,
    reason: r.reason ?? null,
    code: r.code ?? null,
    route: r.route,
    subject: r.subject,
    cached: r.cached,
  };
  if (r.allowed) {
    o.headers = Object.fromEntries([...r.request.headers].filter(([k]) => k.startsWith("x-permslip-") || k === "x-other"));
    o.url = r.request.url;
    o.method = r.request.method;
  } else {
    o.contentType = r.response.headers.get("content-type");
    o.authenticate = r.response.headers.get("www-authenticate");
    const body = await r.response.json();
    if (body.explanation !== undefined) body.explanation = pick(body.explanation, EXPLANATION_KEYS);
    o.body = body;
  }
  return o;
}

// ---- The requests ------------------------------------------------------------------------------

// Every string of an example's model and directory (short enough to be a name): the candidate
// values of path parameters (scopes, resources), plus names no snapshot knows.
// `directoryOnly`: the directory's names (no spaces) only, for the larger tables.
function candidates(example, directoryOnly = false) {
  const out = new Set(["nope", "ö-ü", "+15550199"]);
  const walk = (v) => {
    if (typeof v === "string") {
      if (v.length <= 40 && !(directoryOnly && /\s/.test(v))) out.add(v);
    } else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(readJson("examples", example, "directory.json"));
  if (!directoryOnly) walk(readJson("examples", example, "model.json"));
  return [...out];
}

// Requests for a route table: each route with each of its methods (and one it does not list),
// every candidate value for the parameters its requirement uses, and a few unmatched paths.
function requestsFor(table, values, otherMethod = "PATCH") {
  const out = [];
  for (const r of table.routes) {
    const listed = Array.isArray(r.method) ? r.method : [r.method];
    const methods = r.method === "*" ? ["GET", "DELETE"] : otherMethod ? [...listed, otherMethod] : listed;
    const used = Object.values(r.requires)
      .filter((v) => typeof v === "string" && v.startsWith(":"))
      .map((v) => v.slice(1));
    const segs = r.path.split("/").slice(1);
    const fill = (value) =>
      "/" +
      segs
        .map((s) => (s === "*" ? "x/y" : s.startsWith(":") ? encodeURIComponent(used.includes(s.slice(1)) ? value : "1") : s))
        .join("/");
    const paths = new Set(used.length ? values.map(fill) : [fill("1")]);
    if (r.path.endsWith("/*")) paths.add(r.path.slice(0, -2).replace(/:[A-Za-z_]\w*/g, "1")); // `*` matching nothing
    for (const method of methods) for (const path of paths) out.push([method, path]);
  }
  for (const path of ["/", "/nowhere", "/api", "/documents/1/extra/../../x"]) out.push(["GET", path]);
  return out;
}

// A table of one route per permission (with and without a scope) and per feature level, feature
// action and resource action of an example's model: every kind of requirement and every reason.
function modelTable(example) {
  const model = readJson("examples", example, "model.json");
  const routes = [];
  for (const { id } of [...(model.permissions ?? []), { id: "nope.nope" }]) {
    routes.push({ method: "GET", path: `/p/${id}`, requires: { permission: id } });
    routes.push({ method: "GET", path: `/p/${id}/:s`, requires: { permission: id, scope: ":s" } });
  }
  const levels = [...(model.levels ?? []), "god"];
  const actions = [...Object.keys(model.actions ?? {}), "use", "fly"];
  for (const { id } of [...(model.features ?? []), { id: "nope" }]) {
    routes.push({ method: "GET", path: `/f/${id}`, requires: { feature: id } });
    for (const level of levels) routes.push({ method: "GET", path: `/f/${id}/level/${level}`, requires: { feature: id, level } });
    for (const action of actions) routes.push({ method: "GET", path: `/f/${id}/action/${action}`, requires: { feature: id, action } });
  }
  for (const action of actions) routes.push({ method: "GET", path: `/r/${action}/:id`, requires: { resource: ":id", action } });
  return { fallback: "deny", routes };
}

// The example suites' gates: Amplify (examples/edge-worker/routes.json, catalogue bundle) and
// AmpliFlow (tests/edge/ampliflow-routes.json, inline catalogue), plus each model's table.
const SUITES = [
  { example: "amplify", table: EXAMPLE_ROUTES, catalogue: CATALOGUE },
  { example: "ampliflow", table: AMPLIFLOW_ROUTES },
  { example: "amplify", table: modelTable("amplify"), catalogue: CATALOGUE, small: true },
  { example: "ampliflow", table: modelTable("ampliflow"), small: true },
];

const gates = (suite, options = {}, engine = lite) => ({
  full: createGate({ routes: suite.table, jwks: JWKS_JSON, audience: AUDIENCE, catalogue: suite.catalogue, now: NOW, ...options }),
  lite: createGate({ routes: suite.table, jwks: JWKS_JSON, audience: AUDIENCE, engine, now: NOW, ...options }),
});

// The outcomes the comparisons met (allow, "403 <reason>"): each must occur somewhere.
const SEEN = new Set();

/**
 * Asks both gates every request of `suite` for every user; returns the differences (at most
 * `limit`) and how many requests were compared.
 */
async function compare(suite, engine = lite, limit = 5) {
  const { full: fullGate, lite: liteGate } = gates(suite, {}, engine);
  // The model tables have a route per name: parameters there take the directory's names only,
  // and no unlisted method (the edge suites' tables have those).
  const requests = suite.small
    ? requestsFor(suite.table, candidates(suite.example, true), null)
    : requestsFor(suite.table, candidates(suite.example));
  const diffs = [];
  let n = 0;
  for (const user of users(suite.example)) {
    const fullToken = golden(suite.example, user);
    const liteToken = tokens[suite.example][user];
    for (const [method, path] of requests) {
      const want = await outcome(fullGate.authorize(req(method, path, fullToken)));
      const got = await outcome(liteGate.authorize(req(method, path, liteToken)));
      n++;
      if (engine === lite) SEEN.add(got.allowed ? "allow" : `${got.status} ${got.reason}`);
      try {
        assert.deepEqual(got, want);
      } catch (e) {
        diffs.push(`${suite.example}/${user} ${method} ${path}: ${e.message}`);
        if (diffs.length >= limit) return { diffs, n };
      }
    }
  }
  assert.deepEqual(liteGate.stats, fullGate.stats, "the same cache counters");
  return { diffs, n };
}

// A lite namespace whose checkers answer `can` negated: the comparison must catch it.
function negatedCan() {
  const wrap = (c) =>
    new Proxy(c, {
      get(target, key) {
        if (key === "can") return (...a) => !target.can(...a);
        const v = Reflect.get(target, key, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  class Permslip {
    static load = (t, o) => wrap(lite.Permslip.load(t, o));
    static loadAsync = async (t, o) => wrap(await lite.Permslip.loadAsync(t, o));
  }
  return { ...lite, Permslip };
}

// ---- Tests -------------------------------------------------------------------------------------

describe("the lite gate decides as the full gate", { skip }, () => {
  test("lite tokens exist for every user of the edge suites' examples", () => {
    for (const example of ["amplify", "ampliflow"]) {
      assert.ok(LITE_EXAMPLES.includes(example));
      assert.deepEqual(Object.keys(tokens[example]).sort(), users(example).sort());
    }
  });

  for (const suite of SUITES) {
    const name = `${suite.example}, ${suite.small ? "a route per permission, level, action and resource" : "the edge suites' route table"}`;
    test(`every request of every user: ${name}`, async () => {
      const { diffs, n } = await compare(suite);
      assert.deepEqual(diffs, [], `${diffs.length}+ differences of ${n} requests`);
      assert.ok(n > 500, `only ${n} requests`);
    });
  }

  // (`restricted` does not occur: the examples' users see no restricted resource they are not
  // assigned to; the engine answers `unknown_resource` for those.)
  test("every outcome occurs in the comparisons: allowed, 403 with each reason", () => {
    const seen = SEEN;
    for (const want of [
      "allow",
      "403 no_route",
      "403 not_granted",
      "403 scope_not_granted",
      "403 explicit_only",
      "403 revoked",
      "403 product_off",
      "403 level_too_low",
      "403 unknown_level",
      "403 unknown_feature",
      "403 unknown_resource",
      "403 unknown_action",
      "403 unknown_permission",
      "400 bad_request",
    ]) {
      assert.ok(seen.has(want), `no ${want} among ${[...seen].join(", ")}`);
    }
  });

  test("a deliberate bug (lite's `can` negated) is caught", async () => {
    const { diffs } = await compare(SUITES[0], negatedCan(), 1);
    assert.equal(diffs.length, 1, "the comparison must find a difference");
  });

  test("explain: false keeps explanations out of both gates' 403 bodies", async () => {
    const { full: f, lite: l } = gates(SUITES[1], { explain: false });
    const want = await outcome(f.authorize(req("PUT", "/profile", golden("ampliflow", "newbie"))));
    const got = await outcome(l.authorize(req("PUT", "/profile", tokens.ampliflow.newbie)));
    assert.equal(got.body.explanation, undefined);
    assert.deepEqual(got, want);
  });
});

describe("the lite gate's refusals", { skip }, () => {
  const ampliflow = (options = {}) =>
    createGate({ routes: AMPLIFLOW_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, engine: lite, now: NOW, ...options });

  async function refusal(gate, token) {
    const r = gate.authorize(req("GET", "/documents", token));
    assert.equal(r.allowed, false);
    return { status: r.status, ...(await r.response.json()), authenticate: r.response.headers.get("www-authenticate") };
  }

  test("401 for tampered, expired, foreign and malformed lite tokens", async () => {
    const good = tokens.ampliflow.member;
    const [h, p, s] = good.split(".");
    const payload = Buffer.from(p, "base64url");
    const flipped = Buffer.from(payload);
    flipped[flipped.length - 1] ^= 1;
    const header = (kid) => Buffer.from(`{"alg":"EdDSA","typ":"permslip-lite","kid":"${kid}"}`).toString("base64url");
    const cases = [
      ["payload changed", `${h}.${flipped.toString("base64url")}.${s}`, "invalid", "bad_signature"],
      ["signature changed", tamperSignature(good), "invalid", "bad_signature"],
      ["signed by another key under a known kid", signLiteParts(header("test-1"), p, { ...PRIVATE_JWK_2, kid: "test-1" }), "invalid", "bad_signature"],
      ["an unknown kid", signLiteParts(header("k-unknown"), p), "invalid", "unknown_key"],
      ["another audience", issueLite("ampliflow", ...ISSUE.slice(0, 2), "--aud", "another-app", ...ISSUE.slice(4), "--subject", "member"), "invalid", "wrong_audience"],
      ["not a token", "not-a-token", "invalid", "malformed"],
      ["too large", "x".repeat(20_000), "invalid", "too_large"],
    ];
    const gate = ampliflow();
    for (const [what, token, reason, code] of cases) {
      const b = await refusal(gate, token);
      assert.equal(b.status, 401, what);
      assert.equal(b.reason, reason, what);
      assert.equal(b.code, code, what);
      assert.match(b.authenticate, /^Bearer realm="permslip", error="invalid_token"/, what);
    }
    assert.equal((await refusal(gate, tamperSignature(good))).message, "invalid signature", "a signature failure stays opaque");
    // Issued at ISSUED_AT for 100 s: expired 200 s later (past the default leeway of 60).
    const short = issueLite("ampliflow", ...ISSUE.slice(0, 6), "--ttl", "100", "--serial", "3", "--subject", "manager");
    const expired = await refusal(ampliflow({ now: NOW + 200_000 }), short);
    assert.deepEqual([expired.status, expired.reason, expired.code], [401, "expired", "expired"]);
    assert.equal(ampliflow({ now: NOW + 50_000 }).authorize(req("GET", "/documents", short)).allowed, true, "valid before it expires");
    assert.equal(gate.stats.size, 0, "failures are not cached");
  });

  test("a full token is refused by a lite gate, a lite token by a full gate", async () => {
    for (const token of [golden("ampliflow", "member"), golden("amplify", "member")]) {
      const b = await refusal(ampliflow(), token);
      assert.equal(b.status, 401);
      assert.equal(b.reason, "invalid");
    }
    const fullGate = createGate({ routes: AMPLIFLOW_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, now: NOW });
    const b = await refusal(fullGate, tokens.ampliflow.member);
    assert.equal(b.status, 401);
    assert.equal(b.reason, "invalid");
  });

  test("faults of the engine are the gate's (500), never a pass or a 401", async () => {
    const throwing = (error) => {
      class Permslip {
        static load = () => {
          throw error;
        };
        static loadAsync = async () => {
          throw error;
        };
      }
      return { ...lite, Permslip };
    };
    const token = tokens.ampliflow.member;
    const faults = [
      new lite.PermslipError("platform_unavailable", "no Ed25519"),
      new lite.PermslipError("not_initialized", "call init"),
      new lite.PermslipError("init_failed", "no module"),
      new lite.PermslipError("invalid_key_set", "weak key"),
      new lite.PermslipError("internal", "?"),
      new full.PermslipError("internal", "?"),
      new WebAssembly.RuntimeError("unreachable"),
      new TypeError("x is not a function"),
      Object.assign(new Error("looks like one"), { code: "bad_signature" }),
    ];
    for (const error of faults) {
      const gate = ampliflow({ engine: throwing(error) });
      for (const r of [gate.authorize(req("GET", "/documents", token)), await gate.authorizeAsync(req("GET", "/documents", token))]) {
        assert.equal(r.status, 500, `${error.name} ${error.code}`);
        assert.equal((await r.response.json()).error, "gate_error");
      }
    }
    // The lite engine's own refusal codes are 401s.
    for (const error of [new lite.PermslipError("bad_signature", "invalid signature"), new full.PermslipError("expired", "old")]) {
      const r = ampliflow({ engine: throwing(error) }).authorize(req("GET", "/documents", token));
      assert.equal(r.status, 401, error.code);
    }
    assert.equal(ampliflow().authorize(req("GET", "/health")).decision, "public", "public routes need no engine");
  });
});

describe("options with the lite engine", { skip }, () => {
  const base = { routes: AMPLIFLOW_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE };

  test("a catalogue is refused with TypeError", () => {
    assert.throws(() => createGate({ ...base, engine: lite, catalogue: CATALOGUE }), (e) => e instanceof TypeError && /catalogue/.test(e.message));
    const catalogue = full.Catalogue.load(CATALOGUE, { jwks: full.KeySet.parse(JWKS_JSON), audience: AUDIENCE });
    assert.throws(() => createGate({ ...base, engine: lite, catalogue }), TypeError);
    assert.ok(createGate({ ...base, engine: lite, catalogue: null }), "null is no catalogue");
  });

  test("something that is not an engine is refused with TypeError", () => {
    const withoutLoadAsync = { ...lite, Permslip: { load: lite.Permslip.load } };
    const bad = [
      "permslip/lite",
      42,
      true,
      {},
      { Permslip: lite.Permslip },
      { ...lite, KeySet: undefined },
      { ...lite, PermslipError: undefined },
      { ...lite, PermslipError: class NotAnError {} },
      { ...lite, KeySet: class {} },
      withoutLoadAsync,
      lite.Permslip,
    ];
    for (const engine of bad) {
      assert.throws(() => createGate({ ...base, engine }), (e) => e instanceof TypeError && /`engine`/.test(e.message), String(engine));
    }
  });

  test("a key set: lite's own, the JWKS as text or object; the full entry's is refused", () => {
    const member = tokens.ampliflow.member;
    for (const jwks of [lite.KeySet.parse(JWKS_JSON), JWKS_JSON, JSON.parse(JWKS_JSON)]) {
      const gate = createGate({ ...base, jwks, engine: lite, now: NOW });
      assert.equal(gate.authorize(req("GET", "/documents", member)).subject, "member");
    }
    assert.throws(() => createGate({ ...base, jwks: full.KeySet.parse(JWKS_JSON), engine: lite }), TypeError);
    assert.throws(() => createGate({ ...base, jwks: "{}", engine: lite }), (e) => e instanceof lite.PermslipError && e.code === "invalid_key_set");
  });

  test("the full entry's namespace (or none) is the full engine, as before", () => {
    for (const engine of [full, undefined, null]) {
      const gate = createGate({ routes: EXAMPLE_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, catalogue: CATALOGUE, engine, now: NOW });
      assert.equal(gate.authorize(req("GET", "/api/me", golden("amplify", "member"))).subject, "member");
      assert.equal(gate.authorize(req("GET", "/api/me", tokens.amplify.member)).status, 401);
    }
  });
});

describe("the lite gate's cache", { skip }, () => {
  test("hits, misses, evictions and expiry count as with the full engine", async () => {
    let now = NOW;
    const suite = SUITES[1];
    const { full: f, lite: l } = gates(suite, { cacheSize: 2, now: () => now, leeway: 0 });
    const names = ["newbie", "mapper", "newbie", "tess", "newbie", "tess", "mapper", "newbie"];
    for (const [i, user] of names.entries()) {
      const a = await outcome(f.authorize(req("GET", "/documents", golden("ampliflow", user))));
      const b = await outcome(l.authorize(req("GET", "/documents", tokens.ampliflow[user])));
      assert.deepEqual(b, a, `request ${i} (${user})`);
    }
    assert.deepEqual(l.stats, f.stats);
    assert.deepEqual(l.stats, { hits: 3, misses: 5, evictions: 3, expired: 0, size: 2, capacity: 2 });
    // Expiry on a hit: a lite token valid for 100 s, cached, then past exp (+ leeway 0).
    const short = issueLite("ampliflow", ...ISSUE.slice(0, 6), "--ttl", "100", "--serial", "3", "--subject", "manager");
    assert.equal(l.authorize(req("GET", "/documents", short)).cached, false);
    assert.equal(l.authorize(req("GET", "/documents", short)).cached, true);
    now = NOW + 100_000;
    const r = l.authorize(req("GET", "/documents", short));
    assert.equal(r.status, 401);
    assert.equal((await r.response.json()).code, "expired");
    assert.equal(l.stats.expired, 1);
    l.clear();
    assert.equal(l.stats.size, 0);
  });

  test("cacheSize 0 verifies every time", () => {
    const { full: f, lite: l } = gates(SUITES[1], { cacheSize: 0 });
    for (let i = 0; i < 3; i++) {
      assert.equal(l.authorize(req("GET", "/documents", tokens.ampliflow.member)).cached, false);
      f.authorize(req("GET", "/documents", golden("ampliflow", "member")));
    }
    assert.deepEqual(l.stats, f.stats);
    assert.equal(l.stats.misses, 3);
  });

  test("checkers the cache does not keep are freed; cached ones stay usable", async () => {
    const gate = createGate({ routes: AMPLIFLOW_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, engine: lite, now: NOW, cacheSize: 1 });
    for (let round = 0; round < 3; round++) {
      for (const user of users("ampliflow")) {
        const first = gate.authorize(req("PUT", "/documents/1", tokens.ampliflow[user]));
        const again = gate.authorize(req("PUT", "/documents/1", tokens.ampliflow[user]));
        assert.equal(again.cached, true);
        assert.equal(again.status, first.status, user);
      }
    }
    const results = await Promise.all([1, 2, 3].map(() => gate.authorizeAsync(req("GET", "/documents", tokens.ampliflow.tess))));
    assert.deepEqual(results.map((r) => r.allowed), [true, true, true]);
    assert.equal(gate.stats.size, 1);
    assert.equal(gate.authorize(req("GET", "/documents", tokens.ampliflow.tess)).cached, true, "the cached checker was not freed");
  });
});

describe("authorizeAsync on the lite engine", { skip }, () => {
  test("decides every request exactly as authorize", async () => {
    const member = tokens.amplify.member;
    const requests = () => [
      req("GET", "/api/me", member),
      req("GET", "/api/me", member),
      req("POST", "/api/fax/numbers/%2B15550100/send", member),
      req("POST", "/api/fax/numbers/%2B15550101/send", member),
      req("GET", "/api/fax/sent", tokens.amplify["new-hire"]),
      req("GET", "/api/me", tamperSignature(member)),
      req("GET", "/api/me", golden("amplify", "member")),
      req("GET", "/api/me", "not-a-token"),
      req("GET", "/api/me", "x".repeat(20_000)),
      req("GET", "/api/me"),
      req("GET", "/a//b", member),
      req("GET", "/health", member),
      req("GET", "/nowhere", member),
    ];
    const options = { routes: EXAMPLE_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, engine: lite, now: NOW };
    const sync = createGate(options);
    const async_ = createGate(options);
    const a = requests();
    const b = requests();
    for (let i = 0; i < a.length; i++) {
      assert.deepEqual(await outcome(await async_.authorizeAsync(b[i])), await outcome(sync.authorize(a[i])), `request ${i}`);
    }
    assert.deepEqual(async_.stats, sync.stats);
    assert.equal(async_.stats.size, 2, "the two valid snapshots");
    const seen = [];
    const forwarded = await async_.handle(req("GET", "/api/me", member), (r) => (seen.push(r.headers.get("x-permslip-subject")), new Response("ok")));
    assert.equal(await forwarded.text(), "ok");
    assert.equal((await async_.handle(req("GET", "/api/fax/sent", tokens.amplify["new-hire"]), () => assert.fail("forwarded"))).status, 403);
    assert.deepEqual(seen, ["member"]);
  });
});
