"""Incremental runs (geo.pipeline.Incremental): after files change, a run that reuses the last
run's pieces gives exactly what a full run gives (bench/bench_year.py measures the speed)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
from conftest import synthetic_corpus

from geo import articles as articles_mod
from geo import merge as merge_mod
from geo import pipeline
from geo.models import Article, Event, PlaceMention, Source


@pytest.fixture
def home(rerun_home):
    return rerun_home  # conftest: every edit seen at once


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """24 synthetic wire articles (bench/corpus.py), one undated copy of a dated one (its
    date is inferred from that sibling) and one undated article of its own."""
    d = synthetic_corpus(tmp_path_factory, 24, seed=5)
    files = sorted(d.glob("*.txt"))
    dated = next(f for f in files if f.read_text(encoding="utf-8").startswith(" date "))
    body = dated.read_text(encoding="utf-8").split("\n", 1)[1]
    (d / "zz-undated-copy.txt").write_text(body + "\nIt was the second such protest.\n",
                                           encoding="utf-8")
    (d / "zz-undated-alone.txt").write_text(
        "Protesters gathered outside the parliament in Nairobi, police said.\n",
        encoding="utf-8")
    return d


BOMB = "\nA car bomb exploded in Kabul on Monday, killing three people, officials said.\n"


def _append_to(folder, index: int, text: str) -> None:
    """A change to one article: ``text`` added to the ``index``-th of the 2024 files."""
    f = sorted(folder.glob("2024-*.txt"))[index]
    f.write_text(f.read_text(encoding="utf-8") + text, encoding="utf-8")


def _full(paths) -> pipeline.Result:
    """A run with no run cache and no incremental state (the extraction cache stays)."""
    pipeline.wait_for_writes()
    runs = pipeline.RunCache()
    with runs.db.write() as conn:
        conn.execute("DELETE FROM run_cache")
    return pipeline.run(paths)


def _same(a: pipeline.Result, b: pipeline.Result) -> None:
    assert [e.to_dict() for e in a.events] == [e.to_dict() for e in b.events]
    assert a.articles == b.articles
    assert a.problems == b.problems


def _state_used(monkeypatch) -> list[int]:
    """Counts, per run from now on, how many merge parts were reused."""
    reused: list[int] = []
    real = merge_mod.merge_ranked

    def counting(events, positions=None):
        reused.append(1)
        return real(events, positions)

    monkeypatch.setattr(merge_mod, "merge_ranked", counting)
    return reused


def test_one_changed_file_gives_what_a_full_run_gives(home, corpus, tmp_path, monkeypatch):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    assert first.events
    _append_to(d, 3, BOMB)
    merged_parts = _state_used(monkeypatch)
    inc = pipeline.run([d])
    n_parts = len(merge_mod.merge_parts([e for e in first.events]))
    assert 0 < len(merged_parts) < n_parts  # only the changed article's parts were merged
    pipeline.wait_for_writes()
    _same(inc, _full([d]))


@pytest.mark.parametrize("change", ["add", "remove", "rename", "date line", "sibling",
                                    "undated", "duplicate"])
def test_changes_of_every_kind(home, corpus, tmp_path, change):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    pipeline.run([d])
    files = sorted(d.glob("2024-*.txt"))
    if change == "add":
        (d / "2024-12-30_new.txt").write_text(
            " date 2024-12-30\nHundreds of protesters stormed the French embassy in Niamey "
            "on Sunday, officials said on Monday.\n", encoding="utf-8")
    elif change == "remove":
        files[5].unlink()
    elif change == "rename":
        files[5].rename(d / "2024-01-01_renamed.txt")
    elif change == "date line":  # the same text, another publication date
        text = files[7].read_text(encoding="utf-8")
        files[7].write_text(" date 2024-02-29" + text[len(" date 2024-01-01"):],
                            encoding="utf-8")
    elif change == "sibling":  # the dated sibling of the undated copy gets another date
        copy = (d / "zz-undated-copy.txt").read_text(encoding="utf-8")
        sib = next(f for f in files if f.read_text(encoding="utf-8").split("\n", 1)[1]
                   in copy)
        text = sib.read_text(encoding="utf-8")
        sib.write_text(" date 2024-11-11\n" + text.split("\n", 1)[1], encoding="utf-8")
    elif change == "undated":
        f = d / "zz-undated-alone.txt"
        f.write_text(f.read_text(encoding="utf-8") + "Police fired tear gas.\n",
                     encoding="utf-8")
    else:  # a file that duplicates another one: a problem, as in a full run
        shutil.copy(files[2], d / "2024-zz-dup.txt")
    inc = pipeline.run([d])
    pipeline.wait_for_writes()
    _same(inc, _full([d]))
    if change == "sibling":
        copy = next(a for a in inc.articles if a.name == "zz-undated-copy.txt")
        assert copy.date == "2024-11-11" and copy.date_source == "inferred"


def test_state_is_kept_per_run_and_not_for_another_folder(home, corpus, tmp_path):
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    pipeline.run([d])
    pipeline.wait_for_writes()
    base = pipeline._run_key([d], [], {}, False, inputs=False)
    state = pipeline.RunCache().get_state(base)
    assert state is not None and len(state.articles_out) == len(list(d.glob("*.txt")))
    other = pipeline._run_key([tmp_path], [], {}, False, inputs=False)
    assert pipeline.RunCache().get_state(other) is None
    # the state row survives the pruning of old results
    for i in range(pipeline.RunCache.KEEP + 2):
        pipeline.RunCache().put(f"k{i}", pipeline.Result())
    assert pipeline.RunCache().get_state(base) is not None


def _events(n: int, seed: int) -> list[list[Event]]:
    """Per-article events of mixed date precision, several merging at one place and day."""
    rnd = random.Random(seed)
    out = []
    for a in range(n):
        evs = []
        for j in range(rnd.randint(0, 4)):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(70))
            prec = rnd.choices(["day", "month", "year", None], [12, 2, 1, 1])[0]
            date = {"day": day.isoformat(), "month": day.isoformat()[:7],
                    "year": day.isoformat()[:4], None: None}[prec]
            cat = rnd.choice(["protest", "riot/storming", "attack", "disaster", "sanction"])
            city = rnd.choice(["Niamey", "Kabul", "Lima", "Baghdad"])
            evs.append(Event(id=f"a{a}-{j}", date=date, date_precision=prec,
                             status=rnd.choice(["occurred", "planned"]), category=cat,
                             title=rnd.choice([f"{cat} in {city}", "same title"]),
                             mention=PlaceMention(city, kind="city", city=city),
                             sources=[Source(f"a{a}.txt", f"s{a}-{j}")],
                             time_of_day=rnd.choice([None, "night"])))
        out.append(evs)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_merge_by_parts_is_merge(seed):
    per = _events(80, seed)
    flat = [e for evs in per for e in evs]
    want = [e.to_dict() for e in merge_mod.merge(flat)]
    state = pipeline.Incremental()
    keyed = [(f"k{i}", evs) for i, evs in enumerate(per)]
    assert [e.to_dict() for e in state.merge(keyed)] == want
    # again with one article changed: its parts merged anew, the others reused
    per2 = [list(evs) for evs in per]
    per2[10] = _events(1, seed + 100)[0]
    again = pipeline.Incremental(parts_in=state.parts_out)
    keyed2 = [(f"k{i}" if i != 10 else "new", evs) for i, evs in enumerate(per2)]
    got = [e.to_dict() for e in again.merge(keyed2)]
    assert got == [e.to_dict() for e in merge_mod.merge([e for evs in per2 for e in evs])]


def test_merge_parts_never_split_what_merges():
    per = _events(200, 9)
    flat = [e for evs in per for e in evs]
    part = dict(zip(map(id, flat), merge_mod.merge_parts(flat), strict=True))
    for m in merge_mod.merge(flat):
        ids = {s.sentence for s in m.sources}
        parts = {part[id(e)] for e in flat if e.sources[0].sentence in ids}
        assert len(parts) == 1


def test_date_inference_with_previous_answers():
    base = [Article(f"d{i}.txt", f"story {i} " + " ".join(f"w{i}x{k}" for k in range(40)),
                    f"2024-03-{i + 1:02d}", "header") for i in range(6)]
    copy = Article("u1.txt", base[2].text + " and more words here")
    alone = Article("u2.txt", "nothing alike " * 5)
    arts = [*base, copy, alone]
    before = articles_mod.infer_missing_dates(arts)
    assert before[6].date == "2024-03-03" and before[7].date is None
    # unrelated edit: the earlier answers are kept; a sibling re-dated: recomputed
    for i, new in [(0, base[0].with_date("2024-05-05", "header")),
                   (2, base[2].with_date("2024-06-06", "header"))]:
        changed = [*arts]
        changed[i] = new
        got = articles_mod.infer_missing_dates(changed, previous=(arts, before))
        assert got == articles_mod.infer_missing_dates(changed)
    assert got[6].date == "2024-06-06"


def test_a_redone_merge_part_keeps_the_places_of_its_equal_events(home, corpus, tmp_path,
                                                                   monkeypatch):
    """A changed article redoes its merge parts (new objects): the events equal to the last
    run's, cited by equal events, keep their places; only the changed article's are
    resolved again. Same result as a full run."""
    from geo.geocode import Geocoder

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    _append_to(d, 4, "\nOfficials said the talks would resume "
                    "next week.\n")
    resolved: list[int] = []
    real = Geocoder.locate_events

    def spy(self, events, known=None):
        resolved.append(len(events) - len(known or {}))
        return real(self, events, known=known)

    monkeypatch.setattr(Geocoder, "locate_events", spy)
    pipeline.wait_for_writes()
    inc = pipeline.run([d])
    before = [e.to_dict() for e in first.events]
    new = [e for e in inc.events if e.to_dict() not in before]
    assert resolved == [len(new)]  # (0 when the added sentence gave no event)
    pipeline.wait_for_writes()
    _same(inc, _full([d]))


def _has_event(value, seen=None) -> bool:
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, Event):
        return True
    if isinstance(value, dict):
        return any(_has_event(k, seen) or _has_event(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_event(v, seen) for v in value)
    return False


def test_the_state_row_is_small_and_holds_no_event(home, corpus, tmp_path):
    """The state keeps keys and indices; its events are the last result's (its row)."""
    import pickle

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    pipeline.wait_for_writes()
    runs = pipeline.RunCache()
    (state_blob,), = runs.db.query("SELECT result FROM run_cache WHERE key = ?",
                                   (runs.STATE,))
    (result_blob,), = runs.db.query("SELECT result FROM run_cache WHERE key = ?",
                                    (first.run_key,))
    assert len(state_blob) < len(result_blob) / 2
    stored = pickle.loads(state_blob).__dict__["_stored"]
    assert not _has_event(stored)
    base = pipeline._run_key([d], [], {}, False, inputs=False)
    state = runs.get_state(base)
    assert [e.to_dict() for e in state.located] == [e.to_dict() for e in first.events]


def test_the_geocoder_sees_only_what_a_change_touches(home, corpus, tmp_path, monkeypatch):
    """One changed article: the geocoder gets the events to resolve and those citing their
    articles (their context), not every event; same result as a full run."""
    from geo.geocode import Geocoder

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    _append_to(d, 6, BOMB)
    given: list[int] = []
    real = Geocoder.locate_events

    def spy(self, events, known=None):
        given.append(len(events))
        return real(self, events, known=known)

    monkeypatch.setattr(Geocoder, "locate_events", spy)
    pipeline.wait_for_writes()
    inc = pipeline.run([d])
    assert len(given) == 1 and 0 < given[0] < len(first.events) / 2
    pipeline.wait_for_writes()
    _same(inc, _full([d]))


@pytest.mark.parametrize("lost", ["extraction cache", "result row"])
def test_a_change_after_losing_a_cache_gives_what_a_full_run_gives(home, corpus, tmp_path,
                                                                  lost):
    """The unchanged articles of a redone merge part are loaded again (the extraction cache;
    extracted again when it lost them); a state whose result row is gone is not used."""
    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    first = pipeline.run([d])
    pipeline.wait_for_writes()
    db = pipeline.RunCache().db
    with db.write() as conn:
        if lost == "extraction cache":
            conn.execute("DELETE FROM extraction_cache")
        else:
            conn.execute("DELETE FROM run_cache WHERE key = ?", (first.run_key,))
    _append_to(d, 3, BOMB)
    inc = pipeline.run([d])
    pipeline.wait_for_writes()
    _same(inc, _full([d]))


def test_the_collector_is_back_on_after_a_run(home, corpus, tmp_path):
    import gc

    d = tmp_path / "c"
    shutil.copytree(corpus, d)
    assert gc.isenabled()
    pipeline.run([d])
    assert gc.isenabled()
