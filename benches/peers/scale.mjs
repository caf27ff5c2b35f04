// Scaling: generated models at 1×, 10×, 100× and 1000× the seed counts (lib/generate.mjs),
// issued with the native CLI, then measured in a fresh Node process each through the npm
// package: catalogue and snapshot load, wasm linear memory, one check, a scoped check, the
// 40-item menu. Where the issuer refuses a model (permslip's structural limits, see
// src/engine/limits.rs), the row says so and a second row caps the counts over a limit at it;
// a last row takes every count to its limit.
//
//   node scale.mjs            -> .work/results/scale.json
//   node scale.mjs child DIR  (internal)

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync, statSync, rmSync } from "node:fs";
import { ROOT } from "./lib/amplify.mjs";
import { WORK, PKG, PKG_INIT } from "./lib/work.mjs";
import { write, writeResult } from "./lib/engines.mjs";
import { generate, countsFor } from "./lib/generate.mjs";

const BIG = 256 * 1024 * 1024; // maxTokenBytes for these runs: the default is 16 KiB
const CLI = process.env.PERMSLIP_CLI ?? `${ROOT}target/release/permslip`;

if (process.argv[2] === "child") {
  const dir = process.argv[3];
  const { measure, do_not_optimize } = await import("mitata");
  const e = await import("./engines/permslip.mjs");
  const glue = await import(`${PKG}/dist/permslip.js`);
  const config = e.prepare(dir);
  const token = e.payload("u0", dir);
  const opts = { maxTokenBytes: BIG };
  const before = process.memoryUsage();
  await e.init(config, undefined, opts);
  const ctx = e.build(token, opts);
  // The same glue module instance as the package's (same file): its exports hold the memory.
  const memory = glue.initSync({}).memory.buffer.byteLength;
  const after = process.memoryUsage();
  const model = JSON.parse(readFileSync(`${dir}/model.json`, "utf8"));
  const leaf = model.nav[0].children.find((c) => c.requires.permission && !c.requires.scope).requires.permission;
  const scoped = model.permissions.find((p) => p.scope).id;
  const p50 = async (fn) => (await measure(fn)).p50;
  const { Catalogue, KeySet } = await import(PKG_INIT);
  const keys = KeySet.parse(config.jwks);
  // Checks first: measured after thousands of timed loads in the same process, checks read up
  // to 4× slower (JIT and garbage state an application does not have).
  const check = await p50(() => do_not_optimize(ctx.can(leaf)));
  const scopedCheck = await p50(() => do_not_optimize(ctx.can(scoped, "v1")));
  const menuTime = await p50(() => do_not_optimize(ctx.filterMenu(model.nav)));
  const out = {
    wasmMemory: memory,
    heapUsed: after.heapUsed - before.heapUsed,
    check,
    scopedCheck,
    menu: menuTime,
    catalogueLoad:
      config.catalogue === null
        ? 0
        : await p50(() => do_not_optimize(Catalogue.load(config.catalogue, { jwks: keys, audience: "permslip-demo", ...opts }))),
    snapshotLoad: await p50(() => do_not_optimize(e.build(token, opts))),
  };
  process.stdout.write(JSON.stringify(out));
} else {
  const self = fileURLToPath(import.meta.url);
  // permslip's structural limits (src/engine/limits.rs). A factor whose counts pass them is
  // issued as asked (and refused, which the row shows); then again with each count capped at
  // its limit, so the growth of every other dimension is still measured.
  const LIMITS = { permissions: 4096, roles: 1024, teams: 1024, features: 1024, resources: 16384 };
  const capped = (counts) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.min(v, LIMITS[k])]));
  const same = (a, b) => Object.keys(LIMITS).every((k) => a[k] === b[k]);
  const scales = [];
  for (const f of [1, 10, 100, 1000]) {
    const counts = countsFor(f);
    scales.push({ label: `${f}×`, counts });
    const c = capped(counts);
    if (!same(c, counts) && !same(c, LIMITS)) {
      const over = Object.keys(LIMITS).filter((k) => counts[k] > LIMITS[k]).join(", ");
      scales.push({ label: `${f}×, ${over} capped`, counts: c });
    }
  }
  const capsTo = [100, 1000].filter((f) => same(capped(countsFor(f)), LIMITS)).map((f) => `${f}× capped`);
  scales.push({ label: capsTo.length ? `at the limits (= ${capsTo.join(", ")})` : "at the limits", counts: LIMITS });
  const rows = [];
  for (const { label, counts } of scales) {
    const dir = `${WORK}/scale/${label.replace(/[^a-z0-9]+/gi, "-")}`;
    rmSync(dir, { recursive: true, force: true });
    const { model, directory } = generate(counts);
    write(`${dir}/model.json`, JSON.stringify(model));
    write(`${dir}/directory.json`, JSON.stringify(directory));
    const t0 = performance.now();
    const issued = spawnSync(
      CLI,
      ["issue", "--model", `${dir}/model.json`, "--directory", `${dir}/directory.json`, "--key", `${ROOT}tests/keys/test-private.jwk.json`,
        "--subject", "u0", "--ttl", "86400", "--catalogue", "bundle", "--catalogue-out", `${dir}/catalogue.jwt`],
      { encoding: "utf8", maxBuffer: 1 << 30 },
    );
    const issueMs = performance.now() - t0;
    const row = { label, counts, modelBytes: statSync(`${dir}/model.json`).size + statSync(`${dir}/directory.json`).size };
    if (issued.status !== 0) {
      row.refused = issued.stderr.trim().replace(/^permslip: /, "");
      console.error(`scale: ${label}: refused at issue: ${row.refused}`);
      rows.push(row);
      continue;
    }
    write(`${dir}/u0.jwt`, issued.stdout.trim());
    row.issueMs = issueMs;
    row.snapshotBytes = issued.stdout.trim().length;
    row.catalogueBytes = statSync(`${dir}/catalogue.jwt`).size;
    const r = spawnSync(process.execPath, [self, "child", dir], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      row.failed = r.stderr.trim().split("\n").slice(0, 3).join(" ");
      console.error(`scale: ${label}: load failed: ${row.failed}`);
    } else {
      Object.assign(row, JSON.parse(r.stdout));
      console.error(
        `scale: ${label}: snapshot ${row.snapshotBytes} B + catalogue ${row.catalogueBytes} B; ` +
          `catalogue load ${(row.catalogueLoad / 1e3).toFixed(0)} µs, snapshot load ${(row.snapshotLoad / 1e3).toFixed(0)} µs, ` +
          `memory ${(row.wasmMemory / 1048576).toFixed(1)} MiB, check ${row.check.toFixed(0)} ns, menu ${(row.menu / 1e3).toFixed(2)} µs`,
      );
    }
    rows.push(row);
  }
  writeResult("scale", rows);
}
