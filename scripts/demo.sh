#!/usr/bin/env bash
# The demo: builds everything and serves the permslip console on 127.0.0.1.
#
#   scripts/demo.sh            build, then serve on $PORT (default 8080) until Ctrl-C
#   scripts/demo.sh --build    build only (scripts/e2e.sh serves it itself)
#
# Steps: scripts/setup.sh; the wasm into pkg/dist (scripts/build-wasm.sh); a DEVELOPMENT
# signing key in www/.dev-keys/ when there is none (gitignored; never the published test key);
# a signed snapshot for every example user, issued by the CLI, into www/public/demo/, plus an
# expired one and a tampered one per example; then the console into www/dist/.
# Build output goes to www/.build.log; on success, one line says where to open the console.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_ONLY=0
case "${1:-}" in
  "") ;;
  --build) BUILD_ONLY=1 ;;
  *) echo "usage: scripts/demo.sh [--build]" >&2; exit 2 ;;
esac

ISSUER=permslip-demo-issuer
AUDIENCE=permslip-demo
# How long the demo snapshots stay valid. The console refreshes them before expiry; once they
# expire, re-run this script (it issues fresh ones).
TTL=${DEMO_TTL:-86400}
# Where the catalogue travels (the CLI's --catalogue): `auto` signs it once as a bundle
# (catalogue.jwt beside the snapshots) when inline snapshots would outgrow a cookie.
CATALOGUE=${DEMO_CATALOGUE:-auto}
KEYS=www/.dev-keys
OUT=www/public/demo
LOG=www/.build.log

: >"$LOG"
step() {
  if ! "$@" >>"$LOG" 2>&1; then
    echo "demo: \`$*\` failed; the end of $LOG:" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
}
permslip() { cargo run --quiet --release --features cli -- "$@"; }

step bash scripts/setup.sh
step bash scripts/build-wasm.sh

if [ ! -f "$KEYS/dev-private.jwk.json" ]; then
  mkdir -p "$KEYS"
  chmod 700 "$KEYS"
  step permslip keygen --kid "dev-$(date +%Y%m%d)-$RANDOM" \
    --out "$KEYS/dev-private.jwk.json" --jwks "$KEYS/dev-jwks.json"
fi

# Issued two hours ago for ten minutes: long expired, beyond any clock leeway. (Expiry is checked
# before the catalogue, so an inline one is fine whatever $CATALOGUE says.)
issue_expired() {
  permslip issue "${common[@]}" --subject member --now $((now - 7200)) --ttl 600 \
    --catalogue inline >"$OUT/$example/_expired.jwt"
}

rm -rf "$OUT"
mkdir -p "$OUT"
now=$(date +%s)
for example in amplify ampliflow; do
  common=(--model "examples/$example/model.json" --directory "examples/$example/directory.json"
    --key "$KEYS/dev-private.jwk.json" --iss "$ISSUER" --aud "$AUDIENCE")
  step permslip issue "${common[@]}" --out-dir "$OUT/$example" --ttl "$TTL" --now "$now" \
    --catalogue "$CATALOGUE"
  step issue_expired
done
step node www/scripts/prepare-demo.mjs "$OUT" "$ISSUER" "$AUDIENCE"
cp "$KEYS/dev-jwks.json" "$OUT/jwks.json"

if [ ! -x www/node_modules/.bin/vite ]; then
  step npm --prefix www ci --no-audit --no-fund
fi
step npm --prefix www run build

if [ "$BUILD_ONLY" = 1 ]; then
  echo "demo: built www/dist/"
  exit 0
fi
exec node www/serve.mjs --port "${PORT:-8080}"
