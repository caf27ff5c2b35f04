#!/usr/bin/env bash
# End-to-end tests of the demo console in Debian's Chromium (headless, playwright-core):
# builds everything (scripts/demo.sh --build), serves www/dist on a free 127.0.0.1 port, runs
# tests/e2e/ against it, stops the server. Exits non-zero when a test fails.
# Screenshots (one per example user, plus the failure paths) go to tests/e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/demo.sh --build
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi

log=$(mktemp)
node www/serve.mjs --port "${E2E_PORT:-0}" >"$log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT

url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" || true)
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "e2e: the server did not start" >&2
  cat "$log" >&2
  exit 1
fi

rm -rf tests/e2e/artifacts
E2E_URL=$url node --test --test-reporter=spec tests/e2e/
