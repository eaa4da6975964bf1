"""The dashboard's links, saved pages, feeds and watch in Streamlit's AppTest (synthetic events
through the fake pipeline; the pages come from the local site, tests/web_stub.py)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from conftest import A_0722
from streamlit.testing.v1 import AppTest
from web_stub import DATA, NIAMEY

from geo import userdata
from geo.models import Article

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def app(fake_pipeline, newsmap_home, monkeypatch):
    monkeypatch.setenv("NEWSMAP_FETCH_INTERVAL", "0")
    monkeypatch.setenv("NEWSMAP_FETCH_TIMEOUT", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    """As the user reads them: without the Markdown escapes and word joiners."""
    return [e.value.replace("\\", "").replace("\u2060", "") for e in elements]


def button(at: AppTest, label: str):
    (b,) = [b for b in at.button if b.label == label]
    return b


def test_pasted_links_are_read_and_each_failure_is_named(app, web_site, newsmap_home):
    app.text_area(key="links_text").input(
        f"{web_site.url(NIAMEY)}\n{web_site.url('/missing')} not-a-link")
    button(app, "Read links").click().run()
    assert not app.exception
    assert ("Added The Daily Courier: Protesters attack French embassy in Niamey after coup"
            in texts(app.success))
    errors = texts(app.error)
    assert f"Not added: {web_site.url('/missing')}: HTTP 404 Not Found" in errors
    assert "Not added: not-a-link: not an http(s) link" in errors
    raw = [e.value for e in app.error]
    assert all("http://" not in e for e in raw)  # no address Streamlit would turn into a link
    (kept,) = userdata.web_articles()
    assert kept.article.url == web_site.url(NIAMEY) and kept.feed is None


def test_offline_links_say_the_network_is_down_and_the_map_stays(app, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    app.text_area(key="links_text").input("https://news.example/story")
    button(app, "Read links").click().run()
    assert not app.exception
    assert any(w.startswith("The network is down: links and feeds cannot be read now")
               for w in texts(app.warning))
    assert any("cannot resolve news.example" in e for e in texts(app.error))
    assert app.select_slider(key="date").options  # the map and its dates are still there


def test_an_uploaded_html_page_is_read(app, newsmap_home):
    app.file_uploader(key="uploads").set_value([
        ("saved.html", (DATA / "liveblog_morocco.html").read_bytes(), "text/html"),
        ("teaser.html", (DATA / "paywall.html").read_bytes(), "text/html"),
    ]).run()
    assert not app.exception
    assert any(s.startswith("Added Atlas Wire: Morocco earthquake live") for s in
               texts(app.success))
    assert any("teaser.html" in e and "paywall" in e for e in texts(app.error))
    (kept,) = userdata.web_articles()
    assert kept.article.date == "2023-09-09"


def test_feeds_are_added_checked_and_watched(app, web_site, newsmap_home):
    app.text_input(key="feed_url").input("javascript:alert(1)")
    button(app, "Add feed").click().run()
    assert any("not an http(s) address" in e for e in texts(app.error))
    assert userdata.load_feeds() == []

    app.text_input(key="feed_url").input(web_site.url("/feed.xml"))
    button(app, "Add feed").click().run()
    assert userdata.load_feeds() == [web_site.url("/feed.xml")]
    button(app, "Check now").click().run()
    assert not app.exception
    assert any(c.startswith("Last poll") and "1 new article" in c for c in texts(app.caption))
    (kept,) = userdata.web_articles()
    assert kept.feed == web_site.url("/feed.xml")


def test_new_since_you_looked_marks_cards_until_seen(app, newsmap_home):
    """A watch's article (here named like one the fake pipeline's events cite) read after
    the user last looked: its events are counted and their cards marked new."""
    userdata.mark_looked(time.time() - 60)
    userdata.save_web_article(Article(name=A_0722, text="x" * 50, url="https://w.example/a"),
                              feed="https://w.example/feed.xml")
    app.query_params["date"] = "2023-06-29"
    app.run()
    button(app, "Show the newest").click().run()  # the latest date with a new event
    assert app.session_state["date"] == "2023-07-22"
    head = [m.value for m in app.markdown if m.value.startswith("<p class=\"nm-h1")][0]
    assert "new since you looked" in head
    assert any('class="nm-chip nm-chip-new"' in m.value for m in app.markdown)
    button(app, "Mark as seen").click().run()
    head = [m.value for m in app.markdown if m.value.startswith("<p class=\"nm-h1")][0]
    assert "new since you looked" not in head
    assert not any('class="nm-chip nm-chip-new"' in m.value for m in app.markdown)


def test_names_that_look_like_links_are_shown_as_text(app):
    """Streamlit links bare "www." names and e-mail addresses in rendered text: not ours."""
    app.file_uploader(key="uploads").set_value([
        ("www.evil.example.txt", b"\x00 binary", "text/plain"),
        ("me@evil.example.txt", b"\x00 binary", "text/plain")]).run()
    raw = [e.value for e in app.error]
    assert len(raw) == 2
    assert all("www\\." not in e and "@e" not in e for e in raw), raw
    assert {t.split(":")[0] for t in texts(app.error)} == {"Not added"}
    assert any("www.evil.example.txt" in t for t in texts(app.error))
    assert any("me@evil.example.txt" in t for t in texts(app.error))
