"""``python -m geo db check|export|import``: look after the user's database.

Export and import use SQLite's online backup API, so they are consistent while the app
runs (a copy is one snapshot, never half of a write) and an import replaces the live
database's content in one step: a kill during it leaves the old content or the new.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from geo.store import db as db_mod
from geo.store.errors import StoreCorrupt, StoreError, StoreTooNew


@dataclass
class Report:
    path: Path
    ok: bool
    version: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{self.path}: {'ok' if self.ok else 'NOT OK'}"
        if self.version is not None:
            head += f", schema version {self.version} (this app: {db_mod.SCHEMA_VERSION})"
        out = [head]
        out += [f"  {table}: {n} rows" for table, n in sorted(self.counts.items())]
        out += [f"  problem: {p}" for p in self.problems]
        return out


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def check(path: Path | str) -> Report:
    """Open without changing anything; integrity check, version, row counts."""
    path = Path(path)
    if not path.exists():
        return Report(path, ok=True, problems=["no database yet (it is made on the first "
                                                "save)"])
    try:
        db_mod._check_header(path)
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=db_mod.BUSY_TIMEOUT_MS / 1000)
    except (StoreError, sqlite3.Error) as exc:
        return Report(path, ok=False, problems=[str(exc)])
    try:
        version = db_mod.schema_version(conn)
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                  for t in _tables(conn)}
    except sqlite3.Error as exc:
        return Report(path, ok=False, problems=[str(db_mod.translate(exc, path))])
    finally:
        conn.close()
    problems = [] if result == ["ok"] else [f"integrity: {r}" for r in result[:10]]
    if problems:
        problems.append(db_mod.CORRUPT_ADVICE)
    if version > db_mod.SCHEMA_VERSION:
        problems.append(str(StoreTooNew(path, version, db_mod.SCHEMA_VERSION)))
    return Report(path, ok=not problems, version=version, counts=counts, problems=problems)


def export(path: Path | str, out: Path | str) -> Path:
    """A consistent copy of the database at ``out`` (refuses to overwrite a file)."""
    path, out = Path(path), Path(out)
    if out.exists():
        raise FileExistsError(f"{out} exists; choose a new file name")
    source = db_mod.Database(path)  # checks and migrates: the copy is of the current schema
    tmp = out.with_name(f".{out.name}.part")
    try:
        dest = sqlite3.connect(tmp)
        try:
            source.conn().backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
        tmp.replace(out)
    except sqlite3.Error as exc:
        raise db_mod.translate(exc, out) from exc
    finally:
        source.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
    return out


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) out of the way, never deleting it."""
    import time

    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            side.replace(Path(f"{aside}{suffix}"))
    path.replace(aside)
    return aside


def import_(backup: Path | str, path: Path | str) -> Report:
    """Replace the database at ``path`` with ``backup`` (checked first; an older schema is
    migrated). Returns the check of the result."""
    backup, path = Path(backup), Path(path)
    report = check(backup)
    if not backup.exists():
        raise FileNotFoundError(f"{backup}: no such file")
    if not report.ok:
        raise StoreCorrupt(backup, "the backup does not pass the check: "
                           + "; ".join(report.problems), "Nothing was changed.")
    db_mod.forget_open()
    if path.exists() and not check(path).ok:
        set_aside(path)
    src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dest = db_mod.connect(path)
        try:
            src.backup(dest)
            db_mod.migrate(dest, path)
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise db_mod.translate(exc, path) from exc
    finally:
        src.close()
    return check(path)
