#!/usr/bin/env bash
# Rebuilds tests/golden/: snapshots of every example user signed with the published TEST-ONLY
# key (tests/keys/), fixed clock, valid until 2100. Amplify's catalogue travels as a bundle
# (its inline snapshots would not fit a cookie); AmpliFlow's inline, so both paths are covered.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --features cli
bin=target/debug/permslip
issue() {
  local example=$1 mode=$2
  rm -rf "tests/golden/$example"
  "$bin" issue --model "examples/$example/model.json" --directory "examples/$example/directory.json" \
    --key tests/keys/test-private.jwk.json --out-dir "tests/golden/$example" \
    --iss permslip-test --aud permslip-demo --now 1764000000 --ttl 2338444800 --serial 1 \
    --catalogue "$mode" 2>/dev/null
}
issue amplify bundle
issue ampliflow inline
echo "tests/golden rebuilt"
