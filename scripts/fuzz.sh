#!/usr/bin/env bash
# Runs cargo-fuzz targets for a while each: scripts/fuzz.sh SECONDS [TARGET...]
# (all targets when none is named). The committed seeds in fuzz/corpus/<target> start a
# working corpus in fuzz/corpus-work/<target>; crashes land in fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "corpus-work/$t" "corpus/$t"
  echo "== $t: ${secs}s"
  cargo fuzz run -O "$t" "corpus-work/$t" "corpus/$t" -- -max_total_time="$secs" -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done)' || true
done
