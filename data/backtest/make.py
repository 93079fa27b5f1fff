#!/usr/bin/env python3
"""Builds northbound-monthly-by-nationality.csv: monthly irregular-flow counts by
nationality at four nodes of the northbound corridor, in corredor's long series format
(`series,period,count`, series named `NODE:NAT`).

Usage: python3 data/backtest/make.py [--real DIR] [--output FILE]

DIR defaults to the repository's data/real (each source in its own folder with its
SOURCE.md). Python standard library only, so anyone can rebuild the file.
"""

import argparse
import csv
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
NATIONALITIES = ["VEN", "CUB", "HTI", "ECU", "CHN", "COL"]


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def darien(real):
    # 2010-2019 rows are annual totals stored at YYYY-01: only 2020 onwards is monthly.
    counts = defaultdict(int)
    months = set()
    for row in read_rows(os.path.join(real, "darien-panama-snm", "irreg_darien_nat.csv")):
        if row["t"] < "2020-01":
            continue
        months.add(row["t"])
        counts[(row["t"], row["nat"])] += int(row["n"])
    return months, counts


def honduras(real):
    # The INM dashboard codes Chinese nationals as TWN (see its SOURCE.md): count them as CHN.
    counts = defaultdict(int)
    months = set()
    for row in read_rows(os.path.join(real, "honduras-inm-irregular", "irreg_honduras_nat.csv")):
        nat = "CHN" if row["nat"] == "TWN" else row["nat"]
        months.add(row["t"])
        counts[(row["t"], nat)] += int(row["n"])
    # 2020-04 and 2020-05 have no rows because the total was zero: they are true zeros.
    for month in ("2020-04", "2020-05"):
        months.add(month)
    return months, counts


def mexico(real):
    counts = defaultdict(int)
    months = set()
    for row in read_rows(os.path.join(real, "mexico-upm-irregular", "irreg_mexico_nat.csv")):
        months.add(row["t"])
        counts[(row["t"], row["nat"])] += int(row["n"])
    return months, counts


def usa(real):
    # Sum over component, area, authority, encounter type and demographic. Before 2019-10
    # the file has no citizenship, so those months are left out rather than counted as 0.
    counts = defaultdict(int)
    months = set()
    for row in read_rows(os.path.join(real, "cbp-swb-encounters", "irreg_usa.csv")):
        if not row["nat"]:
            continue
        months.add(row["t"])
        counts[(row["t"], row["nat"])] += int(row["n"])
    return months, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=os.path.join(HERE, "..", "real"))
    parser.add_argument(
        "--output", default=os.path.join(HERE, "northbound-monthly-by-nationality.csv")
    )
    args = parser.parse_args()
    nodes = [("PAN", darien), ("HND", honduras), ("MEX", mexico), ("USA", usa)]
    rows = []
    for node, read in nodes:
        months, counts = read(args.real)
        # A month the source reports is a zero for a nationality without a row; a month the
        # source does not report at all stays missing.
        for nat in NATIONALITIES:
            for month in sorted(months):
                rows.append((f"{node}:{nat}", month, counts.get((month, nat), 0)))
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["series", "period", "count"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
