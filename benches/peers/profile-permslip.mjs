// Where permslip's load and cold start go (the rows it does not win). Prints a markdown table.
//
// Cold: each phase timed in a fresh Node process, medians over RUNS processes. "Rejected
// signature" loads the member's snapshot with one bit of the signature's S half flipped: it is
// refused only after the full Ed25519 verification, so it times the verification alone (the
// first time in a process, and again right after). Warm: the same with V8's optimised code.
//
//   node profile-permslip.mjs   -> .work/results/profile-permslip.json

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { readConfig, readPayload, WASM, writeResult } from "./lib/engines.mjs";
import { PKG_INIT, PKG_NODE_CRYPTO } from "./lib/work.mjs";

const RUNS = Number(process.env.COLD_RUNS ?? 15);

function corrupt(token) {
  const [h, p, s] = token.split(".");
  const sig = Buffer.from(s, "base64url");
  sig[40] ^= 1; // in S: still canonical, so verification runs to the end
  return `${h}.${p}.${sig.toString("base64url")}`;
}

if (process.argv[2] === "child") {
  const config = readConfig("permslip");
  const token = readPayload("permslip", "member");
  const bad = corrupt(token);
  const bytes = readFileSync(WASM.permslip);
  const t = [performance.now()];
  const mark = () => t.push(performance.now());
  const { Permslip, KeySet, Catalogue, initSync } = await import(PKG_INIT);
  await import(PKG_NODE_CRYPTO); // as the Node entry does
  mark();
  const module = await WebAssembly.compile(bytes);
  mark();
  initSync({ module });
  mark();
  const keys = KeySet.parse(config.jwks);
  mark();
  const options = { jwks: keys, audience: "permslip-demo" };
  const catalogue = config.catalogue === null ? null : Catalogue.load(config.catalogue, options);
  mark();
  const refuse = () => {
    try {
      Permslip.load(bad, { ...options, catalogue });
    } catch (e) {
      if (e.code !== "bad_signature") throw e;
      return;
    }
    throw new Error("corrupted signature accepted");
  };
  refuse();
  mark();
  refuse();
  mark();
  const checker = Permslip.load(token, { ...options, catalogue });
  mark();
  checker.can("fax.send");
  mark();
  process.stdout.write(JSON.stringify(t.slice(1).map((x, i) => x - t[i])));
} else if (process.argv[2] === "warm") {
  const { measure, do_not_optimize } = await import("mitata");
  const { Permslip, KeySet, Catalogue, initSync } = await import(PKG_INIT);
  await import(PKG_NODE_CRYPTO); // as the Node entry does
  initSync({ module: readFileSync(WASM.permslip) });
  const config = readConfig("permslip");
  const token = readPayload("permslip", "member");
  const bad = corrupt(token);
  const keys = KeySet.parse(config.jwks);
  const options = { jwks: keys, audience: "permslip-demo" };
  const catalogue = config.catalogue === null ? null : Catalogue.load(config.catalogue, options);
  const out = {
    keySet: (await measure(() => do_not_optimize(KeySet.parse(config.jwks)))).p50,
    catalogue: catalogue === null ? null : (await measure(() => do_not_optimize(Catalogue.load(config.catalogue, options)))).p50,
    rejected: (await measure(() => { try { Permslip.load(bad, { ...options, catalogue }); } catch {} })).p50,
    load: (await measure(() => do_not_optimize(Permslip.load(token, { ...options, catalogue })))).p50,
  };
  process.stdout.write(JSON.stringify(out));
} else {
  const self = fileURLToPath(import.meta.url);
  const phases = ["import the package", "WebAssembly.compile", "instantiate", "KeySet.parse", "Catalogue.load", "rejected signature, 1st", "rejected signature, 2nd", "Permslip.load", "first can()"];
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [self, "child"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    samples.push(JSON.parse(r.stdout));
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  const cold = Object.fromEntries(phases.map((p, i) => [p, median(samples.map((s) => s[i]))]));
  const w = spawnSync(process.execPath, [self, "warm"], { encoding: "utf8" });
  if (w.status !== 0) throw new Error(w.stderr);
  const warm = JSON.parse(w.stdout);
  writeResult("profile-permslip", { cold, warm, runs: RUNS });
  const ms = (x) => `${x.toFixed(2)} ms`;
  const us = (ns) => `${(ns / 1e3).toFixed(1)} µs`;
  console.log(`| permslip cold start, phase (median of ${RUNS} fresh processes) | time |`);
  console.log("|---|---:|");
  for (const p of phases) console.log(`| ${p} | ${ms(cold[p])} |`);
  console.log();
  console.log("| permslip warm load, part | time |");
  console.log("|---|---:|");
  console.log(`| \`KeySet.parse\` (2 keys) | ${us(warm.keySet)} |`);
  if (warm.catalogue !== null) console.log(`| \`Catalogue.load\` (the bundle, ${config().length} bytes) | ${us(warm.catalogue)} |`);
  console.log(`| snapshot with a rejected signature (Ed25519 verification alone) | ${us(warm.rejected)} |`);
  console.log(`| \`Permslip.load\` (member's snapshot, ${readPayload("permslip", "member").length} bytes) | ${us(warm.load)} |`);
}

function config() {
  return readConfig("permslip").catalogue ?? "";
}
