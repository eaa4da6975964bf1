"""geo.literals: the words a pattern needs, a shortcut that never skips a match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import dates, literals
from geo.extract import sentences, triggers

ROOT = Path(__file__).resolve().parent.parent


def test_folds_to_ascii_is_every_such_character():
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    got = set(re.compile("[a-z]", re.I).findall(others))
    assert got == set(literals.FOLDS_TO_ASCII)


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\b(?:riot(?:s|ed)?|looted)\b", ("looted", "riot")),
    (r"\bprotest(?:ed|ing)?\b|tear\s+gas", ("protest", "tear")),
    (r"(?:a\s+)?storm", ("storm",)),
    (r"x(?:ab)+y|z", ("ab", "z")),  # a repeat's word, the other alternative's
    (r"\d+\s+people", ("people",)),
    (r"(?-i:March)\b", ("march",)),
])
def test_needed(pattern, words):
    found = literals.needed(re.compile(pattern, re.I))
    assert found == words


@pytest.mark.parametrize("pattern", [r"\w+", r"(?:ab)?c?", r"a|\d", r"[A-Z][a-z]+", r"é"])
def test_nothing_needed(pattern):
    assert literals.needed(re.compile(pattern, re.I)) is None


def test_may_match():
    needs = literals.needed(re.compile(r"\bkilled\b", re.I))
    assert literals.may_match(needs, "two were killed", "Two were KILLED")
    assert not literals.may_match(needs, "two were hurt", "Two were hurt")
    assert literals.may_match(needs, "two were \u212ailled", "Two were \u212ailled")  # Kelvin
    assert re.search(r"\bkilled\b", "Two were \u212ailled", re.I)
    assert literals.may_match(None, "", "")


def _texts():
    out = []
    for folder in ("seeds", "bench/real/dev/articles"):
        for path in sorted((ROOT / folder).glob("*.txt")):
            text = path.read_text("utf-8")
            out += re.split(r"(?<=[.!?])\s+|\n", text)
    out += ["İstanbul: protesters marched", "ſtormed the embassy", "the Kelvin \u212aILLED"]
    return [s for s in out if s]


def test_no_match_is_skipped():
    patterns = [t.pattern for t in triggers.TRIGGERS] + [p for _, p in dates._PATTERNS] + [
        sentences.NOT_NEWS, re.compile(dates._TIME_WORDS, re.I)]
    texts = _texts()
    for pattern in patterns:
        needs = literals.needed(pattern)
        for s in texts:
            if pattern.search(s):
                assert literals.may_match(needs, s.lower(), s), (pattern.pattern, s)
