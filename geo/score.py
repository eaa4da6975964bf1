"""Score extracted events against a gold file: precision, recall, date and place accuracy.

Gold format (one JSON object per line): ``categories`` (accepted categories), ``status``,
``dates`` (accepted values: "2023-07-20", "2023-06", "2019"), ``places`` (accepted points,
each with ``lat``, ``lon``, ``tolerance_km``), ``articles``, ``description``.

A predicted event and a gold event can be paired when the category is accepted and the
date or the place is right; pairs are taken best first, each event at most once.
"Strict" counts only pairs whose date and place are both right.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.gazetteer import haversine_km
from geo.models import Event


def load_gold(path: str | Path) -> list[dict]:
    lines = Path(path).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def date_ok(event: Event, gold: dict) -> bool:
    return event.date in gold["dates"]


def place_ok(event: Event, gold: dict) -> bool:
    p = event.place
    if p is None or p.lat is None or p.lon is None:
        return False
    return any(
        haversine_km(p.lat, p.lon, g["lat"], g["lon"]) <= g["tolerance_km"] for g in gold["places"]
    )


@dataclass
class Score:
    predicted: int
    gold: int
    matched: int
    strict: int
    dates_right: int
    places_right: int
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (predicted index, gold index)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def strict_precision(self) -> float:
        return self.strict / self.predicted if self.predicted else 0.0

    @property
    def strict_recall(self) -> float:
        return self.strict / self.gold if self.gold else 0.0

    @property
    def date_accuracy(self) -> float:
        return self.dates_right / self.matched if self.matched else 0.0

    @property
    def place_accuracy(self) -> float:
        return self.places_right / self.matched if self.matched else 0.0

    def as_dict(self) -> dict:
        keys = ("precision", "recall", "strict_precision", "strict_recall", "date_accuracy",
                "place_accuracy")
        out = {k: round(getattr(self, k), 3) for k in keys}
        out.update(predicted=self.predicted, gold=self.gold, matched=self.matched,
                   strict=self.strict)
        return out


def score(events: Sequence[Event], gold: Sequence[dict]) -> Score:
    candidates = []
    for i, e in enumerate(events):
        for j, g in enumerate(gold):
            if e.category not in g["categories"]:
                continue
            d, p = date_ok(e, g), place_ok(e, g)
            if d or p:
                status = e.status == g.get("status", e.status)
                candidates.append((2 * d + 2 * p + status, i, j, d, p))
    candidates.sort(key=lambda c: -c[0])
    used_e: set[int] = set()
    used_g: set[int] = set()
    result = Score(len(events), len(gold), 0, 0, 0, 0)
    for _, i, j, d, p in candidates:
        if i in used_e or j in used_g:
            continue
        used_e.add(i)
        used_g.add(j)
        result.matched += 1
        result.dates_right += d
        result.places_right += p
        result.strict += d and p
        result.pairs.append((i, j))
    return result


def report(events: Sequence[Event], gold: Sequence[dict], result: Score) -> str:
    """Human-readable: the numbers, then what was missed and what was extra."""
    lines = [json.dumps(result.as_dict())]
    paired_e = {i: j for i, j in result.pairs}
    paired_g = {j for _, j in result.pairs}
    for i, e in enumerate(events):
        place = e.place.name if e.place else "-"
        if i in paired_e:
            g = gold[paired_e[i]]
            flags = ("" if date_ok(e, g) else " WRONG-DATE") + ("" if place_ok(e, g) else
                                                                  " WRONG-PLACE")
            lines.append(f"  ok   {e.date} {e.category:18} {e.title} @ {place}{flags}")
        else:
            lines.append(f"  EXTRA {e.date} {e.category:18} {e.title} @ {place}")
    for j, g in enumerate(gold):
        if j not in paired_g:
            lines.append(f"  MISSED {g['dates'][0]} {g['categories'][0]:18} {g['description']}")
    return "\n".join(lines)
