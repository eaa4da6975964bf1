"""What a rerun costs: the input signature's cache, the sidebar's per-article lists (built
only when opened, bounded, searchable) and the post-run garbage collection."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import fake_pipeline_module
from streamlit.testing.v1 import AppTest

from geo import pipeline
from geo.models import Article

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
LIST_ROWS = int(re.search(r"^LIST_ROWS = (\d+)", Path(APP).read_text(), re.M).group(1))
OLD_NS = 1_000_000_000_000_000_000  # 2001: any change to a folder makes its mtime "now"


# ---- inputs_signature ------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """pipeline's clock, standing still until a test moves it."""
    now = [1000.0]
    monkeypatch.setattr(pipeline, "_now", lambda: now[0])
    return now


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    for i in range(3):
        (d / f"a{i}.txt").write_text(f" date 2023-07-2{i} Article {i}.")
    os.utime(d, ns=(OLD_NS, OLD_NS))
    return d


@pytest.fixture
def counted(monkeypatch):
    """Counts of os.stat and os.scandir calls (a listing stats every entry it yields)."""
    calls = {"stat": 0, "scandir": 0}
    real_stat, real_scandir = os.stat, os.scandir

    def stat(*a, **k):
        calls["stat"] += 1
        return real_stat(*a, **k)

    def scandir(*a, **k):
        calls["scandir"] += 1
        return real_scandir(*a, **k)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    return calls


def full(paths) -> str:
    return pipeline.inputs_signature(paths, max_age=0)


def test_unchanged_inputs_are_the_cached_value_without_a_listing(clock, folder, counted):
    first = pipeline.inputs_signature([folder])
    assert counted["scandir"] == 1
    counted.update(stat=0, scandir=0)
    clock[0] += pipeline.SIGNATURE_RECHECK_S / 2
    assert pipeline.inputs_signature([folder]) == first
    assert counted == {"stat": 1, "scandir": 0}  # the folder itself, none of its files
    assert first == full([folder])  # the cached string is the full listing's
    assert "a0.txt|" in first and "a2.txt|" in first


@pytest.mark.parametrize("change", ["add", "remove", "rename"])
def test_adding_removing_or_renaming_a_file_is_seen_at_once(clock, folder, change):
    before = pipeline.inputs_signature([folder])
    if change == "add":
        (folder / "new.txt").write_text("A new article.")
    elif change == "remove":
        (folder / "a1.txt").unlink()
    else:
        (folder / "a1.txt").rename(folder / "b1.txt")
    after = pipeline.inputs_signature([folder])  # the clock has not moved
    assert after != before
    assert after == full([folder])


def test_an_edit_in_place_is_seen_within_the_recheck_time(clock, folder, counted):
    before = pipeline.inputs_signature([folder])
    (folder / "a1.txt").write_text(" date 2023-07-21 Article 1, corrected and longer.")
    assert os.stat(folder).st_mtime_ns == OLD_NS  # an edit leaves the folder's mtime alone
    clock[0] += pipeline.SIGNATURE_RECHECK_S * 0.9
    assert pipeline.inputs_signature([folder]) == before  # the documented staleness
    clock[0] += pipeline.SIGNATURE_RECHECK_S * 0.2  # now older than the recheck time
    counted.update(stat=0, scandir=0)
    after = pipeline.inputs_signature([folder])
    assert counted["scandir"] == 1
    assert after != before and after == full([folder])


def test_a_file_given_by_name_is_checked_on_every_call(clock, tmp_path):
    f = tmp_path / "events.jsonl"
    f.write_text("{}\n")
    before = pipeline.inputs_signature([f, tmp_path / "gone"])
    assert before.endswith("gone|missing")
    f.write_text("{}\n{}\n")
    assert pipeline.inputs_signature([f, tmp_path / "gone"]) != before


def test_a_folder_replaced_by_another_is_listed_again(clock, tmp_path, folder):
    before = pipeline.inputs_signature([folder])
    folder.rename(tmp_path / "old")
    folder.mkdir()
    (folder / "a0.txt").write_text("Other text.")
    os.utime(folder, ns=(OLD_NS, OLD_NS))  # same mtime as before: the inode tells
    assert pipeline.inputs_signature([folder]) == full([folder]) != before


# ---- the sidebar's per-article lists ---------------------------------------------------

UNDATED = [f"undated_{i:03d}.txt" for i in range(50)]
INFERRED = [f"inferred_{i:03d}.txt" for i in range(30)]


def datable_articles(n_undated: int = 50) -> list[Article]:
    arts = [Article(name=n, text="x") for n in UNDATED[:n_undated]]
    arts += [Article(name=n, text="x", date="2023-07-20", date_source="inferred",
                     date_note="same story as another article") for n in INFERRED]
    arts += [Article(name=f"2023-07-2{i}_dated.txt", text="x", date=f"2023-07-2{i}",
                     date_source="header") for i in range(3)]
    return arts


@pytest.fixture
def many_articles(monkeypatch, newsmap_home):
    """The fake pipeline, but its run reports the articles of ``holder[0]``."""
    import streamlit as st

    holder = [datable_articles()]
    mod = fake_pipeline_module()
    plain_run = mod.run

    def run(paths, *, date_overrides=None, **kw):
        from geo import articles as articles_mod

        got = plain_run(paths, **kw)
        got.articles = articles_mod.apply_overrides(holder[0], date_overrides or {})
        return got

    mod.run = run
    monkeypatch.setitem(sys.modules, "geo.pipeline", mod)
    st.cache_resource.clear()
    yield holder
    st.cache_resource.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _walk(node):
    yield node
    for c in (getattr(node, "children", None) or {}).values():
        yield from _walk(c)


def sidebar_size(at: AppTest) -> int:
    return sum(1 for _ in _walk(at.sidebar))


def date_rows(at: AppTest) -> list[str]:
    return [d.key.removeprefix("date_") for d in at.date_input if d.key.startswith("date_")]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_closed_lists_send_nothing_per_article(many_articles):
    at = run_app()
    assert date_rows(at) == [] and not [b for b in at.button if b.key.startswith("setdate_")]
    assert at.toggle(key="dates_open").label == "Article dates (50 undated)"
    big = sidebar_size(at)
    at.button(key="prev").click().run()  # a step
    assert date_rows(at) == [] and sidebar_size(at) == big
    many_articles[0] = datable_articles(n_undated=1)  # 1 instead of 80 datable articles
    import streamlit as st

    st.cache_resource.clear()
    assert sidebar_size(run_app()) == big  # the sidebar does not grow with the articles


def test_opened_the_list_shows_the_first_undated_only(many_articles):
    at = run_app()
    at.toggle(key="dates_open").set_value(True).run()
    assert date_rows(at) == UNDATED[:LIST_ROWS]  # no date-inferred ones
    assert f"{50 - LIST_ROWS} more: refine the search." in captions(at)
    at.button(key="prev").click().run()  # stays open, still bounded
    assert len(date_rows(at)) == LIST_ROWS


def test_setting_a_date_is_kept_and_the_list_stays_open(many_articles):
    from geo import userdata

    at = run_app()
    at.toggle(key="dates_open").set_value(True).run()
    at.date_input(key="date_undated_003.txt").set_value(dt.date(2023, 7, 19)).run()
    at.button(key="setdate_undated_003.txt").click().run()
    assert not at.exception
    assert userdata.load_dates() == {"undated_003.txt": "2023-07-19"}
    assert at.toggle(key="dates_open").value is True
    assert at.toggle(key="dates_open").label == "Article dates (49 undated)"
    assert "undated_003.txt" not in date_rows(at)  # dated now: found by the search only
    at.text_input(key="dates_q").set_value("undated_003").run()
    assert date_rows(at) == ["undated_003.txt"]
    assert any("2023-07-19 (user)" in m.value for m in at.sidebar.markdown)


def test_search_reaches_an_inferred_article_and_its_date_is_kept(many_articles):
    from geo import userdata

    at = run_app()
    at.toggle(key="dates_open").set_value(True).run()
    at.text_input(key="dates_q").set_value("INFERRED_007").run()  # any case
    assert date_rows(at) == ["inferred_007.txt"]
    assert "same story as another article" in captions(at)
    at.date_input(key="date_inferred_007.txt").set_value(dt.date(2023, 7, 18)).run()
    at.button(key="setdate_inferred_007.txt").click().run()
    assert not at.exception
    assert userdata.load_dates() == {"inferred_007.txt": "2023-07-18"}
    at.text_input(key="dates_q").set_value("nothing like this").run()
    assert date_rows(at) == [] and "No article matches." in captions(at)


def test_user_articles_are_listed_when_opened_bounded_and_searchable(many_articles,
                                                                     newsmap_home):
    folder = newsmap_home / "articles"
    folder.mkdir()
    for i in range(LIST_ROWS + 5):
        (folder / f"mine-{i:02d}.txt").write_text(
            f" date 2023-07-2{i % 3} Protesters gathered in Baghdad, text {i}.")
    at = run_app()
    removers = lambda: [b.key for b in at.button if b.key.startswith("rm_")]  # noqa: E731
    assert removers() == []
    at.toggle(key="mine_open").set_value(True).run()
    assert len(removers()) == LIST_ROWS and "5 more: refine the search." in captions(at)
    at.text_input(key="mine_q").set_value("mine-23").run()
    assert removers() == ["rm_mine-23.txt"]
    at.button(key="rm_mine-23.txt").click().run()
    from geo import userdata

    mine = userdata.list_articles()  # the files were imported into the database
    assert "mine-23.txt" not in mine and len(mine) == LIST_ROWS + 4
    assert not folder.exists() and len(list((newsmap_home / "articles.imported").glob(
        "*.txt"))) == LIST_ROWS + 5  # renamed aside whole, never deleted


# ---- the post-run garbage collection ---------------------------------------------------


def test_the_loaded_data_is_frozen_once_per_result(many_articles, monkeypatch):
    import streamlit as st

    calls = []
    real_collect = gc.collect
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))

    def collect(generation=2):
        if generation == 2:
            calls.append("collect")
        return real_collect(generation)

    monkeypatch.setattr(gc, "collect", collect)
    at = run_app()
    # a computed result is frozen at once, without a full collection (the map's frame is
    # loading then), and collected and frozen again once the map has reported (its rerun)
    # or at the session's next run
    assert calls == ["freeze"]
    at.button(key="prev").click().run()
    assert calls == ["freeze", "unfreeze", "collect", "freeze"]
    at.button(key="next").click().run()
    assert len(calls) == 4  # reruns over the same data do not freeze (or collect) again
    st.cache_resource.clear()  # a new result (e.g. an article was added): the same
    run_app().run()
    assert calls[4:] == ["freeze", "unfreeze", "collect", "freeze"]


def test_streamlits_post_run_collection_is_off():
    from streamlit import config

    with open(ROOT / ".streamlit" / "config.toml", "rb") as f:
        assert tomllib.load(f)["runner"]["postScriptGC"] is False
    assert config.get_option("runner.postScriptGC") in (True, False)  # the option exists
