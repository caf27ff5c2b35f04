#!/usr/bin/env bash
# Builds the npm package's WebAssembly and glue into pkg/dist/, then prints its sizes.
#
#   cargo build (wasm32, release, no default features: the issuing side stays out)
#   -> wasm-bindgen --target web (glue that works in browsers, Node and workerd)
#   -> wasm-opt -O3 (npm `binaryen`; Debian's v108 produces modules that fail to load).
#      The Rust side is size-optimised (opt-level "z"); binaryen's -O3 on top of it makes the
#      load path ~7% faster than -Oz for ~0.2 KiB of brotli (docs/BENCHMARKS.md).
#
# Idempotent: rerunning rebuilds in place. Runs `npm ci` when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
OUT=pkg/dist
RAW=target/wasm32-unknown-unknown/release/permslip.wasm

if ! command -v wasm-bindgen >/dev/null; then
  echo "wasm-bindgen not found: run scripts/setup.sh" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "wasm-bindgen $(wasm-bindgen --version) does not match the crate's =$WASM_BINDGEN_VERSION: run scripts/setup.sh" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/wasm-opt ]; then
  npm ci --no-audit --no-fund
fi

cargo build --release --target wasm32-unknown-unknown --no-default-features --lib

rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
wasm-bindgen "$RAW" --target web --out-dir "$OUT.tmp" --out-name permslip \
  --remove-name-section --remove-producers-section
node_modules/.bin/wasm-opt -O3 --converge "$OUT.tmp/permslip_bg.wasm" -o "$OUT.tmp/permslip_bg.opt.wasm"
mv "$OUT.tmp/permslip_bg.opt.wasm" "$OUT.tmp/permslip_bg.wasm"
# permslip/lite's module (docs/LITE.md): no wasm-bindgen (its JS is hand-written in
# pkg/src/lite.js), size-optimised throughout; the target-features section only guides wasm-opt.
# A 32 KiB stack (the default is 1 MiB): the module never recurses, and a small initial memory
# keeps instantiation cheap.
cargo rustc -p permslip-lite --release --target wasm32-unknown-unknown --features module --crate-type cdylib \
  -- -C link-arg=-zstack-size=32768
node_modules/.bin/wasm-opt -Oz --converge --strip-debug --strip-producers --strip-target-features \
  target/wasm32-unknown-unknown/release/permslip_lite.wasm -o "$OUT.tmp/permslip_lite.wasm"
# The generated .d.ts files describe internal exports; the package ships hand-written types.
rm -f "$OUT.tmp"/*.d.ts
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"

node --input-type=module - "$OUT/permslip_bg.wasm" "$OUT/permslip_lite.wasm" <<'JS'
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`${file}: raw ${kb(bytes.length)}, gzip ${kb(gz)}, brotli ${kb(br)}`);
}
JS
