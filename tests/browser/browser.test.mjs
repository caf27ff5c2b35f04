// (b) Headless Chromium: the packed and installed package, loaded with no build step, answers
// the shared decision table and the battery exactly as Node does, and decides the Ed25519 edge
// cases (tests/vectors/ed25519.json) as verify_strict does with WebCrypto and with wasm; its
// `permslip/lite` entry answers the lite battery (tests/js/lite-battery.mjs) exactly as Node.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as permslip from "permslip";
import * as lite from "permslip/lite";
import { chromium } from "playwright-core";
import { battery } from "../js/battery.mjs";
import { canonical, runTable } from "../js/decisions.mjs";
import { COMBOS, mismatches } from "../js/ed25519.mjs";
import { differences, invariants, liteBattery } from "../js/lite-battery.mjs";
import { liteFixtures } from "../js/lite-fixtures.mjs";
import { AUDIENCE, decisionFixtures, JWKS_JSON, NOW_MS, readJson, ROOT, sampleClaims, sampleNav, signWithJose } from "../js/helpers.mjs";
import { packAndInstall, resolveExport } from "../js/pack.mjs";
import { serve } from "./server.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// A browser's only platform Ed25519 is WebCrypto, which is async: `loadAsync` has it, `load`
// has none.
const PLATFORM_HAS = { load: false, loadAsync: true };

const packed = packAndInstall();
const skip = packed.skip ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: run scripts/setup.sh`);
after(() => packed.cleanup?.());

// One Chromium for every test here (each gets its own page), closed at the end.
let launched;
const launch = () => (launched ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS }));
after(async () => (await launched?.catch(() => null))?.close());

// Serves the installed package (its browser build of `exportPath` named `specifier` by an
// import map), tests/js and tests/browser, plus `files`; opens `page` (a path) running `script`
// in a fresh page, and waits for `window[resultVar]`. Returns what the page reported and every
// .wasm it fetched ([path, status, content type]); page and server are closed afterwards.
async function runInChromium({ exportPath, specifier, script, page: path, files, resultVar }) {
  const entry = resolveExport(packed.pkgDir, exportPath, ["browser", "import"]).replace(/^\.\//, "");
  const html = `<!doctype html><meta charset="utf-8"><title>${specifier}</title>
<script type="importmap">${JSON.stringify({ imports: { [specifier]: `/node_modules/permslip/${entry}` } })}</script>
<script type="module" src="${script}"></script>`;
  const server = await serve(
    {
      "/node_modules/permslip/": packed.pkgDir,
      "/tests/js/": join(ROOT, "tests", "js"),
      "/tests/browser/": join(ROOT, "tests", "browser"),
    },
    { [path]: html, ...files },
  );
  const browser = await launch();
  const page = await browser.newPage();
  try {
    const logs = [];
    page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
    const wasm = [];
    page.on("response", (r) => r.url().endsWith(".wasm") && wasm.push([new URL(r.url()).pathname, r.status(), r.headers()["content-type"]]));
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction((name) => window[name] !== undefined, resultVar, { timeout: 60_000 });
    const got = await page.evaluate((name) => window[name], resultVar);
    assert.equal(got.error, undefined, `${got.error}\n${logs.join("\n")}`);
    return { got, wasm, version: browser.version() };
  } finally {
    await page.close();
    await server.close();
  }
}

test("Chromium answers the decision table and the battery exactly as Node", { skip, timeout: 120_000 }, async (t) => {
  const decisions = decisionFixtures();
  const sample = {
    token: await signWithJose(sampleClaims()),
    jwks: JWKS_JSON,
    audience: AUDIENCE,
    now: NOW_MS,
    nav: sampleNav(),
  };
  const ed25519 = readJson("tests", "vectors", "ed25519.json");
  const fixtures = { sample, ed25519: { vectors: ed25519, combos: COMBOS } };
  if (!decisions.skip) Object.assign(fixtures, decisions, { jwks: JWKS_JSON, audience: AUDIENCE });
  else t.diagnostic(`decision table skipped in the browser: ${decisions.skip}`);

  const { got, wasm, version } = await runInChromium({
    exportPath: ".",
    specifier: "permslip",
    script: "/tests/browser/page.mjs",
    page: "/index.html",
    files: { "/fixtures.json": JSON.stringify(fixtures) },
    resultVar: "permslipResults",
  });
  assert.deepEqual(wasm.map(([, , type]) => type), ["application/wasm"], "the .wasm is fetched once, streamed");
  assert.equal(got.beforeInit, "not_initialized");
  assert.equal(got.initialized, true);

  const node = battery(permslip, sample);
  assert.equal(canonical(got.battery), canonical(node), "battery answers differ between Chromium and Node");

  if (fixtures.table) {
    const nodeTable = runTable(permslip, fixtures, JWKS_JSON, AUDIENCE);
    const failures = got.table.filter((r) => !r.ok).map((r) => `#${r.i} ${canonical(fixtures.table.cases[r.i].check)}: got ${canonical(r.got)}`);
    assert.deepEqual(failures, [], "decision table failures in Chromium");
    assert.equal(canonical(got.table), canonical(nodeTable), "decision table answers differ between Chromium and Node");
    t.diagnostic(`${got.table.length} decision cases identical in Chromium and Node`);
  }

  t.diagnostic(`Chromium ${version} (${got.userAgent})`);
  await t.test("Ed25519 edge cases: WebCrypto (loadAsync) and wasm decide every case as verify_strict", () => {
    assert.equal(got.subtleEd25519, true, `Chromium's WebCrypto refuses an Ed25519 key: ${got.subtleEd25519}`);
    const rows = got.ed25519;
    assert.deepEqual(mismatches(rows, ed25519, PLATFORM_HAS, "webcrypto"), [], "Ed25519 edge cases in Chromium");
    const ok = rows.filter((r) => r.got === "ok");
    t.diagnostic(
      `${rows.length} Ed25519 rows as expected in Chromium (${ok.filter((r) => r.by === "webcrypto").length} accepted by webcrypto, ${ok.filter((r) => r.by === "wasm").length} by wasm)`,
    );
  });
});

test("Chromium answers the lite battery (permslip/lite) exactly as Node", { skip, timeout: 120_000 }, async (t) => {
  const fixtures = liteFixtures();
  if (fixtures.skip) return t.skip(fixtures.skip);
  const node = await liteBattery(lite, fixtures);
  assert.deepEqual(invariants(node.record), [], "the Node reference itself");
  assert.deepEqual(node.platform, { verifiedBy: ["node:crypto"], syncLoad: "no error" });

  const { got, wasm } = await runInChromium({
    exportPath: "./lite",
    specifier: "permslip/lite",
    script: "/tests/browser/lite-page.mjs",
    page: "/lite.html",
    files: { "/lite-fixtures.json": JSON.stringify(fixtures) },
    resultVar: "permslipLiteResults",
  });
  assert.deepEqual(
    wasm,
    [["/node_modules/permslip/dist/permslip_lite.wasm", 200, "application/wasm"]],
    "the lite module is fetched once, next to src/lite.js, and nothing else",
  );
  assert.equal(got.subtleEd25519, true, `Chromium's WebCrypto refuses an Ed25519 key: ${got.subtleEd25519}`);
  assert.equal(got.beforeInit, "not_initialized", "Permslip.load before the module is compiled");
  assert.equal(got.keySetBeforeInit, "no error", "KeySet.parse before the module is compiled");
  assert.equal(got.afterInit, "platform_unavailable", "Permslip.load (sync) once compiled");
  assert.deepEqual(got.platform, { verifiedBy: ["webcrypto"], syncLoad: "platform_unavailable" }, "loadAsync verified with WebCrypto");
  assert.deepEqual(invariants(got.record), [], "the lite battery's invariants in Chromium");
  assert.deepEqual(differences(node.record, got.record), [], "lite battery answers differ between Node and Chromium");
  assert.equal(canonical(got.record), canonical(node.record));
  const users = Object.keys(node.record.users).length;
  t.diagnostic(
    `lite battery identical in Chromium and Node: ${users} users, ${got.record.table.length} decision cases, ${(JSON.stringify(got.record).length / 1e6).toFixed(1)} MB of answers`,
  );
});
