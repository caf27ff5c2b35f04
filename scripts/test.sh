#!/usr/bin/env bash
# Sets up and runs every test: native Rust, the same tests under wasm in Node, the npm package
# in Node, headless Chromium and workerd, the size budget, the edge gate, the demo end to end and
# the mobile bindings on the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step setup
scripts/setup.sh

step "format and lints"
cargo fmt --all --check
cargo clippy --all-targets --all-features -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --lib -- -D warnings
# The lite crate natively, and its standalone module (feature `module`, wasm32 only).
cargo clippy -p permslip-lite --all-targets -- -D warnings
cargo clippy -p permslip-lite --target wasm32-unknown-unknown --features module -- -D warnings
cargo clippy -p permslip-mobile --all-targets -- -D warnings

step "native tests (engine, tokens, decision table, CLI)"
cargo test --all-features
cargo test -p permslip-lite

step "the same Rust tests under wasm32 in Node"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_ONLY_NODE=1 \
  cargo test --target wasm32-unknown-unknown --test vectors --test engine --test token

step "JSON Schemas against the examples and golden payloads"
python3 -c 'import jsonschema, referencing' 2>/dev/null || pip install -q 'jsonschema>=4.18'
python3 tests/schema/check_schemas.py .

step "build the wasm package"
scripts/build-wasm.sh

step "wasm bindings unit tests"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_ONLY_NODE=1 \
  cargo test --target wasm32-unknown-unknown --no-default-features --lib

step "npm package in Node (decision table, errors, jose interop, expiry, bad input, packaging, types)"
node --test tests/js/*.test.mjs

step "npm package in headless Chromium"
node --test tests/browser/

step "npm package in workerd"
node --test tests/workerd/

step "edge gate (unit, and real HTTP through workerd and Node)"
scripts/edge-test.sh --no-bench

step "demo console end to end in headless Chromium"
scripts/e2e.sh

step "mobile bindings (generated sources, phones' targets, Kotlin on the JVM against the native record)"
scripts/mobile-test.sh

step "size budget of the release .wasm"
node benches/peers/size-budget.mjs
