"""Articles -> events: find what happened, when and where, with the sentence that says so.

``extract(article)`` runs the pattern rules (:mod:`.rules`, the baseline), with the
parse-based trigger lexicon (:mod:`.lexicon`, spaCy) adding the happenings the patterns miss.
Which combination is the default was chosen by measurement on the real-text dev corpus
(``bench/real``; README "How extraction works").
"""

from __future__ import annotations

import time

from geo.extract import rules
from geo.extract.rules import TooSlow
from geo.models import Article, Event

__all__ = ["DEFAULT_METHOD", "METHODS", "MAX_SECONDS", "TooSlow", "extract"]

EXTRACTOR_VERSION = "4"
METHODS = ("rules", "lexicon")
DEFAULT_METHOD = "lexicon"
MAX_SECONDS = 10.0  # one article's extraction budget; ordinary news takes milliseconds


def extract(article: Article, method: str = DEFAULT_METHOD,
            budget_s: float | None = None) -> list[Event]:
    """Events of one article, merged within it. Pure: depends only on text, date, method.

    With ``budget_s``, raises :class:`TooSlow` once the article has taken that long.
    """
    deadline = time.monotonic() + budget_s if budget_s else None
    if method == "rules":
        return rules.extract(article, deadline=deadline)
    if method == "lexicon":
        from geo.extract import lexicon

        return rules.extract(article, more_triggers=lexicon.more_triggers, deadline=deadline)
    raise ValueError(f"unknown extraction method {method!r}; one of {', '.join(METHODS)}")
