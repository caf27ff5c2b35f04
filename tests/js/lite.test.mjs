// (a6) `permslip/lite` (pkg/src/lite.js, docs/LITE.md) against the full package: lite tokens
// issued by the CLI (`permslip issue --format lite`) for every example user answer the shared
// decision table and every question the full package answers from the golden snapshots of the
// same users, identically; bad tokens, key sets and inputs give the same error codes.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, sign as edSign } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import * as full from "permslip";
import * as lite from "permslip/lite";
import { answer, canonical, timeInside, visibleIds } from "./decisions.mjs";
import { packAndInstall } from "./pack.mjs";
import { scopeValues } from "./lite-battery.mjs";
import { assertBadOptions, assertMenuRefusals, AUDIENCE, decisionFixtures, JWKS_JSON, PRIVATE_JWK, PRIVATE_JWK_2, readJson, ROOT } from "./helpers.mjs";
import { ISSUE, ISSUED_AT, issueLite, issueLiteTokens, LITE_EXAMPLES, LITE_NOW, LITE_WASM, liteSkip } from "./lite-fixtures.mjs";

const { Permslip, KeySet, PermslipError, HANDLE_DENY } = lite;
const EXAMPLES = LITE_EXAMPLES;
const NOW = LITE_NOW;
const WASM = LITE_WASM;
const LITE_JS = pathToFileURL(join(ROOT, "pkg", "src", "lite.js")).href;

// Tokens issued by the CLI (tests/js/lite-fixtures.mjs, shared with the Chromium and workerd suites).
const skip = liteSkip();
const issue = issueLite;

const dir = mkdtempSync(join(tmpdir(), "permslip-lite-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// example -> user -> lite token
const tokens = skip ? {} : issueLiteTokens(dir);
const someToken = () => tokens.ampliflow.member;
const opts = (extra = {}) => ({ jwks: JWKS_JSON, audience: AUDIENCE, now: NOW, ...extra });
const load = (token = someToken(), extra = {}) => Permslip.load(token, opts(extra));

function code(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PermslipError && e instanceof Error, `not a PermslipError: ${e?.stack ?? e}`);
    assert.equal(e.name, "PermslipError");
    assert.ok(typeof e.message == "string" && e.message.length > 0 && !e.message.endsWith("."), `message style: ${e.message}`);
    return e.code;
  }
  return "no error";
}

// ---- The decision table and the full package's answers ----------------------------------------

test("decision table: every case answers through lite as expected (profile cases excepted)", { skip }, () => {
  const fixtures = decisionFixtures();
  assert.equal(fixtures.skip, undefined, fixtures.skip);
  const { table, models } = fixtures;
  const checkers = new Map();
  let ran = 0;
  const failures = [];
  table.cases.forEach((c, i) => {
    if (c.check.profile !== undefined) return; // lite has no profile()
    const id = `${c.example}/${c.user}`;
    if (!checkers.has(id)) checkers.set(id, load(tokens[c.example][c.user]));
    let got;
    try {
      got = answer(checkers.get(id), models[c.example].nav ?? [], c.check, c.expect);
    } catch (e) {
      got = { error: String(e?.message ?? e) };
    }
    ran++;
    if (canonical(got) !== canonical(c.expect)) {
      failures.push(`#${i} [${c.rule}] ${id} ${JSON.stringify(c.check)}: expected ${canonical(c.expect)}, got ${canonical(got)}`);
    }
  });
  assert.ok(ran > 200, `only ${ran} cases ran`);
  assert.deepEqual(failures, [], `${failures.length} of ${ran} cases failed:\n${failures.join("\n")}`);
});

// Full explanation without provenance: what lite's must equal.
function withoutProvenance(e) {
  const { via, granted_by, ...rest } = e;
  return rest;
}

test("every answer of lite equals the full package's, for every example user", { skip }, () => {
  const fullKeys = full.KeySet.parse(JWKS_JSON);
  const liteKeys = KeySet.parse(JWKS_JSON);
  let compared = 0;
  for (const example of EXAMPLES) {
    const model = readJson("examples", example, "model.json");
    const directory = readJson("examples", example, "directory.json");
    const bundlePath = join(ROOT, "tests", "golden", example, "catalogue.jwt");
    const catalogue = existsSync(bundlePath)
      ? full.Catalogue.load(readFileSync(bundlePath, "utf8").trim(), { jwks: fullKeys, audience: AUDIENCE, now: NOW })
      : undefined;
    const permissions = [...model.permissions.map((p) => p.id), "no.such.permission", ""];
    const scopes = [...scopeValues(model, directory), "no-such-value", ""];
    const features = [...(model.features ?? []).map((f) => f.id), "no-such-feature"];
    const actions = [
      ...new Set([...Object.keys(model.actions ?? {}), ...(model.features ?? []).flatMap((f) => Object.keys(f.actions ?? {})), "view", "no-such-action"]),
    ];
    const resources = [...(directory.resources ?? []).map((r) => r.id), "no-such-resource"];
    const levels = [...(model.levels ?? []), "no-such-level"];
    for (const { id: user } of directory.users) {
      const golden = readFileSync(join(ROOT, "tests", "golden", example, `${user}.jwt`), "utf8").trim();
      const f = full.Permslip.load(golden, { jwks: fullKeys, audience: AUDIENCE, catalogue, now: timeInside(golden) });
      const l = Permslip.load(tokens[example][user], { jwks: liteKeys, audience: AUDIENCE, now: NOW });
      const where = `${example}/${user}`;
      const same = (what, a, b) => {
        compared++;
        assert.deepEqual(b, a, `${where}: ${what}`);
      };
      same("subject", f.subject, l.subject);
      same("issuer", f.issuer, l.issuer);
      same("serial", f.serial, l.serial);
      same("expiresAt", f.expiresAt, l.expiresAt);
      same("levels", f.levels, l.levels);
      same("verifiedBy", "node:crypto", l.verifiedBy);
      for (const p of permissions) {
        for (const scope of [undefined, ...scopes]) {
          const q = `${p} for ${scope}`;
          same(`can ${q}`, f.can(p, scope), l.can(p, scope));
          same(`handle ${q}`, f.handle(p, scope) === HANDLE_DENY, l.handle(p, scope) === HANDLE_DENY);
          same(`check ${q}`, f.check(f.handle(p, scope)), l.check(l.handle(p, scope)));
          same(`explain ${q}`, withoutProvenance(f.explain({ permission: p, scope })), l.explain({ permission: p, scope }));
        }
      }
      for (const feature of features) {
        same(`featureLevel ${feature}`, f.featureLevel(feature), l.featureLevel(feature));
        same(`visible ${feature}`, f.visible(feature), l.visible(feature));
        for (const level of [undefined, ...levels]) {
          same(`featureHandle ${feature} ${level}`, f.check(f.featureHandle(feature, level)), l.check(l.featureHandle(feature, level)));
        }
        for (const action of actions) {
          const q = `${action} on ${feature}`;
          same(`canFeature ${q}`, f.canFeature(feature, action), l.canFeature(feature, action));
          same(`list ${q}`, f.list(feature, action), l.list(feature, action));
          same(`explain ${q}`, withoutProvenance(f.explain({ feature, action })), l.explain({ feature, action }));
        }
      }
      for (const resource of resources) {
        same(`resourceLevel ${resource}`, f.resourceLevel(resource), l.resourceLevel(resource));
        for (const level of [undefined, ...levels]) {
          same(`resourceHandle ${resource} ${level}`, f.check(f.resourceHandle(resource, level)), l.check(l.resourceHandle(resource, level)));
        }
        for (const action of actions) {
          const q = `${action} on ${resource}`;
          same(`canResource ${q}`, f.canResource(resource, action), l.canResource(resource, action));
          same(`explain ${q}`, withoutProvenance(f.explain({ resource, action })), l.explain({ resource, action }));
        }
      }
      const nav = model.nav ?? [];
      same("filterMenu", f.filterMenu(nav), l.filterMenu(nav));
      same("filterMenu ids", visibleIds(f.filterMenu(nav)), visibleIds(l.filterMenu(nav)));
    }
  }
  assert.ok(compared > 10_000, `only ${compared} answers compared`);
});

// ---- Load errors --------------------------------------------------------------------------------

const b64 = (s) => Buffer.from(s).toString("base64url");
const liteHeader = (kid) => b64(`{"alg":"EdDSA","typ":"permslip-lite","kid":"${kid}"}`);

// A token with `header` (encoded) and `payload` (encoded), signed with `jwk`.
function signLite(header, payload, jwk = PRIVATE_JWK) {
  const input = `${header}.${payload}`;
  return `${input}.${edSign(null, Buffer.from(input), createPrivateKey({ key: jwk, format: "jwk" })).toString("base64url")}`;
}

test("every token rejection has the full build's code", { skip }, async () => {
  const good = someToken();
  const [h, p, s] = good.split(".");
  const flip = (part, at = 10) => part.slice(0, at) + (part[at] === "A" ? "B" : "A") + part.slice(at + 1);
  const payload = Buffer.from(p, "base64url");
  const cases = [
    ["malformed", "two parts", "a.b"],
    ["malformed", "four parts", `${good}.x`],
    ["malformed", "bad base64 signature", `${h}.${p}.${s.slice(0, -3)}!!!`],
    ["malformed", "header not the lite header", `${b64("nope")}.${p}.${s}`],
    ["malformed", "kid with a quote", signLite(liteHeader('a"b'), p)],
    ["malformed", "a full token", readFileSync(join(ROOT, "tests", "golden", "ampliflow", "member.jwt"), "utf8").trim()],
    ["malformed", "payload not lite", signLite(liteHeader("test-1"), b64("{}"))],
    ["malformed", "payload cut short", signLite(liteHeader("test-1"), b64(payload.subarray(0, payload.length - 1)))],
    ["malformed", "trailing bytes", signLite(liteHeader("test-1"), b64(Buffer.concat([payload, Buffer.of(0)])))],
    ["bad_signature", "tampered payload", `${h}.${flip(p)}.${s}`],
    ["bad_signature", "tampered signature", `${h}.${p}.${flip(s)}`],
    ["bad_signature", "signature S not canonical", `${h}.${p}.${b64(Buffer.concat([Buffer.from(s, "base64url").subarray(0, 32), Buffer.alloc(32, 0xff)]))}`],
    ["bad_signature", "signed by the other key", signLite(h, p, { ...PRIVATE_JWK_2, kid: "test-1" })],
    ["unknown_key", "unknown kid", signLite(liteHeader("k-unknown"), p)],
    ["unsupported_algorithm", "alg HS256", `${b64('{"alg":"HS256","typ":"permslip-lite","kid":"test-1"}')}.${p}.${s}`],
  ];
  for (const [want, what, token] of cases) {
    assert.equal(code(() => load(token)), want, what);
    assert.equal(await Permslip.loadAsync(token, opts()).then(() => "no error", (e) => e.code), want, `${what} (loadAsync)`);
  }
  // The same payload signed under the other kid loads (the key set has both keys).
  assert.equal(load(signLite(liteHeader("test-2"), p, PRIVATE_JWK_2)).subject, "member");

  const exp = ISSUED_AT + 2338444800;
  assert.equal(code(() => load(good, { audience: "other-app" })), "wrong_audience");
  assert.equal(code(() => load(good, { issuer: "someone-else" })), "wrong_issuer");
  assert.equal(load(good, { issuer: "permslip-test", subject: "member" }).subject, "member");
  assert.equal(code(() => load(good, { subject: "eve" })), "wrong_subject");
  assert.equal(code(() => load(good, { minSerial: 2 })), "rollback");
  assert.equal(load(good, { minSerial: 1 }).serial, 1);
  assert.equal(code(() => load(good, { now: (exp + 60) * 1000 })), "expired");
  assert.equal(load(good, { now: (exp + 59) * 1000 }).expired, false, "inside the leeway");
  assert.equal(code(() => load(good, { now: exp * 1000, leeway: 0 })), "expired");
  assert.equal(code(() => load(good, { now: (ISSUED_AT - 61) * 1000 })), "not_yet_valid");
  assert.equal(load(good, { now: (ISSUED_AT - 60) * 1000 }).subject, "member");
  assert.equal(code(() => load(good, { maxTokenBytes: 100 })), "too_large");
  assert.equal(load(good, { maxTokenBytes: good.length }).subject, "member");
  assert.equal(code(() => load("é".repeat(60), { maxTokenBytes: 100 })), "too_large", "over in UTF-8 bytes only");
  assert.equal(code(() => load("x".repeat(50_000_000))), "too_large");
  // Opaque, as in the full build.
  assert.equal(await Permslip.loadAsync(`${h}.${flip(p)}.${s}`, opts()).catch((e) => e.message), "invalid signature");
  // Both builds refuse each other's tokens with a typed error.
  const e = (() => {
    try {
      full.Permslip.load(good, opts());
    } catch (error) {
      return error;
    }
  })();
  assert.ok(e instanceof full.PermslipError, "the full build refuses a lite token");
  assert.equal(e.code, "malformed", e.message);
});

test("signature segments of bad base64url are malformed, as in the full build", { skip }, () => {
  const golden = readFileSync(join(ROOT, "tests", "golden", "ampliflow", "member.jwt"), "utf8").trim();
  const codeOf = (f) => {
    try {
      f();
    } catch (e) {
      return e.code;
    }
  };
  for (const [token, build] of [
    [golden, (t) => full.Permslip.load(t, opts({ now: timeInside(golden) }))],
    [someToken(), load],
  ]) {
    const [h, p, s] = token.split(".");
    for (const t of [`${h}.${p}.!!!`, `${h}.${p}.${s} `, `${h}.${p}.${s}=`]) {
      assert.equal(codeOf(() => build(t)), "malformed", t.slice(-8));
    }
  }
});

test("garbage, wrong types and bad options", { skip }, () => {
  for (const t of [null, undefined, 42, {}, [], true, Symbol.iterator]) {
    assert.equal(code(() => Permslip.load(t, opts())), "malformed", String(t?.toString?.() ?? t));
  }
  for (const t of ["", ".", "..", "a.b.c", "x".repeat(16 * 1024), "\u0000.\u0000.\u0000", "é.😀.\ud800", `${someToken()}.`]) {
    assert.equal(code(() => load(t)), "malformed", JSON.stringify(t.slice(0, 20)));
  }
  assertBadOptions(Permslip, load, someToken(), code);
  assert.equal(load(someToken(), { now: new Date(NOW) }).subject, "member");
  assert.equal(load(someToken(), { now: () => new Date(NOW) }).subject, "member");
  assert.equal(code(() => Permslip.denyAll("nope")), "invalid_argument");
  assert.throws(() => new Permslip(), TypeError);
  assert.throws(() => new KeySet(), TypeError);
  // Random tokens never trap, and the module keeps working.
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  const parts = someToken().split(".");
  for (let i = 0; i < 300; i++) {
    let t;
    if (i % 3 === 0) {
      t = Array.from({ length: Math.floor(rand() * 400) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    } else {
      const which = Math.floor(rand() * 3);
      const part = parts[which];
      const at = Math.floor(rand() * part.length);
      t = parts.map((x, j) => (j === which ? part.slice(0, at) + alphabet[Math.floor(rand() * 64)] + part.slice(at + 1) : x)).join(".");
    }
    const c = code(() => load(t));
    assert.ok(["malformed", "bad_signature", "unknown_key", "unsupported_algorithm", "no error"].includes(c), `${c}: ${t}`);
  }
  assert.equal(load().can("profile.view"), true, "still works");
});

test("every key-set rejection has its code", { skip }, () => {
  const jwk = JSON.parse(JWKS_JSON).keys[0];
  const p = 2n ** 255n - 19n;
  const le = (n) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();
  const bad = [
    ["not JSON", "{"],
    ["not an object", 42],
    ["null", null],
    ["undefined", undefined],
    ["an array", [jwk]],
    ["keys not an array", { keys: jwk }],
    ["no keys", { keys: [] }],
    ["only RSA", { keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "r" }] }],
    ["a key not an object", { keys: [jwk, 5] }],
    ["kty not a string", { keys: [jwk, { kty: 1 }] }],
    ["kid not a string", { keys: [{ ...jwk, kid: 5 }] }],
    ["private key", { keys: [{ ...PRIVATE_JWK }] }],
    ["private key of another type", { keys: [jwk, { kty: "RSA", d: "x" }] }],
    ["no kid", { keys: [{ ...jwk, kid: undefined }] }],
    ["null kid", { keys: [{ ...jwk, kid: null }] }],
    ["no x", { keys: [{ ...jwk, x: undefined }] }],
    ["bad x", { keys: [{ ...jwk, x: "short" }] }],
    ["x padded", { keys: [{ ...jwk, x: `${jwk.x}=` }] }],
    ["x standard alphabet", { keys: [{ ...jwk, x: jwk.x.replace(/-/g, "+").replace(/_/g, "/") }] }],
    ["x non-canonical trailing bits", { keys: [{ ...jwk, x: jwk.x.slice(0, 42) + "5" }] }],
    ["small-order key (y = 0)", { keys: [{ ...jwk, x: b64(Buffer.alloc(32)) }] }],
    ["small-order key (identity)", { keys: [{ ...jwk, x: b64(le(1n)) }] }],
    ["small-order key (order 2)", { keys: [{ ...jwk, x: b64(le(p - 1n)) }] }],
    ["small-order key, second of two", { keys: [jwk, { ...jwk, kid: "weak", x: b64(Buffer.alloc(32)) }] }],
    ["non-canonical key (y = p + 2)", { keys: [{ ...jwk, x: b64(le(p + 2n)) }] }],
    ["wrong alg", { keys: [{ ...jwk, alg: "RS256" }] }],
    ["wrong use", { keys: [{ ...jwk, use: "enc" }] }],
    ["duplicate kid", { keys: [jwk, jwk] }],
    ["cyclic object", (() => { const o = { keys: [] }; o.self = o; return o; })()],
  ];
  for (const [what, jwks] of bad) {
    assert.equal(code(() => KeySet.parse(jwks)), "invalid_key_set", what);
    // The full build agrees.
    assert.throws(() => full.KeySet.parse(jwks), { code: "invalid_key_set" }, `full: ${what}`);
    if (jwks !== undefined) assert.equal(code(() => load(someToken(), { jwks })), "invalid_key_set", `via load: ${what}`);
  }
  // Accepted as by the full build: other key types are skipped, nulls are absent members,
  // `Ed25519` is EdDSA's fully specified name.
  for (const jwks of [
    { keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "r" }, jwk] },
    { keys: [{ ...jwk, alg: null, use: null, crv: "Ed25519" }] },
    { keys: [{ ...jwk, alg: "Ed25519" }], other: 1 },
    { keys: [{ ...jwk, kid: "" }] },
  ]) {
    assert.deepEqual(KeySet.parse(jwks).kids, full.KeySet.parse(jwks).kids);
  }
  assert.deepEqual(KeySet.parse(JWKS_JSON).kids, ["test-1", "test-2"]);
  const keys = KeySet.parse(JSON.parse(JWKS_JSON));
  assert.equal(load(someToken(), { jwks: keys }).subject, "member");
});

// ---- The checker's contracts (as tests/js/api, expiry and input test the full package) --------

test("denyAll and expiry: every check denies with its reason", { skip }, () => {
  for (const reason of ["invalid", "expired"]) {
    const p = Permslip.denyAll(reason);
    assert.equal(p.can("anything"), false);
    assert.equal(p.check(p.handle("anything")), false);
    assert.equal(p.handle("anything"), HANDLE_DENY);
    assert.equal(p.featureHandle("x", "reader"), HANDLE_DENY);
    assert.equal(p.featureLevel("x"), null);
    assert.deepEqual(p.list("x", "view"), []);
    assert.deepEqual(p.filterMenu([{ id: "a", requires: { permission: "x" } }, { id: "b" }]).map((i) => i.id), ["b"]);
    assert.deepEqual(p.explain({ permission: "x" }), withoutProvenance(full.Permslip.denyAll(reason).explain({ permission: "x" })));
    assert.equal(p.expired, true);
    assert.equal(p.verifiedBy, null);
    assert.deepEqual(p.levels, []);
  }
  assert.equal(Permslip.denyAll().explain({ feature: "f", action: "view" }).reason, "invalid");

  // A short-lived token with a test clock: allow until exp + leeway, then deny, for good.
  const token = issue("ampliflow", ...ISSUE.slice(0, 6), "--ttl", "100", "--serial", "3", "--subject", "manager");
  let now = NOW;
  const p = Permslip.load(token, opts({ now: () => now, leeway: 5 }));
  const f = full.Permslip.load(readFileSync(join(ROOT, "tests", "golden", "ampliflow", "manager.jwt"), "utf8").trim(), opts({ now: () => now }));
  const nav = readJson("examples", "ampliflow", "model.json").nav;
  const h = p.handle("profile.view");
  assert.equal(p.can("profile.view"), true);
  assert.equal(p.check(h), true);
  assert.equal(p.expiresAt.getTime(), (ISSUED_AT + 100) * 1000);
  assert.deepEqual(p.filterMenu(nav), f.filterMenu(nav));
  now = (ISSUED_AT + 104) * 1000 + 999;
  assert.equal(p.expired, false);
  now = (ISSUED_AT + 105) * 1000;
  assert.equal(p.expired, true);
  assert.equal(p.can("profile.view"), false);
  assert.equal(p.check(h), false);
  assert.deepEqual([...p.checkMany(Uint32Array.of(h, h))], [0, 0]);
  assert.equal(p.featureLevel("documents"), null);
  assert.equal(p.visible("documents"), false);
  assert.equal(p.canFeature("documents", "view"), false);
  assert.equal(p.resourceLevel("call-1"), null);
  assert.deepEqual(p.list("documents", "view"), []);
  assert.notEqual(p.handle("profile.view"), HANDLE_DENY, "handles still resolve");
  const menu = [{ id: "a", requires: { permission: "profile.view" } }, { id: "b" }];
  assert.deepEqual(visibleIds(p.filterMenu(menu)), ["b"]);
  for (const query of [{ permission: "profile.view" }, { feature: "documents", action: "view" }, { resource: "call-1", action: "view" }]) {
    const e = p.explain(query);
    assert.equal(e.reason, "expired");
    assert.equal(e.allowed, false);
    assert.match(e.message, /^snapshot expired at 2025-/);
  }
  now = NOW; // a clock going back does not revive it
  assert.equal(p.can("profile.view"), false);
});

test("checks: wrong types throw invalid_argument, unknown or huge names deny, handles agree", { skip }, () => {
  const p = load();
  for (const bad of [null, undefined, 5, {}, [], true]) {
    for (const fn of [
      () => p.can(bad),
      () => p.handle(bad),
      () => p.can("profile.view", 5),
      () => p.featureLevel(bad),
      () => p.visible(bad),
      () => p.canFeature("documents", bad),
      () => p.canResource(bad, "view"),
      () => p.list(bad, "view"),
      () => p.explain(bad),
      () => p.featureHandle(bad),
      () => p.resourceLevel(bad),
    ]) {
      assert.equal(code(fn), "invalid_argument", `${fn} with ${String(bad)}`);
    }
  }
  assert.equal(code(() => p.featureHandle("documents", 5)), "invalid_argument");
  for (const bad of [null, undefined, "1", 1.5, -1, 2 ** 32, NaN, {}]) {
    assert.equal(code(() => p.check(bad)), "invalid_argument", String(bad));
  }
  for (const bad of [null, [1, 2], new Uint8Array(2), new Int32Array(2), "x"]) {
    assert.equal(code(() => p.checkMany(bad)), "invalid_argument");
  }
  assert.equal(code(() => p.explain({})), "invalid_argument");
  assert.equal(code(() => p.explain({ feature: "documents" })), "invalid_argument");

  const huge = "profile.view" + "x".repeat(5_000_000);
  assert.equal(p.can(huge), false);
  // A scope value longer than the token is an unknown value: granted for every value or not.
  // (The full entry's JS answers false there without asking Rust: see the report.)
  assert.equal(p.can("profile.view", huge), p.can("profile.view", "x"));
  assert.equal(p.can("no.such", huge), false);
  assert.equal(p.handle(huge), HANDLE_DENY);
  assert.equal(p.featureLevel(huge), null);
  assert.equal(p.canFeature(huge, "view"), false);
  assert.equal(p.canFeature("documents", huge), false);
  assert.deepEqual(p.list("documents", huge), []);
  assert.equal(p.explain({ permission: huge }).reason, "unknown_permission");
  assert.equal(p.explain({ feature: huge, action: "view" }).reason, "unknown_feature");
  assert.equal(p.explain({ feature: "documents", action: huge }).reason, "unknown_action");
  assert.equal(p.explain({ feature: "nope", action: huge }).reason, "unknown_feature");
  assert.equal(p.explain({ resource: huge, action: "view" }).reason, "unknown_resource");
  assert.equal(p.explain({ permission: huge }).message, `unknown permission \`${huge}\``);
  for (const odd of ["", "\u0000", "\ud800", "\udfff\ud800", "😀", "profile.view\u0000"]) {
    assert.equal(p.can(odd), false);
    assert.equal(p.can("profile.view", odd), true, "granted for every value");
    assert.equal(p.can(odd, odd), false);
    assert.equal(p.canFeature(odd, odd), false);
    assert.equal(p.explain({ permission: odd, scope: odd }).allowed, false);
    assert.equal(p.explain({ feature: odd, action: odd }).allowed, false);
  }
  // Handles, checkMany and can agree; forged handles answer, never trap.
  const names = [["profile.view"], ["profile.view", "x"], ["no.such"], ["admin.everything"]];
  const handles = Uint32Array.from(names.map(([a, b]) => p.handle(a, b)));
  assert.deepEqual([...p.checkMany(handles)], names.map(([a, b]) => (p.can(a, b) ? 1 : 0)));
  assert.equal(p.featureHandle("documents", "no-such-level"), HANDLE_DENY);
  assert.equal(p.featureHandle("documents", ""), p.featureHandle("documents"), "\"\" is the default level, as in the full build");
  let x = 0x9e3779b9;
  for (let i = 0; i < 20000; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    assert.equal(typeof p.check(x), "boolean");
  }
  assert.equal(p.checkMany(new Uint32Array(10000).map((_, i) => (i * 2654435761) >>> 0)).length, 10000);
  assert.equal(p.can("profile.view"), true, "still works");
});

test("filterMenu: structure sharing, groups, and malformed trees", { skip }, () => {
  const p = load(tokens.ampliflow.member);
  const nav = readJson("examples", "ampliflow", "model.json").nav;
  const first = p.filterMenu(nav);
  assert.deepEqual(p.filterMenu(nav), first);
  assert.notEqual(p.filterMenu(nav), first, "a fresh array every call");
  // Unchanged items are the input objects; a group that lost children is a copy.
  const index = (tree) => new Map(tree.map((item) => [item.id, item]));
  const input = index(nav);
  for (const item of first) {
    const original = input.get(item.id);
    const kept = JSON.stringify(item.children ?? null) === JSON.stringify(original.children ?? null);
    assert.equal(item === original, kept, item.id);
  }
  const tree = [
    { id: "empty-group", children: [{ id: "x", requires: { permission: "no.such" } }] },
    { id: "denied-group", requires: { permission: "no.such" }, children: [{ id: "y" }] },
    { id: "leaf-without-requirement", href: "/x" },
    { id: "group-with-empty-children", children: [] },
    { id: "g", children: [{ id: "keep", requires: { permission: "profile.view" } }, { id: "drop", requires: { feature: "no-such" } }] },
  ];
  const out = p.filterMenu(tree);
  assert.deepEqual(visibleIds(out), ["leaf-without-requirement", "group-with-empty-children", "g", "keep"]);
  assert.equal(out[0], tree[2]);
  assert.notEqual(out[2], tree[4]);
  assert.equal(out[2].children[0], tree[4].children[0]);
  assert.equal(tree[4].children.length, 2, "the input is not changed");

  assertMenuRefusals(p, code, "profile.view");
});

test("answers are memoised: one call into the module per distinct question", { skip }, () => {
  // Calls counted through a stand-in for WebAssembly.Instance, installed before lite.js makes
  // its one instance.
  const counts = fresh(
    `async () => {
      const p = lite.Permslip.load(token, opts);
      for (const k of Object.keys(counts)) delete counts[k];
      for (let i = 0; i < 100; i++) {
        p.can("profile.view");
        p.can("profile.view", "x");
        p.check(p.handle("profile.view"));
        p.canFeature("documents", "view");
        p.visible("documents");
        p.featureLevel("documents");
      }
      return counts;
    }`,
    { builtins: true, before: COUNTING },
  );
  assert.deepEqual(counts, { can: 2, handle: 1, check: 1, can_feature: 1, feature_level: 1, scratch: 5 });
});

const COUNTING = `const counts = {};
const Original = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const exports = {};
  for (const [k, v] of Object.entries(new Original(module, imports).exports)) {
    exports[k] = typeof v !== "function" ? v : (...args) => ((counts[k] = (counts[k] ?? 0) + 1), v(...args));
  }
  return { exports };
};`;

// Run first in a fresh process: records the exports of every instance of the lite module.
const CAPTURE_INSTANCES = `const instances = [];
const Original = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const i = new Original(module, imports);
  instances.push(i.exports);
  return i;
};`;

test("one instance serves every token; freed and collected checkers release their memory", { skip }, (t) => {
  const [grown, freedStable, collectedStable, stillRight] = fresh(
    `async () => {
      const pages = () => memory.buffer.byteLength / 65536;
      let memory;
      const first = lite.Permslip.load(token, opts);
      memory = instances[0].memory;
      const before = pages();
      // Freed at once: the same blocks are reused.
      for (let i = 0; i < 2000; i++) lite.Permslip.load(token, opts).free();
      const afterFree = pages();
      // Dropped and collected: released by the FinalizationRegistry, so memory stays bounded.
      const round = async () => {
        for (let i = 0; i < 500; i++) lite.Permslip.load(token, opts).can("profile.view");
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      };
      await round();
      const oneRound = pages() - before;
      for (let i = 0; i < 30; i++) await round();
      const afterGc = pages();
      return [instances.length, afterFree === before, [oneRound, afterGc - before], first.can("profile.view")];
    }`,
    {
      builtins: true,
      before: CAPTURE_INSTANCES,
      flags: ["--expose-gc"],
    },
  );
  assert.equal(grown, 1, "one instance");
  assert.equal(freedStable, true, "free() releases the block");
  const [oneRound, afterAll] = collectedStable;
  t.diagnostic(`${oneRound} pages for one round of 500 dropped checkers, ${afterAll} after 31 rounds`);
  assert.ok(oneRound > 0 && afterAll <= 4 * oneRound, `collected checkers release their blocks: ${oneRound} pages for one round, ${afterAll} after 31`);
  assert.equal(stillRight, true);
});

test("refused loads free their token's block: memory stays flat", { skip }, () => {
  const [stable, codes] = fresh(
    `async () => {
      const first = lite.Permslip.load(token, opts);
      const memory = instances[0].memory;
      const pages = () => memory.buffer.byteLength / 65536;
      const [h, p, s] = token.split(".");
      const flip = (x) => (x[5] === "A" ? x.slice(0, 5) + "B" + x.slice(6) : x.slice(0, 5) + "A" + x.slice(6));
      const bad = [
        [h + "." + flip(p) + "." + s, opts],                                  // bad signature
        [token, { ...opts, audience: "elsewhere" }],                          // wrong audience
        [token, { ...opts, now: 0 }],                                         // not yet valid
        [token, { ...opts, minSerial: Number.MAX_SAFE_INTEGER }],             // rollback
        [token.replace(/^[^.]+/, btoa('{"alg":"EdDSA","typ":"permslip-lite","kid":"nobody"}').replace(/=+$/, "")), opts], // unknown key
        [h + "." + p + ".AAAA", opts],                                        // bad signature length
      ];
      const codes = new Set();
      const round = () => {
        for (let i = 0; i < 300; i++)
          for (const [t, o] of bad)
            try {
              lite.Permslip.load(t, o);
            } catch (e) {
              codes.add(e.code);
            }
      };
      round();
      const before = pages();
      for (let i = 0; i < 10; i++) round();
      await lite.Permslip.loadAsync(bad[0][0], bad[0][1]).catch((e) => codes.add(e.code));
      return [pages() === before && first.can("profile.view") === lite.Permslip.load(token, opts).can("profile.view"), [...codes].sort()];
    }`,
    {
      builtins: true,
      before: CAPTURE_INSTANCES,
    },
  );
  assert.deepEqual(codes, ["bad_signature", "not_yet_valid", "rollback", "unknown_key", "wrong_audience"]);
  assert.equal(stable, true, "19,800 refused loads left memory as it was");
});

test("free releases the checker; using it afterwards throws `freed`", { skip }, () => {
  const p = load();
  p.free();
  for (const fn of [
    () => p.can("profile.view"),
    () => p.check(0),
    () => p.handle("profile.view"),
    () => p.filterMenu([]),
    () => p.explain({ permission: "x" }),
    () => p.list("documents", "view"),
    () => p.expired,
  ]) {
    assert.equal(code(fn), "freed", String(fn));
  }
  p.free();
  assert.equal(p.subject, "member", "metadata stays readable");
  assert.throws(() => {
    p.subject = "eve";
  }, TypeError);
});

// ---- Runtimes: WebCrypto, init inputs, Node builtins hidden -------------------------------------

test("without Node builtins: loadAsync verifies with WebCrypto, load is platform_unavailable", { skip }, async () => {
  const concurrent = [];
  await lite.init(); // from the package's file, before Node's builtins are hidden
  const saved = process.getBuiltinModule;
  process.getBuiltinModule = undefined;
  try {
    const p = await Permslip.loadAsync(someToken(), opts());
    assert.equal(p.verifiedBy, "webcrypto");
    assert.equal(p.can("profile.view"), true);
    assert.equal(code(() => load()), "platform_unavailable");
    const [h, q, s] = someToken().split(".");
    const tampered = `${h}.${q.slice(0, 10)}${q[10] === "A" ? "B" : "A"}${q.slice(11)}.${s}`;
    assert.equal(await Permslip.loadAsync(tampered, opts()).catch((e) => e.code), "bad_signature");
    assert.equal(await Permslip.loadAsync(someToken(), opts({ audience: "x" })).catch((e) => e.code), "wrong_audience");
    // Concurrent loads share the module's load buffer while WebCrypto verifies: each checker
    // still gets its own token, and failures in between disturb nothing.
    const all = EXAMPLES.flatMap((example) => Object.entries(tokens[example]).map(([user, token]) => [example, user, token]));
    const results = await Promise.all(
      all.flatMap(([, , token]) => [
        Permslip.loadAsync(token, opts()),
        Permslip.loadAsync(tampered, opts()).catch((e) => e.code),
        Permslip.loadAsync(token, opts({ minSerial: 9 })).catch((e) => e.code),
      ]),
    );
    for (const [i, [example, user]] of all.entries()) {
      const [checker, bad, old] = results.slice(3 * i, 3 * i + 3);
      assert.equal(checker.subject, user);
      assert.deepEqual([bad, old], ["bad_signature", "rollback"]);
      concurrent.push([example, user, checker]);
    }
  } finally {
    process.getBuiltinModule = saved;
  }
  assert.equal((await Permslip.loadAsync(someToken(), opts())).verifiedBy, "node:crypto");
  for (const [example, user, checker] of concurrent) {
    const alone = load(tokens[example][user]);
    for (const { id } of readJson("examples", example, "model.json").permissions) {
      assert.deepEqual(checker.explain({ permission: id }), alone.explain({ permission: id }), `${example}/${user} ${id}`);
    }
  }
});

// Runs `body` (an async function's source) in a fresh Node process with `lite` imported and
// `process.getBuiltinModule` hidden (a browser-like runtime, minus fetch of file: URLs).
function fresh(body, { builtins = false, before = "", flags = [] } = {}) {
  const script = join(dir, `fresh-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `${before}
const getBuiltin = process.getBuiltinModule;
${builtins ? "" : "process.getBuiltinModule = undefined;"}
const lite = await import(${JSON.stringify(LITE_JS)});
const { readFileSync } = getBuiltin("node:fs");
const [token, jwks, now, wasm] = process.argv.slice(2);
const opts = { jwks, audience: ${JSON.stringify(AUDIENCE)}, now: Number(now) };
const code = async (f) => { try { await f(); return "ok"; } catch (e) { return e.code ?? String(e); } };
console.log(JSON.stringify(await (${body})()));
`,
  );
  const out = execFileSync(process.execPath, [...flags, script, someToken(), JWKS_JSON, String(NOW), WASM], { encoding: "utf8" });
  return JSON.parse(out);
}

test("init: a Module (synchronously), bytes, a Response, a promise of one; errors", { skip }, () => {
  assert.deepEqual(
    fresh(`async () => [
      await code(() => lite.Permslip.load(token, opts)),
      await code(() => lite.KeySet.parse(jwks)),
      lite.init(new WebAssembly.Module(readFileSync(wasm))) instanceof Promise,
      await code(() => lite.Permslip.load(token, opts)),
      (await lite.Permslip.loadAsync(token, opts)).verifiedBy,
    ]`),
    ["not_initialized", "ok", true, "platform_unavailable", "webcrypto"],
    "a Module is taken before the promise settles",
  );
  for (const input of [
    "readFileSync(wasm)",
    "new Uint8Array(readFileSync(wasm)).buffer",
    `new Response(readFileSync(wasm), { headers: { "content-type": "application/wasm" } })`,
    "Promise.resolve(new Response(readFileSync(wasm)))",
  ]) {
    assert.deepEqual(
      fresh(`async () => { await lite.init(${input}); await lite.init(); return (await lite.Permslip.loadAsync(token, opts)).can("profile.view"); }`),
      true,
      input,
    );
  }
  assert.deepEqual(
    fresh(`async () => [await code(() => lite.init(new Uint8Array(8))), await code(() => lite.init(new URL("file:///nonexistent.wasm"))), await code(() => lite.Permslip.loadAsync(token, opts))]`),
    ["init_failed", "init_failed", "init_failed"],
  );
  // Concurrent first loads share one fetch of the default URL; a failed fetch can be retried.
  assert.deepEqual(
    fresh(`async () => {
      let fetches = 0;
      let fail = true;
      globalThis.fetch = async (url) => {
        fetches++;
        if (fail) throw new TypeError("offline");
        return new Response(readFileSync(new URL(url)), { headers: { "content-type": "application/wasm" } });
      };
      const first = await code(() => lite.Permslip.loadAsync(token, opts));
      fail = false;
      const all = await Promise.all([1, 2, 3].map(() => lite.Permslip.loadAsync(token, opts)));
      return [first, fetches, all.map((p) => p.subject)];
    }`),
    ["init_failed", 2, ["member", "member", "member"]],
  );
  // A weak key parsed before the module exists is refused at the first load.
  const weak = JSON.stringify({ keys: [...JSON.parse(JWKS_JSON).keys, { kty: "OKP", crv: "Ed25519", kid: "weak", x: b64(Buffer.alloc(32)) }] });
  assert.deepEqual(
    fresh(`async () => { const keys = lite.KeySet.parse(${JSON.stringify(weak)}); await lite.init(readFileSync(wasm)); return [keys.kids, await code(() => lite.Permslip.loadAsync(token, { ...opts, jwks: keys }))]; }`),
    [["test-1", "test-2", "weak"], "invalid_key_set"],
  );
});

test("init on Node reads the package's module; idempotent", { skip }, async () => {
  await lite.init();
  await lite.init(new Uint8Array(0)); // ignored: already initialised
  assert.equal(load().can("profile.view"), true);
});

test("the packed package: plain Node imports permslip/lite and finds its module", { skip }, () => {
  const packed = packAndInstall();
  if (packed.skip) return;
  try {
    assert.ok(packed.files.includes("dist/permslip_lite.wasm"), "the module is in the tarball");
    writeFileSync(
      join(packed.consumer, "lite.mjs"),
      `import { Permslip, HANDLE_DENY } from "permslip/lite";
const [token, jwks, now] = process.argv.slice(2);
const p = Permslip.load(token, { jwks, audience: ${JSON.stringify(AUDIENCE)}, now: Number(now) });
const q = await Permslip.loadAsync(token, { jwks, audience: ${JSON.stringify(AUDIENCE)}, now: Number(now) });
console.log(JSON.stringify([p.subject, p.can("profile.view"), q.explain({ permission: "nope" }).reason, p.handle("nope") === HANDLE_DENY, import.meta.resolve("permslip/lite/wasm").endsWith("/dist/permslip_lite.wasm")]));
`,
    );
    const out = execFileSync(process.execPath, ["lite.mjs", someToken(), JWKS_JSON, String(NOW)], { cwd: packed.consumer, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), ["member", true, "unknown_permission", true, true]);
  } finally {
    packed.cleanup();
  }
});

// ---- Types ----------------------------------------------------------------------------------------

test("lite.d.ts type-checks a consumer (tsc --noEmit, through the exports map)", () => {
  const consumer = join(dir, "types");
  mkdirSync(join(consumer, "node_modules"), { recursive: true });
  symlinkSync(join(ROOT, "pkg"), join(consumer, "node_modules", "permslip"), "dir");
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], strict: true, noEmit: true, types: [] },
      files: ["usage.ts"],
    }),
  );
  writeFileSync(
    join(consumer, "usage.ts"),
    `import { HANDLE_DENY, init, KeySet, Permslip, PermslipError, type Explanation, type NavItem, type ErrorCode } from "permslip/lite";
declare const token: string;
declare const module: WebAssembly.Module;
async function main(): Promise<void> {
  init(module);
  await init();
  await init(fetch("/permslip_lite.wasm"));
  await init(new URL("https://cdn.example/permslip_lite.wasm"));
  const keys = KeySet.parse({ keys: [] });
  const kids: string[] = keys.kids;
  const p: Permslip = await Permslip.loadAsync(token, { jwks: keys, audience: "app", now: () => new Date(), leeway: 5 });
  const q: Permslip = Permslip.load(token, { jwks: "{}", audience: "app", issuer: "i", subject: "s", minSerial: 1, maxTokenBytes: 1 });
  const allowed: boolean = p.can("a") && p.can("a", "b") && p.check(p.handle("a")) && p.canFeature("f", "view") && p.canResource("r", "edit");
  const many: Uint8Array = p.checkMany(Uint32Array.of(p.featureHandle("f", "reader"), p.resourceHandle("r"), HANDLE_DENY));
  const level: string | null = p.featureLevel("f") ?? p.resourceLevel("r");
  const ids: string[] = p.list("f", "view");
  const e: Explanation = p.explain({ resource: "r", action: "view" });
  const message: string = e.message + (e.needed ?? "") + p.explain({ permission: "a", scope: null }).reason;
  const by: "node:crypto" | "webcrypto" | null = q.verifiedBy;
  const nav: (NavItem & { label: string })[] = p.filterMenu([{ id: "x", label: "X", requires: { feature: "f", level: null } }]);
  const expires: Date = p.expiresAt;
  const serial: number = p.serial + p.levels.length;
  Permslip.denyAll("expired").free();
  try {
    Permslip.load(token, { jwks: keys, audience: "app" });
  } catch (err) {
    if (err instanceof PermslipError) {
      const c: ErrorCode = err.code;
    }
  }
  // @ts-expect-error lite has no profile()
  p.profile();
  // @ts-expect-error nor provenance
  p.explain({ permission: "a" }).via;
  void [kids, allowed, many, level, ids, message, by, nav, expires, serial];
}
void main;
`,
  );
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(consumer, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

// Reading `globalThis.Request` loads Node's fetch (undici), 20+ ms in a fresh process: a cold
// start through `init(bytes)` (bundlers, the benchmark) must not pay it.
test("init(bytes) and a load on Node never load fetch", () => {
  const script = `
    import { readFileSync } from "node:fs";
    const lite = await import(${JSON.stringify(pathToFileURL(join(ROOT, "pkg", "src", "lite.js")).href)});
    await lite.init(readFileSync(${JSON.stringify(join(ROOT, "pkg", "dist", "permslip_lite.wasm"))}));
    lite.KeySet.parse(${JSON.stringify(readFileSync(join(ROOT, "tests", "keys", "test-jwks.json"), "utf8"))});
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici/.test(m))));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), []);
});
