"""`python -m geo extract URL... FILE.html...` and `python -m geo watch ... --once`, against the
local site (tests/web_stub.py), with the real extractor."""

from __future__ import annotations

import csv
import io
import json
import socket

import pytest
from web_stub import DATA, MOROCCO, NIAMEY

from geo import cli


@pytest.fixture
def env(newsmap_home, monkeypatch):
    monkeypatch.setenv("NEWSMAP_FETCH_INTERVAL", "0")  # one local host, many requests
    monkeypatch.setenv("NEWSMAP_FETCH_TIMEOUT", "0.5")
    return newsmap_home


def events_of(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_extract_reads_urls_and_html_files_and_reports_each_failure(env, web_site, capsys):
    code = cli.main(["extract", web_site.url(NIAMEY), web_site.url("/missing"),
                     str(DATA / "latin1_bogota.html"), web_site.url("/slow")])
    out, err = capsys.readouterr()
    assert code == 1  # something was skipped
    lines = err.strip().splitlines()
    assert f"skipped: {web_site.url('/missing')}: HTTP 404 Not Found" in lines
    assert any(line.startswith(f"skipped: {web_site.url('/slow')}: no answer") for line in lines)
    events = events_of(out)
    niamey = [e for e in events if e["place"] and e["place"]["name"] == "Niamey"]
    assert niamey and niamey[0]["date"] == "2023-07-30"
    src = niamey[0]["sources"][0]
    assert src["url"] == web_site.url(NIAMEY) and src["outlet"] == "The Daily Courier"
    bogota = [e for e in events if e["place"] and e["place"]["name"] == "Bogotá"]
    assert bogota and "url" not in bogota[0]["sources"][0]  # a saved page without an address
    assert not any(e["sources"][0]["article"].startswith("2023-07-2") for e in events)  # no seeds


def test_extract_offline_says_the_network_is_down(env, capsys, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    code = cli.main(["extract", "https://news.example/story", str(DATA / "news_niamey.html")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "skipped: https://news.example/story: cannot resolve news.example: the network is down" \
        in err
    assert "note: the network is down" in err.splitlines()[-1]
    assert events_of(out)  # the saved page is still read


def test_watch_once_prints_only_new_events(env, web_site, capsys):
    feed = web_site.url("/feed.xml")
    assert cli.main(["watch", feed, "--once"]) == 0
    out, err = capsys.readouterr()
    assert "1 new article" in err
    first = events_of(out)
    assert first and all(e["sources"][0]["url"] == web_site.url(NIAMEY) for e in first)

    assert cli.main(["watch", feed, "--once"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 new articles, 1 unchanged (304)" in err

    web_site.add_item(MOROCCO, "Morocco earthquake live")
    assert cli.main(["watch", feed, "--once"]) == 0
    out, err = capsys.readouterr()
    urls = {e["sources"][0]["url"] for e in events_of(out)}
    assert urls == {web_site.url(MOROCCO)}
    assert web_site.hits(NIAMEY) == 1


def test_watch_refuses_a_too_short_interval(env, capsys):
    with pytest.raises(SystemExit):
        cli.main(["watch", "https://x.example/feed", "--every", "1s"])
    assert "too often" in capsys.readouterr().err


def test_extract_reads_a_folders_saved_pages(env, capsys):
    code = cli.main(["extract", str(DATA), "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 1 and "skipped: paywall.html: only a subscriber teaser" in err
    places = {row["place_name"] for row in csv.DictReader(io.StringIO(out))}
    assert {"Niamey", "Bogotá", "Marrakesh"} <= places
