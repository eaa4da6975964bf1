"""A cheap test that a regular expression cannot match a text: the words it must contain.

``needed(pattern)`` reads the pattern's syntax tree and returns lower-case ASCII strings of
which every match contains at least one (``r"\\b(?:riot(?:s|ed)?|looted)\\b"`` -> ``("riot",
"looted")``), or None when it cannot tell. ``may_match(needs, lower)`` is then a few
substring tests on the text lower-cased once, where running the pattern scans every position:
a sentence without any of the words is skipped, and one with them goes to the pattern as
before, so the matches are the same.

Case: every check is case-insensitive, which a case-sensitive pattern only makes weaker.
Under ``re.IGNORECASE`` four non-ASCII characters also match ASCII letters ("İ", "ı" for
"i", "ſ" for "s", the Kelvin sign for "k"); a text holding one of them is never skipped.
"""

from __future__ import annotations

import re
from re import _constants as _c
from re import _parser

# the characters re.IGNORECASE matches to an ASCII letter besides its two cases
# (tests/test_literals.py recomputes this over all of Unicode)
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_UNSURE = re.compile("[" + FOLDS_TO_ASCII + "]")

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT}


def needed(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` holds, or None."""
    try:
        found = _sequence(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # a tree this cannot read (another Python's parser): no shortcut
        return None
    if not found:
        return None
    # a word holding another is implied by it ("april" by "apr"): only the shorter is tested
    return tuple(sorted(w for w in found if not any(v != w and v in w for v in found)))


def may_match(needs: tuple[str, ...] | None, lower: str, text: str) -> bool:
    """False only when no match is possible: ``lower`` is ``text.lower()``."""
    if needs is None:
        return True
    for word in needs:  # a loop: a generator costs more than the tests
        if word in lower:
            return True
    return not text.isascii() and _UNSURE.search(text) is not None


def _sequence(items) -> frozenset[str] | None:
    """The best requirement of one of the items of a sequence, all of which must match."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            options.append(frozenset(("".join(run),)))
            run = []
        got = None
        if op is _c.SUBPATTERN:
            got = _sequence(list(av[3]))
        elif op is _c.ATOMIC_GROUP:
            got = _sequence(list(av))
        elif op is _c.BRANCH:
            alternatives = [_sequence(list(a)) for a in av[1]]
            if all(alternatives):
                got = frozenset().union(*alternatives)
        elif op in _REPEATS and av[0] >= 1:
            got = _sequence(list(av[2]))
        if got:
            options.append(got)
    if run:
        options.append(frozenset(("".join(run),)))
    # the most selective: longest shortest word, then fewest words
    return max(options, key=lambda o: (min(map(len, o)), -len(o)), default=None)
