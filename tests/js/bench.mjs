// Size and speed of the npm package in Node: prints a markdown table (not a test; no timing
// assertions). Run after scripts/build-wasm.sh:  node tests/js/bench.mjs
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { Catalogue, KeySet, Permslip } from "permslip";
import { visibleIds, timeInside } from "./decisions.mjs";
import { AUDIENCE, GOLDEN_DIR, JWKS_JSON, NOW_MS, ROOT, readJson, sampleClaims, signWithJose } from "./helpers.mjs";

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ns per call of `fn` over `n` calls (after a warm-up), RUNS runs. */
function perCall(n, fn) {
  fn(n); // warm-up: lets V8 optimise
  const samples = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    fn(n);
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(samples);
}

const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(1)} ns`);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
const row = (what, value, target = "", note = "") => rows.push([what, value, target, note]);

// ---- sizes ----
const wasmPath = join(ROOT, "pkg", "dist", "permslip_bg.wasm");
const wasm = readFileSync(wasmPath);
const glue = readFileSync(join(ROOT, "pkg", "dist", "permslip.js"));
const core = readFileSync(join(ROOT, "pkg", "src", "core.js"));
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
row(".wasm raw / gzip -9 / brotli 11", `${kib(wasm.length)} / ${kib(gzipSync(wasm, { level: 9 }).length)} / ${kib(br(wasm))}`, "≤ 60 KB brotli");
row("JS (glue + wrapper) brotli", kib(br(glue) + br(core)));

// ---- compile + instantiate ----
const stubs = {};
for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(wasm))) {
  stubs[imp.module] ??= {};
  stubs[imp.module][imp.name] = () => {};
}
const compile = perCall(20, (n) => {
  for (let i = 0; i < n; i++) new WebAssembly.Module(wasm);
});
const module = new WebAssembly.Module(wasm);
const instantiate = perCall(200, (n) => {
  for (let i = 0; i < n; i++) new WebAssembly.Instance(module, stubs);
});
row("compile (sync, `new WebAssembly.Module`)", fmtNs(compile));
row("instantiate", fmtNs(instantiate));

// Cold start in a fresh process: import the node entry (reads, compiles and instantiates the
// .wasm), then the first load and check (V8 compiles wasm functions lazily, on first use).
const coldScript = `
const t0 = performance.now();
const { Permslip, KeySet } = await import("permslip");
const t1 = performance.now();
const [token, jwks, now] = process.argv.slice(1);
const p = Permslip.load(token, { jwks: KeySet.parse(jwks), audience: "${AUDIENCE}", now: Number(now) });
p.can("reports.view");
const t2 = performance.now();
console.log(JSON.stringify([t1 - t0, t2 - t1]));`;
const coldToken = await signWithJose(sampleClaims());
const cold = Array.from({ length: 5 }, () =>
  JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", coldScript, coldToken, JWKS_JSON, String(NOW_MS)], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ),
);
row("cold: `import \"permslip\"` in Node (read + compile + instantiate)", fmtNs(median(cold.map((c) => c[0])) * 1e6), "", "fresh process");
row("cold: first `load` + `can` after import", fmtNs(median(cold.map((c) => c[1])) * 1e6), "", "includes lazy wasm compilation");

// ---- load ----
const golden = (example, user) => readFileSync(join(GOLDEN_DIR, example, `${user}.jwt`), "utf8").trim();
const keys = KeySet.parse(JWKS_JSON);
row("KeySet.parse (2 Ed25519 keys)", fmtNs(perCall(200, (n) => { for (let i = 0; i < n; i++) KeySet.parse(JWKS_JSON); })));
let inline, bundled, bundle, catalogue;
try {
  inline = golden("ampliflow", "member");
  bundled = golden("amplify", "member");
  bundle = golden("amplify", "catalogue");
  catalogue = Catalogue.load(bundle, { jwks: keys, audience: AUDIENCE, now: timeInside(bundle) });
} catch {
  inline = await signWithJose(sampleClaims());
}
const opts = (token, extra) => ({ jwks: keys, audience: AUDIENCE, now: token === inline && !bundle ? NOW_MS : timeInside(token), ...extra });
row(
  `load: snapshot with inline catalogue (${inline.length} B)`,
  fmtNs(perCall(200, (n) => { for (let i = 0; i < n; i++) Permslip.load(inline, opts(inline)).free(); })),
  "≤ 250 µs",
  "verify + compile",
);
if (bundle) {
  row(
    `load: catalogue bundle (${bundle.length} B), once per model`,
    fmtNs(perCall(100, (n) => { for (let i = 0; i < n; i++) Catalogue.load(bundle, opts(bundle)); })),
  );
  row(
    `load: snapshot naming the bundle (${bundled.length} B)`,
    fmtNs(perCall(200, (n) => { for (let i = 0; i < n; i++) Permslip.load(bundled, opts(bundled, { catalogue })).free(); })),
    "≤ 250 µs",
  );
}

// ---- checks ----
const p = bundle ? Permslip.load(bundled, opts(bundled, { catalogue })) : Permslip.load(inline, opts(inline));
const pFixed = bundle
  ? Permslip.load(bundled, opts(bundled, { catalogue, now: timeInside(bundled) }))
  : Permslip.load(inline, opts(inline));
const names = bundle ? ["fax.send", "reports.view", "reports.export", "fax.approve"] : ["reports.view", "fax.send", "users.edit", "nope"];
for (const nm of names) p.can(nm);
const handles = names.map((nm) => p.handle(nm));
const N = 5_000_000;
let sink = 0;

const emptyLoop = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += i & 3; });
const dateNow = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += Date.now() & 1; });
const byHandle = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += p.check(handles[i & 3]) ? 1 : 0; });
const byHandleTestClock = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += pFixed.check(handles[i & 3]) ? 1 : 0; });
const byString = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += p.can(names[i & 3]) ? 1 : 0; });
const scopedName = bundle ? ["fax.send_from", "+15550100"] : ["fax.send_from", "+15550100"];
p.can(...scopedName);
const byScoped = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += p.can(scopedName[0], scopedName[1]) ? 1 : 0; });
const feature = bundle ? "contacts" : "documents";
const canFeature = perCall(N, (n) => { for (let i = 0; i < n; i++) sink += p.canFeature(feature, "view") ? 1 : 0; });
row("baseline: empty loop iteration", fmtNs(emptyLoop));
row("baseline: `Date.now()`", fmtNs(dateNow), "", "why checks use a coarse clock");
row("`check(handle)`", fmtNs(byHandle), "≤ 15 ns", "coarse clock");
row("`check(handle)` with a `now` function", fmtNs(byHandleTestClock), "", "clock read on every call");
row("`can(permission)` by string (cached)", fmtNs(byString), "≤ 50 ns");
row("`can(permission, scope)` (cached)", fmtNs(byScoped), "≤ 50 ns");
row("`canFeature(feature, action)` (cached)", fmtNs(canFeature));
const fresh = Array.from({ length: 8192 }, (_, i) => `not.a.permission.${i}`);
const firstCan = perCall(8000, (n) => { for (let i = 0; i < n; i++) sink += p.can(fresh[i & 8191]) ? 1 : 0; });
row("`can(permission)`, first call for a name", fmtNs(firstCan), "", "the name crosses once, then memoised");

// ---- menus ----
function menuOf(nav, limit) {
  // The first `limit` items of a navigation tree in pre-order, structure kept.
  let count = 0;
  const take = (items) => {
    const out = [];
    for (const item of items) {
      if (count >= limit) break;
      count++;
      const copy = { ...item };
      if (Array.isArray(item.children)) copy.children = take(item.children);
      out.push(copy);
    }
    return out;
  };
  return take(nav);
}
const model = readJson("examples", bundle ? "amplify" : "ampliflow", "model.json");
let menu = menuOf(model.nav ?? [], 40);
let menuSize = 0;
const countItems = (items) => items.forEach((i) => { menuSize++; if (i.children) countItems(i.children); });
countItems(menu);
if (menuSize < 40) {
  menu = Array.from({ length: 8 }, (_, g) => ({
    id: `g${g}`,
    children: Array.from({ length: 4 }, (_, l) => ({ id: `g${g}/${l}`, requires: { permission: names[(g + l) & 3] } })),
  }));
  menuSize = 40;
}
const menuHandles = new Uint32Array(40).map((_, i) => handles[i & 3]);
const copies = Array.from({ length: 2000 }, () => structuredClone(menu));
const filterFirst = perCall(2000, (n) => { for (let i = 0; i < n; i++) sink += p.filterMenu(copies[i % 2000]).length; });
const many = perCall(500_000, (n) => { for (let i = 0; i < n; i++) sink += p.checkMany(menuHandles)[0]; });
const filter = perCall(200_000, (n) => { for (let i = 0; i < n; i++) sink += p.filterMenu(menu).length; });
const oneByOne = perCall(200_000, (n) => {
  for (let i = 0; i < n; i++) for (let j = 0; j < 40; j++) sink += p.check(menuHandles[j]) ? 1 : 0;
});
row("`checkMany` of 40 handles", fmtNs(many), "≤ 1 µs", "one crossing");
row(`\`filterMenu\` of a ${menuSize}-item menu, first call for the tree`, fmtNs(filterFirst), "≤ 1 µs", "flatten, resolve, one crossing, rebuild");
row(`\`filterMenu\` of the same menu again`, fmtNs(filter), "≤ 1 µs", `no crossing; ${visibleIds(p.filterMenu(menu)).length} of ${menuSize} visible`);
row("40 × `check(handle)`, for comparison", fmtNs(oneByOne));

console.log(`permslip npm package, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| measure | value | target | note |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
if (sink === 42) console.log("");
