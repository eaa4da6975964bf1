"""Faults in the user data folder: racing saves, killed saves, read-only or missing homes,
damaged caches. Nothing here may crash the CLI or lose a saved article."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo import paths, userdata
from geo.geocache import GeoCache, cache_key
from geo.paths import PROJECT_ROOT, SEEDS_DIR

ARTICLE = " date 2023-07-01 Protesters gathered outside the embassy in Baghdad on {n}.\n"


def body(n: int) -> bytes:
    return ARTICLE.format(n=n).encode()


def saved_contents(home: Path) -> set[bytes]:
    """The bytes of every article the user saved (in the database at ``home``)."""
    from geo.store import db as db_mod

    db_mod.forget_open()
    assert userdata.problems() == []
    return {userdata.raw_article(n) for n in userdata.list_articles()}


# -- racing saves ----------------------------------------------------------------------------


def test_concurrent_saves_of_one_name_keep_every_text(newsmap_home):
    """25 rounds of 2-8 threads saving the same name with different texts at once."""
    for rnd in range(25):
        k = 2 + rnd % 7
        texts = [body(rnd * 10 + i) for i in range(k)]
        barrier = threading.Barrier(k)

        def one(raw: bytes, barrier=barrier, rnd=rnd) -> tuple[str | None, str | None]:
            barrier.wait()
            return userdata.save_article(f"same-{rnd}.txt", raw)

        with ThreadPoolExecutor(k) as pool:
            results = list(pool.map(one, texts))
        assert all(reason is None for _, reason in results), results
        names = [name for name, _ in results]
        assert len(set(names)) == k  # each text its own file
        for name, raw in zip(names, texts, strict=True):
            assert userdata.raw_article(name) == raw
    assert len(saved_contents(newsmap_home)) == sum(2 + r % 7 for r in range(25))


def test_concurrent_saves_of_the_same_text_are_one_file(newsmap_home):
    barrier = threading.Barrier(6)

    def one(_):
        barrier.wait()
        return userdata.save("dup.txt", body(1))

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    assert {r.name for r in results} == {"dup.txt"}
    assert sum(not r.existed for r in results) == 1
    assert any(r.message == "Already there: dup.txt" for r in results)
    assert userdata.list_articles() == ["dup.txt"]


def test_processes_racing_keep_every_text(newsmap_home):
    code = ("import sys, time; from geo import userdata\n"
            "t = float(sys.argv[2])\n"
            "while time.time() < t: pass\n"
            "print(*userdata.save_article('race.txt', sys.argv[1].encode()), sep='|')\n")
    start = time.time() + 1.5
    texts = [ARTICLE.format(n=f"process {i}") for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-c", code, t, str(start)], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True) for t in texts]
    names = [p.communicate(timeout=30)[0].strip() for p in procs]
    assert len(set(names)) == 4 and all(n.endswith("|None") for n in names), names
    assert saved_contents(newsmap_home) == {t.encode() for t in texts}


def test_collision_names_use_the_hash_then_a_counter(newsmap_home, monkeypatch):
    a, _ = userdata.save_article("n.txt", body(1))
    b, _ = userdata.save_article("n.txt", body(2))
    assert a == "n.txt" and b.startswith("n-") and len(b) == len("n-12345678.txt")
    # someone else already holds the hashed name with other text: a counter follows
    h = b[2:10]
    taken = f"n-{userdata.hashlib.sha256(body(3)).hexdigest()[:8]}.txt"
    assert userdata.save_article(taken, body(4)) == (taken, None)
    c, _ = userdata.save_article("n.txt", body(3))
    assert c.endswith("-2.txt") and h not in c
    assert len(saved_contents(newsmap_home)) == 4


def test_kill_during_saves_leaves_only_whole_files(newsmap_home):
    """kill -9 a process in the middle of many saves: every kept article is complete."""
    big = "Protesters gathered outside the embassy in Baghdad. " * 2000
    code = ("import sys; from geo import userdata\n"
            "i = 0\n"
            "while True:\n"
            f"    userdata.save_article('k.txt', ({big!r} + str(i)).encode()); i += 1\n"
            "    if i == 3: print('go', flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "go"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    from geo.store import backup

    assert backup.check(newsmap_home / "newsmap.sqlite").ok
    kept = saved_contents(newsmap_home)
    assert len(kept) >= 3
    for raw in kept:
        text = raw.decode()
        assert text.startswith(big) and text[len(big):].isdigit(), text[-20:]
    # a later save still works after the kill
    assert userdata.save_article("after.txt", body(9))[1] is None


def test_concurrent_date_updates_are_all_kept(newsmap_home):
    import datetime as dt

    names = [f"a{i}.txt" for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        errors = list(pool.map(lambda n: userdata.set_date(n, dt.date(2023, 7, 1)), names))
    assert errors == [None] * 16
    assert userdata.load_dates() == {n: "2023-07-01" for n in names}


def test_dates_file_with_wrong_types_is_ignored(newsmap_home):
    """An older version's dates.json: only the valid pairs are imported, and a file that is
    no {name: date} object is reported and set aside, never deleted."""
    (newsmap_home / "dates.json").write_text(json.dumps(
        {"a.txt": "2023-07-01", "b.txt": [1], "c.txt": "not a date", "d.txt": None}))
    assert userdata.load_dates() == {"a.txt": "2023-07-01"}
    assert (newsmap_home / "dates.json.imported").exists()
    (newsmap_home / "dates.json").write_text("[1, 2]")
    assert userdata.load_dates() == {"a.txt": "2023-07-01"}  # the imported date stays
    assert [p.name for p in userdata.problems()] == ["dates.json"]
    assert (newsmap_home / "dates.json.imported-2").read_text() == "[1, 2]"


# -- faulty homes ----------------------------------------------------------------------------


def _break_home(kind: str, tmp: Path) -> Path:
    """A home that is a file, missing under a file, or read-only (for the test's user)."""
    home = tmp / "home"
    if kind == "file":
        home.write_text("not a folder")
    elif kind == "under-file":
        (tmp / "f").write_text("x")
        home = tmp / "f" / "home"
    return home


@pytest.mark.parametrize("kind", ["file", "under-file"])
def test_unusable_home_falls_back_and_saving_says_why(kind, tmp_path, monkeypatch):
    home = _break_home(kind, tmp_path)
    monkeypatch.setenv("NEWSMAP_HOME", str(home))
    assert paths.home().is_dir() and paths.home() != home
    assert paths.cache_dir().is_dir() and paths.user_articles_dir().is_dir()
    name, reason = userdata.save_article("a.txt", body(1))
    assert name is None and "cannot save" in reason and str(home) in reason
    assert userdata.set_date("a.txt", None) is not None
    assert userdata.list_articles() == [] and not userdata.remove_article("a.txt")
    assert userdata.load_dates() == {} and userdata.signature()
    with pytest.raises(paths.HomeUnusable):
        paths.writable_home()


def _read_only(path: Path, monkeypatch) -> None:
    """Make ``path`` read-only; as root (which ignores modes) make os.access and writes
    inside it say so instead."""
    path.chmod(0o555)
    if os.geteuid() != 0:
        return
    real_access, real_mkstemp, real_mkdir = os.access, tempfile.mkstemp, Path.mkdir
    inside = str(path)

    def access(p, mode, **kw):
        if str(p).startswith(inside) and mode & os.W_OK:
            return False
        return real_access(p, mode, **kw)

    def mkstemp(*a, dir=None, **kw):  # noqa: A002 (tempfile's own name)
        if dir is not None and str(dir).startswith(inside):
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkstemp(*a, dir=dir, **kw)

    def mkdir(self, *a, **kw):
        if str(self).startswith(inside) and not self.exists():
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *a, **kw)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(Path, "mkdir", mkdir)


def test_read_only_home_still_reads_and_saving_says_why(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "articles").mkdir(parents=True)
    (home / "articles" / "mine.txt").write_bytes(body(1))
    (home / "dates.json").write_text('{"mine.txt": "2023-07-02"}')
    monkeypatch.setenv("NEWSMAP_HOME", str(home))
    _read_only(home, monkeypatch)
    try:
        assert paths.home() == home
        assert paths.user_articles_dir() == home / "articles"
        assert paths.cache_dir().is_dir() and not str(paths.cache_dir()).startswith(str(home))
        assert userdata.list_articles() == ["mine.txt"]
        assert userdata.load_dates() == {"mine.txt": "2023-07-02"}
        name, reason = userdata.save_article("b.txt", body(2))
        assert name is None and "read-only" in reason
        assert "read-only" in userdata.set_date("mine.txt", None)
        assert not userdata.remove_article("mine.txt")
    finally:
        home.chmod(0o755)


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0"}
    return subprocess.run([sys.executable, "-m", "geo", "extract", str(SEEDS_DIR), *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_cli_with_a_home_that_is_a_file(tmp_path):
    home = _break_home("file", tmp_path)
    out = _cli(home)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) >= 10 and "Traceback" not in out.stderr


def test_cli_with_a_read_only_home(tmp_path, monkeypatch, capsys):
    """In-process, so that the read-only simulation also holds when running as root."""
    from geo import cli

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NEWSMAP_HOME", str(home))
    _read_only(home, monkeypatch)
    try:
        status = cli.main(["extract", str(SEEDS_DIR), "--no-cache"])
    finally:
        home.chmod(0o755)
    out = capsys.readouterr()
    assert status == 0, out.err
    assert len(out.out.splitlines()) >= 10 and "Traceback" not in out.err


def test_cache_folder_deleted_mid_run(newsmap_home):
    first = paths.cache_dir()
    shutil.rmtree(first)
    assert paths.cache_dir() == first and first.is_dir()  # re-created on the next use
    cache = GeoCache(first / "geocode.sqlite")
    shutil.rmtree(first)
    from geo.models import Place

    place = Place("X", 1.0, 2.0, "landmark", "nominatim")
    cache.put("k", place)  # writes to an unlinked file or fails quietly; never raises
    assert cache.get("nope") is None
    assert isinstance(cache.stats(), dict)


@pytest.mark.parametrize("payload", [
    "[1, 2]", '"a string"', "42", "null", "{not json",
    '{"name": ["a"], "lat": 1.0, "lon": 2.0, "precision": "landmark", "source": "nominatim"}',
    '{"name": "a", "lat": "1.0", "lon": 2.0, "precision": "landmark", "source": "nominatim"}',
    '{"name": "a", "lat": 1.0, "lon": 2.0, "precision": "galaxy", "source": "nominatim"}',
    '{"name": "a", "lat": 1.0, "lon": 2.0, "precision": "city", "source": "nominatim", '
    '"country": {"x": 1}}',
    '{"name": "a", "lat": 1.0, "lon": 2.0, "precision": "city", "source": "nominatim", '
    '"confidence": "high"}',
    '{"name": "a", "lat": 1.0, "lon": 2.0, "precision": "city", "source": "nominatim", '
    '"bogus": 1}',
])
def test_geocache_rows_of_the_wrong_shape_are_misses(tmp_path, payload):
    path = tmp_path / "c.sqlite"
    cache = GeoCache(path)
    key = cache_key("Somewhere", kind="landmark")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO answers VALUES (?, 'ok', ?, '', 'x', 0, NULL)", (key, payload))
    conn.execute("INSERT INTO answers VALUES ('blob', 'ok', ?, '', 'x', 0, NULL)", (b"\xff",))
    conn.commit()
    conn.close()
    assert cache.get(key) is None
    assert cache.get("blob") is None


def test_geocache_that_is_not_a_database(tmp_path):
    from geo.geocode import Geocoder
    from geo.models import PlaceMention

    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    g = Geocoder(online=False, cache_path=path)
    place = g.resolve(PlaceMention("Baghdad", kind="city"))
    assert place.lat is not None


# -- the dashboard on a faulty home ------------------------------------------------------------


def _dashboard():
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("kind", ["file", "read-only"])
def test_dashboard_shows_the_seeds_and_says_why_it_cannot_save(kind, tmp_path, monkeypatch):
    """The real pipeline on the seeds with an unusable home: the map fills, a paste is
    refused with a reason."""
    if kind == "file":
        home = _break_home("file", tmp_path)
    else:
        home = tmp_path / "home"
        home.mkdir()
        _read_only(home, monkeypatch)
    monkeypatch.setenv("NEWSMAP_HOME", str(home))
    try:
        at = _dashboard()
        assert len(at.select_slider(key="date").options) >= 3
        assert not at.error, [e.value for e in at.error]
        at.text_area(key="paste_text").set_value("Protesters gathered in Baghdad on Sunday.")
        at.button[[b.label for b in at.button].index("Add pasted text")].click().run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert any("Not added" in e and "cannot save" in e for e in errors), errors
    finally:
        if kind == "read-only":
            home.chmod(0o755)
