"""The PNG export queue: one browser at a time, a bounded wait, the view passed explicitly.
No browser here: the capture itself is replaced by a fake that records what it was asked."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest

from geo import snapshot


class FakeBrowser:
    """Stands in for Chromium: takes ``seconds``, counts how many run at once."""

    def __init__(self, seconds: float = 0.05):
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.urls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, url, date, *, width, height, **view) -> bytes:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.urls.append(url)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        return b"\x89PNG" + url.encode()


@pytest.fixture
def fake(monkeypatch):
    browser = FakeBrowser()
    monkeypatch.setattr(snapshot, "_browser_capture", browser)
    monkeypatch.setattr(snapshot, "QUEUE", snapshot._Queue())
    return browser


def test_one_browser_at_a_time_and_every_click_gets_its_picture(fake):
    with ThreadPoolExecutor(5) as pool:
        pngs = list(pool.map(
            lambda i: snapshot.capture("http://x", f"2023-07-2{i}", "upto"), range(5)))
    assert fake.most == 1
    assert [p[:4] for p in pngs] == [b"\x89PNG"] * 5
    assert len(set(pngs)) == 5  # each its own view, none lost


def test_the_view_is_passed_explicitly(fake):
    snapshot.capture("http://x", "2023-07-22", "date",
                     query={"cat": ["protest", "riot/storming"], "country": ["Iraq"]})
    q = parse_qs(urlparse(fake.urls[0]).query)
    assert q["date"] == ["2023-07-22"] and q["mode"] == ["date"]
    assert q["cat"] == ["protest", "riot/storming"] and q["country"] == ["Iraq"]
    assert q["snapshot"] == ["1"]


def test_the_users_centre_and_zoom_go_in_the_url(fake):
    snapshot.capture("http://x", "2023-07-22", "upto", query={"country": ["Iraq"]},
                     view=snapshot.View(center=(33.3, 44.39), zoom=13))
    q = parse_qs(urlparse(fake.urls[0]).query)
    assert q["center"] == ["33.300000,44.390000"] and q["zoom"] == ["13"]
    assert q["country"] == ["Iraq"]
    snapshot.capture("http://x", "2023-07-22", "upto", fit="step")
    assert parse_qs(urlparse(fake.urls[1]).query)["fit"] == ["step"]


def test_a_bad_size_is_refused_before_queueing(fake):
    with pytest.raises(ValueError, match="width and height"):
        snapshot.capture("http://x", None, "all", width=50_000)
    with pytest.raises(ValueError, match="scale"):
        snapshot.capture("http://x", None, "all", scale=10)
    assert fake.urls == []


def test_a_wait_that_is_too_long_fails_with_a_clear_message(fake):
    fake.seconds = 0.6
    first = threading.Thread(target=snapshot.capture, args=("http://x", None, "all"))
    first.start()
    time.sleep(0.1)
    t0 = time.monotonic()
    with pytest.raises(snapshot.SnapshotBusy, match="another export kept the browser"):
        snapshot.capture("http://x", None, "all", max_wait=0.2)
    assert time.monotonic() - t0 < 0.5
    first.join()
    assert snapshot.QUEUE.waiting == 0
    assert snapshot.capture("http://x", None, "all")  # free again


def test_too_many_waiting_are_refused_at_once(fake):
    fake.seconds = 0.4
    with ThreadPoolExecutor(snapshot.QUEUE_MAX_WAITING + 1) as pool:
        running = [pool.submit(snapshot.capture, "http://x", None, "all")
                   for _ in range(snapshot.QUEUE_MAX_WAITING + 1)]
        time.sleep(0.1)  # one capturing, the rest waiting
        with pytest.raises(snapshot.SnapshotBusy, match="already waiting"):
            snapshot.capture("http://x", None, "all")
        assert all(f.result() for f in running)


def test_a_failed_capture_frees_the_browser(monkeypatch):
    monkeypatch.setattr(snapshot, "QUEUE", snapshot._Queue())

    def broken(*a, **kw):
        raise TimeoutError("map never drew")

    monkeypatch.setattr(snapshot, "_browser_capture", broken)
    with pytest.raises(TimeoutError):
        snapshot.capture("http://x", None, "all")
    monkeypatch.setattr(snapshot, "_browser_capture", FakeBrowser())
    assert snapshot.capture("http://x", None, "all", max_wait=0.1)


def test_bad_mode_is_refused_before_queueing(fake):
    with pytest.raises(ValueError):
        snapshot.capture("http://x", None, "everything")
    assert fake.urls == []


def test_snapshot_uses_the_offline_layer_unless_tiles_are_asked_for(monkeypatch, tmp_path):
    """The CLI's pictures are reproducible offline; --tiles turns the online base map on."""
    import contextlib

    from conftest import make_events

    from geo import cli

    seen = []

    @contextlib.contextmanager
    def fake_serve(script, env=None, **kw):
        seen.append(dict(env or {}))
        yield "http://127.0.0.1:9"

    monkeypatch.setattr(snapshot, "serve", fake_serve)
    monkeypatch.setattr(snapshot, "_load_events", lambda paths, online: make_events())
    monkeypatch.setattr(snapshot, "capture", lambda *a, **k: b"\x89PNG fake")
    for extra, want in (([], "off"), (["--tiles"], "on")):
        out = tmp_path / f"m{len(seen)}.png"
        assert cli.main(["snapshot", "--date", "2023-07-22", "--out", str(out), *extra]) == 0
        assert seen[-1]["NEWSMAP_TILES"] == want and seen[-1]["NEWSMAP_ONLINE"] == "0"
        assert out.read_bytes() == b"\x89PNG fake"
