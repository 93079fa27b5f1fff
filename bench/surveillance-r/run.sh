#!/bin/bash
# Times corredor and R's farringtonFlexible on the same generated series on this machine and
# compares their alarms. Not part of CI (R takes about a second per series).
#   bench/surveillance-r/run.sh [n_series_for_R = 20]
set -euo pipefail
n_r=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=${TMPDIR:-/tmp}/corredor-bench-detect
mkdir -p "$work"
root=$(git -C "$here" rev-parse --show-toplevel)
(cd "$root" && cargo build --release -p corredor-cli)
corredor="${CARGO_TARGET_DIR:-$root/target}/release/corredor"
"$corredor" bench detect --write-series "$work/series.csv"
Rscript "$here/time_farrington_flexible.R" "$work/series.csv" "$n_r" 104 "$work/r-alarms.csv"
"$corredor" detect --input "$work/series.csv" --algorithm farrington-flexible --evaluate-last 104 \
  --no-periods 10 --past-weeks-not-included 26 --threshold-method nbplugin --output "$work/corredor-alarms.csv"
# Same alarms and bounds on every period R evaluated (R's NA alarm is no alarm).
awk -F, 'FNR == 1 { next }
  NR == FNR { alarm[$1 "," $2] = ($3 == "" ? "false" : $3); bound[$1 "," $2] = $4; next }
  ($1 "," $2) in alarm { n++; k = $1 "," $2
    if (alarm[k] != $6) a++
    if ((bound[k] == "") != ($5 == "") || (bound[k] != "" && (bound[k] - $5 > 1e-6 * (bound[k] > 1 ? bound[k] : 1) || $5 - bound[k] > 1e-6 * (bound[k] > 1 ? bound[k] : 1)))) b++ }
  END { printf "compared %d periods with R: %d alarms differ, %d bounds differ\n", n, a + 0, b + 0 }' \
  "$work/r-alarms.csv" "$work/corredor-alarms.csv"
