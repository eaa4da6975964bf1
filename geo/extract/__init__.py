"""Articles -> events: find what happened, when and where, with the sentence that says so.

``extract(article)`` runs the pattern rules (:mod:`.rules`, the baseline), with the
parse-based trigger lexicon (:mod:`.lexicon`, spaCy) adding the happenings the patterns miss.
Which combination is the default was chosen by measurement on the real-text dev corpus
(``bench/real``; README "How extraction works").
"""

from __future__ import annotations

from geo.extract import rules
from geo.models import Article, Event

EXTRACTOR_VERSION = "4"
METHODS = ("rules", "lexicon")
DEFAULT_METHOD = "lexicon"


def extract(article: Article, method: str = DEFAULT_METHOD) -> list[Event]:
    """Events of one article, merged within it. Pure: depends only on text, date, method."""
    if method == "rules":
        return rules.extract(article)
    if method == "lexicon":
        from geo.extract import lexicon

        return rules.extract(article, more_triggers=lexicon.more_triggers)
    raise ValueError(f"unknown extraction method {method!r}; one of {', '.join(METHODS)}")
