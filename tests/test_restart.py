"""Restart at the floor (issue 14): what a restart reads instead of computing, and what it
starts ahead of need. The same pages and events as before, byte for byte; the speed is
measured by bench/bench_year.py, not here."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import synthetic_corpus

from geo import derived, pipeline, pool, timeline
from geo.review import queue as rv_queue


@pytest.fixture
def home(rerun_home):
    return rerun_home  # conftest: every edit seen at once


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synthetic_corpus(tmp_path_factory, 16, seed=7)


def _derive(result, version=(0, 0), code="c1"):
    """What the dashboard derives and keeps (its memo), for ``result``."""
    memo = derived.Memo(result, version, code)
    ix = memo.get("index", lambda: timeline.step_index(result.events), keep=True)
    q = memo.get("queue", lambda: rv_queue.queue(result.events), keep=True)
    f = memo.get("facets filtered", lambda: timeline.facets(result.events))  # not kept
    return ix, q, f


def _restart(d) -> pipeline.Result:
    """A run as a restarted process makes it: nothing of this process's results reused."""
    pipeline.wait_for_writes()
    return pipeline.run([d])


def test_memo_keeps_what_is_asked_per_version_and_code():
    r = pipeline.Result()
    calls = []
    m = derived.Memo(r, (1, 5), "abc")
    assert m.get("x", lambda: calls.append(1) or 41, keep=True) == 41
    assert m.get("x", lambda: calls.append(1) or 0, keep=True) == 41
    assert m.get("y", lambda: 7) == 7
    assert calls == [1]
    assert list(r.derived) == ["(1, 5)|abc|x"]  # y is not stored
    # a new memo on the same result (the next rerun) reads it
    assert derived.Memo(r, (1, 5), "abc").get("x", lambda: 0, keep=True) == 41
    # another corrections version or another script: made again; the old entry goes
    assert derived.Memo(r, (2, 6), "abc").get("x", lambda: 42, keep=True) == 42
    assert list(r.derived) == ["(2, 6)|abc|x"]
    r2 = pipeline.Result()
    r2.derived["(2, 6)|abc|x"] = "stored"
    assert derived.Memo(r2, (2, 6), "other").get("x", lambda: "new", keep=True) == "new"
    # a stand-in result without .derived keeps them on itself only
    class Bare:
        pass
    b = Bare()
    assert derived.Memo(b, (0, 0), "c").get("x", lambda: 3, keep=True) == 3
    assert derived.Memo(None, (0, 0), "c").get("x", lambda: 4) == 4


def test_derived_data_is_stored_with_the_row_and_read_on_restart(home, corpus, tmp_path):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    assert first.run_key and not first.from_run_cache and first.derived == {}
    ix, q, _f = _derive(first)
    assert pipeline.keep_derived(first)  # the run's own write, still to come, takes them
    again = _restart(d)
    assert again.from_run_cache and again.run_key == first.run_key
    assert sorted(again.derived) == ["(0, 0)|c1|index", "(0, 0)|c1|queue"]
    assert not pipeline.keep_derived(again)  # nothing new: no write
    ix2, q2, _f = _derive(again)
    # the stored ones are read, and are those of the events read (one pickle: shared)
    assert ix2 is again.derived["(0, 0)|c1|index"]
    assert ix2.dated and all(any(e is x for x in again.events) for e in ix2.dated[:5])
    assert ix2.dates == ix.dates and ix2.per_date == ix.per_date
    assert [(i.event.id, i.score, i.reasons) for i in q2] == \
        [(i.event.id, i.score, i.reasons) for i in q]
    # what is derived on a restart is stored too (a row written by the CLI has none)
    _derive(again, code="c2")
    assert pipeline.keep_derived(again)
    assert sorted(_restart(d).derived) == ["(0, 0)|c2|index", "(0, 0)|c2|queue"]


def test_stale_derived_data_is_never_used_after_the_events_change(home, corpus, tmp_path):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    _derive(first)
    pipeline.keep_derived(first)
    f = sorted(d.glob("*.txt"))[3]
    f.write_text(f.read_text(encoding="utf-8") + "\nA car bomb exploded in Kabul on Monday, "
                 "killing three people, officials said.\n", encoding="utf-8")
    changed = _restart(d)
    assert not changed.from_run_cache and changed.derived == {}  # another row: nothing yet
    ix, q, _f = _derive(changed)
    assert ix.n_located == timeline.StepIndex(changed.events).n_located
    assert len(q) == len(rv_queue.queue(changed.events))
    assert len(changed.events) != len(first.events) or \
        [e.to_dict() for e in changed.events] != [e.to_dict() for e in first.events]
    # and a correction saved (another version) does not read the stored ones either
    pipeline.keep_derived(changed)
    back = _restart(d)
    assert back.from_run_cache
    got = derived.Memo(back, (1, 1), "c1").get("index", lambda: "made", keep=True)
    assert got == "made"


def test_prepare_starts_a_worker_only_on_a_run_cache_miss(home, corpus, tmp_path,
                                                          monkeypatch):
    started = []
    monkeypatch.setattr(pool, "prestart", lambda method, jobs=1: started.append(method)
                        or True)
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    assert pipeline.prepare([d])  # nothing stored yet
    pipeline.run([d])
    pipeline.wait_for_writes()
    assert not pipeline.prepare([d])  # the row is there
    assert not pipeline.prepare([d], online=True)
    f = sorted(d.glob("*.txt"))[1]
    f.write_text(f.read_text(encoding="utf-8") + "\nPolice fired tear gas.\n",
                 encoding="utf-8")
    assert pipeline.prepare([d])
    assert started == [pipeline.events_mod.DEFAULT_METHOD] * 2


def test_a_prestarted_worker_extracts_the_changed_article(home, corpus, tmp_path,
                                                          monkeypatch):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    pipeline.run([d], jobs=1)
    f = sorted(d.glob("*.txt"))[5]
    f.write_text(f.read_text(encoding="utf-8") + "\nHundreds of protesters stormed the "
                 "French embassy in Niamey on Sunday, officials said.\n", encoding="utf-8")
    used = []
    real = pool.extract_many

    def counting(articles, method, budget_s, jobs, warm=None):
        used.append((len(articles), warm is not None))
        yield from real(articles, method, budget_s, jobs, warm=warm)

    monkeypatch.setattr(pool, "extract_many", counting)
    pipeline.wait_for_writes()
    assert pipeline.prepare([d])
    inc = pipeline.run([d])
    assert used == [(1, True)]  # the one changed article, on the warm worker
    assert pool.take_warm(pipeline.events_mod.DEFAULT_METHOD) is None  # taken and closed
    pipeline.wait_for_writes()
    with pipeline.RunCache().db.write() as conn:
        conn.execute("DELETE FROM run_cache")
    full = pipeline.run([d], jobs=1)
    assert [e.to_dict() for e in inc.events] == [e.to_dict() for e in full.events]
    assert inc.articles == full.articles and inc.problems == full.problems


def test_an_unneeded_warm_worker_is_closed(home, corpus, tmp_path, monkeypatch):
    closed = []

    class Fake:
        method, jobs, hook = pipeline.events_mod.DEFAULT_METHOD, 1, None

        def close(self):
            closed.append(1)

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    monkeypatch.setattr(pool, "_warm", Fake())
    pipeline.run([d], jobs=1)  # asked for this process: the warm worker is not used
    assert closed == [1] and pool._warm is None
    pipeline.wait_for_writes()
    with pipeline.RunCache().db.write() as conn:  # a miss with nothing to extract
        conn.execute("DELETE FROM run_cache WHERE key != ?", (pipeline.RunCache.STATE,))
    monkeypatch.setattr(pool, "_warm", Fake())
    pipeline.run([d])
    assert closed == [1, 1] and pool._warm is None


def test_warmup_prepares_the_dashboards_opening_run(monkeypatch, tmp_path):
    from geo import warmup

    got = []
    monkeypatch.setattr(pipeline, "prepare_soon", lambda inputs: got.append(inputs()))
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWSMAP_PATHS", str(tmp_path))
    monkeypatch.delenv("NEWSMAP_EVENTS", raising=False)
    monkeypatch.setenv(warmup.ENV, "1")
    assert warmup.start()
    assert got == [([str(tmp_path)], {"online": False, "extra_articles": [],
                                      "date_overrides": {}})]
    monkeypatch.setenv(warmup.ENV, "0")
    assert not warmup.start()
    monkeypatch.setenv(warmup.ENV, "1")
    monkeypatch.setenv("NEWSMAP_EVENTS", str(tmp_path / "e.jsonl"))
    assert not warmup.start()
    importlib.reload(warmup)  # importing it is what starts it (off here: conftest)


def _fresh_fingerprints() -> tuple[str, str]:
    """The fingerprints as a new process computes them (this one's caches cleared)."""
    for f in (pipeline._fingerprints, pipeline.extractor_fingerprint,
              pipeline._code_fingerprint):
        f.cache_clear()
    return pipeline.extractor_fingerprint(), pipeline._code_fingerprint()


@pytest.fixture
def fingerprints():
    yield
    _fresh_fingerprints()  # the next test's are the real ones again


def test_code_fingerprints_are_read_from_a_memo_while_no_file_changed(
        newsmap_home, monkeypatch, tmp_path, fingerprints):
    first = _fresh_fingerprints()
    assert (newsmap_home / "cache" / pipeline.FINGERPRINT_MEMO).is_file()
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: reads.append(p) or real(p))
    assert _fresh_fingerprints() == first
    assert reads == []  # nothing hashed: every file as it was
    # a code file rewritten in place, same size, its mtime set back: its ctime tells
    extra = tmp_path / "extra.py"
    extra.write_text("A = 1\n")
    files = pipeline._code_files
    monkeypatch.setattr(pipeline, "_code_files", lambda: [*files(), extra])
    with_extra = _fresh_fingerprints()
    assert with_extra[0] == first[0] and with_extra[1] != first[1]
    st = extra.stat()
    extra.write_text("A = 2\n")
    os.utime(extra, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert extra.stat().st_size == st.st_size and extra.stat().st_mtime_ns == st.st_mtime_ns
    changed = _fresh_fingerprints()
    assert changed[1] != with_extra[1] and changed[0] == first[0]
    # a file gone from the list: hashed again, the fingerprint of before
    monkeypatch.setattr(pipeline, "_code_files", files)
    reads.clear()
    assert _fresh_fingerprints() == first and reads
    # another extractor version is another fingerprint, memo or not
    from geo import extract

    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", extract.EXTRACTOR_VERSION + "-next")
    assert _fresh_fingerprints()[0] != first[0]


def test_a_damaged_fingerprint_memo_is_computed_again(newsmap_home, fingerprints):
    first = _fresh_fingerprints()
    memo = newsmap_home / "cache" / pipeline.FINGERPRINT_MEMO
    for bad in ("{not json", "[1, 2]", '{"stamp": 3}'):
        memo.write_text(bad)
        assert _fresh_fingerprints() == first


def test_a_change_that_changed_no_event_carries_what_was_derived(home, corpus, tmp_path):
    """An edit that adds no event (the same event objects come back): the last row's
    derived data are taken, once the anchor (the reviewed events) holds the same objects;
    they are what computing them gives. An edit that adds one: computed (test above)."""
    from geo.review.apply import Reviewed

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    memo = derived.Memo(first, (0, 0), "c1")
    memo.get("reviewed", lambda: Reviewed(list(first.events)), keep=True)
    memo.get("index", lambda: timeline.step_index(first.events), keep=True)
    pipeline.keep_derived(first)
    f = sorted(d.glob("*.txt"))[5]
    f.write_text(f.read_text(encoding="utf-8") + "\nOfficials said the talks would resume "
                 "next week.\n", encoding="utf-8")
    changed = _restart(d)
    assert not changed.from_run_cache and changed.derived == {}
    assert changed.carried is not None
    memo = derived.Memo(changed, (0, 0), "c1")
    reviewed = memo.get("reviewed", lambda: Reviewed(list(changed.events)), keep=True)
    assert memo.carry(changed.carried, "reviewed", reviewed.events)
    made = []
    ix = memo.get("index", lambda: made.append(1) or timeline.step_index(changed.events),
                  keep=True)
    assert made == [] and all(a is b for a, b in zip(ix.dated, timeline.StepIndex(
        changed.events).dated, strict=True))
    assert ix.per_date == timeline.StepIndex(changed.events).per_date
    assert "(0, 0)|c1|index" in changed.derived  # stored with the new row
    # other events (a correction removed one): not carried
    memo2 = derived.Memo(pipeline.Result(events=changed.events), (0, 0), "c1")
    assert not memo2.carry(changed.carried, "reviewed", changed.events[1:])
    pipeline.wait_for_writes()
    full = pipeline.RunCache()
    with full.db.write() as conn:
        conn.execute("DELETE FROM run_cache")
    assert [e.to_dict() for e in pipeline.run([d]).events] == \
        [e.to_dict() for e in changed.events]
