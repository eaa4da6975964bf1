"""Poll feeds (and pages), read only what is new, remember what was read.

One poll (:func:`poll`): each source is asked with the ETag / Last-Modified it last gave
(an unchanged feed answers 304 and costs nothing); a feed's entries not seen before are
queued, then read one page at a time, each kept in the user data folder
(:func:`geo.userdata.save_web_article`) and marked seen right after, so a watch stopped at
any point resumes without reading anything twice. A page that fails for good (404, too
large, robots.txt, a paywall) is marked seen with its reason; one that fails for now
(a timeout, HTTP 5xx) stays queued and is tried again at the next polls, at most
``MAX_TRIES`` times; offline, nothing is given up and the next poll tries again. A
watched page that is not a feed (a live blog) is read again when it changed and replaces
its earlier version.

The state (``<home>/watch.json``) is written atomically after every change, under a lock
file, so the CLI's ``watch`` and the dashboard's can run at once: a poll that finds the
lock taken is skipped, not doubled.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.models import Article, Problem
from geo.paths import home, writable_home
from geo.web import feeds as feeds_mod
from geo.web import read as read_mod
from geo.web.fetch import Fetcher, FetchError, NetworkDown

STATE_FILE = "watch.json"
MAX_TRIES = 3  # a page that keeps failing for now is given up after this many polls
MAX_PAGES_PER_POLL = 30  # the rest of a big backlog waits for the next poll
MAX_SEEN = 20_000  # remembered entries; the oldest are forgotten first
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
               "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1")


@dataclass
class Poll:
    """What one poll did."""

    new: list[Article] = field(default_factory=list)  # articles read for the first time
    updated: list[Article] = field(default_factory=list)  # watched pages that changed
    problems: list[Problem] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # sources that answered 304
    offline: bool = False
    skipped: str | None = None  # why the poll did nothing (another one is running)
    queued: int = 0  # entries still waiting to be read

    @property
    def articles(self) -> list[Article]:
        return [*self.new, *self.updated]

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        parts = [f"{len(self.new)} new article{'s' if len(self.new) != 1 else ''}"]
        if self.updated:
            parts.append(f"{len(self.updated)} updated")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged (304)")
        failed = sum(p.skipped for p in self.problems)
        if failed:
            parts.append(f"{failed} failed")
        if self.queued:
            parts.append(f"{self.queued} queued for the next poll")
        if self.offline:
            parts.append("the network is down: will try again")
        return ", ".join(parts)


def _empty_state() -> dict:
    return {"version": 1, "sources": {}, "seen": {}, "queue": {}}


def state_path() -> Path:
    return home() / STATE_FILE


def load_state(path: Path | None = None) -> dict:
    """The watch's memory; a missing or damaged file is a fresh start (never a crash)."""
    try:
        data = json.loads((path or state_path()).read_text("utf-8"))
    except (OSError, ValueError):
        return _empty_state()
    if not isinstance(data, dict):
        return _empty_state()
    state = _empty_state()
    for key in ("sources", "seen", "queue"):
        if isinstance(data.get(key), dict):
            state[key] = data[key]
    return state


def _write_state(state: dict, path: Path) -> None:
    seen = state["seen"]
    if len(seen) > MAX_SEEN:
        for key in sorted(seen, key=lambda k: seen[k].get("at", 0))[: len(seen) - MAX_SEEN]:
            del seen[key]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".watch-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[bool]:
    """True while we hold the watch lock; False at once when another poll holds it."""
    with open(folder / "watch.lock", "a+b") as f:
        try:
            import fcntl
        except ImportError:  # not POSIX: polls are not serialized, state writes stay atomic
            yield True
            return
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def poll(sources: Sequence[str], fetcher: Fetcher | None = None, *,
         max_pages: int = MAX_PAGES_PER_POLL, save=None) -> Poll:
    """Check every source once and read what is new. Never raises for one bad source.

    ``save(article, feed)`` keeps an article (default: :func:`geo.userdata.save_web_article`)
    and returns an object with ``reason`` (None when kept)."""
    if save is None:
        from geo.userdata import save_web_article as save
    fetcher = fetcher or Fetcher()
    out = Poll()
    try:
        folder = writable_home()
    except OSError as exc:
        out.skipped = f"cannot keep the watch's state ({exc})"
        return out
    path = folder / STATE_FILE
    with _exclusive(folder) as mine:
        if not mine:
            out.skipped = "another watch is polling right now; skipped this poll"
            return out
        state = load_state(path)
        for source in dict.fromkeys(s.strip() for s in sources if s.strip()):
            _check_source(source, state, fetcher, out, save, path)
        _read_queue(state, fetcher, out, save, path, max_pages, set(sources))
        out.queued = sum(1 for q in state["queue"].values() if q.get("source") in sources)
        _write_state(state, path)
    return out


def _check_source(source: str, state: dict, fetcher: Fetcher, out: Poll, save,
                  path: Path) -> None:
    memo = state["sources"].setdefault(source, {})
    try:
        resp = fetcher.get(source, etag=memo.get("etag"), last_modified=memo.get("modified"),
                           accept=FEED_ACCEPT)
    except FetchError as exc:
        memo.update(checked=time.time(), error=exc.reason)
        out.problems.append(Problem(source, exc.reason))
        out.offline = out.offline or isinstance(exc, NetworkDown)
        return
    memo.update(checked=time.time(), error=None)
    if resp.not_modified:
        out.unchanged.append(source)
        return
    if feeds_mod.looks_like_feed(resp.content_type, resp.body):
        try:
            feed = feeds_mod.parse(resp.body, resp.url, resp.content_type)
        except feeds_mod.NotAFeed as exc:
            memo["error"] = str(exc)
            out.problems.append(Problem(source, str(exc)))
            return
        memo.update(kind="feed", title=feed.title, etag=resp.etag, modified=resp.last_modified)
        for entry in feed.entries:
            key = _entry_key(source, entry.key)
            if key in state["seen"] or key in state["queue"] or _link_seen(state, entry.link):
                continue
            state["queue"][key] = {"source": source, "link": entry.link,
                                   "published": entry.published, "tries": 0,
                                   "added": time.time()}
        _write_state(state, path)
        return
    # a page to watch (a live blog): read it when its text changed
    memo.update(kind="page", etag=resp.etag, modified=resp.last_modified)
    got = read_mod.read_response(source, resp, fetcher, follow_feeds=False)
    out.problems.extend(got.problems)
    for article in got.articles:
        digest = hashlib.sha256(article.text.encode()).hexdigest()
        if memo.get("text_sha") == digest:
            continue
        saved = save(article, source)
        if getattr(saved, "reason", None):
            out.problems.append(Problem(source, saved.reason))
            continue
        (out.updated if memo.get("text_sha") else out.new).append(article)
        memo["text_sha"] = digest
        state["seen"][_entry_key(source, source)] = {"at": time.time(), "link": source,
                                                     "source": source}
        _write_state(state, path)


def _entry_key(source: str, entry_key: str) -> str:
    return hashlib.sha256(f"{source}\n{entry_key}".encode()).hexdigest()[:32]


def _link_seen(state: dict, link: str) -> bool:
    """The same page listed by two feeds (or with a new guid) is read once."""
    return any(v.get("link") == link for v in state["seen"].values())


def _read_queue(state: dict, fetcher: Fetcher, out: Poll, save, path: Path, max_pages: int,
                sources: set[str]) -> None:
    queue = state["queue"]
    todo = sorted((k for k, q in queue.items() if q.get("source") in sources),
                  key=lambda k: queue[k].get("added", 0))
    for key in todo[:max_pages]:
        item = queue[key]
        if _link_seen(state, item["link"]):
            del queue[key]
            continue
        got = read_mod.read_url(item["link"], fetcher, fallback_date=item.get("published"),
                                follow_feeds=False)
        out.offline = out.offline or got.offline
        waiting = got.offline or got.deferred  # nobody's failure: it costs the entry no try
        if not got.articles and got.retry and (waiting
                                               or item.get("tries", 0) + 1 < MAX_TRIES):
            if not waiting:
                item["tries"] = item.get("tries", 0) + 1
            item["error"] = "; ".join(p.reason for p in got.problems)
            out.problems.extend(got.problems)
            _write_state(state, path)
            if got.offline:
                break  # offline: the rest would fail the same way
            continue
        out.problems.extend(got.problems)
        for article in got.articles:
            saved = save(article, item["source"])
            if getattr(saved, "reason", None):
                out.problems.append(Problem(item["link"], saved.reason))
            elif not getattr(saved, "existed", False):
                out.new.append(article)
        error = "; ".join(p.reason for p in got.problems if p.skipped) or None
        state["seen"][key] = {"at": time.time(), "link": item["link"], "error": error,
                              "source": item["source"]}
        del queue[key]
        _write_state(state, path)


def source_status(source: str, state: dict | None = None) -> str:
    """One line on a watched source for the feed list: when it was last checked and how
    that went ("checked 10:42 · World news · 12 entries seen"; "checked 10:42 · HTTP 404")."""
    state = state if state is not None else load_state()
    memo = state["sources"].get(source) or {}
    if not memo.get("checked"):
        return "not checked yet"
    at = time.strftime("%H:%M", time.localtime(memo["checked"]))
    if memo.get("error"):
        return f"checked {at} · {memo['error']}"
    read = sum(1 for k in state["seen"] if state["seen"][k].get("source") == source)
    waiting = sum(1 for q in state["queue"].values() if q.get("source") == source)
    what = memo.get("title") or memo.get("kind") or ""
    parts = [f"checked {at}"] + ([what] if what else []) + [f"{read} entries seen"]
    if waiting:
        parts.append(f"{waiting} waiting")
    return " · ".join(parts)


def parse_every(text: str) -> float:
    """"10m", "30s", "1h", "90" (seconds) -> seconds; at least 10 s (we are a guest)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not m:
        raise ValueError(f"expected a duration like 30s, 10m or 1h, got {text!r}")
    seconds = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    if seconds < 10:
        raise ValueError(f"{text!r} is too often: poll at most every 10 s")
    return seconds
