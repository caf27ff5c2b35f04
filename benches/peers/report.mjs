// Prints the markdown tables of docs/BENCHMARKS.md from .work/results/*.json.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, totalmem, release, type } from "node:os";
import { ENGINES, WASM, readResult } from "./lib/engines.mjs";

const verify = readResult("verify");
const cold = readResult("cold");
const sizes = readResult("sizes");
const scale = readResult("scale");
const bench = Object.fromEntries(ENGINES.map((id) => [id, readResult(`bench-${id}`)]));

const time = (ns) =>
  ns == null ? "–" : ns < 1e3 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs` : `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
const bytes = (n) => (n == null ? "–" : n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(2)} MiB`);

// One table row: the best value in bold (lowest, over every column: permslip lite included),
// permslip's rank noted by the caller.
function row(label, values, fmt) {
  const present = values.filter((v) => v != null);
  const best = Math.min(...present);
  const cells = values.map((v) => (v == null ? "–" : v === best ? `**${fmt(v)}**` : fmt(v)));
  return `| ${label} | ${cells.join(" | ")} |`;
}

const cpu = cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "unknown CPU";
const date = new Date().toISOString().slice(0, 10);
const wasm = readFileSync(WASM.permslip);
const sha = createHash("sha256").update(wasm).digest("hex");
console.log(
  `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${type()} ${release()}; Node ${process.version}; ${date}. ` +
    `permslip .wasm: ${wasm.length} bytes, sha256 \`${sha.slice(0, 16)}…\`.`,
);
console.log();

const names = ENGINES.map((id) => {
  const v = verify?.[id];
  return v ? `${v.name} ${v.version}` : id;
});
const b = (id, r) => bench[id]?.rows?.[r]?.p50;
console.log(`| Amplify, user \`member\` (medians) | ${names.join(" | ")} |`);
console.log(`|---|${ENGINES.map(() => "---:").join("|")}|`);
console.log(row("one check, `can(\"fax.send\")`", ENGINES.map((id) => b(id, "check")), time));
console.log(row("one scoped check, `can(\"fax.send_from\", \"+15550100\")`", ENGINES.map((id) => b(id, "scopedCheck")), time));
console.log(row("whole menu (40 items, filtered tree)", ENGINES.map((id) => b(id, "menu")), time));
console.log(row("load, module ready (payload → checker)", ENGINES.map((id) => b(id, "load")), time));
console.log(row("load at equal trust (Ed25519-signed payload)", ENGINES.map((id) => b(id, "signedLoad")), time));
console.log(row("cold start (fresh process: import, compile, init, load)", ENGINES.map((id) => cold?.[id]?.ready && cold[id].ready * 1e6), time));
console.log(row("first check after cold start", ENGINES.map((id) => cold?.[id]?.firstCheck && cold[id].firstCheck * 1e6), time));
console.log(row("browser download, raw (minified JS + .wasm)", ENGINES.map((id) => sizes?.[id]?.total.raw), bytes));
console.log(row("browser download, gzip -9", ENGINES.map((id) => sizes?.[id]?.total.gzip), bytes));
console.log(row("browser download, brotli -q 11", ENGINES.map((id) => sizes?.[id]?.total.brotli), bytes));
console.log();

if (verify) {
  const v = Object.values(verify)[0];
  console.log(
    `Every engine answered ${v.menus} menus of 40 (${v.visibleLeaves} visible leaves in all) and ${v.checks} permission checks ` +
      `exactly as \`tests/vectors/decisions.json\` expects before anything was timed.` +
      Object.values(verify)
        .filter((x) => x.warmupTimeouts)
        .map((x) => ` ${x.name} needed a warm-up: ${x.warmupTimeouts} of its first authorizations denied with a run-limit timeout.`)
        .join(""),
  );
  const wrong = ENGINES.filter((id) => cold?.[id]?.wrongFirstAnswers);
  for (const id of wrong) {
    console.log(`${verify[id].name}: ${cold[id].wrongFirstAnswers} of ${cold[id].runs} cold starts answered the first check wrongly (deny).`);
  }
  console.log();
}

if (sizes) {
  console.log(`| download detail (brotli) | ${names.join(" | ")} |`);
  console.log(`|---|${ENGINES.map(() => "---:").join("|")}|`);
  console.log(`| JS | ${ENGINES.map((id) => bytes(sizes[id].js.brotli)).join(" | ")} |`);
  console.log(`| .wasm | ${ENGINES.map((id) => bytes(sizes[id].wasm?.brotli)).join(" | ")} |`);
  console.log();
}

if (scale) {
  console.log("| model | permissions / roles / teams / features / resources | snapshot + catalogue | issue (CLI) | catalogue load | snapshot load | wasm memory | check | scoped check | menu |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of scale) {
    const c = r.counts;
    const counts = `${c.permissions} / ${c.roles} / ${c.teams} / ${c.features} / ${c.resources}`;
    if (r.refused || r.failed) {
      const why = r.refused ? `refused at issue: ${r.refused}` : `load failed: ${r.failed}`;
      console.log(`| ${r.label} | ${counts} | ${why} | – | – | – | – | – | – | – |`);
      continue;
    }
    console.log(
      `| ${r.label} | ${counts} | ${bytes(r.snapshotBytes)} + ${bytes(r.catalogueBytes)} | ${time(r.issueMs * 1e6)} | ${time(r.catalogueLoad)} | ${time(r.snapshotLoad)} | ${bytes(r.wasmMemory)} | ${time(r.check)} | ${time(r.scopedCheck)} | ${time(r.menu)} |`,
    );
  }
  console.log();
}
