"""Corrections in the user's database: one row per action, appended in one transaction.

Append-only on purpose: two sessions that edit at once each add their rows and lose
nothing; undo is a row that names its target; the history is the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from geo.review.corrections import Correction, EventKey
from geo.store import Database, open_database

log = logging.getLogger(__name__)

_COLUMNS = "id, created, kind, article_hash, sentence, family, place_hint, payload, author"


def save(c: Correction, db: Database | None = None) -> Correction:
    """Store ``c``; the returned copy has its id. When this returns, the action is on disk.
    Raises a :class:`geo.store.StoreError` (it says what to do) when it cannot."""
    db = db or open_database()
    created = c.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    payload = json.dumps(c.details, ensure_ascii=False, sort_keys=True)
    with db.write() as conn:
        cur = conn.execute(
            "INSERT INTO corrections (created, kind, article_hash, sentence, family, "
            "place_hint, payload, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (created, c.kind, c.key.article_hash, c.key.sentence, c.key.family,
             c.key.place_hint, payload, c.author))
        new_id = cur.lastrowid
    return Correction(c.kind, c.key, c.details, new_id, created, c.author)


def _row(row: tuple) -> Correction | None:
    cid, created, kind, ahash, sentence, family, hint, payload, author = row
    try:
        details = json.loads(payload)
        if not isinstance(details, dict):
            raise ValueError("payload is not an object")
        return Correction(kind, EventKey(ahash, sentence, family, hint), details, cid,
                          created, author)
    except ValueError as exc:  # a hand-edited row: skip it, say so, keep the others
        log.warning("correction #%s unreadable (%s); skipped", cid, exc)
        return None


def load(db: Database | None = None) -> list[Correction]:
    db = db or open_database()
    rows = db.query(f"SELECT {_COLUMNS} FROM corrections ORDER BY id")
    return [c for c in map(_row, rows) if c is not None]


def get(cid: int, db: Database | None = None) -> Correction | None:
    db = db or open_database()
    rows = db.query(f"SELECT {_COLUMNS} FROM corrections WHERE id = ?", (cid,))
    return _row(rows[0]) if rows else None


def version(db: Database | None = None) -> tuple[int, int]:
    """(rows, last id): changes whenever a correction is saved (a cheap cache key)."""
    db = db or open_database()
    n, last = db.query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM corrections")[0]
    return int(n), int(last)
