"""Events as a partitioned Parquet folder: a year of news that opens by the month.

``python -m geo extract --format parquet --out DIR`` writes one; ``NEWSMAP_EVENTS=DIR``
(the dashboard, ``snapshot``) and :func:`geo.pipeline.load_events` read one. Unlike the
JSONL/CSV exports (:mod:`geo.export`, a flattened schema for people and spreadsheets), this
is a storage format: every :class:`~geo.models.Event` field round-trips exactly.

Layout (Hive partitioning, so pyarrow, DuckDB, Spark or pandas open it as it is)::

    DIR/_newsmap_events.json          format, version, event count; written last
    DIR/month=2023-07/part-0.parquet  events dated in July 2023 (to the day or the month)
    DIR/month=2023/part-0.parquet     events dated only to the year 2023
    DIR/month=undated/part-0.parquet  events without a date

Why by month: the dashboard steps through dates and a year of news is ~100 million
events, so a month (a few million) is the unit one opens, filters or rewrites; by day
would make ~365 small partitions of small files, by year one that never splits.

Nested data: the mention, the place and the sources are Parquet structs (a list of
structs for the sources), typed like the data classes, so other tools can filter on
``place.country`` without parsing anything. ``original`` and ``review_key`` are free-form
dicts (the user's corrections: any field, any shape), which a fixed struct cannot hold;
they are JSON strings. ``seq`` keeps the written order, which partitioning loses. The
schema is derived from the data classes' annotations, so a field added to them is stored
with no edit here; a folder written before it existed opens with the field's default, and
one written by a newer app (fields this one lacks) is refused rather than read lossily.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from geo.models import Event

FORMAT = "newsmap-events-parquet"
VERSION = 1
MARKER = "_newsmap_events.json"  # "_" prefix: dataset discovery skips it
PARTITION = "month"
UNDATED = "undated"
ROWS_PER_FILE = 1_000_000  # ~100 MB of events; a busy month is a few files
ROWS_PER_GROUP = 100_000

_s = pa.string()
_SCALARS = {str: _s, float: pa.float64(), bool: pa.bool_(), int: pa.int64()}


def _unwrap(hint):
    """``X | None`` -> X (every column is nullable anyway)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _hints(cls) -> dict:
    return typing.get_type_hints(cls)  # models.py's annotations are strings


def _arrow_type(hint, where: str) -> pa.DataType:
    """A field's Parquet type, from its annotation: so a field added to a data class is
    stored without anyone editing this module (and an unknown kind of field fails at
    import, not silently at a write)."""
    hint = _unwrap(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _SCALARS:
        return _SCALARS[hint]
    if origin is typing.Literal and all(isinstance(a, str) for a in args):
        return _s
    if dataclasses.is_dataclass(hint):
        return pa.struct([(name, _arrow_type(h, f"{where}.{name}"))
                          for name, h in _hints(hint).items()])
    if origin is list and len(args) == 1 and dataclasses.is_dataclass(args[0]):
        return pa.list_(_arrow_type(args[0], where))
    raise TypeError(f"geo/parquet.py has no Parquet type for {where}: {hint!r}")


_EVENT_HINTS = {name: _unwrap(h) for name, h in _hints(Event).items()}
# the free-form dicts (the user's corrections: any field, any shape) as JSON strings
JSON_COLUMNS = tuple(name for name, h in _EVENT_HINTS.items() if h is dict)
_NESTED = {name: h for name, h in _EVENT_HINTS.items() if dataclasses.is_dataclass(h)}
_LISTS = {name: typing.get_args(h)[0] for name, h in _EVENT_HINTS.items()
          if typing.get_origin(h) is list}
SCHEMA = pa.schema(
    [("seq", pa.int64())]
    + [(name, _s if name in JSON_COLUMNS else _arrow_type(h, f"Event.{name}"))
       for name, h in _EVENT_HINTS.items()],
    metadata={"format": FORMAT, "version": str(VERSION)})
PARTITIONING = ds.partitioning(pa.schema([(PARTITION, _s)]), flavor="hive")

_DATE = re.compile(r"(\d{4})(-\d{2})?(-\d{2})?")


class EventsFolderError(ValueError):
    """A path that is not a readable (or writable) Parquet events folder; says why."""


def partition_of(date: str | None) -> str:
    """``YYYY-MM`` for a date to the day or month, ``YYYY`` for a year, else ``undated``."""
    m = _DATE.fullmatch(date or "")
    if not m:
        return UNDATED
    return m.group(1) + (m.group(2) or "")


_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls))
           for cls in (Event, *_NESTED.values(), *_LISTS.values())}


def _flat(obj) -> dict | None:
    """A data class as a dict of its fields, one level; 7x faster than
    ``dataclasses.asdict``, which deep-copies (it was most of a write)."""
    if obj is None:
        return None
    return {name: getattr(obj, name) for name in _FIELDS[type(obj)]}


def _row(seq: int, e: Event) -> dict:
    d = _flat(e)
    for name in _NESTED:
        d[name] = _flat(d[name])
    for name in _LISTS:
        d[name] = [_flat(x) for x in d[name] or []]
    for name in JSON_COLUMNS:
        # key order kept (no sort_keys): the exports print these dicts as they are
        d[name] = None if d[name] is None else json.dumps(d[name], ensure_ascii=False)
    d["seq"] = seq
    return d


def _event(row: dict) -> Event:
    """An Event from a row; a field the files lack (written before it existed) takes the
    data class's default."""
    row.pop("seq", None)
    row.pop(PARTITION, None)
    for name in JSON_COLUMNS:
        if row.get(name) is not None:
            row[name] = json.loads(row[name])
    for name, cls in _NESTED.items():
        if row.get(name) is not None:
            row[name] = cls(**row[name])
    for name, cls in _LISTS.items():
        if name in row:
            row[name] = [cls(**x) for x in row[name] or []]
    return Event(**row)


def _unknown_fields(have: pa.DataType | pa.Schema, want: pa.DataType | pa.Schema,
                    where: str = "") -> list[str]:
    """Fields in the files that this code does not have (a newer app wrote them)."""
    if isinstance(have, pa.ListType) and isinstance(want, pa.ListType):
        return _unknown_fields(have.value_type, want.value_type, where)
    if not isinstance(have, pa.Schema | pa.StructType) or \
            not isinstance(want, pa.Schema | pa.StructType):
        return []
    known = {f.name: f.type for f in want}
    out = []
    for f in have:
        if f.name not in known:
            out.append(where + f.name)
        else:
            out += _unknown_fields(f.type, known[f.name], f"{where}{f.name}.")
    return out


def to_table(events: Sequence[Event]) -> pa.Table:
    """The events as one Arrow table (with the partition column), in the given order."""
    table = pa.Table.from_pylist([_row(i, e) for i, e in enumerate(events)], schema=SCHEMA)
    return table.append_column(PARTITION, pa.array([partition_of(e.date) for e in events],
                                                   type=_s))


def is_events_folder(path: str | Path) -> bool:
    return (Path(path) / MARKER).is_file()


def write_events(events: Iterable[Event], path: str | Path) -> dict:
    """Write ``events`` as a Parquet events folder at ``path``; returns the marker's data.

    All or nothing: written into a temporary folder beside ``path`` and moved into place,
    so a reader (the dashboard) never sees half a dataset. An existing events folder at
    ``path`` is replaced; anything else there (a file, another folder with content) is
    left alone and is an :class:`EventsFolderError`.
    """
    path = Path(path)
    events = list(events)
    if path.exists() and not path.is_dir():
        raise EventsFolderError(f"{path} is a file; --out for Parquet names a folder")
    if path.is_dir() and any(path.iterdir()) and not is_events_folder(path):
        raise EventsFolderError(f"{path} is a folder with other content (no {MARKER}); "
                                "not overwriting it: give a new or empty folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would hide it from other users
        table = to_table(events)
        if len(table):
            ds.write_dataset(table, tmp, format="parquet", partitioning=PARTITIONING,
                             basename_template="part-{i}.parquet",
                             max_rows_per_file=ROWS_PER_FILE,
                             max_rows_per_group=ROWS_PER_GROUP,
                             existing_data_behavior="overwrite_or_ignore")
        months = sorted(set(table.column(PARTITION).to_pylist()))
        info = {"format": FORMAT, "version": VERSION, "events": len(events),
                "partitioning": f"hive, {PARTITION}=YYYY-MM | YYYY | {UNDATED}",
                "partitions": months}
        (tmp / MARKER).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        _swap_in(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return info


def _swap_in(new: Path, path: Path) -> None:
    """Move ``new`` to ``path``; an old folder there goes aside first, then away."""
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        os.replace(path, old / "data")
    try:
        os.replace(new, path)
    except OSError:
        if old is not None:  # put the previous dataset back
            os.replace(old / "data", path)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def open_dataset(path: str | Path) -> ds.Dataset:
    """The folder as a pyarrow dataset (partition column included), after checks that
    turn a wrong path into one sentence instead of an Arrow traceback."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such events file or folder")
    if not path.is_dir():
        raise EventsFolderError(f"{path} is not a folder (a Parquet events folder is one)")
    marker = path / MARKER
    if not marker.is_file():
        found = "has .parquet files but" if any(path.rglob("*.parquet")) else "has"
        raise EventsFolderError(
            f"{path} is a folder but not a Parquet events folder (it {found} no {MARKER}: "
            "not written by this app, or its writing did not finish); write one with: "
            f"python -m geo extract --format parquet --out {path}")
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EventsFolderError(f"{marker} cannot be read ({exc})") from exc
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise EventsFolderError(f"{marker} is not a {FORMAT} marker")
    if int(info.get("version", 0)) > VERSION:
        raise EventsFolderError(f"{path} was written by a newer version "
                                f"({info.get('version')} > {VERSION}); update the app")
    try:  # the files' own schema: one written before a field existed still opens
        dataset = ds.dataset(path, format="parquet", partitioning=PARTITIONING)
    except (pa.ArrowException, OSError) as exc:
        raise EventsFolderError(f"{path}: not readable as Parquet events ({exc})") from exc
    unknown = _unknown_fields(dataset.schema, SCHEMA.append(pa.field(PARTITION, _s)))
    if unknown:
        raise EventsFolderError(f"{path} was written by a newer version of the app (fields "
                                f"this one does not know: {', '.join(unknown)}); update it")
    return dataset


def read_columnar(path: str | Path):
    """The folder's events as a :class:`geo.columnar.ColumnarEvents` (Arrow columns, Event
    objects made when read), in the written order: a year of news in ~450 MB instead of
    ~3 GB of objects. The table is not sorted (a copy); the order is an index."""
    import numpy as np

    from geo.columnar import ColumnarEvents

    dataset = open_dataset(path)
    # Arrow's default pool (mimalloc) keeps what a big read freed: at 1,000,000 events the
    # process peaked ~250 MB higher with it than with the system allocator
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        table = _one_chunk_table(dataset) if dataset.files else SCHEMA.empty_table()
        seq = table.column("seq").to_numpy()
    except (pa.ArrowException, OSError, KeyError, TypeError, ValueError) as exc:
        raise EventsFolderError(f"{path}: not readable as Parquet events ({exc})") from exc
    return ColumnarEvents(table, np.argsort(seq, kind="stable"))


def _one_chunk_table(dataset: ds.Dataset) -> pa.Table:
    """The files' columns (not the partition column), each as one contiguous array. Taking
    rows from a column of many chunks concatenates them first (nested types): 30 events
    from a million in 372 chunks took 0.13-0.24 s, from one chunk 0.4 ms. Read a column at
    a time, file by file in a fixed order, so only one column is ever held twice."""
    frags = list(dataset.get_fragments())
    names = [f.name for f in dataset.schema if f.name != PARTITION]
    cols = []
    for name in names:
        chunks = [c for f in frags
                  for c in f.to_table(columns=[name], schema=dataset.schema).column(0).chunks]
        cols.append(pa.chunked_array(chunks, type=dataset.schema.field(name).type)
                    .combine_chunks())
        del chunks
        pa.default_memory_pool().release_unused()  # the chunks' memory back to the system
    return pa.Table.from_arrays(cols, names=names)


def count_events(path: str | Path) -> int:
    """The event count the folder's marker gives (0 when it says none)."""
    try:
        info = json.loads((Path(path) / MARKER).read_text(encoding="utf-8"))
        return int(info.get("events", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def read_events(path: str | Path, months: Iterable[str] | None = None) -> list[Event]:
    """The events of the folder in the order they were written; ``months`` (partition
    values: ``"2023-07"``, ``"2023"``, ``"undated"``) reads only those partitions."""
    dataset = open_dataset(path)
    flt = None
    if months is not None:
        flt = ds.field(PARTITION).isin(list(months))
    if not dataset.files:  # no events: nothing to sort by
        return []
    try:
        table = dataset.to_table(filter=flt).sort_by("seq")
        return [_event(row) for row in table.to_pylist()]
    except (pa.ArrowException, OSError, KeyError, TypeError, ValueError) as exc:
        raise EventsFolderError(f"{path}: not readable as Parquet events ({exc})") from exc
