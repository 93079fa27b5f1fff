#!/bin/sh
# Backtests the three models at every node of the northbound chain for every nationality
# of northbound-monthly-by-nationality.csv: origins 2022-01..2024-12, horizons 1-3.
# Writes one forecast file and one score table per target in RESULTS, then prints the
# summary that docs/forecast.md shows.
#
# Usage: sh data/backtest/backtest.sh [CORREDOR [RESULTS]]
#   CORREDOR defaults to target/release/corredor, RESULTS to target/backtest.
set -eu
here=$(dirname "$0")
corredor=${1:-target/release/corredor}
results=${2:-target/backtest}
mkdir -p "$results"
for nat in VEN CUB HTI ECU CHN COL; do
    upstream=""
    for node in PAN HND MEX USA; do
        # shellcheck disable=SC2086 # upstream is a list of arguments on purpose
        "$corredor" backtest --input "$here/northbound-monthly-by-nationality.csv" \
            --target "$node:$nat" $upstream --horizon 3 --origins 2022-01..2024-12 \
            --model all --output "$results/$node-$nat.csv" > "$results/$node-$nat.txt"
        upstream="$upstream --upstream $node:$nat"
    done
done
python3 "$here/summary.py" "$results"
