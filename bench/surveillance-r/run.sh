#!/bin/bash
# Times corredor and R's farringtonFlexible on the same generated series on this machine and
# compares their alarms. Not part of CI (R takes about a second per series).
#   bench/surveillance-r/run.sh [n_series_for_R = 20]
set -euo pipefail
n_r=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=${TMPDIR:-/tmp}/corredor-bench-detect
mkdir -p "$work"
cargo build --release -p corredor-cli
corredor="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/corredor"
"$corredor" bench detect --write-series "$work/series.csv"
Rscript "$here/time_farrington_flexible.R" "$work/series.csv" "$n_r" 104 "$work/r-alarms.csv"
"$corredor" detect --input "$work/series.csv" --algorithm farrington-flexible --evaluate-last 104 \
  --no-periods 10 --past-weeks-not-included 26 --threshold-method nbplugin --output "$work/corredor-alarms.csv"
# Same alarms on the series R evaluated: compare series, period and alarm.
cut -d, -f1,2,3 "$work/r-alarms.csv" | tail -n +2 | sort > "$work/r.txt"
awk -F, 'NR > 1 { print $1 "," $2 "," $6 }' "$work/corredor-alarms.csv" | sort > "$work/all.txt"
join -t, -j1 <(awk -F, '{print $1"|"$2","$3}' "$work/r.txt" | sort) <(awk -F, '{print $1"|"$2","$3}' "$work/all.txt" | sort) \
  | awk -F, '$2 != $3 { d++ } END { printf "alarms compared: %d rows, %d differ\n", NR, d + 0 }'
