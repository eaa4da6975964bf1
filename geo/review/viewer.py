"""The article viewer: an article's text as HTML, the sentences that produced events
highlighted, so the user checks the evidence in context (and picks a missed one).

Sentences come from the extractor's own splitter (:func:`geo.extract.sentences.
split_sentences`), so a sentence offered for "add an event" is the unit the extractor
keys on. Every piece of text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from geo.extract.sentences import split_sentences
from geo.review.corrections import fold


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    text: str
    evidence: bool  # an event's source sentence
    events: tuple[str, ...] = ()  # titles of the events it gave


def sentences(text: str, evidence: dict[str, list[str]]) -> list[Sentence]:
    """The article's sentences; ``evidence`` maps a (folded) evidence sentence to the
    titles of its events. A source sentence the splitter cuts differently still lights
    up every sentence it contains or that contains it."""
    folded = {fold(k): v for k, v in evidence.items()}
    out = []
    for para, s in split_sentences(text):
        f = fold(s)
        titles = folded.get(f)
        if titles is None:
            titles = [t for k, ts in folded.items() if f and (f in k or k in f) for t in ts]
        out.append(Sentence(para, s, bool(titles), tuple(dict.fromkeys(titles or ()))))
    return out


def evidence_of(events: Iterable, article: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in events:
        for s in e.sources:
            if s.article == article:
                out.setdefault(fold(s.sentence), []).append(e.title)
    return out


def article_html(text: str, evidence: dict[str, list[str]], focus: str | None = None,
                 max_chars: int = 60_000) -> str:
    """Paragraphs of escaped sentences; evidence in ``<mark>`` (its events as the tooltip),
    the ``focus`` sentence (the event under review) marked strongest."""
    parts, para, shown = ['<div class="nm-article-text"><p>'], 0, 0
    focus_f = fold(focus) if focus else None
    for s in sentences(text, evidence):
        if shown > max_chars:
            parts.append('</p><p class="nm-article-cut">… (the rest of the article is not '
                         "shown)")
            break
        if s.paragraph != para:
            parts.append("</p><p>")
            para = s.paragraph
        body = html.escape(s.text)
        if s.evidence:
            cls = "nm-ev nm-ev-focus" if focus_f and (
                focus_f in fold(s.text) or fold(s.text) in focus_f) else "nm-ev"
            title = html.escape("; ".join(s.events), quote=True)
            body = f'<mark class="{cls}" title="{title}">{body}</mark>'
        parts.append(body + " ")
        shown += len(s.text)
    parts.append("</p></div>")
    return "".join(parts)


def focus_html(text: str, evidence: dict[str, list[str]], focus: str) -> str:
    """The paragraph that holds ``focus`` (the event under review), its sentence marked:
    the evidence in context, before the whole text."""
    sents = sentences(text, evidence)
    focus_f = fold(focus)
    hit = next((s for s in sents if focus_f and (focus_f in fold(s.text)
                                                  or fold(s.text) in focus_f)), None)
    if hit is None:
        return ""
    para = [s for s in sents if s.paragraph == hit.paragraph]
    body = " ".join(f'<mark class="nm-ev nm-ev-focus">{html.escape(s.text)}</mark>'
                    if s is hit or fold(s.text) in focus_f else html.escape(s.text)
                    for s in para)
    return f'<div class="nm-article-text nm-article-focus"><p>{body}</p></div>'
