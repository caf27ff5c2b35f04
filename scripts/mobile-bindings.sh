#!/usr/bin/env bash
# Generates the Kotlin and Swift sources of the mobile bindings (mobile/) from the built library
# with UniFFI's generator, pinned with the crate. `--check` generates into a temporary folder and
# fails when the checked-in sources differ from a fresh generation.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p permslip-mobile --features bindgen --bin uniffi-bindgen
cargo build -q -p permslip-mobile --lib
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# --no-format: ktlint and swift-format are not on this machine, and output must not depend on them.
target/debug/uniffi-bindgen generate target/debug/libpermslip_mobile.so \
  --language kotlin --language swift --no-format --out-dir "$out" >/dev/null

kotlin=mobile/kotlin/src/main/kotlin/dev/permslip
swift=mobile/swift
fresh=$(mktemp -d)
trap 'rm -rf "$out" "$fresh"' EXIT
mkdir -p "$fresh/$kotlin" "$fresh/$swift/Sources/Permslip" "$fresh/$swift/PermslipFFI"
cp "$out/dev/permslip/permslip.kt" "$fresh/$kotlin/permslip.kt"
cp "$out/Permslip.swift" "$fresh/$swift/Sources/Permslip/Permslip.swift"
cp "$out/permslipFFI.h" "$fresh/$swift/PermslipFFI/permslipFFI.h"
# The XCFramework's module map: the name SwiftPM and Xcode look for inside its headers folder.
cp "$out/permslipFFI.modulemap" "$fresh/$swift/PermslipFFI/module.modulemap"

files=("$kotlin/permslip.kt" "$swift/Sources/Permslip/Permslip.swift" "$swift/PermslipFFI/permslipFFI.h" "$swift/PermslipFFI/module.modulemap")
if [ "${1:-}" = "--check" ]; then
  status=0
  for f in "${files[@]}"; do
    if ! cmp -s "$fresh/$f" "$f"; then
      echo "stale: $f differs from a fresh generation (run scripts/mobile-bindings.sh)" >&2
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "generated Kotlin and Swift sources are fresh"
  exit $status
fi
for f in "${files[@]}"; do
  mkdir -p "$(dirname "$f")"
  cp "$fresh/$f" "$f"
done
echo "generated: ${files[*]}"
