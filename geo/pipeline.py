"""Wire the stages together: read articles, extract events, merge them, resolve places.

Extraction is a pure function of (article text, article date, extractor version), so its
output is cached on disk by that hash: a restart over an unchanged corpus does no work twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import json
import logging
import os
import pickle
import sqlite3
import stat as stat_mod
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo import articles as articles_mod
from geo import extract as events_mod
from geo import links
from geo import merge as merge_mod
from geo import pool as pool_mod
from geo.models import Article, Event, Problem

log = logging.getLogger(__name__)


@dataclass
class Result:
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What a caller derived from these events (the dashboard's facets, step index, review
    # queue: geo.derived.Memo), stored with the result in its run cache row
    # (keep_derived) so that a restart reads them instead of computing them again. A row
    # is one result: a changed corpus is another row, with nothing derived yet.
    derived: dict = field(default_factory=dict, compare=False, repr=False)
    # where this object came from (not stored): its run cache key (None: no row, e.g.
    # online or a custom geocoder) and whether it was read from that row
    run_key: str | None = field(default=None, compare=False, repr=False)
    from_run_cache: bool = field(default=False, compare=False, repr=False)
    stored_derived: frozenset | None = field(default=None, compare=False, repr=False)
    # (not stored) a computed result whose events are the last run's, object for object (a
    # change that changed no event): what was derived from those (the last row's derived),
    # for a caller to take what it made from the events alone (geo.derived.Memo.carry)
    carried: dict | None = field(default=None, compare=False, repr=False)


def _extractor_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    files = [here / f"{m}.py" for m in ("merge", "mentions", "dates", "gazetteer", "models",
                                        "place_grammar")]
    files += sorted((here / "extract").rglob("*.py")) + sorted((here / "extract").rglob("*.csv"))
    files += sorted((here / "extract" / "data").glob("*.json"))
    files += sorted((here / "data").glob("*.csv")) + sorted((here / "data").glob("*.txt"))
    return files


def _code_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return [f for f in sorted(here.rglob("*.py")) + sorted((here / "data").rglob("*"))
            if f.suffix in (".py", ".csv", ".txt", ".json") and f.is_file()]


@functools.cache
def extractor_fingerprint() -> str:
    """Hash of the code and data extraction depends on: any edit invalidates the cache."""
    return _fingerprints(events_mod.EXTRACTOR_VERSION)[0]


FINGERPRINT_MEMO = "code-fingerprint.json"  # in the user's cache folder (geo.paths)


@functools.cache
def _fingerprints(version: str) -> tuple[str, str]:
    """(:func:`extractor_fingerprint`, :func:`_code_fingerprint`): hashes of ~1,500 files
    (19 MB of geo/data; ~0.1 s a start on a quiet machine, more under load), read instead
    from a memo in the cache folder when every one of those files has the (size, mtime,
    ctime, inode) it had when they were last hashed, as Python trusts a .pyc by its
    source's size and mtime. Writing a file changes its ctime, which no tool sets back, so
    an edit is never missed; a file added or removed changes the list. The files are
    stated before they are read: one changed in between is hashed again at the next start."""
    ext_files, code_files = _extractor_files(), _code_files()
    stamp = hashlib.sha256(version.encode())
    for f in ext_files + [None] + code_files:  # (None: where the lists meet)
        if f is None:
            stamp.update(b"\0")
            continue
        try:
            s = os.stat(f)
            stamp.update(f"{f}|{s.st_size}|{s.st_mtime_ns}|{s.st_ctime_ns}|{s.st_ino}\n"
                         .encode())
        except OSError:
            stamp.update(f"{f}|missing\n".encode())
    stamp = stamp.hexdigest()
    memo = _read_fingerprint_memo()
    if memo.get("stamp") == stamp and isinstance(memo.get("extractor"), str) \
            and isinstance(memo.get("code"), str):
        return memo["extractor"], memo["code"]
    h = hashlib.sha256(version.encode())
    for f in ext_files:
        h.update(f.read_bytes())
    extractor = h.hexdigest()
    h = hashlib.sha256(extractor.encode())
    for f in code_files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    code = h.hexdigest()
    _write_fingerprint_memo({"stamp": stamp, "extractor": extractor, "code": code})
    return extractor, code


def _fingerprint_memo_path() -> Path:
    from geo.paths import cache_dir

    return cache_dir() / FINGERPRINT_MEMO


def _read_fingerprint_memo() -> dict:
    try:
        got = json.loads(_fingerprint_memo_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def _write_fingerprint_memo(memo: dict) -> None:
    """Best effort (a memo not written costs the hashing next time)."""
    try:
        path = _fingerprint_memo_path()
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("fingerprint memo not written (%s)", exc)


def _cache_key(article: Article, method: str = events_mod.DEFAULT_METHOD) -> str:
    h = hashlib.sha256()
    for part in (extractor_fingerprint(), method, article.date or "", article.text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _cache_database(directory: Path | None):
    """The user's database (or, for tests and tools, one in ``directory``); None, logged
    once, when it cannot be used: caches are then skipped, never the run."""
    from geo.paths import DATABASE_NAME
    from geo.store import StoreError, open_database

    try:
        return open_database(directory / DATABASE_NAME if directory is not None else None)
    except StoreError as exc:
        if str(exc) not in _cache_warned:
            _cache_warned.add(str(exc))
            log.warning("caches off for this run: %s", exc)
        return None


_cache_warned: set[str] = set()


class ExtractionCache:
    """Each article's extracted events (JSON), keyed by :func:`_cache_key`, in the user's
    database (``extraction_cache``). Writes are batched, one transaction per
    ``BATCH`` articles (and at :meth:`flush`), so a 10,000-article first run does not pay
    10,000 commits; a crash loses at most the unflushed batch, i.e. some re-extraction."""

    BATCH = 64

    def __init__(self, directory: Path | None = None):
        self.db = _cache_database(directory)
        self._pending: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> list[Event] | None:
        with self._lock:
            payload = self._pending.get(key)
        if payload is None:
            if self.db is None:
                return None
            try:
                rows = self.db.query("SELECT events FROM extraction_cache WHERE key = ?",
                                     (key,))
            except OSError:  # StoreUnavailable: treat as a miss
                return None
            except ValueError:  # StoreCorrupt
                return None
            if not rows:
                return None
            payload = rows[0][0]
        try:
            data = json.loads(payload)
        except (TypeError, ValueError):
            return None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            return None  # not ours, or damaged: extract again
        try:
            return [Event.from_dict(d) for d in data]
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    def put(self, key: str, events: Sequence[Event]) -> None:
        """Best effort: a cache that cannot be written costs a re-extraction next time,
        never the run."""
        payload = json.dumps([e.to_dict() for e in events], ensure_ascii=False)
        with self._lock:
            self._pending[key] = payload
            full = len(self._pending) >= self.BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending or self.db is None:
            return
        now = time.time()
        try:
            with self.db.write(durable=False) as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO extraction_cache (key, events, created) "
                    "VALUES (?, ?, ?)", [(k, v, now) for k, v in pending.items()])
        except (OSError, ValueError) as exc:  # StoreError: a full disk, a damaged file
            log.warning("extraction cache not written (%s)", exc)


def extract_all(
    articles: Sequence[Article], cache: ExtractionCache | None = None,
    method: str = events_mod.DEFAULT_METHOD,
    problems: list[Problem] | None = None,
    progress: Callable[[int, int], object] | None = None,
    jobs: int | None = None,
    engine=None,
    state: Incremental | None = None,
) -> list[Event]:
    """Per-article extraction (cached), then one cross-article merge.

    One article's failure is that article's problem: it is reported in ``problems`` by name
    and the others are kept. An article that takes longer than ``MAX_SECONDS`` is skipped.
    ``progress(done, total)``, when given, is called after each article (extracted, read
    from the cache or failed), with ``done`` running from 1 to ``total = len(articles)``.

    ``jobs``: worker processes for the articles the cache does not hold (:mod:`geo.pool`);
    ``None`` (default) or 0 = one per core, 1 = all in this process. The pool starts only
    for ``pool.POOL_MIN_ARTICLES`` or more of them, and gives the same events, problems and
    order as one process.

    ``engine``: an object with ``extract_many(articles, method, budget_s)`` yielding
    ``(index, outcome)`` as :func:`geo.pool.extract_many` does (:class:`geo.engines.DaskEngine`:
    a cluster). It gets every article the cache does not hold, however few, instead of the
    pool; its errors are raised (the user asked for that cluster), after the cache keeps
    what it did extract.

    Workers prestarted for this run (:func:`prepare`) extract the articles the cache does
    not hold, however few, unless ``jobs=1`` or a full pool does better.

    ``state`` (:class:`Incremental`): the previous run's per-article events and merged parts,
    reused where their inputs are the same (and filled for the next run); same output.
    """
    in_process = jobs == 1
    jobs = pool_mod.resolve_jobs(jobs)
    total = len(articles)
    found: list[list[Event] | None] = [None] * total
    keys = [_cache_key(a, method) for a in articles]
    todo: list[int] = []
    done = 0
    known = state.raw_in if state is not None else {}
    for i, key in enumerate(keys):
        got = known.get(key)  # an unchanged article: its events' parts only (_Unloaded)
        found[i] = _Unloaded(got) if got is not None else None
        if found[i] is None:
            found[i] = cache.get(key) if cache else None
        if found[i] is None:
            todo.append(i)
        else:
            done += 1
            if progress is not None:
                progress(done, total)
    reasons: dict[int, str] = {}
    budget = events_mod.MAX_SECONDS
    many = None
    # workers started ahead of this run (prepare(): a run cache miss), the model loaded
    warm = pool_mod.take_warm(method) if engine is None else None
    if warm is not None and (not todo or in_process or events_mod.extract is not _EXTRACT
                             or (len(todo) >= pool_mod.POOL_MIN_ARTICLES
                                 and jobs > warm.jobs)):
        # nothing to extract, this process asked for, a replaced extract (tests), or a
        # full pool does better
        warm.close()
        warm = None
    if engine is not None and todo:
        many = engine.extract_many
    elif warm is not None:
        many = functools.partial(pool_mod.extract_many, jobs=warm.jobs, warm=warm)
    elif (jobs > 1 and len(todo) >= pool_mod.POOL_MIN_ARTICLES
          and events_mod.extract is _EXTRACT):
        # (a replaced extract, as in tests, exists only here: then stay in-process)
        many = functools.partial(pool_mod.extract_many, jobs=jobs)
    if many is not None:
        try:
            for j, outcome in many([articles[i] for i in todo], method, budget):
                i = todo[j]
                if outcome[0] == "ok":
                    found[i] = outcome[1]
                    if cache:
                        cache.put(keys[i], found[i])
                else:
                    reasons[i] = outcome[1]
                    if outcome[2]:
                        log.warning("%s: %s\n%s", articles[i].name, outcome[1],
                                    outcome[2].rstrip())
                    else:
                        log.warning("%s: %s", articles[i].name, outcome[1])
                done += 1
                if progress is not None:
                    progress(done, total)
        except pool_mod.PoolUnavailable as exc:
            log.warning("extracting in this process instead: %s", exc)
        except BaseException:
            if cache:  # what the engine did extract is not lost with the run
                cache.flush()
            raise
        finally:
            if warm is not None:
                warm.close()
    with _gc_resumed(sum(1 for i in todo if found[i] is None and i not in reasons)):
        for i in todo:  # in-process: jobs=1, few articles, or what a failed pool left
            if found[i] is not None or i in reasons:
                continue
            found[i], reason = _extract_one(articles[i], method, budget)
            if reason is not None:
                reasons[i] = reason
            elif cache:
                cache.put(keys[i], found[i])
            done += 1
            if progress is not None:
                progress(done, total)
    if cache:
        cache.flush()
    if problems is not None:
        problems.extend(Problem(articles[i].name, reasons[i], skipped=True)
                        for i in sorted(reasons))
    if state is None:
        return merge_mod.merge([e for events in found if events for e in events])

    def load(i: int) -> list[Event] | None:
        """An unchanged article's events, for a merge part that is redone."""
        got = cache.get(keys[i]) if cache else None
        if got is None:
            got, _reason = _extract_one(articles[i], method, budget)
            if got is not None and cache:
                cache.put(keys[i], got)
        return got

    try:
        merged = state.merge(list(zip(keys, found, strict=True)), load=load)
    except _StateGap as exc:  # (rare) every article's events loaded instead
        log.warning("incremental state: events of %s not found again; loading all", exc)
        state.raw_out.clear()
        state.parts_out.clear()
        for i, events in enumerate(found):
            if isinstance(events, _Unloaded):
                found[i] = load(i)
        merged = state.merge(list(zip(keys, found, strict=True)))
    if cache:
        cache.flush()
    return merged


class _Unloaded(tuple):
    """An unchanged article's events, not loaded: the ``(family, date)`` of each, which is
    all :func:`geo.merge.parts_of` needs; :meth:`Incremental.merge` loads them (the
    extraction cache) only for a merge part it must redo."""

    __slots__ = ()


class _StateGap(Exception):
    """An unchanged article's events could not be loaded again (cache row gone and the
    extraction failed this time): the run loads every article instead."""


@dataclass
class Incremental:
    """What a run keeps so that the next one, after a few files changed, redoes those only
    (:meth:`RunCache.get_state`): each file's parse, the articles before and after date
    inference, each article's events' merge parts (by extraction cache key), each merge
    part's inputs and where its events went, and which events cite each article. Every
    piece is reused only for the same inputs, so the result is the one a full run gives
    (``tests/test_incremental.py``).

    Stored small: no event is in it. The last run's articles and located events are those
    of its result, read from that result's run cache row (``result_key``), so a changed
    article costs one read of the last result (what an unchanged restart reads) plus this
    state's keys, and its unchanged merge parts' events are the last result's objects.
    An unchanged article's own events are loaded (extraction cache) only when one of its
    merge parts is redone."""

    base: str = ""
    reads: dict = field(default_factory=dict)
    articles_in: list[Article] = field(default_factory=list)
    articles_out: list[Article] = field(default_factory=list)
    # extraction key -> ((family, date), ...) of its events, in order
    raw_in: dict[str, tuple] = field(default_factory=dict)
    raw_out: dict[str, tuple] = field(default_factory=dict)
    # merge part -> (inputs ((key, j), ...), ((rank, position in part, output index), ...))
    parts_in: dict[tuple, tuple] = field(default_factory=dict)
    parts_out: dict[tuple, tuple] = field(default_factory=dict)
    # the last run's located events (before links.attach) in output order: the stand-ins of
    # its unchanged merge parts' events (not stored: the result row's events)
    located: list[Event] = field(default_factory=list)
    cites: dict[str, tuple[int, ...]] = field(default_factory=dict)  # article -> indices
    result_key: str | None = None  # the run cache row of the run this state is of
    attached: list[Event] | None = field(default=None, repr=False)  # that result's events

    # ---- stored form -------------------------------------------------------------------

    def __getstate__(self) -> dict:
        """What is stored: keys, indices and the few articles not in the result."""
        out_pos = {id(a): i for i, a in enumerate(self.articles_out)}
        reads = {}
        for k, (art, probs) in self.reads.items():
            i = out_pos.get(id(art)) if art is not None else None
            reads[k] = (art if i is None else i, probs)
        given = {i: a for i, a in enumerate(self.articles_in)
                 if i >= len(self.articles_out) or self.articles_out[i] is not a}
        cites: dict[str, list[int]] = {}
        for n, ev in enumerate(self.located):
            for s in ev.sources or ():
                lst = cites.setdefault(s.article, [])
                if not lst or lst[-1] != n:
                    lst.append(n)
        attached = self.attached if self.attached is not None else self.located
        pre_attach = {i: lo for i, (lo, ev) in enumerate(zip(self.located, attached,
                                                                strict=True)) if lo is not ev}
        return {"v": 2, "base": self.base, "result_key": self.result_key, "reads": reads,
                "given": given, "n_given": len(self.articles_in), "raw": self.raw_in,
                "parts": self.parts_in, "cites": {a: tuple(v) for a, v in cites.items()},
                "pre_attach": pre_attach}

    def __setstate__(self, d: dict) -> None:
        self.__init__(base=d.get("base", ""), result_key=d.get("result_key"))
        self._stored = d

    def restore(self, result: Result) -> bool:
        """Fill the state from its stored form and the last run's ``result``; False when
        they do not fit each other."""
        d = getattr(self, "_stored", None)
        if d is None or d.get("v") != 2:
            return False
        arts, evs = list(result.articles), list(result.events)
        try:
            reads = {}
            for k, (ref, probs) in d["reads"].items():
                reads[k] = (arts[ref] if isinstance(ref, int) else ref, probs)
            given = d["given"]
            self.articles_in = [given.get(i) or arts[i] for i in range(d["n_given"])]
            pre = d["pre_attach"]
            self.located = [pre.get(i, e) for i, e in enumerate(evs)] if pre else evs
        except (IndexError, KeyError, TypeError):
            return False
        self.reads, self.articles_out = reads, arts
        self.previous = result  # (not stored: __getstate__)
        self.raw_in, self.parts_in, self.cites = d["raw"], d["parts"], d["cites"]
        del self._stored
        return True

    # ---- a run -------------------------------------------------------------------------

    def locate(self, geocoder, events: list[Event]) -> list[Event]:
        """``geocoder.locate_events(events)``, an event of an unchanged merge part (the last
        run's located event itself, :meth:`merge`) or of a redone one equal to one of the
        last run's keeping its last place when every event citing its articles is the same
        as then (a mention is resolved with its articles' other mentions, so nothing it
        reads changed). Only the events that cite an article whose events changed are
        looked at, and only those to resolve and their articles' events go to the geocoder
        (its context for each: every event citing its articles, as in a full run)."""
        prev = self.located
        if not prev:
            out = geocoder.locate_events(events)
            self.located = out
            return out
        at_prev = {id(e): i for i, e in enumerate(prev)}
        old_of = [at_prev.get(id(ev)) for ev in events]  # last run's index, or None: new
        now_of = {o: n for n, o in enumerate(old_of) if o is not None}
        fresh = [n for n, o in enumerate(old_of) if o is None]
        dropped = [i for i in range(len(prev)) if i not in now_of]
        affected: set[str] = set()
        for n in fresh:
            affected.update(s.article for s in events[n].sources or ())
        for i in dropped:
            affected.update(s.article for s in prev[i].sources or ())
        old_cites = self.cites
        cites: dict[str, list[int]] = {}
        for a in affected:
            cites[a] = [now_of[o] for o in old_cites.get(a, ()) if o in now_of]
        for n in fresh:
            for a in {s.article for s in events[n].sources or ()}:
                cites[a].append(n)
        for a in affected:
            cites[a].sort()

        def same(a: str) -> bool:
            new, old = cites[a], old_cites.get(a, ())
            if len(new) != len(old):
                return False
            for n, o in zip(new, old, strict=True):
                if old_of[n] == o:
                    continue
                if not (_unlocated_equal(events[n], prev[o]) if old_of[n] is None
                        else events[n] == prev[o]):
                    return False
            return True

        unchanged = {a: same(a) for a in affected}
        by_id: dict[str, list[int]] = {}
        for i in dropped:
            by_id.setdefault(prev[i].id, []).append(i)
        known: dict[int, Event] = {}
        todo: list[int] = []
        for n in fresh:  # a redone part's event: an equal one of the last run's place
            ev = events[n]
            lo = next((prev[i] for i in by_id.get(ev.id, ()) if _unlocated_equal(ev, prev[i])),
                      None)
            if lo is not None and all(unchanged[s.article] for s in ev.sources or ()):
                known[n] = lo
            else:
                todo.append(n)
        look = sorted({n for a in affected for n in cites[a] if old_of[n] is not None})
        for n in look:  # an unchanged part's event citing an article whose events changed
            if all(unchanged.get(s.article, True) for s in events[n].sources or ()):
                known[n] = events[n]
            else:
                todo.append(n)
        # what the geocoder reads for those: every event citing their articles
        ctx: set[int] = set(todo)
        for n in todo:
            for s in events[n].sources or ():
                a = s.article
                ctx.update(cites[a] if a in cites else (now_of[o] for o in old_cites.get(a, ())
                                                        if o in now_of))
        sub = sorted(ctx)
        got = geocoder.locate_events(
            [events[n] for n in sub],
            known={id(events[n]): known.get(n, events[n]) for n in sub if n not in set(todo)})
        out = list(events)
        for n, lo in known.items():
            out[n] = lo
        for n, lo in zip(sub, got, strict=True):
            out[n] = lo
        self.located = out
        return out

    def merge(self, per_article: list[tuple[str, list[Event] | None]],
              load: Callable[[int], list[Event] | None] | None = None) -> list[Event]:
        """:func:`geo.merge.merge` of all the articles' events, part by part (parts never
        merge with each other), a part whose inputs are those of the last run reused: its
        events are the last run's located ones (stand-ins, same order keys), which
        :meth:`locate` knows. ``per_article``: (extraction key, events); an unchanged
        article's events may be ``_Unloaded`` (their parts only), loaded by ``load(i)``
        (``i``: its index in ``per_article``) when a part they are in is redone."""
        flat_sig: list[tuple] = []
        sig: list[tuple[str, int]] = []
        where: list[tuple[int, int]] = []
        given: dict[int, list[Event]] = {}
        for a, (key, events) in enumerate(per_article):
            if events is None:
                continue
            if isinstance(events, _Unloaded):
                fd = tuple(events)
            else:
                fd = tuple((merge_mod.family(e), e.date) for e in events)
                given[a] = list(events)
            self.raw_out[key] = fd
            for j, x in enumerate(fd):
                flat_sig.append(x)
                sig.append((key, j))
                where.append((a, j))

        def events_of(a: int) -> list[Event]:
            got = given.get(a)
            if got is None:
                got = load(a) if load is not None else None
                if got is None or len(got) != len(per_article[a][1]):
                    raise _StateGap(per_article[a][0])
                given[a] = got
            return got

        if len(set(k for k, _ in per_article)) != len(per_article):
            # two articles with one key: no part is safe
            return merge_mod.merge([events_of(a)[j] for a, j in where])
        groups: dict[tuple, list[int]] = {}
        for i, part in enumerate(merge_mod.parts_of(flat_sig)):
            groups.setdefault(part, []).append(i)
        prev = self.located
        items = []
        for part, idx in groups.items():
            inputs = tuple(sig[i] for i in idx)
            got = self.parts_in.get(part)
            if got is not None and got[0] == inputs and all(r[2] < len(prev) for r in got[1]):
                ranked = [((r[0], r[1]), prev[r[2]]) for r in got[1]]
            else:
                ranked = merge_mod.merge_ranked([events_of(where[i][0])[where[i][1]]
                                                 for i in idx])
            rec = [None] * len(ranked)
            self.parts_out[part] = (inputs, rec)
            for j, (rank, m) in enumerate(ranked):
                items.append(((m.date or "9999", m.time_of_day or "", m.title,
                               (rank[0], idx[rank[1]])), m, rec, j, rank))
        items.sort(key=lambda it: it[0])
        out = []
        for n, (_key, m, rec, j, rank) in enumerate(items):
            rec[j] = (rank[0], rank[1], n)
            out.append(m)
        for part, (inputs, rec) in self.parts_out.items():
            self.parts_out[part] = (inputs, tuple(rec))
        return out

    def next_state(self, base: str, reads: dict, articles_in: list[Article],
                   articles_out: list[Article], result_key: str | None = None,
                   attached: list[Event] | None = None) -> Incremental:
        return Incremental(base=base, reads=reads, articles_in=articles_in,
                           articles_out=articles_out, raw_in=self.raw_out,
                           parts_in=self.parts_out, located=self.located,
                           result_key=result_key, attached=attached)


def _unlocated_equal(merged: Event, located: Event) -> bool:
    """Whether ``merged`` (no place yet) is the event ``located`` was located from."""
    return merged.id == located.id and replace(located, place=merged.place) == merged


_EXTRACT = events_mod.extract  # what the pool's workers run


def _extract_one(article: Article, method: str,
                 budget: float) -> tuple[list[Event] | None, str | None]:
    """(events, None), or (None, reason) when the article fails or runs out of time."""
    try:
        return events_mod.extract(article, method, budget_s=budget), None
    except Exception as exc:  # noqa: BLE001 - any bug in one article, not the run
        reason = pool_mod.problem_reason(exc)
        log.warning("%s: %s", article.name, reason, exc_info=not isinstance(
            exc, events_mod.TooSlow))
        return None, reason


@functools.cache
def _code_fingerprint() -> str:
    """Everything a run's result depends on besides its inputs: code and shipped data."""
    return _fingerprints(events_mod.EXTRACTOR_VERSION)[1]


SIGNATURE_RECHECK_S = 2.0  # an in-place edit (no directory change) is seen within this time
_dir_listings: dict[str, tuple[tuple[int, int, int], float, list[str]]] = {}
_dir_lock = threading.Lock()
_now = time.monotonic  # tests replace it


def inputs_signature(paths: Iterable[str | Path], max_age: float | None = None) -> str:
    """Names, sizes and mtimes (not contents) of every file a run reads; the dashboard
    checks it on every rerun, so it must cost little when nothing changed.

    Why cached, and how far to trust the cache: re-stating every file of a 10,000-article
    folder costs ~80 ms a rerun. Adding, removing or renaming a file changes its folder's
    own mtime, so each call stats each given path once (explicit files: always, fully) and
    lists and stats a folder's entries again only when the folder's own (mtime, inode,
    device) changed or its last listing is older than ``max_age`` seconds (default
    ``SIGNATURE_RECHECK_S``; 0 = always). Rewriting a file in place changes only that file,
    so such an edit shows within ``max_age`` of it: any call that comes later than
    ``max_age`` after the last listing lists again. A file added within the same mtime tick
    as the listing is caught the same way. The string is exactly what a full listing gives,
    cached or not (the run cache's keys depend on it). A file rewritten with the same size
    inside one mtime tick would be missed.
    """
    max_age = SIGNATURE_RECHECK_S if max_age is None else max_age
    parts = []
    for p in map(Path, paths):
        try:
            st = os.stat(p)
        except OSError:
            parts.append(f"{p}|missing")
            continue
        if not stat_mod.S_ISDIR(st.st_mode):
            parts.append(f"{p}|{st.st_size}|{st.st_mtime_ns}")
            continue
        parts.append(f"dir {p}")
        parts.extend(_dir_entries(p, (st.st_mtime_ns, st.st_ino, st.st_dev), max_age))
    return "\n".join(parts)


def _dir_entries(p: Path, dir_key: tuple[int, int, int], max_age: float) -> list[str]:
    """``name|size|mtime`` of each entry of folder ``p``, from the last listing when the
    folder's own stat is unchanged and the listing is younger than ``max_age``."""
    now = _now()
    with _dir_lock:
        got = _dir_listings.get(str(p))
    if got is not None and got[0] == dir_key and now - got[1] < max_age:
        return got[2]
    with os.scandir(p) as it:
        entries = sorted(it, key=lambda d: d.name)
    out = []
    for d in entries:
        try:
            st = d.stat()
            out.append(f"{d.name}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            out.append(f"{d.name}|missing")
    with _dir_lock:
        if len(_dir_listings) >= 64:  # folders of old runs and tests: keep the map small
            _dir_listings.clear()
        _dir_listings[str(p)] = (dir_key, now, out)
    return out


def _run_key(paths: Sequence[Path], extra: Sequence[Article], overrides: dict[str, str],
             online: bool, inputs: bool = True, signature: str | None = None) -> str:
    """Key of a whole run: the inputs' signature, extra articles, user dates, today's date
    (weekday inference depends on it), code, geocode cache state. ``inputs=False``: the
    same without the files' signature (which :class:`Incremental` state may serve).
    ``signature``: :func:`inputs_signature` of ``paths``, when the caller has it."""
    h = hashlib.sha256(_code_fingerprint().encode())
    if inputs and signature is None:
        signature = inputs_signature(paths)
    parts = [f"online={online}", f"today={dt.date.today()}",
             json.dumps(overrides, sort_keys=True),
             signature if inputs else "paths " + "|".join(map(str, paths))]
    for a in extra:
        parts.append(f"extra {a.name}|{a.date}|{hashlib.sha256(a.text.encode()).hexdigest()}"
                     f"|{a.url}|{a.outlet}")
    from geo.paths import database_path

    parts.append(_geocache_state(database_path()))
    h.update("\n".join(parts).encode())
    return h.hexdigest()


def _geocache_state(path: Path) -> str:
    """What offline geocoding reads from the answer cache: its good answers' count and
    newest write (every write stamps ``created``)."""
    if not path.exists():
        return "geocache none"
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute(
                "SELECT COUNT(*), MAX(created) FROM answers WHERE status = 'ok'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"geocache unreadable {exc}"
    return f"geocache {row[0]} {row[1]}"


class RunCache:
    """The last few whole results (pickled), keyed by :func:`_run_key`, in the user's
    database (``run_cache``).

    A restart over an unchanged corpus then reads one row instead of reading, hashing and
    parsing every article and geocoding every event again (10,000 articles: ~0.3 s instead
    of ~10 s). Any change to a file's size or mtime, to the code, the user's dates or the
    geocode cache makes a new key, and the per-article cache still saves the extraction.
    Only this app writes these rows (the database lives in the user's own folder).
    """

    KEEP = 4
    STATE = "incremental-state"  # the one row of Incremental state (the last run's)
    STATE_RESULT = "incremental-state-result"  # the key of the result row that state needs

    def __init__(self, directory: Path | None = None):
        self.db = _cache_database(directory)

    def get_state(self, base: str) -> Incremental | None:
        """The last run's :class:`Incremental` state when it was made for ``base`` (the
        same run but for the files' signature), with that run's result (its row) in it."""
        got = self._load(self.STATE)
        if not isinstance(got, Incremental) or got.base != base or not got.result_key:
            return None
        result = self.get(got.result_key)
        return got if result is not None and got.restore(result) else None

    def put_state(self, state: Incremental) -> None:
        """The state row, and which result row it needs (kept by the pruning)."""
        self._store(self.STATE, state)
        if self.db is None or not state.result_key:
            return
        try:
            with self.db.write(durable=False) as conn:
                conn.execute("INSERT OR REPLACE INTO run_cache (key, result, created) "
                             "VALUES (?, ?, ?)", (self.STATE_RESULT, state.result_key, 0.0))
        except (OSError, ValueError) as exc:
            log.warning("run cache not written (%s)", exc)

    def has(self, key: str) -> bool:
        """Whether a row for ``key`` is there (without reading it)."""
        if self.db is None:
            return False
        try:
            return bool(self.db.query("SELECT 1 FROM run_cache WHERE key = ?", (key,)))
        except (OSError, ValueError):
            return False

    def get(self, key: str) -> Result | None:
        got = self._load(key)
        return got if isinstance(got, Result) else None

    def _load(self, key: str):
        if self.db is None:
            return None
        try:
            rows = self.db.query("SELECT result FROM run_cache WHERE key = ?", (key,))
        except (OSError, ValueError):
            return None
        if not rows:
            return None
        gc_was_on = gc.isenabled()
        gc.disable()  # ~100k new objects: the cyclic GC would run dozens of times for nothing
        try:
            got = pickle.loads(rows[0][0])
        except Exception:  # truncated or from another version: just recompute
            return None
        finally:
            if gc_was_on:
                gc.enable()
        return got

    def put(self, key: str, result: Result) -> None:
        self._store(key, result)

    def _store(self, key: str, value) -> None:
        if self.db is None:
            return
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with self.db.write(durable=False) as conn:
                conn.execute("INSERT OR REPLACE INTO run_cache (key, result, created) "
                             "VALUES (?, ?, ?)", (key, blob, time.time()))
                conn.execute("DELETE FROM run_cache WHERE key NOT IN (?, ?) "
                             "AND key NOT IN (SELECT CAST(result AS TEXT) FROM run_cache "
                             "WHERE key = ?) AND key NOT IN (SELECT key FROM run_cache "
                             "WHERE key NOT IN (?, ?) ORDER BY created DESC LIMIT ?)",
                             (self.STATE, self.STATE_RESULT, self.STATE_RESULT, self.STATE,
                              self.STATE_RESULT, self.KEEP))
        except (OSError, ValueError) as exc:
            log.warning("run cache not written (%s)", exc)


_preparing: threading.Thread | None = None


def prepare(paths: Iterable[str | Path], *, online: bool = False,
            extra_articles: Sequence[Article] = (), date_overrides: dict[str, str] | None = None,
            method: str = events_mod.DEFAULT_METHOD) -> bool:
    """Get ready for :func:`run` with the same arguments: when the run cache does not hold
    its result (a restart after articles changed, or a first run), start an extraction
    worker now (:func:`geo.pool.prestart`), so that the model and the gazetteer load
    (~2.4 s) while the caller and the run do the rest; the run hands it the articles it
    finds changed (and closes it unused when there are none). True when it was started."""
    if online or method != events_mod.DEFAULT_METHOD:
        return False  # (no run cache then: the run itself decides)
    try:
        paths = [Path(p) for p in paths]
        key = _run_key(paths, extra_articles, date_overrides or {}, online)
        if RunCache().has(key):
            return False
    except OSError:
        return False
    return pool_mod.prestart(method)


def prepare_soon(inputs: Callable[[], tuple[Sequence, dict]], **kw) -> None:
    """:func:`prepare` in a thread, the caller going on with its work (its imports):
    ``inputs()`` gives (paths, extra keyword arguments of prepare). The next :func:`run`
    waits for it. Its failure is logged, never raised: it only saves time."""
    global _preparing

    def go() -> None:
        try:
            paths, args = inputs()
            prepare(paths, **args)
        except Exception:  # noqa: BLE001 - a head start, not the run
            log.warning("could not prepare the run", exc_info=True)

    _preparing = threading.Thread(target=go, name="newsmap-prepare", daemon=True)
    _preparing.start()


def run(
    paths: Iterable[str | Path],
    *,
    online: bool | None = None,
    extra_articles: Sequence[Article] = (),
    date_overrides: dict[str, str] | None = None,
    geocoder=None,
    use_cache: bool = True,
    method: str = events_mod.DEFAULT_METHOD,
    progress: Callable[[int, int], object] | None = None,
    jobs: int | None = None,
    engine=None,
) -> Result:
    """Everything the CLI and the dashboard need, from files to located events.

    ``date_overrides`` maps an article name to a user-given ``YYYY-MM-DD`` publication date.
    ``geocoder`` defaults to ``geo.geocode.Geocoder(online=online)``; ``online=None``
    follows the ``NEWSMAP_ONLINE`` environment variable.
    Offline, with the default geocoder, a rerun over unchanged inputs is one cache read
    (:class:`RunCache`).
    ``progress(done, total)`` is called after each article is extracted (see
    :func:`extract_all`); never on a whole-run cache hit, which has nothing to wait for.
    ``jobs``: extraction processes (default one per core, 1 = in this process; see
    :func:`extract_all`); ``engine``: where extraction runs instead (a Dask cluster,
    :mod:`geo.engines`).
    """
    if online is None:
        from geo.geocode import online_from_env

        online = online_from_env()  # NEWSMAP_ONLINE=1
    paths = [Path(p) for p in paths]
    if _preparing is not None and _preparing is not threading.current_thread():
        _preparing.join()  # (its key's parts are cached: the fingerprints, the listing)
    wait_for_writes()
    runs = key = signature = None
    if use_cache and geocoder is None and not online and method == events_mod.DEFAULT_METHOD:
        try:
            runs = RunCache()
            # the files' signature before they are read: a file that changes from now on
            # makes another signature, so the row stored under this one is never stale
            signature = inputs_signature(paths)
            key = _run_key(paths, extra_articles, date_overrides or {}, online,
                           signature=signature)
            hit = runs.get(key)
        except OSError:
            runs = hit = None
        if hit is not None:
            hit.run_key, hit.from_run_cache = key, True
            hit.stored_derived = frozenset(hit.derived)
            return hit
    with _gc_paused():
        return _run_computed(paths, runs, key, signature, online, extra_articles,
                             date_overrides, geocoder, use_cache, method, progress, jobs,
                             engine)


@contextlib.contextmanager
def _gc_paused():
    """The cyclic collector off for a computed run (back as it was after it). A run after
    a change reads the last result (~300,000 objects) and makes as many: each collection
    of the oldest generation walked all of them, ~1.5 s of a 10,000-article run at load 4
    (bench/README.md, fourth pass). What it leaves is freed by reference counting; a
    caller that keeps the result freezes it (the dashboard) or exits (the CLI). In-process
    extraction of many articles turns it back on (:func:`_gc_resumed`)."""
    global _gc_paused_runs
    was = gc.isenabled()
    gc.disable()
    _gc_paused_runs += was
    try:
        yield
    finally:
        _gc_paused_runs -= was
        if was:
            gc.enable()


_gc_paused_runs = 0  # runs under _gc_paused that found the collector on


@contextlib.contextmanager
def _gc_resumed(n_articles: int):
    """The collector back on while ``n_articles`` (many) are extracted in this process
    under a run's :func:`_gc_paused` (the parser's garbage has cycles)."""
    if n_articles < 32 or not _gc_paused_runs or gc.isenabled():
        yield
        return
    gc.enable()
    try:
        yield
    finally:
        gc.disable()


def _run_computed(paths, runs, key, signature, online, extra_articles,
                  date_overrides, geocoder, use_cache, method, progress, jobs,
                  engine) -> Result:
    state = base = None
    if runs is not None:  # a miss: the last run's pieces serve what did not change
        with contextlib.suppress(OSError):
            base = _run_key(paths, extra_articles, date_overrides or {}, online, inputs=False)
            state = runs.get_state(base)
        state = state or Incremental()
    reads = dict(state.reads) if state is not None else None
    # each file stated again, not taken from the signature (whose folder listing may be
    # up to SIGNATURE_RECHECK_S old: a file just rewritten in place, e.g. the user's
    # imported article, would be read as it was; the dashboard then saw two results)
    loaded, problems = articles_mod.read_paths(paths, memo=reads)
    loaded.extend(_new_extras(loaded, extra_articles, problems))
    loaded = articles_mod.apply_overrides(loaded, date_overrides or {})
    given = loaded
    loaded = articles_mod.infer_missing_dates(
        loaded, previous=(state.articles_in, state.articles_out) if state else None)
    cache = ExtractionCache() if use_cache else None
    events = extract_all(loaded, cache, method, problems, progress=progress, jobs=jobs,
                         engine=engine, state=state)
    geocoder_is_ours = geocoder is None
    if geocoder is None:
        from geo.geocode import Geocoder

        geocoder = Geocoder(online=online)
    located = (state.locate(geocoder, events) if state is not None and geocoder_is_ours
               else geocoder.locate_events(events))
    events = links.attach(located, loaded)
    result = Result(articles=loaded, events=events, problems=problems)
    prev = getattr(state, "previous", None)
    if prev is not None and prev.derived and len(prev.events) == len(events) and all(
            a is b for a, b in zip(prev.events, events, strict=True)):
        result.carried = prev.derived
    if runs is not None and key is not None:
        with contextlib.suppress(OSError):  # keyed on the state after the run (new cache db)
            after = _run_key(paths, extra_articles, date_overrides or {}, online,
                             signature=signature)
            next_state = None
            if state is not None and base is not None:
                next_state = state.next_state(
                    _run_key(paths, extra_articles, date_overrides or {}, online,
                             inputs=False), reads, given, loaded, result_key=after,
                    attached=events)
            result.run_key = after
            result.stored_derived = frozenset()
            _write_later(runs, after, result, next_state)
    return result


def keep_derived(result: Result) -> bool:
    """Store ``result`` again with what was derived from it since it was stored (its run
    cache row, written by the writer thread like a run's, :func:`release_writes`), when it
    has a row and the row lacks some of that. True when a write was scheduled."""
    key = getattr(result, "run_key", None)
    stored = getattr(result, "stored_derived", None)
    if key is None or stored is None or not set(result.derived) - stored:
        return False
    result.stored_derived = frozenset(result.derived)
    with _for_lock:
        if _writer_for is result:
            return True  # its run's write is still to come: it takes what is derived by then
    _write_later(RunCache(), key, result, None)
    return True


WRITE_DELAY_S = 0.0  # the longest the writes wait for release_writes() (the dashboard's)
_writer: threading.Thread | None = None
_writer_for: Result | None = None  # the result the writer is to store (until it takes it)
_for_lock = threading.Lock()
_writer_lock = threading.Lock()
_hurry = threading.Event()  # a new run is waiting, or the process ends: write now
if hasattr(threading, "_register_atexit"):  # before the interpreter joins the writer
    threading._register_atexit(_hurry.set)


def _write_later(runs: RunCache, key: str, result: Result, state: Incremental | None) -> None:
    """Store the run's result and its :class:`Incremental` state from a thread (~1.5 s of
    pickling and writing at 10,000 articles, which the caller does not wait for), after
    ``WRITE_DELAY_S`` or once :func:`release_writes` says so (the dashboard: once its map
    has been drawn; pickling holds the GIL, so writing during the page slowed it by as
    much). What is stored is the result as returned plus what was derived from it by the
    time of the write (:func:`keep_derived`).
    Not a daemon: a CLI run's process exits once they are written; the next run waits for
    them (:func:`wait_for_writes`), so it always sees them. A failed write is logged."""
    global _writer, _writer_for
    articles, events, problems = (list(result.articles), list(result.events),
                                  list(result.problems))

    def write() -> None:
        global _writer_for
        if WRITE_DELAY_S:
            _hurry.wait(WRITE_DELAY_S)
        try:
            # what is stored is the run's result as returned, with what was derived from it
            # by the time it is written (the dashboard's first page; a copy: the caller's
            # object has other attributes, and its memo may grow meanwhile)
            with _for_lock:
                kept = dict(result.derived)
                if _writer_for is result:
                    _writer_for = None  # what is derived from now on needs another write
            runs.put(key, Result(articles=articles, events=events, problems=problems,
                                 derived=kept))
            if state is not None:
                runs.put_state(state)
        except Exception as exc:  # noqa: BLE001 - a cache not written costs time, not data
            log.warning("run cache not written (%s: %s)", type(exc).__name__, exc)

    with _writer_lock:
        wait_for_writes()
        _hurry.clear()
        _writer = threading.Thread(target=write, name="newsmap-run-cache-write")
        with _for_lock:
            _writer_for = result
        _writer.start()


def release_writes(after_s: float = 0.0) -> None:
    """Let a waiting write start ``after_s`` from now (a no-op when none waits)."""
    w = _writer
    if w is not None and w.is_alive():
        t = threading.Timer(after_s, _hurry.set)
        t.daemon = True
        t.start()


def wait_for_writes() -> None:
    """Until the last run's result and state are stored (a no-op when they are)."""
    w = _writer
    if w is not None and w is not threading.current_thread() and w.is_alive():
        _hurry.set()
        w.join()
        _hurry.clear()


def _new_extras(loaded: Sequence[Article], extra: Sequence[Article],
                problems: list[Problem]) -> list[Article]:
    """The extra articles (the user's, from the database) whose text is not already read
    from the files; a copy is reported and skipped, as two files with one text are."""
    seen = {a.sha256: a.name for a in loaded if a.sha256}
    out = []
    for a in extra:
        if a.sha256 and a.sha256 in seen:
            problems.append(Problem(a.name, f"duplicate of {seen[a.sha256]}; skipped"))
            continue
        if a.sha256:
            seen[a.sha256] = a.name
        out.append(a)
    return out


COLUMNAR_MIN_EVENTS = 200_000  # a Parquet folder this big is kept as columns (geo.columnar)


def load_events(path: str | Path) -> Result:
    """Events from a JSONL file or a Parquet events folder instead of articles
    (``NEWSMAP_EVENTS``: big or prepared event sets, the benchmarks). Takes
    ``Event.to_dict`` lines or the CLI's export lines; a bad line is a Problem, not a crash.
    A folder is read by :func:`geo.parquet.read_events`, or from ``COLUMNAR_MIN_EVENTS``
    events on as columns by :func:`geo.parquet.read_columnar` (a folder that is not one raises
    :class:`geo.parquet.EventsFolderError`, a ValueError that says why)."""
    from geo.models import Place, Source

    path = Path(path)
    if path.is_dir():
        from geo import parquet

        if parquet.count_events(path) >= COLUMNAR_MIN_EVENTS:  # a year of news: columns
            return Result(articles=[], events=parquet.read_columnar(path), problems=[])
        return Result(articles=[], events=parquet.read_events(path), problems=[])
    if path.suffix == ".parquet" and path.is_file():
        from geo import parquet

        raise parquet.EventsFolderError(f"{path} is one file of a Parquet events folder; "
                                        "give the folder (the one with "
                                        f"{parquet.MARKER})")
    events: list[Event] = []
    problems: list[Problem] = []
    place_fields = set(Place.__dataclass_fields__)
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if "mention" in d:
                    events.append(Event.from_dict(d))
                    continue
                p = d.get("place") or None
                if p is not None:
                    p = {k: v for k, v in p.items() if k in place_fields}
                    p.setdefault("source", "file")
                    p = Place(**p)
                events.append(Event(
                    id=d["id"], date=d.get("date"), date_precision=d.get("date_precision"),
                    status=d.get("status", "occurred"), category=d["category"],
                    title=d.get("title", ""), mention=None, place=p,
                    sources=[Source(s["article"], s["sentence"]) for s in d.get("sources", [])],
                    time_of_day=d.get("time_of_day"),
                    date_inferred=bool(d.get("date_inferred")),
                ))
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(Problem(f"{path.name}:{no}", f"bad event line ({exc})"))
    return Result(articles=[], events=events, problems=problems)
