#!/bin/sh
# Runs every fuzz target for a while: `fuzz/run.sh [seconds per target] [targets...]`.
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). New corpus entries go
# to fuzz/corpus/<target> (not committed); crashes to fuzz/artifacts/<target>. Minimise a crash
# with `cargo +nightly fuzz tmin <target> <file>` and keep it in tests/regressions/<target>/.
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-300}"
[ "$#" -gt 0 ] && shift
targets="${*:-verify payload slip menu lite lite_payload}"
for target in $targets; do
    mkdir -p "fuzz/corpus/$target"
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -dict="fuzz/dict/$target.dict" -max_total_time="$seconds" -max_len=16384 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
