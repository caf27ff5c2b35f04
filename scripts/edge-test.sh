#!/usr/bin/env bash
# The edge gate's tests, in one command (exit status non-zero on any failure):
#   1. builds pkg/dist (scripts/build-wasm.sh) when it is missing or older than the Rust sources
#   2. type-checks pkg/edge.d.ts (tests/edge/usage.ts)
#   3. node:test unit tests of permslip/edge (tests/edge/gate.test.mjs), and of the gate on the
#      lite engine against the full one (tests/edge/lite.test.mjs)
#   4. real HTTP: workerd and the Node adapter on 127.0.0.1 in front of an echo origin
#      (tests/edge/http.test.mjs)
#   5. permslip/edge from the packed tarball (tests/edge/pack.test.mjs; skipped until
#      pkg/package.json exports "./edge")
#   6. prints cold vs cached gate time in Node (tests/edge/bench.mjs); skip with --no-bench
set -euo pipefail
cd "$(dirname "$0")/.."

bench=1
for arg in "$@"; do
  case "$arg" in
    --no-bench) bench=0 ;;
    *) echo "usage: scripts/edge-test.sh [--no-bench]" >&2; exit 2 ;;
  esac
done

if [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/jose ] || [ ! -d node_modules/workerd ]; then
  npm ci --no-audit --no-fund
fi

wasm=pkg/dist/permslip_bg.wasm
if [ ! -f "$wasm" ] || [ ! -f pkg/dist/permslip.js ] ||
  [ -n "$(find src Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
  echo "== building the wasm (pkg/dist is missing or older than the sources)"
  bash scripts/build-wasm.sh
fi

echo "== types: pkg/edge.d.ts"
node_modules/.bin/tsc -p tests/edge/tsconfig.json

echo "== unit, HTTP (workerd + Node on 127.0.0.1) and packaging tests"
node --test --test-reporter=spec tests/edge/gate.test.mjs tests/edge/lite.test.mjs tests/edge/http.test.mjs tests/edge/pack.test.mjs

if [ "$bench" = 1 ]; then
  echo "== cold vs cached gate time (Node)"
  node tests/edge/bench.mjs
fi
