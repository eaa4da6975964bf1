"""The live watch: a feed that grows between polls, against the local site (tests/web_stub.py).

Only new entries are read, 304s are honoured, stopping and resuming reads nothing twice, a
failing page is retried only when the failure is for now, offline is said and survived.
"""

from __future__ import annotations

import json
import socket

import pytest
from web_stub import BOGOTA, KARACHI, MOROCCO, NIAMEY

from geo import userdata
from geo.web import watch
from geo.web.fetch import Fetcher


@pytest.fixture
def home(newsmap_home):
    return newsmap_home


def test_feed_that_grows_is_read_once_per_entry(home, web_site, fetcher):
    feed = web_site.url("/feed.xml")
    first = watch.poll([feed], fetcher)
    assert [a.url for a in first.new] == [web_site.url(NIAMEY)]
    assert web_site.hits(NIAMEY) == 1

    second = watch.poll([feed], fetcher)  # nothing changed: a 304, no page fetched
    assert second.new == [] and second.unchanged == [feed]
    sent = web_site.requests_to("/feed.xml")[-1].headers
    assert sent.get("If-None-Match") and sent.get("If-Modified-Since")

    web_site.add_item(MOROCCO, "Morocco earthquake live")
    web_site.add_item(KARACHI, "Floodwater in Karachi")
    third = watch.poll([feed], fetcher)
    assert sorted(a.url for a in third.new) == sorted([web_site.url(MOROCCO),
                                                       web_site.url(KARACHI)])
    assert web_site.hits(NIAMEY) == 1  # the old entry is not read again
    assert [w.article.url for w in userdata.web_articles()] == [
        web_site.url(NIAMEY), *[a.url for a in third.new]]
    assert all(w.feed == feed for w in userdata.web_articles())
    assert "2 new articles" in third.summary()


def test_a_server_that_ignores_conditional_requests_still_reads_nothing_twice(
        home, web_site, fetcher):
    web_site.conditional = False
    feed = web_site.url("/feed.xml")
    watch.poll([feed], fetcher)
    again = watch.poll([feed], fetcher)
    assert again.new == [] and again.unchanged == []
    assert web_site.hits(NIAMEY) == 1


def test_stop_and_resume_reads_nothing_twice(home, web_site, fetcher):
    """A new process (a new Fetcher, the state read back from disk) after a stop."""
    feed = web_site.url("/feed.xml")
    web_site.add_item(MOROCCO, "Morocco")
    watch.poll([feed], fetcher, max_pages=1)  # stopped after one page
    assert web_site.hits(NIAMEY) + web_site.hits(MOROCCO) == 1
    resumed = watch.poll([feed], Fetcher(min_interval=0, read_timeout=0.5))
    assert len(resumed.new) == 1
    assert web_site.hits(NIAMEY) == 1 and web_site.hits(MOROCCO) == 1
    state = json.loads((home / "watch.json").read_text())
    assert state["queue"] == {} and len(state["seen"]) == 2


def test_failures_for_now_are_retried_and_failures_for_good_are_not(home, web_site, fetcher):
    feed = web_site.url("/feed.xml")
    web_site.add_item("/broken", "A page that errors")  # HTTP 500: for now
    web_site.add_item("/missing", "A page that is gone")  # HTTP 404: for good
    first = watch.poll([feed], fetcher)
    reasons = sorted(p.reason for p in first.problems)
    assert reasons == ["HTTP 404 Not Found", "HTTP 500 Internal Server Error"]
    assert first.queued == 1
    for _ in range(watch.MAX_TRIES + 1):
        web_site.conditional = False  # make the feed answer 200 each time
        watch.poll([feed], fetcher)
    assert web_site.hits("/missing") == 1
    assert web_site.hits("/broken") == watch.MAX_TRIES
    assert watch.load_state()["queue"] == {}


def test_same_page_in_two_feeds_is_read_once(home, web_site, fetcher):
    watch.poll([web_site.url("/feed.xml"), web_site.url("/atom.xml")], fetcher)
    assert web_site.hits(NIAMEY) == 1
    assert len(userdata.web_articles()) == 1


def test_watched_page_is_read_again_only_when_it_changed(home, web_site, fetcher):
    page = web_site.url(BOGOTA)
    assert len(watch.poll([page], fetcher).new) == 1
    again = watch.poll([page], fetcher)
    assert again.new == [] and again.updated == []
    assert len(userdata.web_articles()) == 1


def test_offline_poll_says_so_and_keeps_its_state(home, web_site, fetcher, monkeypatch):
    feed = web_site.url("/feed.xml")
    web_site.add_item(MOROCCO, "Morocco")
    (read_first,) = watch.poll([feed], fetcher, max_pages=1).new
    before = json.loads((home / "watch.json").read_text())

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with monkeypatch.context() as m:
        m.setattr(socket, "getaddrinfo", no_dns)
        offline = watch.poll(["https://wire.example/feed.xml"], fetcher)
        queued = watch.load_state()["queue"]
        (key,) = queued
        # a queued entry whose site cannot be resolved: offline polls never give it up
        queued[key]["link"] = "https://wire.example/story"
        queued[key]["source"] = "https://wire.example/feed.xml"
        watch._write_state({**watch.load_state(), "queue": queued}, home / "watch.json")
        for _ in range(watch.MAX_TRIES + 1):
            watch.poll(["https://wire.example/feed.xml"], fetcher)
        still = watch.load_state()["queue"]
        assert list(still) == [key] and still[key]["tries"] == 0
        queued[key].update(link=before["queue"][key]["link"], source=feed)
        watch._write_state({**watch.load_state(), "queue": queued}, home / "watch.json")
    assert offline.offline and "network is down" in offline.summary()
    assert [p.reason.split(":")[0] for p in offline.problems] == ["cannot resolve wire.example"]
    assert offline.new == []
    after = json.loads((home / "watch.json").read_text())
    assert after["seen"] == before["seen"] and after["queue"] == before["queue"]
    back = watch.poll([feed], fetcher)  # online again: the queued entry is read
    assert [a.url for a in back.new] == list({web_site.url(MOROCCO), web_site.url(NIAMEY)}
                                             - {read_first.url})


def test_damaged_state_is_a_fresh_start(home, web_site, fetcher):
    (home / "watch.json").write_text("{not json")
    assert len(watch.poll([web_site.url("/feed.xml")], fetcher).new) == 1
    (home / "watch.json").write_text('["a list"]')
    assert watch.load_state()["seen"] == {}


def test_a_poll_while_another_runs_is_skipped(home, web_site, fetcher):
    with watch._exclusive(home) as mine:
        assert mine
        got = watch.poll([web_site.url("/feed.xml")], fetcher)
    assert got.skipped and "another watch" in got.summary()
    assert web_site.hits("/feed.xml") == 0


def test_web_articles_survive_a_damaged_file(home, web_site, fetcher):
    watch.poll([web_site.url("/feed.xml")], fetcher)
    (home / "web").mkdir(exist_ok=True)  # an older version's folder, partly damaged
    (home / "web" / "junk.json").write_text("{}")
    (home / "web" / "bad.json").write_text("not json")
    (only,) = userdata.web_articles()
    assert {p.name for p in userdata.problems()} >= {"web/junk.json", "web/bad.json"}
    assert (home / "web.imported" / "bad.json").exists()  # kept aside, never deleted
    assert only.article.url == web_site.url(NIAMEY) and only.article.outlet == "The Daily Courier"


@pytest.mark.parametrize("text,seconds", [("10m", 600), ("30s", 30), ("1h", 3600), ("90", 90)])
def test_parse_every(text, seconds):
    assert watch.parse_every(text) == seconds


@pytest.mark.parametrize("text", ["5s", "often", "", "-1m"])
def test_parse_every_refuses(text):
    with pytest.raises(ValueError):
        watch.parse_every(text)


def test_source_status_for_the_feed_list(home, web_site, fetcher):
    feed = web_site.url("/feed.xml")
    assert watch.source_status(feed) == "not checked yet"
    web_site.add_item("/missing", "Gone")
    watch.poll([feed, web_site.url("/broken")], fetcher)
    assert watch.source_status(feed).endswith("· Test Wire: World · 2 entries seen")
    assert watch.source_status(web_site.url("/broken")).endswith(
        "· HTTP 500 Internal Server Error")


def test_a_site_that_asks_us_to_wait_costs_its_entries_no_tries(home, web_site, fetcher):
    feed = web_site.url("/feed.xml")
    web_site.add_item("/busy", "A busy page")  # 429 with Retry-After: 120
    for _ in range(watch.MAX_TRIES + 1):
        web_site.conditional = False
        got = watch.poll([feed], fetcher)
    # the whole site waits (the feed too), and no entry is given up meanwhile
    assert got.problems and all("asked us to wait" in p.reason for p in got.problems)
    queue = watch.load_state()["queue"].values()
    assert {q["link"] for q in queue} == {web_site.url("/busy"), web_site.url(NIAMEY)}
    assert all(q["tries"] == 0 for q in queue)
    assert web_site.hits("/busy") == 1 and web_site.hits(NIAMEY) == 0  # we waited as told
