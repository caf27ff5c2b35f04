// The JS API's own contracts: handles and batches agree with `can`, strings cross into wasm at
// most once per name, `filterMenu` makes one crossing per call and shares unchanged items,
// key sets are reusable, `free` works, init is idempotent.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HANDLE_DENY, init, initSync, isInitialized, KeySet, Permslip } from "permslip";
// The glue is internal; tests reach it only to count crossings into wasm.
import { WasmChecker } from "../../pkg/dist/permslip.js";
import { AUDIENCE, JWKS_JSON, NOW_MS, sampleClaims, sampleNav, signWithJose } from "./helpers.mjs";
import { visibleIds } from "./decisions.mjs";

const token = await signWithJose(sampleClaims());
const load = () => Permslip.load(token, { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS });

function counting(fn) {
  const counts = {};
  const saved = {};
  for (const name of Object.getOwnPropertyNames(WasmChecker.prototype)) {
    const original = WasmChecker.prototype[name];
    if (typeof original !== "function" || name === "constructor") continue;
    saved[name] = original;
    WasmChecker.prototype[name] = function (...args) {
      counts[name] = (counts[name] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    Object.assign(WasmChecker.prototype, saved);
  }
  return counts;
}

test("init is idempotent in Node (the node entry initialises at import)", async () => {
  assert.equal(isInitialized(), true);
  await init();
  initSync({ module: new Uint8Array(0) }); // ignored: already initialised
  assert.equal(load().can("reports.view"), true);
});

test("a name crosses into wasm once; answers are memoised per checker", () => {
  const p = load();
  const counts = counting(() => {
    for (let i = 0; i < 100; i++) {
      assert.equal(p.can("reports.view"), true);
      assert.equal(p.can("fax.send_from", "+15550100"), true);
      assert.equal(p.can("fax.send_from", "+15550199"), false);
      assert.equal(p.canFeature("documents", "edit"), true);
      assert.equal(p.featureLevel("documents"), "editor");
    }
  });
  assert.deepEqual(counts, { permission_handle: 3, check: 3, can_feature: 1, feature_level: 1 });
});

test("handles, checkMany and can agree; unknown names get HANDLE_DENY", () => {
  const p = load();
  const names = [["reports.view"], ["fax.send_from", "+15550100"], ["fax.send_from", "+1"], ["connect.call"], ["nope"]];
  const handles = Uint32Array.from(names.map(([a, b]) => p.handle(a, b)));
  assert.equal(p.handle("nope"), HANDLE_DENY);
  assert.equal(p.featureHandle("nope"), HANDLE_DENY);
  assert.equal(p.featureHandle("documents", "no-such-level"), HANDLE_DENY);
  const answers = p.checkMany(handles);
  assert.ok(answers instanceof Uint8Array);
  assert.deepEqual([...answers], names.map(([a, b]) => (p.can(a, b) ? 1 : 0)));
  assert.deepEqual([...answers], [1, 1, 0, 0, 0]);
  // Batches larger than the scratch area are answered in chunks.
  const big = new Uint32Array(10_000).fill(handles[0]);
  big[9_999] = handles[2];
  const many = p.checkMany(big);
  assert.equal(many.length, 10_000);
  assert.equal(many.reduce((a, b) => a + b, 0), 9_999);
  assert.deepEqual([...p.checkMany(new Uint32Array(0))], []);
  // A handle from another checker is only a number: it answers for this checker's data or denies.
  const other = load();
  assert.equal(other.check(p.handle("reports.view")), true);
});

test("filterMenu: one crossing for the first call, none after, same semantics as Rust, unchanged items shared", () => {
  const p = load();
  const nav = sampleNav();
  let result;
  const first = counting(() => (result = p.filterMenu(nav)));
  assert.equal(first.check_batch, 1);
  assert.equal(first.check, undefined);
  const second = counting(() => p.filterMenu(nav));
  assert.deepEqual(second, {}, "handles and answers are cached per tree");
  assert.deepEqual(p.filterMenu(nav), result, "same result every call");
  assert.notEqual(p.filterMenu(nav), result, "a fresh array every call");

  assert.deepEqual(visibleIds(result), ["reports", "reports/view", "reports/export", "fax", "fax/send", "fax/from-main", "docs", "help"]);
  // Unchanged subtrees are the input objects; a group that lost children is a copy.
  assert.equal(result[0], nav[0]);
  assert.notEqual(result[1], nav[1]);
  assert.equal(result[1].children[0], nav[1].children[0]);
  assert.equal(result[1].children.length, 2);
  assert.equal(nav[1].children.length, 4, "the input is not changed");
  assert.equal(result[2], nav[3]);
  assert.equal(result[2].href, "/docs", "extra fields are kept");
  // Groups: no requirement and no visible child -> hidden; own requirement failing -> hidden.
  const tree = [
    { id: "empty-group", children: [{ id: "x", requires: { permission: "users.edit" } }] },
    { id: "denied-group", requires: { permission: "users.edit" }, children: [{ id: "y" }] },
    { id: "leaf-without-requirement" },
    { id: "group-with-empty-children", children: [] },
  ];
  assert.deepEqual(visibleIds(p.filterMenu(tree)), ["leaf-without-requirement", "group-with-empty-children"]);
});

test("KeySet: parsed once and reused; a JWKS string is cached", () => {
  const keys = KeySet.parse(JWKS_JSON);
  assert.deepEqual(keys.kids, ["test-1", "test-2"]);
  const a = Permslip.load(token, { jwks: keys, audience: AUDIENCE, now: NOW_MS });
  const b = Permslip.load(token, { jwks: JSON.parse(JWKS_JSON), audience: AUDIENCE, now: new Date(NOW_MS) });
  assert.equal(a.can("fax.send"), b.can("fax.send"));
});

test("free releases the checker; using it afterwards throws `freed`", () => {
  const p = load();
  p.free();
  assert.throws(() => p.can("reports.view"), { code: "freed" });
  assert.throws(() => p.check(0), { code: "freed" });
  assert.throws(() => p.handle("reports.view"), { code: "freed" });
  assert.throws(() => p.filterMenu([]), { code: "freed" });
  assert.throws(() => p.explain({ permission: "x" }), { code: "freed" });
  p.free();
});
