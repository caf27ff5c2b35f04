// Snapshot load in headless Chromium: the module's own Ed25519 (`Permslip.load`, synchronous)
// against WebCrypto's (`Permslip.loadAsync`), first call and warm medians, Amplify `member`
// against its shared catalogue bundle; and `permslip/lite` (`loadAsync`, WebCrypto) on the
// member's lite token. Each cold figure is a fresh page.
//   node benches/browser/load.mjs        (needs pkg/dist: scripts/build-wasm.sh; the CLI:
//                                         cargo build --features cli; Chromium: scripts/setup.sh)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../../tests/browser/server.mjs";
import { ROOT } from "../../tests/js/helpers.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];
const PAGES = Number(process.env.PAGES ?? 7);

const read = (...p) => readFileSync(join(ROOT, ...p), "utf8").trim();
const fixtures = {
  jwks: read("tests", "keys", "test-jwks.json"),
  catalogue: read("tests", "golden", "amplify", "catalogue.jwt"),
  token: read("tests", "golden", "amplify", "member.jwt"),
  // Valid for a day from now: the lite page reads the real clock.
  lite: execFileSync(join(ROOT, "target", "debug", "permslip"), [
    "issue", "--format", "lite", "--subject", "member", "--ttl", "86400",
    "--model", join(ROOT, "examples", "amplify", "model.json"),
    "--directory", join(ROOT, "examples", "amplify", "directory.json"),
    "--key", join(ROOT, "tests", "keys", "test-private.jwk.json"),
  ], { encoding: "utf8" }).trim(),
};

// Runs in the page: `which` is "sync" (load first) or "async" (loadAsync first).
const page = `
import * as permslip from "/pkg/src/init.js";
const f = await (await fetch("/fixtures.json")).json();
await permslip.init();
const keys = permslip.KeySet.parse(f.jwks);
const options = { jwks: keys, audience: "permslip-demo", now: Date.UTC(2026, 0, 1) };
const which = new URL(location.href).searchParams.get("first");
let t = performance.now();
const catalogue = which === "async" ? await permslip.Catalogue.loadAsync(f.catalogue, options) : permslip.Catalogue.load(f.catalogue, options);
const catalogueFirst = performance.now() - t;
options.catalogue = catalogue;
t = performance.now();
const first = which === "async" ? await permslip.Permslip.loadAsync(f.token, options) : permslip.Permslip.load(f.token, options);
const snapshotFirst = performance.now() - t;
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
async function warm(fn, n) {
  for (let i = 0; i < 50; i++) (await fn()).free();
  const xs = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    (await fn()).free();
    xs.push(performance.now() - a);
  }
  return median(xs);
}
// Chromium's performance.now() is coarsened (5 us at least): time batches, not single calls.
async function batch(fn, n, reps) {
  const xs = [];
  for (let r = 0; r < reps; r++) {
    const a = performance.now();
    for (let i = 0; i < n; i++) (await fn()).free();
    xs.push((performance.now() - a) / n);
  }
  return median(xs);
}
await warm(() => permslip.Permslip.load(f.token, options), 10);
// permslip/lite: its own module (fetched and compiled by the first loadAsync), WebCrypto.
const lite = await import("/pkg/src/lite.js");
const liteOptions = { jwks: lite.KeySet.parse(f.jwks), audience: "permslip-demo" };
t = performance.now();
const liteFirstChecker = await lite.Permslip.loadAsync(f.lite, liteOptions);
const liteFirst = performance.now() - t;
window.result = {
  liteBy: liteFirstChecker.verifiedBy,
  liteFirst,
  liteWarm: await batch(() => lite.Permslip.loadAsync(f.lite, liteOptions), 200, 9),
  by: first.verifiedBy,
  catalogueFirst,
  snapshotFirst,
  syncWarm: await batch(() => permslip.Permslip.load(f.token, options), 200, 9),
  asyncWarm: await batch(() => permslip.Permslip.loadAsync(f.token, options), 200, 9),
  userAgent: navigator.userAgent,
};
`;

const server = await serve(
  { "/pkg/": join(ROOT, "pkg") },
  {
    "/index.html": `<!doctype html><meta charset="utf-8"><script type="module" src="/page.mjs"></script>`,
    "/page.mjs": page,
    "/fixtures.json": JSON.stringify(fixtures),
  },
);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
const runs = { sync: [], async: [] };
try {
  for (let i = 0; i < PAGES; i++) {
    for (const first of ["sync", "async"]) {
      const p = await browser.newPage();
      await p.goto(`${server.url}/index.html?first=${first}`);
      await p.waitForFunction(() => window.result !== undefined, null, { timeout: 120_000 });
      runs[first].push(await p.evaluate(() => window.result));
      await p.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}

const med = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => `${x.toFixed(2)} ms`;
const us = (x) => `${(x * 1000).toFixed(0)} µs`;
const all = [...runs.sync, ...runs.async];
console.log(`${all[0].userAgent}; ${PAGES} fresh pages per column; medians`);
console.log("");
console.log("| Chromium, Amplify `member` | `load` (wasm Ed25519) | `loadAsync` (WebCrypto Ed25519) | lite `loadAsync` (WebCrypto) |");
console.log("|---|---:|---:|---:|");
console.log(`| verified by | ${runs.sync[0].by} | ${runs.async[0].by} | ${all[0].liteBy} |`);
console.log(`| first catalogue bundle load in a page | ${ms(med(runs.sync.map((r) => r.catalogueFirst)))} | ${ms(med(runs.async.map((r) => r.catalogueFirst)))} | – |`);
console.log(`| first snapshot load (lite: its module's fetch and compile included) | ${ms(med(runs.sync.map((r) => r.snapshotFirst)))} | ${ms(med(runs.async.map((r) => r.snapshotFirst)))} | ${ms(med(all.map((r) => r.liteFirst)))} |`);
console.log(`| warm snapshot load | ${us(med(all.map((r) => r.syncWarm)))} | ${us(med(all.map((r) => r.asyncWarm)))} | ${us(med(all.map((r) => r.liteWarm)))} |`);
