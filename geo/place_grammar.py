"""The words news uses to name places, kept once for every stage that reads place names.

``data/place_words.csv`` lists them a row each (word, kind, whether running text is scanned
for it): mission words ("embassy", "high commission"), landmark types ("Bridge", "Square"),
region ranks ("province", "prefecture") and settlement words ("the town of ..."). The
mention finder (:mod:`geo.mentions`), the extractor's placing (:mod:`geo.extract.placing`),
the gazetteer and the geocoder (:mod:`geo.geocode`) build their patterns from here, so a word
added to the file is known to all of them.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "place_words.csv"


@functools.cache
def _rows() -> tuple[tuple[str, str, bool], ...]:
    with open(DATA, newline="", encoding="utf-8") as f:
        return tuple((r["word"].strip().lower(), r["kind"].strip(), r["scan"].strip() == "yes")
                     for r in csv.DictReader(f) if r["word"].strip())


def words(kind: str, scanned_only: bool = False) -> tuple[str, ...]:
    """The words of one kind ("mission", "landmark", "region_rank" (first-level: province,
    state), "region_rank2" (county, district), "settlement"), longest first so an alternation
    prefers "consulate-general" to "consulate"."""
    out = {w for w, k, scan in _rows() if k == kind and (scan or not scanned_only)}
    return tuple(sorted(out, key=lambda w: (-len(w), w)))


def alternation(kind: str, scanned_only: bool = False) -> str:
    """A regex alternation of the words, spaces and hyphens interchangeable."""
    return "|".join(re.escape(w).replace(r"\ ", r"[- ]").replace(r"\-", r"[- ]")
                    for w in words(kind, scanned_only))


MISSION_WORDS = words("mission")
LANDMARK_TYPES = words("landmark")
REGION_RANKS = words("region_rank")
REGION_RANKS_2 = words("region_rank2")
SETTLEMENT_WORDS = words("settlement")
