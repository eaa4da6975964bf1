"""Events as JSONL, CSV and GeoJSON strings (the CLI's ``extract --format`` and the dashboard's
download buttons). One schema, :func:`record`, feeds all three.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from geo.links import source_record
from geo.models import Event

CSV_FIELDS = [
    "id",
    "date",
    "date_precision",
    "status",
    "category",
    "title",
    "time_of_day",
    "place_name",
    "lat",
    "lon",
    "place_precision",
    "place_source",
    "city",
    "country",
    "attribution",
    "place_note",
    "articles",
    "sentences",
    "urls",
    "review_status",
    "original",
]


def _date_precision(e: Event) -> str | None:
    if e.date_precision:
        return e.date_precision
    if not e.date:
        return None
    return {4: "year", 7: "month", 10: "day"}.get(len(e.date))


def _place(e: Event) -> dict | None:
    p = e.place
    if p is None:
        if e.mention is None:
            return None
        # a mention the geocoder never saw: still say what the text named
        return {
            "name": e.mention.text,
            "lat": None,
            "lon": None,
            "precision": e.mention.kind
            if e.mention.kind in ("landmark", "city", "region", "country")
            else "landmark",
            "source": "unresolved",
            "city": e.mention.city,
            "country": e.mention.country_code,
            "attribution": None,
            "note": "not geocoded",
        }
    return {
        "name": p.name,
        "lat": p.lat,
        "lon": p.lon,
        "precision": p.precision,
        "source": p.source,
        "city": p.city,
        "country": p.country,
        "attribution": p.attribution,
        "note": p.note,
    }


def record(e: Event) -> dict:
    """The export schema of one event (plain JSON types only)."""
    return {
        "id": e.id,
        "date": e.date,
        "date_precision": _date_precision(e),
        "status": e.status,
        "category": e.category,
        "title": e.title,
        "time_of_day": e.time_of_day,
        "date_inferred": bool(e.date_inferred),
        "background": bool(e.background),
        "actor": e.actor,
        "place": _place(e),
        "sources": [source_record(s) for s in e.sources],
        # provenance: "auto" (as extracted), "confirmed", "edited" or "added" by a person;
        # ``original``: the extractor's values of the fields the user changed (else null)
        "review_status": e.review_status or "auto",
        "original": _original(e),
    }


def _original(e: Event) -> dict | None:
    if not e.original:
        return None
    out = dict(e.original)
    if isinstance(out.get("place"), dict):  # the same shape as the record's own place
        p = out["place"]
        out["place"] = {k: p.get(k) for k in ("name", "lat", "lon", "precision", "source",
                                               "city", "country", "attribution", "note")}
    return out


def to_jsonl(events: Iterable[Event]) -> str:
    """One JSON object per line; empty string for no events."""
    lines = [json.dumps(record(e), ensure_ascii=False) for e in events]
    return "".join(line + "\n" for line in lines)


def _sanitize_cell(value: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is run as a formula by
    # Excel/LibreOffice. Article text is untrusted, so prefix such cells with a quote.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def csv_row(e: Event) -> dict:
    r = record(e)
    p = r["place"] or {}
    row = {
        "id": r["id"],
        "date": r["date"] or "",
        "date_precision": r["date_precision"] or "",
        "status": r["status"],
        "category": r["category"],
        "title": r["title"],
        "time_of_day": r["time_of_day"] or "",
        "place_name": p.get("name") or "",
        "lat": "" if p.get("lat") is None else p["lat"],
        "lon": "" if p.get("lon") is None else p["lon"],
        "place_precision": p.get("precision") or "",
        "place_source": p.get("source") or "",
        "city": p.get("city") or "",
        "country": p.get("country") or "",
        "attribution": p.get("attribution") or "",
        "place_note": p.get("note") or "",
        "articles": "; ".join(dict.fromkeys(s["article"] for s in r["sources"])),
        "sentences": " | ".join(s["sentence"] for s in r["sources"]),
        "urls": " ".join(dict.fromkeys(s["url"] for s in r["sources"] if s.get("url"))),
        "review_status": r["review_status"],
        "original": json.dumps(r["original"], ensure_ascii=False, sort_keys=True)
        if r["original"] else "",
    }
    return {k: _sanitize_cell(v) if isinstance(v, str) else v for k, v in row.items()}


def to_csv(events: Iterable[Event]) -> str:
    """One row per event, with a header; place and sources flattened."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for e in events:
        w.writerow(csv_row(e))
    return buf.getvalue()


def to_geojson(events: Iterable[Event]) -> str:
    """A FeatureCollection of Points for located events.

    Unlocated events are not features (they have no geometry); the top-level ``unlocated``
    member counts them and ``unlocated_ids`` names them, so nothing silently disappears.
    """
    features = []
    unlocated = []
    for e in events:
        r = record(e)
        p = r["place"]
        if p is None or p["lat"] is None or p["lon"] is None:
            unlocated.append(e.id)
            continue
        features.append(
            {
                "type": "Feature",
                "id": e.id,
                # GeoJSON order is [lon, lat]
                "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                "properties": r,
            }
        )
    fc = {
        "type": "FeatureCollection",
        "features": features,
        "unlocated": len(unlocated),
        "unlocated_ids": unlocated,
    }
    return json.dumps(fc, ensure_ascii=False, indent=1)


FORMATS = {"jsonl": to_jsonl, "csv": to_csv, "geojson": to_geojson}
