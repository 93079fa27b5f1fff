#!/usr/bin/env python3
"""Builds countries.csv and places.csv of corredor's reference data.

Inputs (see README.md for sources and licences):
  /usr/share/iso-codes/json/iso_3166-1.json and
  /usr/share/locale/es/LC_MESSAGES/iso_3166-1.mo   (Debian package iso-codes)
  upstream/americas-countries-m49.csv (RCM status)
  upstream/corridor-crossing-points.csv
  places-extra.csv (places added for corredor: US Border Patrol sectors, CBP field offices,
  Guatemala's returnee reception centres)

Run from the repository root: python3 data/reference/make.py
"""
import csv
import gettext
import json
import sys

OUT = "data/reference"
UPSTREAM = f"{OUT}/upstream"

# Spanish names where the iso-codes 4.15.0 catalogue has no translation or a misspelling.
SPANISH_OVERRIDES = {
    "DZA": "Argelia",
    "TUR": "Turquía",
    "CIV": "Côte d'Ivoire",
}

def countries():
    iso = json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]
    es = gettext.GNUTranslations(open("/usr/share/locale/es/LC_MESSAGES/iso_3166-1.mo", "rb"))
    rcm = {}
    with open(f"{UPSTREAM}/americas-countries-m49.csv") as f:
        for row in csv.DictReader(f):
            rcm[row["iso_a3"]] = row["rcm_status"]
    rows = []
    for c in sorted(iso, key=lambda c: c["alpha_3"]):
        # The short common name ("Bolivia", "Venezuela") where iso-codes has one, because
        # it is what people read on a map or a chart.
        name_en = c.get("common_name", c["name"])
        if name_en in es._catalog:
            name_es = es.gettext(name_en)
        else:
            name_es = es.gettext(c["name"])
        name_es = SPANISH_OVERRIDES.get(c["alpha_3"], name_es)
        rows.append([c["alpha_3"], name_en, name_es, rcm.get(c["alpha_3"], "")])
    with open(f"{OUT}/countries.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_en", "name_es", "rcm_status"])
        w.writerows(rows)
    return {c["alpha_2"]: c["alpha_3"] for c in iso}

def places(alpha3):
    rows = []
    with open(f"{UPSTREAM}/corridor-crossing-points.csv") as f:
        for p in csv.DictReader(f):
            note = p["note"]
            extra = f"coordinates ±{p['coord_precision_km']} km"
            note = f"{note}; {extra}" if note else extra
            rows.append([
                p["id"], p["name"], alpha3[p["country_iso2"]], p["kind"],
                alpha3[p["counterpart_iso2"]] if p["counterpart_iso2"] else "",
                p["lat"], p["lon"], note,
            ])
    with open(f"{OUT}/places-extra.csv") as f:
        for p in csv.DictReader(f):
            rows.append([p[k] for k in ["code", "name", "country", "kind", "counterpart", "latitude", "longitude", "note"]])
    with open(f"{OUT}/places.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "country", "kind", "counterpart", "latitude", "longitude", "note"])
        w.writerows(rows)

if __name__ == "__main__":
    places(countries())
