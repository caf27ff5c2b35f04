#!/usr/bin/env node
// The size budgets of the npm package's WebAssembly: fails (exit 1) when a release .wasm,
// compressed with brotli at quality 11 (what a CDN serves), exceeds its budget. Size is
// deterministic for a given toolchain, unlike time, so this can gate every change.
//
//   node benches/peers/size-budget.mjs [path/to/permslip_bg.wasm [path/to/permslip_lite.wasm]]
//
// Default paths: pkg/dist/permslip_bg.wasm (BUDGET) and pkg/dist/permslip_lite.wasm
// (LITE_BUDGET), both built by scripts/build-wasm.sh. Pure Node: needs no installed packages.
// Raise a budget only with a reason in docs/BENCHMARKS.md.

import { readFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { fileURLToPath } from "node:url";

/** Bytes, brotli quality 11. See docs/BENCHMARKS.md ("Size budget"). */
export const BUDGET = 68_000;
/** Bytes, brotli quality 11, of `permslip/lite`'s module (docs/LITE.md). */
export const LITE_BUDGET = 7_168;

const dist = (file) => fileURLToPath(new URL(`../../pkg/dist/${file}`, import.meta.url));
const modules = [
  { label: "permslip .wasm", path: process.argv[2] ?? dist("permslip_bg.wasm"), budget: BUDGET },
  { label: "permslip lite .wasm", path: process.argv[3] ?? dist("permslip_lite.wasm"), budget: LITE_BUDGET },
];

let status = 0;
for (const { label, path, budget } of modules) {
  let wasm;
  try {
    wasm = readFileSync(path);
  } catch (e) {
    console.error(`size budget: cannot read ${path}: ${e.message} (run scripts/build-wasm.sh first)`);
    status = 2;
    continue;
  }
  const brotli = brotliCompressSync(wasm, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length,
    },
  }).length;
  const gzip = gzipSync(wasm, { level: 9 }).length;
  const used = ((100 * brotli) / budget).toFixed(1);
  const line = `${label}: ${wasm.length} bytes raw, ${gzip} gzip, ${brotli} brotli; budget ${budget} brotli (${used}% used)`;
  if (brotli > budget) {
    console.error(`size budget exceeded: ${line}`);
    status ||= 1;
  } else {
    console.log(`size budget ok: ${line}`);
  }
}
process.exit(status);
