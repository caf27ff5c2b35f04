// (a5) Bad input from JS (null, numbers, huge strings, malformed trees, forged handles) gives a
// typed PermslipError or a deny; never a wasm trap, and the module keeps working afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KeySet, Permslip, PermslipError } from "permslip";
import { assertBadOptions, assertMenuRefusals, AUDIENCE, JWKS_JSON, NOW_MS, sampleClaims, signWithJose } from "./helpers.mjs";

const token = await signWithJose(sampleClaims());
const load = (t = token, extra = {}) => Permslip.load(t, { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS, ...extra });

function code(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PermslipError, `not a PermslipError: ${e?.stack ?? e}`);
    return e.code;
  }
  return "no error";
}

test("load: bad tokens and options", () => {
  for (const t of [null, undefined, 42, {}, [], true, Symbol.iterator]) {
    const c = code(() => Permslip.load(t, { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS }));
    assert.equal(c, "malformed", String(t?.toString?.() ?? t));
  }
  for (const t of ["", ".", "..", "a.b.c", "x".repeat(16 * 1024), "\u0000.\u0000.\u0000", "é.😀.\ud800"]) {
    assert.equal(code(() => load(t)), "malformed", JSON.stringify(t.slice(0, 20)));
  }
  assert.equal(code(() => load("x".repeat(50_000_000))), "too_large");
  assertBadOptions(Permslip, load, token, code);
  assert.equal(code(() => KeySet.parse(undefined)), "invalid_key_set");
  assert.throws(() => new Permslip(), TypeError);
  assert.throws(() => new KeySet(), TypeError);
});

test("checks: wrong types throw invalid_argument, unknown or huge names deny", () => {
  const p = load();
  for (const bad of [null, undefined, 5, {}, [], true]) {
    assert.equal(code(() => p.can(bad)), "invalid_argument");
    assert.equal(code(() => p.handle(bad)), "invalid_argument");
    assert.equal(code(() => p.can("reports.view", 5)), "invalid_argument");
    assert.equal(code(() => p.featureLevel(bad)), "invalid_argument");
    assert.equal(code(() => p.visible(bad)), "invalid_argument");
    assert.equal(code(() => p.canFeature("documents", bad)), "invalid_argument");
    assert.equal(code(() => p.canResource(bad, "view")), "invalid_argument");
    assert.equal(code(() => p.list(bad, "view")), "invalid_argument");
    assert.equal(code(() => p.explain(bad)), "invalid_argument");
    assert.equal(code(() => p.featureHandle(bad)), "invalid_argument");
  }
  for (const bad of [null, undefined, "1", 1.5, -1, 2 ** 32, NaN, {}]) {
    assert.equal(code(() => p.check(bad)), "invalid_argument", String(bad));
  }
  for (const bad of [null, [1, 2], new Uint8Array(2), new Int32Array(2), "x"]) {
    assert.equal(code(() => p.checkMany(bad)), "invalid_argument");
  }
  assert.equal(code(() => p.explain({})), "invalid_argument");
  assert.equal(code(() => p.explain({ feature: "documents" })), "invalid_argument");

  const huge = "reports.view" + "x".repeat(5_000_000);
  assert.equal(p.can(huge), false);
  assert.equal(p.can("fax.send_from", huge), false);
  assert.equal(p.handle(huge), 0xffffffff);
  assert.equal(p.featureLevel(huge), null);
  assert.equal(p.canFeature(huge, "view"), false);
  assert.equal(p.canFeature("documents", huge), false);
  assert.deepEqual(p.list("documents", huge), []);
  assert.equal(p.explain({ permission: huge }).reason, "unknown_permission");
  assert.equal(p.explain({ feature: huge, action: "view" }).reason, "unknown_feature");
  assert.equal(p.explain({ feature: "documents", action: huge }).reason, "unknown_action");
  assert.equal(p.explain({ feature: "nope", action: huge }).reason, "unknown_feature");
  assert.equal(p.explain({ resource: huge, action: "view" }).reason, "unknown_resource");
  for (const odd of ["", "\u0000", "\ud800", "\udfff\ud800", "😀", "reports.view\u0000"]) {
    assert.equal(p.can(odd), false);
    assert.equal(p.can("fax.send_from", odd), false);
    assert.equal(p.can(odd, odd), false);
    assert.equal(p.canFeature(odd, odd), false);
    assert.equal(p.explain({ permission: odd, scope: odd }).allowed, false);
    assert.equal(p.explain({ feature: odd, action: odd }).allowed, false);
  }
  // Forged handles answer, never trap.
  let x = 0x9e3779b9;
  for (let i = 0; i < 20000; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    assert.equal(typeof p.check(x), "boolean");
  }
  const forged = new Uint32Array(10000).map((_, i) => (i * 2654435761) >>> 0);
  assert.equal(p.checkMany(forged).length, 10000);
  assert.equal(p.can("reports.view"), true, "still works");
});

test("filterMenu: malformed trees give invalid_menu or limit_exceeded", () => {
  const p = load();
  assertMenuRefusals(p, code, "reports.view");
});

test("random tokens never trap", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  const parts = token.split(".");
  for (let i = 0; i < 300; i++) {
    let t;
    if (i % 3 === 0) {
      t = Array.from({ length: Math.floor(rand() * 400) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    } else {
      // Mutate one character of a real token.
      const which = Math.floor(rand() * 3);
      const part = parts[which];
      const at = Math.floor(rand() * part.length);
      const mutated = part.slice(0, at) + alphabet[Math.floor(rand() * 64)] + part.slice(at + 1);
      t = parts.map((x, j) => (j === which ? mutated : x)).join(".");
    }
    const c = code(() => load(t));
    assert.notEqual(c, "internal", t);
  }
  assert.equal(load().can("reports.view"), true, "still works");
});

test("names longer than the token: answered without Rust, exactly as Rust answers", () => {
  const p = load();
  const long = "v".repeat(token.length + 10);
  // An unscoped grant covers every value, however long (fax.send is granted unscoped).
  assert.equal(p.can("fax.send", long), true);
  assert.equal(p.check(p.handle("fax.send", long)), true);
  assert.deepEqual(p.explain({ permission: "fax.send", scope: long }).reason, p.explain({ permission: "fax.send", scope: "nope" }).reason);
  // A scoped-only grant does not.
  assert.equal(p.can("fax.send_from", long), false);
  assert.equal(p.explain({ permission: "fax.send_from", scope: long }).reason, "scope_not_granted");
  // Unknown long names are worded as a short unknown name is (src/engine/wording.rs).
  const same = (query, short, longName) => {
    const want = p.explain(short(("nope")));
    const got = p.explain(short(longName));
    assert.equal(got.reason, want.reason, JSON.stringify(query));
    assert.equal(got.message, want.message.replaceAll("nope", longName));
    assert.equal(got.query, want.query.replaceAll("nope", longName));
  };
  same("permission", (n) => ({ permission: n }), long);
  same("feature", (n) => ({ feature: n, action: "view" }), long);
  same("resource", (n) => ({ resource: n, action: "view" }), long);
  same("action on a feature", (n) => ({ feature: "documents", action: n }), long);
  same("action on a resource", (n) => ({ resource: "doc-1", action: n }), long);
  same("action on an unknown feature", (n) => ({ feature: n, action: n }), long);
});
