#!/usr/bin/env python3
"""Builds data/entities/names.tsv (first and last names, features for the statistical tagger)
from the US Census name lists in ../shared/data/gazetteers/us_census_names (public domain).

    python3 scripts/build_names.py ../shared/data/gazetteers/us_census_names > data/entities/names.tsv
"""
import sys
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/gazetteers/us_census_names")
def top(name, n):
    words = []
    for line in (root / name).read_text().splitlines()[:n]:
        words.append(line.split()[0].capitalize())
    return words
first = sorted(set(top("dist.male.first", 1200) + top("dist.female.first", 1800)))
last = sorted(set(top("dist.all.last", 5000)))
for word in first:
    print(f"first\t{word}")
for word in last:
    print(f"last\t{word}")
