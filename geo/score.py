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


# ---- real-text gold (../shared/reference/gold-conventions.md) ----------------------------
# One line per event: article, date (YYYY-MM-DD / YYYY-MM / YYYY / null), optional date_alt,
# lat, lon, tol_km. No category: a pair needs the same article, the date and the place.


def is_conventions_gold(gold: Sequence[dict]) -> bool:
    return bool(gold) and "tol_km" in gold[0]


def conv_date_ok(event: Event, g: dict) -> bool:
    accepted = [g.get("date")] + list(g.get("date_alt") or [])
    if None in accepted:
        return True
    return bool(event.date) and any(event.date.startswith(d) and len(event.date) >= len(d)
                                    for d in accepted)


def conv_place_ok(event: Event, g: dict) -> bool:
    p = event.place
    if p is None or p.lat is None or p.lon is None or g.get("lat") is None:
        return False
    return haversine_km(p.lat, p.lon, g["lat"], g["lon"]) <= g["tol_km"]


def max_matching(edges: dict[int, list[int]]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn's augmenting paths): gold index -> predicted index."""
    match_pred: dict[int, int] = {}

    def augment(j: int, seen: set[int]) -> bool:
        for i in edges.get(j, ()):
            if i in seen:
                continue
            seen.add(i)
            if i not in match_pred or augment(match_pred[i], seen):
                match_pred[i] = j
                return True
        return False

    for j in edges:
        augment(j, set())
    return {j: i for i, j in match_pred.items()}


@dataclass
class ConvScore:
    predicted: int
    gold: int
    strict: int
    place_only: int
    date_only: int
    per_article: dict = field(default_factory=dict)
    strict_pairs: dict = field(default_factory=dict)  # gold index -> predicted index

    @staticmethod
    def _prf(m: int, p: int, g: int) -> dict:
        pr = m / p if p else 0.0
        rc = m / g if g else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        return {"precision": round(pr, 3), "recall": round(rc, 3), "f1": round(f1, 3)}

    def as_dict(self) -> dict:
        return {
            "predicted": self.predicted, "gold": self.gold,
            "strict": self._prf(self.strict, self.predicted, self.gold),
            "place_only": self._prf(self.place_only, self.predicted, self.gold),
            "date_only": self._prf(self.date_only, self.predicted, self.gold),
        }


def score_conventions(events: Sequence[Event], gold: Sequence[dict]) -> ConvScore:
    """Strict, place-only and date-only maximum matchings, each event and gold used once."""
    by_article: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        for name in dict.fromkeys(s.article for s in e.sources):
            by_article.setdefault(name, []).append(i)

    def matching(ok) -> dict[int, int]:
        edges = {j: [i for i in by_article.get(g["article"], []) if ok(events[i], g)]
                 for j, g in enumerate(gold)}
        return max_matching({j: v for j, v in edges.items() if v})

    strict = matching(lambda e, g: conv_date_ok(e, g) and conv_place_ok(e, g))
    place = matching(conv_place_ok)
    date = matching(conv_date_ok)
    per_article: dict[str, dict] = {}
    for j, g in enumerate(gold):
        a = per_article.setdefault(g["article"], {"gold": 0, "predicted": 0, "strict": 0})
        a["gold"] += 1
        a["strict"] += j in strict
    for name, idx in by_article.items():
        if name in per_article:
            per_article[name]["predicted"] = len(idx)
    articles = {g["article"] for g in gold}
    n_pred = sum(1 for e in events if any(s.article in articles for s in e.sources))
    return ConvScore(n_pred, len(gold), len(strict), len(place), len(date), per_article, strict)


def report_conventions(events: Sequence[Event], gold: Sequence[dict], s: ConvScore) -> str:
    lines = [json.dumps(s.as_dict())]
    matched = set(s.strict_pairs.values())
    articles = sorted({g["article"] for g in gold})
    for name in articles:
        a = s.per_article[name]
        lines.append(f"== {name}: gold {a['gold']} predicted {a['predicted']} strict "
                     f"{a['strict']}")
        for j, g in enumerate(gold):
            if g["article"] != name:
                continue
            mark = "ok    " if j in s.strict_pairs else "MISSED"
            lines.append(f"  {mark} {g.get('date')} {g.get('city') or g.get('region') or ''}"
                         f", {g.get('country')}: {g.get('what')}  | {g['evidence'][:90]}")
        for i, e in enumerate(events):
            if i in matched or not any(src.article == name for src in e.sources):
                continue
            place = e.place.name if e.place else "-"
            lines.append(f"  EXTRA  {e.date} {e.category} {e.title} @ {place}")
    return "\n".join(lines)
