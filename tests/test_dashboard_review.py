"""Review in the dashboard (AppTest): edit a place and a date, remove, add from a sentence,
undo; kept after a restart, still applied by a new extractor version; two sessions at once;
a damaged database still opens the app on the events."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import pytest
from conftest import A_0722, fake_pipeline_module, make_events
from streamlit.testing.v1 import AppTest
from test_dashboard import APP, marker_ids

from geo import export
from geo.models import Article
from geo.store import db as db_mod

TEXTS = {e.sources[0].article: [] for e in make_events()}
for _e in make_events():
    TEXTS[_e.sources[0].article].append(_e.sources[0].sentence)
MISSED = "Police fired tear gas at the crowd near Tahrir Square."
TEXTS[A_0722].append(MISSED)


def install(monkeypatch, events_factory=make_events):
    """The fake pipeline, with articles whose text holds their events' sentences (and one
    sentence the 'extractor' missed)."""
    import streamlit as st

    mod = fake_pipeline_module()

    def run(paths, **kw):
        arts = [Article(name=n, text=" ".join(ss), date=n[:10] if n[0].isdigit() else None)
                for n, ss in TEXTS.items()]
        return mod.Result(arts, events_factory(), [])

    mod.run = run
    monkeypatch.setitem(sys.modules, "geo.pipeline", mod)
    st.cache_resource.clear()
    db_mod.forget_open()
    return mod


@pytest.fixture
def app(monkeypatch, newsmap_home):
    install(monkeypatch)
    yield
    import streamlit as st

    st.cache_resource.clear()
    db_mod.forget_open()


def start(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {"date": "2023-07-22", "mode": "date"}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert not errors, errors
    return at


def open_review(at: AppTest, event_id: str) -> AppTest:
    return ok(at.button(key=f"rv_open_{event_id}").click().run())


def feed_html(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown if "nm-card" in m.value)


def exported(at: AppTest) -> dict[str, dict]:
    """What the export buttons would write: the app's own events through geo.export."""
    [btn] = [b for b in at.get("download_button") if b.proto.label == "Events as JSONL"]
    del btn
    from geo.review import log, service

    mod = sys.modules["geo.pipeline"]
    result = mod.run([])
    reviewed = service.review(result, log.load())
    return {json.loads(x)["id"]: json.loads(x) for x in
            export.to_jsonl(reviewed.events).splitlines()}


def edit_e3(at: AppTest) -> AppTest:
    at = start({"date": "2023-07-20", "mode": "date"})
    open_review(at, "e3")
    at.text_input(key="rv_date_e3").set_value("2023-07-21")
    at.text_input(key="rv_e3_pname").set_value("Baghdad")
    at.text_input(key="rv_e3_near").set_value("Iraq")
    return ok(at.button(key="rv_save").click().run())


def test_edit_place_and_date_then_undo(app):
    at = edit_e3(None)
    assert "e3" not in marker_ids(at)  # it left 20 July
    at.button(key="next").click().run()
    assert "e3" in marker_ids(ok(at))
    assert "✎ edited" in feed_html(at)
    rec = exported(at)["e3"]
    assert rec["date"] == "2023-07-21" and rec["place"]["name"] == "Baghdad"
    assert rec["review_status"] == "edited"
    assert rec["original"]["date"] == "2023-07-20"
    assert rec["original"]["place"]["name"] == "Swedish embassy"
    open_review(at, "e3")
    ok(at.button(key="rv_undo").click().run())
    assert "e3" not in marker_ids(at)
    at.button(key="prev").click().run()
    assert "e3" in marker_ids(ok(at))
    assert exported(at)["e3"]["review_status"] == "auto"


def test_a_bad_date_is_refused_and_nothing_is_saved(app):
    at = start({"date": "2023-07-20", "mode": "date"})
    open_review(at, "e3")
    at.text_input(key="rv_date_e3").set_value("20 July")
    at.button(key="rv_save").click().run()
    assert any("YYYY-MM-DD" in e.value.replace("\\", "") for e in at.error)
    from geo.review import log

    assert log.load() == []


def test_remove_with_a_reason_and_restore(app):
    at = start()
    assert "e7" in marker_ids(at)
    open_review(at, "e7")
    at.radio(key="rv_reason").set_value("duplicate")
    ok(at.button(key="rv_remove").click().run())
    assert "e7" not in marker_ids(at)
    assert "e7" not in exported(at)
    at.toggle(key="rv_removed_open").set_value(True).run()
    [restore] = [b for b in at.button if (b.key or "").startswith("rv_restore_")]
    ok(restore.click().run())
    ok(at.button(key="rv_undo_removed").click().run())
    assert "e7" in marker_ids(at)


def test_confirm_and_the_review_filter(app):
    at = start()
    open_review(at, "e6")
    ok(at.button(key="rv_confirm").click().run())
    assert "✓ confirmed" in feed_html(at)
    at.radio(key="f_review").set_value("reviewed").run()
    assert marker_ids(ok(at)) == ["e6"]
    at.radio(key="f_review").set_value("needs").run()
    assert sorted(marker_ids(ok(at))) == ["e7", "e8"]


def test_add_an_event_from_a_sentence_of_the_article(app):
    at = start()
    ok(at.button(key="rv_add_open").click().run())
    at.selectbox(key="rv_add_art").set_value(A_0722).run()
    viewer = [m.value for m in at.markdown if m.value.startswith('<div class="nm-article-text')]
    assert viewer and "<mark" in viewer[0] and "Tahrir" in viewer[0]
    at.selectbox(key=f"rv_add_sent_{A_0722}").set_value(MISSED).run()
    at.text_input(key="rv_add_date").set_value("2023-07-22")
    at.text_input(key="rv_add_pname").set_value("Tahrir Square")
    at.text_input(key="rv_add_near").set_value("Baghdad")
    at.selectbox(key="rv_add_cat").set_value("attack")
    at.text_input(key="rv_add_title").set_value("Police fire tear gas")
    ok(at.button(key="rv_add_save").click().run())
    added = [e for e in exported(at).values() if e["review_status"] == "added"]
    assert len(added) == 1 and added[0]["title"] == "Police fire tear gas"
    assert added[0]["sources"] == [{"article": A_0722, "sentence": MISSED}]
    assert added[0]["id"] in marker_ids(at) and "+ added" in feed_html(at)


def test_kept_after_a_restart_and_under_a_new_extractor_version(monkeypatch, newsmap_home):
    install(monkeypatch)
    edit_e3(None)
    at = start()
    open_review(at, "e7")
    ok(at.button(key="rv_remove").click().run())
    # "restart": every cache and connection dropped; then a new extractor version whose
    # events have other ids, titles and order, from the same article texts
    install(monkeypatch, lambda: [replace(e, id=f"v2{e.id}", title=e.title + " (v2)")
                                  for e in reversed(make_events())])
    at = start({"date": "2023-07-21", "mode": "date"})
    assert "v2e3" in marker_ids(at)
    at.button(key="next").click().run()
    assert "v2e7" not in marker_ids(ok(at)) and "v2e6" in marker_ids(at)


def test_two_sessions_editing_at_once_lose_nothing(app):
    a, b = start(), start()
    open_review(a, "e6")
    open_review(b, "e7")  # both dialogs open at the same time
    ok(a.button(key="rv_confirm").click().run())
    ok(b.button(key="rv_confirm").click().run())
    a.run()
    html = feed_html(ok(a))
    assert html.count("✓ confirmed") == 2  # a sees b's confirmation too


def test_a_damaged_database_is_reported_and_the_app_still_opens(app, newsmap_home):
    (newsmap_home / "newsmap.sqlite").write_bytes(b"not a database" * 100)
    at = start()
    assert sorted(marker_ids(at)) == ["e6", "e7", "e8"]
    msgs = [e.value.replace("\\", "") for e in at.error]
    assert any("not applied" in m and "db import" in m for m in msgs), msgs


def test_from_an_event_to_adding_one_of_its_article(app):
    at = start()
    open_review(at, "e7")
    ok(at.button(key="rv_to_add").click().run())
    assert at.selectbox(key="rv_add_art").value == A_0722  # the event's own article
    assert not [b for b in at.button if b.key == "rv_confirm"]  # the review dialog closed


def test_pick_on_the_map_closes_the_dialog_and_shows_the_picking_map(app):
    at = start()
    open_review(at, "e7")
    ok(at.button(key="rv_e7_pick").click().run())
    assert at.session_state["rv_pick"]["reopen"] == "e7"
    assert any("Click the map where" in i.value for i in at.info)
    ok(at.button(key="rv_pick_cancel").click().run())
    assert at.session_state["rv_open"] == "e7"  # back to the dialog
