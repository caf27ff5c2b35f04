#!/usr/bin/env bash
# Builds mobile/PermslipFFI.xcframework: the Rust static library for iOS devices, the iOS
# simulator (arm64 and x86_64 in one file) and Apple-silicon macOS, with the generated C header
# and module map. mobile/Package.swift points its binary target at the result.
#
# For a Mac with Xcode (xcodebuild, lipo) and rustup. NOT RUN: it was written on x86_64 Linux,
# which has neither Xcode nor the Apple linkers, so only `cargo check --target aarch64-apple-ios`
# ran there (scripts/mobile-test.sh). Read it before trusting it; docs/MOBILE.md says what was
# and was not tried.
#
# The Swift sources and the header are checked in (mobile/swift/), generated on Linux by
# scripts/mobile-bindings.sh and checked fresh by scripts/mobile-test.sh. If they ever disagree
# with the library built here, the generated Swift stops at its first call with "UniFFI API
# checksum mismatch" instead of calling the wrong functions.
#
# Not included: Intel Macs (x86_64-apple-darwin) and Mac Catalyst. Add their targets below and
# `lipo` the two macOS slices the way the simulator slices are joined.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework.sh: needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)
rustup target add "${targets[@]}"

# The oldest OS versions Package.swift declares. rustc otherwise builds for its own defaults, and
# the app's linker then warns about objects built for a newer OS than the app targets.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

# Profile `mobile` (root Cargo.toml): release, but unwinding, so a panic reaches UniFFI's handler.
for target in "${targets[@]}"; do
  cargo build -p permslip-mobile --lib --profile mobile --target "$target"
done

lib=libpermslip_mobile.a
work=target/xcframework
rm -rf "$work"
mkdir -p "$work/ios-simulator" "$work/headers/PermslipFFI"

# An XCFramework holds one library per platform variant, so the two simulator architectures go
# into one fat file.
lipo -create \
  "target/aarch64-apple-ios-sim/mobile/$lib" \
  "target/x86_64-apple-ios/mobile/$lib" \
  -output "$work/ios-simulator/$lib"

# The header and module map in a folder named after the module: Xcode copies every library
# XCFramework's headers into one include folder, where a second package's module.modulemap at
# the top level would collide with ours. Clang finds `PermslipFFI/module.modulemap` under an
# include path when Swift imports PermslipFFI.
cp mobile/swift/PermslipFFI/permslipFFI.h mobile/swift/PermslipFFI/module.modulemap \
  "$work/headers/PermslipFFI/"

out=mobile/PermslipFFI.xcframework
rm -rf "$out" # xcodebuild refuses to overwrite
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/mobile/$lib" -headers "$work/headers" \
  -library "$work/ios-simulator/$lib" -headers "$work/headers" \
  -library "target/aarch64-apple-darwin/mobile/$lib" -headers "$work/headers" \
  -output "$out"

for f in "target/aarch64-apple-ios/mobile/$lib" "$work/ios-simulator/$lib" "target/aarch64-apple-darwin/mobile/$lib"; do
  lipo -info "$f"
done
echo "built $out"
