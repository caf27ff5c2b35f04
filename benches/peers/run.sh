#!/usr/bin/env bash
# Reproduces every table of docs/BENCHMARKS.md: permslip (the full entry and `permslip/lite`)
# side by side with CASL, casbin, Cedar and Biscuit on the Amplify example, plus the scaling
# table. Prints markdown to stdout (and .work/report.md); progress goes to stderr. Takes ~2
# minutes on 2 cores, plus any build.
#
#   bash benches/peers/run.sh
#
# Steps: install this directory's pinned packages (npm ci; never the main install), build the
# npm package's two .wasm (full and lite) if one is missing or older than the Rust sources, build
# the native CLI, issue the example users' snapshots (full and lite tokens), check every engine's
# decisions against tests/vectors/decisions.json, then time. Set COLD_RUNS to change the
# cold-start sample count; SKIP_BUILD=1 uses the .wasm in pkg/dist and the CLI in
# target/release as they are.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

WASM="$ROOT/pkg/dist/permslip_bg.wasm"
WASM_LITE="$ROOT/pkg/dist/permslip_lite.wasm"
CLI="$ROOT/target/release/permslip"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  stale() {
    [ ! -f "$1" ] || [ -n "$(find "$ROOT/src" "$ROOT/lite" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$1" -print -quit)" ]
  }
  if stale "$WASM" || stale "$WASM_LITE"; then
    bash "$ROOT/scripts/build-wasm.sh" >&2
  fi
  (cd "$ROOT" && cargo build --release --features cli --quiet)
fi

# Every figure comes from one build: measure a copy of the package, so a rebuild of pkg/dist
# while this runs (scripts/build-wasm.sh from another shell) cannot mix two builds.
rm -rf .work/pkg
mkdir -p .work/pkg
cp -r "$ROOT/pkg/package.json" "$ROOT/pkg/src" "$ROOT/pkg/dist" .work/pkg/
export PERMSLIP_PKG="$HERE/.work/pkg"
for w in permslip_bg.wasm permslip_lite.wasm; do
  echo "$w: $(wc -c < .work/pkg/dist/$w) bytes, sha256 $(sha256sum .work/pkg/dist/$w | cut -d' ' -f1)" >&2
done

# The example users' snapshots, valid for a day from now (the CLI bundles the catalogue when
# inline snapshots would be large, its default).
rm -rf .work/tokens
"$CLI" issue --model "$ROOT/examples/amplify/model.json" --directory "$ROOT/examples/amplify/directory.json" \
  --key "$ROOT/tests/keys/test-private.jwk.json" --out-dir .work/tokens --ttl 86400 2>/dev/null
if ! "$CLI" issue --help | grep -- --format >/dev/null; then
  echo "$CLI has no --format (lite tokens): rebuild it (cargo build --release --features cli)" >&2
  exit 1
fi
# The same users as lite tokens (the issuer compiles the decisions; no catalogue): <user>.lite.jwt.
rm -rf .work/tokens-lite
"$CLI" issue --model "$ROOT/examples/amplify/model.json" --directory "$ROOT/examples/amplify/directory.json" \
  --key "$ROOT/tests/keys/test-private.jwk.json" --out-dir .work/tokens-lite --ttl 86400 --format lite 2>/dev/null

node prepare.mjs
node verify.mjs
for engine in permslip permslip-lite casl casbin cedar biscuit; do
  node bench.mjs "$engine"
done
node cold.mjs
node sizes.mjs
PERMSLIP_CLI="$CLI" node scale.mjs
node size-budget.mjs .work/pkg/dist/permslip_bg.wasm .work/pkg/dist/permslip_lite.wasm >&2
{
  node report.mjs
  node profile-permslip.mjs
} | tee .work/report.md
