"""Sentences of an article, and which of them report news.

Splitting keeps abbreviations ("U.S.", "Gen.") and quotes together and cuts run-on text into
pieces a parser can afford (:data:`MAX_SENTENCE`); tweets, bylines, all-caps promos and page
timestamps are not reporting.
"""

from __future__ import annotations

import re
from collections import Counter

from geo.literals import may_match, needed
from geo.mentions import HEADLINE_SMALL, HEADLINE_WORD, is_title_case

NOT_NEWS = re.compile(
    r"pic\.twitter\.com|\(@\w+\)|contributed to this report|^\s*(?:by|reporting by|editing by|"
    r"writing by)\s+[A-Z]|click here|sign up|subscribe|all rights reserved|read more:|"
    r"^\s*(?:photo|image|video|watch|related)\s*:",
    re.I,
)
_NOT_NEWS_NEEDED = needed(NOT_NEWS)  # most sentences hold none of its words (geo.literals)


def not_news(sentence: str) -> bool:
    """Page furniture: a tweet, a byline, "click here", "Photo:" (:data:`NOT_NEWS`)."""
    return may_match(_NOT_NEWS_NEEDED, sentence.lower(), sentence) and bool(
        NOT_NEWS.search(sentence))


_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|ST|Ft|FT|Mt|MT|Gen|Lt|Col|Sgt|Capt|Gov|Sen|Rep|Prof|No|vs|etc|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|Co)|\b(?:[A-Z]\.){1,3}[A-Z]?)$"
)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9#@\u0600-\u06ff])")


MAX_SENTENCE = 600  # characters; news sentences are 100-300. Work per sentence is superlinear.


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph index, sentence) pairs. Repairs "rocks.Officers" (a missing space).

    A run-on "sentence" longer than :data:`MAX_SENTENCE` is cut into pieces at commas or
    spaces, so that extraction stays linear in the article's length whatever the input.
    """
    out = []
    for p_index, para in enumerate(p for p in unwrap(text).split("\n") if p.strip()):
        para = re.sub(r"(?<=[a-z]{2})\.(?=[A-Z][a-z])", ". ", para.strip())
        start = 0
        pieces = []
        for m in _SENTENCE_END.finditer(para):
            head = para[start : m.start()].rstrip("\"”’)")
            if _ABBREVIATIONS.search(head.rstrip(".!?")) and head.endswith("."):
                continue
            pieces.append(para[start : m.start()].strip())
            start = m.end()
        pieces.append(para[start:].strip())
        out += [(p_index, part) for piece in pieces for part in _bounded(piece) if part]
    return out


_OPEN_END = re.compile(r"[^.!?:;\"”’)\]]\s*$")  # a line that stops mid-sentence
_WRAP_MIN, _WRAP_MAX = 40, 100  # the lengths of a hard-wrapped page's lines


def unwrap(text: str) -> str:
    """Rejoin the lines of hard-wrapped text ("Ravenna, Modena and\nReggio Emilia were hit")
    into paragraphs, so a sentence is not cut at every line end. A line that stops
    mid-sentence is joined to the next when the next starts in lower case, or when most of
    the text's lines are of one wrapped width and this one is too."""
    lines = text.split("\n")
    full = [ln for ln in lines if ln.strip()]
    wrapped = sum(_WRAP_MIN <= len(ln.strip()) <= _WRAP_MAX and bool(_OPEN_END.search(ln))
                  for ln in full) >= max(4, len(full) // 2)
    out: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        out.append(line)
        if line.strip() and nxt and _OPEN_END.search(line) and (
                nxt[0].islower() or (wrapped and len(line.strip()) >= _WRAP_MIN)):
            out.append(" ")
        elif i + 1 < len(lines):
            out.append("\n")
    return "".join(out)


def _bounded(sentence: str) -> list[str]:
    parts = []
    while len(sentence) > MAX_SENTENCE:
        window = sentence[:MAX_SENTENCE]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(" and "))
        if cut < MAX_SENTENCE // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE
        parts.append(sentence[:cut].strip(" ,;"))
        sentence = sentence[cut:].strip(" ,;")
    parts.append(sentence)
    return parts


_UPPER = re.compile(r"[A-Z]")


_LETTER = re.compile(r"[A-Za-z]")


def is_reporting(sentence: str) -> bool:
    """False for tweets, all-caps promo headlines, bylines and other page furniture."""
    if not sentence or not_news(sentence):
        return False
    capitals = len(_UPPER.findall(sentence))
    if capitals > 8:  # more than 0.7 of 12 letters or more: the letters are worth counting
        letters = len(_LETTER.findall(sentence))
        if letters >= 12 and capitals / letters > 0.7:
            return False
    return len(sentence.split()) >= 4


# "Wednesday March 15 2023", "30 Oct, 2024 @ 18:00", "This story is from July 16, 2016",
# "Updated: ...": when the page was made, not what happened
TIMESTAMP = re.compile(
    r"^\s*(?:(?:this\s+story\s+is\s+from|published|updated|posted|last\s+updated|first\s+"
    r"published)\b[^.]{0,60}$|(?:[A-Za-z]+,?\s+)?(?:[A-Za-z]+\.?\s+)?\d{1,2}(?:st|nd|rd|th)?,?\s+"
    r"(?:[A-Za-z]+\.?,?\s+)?\d{4}(?:\s*(?:@|at|,|-|–)?\s*\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)?\s*$)", re.I)


def sentence_cased(sentence: str, text: str) -> str:
    """A title-case headline in the case the article's own prose gives its words
    ("Protesters storm provincial council building in Basra"), so "Storm" is not a named
    storm nor "Protesters Storm Parliament" a building. A word stays capitalised unless the
    text writes it (or "stormed" for "Storm") in lower case more often than capitalised
    inside a sentence. Same length, so offsets into it are offsets into the headline."""
    if not is_title_case(sentence):
        return sentence
    text = text.replace(sentence, " ")  # the prose around it, not the headline itself
    lower = Counter(re.findall(r"\b[a-z][a-z’'-]+\b", text))
    upper = Counter(re.findall(r"(?<=[a-z,;] )[A-Z][a-z’'-]+\b", text))  # names mid-sentence

    def case(m: re.Match) -> str:
        w = m.group(0)
        low = w.lower()
        if m.start() == 0 or not w[0].isupper() or w.isupper() or len(low) != len(w):
            return w
        bases = {low, low[:-1] if low.endswith("s") else low}  # "Expels": "expelled"
        prose = sum(lower[b + end] for b in bases for end in ("", "s", "d", "ed", "ing"))
        return low if prose > upper[w] or low in HEADLINE_SMALL else w

    return HEADLINE_WORD.sub(case, sentence)
