#!/usr/bin/env bash
# The mobile bindings (mobile/): fresh generated sources, the phones' targets, and the Kotlin
# suite on the JVM over the release shared library, whose record must equal the native one
# byte for byte. Installs what it needs (rustup targets, JNA and Gson from Debian, kotlinc from
# npm into tests/mobile/node_modules) and skips what is there. `--bench` runs the JVM benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

for t in aarch64-linux-android aarch64-apple-ios; do
  rustup target list --installed | grep -q "^$t\$" || rustup target add "$t"
done
need_apt=()
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java)
[ -f /usr/share/java/gson.jar ] || need_apt+=(libgoogle-gson-java)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -f tests/mobile/node_modules/.package-lock.json ] ||
  [ tests/mobile/package-lock.json -nt tests/mobile/node_modules/.package-lock.json ]; then
  (cd tests/mobile && npm ci --no-audit --no-fund --loglevel=error)
fi
kotlin=tests/mobile/node_modules/kotlin-compiler
stdlib=$kotlin/lib/kotlin-stdlib.jar
classpath=/usr/share/java/jna.jar:/usr/share/java/gson.jar:$stdlib:$kotlin/lib/kotlin-test.jar

echo "-- generated sources"
scripts/mobile-bindings.sh --check

echo "-- the bindings link the verifying side only"
if cargo tree -q -p permslip-mobile -e normal --prefix none | grep -E '^(serde_json|clap) '; then
  echo "the mobile crate links the issuer's dependencies" >&2
  exit 1
fi

echo "-- the phones' targets"
cargo check -q -p permslip-mobile --lib --target aarch64-linux-android
cargo check -q -p permslip-mobile --lib --target aarch64-apple-ios

echo "-- Rust unit tests of the bindings"
cargo test -q -p permslip-mobile

echo "-- release shared library (profile mobile)"
cargo build -q -p permslip-mobile --lib --profile mobile
lib=target/mobile

work=target/mobile-test
rm -rf "$work/lite"
mkdir -p "$work/lite"
cargo build -q --features cli
for example in amplify ampliflow; do
  target/debug/permslip issue --model "examples/$example/model.json" --directory "examples/$example/directory.json" \
    --key tests/keys/test-private.jwk.json --format lite --out-dir "$work/lite/$example" \
    --iss permslip-test --aud permslip-demo --now 1764000000 --ttl 2338444800 --serial 1 >/dev/null 2>&1
done

echo "-- compile the Kotlin suite"
sources=(mobile/kotlin/src/main/kotlin/dev/permslip/permslip.kt tests/mobile/Replay.kt tests/mobile/Bench.kt)
jar=$work/replay.jar
if [ ! -f "$jar" ] || [ -n "$(find "${sources[@]}" -newer "$jar")" ]; then
  "$kotlin/bin/kotlinc" -nowarn -cp "$classpath" -d "$jar" "${sources[@]}"
fi

if [ "${1:-}" = "--bench" ]; then
  echo "-- JVM benchmark ($(java -version 2>&1 | head -1))"
  java -Djna.library.path="$lib" -cp "$jar:$classpath" BenchKt "$PWD" "$work/lite"
  so=$lib/libpermslip_mobile.so
  strip -o "$work/stripped.so" "$so"
  echo "release shared library (x86_64, profile mobile): $(stat -c %s "$so") B, stripped $(stat -c %s "$work/stripped.so") B"
  exit 0
fi

echo "-- Kotlin suite on the JVM"
java -Djna.library.path="$lib" -cp "$jar:$classpath" ReplayKt "$PWD" "$work/lite" "$work/record-kotlin.txt"

echo "-- the Kotlin record equals the native one"
cargo run -q -p permslip-mobile --example record -- "$work/lite" >"$work/record-rust.txt"
if ! cmp "$work/record-rust.txt" "$work/record-kotlin.txt"; then
  diff "$work/record-rust.txt" "$work/record-kotlin.txt" | head -20
  exit 1
fi
echo "records equal: $(wc -l <"$work/record-rust.txt") lines"
