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
they are JSON strings. ``seq`` keeps the written order, which partitioning loses.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from geo.models import Event, Place, PlaceMention, Source

FORMAT = "newsmap-events-parquet"
VERSION = 1
MARKER = "_newsmap_events.json"  # "_" prefix: dataset discovery skips it
PARTITION = "month"
UNDATED = "undated"
ROWS_PER_FILE = 1_000_000  # ~100 MB of events; a busy month is a few files
ROWS_PER_GROUP = 100_000

_s = pa.string()
MENTION = pa.struct([("text", _s), ("kind", _s), ("city", _s), ("country_code", _s),
                     ("mission_of", _s), ("entry_id", _s)])
PLACE = pa.struct([("name", _s), ("lat", pa.float64()), ("lon", pa.float64()),
                   ("precision", _s), ("source", _s), ("city", _s), ("country", _s),
                   ("country_code", _s), ("confidence", pa.float64()), ("attribution", _s),
                   ("note", _s)])
SOURCE = pa.struct([("article", _s), ("sentence", _s), ("url", _s), ("outlet", _s)])
JSON_COLUMNS = ("original", "review_key")
SCHEMA = pa.schema([
    ("seq", pa.int64()),
    ("id", _s), ("date", _s), ("date_precision", _s), ("status", _s), ("category", _s),
    ("title", _s), ("mention", MENTION), ("sources", pa.list_(SOURCE)), ("place", PLACE),
    ("time_of_day", _s), ("date_inferred", pa.bool_()), ("kind", _s), ("family", _s),
    ("place_from_context", pa.bool_()), ("background", pa.bool_()), ("actor", _s),
    ("review_status", _s), ("original", _s), ("review_note", _s), ("review_key", _s),
], metadata={"format": FORMAT, "version": str(VERSION)})
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
           for cls in (Event, PlaceMention, Place, Source)}


def _flat(obj) -> dict | None:
    """A mention, place or source as a dict (their fields are plain values); 7x faster
    than ``dataclasses.asdict``, which deep-copies (it was most of a write)."""
    if obj is None:
        return None
    return {name: getattr(obj, name) for name in _FIELDS[type(obj)]}


def _row(seq: int, e: Event) -> dict:
    d = _flat(e)
    d["mention"] = _flat(e.mention)
    d["place"] = _flat(e.place)
    d["sources"] = [_flat(s) for s in e.sources]
    for name in JSON_COLUMNS:
        # key order kept (no sort_keys): the exports print these dicts as they are
        d[name] = None if d[name] is None else json.dumps(d[name], ensure_ascii=False)
    d["seq"] = seq
    return d


def _event(row: dict) -> Event:
    row.pop("seq", None)
    row.pop(PARTITION, None)
    for name in JSON_COLUMNS:
        row[name] = None if row[name] is None else json.loads(row[name])
    row["mention"] = PlaceMention(**row["mention"]) if row["mention"] is not None else None
    row["place"] = Place(**row["place"]) if row["place"] is not None else None
    row["sources"] = [Source(**s) for s in row["sources"] or []]
    return Event(**row)


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
    try:
        dataset = ds.dataset(path, format="parquet", partitioning=PARTITIONING,
                             schema=SCHEMA.append(pa.field(PARTITION, _s)))
    except (pa.ArrowException, OSError) as exc:
        raise EventsFolderError(f"{path}: not readable as Parquet events ({exc})") from exc
    return dataset


def read_events(path: str | Path, months: Iterable[str] | None = None) -> list[Event]:
    """The events of the folder in the order they were written; ``months`` (partition
    values: ``"2023-07"``, ``"2023"``, ``"undated"``) reads only those partitions."""
    dataset = open_dataset(path)
    flt = None
    if months is not None:
        flt = ds.field(PARTITION).isin(list(months))
    try:
        table = dataset.to_table(filter=flt).sort_by("seq")
    except (pa.ArrowException, OSError) as exc:
        raise EventsFolderError(f"{path}: not readable as Parquet events ({exc})") from exc
    return [_event(row) for row in table.to_pylist()]
