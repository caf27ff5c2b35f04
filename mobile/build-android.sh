#!/usr/bin/env bash
# Builds the Android shared libraries with cargo-ndk into mobile/kotlin/src/main/jniLibs/<abi>/
# libpermslip_mobile.so, where the Gradle module (mobile/kotlin) packs them into the AAR.
# ABIs: arm64-v8a (phones), armeabi-v7a (old 32-bit phones), x86_64 (emulators).
#
# Needs ANDROID_NDK_HOME (the NDK's root) and installs cargo-ndk 4 when it is missing. cargo-ndk 4
# links the 64-bit libraries for 16 KB pages (Android 15+) with any NDK; r28+ does so by itself.
#
# NOT RUN: it was written on a Linux machine without the NDK, where only
# `cargo check --target aarch64-linux-android` ran (scripts/mobile-test.sh). docs/MOBILE.md says
# what was and was not tried.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "$ANDROID_NDK_HOME" ]; then
  echo "build-android.sh: set ANDROID_NDK_HOME to the Android NDK's root (e.g. \$ANDROID_HOME/ndk/<version>)" >&2
  exit 1
fi

rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# 4.x: the flags below are the ones its README and --help document (-t/--target,
# -P/--platform, -o/--output-dir, then the cargo command and cargo's own arguments).
command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked --version '^4.1'
case "$(cargo ndk --version 2>/dev/null)" in
  *" 4."*) ;;
  *) echo "build-android.sh: needs cargo-ndk 4 (cargo install cargo-ndk --locked --force)" >&2; exit 1 ;;
esac

out=mobile/kotlin/src/main/jniLibs
# Build output, not sources: start clean so an ABI dropped here does not linger in the AAR.
rm -rf "$out"

# --platform 24: link against API 24's libc, the module's minSdk (a library built for a higher
# level can fail to load on older phones). Long flags throughout: cargo-ndk 4.0.2 briefly took
# `-p` for the platform, which would swallow cargo's `-p PACKAGE`.
# --profile mobile (root Cargo.toml): release, but unwinding, so a panic reaches UniFFI's
# handler and becomes an exception instead of ending the app.
cargo ndk \
  --target arm64-v8a --target armeabi-v7a --target x86_64 \
  --platform 24 \
  --output-dir "$out" \
  build --package permslip-mobile --lib --profile mobile

find "$out" -name '*.so' -print
