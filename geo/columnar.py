"""A year of news in memory: events kept as Arrow columns, Event objects made per step.

A million :class:`~geo.models.Event` objects take ~3 GB; the same events as the Arrow table
of a Parquet events folder (:mod:`geo.parquet`) take ~450 MB. :class:`ColumnarEvents` is a
read-only sequence of events over such a table: ``len``, indexing and iteration make Event
objects on demand, and what the dashboard needs of *all* events (facets, the base map's
summary, the review queue, filters, the step index) is computed from numpy arrays of the
columns instead (:func:`geo.timeline.facets` and the others hand over to it).

:class:`ColumnarStepIndex` is :class:`~geo.timeline.StepIndex` over those arrays: the same
dates, steps, codes, places and bubbles (tested against it), built with Arrow sorts and
numpy instead of a pass over Event objects; a step makes Event objects only for what it
shows one by one (pins, the first cards), never for the rest of the year.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.models import Event

BATCH = 20_000  # rows made into Event objects at a time when all are iterated
STRING_LIST_MIN = 100_000  # more article names than this stay an Arrow array (StringList)


def _released(fn):
    """After a pass over all the columns, give Arrow's freed buffers back to the system
    (the server's peak memory is what a year of news is judged by)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            pa.default_memory_pool().release_unused()

    return wrapper


class ColumnarEvents(Sequence):
    """Events over an Arrow table (the schema of :data:`geo.parquet.SCHEMA`), in ``rows``
    order: table row numbers, the written order when the table was read from a folder."""

    columnar = True

    def __init__(self, table: pa.Table, rows: np.ndarray | None = None):
        self.table = table
        self.rows = (np.arange(table.num_rows, dtype=np.int64) if rows is None
                     else np.asarray(rows, dtype=np.int64))
        self._cols: dict[str, np.ndarray] = {}

    # ---- sequence --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.make(self.rows[i])
        return self.make(self.rows[[i]])[0]

    def __iter__(self) -> Iterator[Event]:
        for a in range(0, len(self.rows), BATCH):
            yield from self.make(self.rows[a:a + BATCH])

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None

    def make(self, table_rows: Sequence[int] | np.ndarray) -> list[Event]:
        """Event objects for these table rows, in this order."""
        from geo.parquet import _event

        idx = np.asarray(table_rows, dtype=np.int64)
        if not len(idx):
            return []
        return [_event(r) for r in self.table.take(pa.array(idx)).to_pylist()]

    def subset(self, mask: np.ndarray) -> ColumnarEvents:
        """The events where ``mask`` (over this sequence's order) holds, same table."""
        return ColumnarEvents(self.table, self.rows[np.asarray(mask, dtype=bool)])

    # ---- columns, as numpy arrays over this sequence's order ---------------------------------

    def _arrow(self, path: str) -> pa.ChunkedArray:
        """A column or a struct's field ("place.lat") over the whole table."""
        name, _, sub = path.partition(".")
        col = self.table.column(name)
        return pc.struct_field(col, sub) if sub else col

    def col(self, path: str) -> np.ndarray:
        """``path``'s values in this order, for numbers (float64, NaN for nulls) and
        booleans (nulls False). Strings: :meth:`codes` (a million Python strings would be
        ~60 MB a column) or :meth:`arrow`."""
        got = self._cols.get(path)
        if got is None:
            arr = self.arrow(path)
            t = arr.type
            if pa.types.is_floating(t) or pa.types.is_integer(t):
                got = arr.to_numpy(zero_copy_only=False).astype(np.float64)
            elif pa.types.is_boolean(t):
                got = pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)
            else:
                raise TypeError(f"{path} is {t}: use codes() or arrow()")
            self._cols[path] = got
        return got

    def arrow(self, path: str, pos: np.ndarray | None = None) -> pa.Array:
        """``path``'s values in this order (or at positions ``pos`` of it), as Arrow."""
        rows = self.rows if pos is None else self.rows[pos]
        return self._arrow(path).take(pa.array(rows)).combine_chunks()

    def codes(self, path: str) -> tuple[list, np.ndarray]:
        """(distinct values, one int per event: index into them; -1 for null), for strings
        with few distinct values (dates, categories): one Arrow dictionary encoding."""
        key = "codes:" + path
        got = self._cols.get(key)
        if got is None:
            arr = self._arrow(path).take(pa.array(self.rows)).combine_chunks()
            enc = pc.dictionary_encode(arr)
            values = enc.dictionary.to_pylist()
            idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            got = (values, idx)
            self._cols[key] = got
        return got

    @functools.cached_property
    def located(self) -> np.ndarray:
        """``timeline.is_located`` for each event."""
        lat, lon = self.col("place.lat"), self.col("place.lon")
        return ~np.isnan(lat) & ~np.isnan(lon)

    @functools.cached_property
    def dated(self) -> np.ndarray:
        values, idx = self.codes("date")
        ok = np.array([bool(v) for v in values] + [False], dtype=bool)  # "" is undated too
        return ok[idx]

    def truthy(self, path: str) -> np.ndarray:
        """Where a string column is neither null nor empty."""
        values, idx = self.codes(path)
        return np.array([bool(v) for v in values] + [False], dtype=bool)[idx]

    def country(self) -> tuple[list, np.ndarray]:
        """``timeline.event_country`` for each event: (values, index into them; -1 when
        unknown)."""
        names: list = []
        out = np.full(len(self), -1, dtype=np.int64)
        for path in ("mention.country_code", "place.country_code", "place.country"):
            values, idx = self.codes(path)
            ok = self.truthy(path)
            if path.startswith("place."):
                ok &= self._has_place
            out = np.where(ok, idx + len(names), out)
            names += values
        return names, out

    @functools.cached_property
    def _has_place(self) -> np.ndarray:
        return self._arrow("place").take(pa.array(self.rows)).is_valid().to_numpy(
            zero_copy_only=False)

    def articles(self) -> tuple[np.ndarray, np.ndarray]:
        """(event position, article name) of every source, in order."""
        col = self.table.column("sources").take(pa.array(self.rows)).combine_chunks()
        parents = pc.list_parent_indices(col).to_numpy(zero_copy_only=False)
        names = pc.struct_field(pc.list_flatten(col), "article")
        return parents, names

    # ---- what the dashboard needs of all events (timeline, mapview, review hand over) -------

    @_released
    def facets(self):
        from geo.timeline import Facets, ordered_categories

        cats, _ = self.codes("category")
        values, idx = self.country()
        countries = sorted({values[i] for i in np.unique(idx) if i >= 0})
        _, names = self.articles()
        arts = pc.drop_null(pc.unique(names))
        arts = arts.take(pc.sort_indices(arts))
        # a plain list while a widget could offer them (Streamlit wants a list there)
        arts = StringList(arts) if len(arts) > STRING_LIST_MIN else arts.to_pylist()
        return Facets(ordered_categories(c for c in cats if c is not None), countries, arts)

    def count_background(self) -> int:
        return int(self.col("background").sum())

    def filtered(self, categories=None, countries=None, articles=None,
                 background: bool = True) -> ColumnarEvents:
        """``timeline.apply_filters``, as a view of the same table."""
        mask = np.ones(len(self), dtype=bool)
        if not background:
            mask &= ~self.col("background")
        if categories:
            values, idx = self.codes("category")
            keep = np.array([v in set(categories) for v in values] + [False], dtype=bool)
            mask &= keep[idx]
        if countries:
            want = set(countries)
            values, idx = self.country()
            mask &= np.array([v in want for v in values] + [False], dtype=bool)[idx]
        if articles:
            parents, names = self.articles()
            hit = pc.is_in(names, value_set=pa.array(list(set(articles)))).to_numpy(
                zero_copy_only=False)
            mask &= np.bincount(parents[hit], minlength=len(self)).astype(bool)
        return self.subset(mask)

    def needs_review(self) -> np.ndarray:
        values, idx = self.codes("review_status")
        return np.array([v == "auto" for v in values] + [False], dtype=bool)[idx]

    def review_filtered(self, which: str) -> ColumnarEvents:
        """``review.queue.filter_events``."""
        if which == "needs":
            return self.subset(self.needs_review())
        if which == "reviewed":
            return self.subset(~self.needs_review())
        return self

    @_released
    def base_summary(self, max_labels: int = 30) -> dict:
        """``mapview.base_summary``: bounds and the busiest cities' labels."""
        ok = self.located
        lat, lon = self.col("place.lat")[ok], self.col("place.lon")[ok]
        bounds = ([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
                  if len(lat) else None)
        cities, city = self.codes("place.city")
        pnames, pname = self.codes("place.name")
        precs, prec = self.codes("place.precision")
        # the label: the city, else the name of a city-level place (codes into both lists)
        is_city = np.array([p == "city" for p in precs] + [False], dtype=bool)[prec]
        label = np.where(self.truthy("place.city"), city,
                         np.where(is_city & self.truthy("place.name"),
                                  pname + len(cities), -1))[ok]
        texts = cities + pnames
        has = label >= 0
        names_of: dict[str, int] = {}
        same = np.array([names_of.setdefault(t, len(names_of)) if t else -1 for t in texts]
                        + [-1], dtype=np.int64)
        by_name = sorted(names_of, key=names_of.get)
        order = np.argsort(np.array(by_name, dtype=object), kind="stable")
        rank = np.empty(len(by_name), dtype=np.int64)
        rank[order] = np.arange(len(by_name))
        names = np.array(by_name, dtype=object)[order] if by_name else np.array([])
        inv = rank[same[label[has]]] if len(by_name) else np.array([], dtype=np.int64)
        n = np.bincount(inv, minlength=len(names))
        slat = np.bincount(inv, weights=lat[has], minlength=len(names))  # in event order
        slon = np.bincount(inv, weights=lon[has], minlength=len(names))
        chosen = sorted(range(len(names)), key=lambda i: (-n[i], names[i]))[:max_labels]
        labels = [{"name": str(names[i]), "lat": round(slat[i] / n[i], 5),
                   "lon": round(slon[i] / n[i], 5)}
                  for i in sorted(chosen, key=lambda i: names[i])]
        return {"bounds": bounds, "labels": labels}

    @_released
    def queue(self) -> LazyQueue:
        """``review.queue.queue``: the unreviewed events, most uncertain first."""
        from geo.review.queue import PLACE_WEIGHT

        score = np.where(self.located, 0.0, 4.0)
        values, idx = self.codes("place.precision")
        w = np.array([PLACE_WEIGHT.get(v, 1.0) for v in values] + [1.0])[idx]
        score += np.where(self.located, w, 0.0)
        score += self.col("place_from_context")
        dated = self.dated
        score += np.where(dated, 0.0, 3.0)
        score += np.where(dated & self.col("date_inferred"), 2.0, 0.0)
        pvalues, pidx = self.codes("date_precision")
        extra = np.array([{"month": 1.0, "year": 1.5}.get(v, 0.0) for v in pvalues] + [0.0])
        score += np.where(dated, extra[pidx], 0.0)
        score += self._distinct_articles() <= 1
        return LazyQueue(self, score, self.needs_review())

    def _distinct_articles(self) -> np.ndarray:
        """How many distinct articles each event cites (one or none: from the list's
        length; the others are counted)."""
        lengths = pc.fill_null(pc.list_value_length(self.arrow("sources")), 0)
        out = lengths.to_numpy(zero_copy_only=False).astype(np.int64)
        many = np.flatnonzero(out > 1)
        if len(many):
            sub = ColumnarEvents(self.table, self.rows[many])
            parents, names = sub.articles()
            code = pc.fill_null(pc.dictionary_encode(names).indices, -1)
            code = code.to_numpy(zero_copy_only=False).astype(np.int64) + 1
            k = int(code.max(initial=0)) + 1
            pair = np.unique(parents.astype(np.int64) * k + code)
            out[many] = np.bincount(pair // k, minlength=len(many))
        return out


class StringList(Sequence):
    """A sorted Arrow array of strings as a read-only list (a year of news cites a million
    articles: ~80 MB as Python strings, ~40 MB as Arrow)."""

    def __init__(self, arr: pa.Array):
        self.arr = arr

    def __len__(self) -> int:
        return len(self.arr)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.arr[i].to_pylist()
        return self.arr[i].as_py()

    def __iter__(self) -> Iterator[str]:
        for a in range(0, len(self.arr), BATCH):
            yield from self.arr[a:a + BATCH].to_pylist()

    def __contains__(self, v) -> bool:
        i = bisect.bisect_left(self, v)
        return i < len(self) and self[i] == v

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None


class LazyQueue(Sequence):
    """The review queue as ``review.queue.queue`` orders it; Items made for what is read."""

    TOP = 64

    def __init__(self, events: ColumnarEvents, score: np.ndarray, todo: np.ndarray):
        self.events = events
        self.score = score
        self.pos = np.flatnonzero(todo)
        self._top: list | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def _ordered(self, k: int) -> list:
        from geo.review.queue import Item, uncertainty

        pos = self.pos
        if k < len(pos):  # only what can be among the first k by score
            cut = np.partition(-self.score[pos], k - 1)[k - 1]
            pos = pos[-self.score[pos] <= cut]
        if k < len(pos):  # ... and by (date or "9999", id): an Arrow sort, no Events
            date = pc.fill_null(self.events.arrow("date", pos), "9999")
            date = pc.if_else(pc.equal(date, ""), "9999", date)
            t = pa.table({"s": pa.array(-self.score[pos]), "d": date,
                          "i": self.events.arrow("id", pos)})
            o = pc.sort_indices(t, sort_keys=[("s", "ascending"), ("d", "ascending"),
                                              ("i", "ascending")]).to_numpy()
            pos = pos[o[:k]]
        evs = self.events.make(self.events.rows[pos])
        items = [Item(e, *uncertainty(e)) for e in evs]
        items.sort(key=lambda i: (-i.score, i.event.date or "9999", i.event.id))
        return items[:k]

    def __getitem__(self, i):
        if isinstance(i, slice):
            stop = i.stop if i.stop is not None and i.stop >= 0 else len(self)
            if stop <= self.TOP and (i.start or 0) >= 0:
                if self._top is None:
                    self._top = self._ordered(min(self.TOP, len(self)))
                return self._top[i]
            return self._ordered(len(self))[i]
        return self[i:i + 1][0] if i >= 0 else self._ordered(len(self))[i]


# ---- the step index ---------------------------------------------------------------------------


class _Rows(Sequence):
    """Events ``order[i]`` of ``events`` (positions in its order), made when read."""

    def __init__(self, events: ColumnarEvents, order: np.ndarray):
        self.events = events
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.events.make(self.events.rows[self.order[i]])
        return self.events.make(self.events.rows[[self.order[i]]])[0]


class ColumnarStepIndex:
    """:class:`geo.timeline.StepIndex` from columns (same attributes, steps and codes)."""

    @_released
    def __init__(self, events: ColumnarEvents):
        from geo.timeline import ordered_categories, place_label

        self.events = events
        n = len(events)
        dvalues, didx = events.codes("date")
        dated = events.dated
        # dated events sorted by (date, id), as sorted() orders the strings (UTF-8 bytes
        # sort as code points do)
        dpos = np.flatnonzero(dated)
        if len(dpos):
            t = pa.table({"d": events.arrow("date", dpos), "i": events.arrow("id", dpos)})
            dpos = dpos[pc.sort_indices(t, sort_keys=[("d", "ascending"),
                                                      ("i", "ascending")]).to_numpy()]
        self.order = dpos
        self.dated = _Rows(events, dpos)
        upos = np.flatnonzero(~dated)
        self.undated = events.make(events.rows[upos])
        self.dates = sorted({v for v in dvalues if v})
        rank = {d: i for i, d in enumerate(self.dates)}
        code_rank = np.array([rank.get(v, -1) for v in dvalues] + [-1], dtype=np.int64)
        self.key_rank = code_rank[didx[dpos]]  # non-decreasing
        cvalues, cidx = events.codes("category")
        self.categories = ordered_categories(c for c in cvalues if c is not None)
        cat_of = np.array([self.categories.index(c) if c in self.categories else 0
                           for c in cvalues] + [0], dtype=np.int64)
        ncat = len(self.categories)
        # places: rounded points, numbered by first appearance (dated in order, then undated)
        seq = np.concatenate([dpos, upos])
        loc = events.located[seq]
        lat, lon = events.col("place.lat")[seq], events.col("place.lon")[seq]
        self.places: list[tuple[float, float, str]] = []
        pid_of = np.full(len(seq), -1, dtype=np.int64)
        if loc.any():
            li = np.flatnonzero(loc)
            pts = np.stack([lat[li], lon[li]], axis=1)
            uniq, first, inv = np.unique(pts, axis=0, return_index=True, return_inverse=True)
            inv = inv.reshape(-1)
            rounded = [(round(float(a), 4), round(float(b), 4)) for a, b in uniq]
            # a rounded point's number: the order its first event comes in
            first_of: dict[tuple, int] = {}
            for u, r in enumerate(rounded):
                if r not in first_of or first[u] < first[first_of[r]]:
                    first_of[r] = u
            by_first = sorted(first_of.items(), key=lambda kv: first[kv[1]])
            pid_of_r = {r: p for p, (r, _u) in enumerate(by_first)}
            lab_rows = [seq[li[first[u]]] for _r, u in by_first]
            labels = [place_label(e) for e in events.make(events.rows[lab_rows])]
            self.places = [(r[0], r[1], labels[p]) for p, (r, _u) in enumerate(by_first)]
            uid_pid = np.array([pid_of_r[r] for r in rounded], dtype=np.int64)
            pid_of[li] = uid_pid[inv]
        codes = np.where(pid_of >= 0, pid_of * ncat + cat_of[cidx[seq]], -1)
        self.codes = codes[:len(dpos)]
        ucodes = codes[len(dpos):]
        self.undated_codes = _ordered_counts(ucodes)
        self.unlocated_prefix = np.concatenate([[0], np.cumsum(self.codes < 0)])
        self.n_undated_unlocated = int((ucodes < 0).sum())
        per = np.bincount(self.key_rank, minlength=len(self.dates)) if len(dpos) else []
        self.per_date = [(d, int(per[i])) for i, d in enumerate(self.dates)]
        self.n_located = int(events.located.sum())
        self._n = n
        # where each code first comes in the dated order: a prefix's codes in that order
        self._first = {}
        if len(self.codes):
            u, f = np.unique(self.codes, return_index=True)
            self._first_codes = u[np.argsort(f, kind="stable")]
            self._first_pos = np.sort(f)
        else:
            self._first_codes = self._first_pos = np.array([], dtype=np.int64)

    def span(self, date: str | None) -> tuple[int, int]:
        if date is None:
            return 0, 0
        i = bisect.bisect_left(self.dates, date)
        if i == len(self.dates) or self.dates[i] != date:
            # between steps: where it would sort among the dates
            lo = int(np.searchsorted(self.key_rank, i, side="left"))
            return lo, lo
        return (int(np.searchsorted(self.key_rank, i, side="left")),
                int(np.searchsorted(self.key_rank, i, side="right")))

    def on_date(self, date: str | None) -> DayEvents:
        lo, hi = self.span(date)
        return DayEvents(self, lo, hi)

    def step(self, date: str | None, mode: str) -> ColumnarStep:
        from geo.timeline import resolve_mode

        mode = resolve_mode(mode)
        lo, hi = self.span(date)
        n_dated = len(self.order)
        if date is None:
            lo = hi = n_dated if mode == "upto" else 0
        if mode == "date":
            rest = []
        elif mode == "upto":
            rest = [(0, lo)] if date is not None else []
        else:
            rest = [(0, lo), (hi, n_dated)]
        n_rest = sum(b - a for a, b in rest) + (len(self.undated) if mode == "all" else 0)
        unloc = self.unlocated_prefix
        n_unloc = int(unloc[hi] - unloc[lo]) + sum(int(unloc[b] - unloc[a]) for a, b in rest)
        if mode == "all":
            n_unloc += self.n_undated_unlocated
        return ColumnarStep(self, date, mode, lo, hi, rest, n_rest, n_unloc)

    def prefix_counts(self, hi: int) -> Counter[int]:
        """The codes of dated events [0, hi), counted, in the order they first come."""
        if hi <= 0:
            return Counter()
        seg = self.codes[:hi]
        n = np.bincount(seg[seg >= 0]) if (seg >= 0).any() else np.array([], dtype=np.int64)
        k = int(np.searchsorted(self._first_pos, hi, side="left"))
        order = self._first_codes[:k]
        order = order[order >= 0]
        return Counter(dict(zip(order.tolist(), n[order].tolist(), strict=True)))


def _ordered_counts(seg: np.ndarray) -> Counter[int]:
    """``Counter(seg)`` (insertion order: first appearance), -1 dropped, from numpy."""
    if not len(seg):
        return Counter()
    u, f, n = np.unique(seg, return_index=True, return_counts=True)
    o = np.argsort(f, kind="stable")
    c = Counter(dict(zip(u[o].tolist(), n[o].tolist(), strict=True)))
    c.pop(-1, None)
    return c


def _step_class():
    from geo.timeline import Step

    class ColumnarStep(Step):
        """A step of a :class:`ColumnarStepIndex`: counts from numpy."""

        def rest_counts(self) -> Counter[int]:
            ix = self.index
            c: Counter[int] = Counter()
            for a, b in self.rest:
                if a == 0:
                    c.update(ix.prefix_counts(b))
                else:
                    c.update(_ordered_counts(ix.codes[a:b]))
            if self.mode == "all":
                c.update(ix.undated_codes)
            c.pop(-1, None)
            return c

        def current_counts(self) -> Counter[int]:
            return _ordered_counts(self.index.codes[self.lo:self.hi])

        def n_located_current(self) -> int:
            return int((self.index.codes[self.lo:self.hi] >= 0).sum())

        def located_current(self) -> list[Event]:
            """The current events that are on the map, by id (pins)."""
            ix = self.index
            pos = ix.order[self.lo:self.hi][ix.codes[self.lo:self.hi] >= 0]
            return ix.events.make(ix.events.rows[pos])

        def source_line(self, online: bool = False, max_articles: int = 4) -> str:
            """``mapview.source_line`` of the current events, from columns."""
            ix = self.index
            ev = ix.events
            pos = ix.order[self.lo:self.hi]
            parents, names = ColumnarEvents(ev.table, ev.rows[pos]).articles()
            arts = list(dict.fromkeys(names.to_pylist()))
            arts = [a for a in arts if a is not None]
            values, idx = ev.codes("place.attribution")
            attributions = list(dict.fromkeys(values[i] for i in idx[pos] if i >= 0
                                              and values[i]))
            parts = []
            if arts:
                more = len(arts) - max_articles
                listed = ", ".join(arts[:max_articles]) + (f" +{more} more" if more > 0
                                                           else "")
                parts.append(f"Sources: {listed}")
            for a in attributions:
                parts.append(f"Places {a}")
            return " · ".join(parts)

    return ColumnarStep


class _StepClass:
    cls = None


def ColumnarStep(*args):  # noqa: N802 - made on first use (geo.timeline imports this module)
    if _StepClass.cls is None:
        _StepClass.cls = _step_class()
    return _StepClass.cls(*args)


class DayEvents(Sequence):
    """The events of one date (``StepIndex.on_date``), made when read; ``cards()`` builds
    only the cards that are shown."""

    def __init__(self, index: ColumnarStepIndex, lo: int, hi: int):
        self.index, self.lo, self.hi = index, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, i):
        return self.index.dated[self.lo:self.hi][i]

    def cards(self) -> LazyCards:
        """``timeline.cards_for`` of these events: located first, then with a time of day,
        then by id."""
        ix = self.index
        pos = ix.order[self.lo:self.hi]
        ev = ix.events
        unlocated = ~ev.located[pos]
        no_tod = ev.codes("time_of_day")[1][pos] < 0
        t = pa.table({"u": pa.array(unlocated), "t": pa.array(no_tod),
                      "i": ev.arrow("id", pos)})
        o = pc.sort_indices(t, sort_keys=[("u", "ascending"), ("t", "ascending"),
                                          ("i", "ascending")]).to_numpy()
        return LazyCards(ev, pos[o])


class LazyCards(Sequence):
    def __init__(self, events: ColumnarEvents, pos: np.ndarray):
        self.events, self.pos = events, pos

    def __len__(self) -> int:
        return len(self.pos)

    def __getitem__(self, i):
        from geo.timeline import card

        if isinstance(i, slice):
            return [card(e) for e in self.events.make(self.events.rows[self.pos[i]])]
        return self[i:i + 1 or None][0]


def is_columnar(events) -> bool:
    return bool(getattr(events, "columnar", False))


def from_events(events: Iterable[Event]) -> ColumnarEvents:
    """Events as a :class:`ColumnarEvents` (tests: the same events both ways)."""
    from geo import parquet

    events = list(events)
    return ColumnarEvents(parquet.to_table(events))
