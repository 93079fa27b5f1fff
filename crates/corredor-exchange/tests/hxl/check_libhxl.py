#!/usr/bin/env python3
"""Reads corredor HXL exports with libhxl, the reference HXL reader, and checks them.

For each file: libhxl finds the hashtag row, the columns carry exactly the hashtags of
corredor's HXL profile (shared/standards/hxl/PROFILE.md), libhxl's default validation schema
reports no error, and the sum of `#indicator+value+num` per reporting country and measure,
summed by libhxl, equals the sum of the value column read as plain CSV.

The default file, darien-2023-08-export.csv, is what `write_hxl` writes for the Darién sample
(the Rust test `the_hxl_writer_output_is_the_file_libhxl_is_checked_on` keeps it so); its total
must be SNM's published figure for August 2023, 81,946.

Usage:
    python3 -m venv /tmp/hxl && /tmp/hxl/bin/pip install libhxl six
    /tmp/hxl/bin/python crates/corredor-exchange/tests/hxl/check_libhxl.py [EXPORT.csv ...]
"""

import collections
import csv
import pathlib
import sys

import hxl
from hxl.input import InputOptions

PROFILE = [
    "#country+code",
    "#date",
    "#loc+code",
    "#indicator+code",
    "#country+code+origin",
    "#group+sex",
    "#group+age",
    "#group+vulnerability",
    "#indicator+value+num",
    "#meta+source",
]
HISTORY = ["#meta+revision+num", "#meta+submitter", "#date+submitted"]
HERE = pathlib.Path(__file__).resolve().parent
DARIEN_AUGUST_2023 = 81_946


def normalised(tag):
    head, *attributes = tag.split("+")
    return "+".join([head] + sorted(attributes))


def check(path):
    dataset = hxl.data(str(path), InputOptions(allow_local=True))
    tags = [column.get_display_tag(sort_attributes=True) for column in dataset.columns]
    expected = [normalised(t) for t in PROFILE]
    if tags not in (expected, expected + [normalised(t) for t in HISTORY]):
        raise SystemExit(f"{path}: libhxl reads the tags {tags}, expected {expected}")

    by_libhxl = collections.Counter()
    rows = 0
    for row in dataset:
        rows += 1
        # `-origin` excludes the nationality column, which is also a #country+code.
        key = (row.get("#country+code-origin"), row.get("#indicator+code"))
        by_libhxl[key] += int(row.get("#indicator+value+num"))

    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        next(reader)  # the hashtag row
        by_csv = collections.Counter()
        for record in reader:
            by_csv[(record["country"], record["measure"])] += int(record["value"])
    if by_libhxl != by_csv:
        raise SystemExit(f"{path}: libhxl totals {dict(by_libhxl)} differ from {dict(by_csv)}")

    errors = []
    dataset.validate(callback=lambda e: errors.append(e) if e.is_error else None)
    if errors:
        raise SystemExit(f"{path}: libhxl validation errors: {[e.message for e in errors]}")

    print(f"{path.name}: {rows} rows, tags as in the profile, totals {dict(by_libhxl)}, no validation error")
    return by_libhxl


def main(arguments):
    paths = [pathlib.Path(a) for a in arguments] or [HERE / "darien-2023-08-export.csv"]
    for path in paths:
        totals = check(path)
        if not arguments:
            # The export holds the total, the nationalities and sex x age: three times the total.
            total = totals[("PAN", "irregular_entry")]
            if total != 3 * DARIEN_AUGUST_2023:
                raise SystemExit(f"{path}: total {total}, expected 3 x {DARIEN_AUGUST_2023}")


if __name__ == "__main__":
    main(sys.argv[1:])
