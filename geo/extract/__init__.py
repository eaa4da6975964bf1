"""Articles -> events: find what happened, when and where, with the sentence that says so.

``extract(article)`` runs the pattern rules (:mod:`.rules`, the baseline), with the
parse-based trigger lexicon (:mod:`.lexicon`, spaCy) adding the happenings the patterns miss.
Which combination is the default was chosen by measurement on the real-text dev corpus
(``bench/real``; README "How extraction works").
"""

from __future__ import annotations

import functools
import time

from geo.extract import rules
from geo.extract.rules import TooSlow
from geo.models import Article, Event

__all__ = ["DEFAULT_METHOD", "METHODS", "MAX_SECONDS", "TooSlow", "extract"]

EXTRACTOR_VERSION = "5"
METHODS = ("rules", "lexicon", "lexicon+gate", "lexicon+classifier", "lexicon+both")
# What the sentence classifier does in each method: (gate, add) probabilities, see
# lexicon.more_triggers. Chosen on the dev part of the real-text corpus.
_CLASSIFIER = {"lexicon": (None, None), "lexicon+gate": (0.8, None),
               "lexicon+classifier": (None, 0.7), "lexicon+both": (0.8, 0.7)}
DEFAULT_METHOD = "lexicon"
MAX_SECONDS = 10.0  # one article's extraction budget; ordinary news takes milliseconds


def extract(article: Article, method: str = DEFAULT_METHOD,
            budget_s: float | None = None) -> list[Event]:
    """Events of one article, merged within it. Pure: depends only on text, date, method.

    With ``budget_s``, raises :class:`TooSlow` once the article has taken that long.
    """
    if budget_s and method != "rules":
        from geo.extract import nlp

        nlp.pipeline()  # loading the model (seconds, once) is not the article's time
    if budget_s:
        from geo import gazetteer

        gazetteer.warm()  # nor is building the gazetteer's indexes
    deadline = time.monotonic() + budget_s if budget_s else None
    if method == "rules":
        return rules.extract(article, deadline=deadline)
    if method in _CLASSIFIER:
        from geo.extract import lexicon

        gate, add = _CLASSIFIER[method]
        return rules.extract(article, deadline=deadline, more_triggers=functools.partial(
            lexicon.more_triggers, gate=gate, add=add))
    raise ValueError(f"unknown extraction method {method!r}; one of {', '.join(METHODS)}")
