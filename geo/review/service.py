"""The review stage for a pipeline result: load the corrections and apply them, and never
let a database problem close the app (the events are then shown as extracted, with why)."""

from __future__ import annotations

import logging

from geo.review.apply import Reviewed, apply
from geo.review.corrections import ArticleHashes, Correction
from geo.store import StoreError

log = logging.getLogger(__name__)


def load_corrections(db=None) -> tuple[list[Correction], str | None]:
    """(corrections, None), or ([], what is wrong and what to do)."""
    from geo.review import log as review_log

    try:
        return review_log.load(db), None
    except StoreError as exc:
        log.warning("corrections not applied: %s", exc)
        return [], f"Your corrections are not applied: {exc}"


def review(result, corrections: list[Correction]) -> Reviewed:
    """``result.events`` with ``corrections`` applied (``result`` is not changed). The
    articles' hashes are computed only when a correction is to be matched."""
    return apply(result.events, corrections, ArticleHashes(result.articles))


def find_event(events, wanted: str):
    """The event with id ``wanted``, or the one whose id starts with it; else ValueError."""
    exact = [e for e in events if e.id == wanted]
    if exact:
        return exact[0]
    found = [e for e in events if e.id.startswith(wanted)] if len(wanted) >= 4 else []
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{wanted!r} fits {len(found)} events; give more of the id")
    raise ValueError(f"no event with id {wanted!r} (see `python -m geo review list`)")
