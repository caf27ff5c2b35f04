// Cold start: a fresh Node process per sample. Timed from before the library's first import to
// a checker ready for the user: module evaluation, .wasm compile + instantiate, parsing the
// application's static configuration, and building the user's checker from its payload
// (including the signature check for permslip, permslip lite and Biscuit). The .wasm bytes,
// configuration and payload are read from disk before the clock starts (a browser has them from
// the network); permslip lite compiles its .wasm from those bytes with `init(bytes)`.
// The first check is timed separately and its answer checked.
//
//   node cold.mjs            -> .work/results/cold.json (median of RUNS per engine)
//   node cold.mjs child ID   (internal: one sample)

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ENGINES, readConfig, readPayload, readWasm, writeResult } from "./lib/engines.mjs";
import "./lib/amplify.mjs"; // the scaffolding is loaded before the clock starts

const RUNS = Number(process.env.COLD_RUNS ?? 15);
const USER = "member";

if (process.argv[2] === "child") {
  const id = process.argv[3];
  const config = readConfig(id);
  const payload = readPayload(id, USER);
  const wasm = readWasm(id);
  const t0 = performance.now();
  const e = await import(`./engines/${id}.mjs`);
  await e.init(config, wasm);
  const ctx = await e.build(payload);
  const t1 = performance.now();
  const answer = e.can(ctx, "fax.send_from", "+15550100");
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ ready: t1 - t0, firstCheck: t2 - t1, answer }));
} else {
  const self = fileURLToPath(import.meta.url);
  const out = {};
  for (const id of ENGINES) {
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [self, "child", id], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`cold start of ${id} failed: ${r.stderr}`);
      samples.push(JSON.parse(r.stdout));
    }
    const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    out[id] = {
      ready: median(samples.map((s) => s.ready)),
      firstCheck: median(samples.map((s) => s.firstCheck)),
      wrongFirstAnswers: samples.filter((s) => s.answer !== true).length,
      runs: RUNS,
    };
    console.error(
      `cold: ${id}: ready ${out[id].ready.toFixed(2)} ms, first check ${out[id].firstCheck.toFixed(3)} ms` +
        (out[id].wrongFirstAnswers ? `, ${out[id].wrongFirstAnswers}/${RUNS} first answers wrong` : ""),
    );
  }
  writeResult("cold", out);
}
