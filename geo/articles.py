"""Read article files into Articles; bad input becomes a Problem, never an exception.

File format: plain UTF-8 text. It may start with a line `` date YYYY-MM-DD`` (publication
date, leading space optional); in the seeds the article's first paragraph continues on that
same line, so only the date token is consumed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from geo.dates import MAX_YEAR, MIN_YEAR, SAME_STORY, in_range, infer_publication_date, shingles
from geo.models import Article, Problem

MAX_BYTES = 2_000_000  # a news article is ~5-50 kB; anything this big is not one
ARTICLE_SUFFIXES = (".txt",)  # what a directory scan picks up; explicit paths are always read

_DATE_LINE = re.compile(r"^[ \t]*date[ \t]*:?[ \t]+(?P<value>\S+)[ \t]*(?P<rest>.*)$", re.I)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_bytes(name: str, raw: bytes) -> tuple[Article | None, list[Problem]]:
    """Decode and parse one article. Returns (None, [reason]) when it must be skipped."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(name, f"too large ({len(raw):,} bytes; limit {MAX_BYTES:,})")]
    if b"\x00" in raw[:8192]:
        return None, [Problem(name, "binary file (contains NUL bytes), not text")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, [Problem(name, f"not UTF-8 text (invalid byte at offset {e.start})")]
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\t")
    if controls > max(10, len(text) // 100):
        return None, [Problem(name, "binary or control-character data, not article text")]

    problems: list[Problem] = []
    date = None
    first, sep, rest = text.partition("\n")
    m = _DATE_LINE.match(first)
    if m:
        value = m.group("value")
        parsed = _parse_iso(value)
        if parsed is None:
            reason = (f"invalid date line {value!r} (a real date between "
                      f"{MIN_YEAR} and {MAX_YEAR}): article kept as undated")
            problems.append(Problem(name, reason, skipped=False))
        else:
            date = parsed
        text = m.group("rest") + sep + rest
    body = text.strip()
    if not body:
        return None, [*problems, Problem(name, "empty article (no text after the date line)")]
    if sum(c.isalpha() for c in body) < 20:
        return None, [*problems, Problem(name, "no article text (fewer than 20 letters)")]
    article = Article(
        name=name,
        text=body,
        date=date,
        date_source="header" if date else "none",
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    return article, problems


def _parse_iso(value: str) -> str | None:
    if not _ISO_DATE.match(value):
        return None
    try:
        parsed = dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None
    return parsed if in_range(parsed) else None


def _expand(paths: Iterable[str | Path]) -> tuple[list[tuple[str, str, str]], list[Problem]]:
    """Each file to read as (path, file name, its folder's name), in order."""
    files: list[tuple[str, str, str]] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        if p.is_dir():
            # one folder: ordered by name, as sorting the Paths would (10,000: 4x faster);
            # the names filtered before anything is made for them, and no Path per file
            # (making 10,000 of them cost ~0.1 s)
            names = sorted(n for n in os.listdir(p)
                           if os.path.splitext(n)[1].lower() in ARTICLE_SUFFIXES)
            folder, parent = str(p), p.name
            files.extend((os.path.join(folder, n), n, parent) for n in names)
        elif p.is_file():
            files.append((str(p), p.name, p.parent.name))
        else:
            problems.append(Problem(str(p), "no such file or directory"))
    return files, problems


def read_paths(paths: Iterable[str | Path],
               memo: dict | None = None) -> tuple[list[Article], list[Problem]]:
    """Read files and directories (``*.txt`` inside). Each bad file is reported and skipped.

    ``memo`` (in and out), when given, maps ``(path, name, size, mtime_ns)`` to what parsing
    that file gave (as the run cache, a file is taken as unchanged while its size and mtime
    are): a rerun after one file changed reads that one file, not the folder. Only the files
    of this call are left in it. Each file is stated here, at the read: a signature taken
    earlier may be up to seconds old (tests/test_browser_web.py caught that)."""
    files, problems = _expand(paths)
    articles: list[Article] = []
    seen_hash: dict[str, str] = {}
    seen_name: set[str] = set()
    old = dict(memo) if memo is not None else None
    if memo is not None:
        memo.clear()
    for path, fname, parent in files:
        name = fname if fname not in seen_name else f"{parent}/{fname}"
        key = got = None
        if old is not None:
            try:
                s = os.stat(path)
                st = (s.st_size, s.st_mtime_ns)
                key = (path, name, st[0], st[1])
                got = old.get(key)
            except OSError:
                key = None
        if got is None:
            try:
                with open(path, "rb") as f:
                    raw = f.read()
            except OSError as e:
                problems.append(Problem(name, f"unreadable ({e.strerror or e})"))
                continue
            got = parse_bytes(name, raw)
        if key is not None:
            memo[key] = got
        article, found = got
        problems.extend(found)
        if article is None:
            continue
        if article.sha256 in seen_hash:
            problems.append(Problem(name, f"duplicate of {seen_hash[article.sha256]}; skipped"))
            continue
        seen_hash[article.sha256] = name
        seen_name.add(name)
        articles.append(article)
    return articles, problems


def apply_overrides(articles: Sequence[Article], dates: dict[str, str]) -> list[Article]:
    """User-given publication dates (dashboard) win over everything else."""
    out = []
    for a in articles:
        given = _parse_iso(dates.get(a.name, "") or "")
        out.append(a.with_date(given, "user", "date given by the user") if given else a)
    return out


def infer_missing_dates(articles: Sequence[Article],
                        previous: tuple[Sequence[Article], Sequence[Article]] | None = None,
                        ) -> list[Article]:
    """Give undated articles a date only when the evidence is strong; mark it as inferred.

    A sibling story must share >= 25% of the shorter text's 8-word shingles, so an inverted
    index of the dated articles' shingles finds the few that can qualify: linear in the
    corpus instead of undated x dated comparisons (10,000 articles: seconds, not minutes).

    ``previous``: (the articles of an earlier call, what it returned). An undated article
    that is unchanged since then keeps its earlier answer unless a dated article that
    changed (added, removed, edited, re-dated) shares an 8-word run with it: only then can
    its siblings differ (the others keep their order). So one edited file costs its own
    shingles and the undated articles', not the whole corpus's. Same answers as without.
    """
    undated = [a for a in articles if not a.date]
    if not undated:
        return list(articles)
    reuse: dict[str, Article] = {}
    if previous is not None:
        reuse = _reusable_dates(articles, undated, *previous)
        if len(reuse) == len(undated):
            return [reuse.get(a.name, a) if not a.date else a for a in articles]
    dated = [a for a in articles if a.date]
    postings: dict[tuple, list[int]] = defaultdict(list)
    sizes = []
    for i, a in enumerate(dated):
        sh = shingles(a.text)
        sizes.append(len(sh))
        for key in sh:
            postings[key].append(i)
    out = []
    for a in articles:
        if a.date:
            out.append(a)
            continue
        if a.name in reuse:
            out.append(reuse[a.name])
            continue
        mine = shingles(a.text)
        hits: Counter[int] = Counter()
        for key in mine:
            hits.update(postings.get(key, ()))
        siblings = [dated[i] for i in sorted(hits)
                    if hits[i] >= SAME_STORY * min(len(mine), sizes[i]) - 1e-9]
        guess = infer_publication_date(a.text, siblings)
        out.append(a.with_date(guess[0], "inferred", guess[1]) if guess else a)
    return out


def _reusable_dates(articles: Sequence[Article], undated: Sequence[Article],
                    prev_in: Sequence[Article], prev_out: Sequence[Article]) -> dict[str, Article]:
    """name -> earlier answer, for the undated articles whose answer cannot have changed."""
    if len(prev_in) != len(prev_out):
        return {}
    before = {a.name: (a, b) for a, b in zip(prev_in, prev_out, strict=True)}
    now = {a.name: a for a in articles}
    changed = [a for a in articles if before.get(a.name, (None,))[0] != a]
    changed += [a for n, (a, _b) in before.items() if n not in now]
    changed += [before[a.name][0] for a in articles
                if a.name in before and before[a.name][0] != a]
    changed_sh = [sh for a in changed if a.date and (sh := shingles(a.text))]
    out = {}
    for a in undated:
        got = before.get(a.name)
        if got is None or got[0] != a:
            continue
        if changed_sh:  # could a changed dated article be (or have been) its sibling?
            mine = shingles(a.text)
            if any(len(mine & sh) >= SAME_STORY * min(len(mine), len(sh)) - 1e-9
                   for sh in changed_sh):
                continue
        out[a.name] = got[1]
    return out
