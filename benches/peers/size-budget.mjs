#!/usr/bin/env node
// The size budget of the npm package's WebAssembly: fails (exit 1) when the release .wasm,
// compressed with brotli at quality 11 (what a CDN serves), exceeds BUDGET bytes. Size is
// deterministic for a given toolchain, unlike time, so this can gate every change.
//
//   node benches/peers/size-budget.mjs [path/to/permslip_bg.wasm]
//
// Default path: pkg/dist/permslip_bg.wasm (built by scripts/build-wasm.sh). Pure Node: needs
// no installed packages. Raise the budget only with a reason in docs/BENCHMARKS.md.

import { readFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { fileURLToPath } from "node:url";

/** Bytes, brotli quality 11. See docs/BENCHMARKS.md ("Size budget"). */
export const BUDGET = 68_000;

const path = process.argv[2] ?? fileURLToPath(new URL("../../pkg/dist/permslip_bg.wasm", import.meta.url));
let wasm;
try {
  wasm = readFileSync(path);
} catch (e) {
  console.error(`size budget: cannot read ${path}: ${e.message} (run scripts/build-wasm.sh first)`);
  process.exit(2);
}
const brotli = brotliCompressSync(wasm, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 11,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
    [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length,
  },
}).length;
const gzip = gzipSync(wasm, { level: 9 }).length;
const used = ((100 * brotli) / BUDGET).toFixed(1);
const line = `permslip .wasm: ${wasm.length} bytes raw, ${gzip} gzip, ${brotli} brotli; budget ${BUDGET} brotli (${used}% used)`;
if (brotli > BUDGET) {
  console.error(`size budget exceeded: ${line}`);
  process.exit(1);
}
console.log(`size budget ok: ${line}`);
