"""The user's database (geo/store): WAL, migrations, precise errors, check/export/import."""

from __future__ import annotations

import sqlite3

import pytest

from geo import cli
from geo.review import Correction, EventKey
from geo.review import log as review_log
from geo.store import (
    SCHEMA_VERSION,
    Database,
    StoreCorrupt,
    StoreError,
    StoreTooNew,
    StoreUnavailable,
    backup,
)
from geo.store import db as db_mod

KEY = EventKey("h1", "Protesters stormed the embassy.", "unrest")


@pytest.fixture(autouse=True)
def _fresh():
    db_mod.forget_open()
    yield
    db_mod.forget_open()


def test_new_database_is_wal_at_the_current_version(tmp_path):
    db = Database(tmp_path / "n.sqlite")
    conn = db.conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db_mod.schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_older_schema_is_migrated_and_keeps_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    Database(path)
    review_log.save(Correction("confirm", KEY), Database(path))
    # a later version adds a migration: the old file is brought up to it on open
    monkeypatch.setattr(db_mod, "MIGRATIONS", [*db_mod.MIGRATIONS,
                                               "ALTER TABLE corrections ADD COLUMN x TEXT;"])
    monkeypatch.setattr(db_mod, "SCHEMA_VERSION", len(db_mod.MIGRATIONS))
    db = Database(path)
    assert db_mod.schema_version(db.conn()) == SCHEMA_VERSION + 1
    assert [c.kind for c in review_log.load(db)] == ["confirm"]


def test_newer_schema_is_refused_with_advice_and_left_alone(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreTooNew) as err:
        Database(path)
    assert isinstance(err.value, RuntimeError) and isinstance(err.value, StoreError)
    assert "Update the app" in str(err.value) and str(path) in str(err.value)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == \
        SCHEMA_VERSION + 5


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_file_is_a_store_corrupt_error(tmp_path, garbage):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(garbage)
    with pytest.raises(StoreCorrupt) as err:
        Database(path)
    assert isinstance(err.value, ValueError)
    assert "db import" in str(err.value)
    assert not backup.check(path).ok


def test_unusable_folder_is_store_unavailable(tmp_path):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")  # (chmod means nothing to root)
    with pytest.raises(StoreUnavailable) as err:
        Database(blocker / "x.sqlite")
    assert isinstance(err.value, OSError) and "NEWSMAP_HOME" in str(err.value)


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    db = Database(tmp_path / "t.sqlite")
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO corrections (created, kind) VALUES ('now', 'confirm')")
        raise RuntimeError("crash in the middle")
    assert review_log.version(db) == (0, 0)


def test_export_then_import_restores_and_sets_a_damaged_file_aside(tmp_path):
    live = tmp_path / "live.sqlite"
    db = Database(live)
    review_log.save(Correction("remove", KEY, {"reason": "duplicate"}), db)
    copy = backup.export(live, tmp_path / "backup.sqlite")
    assert backup.check(copy).counts["corrections"] == 1
    with pytest.raises(FileExistsError):
        backup.export(live, copy)
    db_mod.forget_open()
    for side in ("-wal", "-shm"):
        (tmp_path / f"live.sqlite{side}").unlink(missing_ok=True)
    live.write_bytes(b"garbage" * 1000)  # the disk ate it
    report = backup.import_(copy, live)
    assert report.ok and report.counts["corrections"] == 1
    assert [c.details for c in review_log.load(Database(live))] == [{"reason": "duplicate"}]
    assert list(tmp_path.glob("live.sqlite.damaged-*"))  # set aside, not deleted


def test_import_refuses_a_bad_backup_and_changes_nothing(tmp_path):
    live = tmp_path / "live.sqlite"
    review_log.save(Correction("confirm", KEY), Database(live))
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"x" * 100)
    with pytest.raises(StoreCorrupt):
        backup.import_(bad, live)
    assert len(review_log.load(Database(live))) == 1


def test_db_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path / "home"))
    from geo.paths import database_path

    review_log.save(Correction("confirm", KEY), Database(database_path()))
    assert cli.main(["db", "check"]) == 0
    assert "corrections: 1 rows" in capsys.readouterr().out
    out = tmp_path / "b.sqlite"
    assert cli.main(["db", "export", str(out)]) == 0
    assert cli.main(["db", "export", str(out)]) == 1
    assert "exists" in capsys.readouterr().err
    assert cli.main(["db", "import", str(out)]) == 0
    (tmp_path / "junk").write_bytes(b"junk")
    assert cli.main(["db", "import", str(tmp_path / "junk")]) == 1
    assert "Nothing was changed" in capsys.readouterr().err


def test_caches_live_in_the_user_database(newsmap_home, tmp_path):
    from geo import pipeline
    from geo.geocache import GeoCache
    from geo.geocode import Geocoder
    from geo.models import Place
    from geo.paths import SEEDS_DIR, cache_dir, database_path

    # an older separate geocode cache is imported once, then renamed
    legacy = cache_dir() / "geocode.sqlite"
    place = Place("Jumhuriya bridge", 33.32, 44.40, "landmark", "nominatim")
    assert GeoCache(legacy).put("k1", place)
    g = Geocoder(online=False)
    assert g.cache.path == database_path() and g.cache.get("k1") == place
    assert not legacy.exists() and legacy.with_name("geocode.sqlite.imported").exists()
    pipeline.run([SEEDS_DIR])
    pipeline.run([SEEDS_DIR])  # a rerun: from the run cache
    counts = backup.check(database_path()).counts
    # run_cache: the run's result, its incremental state (geo.pipeline.Incremental) and
    # the key of the result row that state needs
    assert counts["extraction_cache"] == 4 and counts["run_cache"] == 3
    assert counts["answers"] == 1
    assert not (cache_dir() / "extract").exists() and not (cache_dir() / "runs").exists()


def test_extraction_cache_batches_and_reads_its_pending_rows(tmp_path):
    from geo.models import Event
    from geo.pipeline import ExtractionCache

    cache = ExtractionCache(tmp_path)
    ev = Event(id="a", date="2023-07-20", date_precision="day", status="occurred",
               category="protest", title="Protest", mention=None)
    cache.put("k", [ev])
    assert cache.get("k")[0].title == "Protest"  # before any commit
    assert cache.db.query("SELECT COUNT(*) FROM extraction_cache")[0][0] == 0
    cache.flush()
    assert ExtractionCache(tmp_path).get("k")[0].id == "a"
    with cache.db.write() as conn:  # a damaged row is a miss, not a crash
        conn.execute("UPDATE extraction_cache SET events = 'not json'")
    assert cache.get("k") is None


def test_reruns_in_new_threads_do_not_pile_up_connections(tmp_path):
    """Streamlit runs each rerun in a thread of its own: 200 of them reuse a few
    connections instead of leaving 200 open files."""
    import threading

    db = Database(tmp_path / "p.sqlite")
    for i in range(200):
        t = threading.Thread(target=lambda i=i: (review_log.version(db), review_log.save(
            Correction("confirm", EventKey("h", f"s{i}", "unrest")), db)))
        t.start()
        t.join()
    assert db._opened <= 3
    assert review_log.version(db) == (200, 200)
