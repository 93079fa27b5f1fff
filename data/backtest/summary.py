#!/usr/bin/env python3
"""Summarises the backtest results of backtest.sh as the Markdown tables of docs/forecast.md.

Reads, for each target, the score table `corredor backtest` printed (NODE-NAT.txt) and the
forecasts it wrote (NODE-NAT.csv). Python standard library only.
"""

import csv
import os
import sys

NODES = ["PAN", "HND", "MEX", "USA"]
NATIONALITIES = ["VEN", "CUB", "HTI", "ECU", "CHN", "COL"]
MODELS = ["propagation", "ets", "snaive"]


def scores(path):
    table = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) == 7 and fields[0] in MODELS:
                table[(fields[0], int(fields[1]))] = float(fields[3])
    return table


def main():
    results = sys.argv[1]
    print("| target | h | MASE propagation | MASE ets | MASE snaive | propagation beats snaive | propagation cover80 | propagation cover95 |")
    print("|---|---|---|---|---|---|---|---|")
    wins = total = 0
    inside = {}
    for nat in NATIONALITIES:
        for node in NODES:
            name = f"{node}-{nat}"
            table = scores(os.path.join(results, name + ".txt"))
            with open(os.path.join(results, name + ".csv"), newline="", encoding="utf-8") as handle:
                rows = [r for r in csv.DictReader(handle) if r["model"] == "propagation" and r["actual"]]
            for h in (1, 2, 3):
                at = [r for r in rows if int(r["horizon"]) == h]
                in80 = sum(float(r["lower80"]) <= float(r["actual"]) <= float(r["upper80"]) for r in at)
                in95 = sum(float(r["lower95"]) <= float(r["actual"]) <= float(r["upper95"]) for r in at)
                for key, count in ((("all", h), len(at)), (("in80", h), in80), (("in95", h), in95)):
                    inside[key] = inside.get(key, 0) + count
                p, e, s = (table[(m, h)] for m in MODELS)
                win = p < s
                wins += win
                total += 1
                print(
                    f"| {node}:{nat} | {h} | {p:.2f} | {e:.2f} | {s:.2f} | {'yes' if win else '**no**'} "
                    f"| {100 * in80 / len(at):.0f}% | {100 * in95 / len(at):.0f}% |"
                )
    print()
    print(f"Propagation beats seasonal naive on MASE in {wins} of {total} target x horizon cells.")
    print()
    print("| h | forecasts | propagation 80% coverage | propagation 95% coverage |")
    print("|---|---|---|---|")
    for h in (1, 2, 3):
        n = inside[("all", h)]
        print(f"| {h} | {n} | {100 * inside[('in80', h)] / n:.1f}% | {100 * inside[('in95', h)] / n:.1f}% |")


if __name__ == "__main__":
    main()
