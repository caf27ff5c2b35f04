// (c) workerd (npm `workerd`): a worker importing the packed and installed package through its
// `workerd` export answers checks over HTTP on 127.0.0.1, identically to Node, and decides the
// Ed25519 edge cases (tests/vectors/ed25519.json) as verify_strict does with WebCrypto and wasm;
// through `permslip/lite` (its module imported as `permslip/lite/wasm` and given to `init`) it
// answers the lite battery (tests/js/lite-battery.mjs) exactly as Node.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as permslip from "permslip";
import * as lite from "permslip/lite";
import workerd from "workerd";
import { battery } from "../js/battery.mjs";
import { canonical, runTable } from "../js/decisions.mjs";
import { COMBOS, mismatches } from "../js/ed25519.mjs";
import { differences, invariants, liteBattery } from "../js/lite-battery.mjs";
import { liteFixtures } from "../js/lite-fixtures.mjs";
import { AUDIENCE, decisionFixtures, JWKS_JSON, NOW_MS, readJson, ROOT, sampleClaims, sampleNav, signWithJose } from "../js/helpers.mjs";
import { packAndInstall, resolveExport } from "../js/pack.mjs";

// workerd's only platform Ed25519 is WebCrypto, which is async: `loadAsync` has it, `load` has
// none.
const PLATFORM_HAS = { load: false, loadAsync: true };

const packed = packAndInstall();
after(() => packed.cleanup?.());

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name));
}

// The worker's modules, named by their path in the consumer project, as a bundler-free
// deployment would upload them; "permslip" is resolved through the package's exports map.
function config(dir, port, flags = [], date = "2025-01-01") {
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  const entry = resolveExport(packed.pkgDir, ".", ["workerd", "worker", "browser", "import"]);
  writeFileSync(join(dir, "permslip-entry.js"), `export * from "./node_modules/permslip/${entry.replace(/^\.\//, "")}";\n`);
  modules.push(`(name = "permslip", esModule = embed "permslip-entry.js")`);
  // `permslip/lite` and its module as a bundler would resolve them through the exports map.
  const lite = resolveExport(packed.pkgDir, "./lite", ["workerd", "worker", "browser", "import"]).replace(/^\.\//, "");
  writeFileSync(join(dir, "permslip-lite-entry.js"), `export * from "/node_modules/permslip/${lite}";\n`);
  modules.push(`(name = "permslip/lite", esModule = embed "permslip-lite-entry.js")`);
  const liteWasm = resolveExport(packed.pkgDir, "./lite/wasm", ["workerd", "worker", "browser", "import"]).replace(/^\.\//, "");
  modules.push(`(name = "permslip/lite/wasm", wasm = embed "node_modules/permslip/${liteWasm}")`);
  for (const file of files(packed.pkgDir)) {
    const name = relative(dir, file);
    if (file.endsWith(".wasm")) modules.push(`(name = "${name}", wasm = embed "${name}")`);
    else if (file.endsWith(".js")) modules.push(`(name = "${name}", esModule = embed "${name}")`);
  }
  for (const name of ["tests/js/battery.mjs", "tests/js/decisions.mjs", "tests/js/ed25519.mjs", "tests/js/lite-battery.mjs"]) {
    modules.push(`(name = "${name}", esModule = embed "${name}")`);
  }
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")}
  ],
  bindings = [
    (name = "JWKS", text = ${JSON.stringify(JWKS_JSON)}),
    (name = "AUDIENCE", text = "${AUDIENCE}"),
  ],
  compatibilityDate = "${date}",
  compatibilityFlags = ${JSON.stringify(flags)},
);
`;
}

let copied = false;

// Starts workerd serving worker.js with `flags` on a free port; resolves to `{ base, stop }`.
async function startWorkerd(flags = [], date = "2025-01-01") {
  const dir = packed.consumer;
  if (!copied) {
    mkdirSync(join(dir, "tests", "js"), { recursive: true });
    copyFileSync(join(ROOT, "tests", "workerd", "worker.js"), join(dir, "worker.js"));
    for (const f of ["battery.mjs", "decisions.mjs", "ed25519.mjs", "lite-battery.mjs"]) copyFileSync(join(ROOT, "tests", "js", f), join(dir, "tests", "js", f));
    copied = true;
  }
  const port = await freePort();
  const file = `config-${port}.capnp`;
  writeFileSync(join(dir, file), config(dir, port, flags, date));

  const child = spawn(workerd.default ?? workerd, ["serve", file], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const stop = async () => {
    // Stop workerd by its PID (never by name).
    if (child.exitCode === null) process.kill(child.pid, "SIGTERM");
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  };
  const base = `http://127.0.0.1:${port}`;
  // Wait for the socket (workerd compiles the worker first).
  let ready = false;
  for (let i = 0; i < 200 && !ready && child.exitCode === null; i++) {
    try {
      await fetch(`${base}/`);
      ready = true;
    } catch {
      await sleep(100);
    }
  }
  if (!ready) {
    await stop();
    assert.fail(`workerd did not start:\n${output}`);
  }
  return { base, stop };
}

let liteFixturesOnce; // the lite fixtures, issued once
let liteReference; // Node's lite battery over them, computed once

// Node's lite battery and the worker's (POST /lite) for the same fixtures; null when lite
// tokens cannot be had.
async function liteRun(t, base) {
  const fixtures = (liteFixturesOnce ??= liteFixtures());
  if (fixtures.skip) {
    t.skip(fixtures.skip);
    return null;
  }
  const node = (liteReference ??= await liteBattery(lite, fixtures));
  assert.deepEqual(invariants(node.record), [], "the Node reference itself");
  assert.deepEqual(node.platform, { verifiedBy: ["node:crypto"], syncLoad: "no error" });
  const res = await fetch(`${base}/lite`, { method: "POST", body: JSON.stringify(fixtures) });
  const got = await res.json();
  assert.equal(res.status, 200, got.message);
  assert.equal(got.moduleIsCompiled, true, "importing permslip/lite/wasm yields a WebAssembly.Module");
  assert.deepEqual(invariants(got.record), [], "the lite battery's invariants in workerd");
  assert.deepEqual(differences(node.record, got.record), [], "lite battery answers differ between Node and workerd");
  assert.equal(canonical(got.record), canonical(node.record));
  return got;
}

test("workerd answers checks over HTTP exactly as Node", { skip: packed.skip, timeout: 120_000 }, async (t) => {
  const { base, stop } = await startWorkerd();
  try {
    const sample = { token: await signWithJose(sampleClaims()), jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS, nav: sampleNav() };
    const can = async (permission, scope) => {
      const q = new URLSearchParams({ token: sample.token, now: String(NOW_MS), permission, ...(scope ? { scope } : {}) });
      return (await fetch(`${base}/can?${q}`)).json();
    };
    assert.deepEqual(await can("reports.view"), { subject: "ada", allow: true, reason: "granted" });
    assert.deepEqual(await can("fax.send_from", "+15550199"), { subject: "ada", allow: false, reason: "scope_not_granted" });
    assert.deepEqual(await can("connect.call"), { subject: "ada", allow: false, reason: "product_off" });
    const bad = await (await fetch(`${base}/can?token=a.b.c&now=${NOW_MS}&permission=x`)).json();
    assert.equal(bad.error, "malformed");

    const decisions = decisionFixtures();
    const ed25519 = readJson("tests", "vectors", "ed25519.json");
    const fixtures = { sample, ed25519: { vectors: ed25519, combos: COMBOS } };
    if (!decisions.skip) Object.assign(fixtures, decisions, { jwks: JWKS_JSON, audience: AUDIENCE });
    else t.diagnostic(`decision table skipped in workerd: ${decisions.skip}`);
    const res = await fetch(`${base}/run`, { method: "POST", body: JSON.stringify(fixtures) });
    const got = await res.json();
    assert.equal(res.status, 200, got.message);
    assert.equal(got.initialized, true);
    assert.equal(canonical(got.battery), canonical(battery(permslip, sample)), "battery answers differ between workerd and Node");
    if (fixtures.table) {
      const failures = got.table.filter((r) => !r.ok).map((r) => `#${r.i}: ${canonical(r.got)}`);
      assert.deepEqual(failures, [], "decision table failures in workerd");
      assert.equal(canonical(got.table), canonical(runTable(permslip, fixtures, JWKS_JSON, AUDIENCE)));
      t.diagnostic(`${got.table.length} decision cases identical in workerd and Node`);
    }

    t.diagnostic(execFileSync(workerd.default ?? workerd, ["--version"], { encoding: "utf8" }).trim());
    await t.test("Ed25519 edge cases: WebCrypto (loadAsync) and wasm decide every case as verify_strict", () => {
      assert.equal(got.subtleEd25519, true, `workerd's WebCrypto refuses an Ed25519 key: ${got.subtleEd25519}`);
      const rows = got.ed25519;
      assert.deepEqual(mismatches(rows, ed25519, PLATFORM_HAS, "webcrypto"), [], "Ed25519 edge cases in workerd");
      const ok = rows.filter((r) => r.got === "ok");
      t.diagnostic(
        `${rows.length} Ed25519 rows as expected in workerd (${ok.filter((r) => r.by === "webcrypto").length} accepted by webcrypto, ${ok.filter((r) => r.by === "wasm").length} by wasm)`,
      );
    });

    await t.test("permslip/lite: init(module), then the lite battery exactly as Node", async (t) => {
      const got = await liteRun(t, base);
      if (!got) return;
      assert.equal(got.beforeInit, "not_initialized", "Permslip.load before init(module)");
      assert.equal(got.takenAtOnce, "platform_unavailable", "init(module) takes the module before its promise settles");
      assert.deepEqual(got.platform, { verifiedBy: ["webcrypto"], syncLoad: "platform_unavailable" }, "loadAsync verified with WebCrypto");
      t.diagnostic(
        `lite battery identical in workerd and Node: ${Object.keys(got.record.users).length} users, ${got.record.table.length} decision cases (FinalizationRegistry: ${got.hasFinalizationRegistry})`,
      );
    });
  } finally {
    await stop();
  }
});

// With `nodejs_compat` (the default from compatibility date 2026-08-04), workerd has
// `process.getBuiltinModule` and node:crypto: the lite entry then verifies with node:crypto,
// synchronously too, as on Node. Same answers.
// Run at two compatibility dates: from late 2026 workerd also has node:fs, which the entry
// must not mistake for a package on disk (its modules have no file URL).
for (const date of ["2025-01-01", "2026-11-01"])
test(`workerd with nodejs_compat (${date}): permslip/lite answers the lite battery exactly as Node`, { skip: packed.skip, timeout: 120_000 }, async (t) => {
  const { base, stop } = await startWorkerd(["nodejs_compat"], date);
  try {
    const got = await liteRun(t, base);
    if (!got) return;
    assert.equal(got.beforeInit, "not_initialized", "Permslip.load before init(module)");
    assert.equal(got.takenAtOnce, "no error", "once init(module) took the module, the sync load verifies with node:crypto");
    assert.deepEqual(got.platform, { verifiedBy: ["node:crypto"], syncLoad: "no error" }, "verified with node:crypto");
    t.diagnostic(`lite battery identical in workerd (nodejs_compat, verified by node:crypto) and Node`);
  } finally {
    await stop();
  }
});
