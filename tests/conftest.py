"""Shared fixtures: synthetic events (independent of the extractor) and a fake pipeline."""

from __future__ import annotations

import os
import sys
import tempfile
import types
from pathlib import Path

import pytest

# Tests never touch the user's real data folder; tests that need their own set it per test.
os.environ.setdefault("NEWSMAP_HOME", tempfile.mkdtemp(prefix="newsmap-tests-"))
# Tests never reach the internet: no online tiles unless they come from a test's own server
# on 127.0.0.1 (tests/test_browser_tiles.py; browser_app.py imports this module too).
if not os.environ.get("NEWSMAP_TILES_URL", "").startswith("http://127.0.0.1:"):
    os.environ["NEWSMAP_TILES"] = "off"
    os.environ.pop("NEWSMAP_TILES_URL", None)

# No extraction worker started ahead of need (geo/warmup.py) in the tests' dashboards: a
# worker left from one test would serve another's run (tests/test_warmup.py tests it).
os.environ.setdefault("NEWSMAP_PREPARE", "0")

from geo.models import Article, Event, Place, PlaceMention, Source

OSM = "© OpenStreetMap contributors"


def _place(name, lat, lon, precision, city=None, country="Iraq", attribution=None):
    return Place(name=name, lat=lat, lon=lon, precision=precision, source="gazetteer",
                 city=city, country=country, attribution=attribution)


BAGHDAD = _place("Baghdad", 33.3406, 44.4009, "city")
GREEN_ZONE = _place("Green Zone", 33.3076, 44.3903, "landmark", "Baghdad")
BRIDGE = _place("Jumhuriya bridge", 33.3248, 44.4045, "landmark", "Baghdad", attribution=OSM)
SWEDISH_EMBASSY = _place("Swedish embassy", 33.3184, 44.4252, "landmark", "Baghdad")
IRAQI_EMBASSY_CPH = _place("Iraqi embassy", 55.6889, 12.5898, "landmark", "Copenhagen",
                           "Denmark")
STOCKHOLM = _place("Stockholm", 59.3294, 18.0687, "city", None, "Sweden")

A_2021 = "2021-11-06_green-zone-election-clashes.txt"
A_0720 = "2023-07-20_iraq-threatens-ties-with-sweden.txt"
A_0722 = "2023-07-22_green-zone-jumhuriya-bridge.txt"
A_UND = "undated_iraq-severs-ties-with-sweden.txt"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _ev(id_, date, category, title, place, article, sentence, tod=None, status="occurred"):
    prec = {10: "day", 7: "month", 4: "year"}.get(len(date)) if date else None
    mention = PlaceMention(place.name if place else "somewhere")
    return Event(id=id_, date=date, date_precision=prec, status=status, category=category,
                 title=title, mention=mention, sources=[Source(article, sentence)],
                 place=place, time_of_day=tod)


def make_events() -> list[Event]:
    return [
        _ev("e1", "2021-11-05", "riot/storming", "Protesters try to storm the Green Zone",
            GREEN_ZONE, A_2021, "Some 300 protesters attempted to break into the Green Zone."),
        _ev("e2", "2023-06-29", "desecration", "Quran burned outside Stockholm mosque",
            STOCKHOLM, A_UND, "A man burned a Quran outside a Stockholm mosque."),
        _ev("e3", "2023-07-20", "riot/storming", "Protesters storm the Swedish embassy",
            SWEDISH_EMBASSY, A_0720, "Protesters stormed the Swedish embassy " + XSS,
            tod="early morning"),
        _ev("e4", "2023-07-20", "diplomatic action", "Iraq expels the Swedish ambassador " + XSS,
            BAGHDAD, A_UND, "Iraq expelled the Swedish ambassador."),
        _ev("e5", "2023-07-21", "desecration", "Quran burned outside the Iraqi embassy",
            IRAQI_EMBASSY_CPH, A_0722, "Danske Patrioter burnt a copy of the Quran."),
        _ev("e6", "2023-07-22", "protest", "Protesters blocked at the Jumhuriya bridge",
            BRIDGE, A_0722, "Security forces blocked the Jumhuriya bridge.",
            tod="early morning"),
        _ev("e7", "2023-07-22", "riot/storming", "Attempt to storm the Green Zone",
            GREEN_ZONE, A_0722, "Hundreds of protesters attempted to storm the Green Zone."),
        _ev("e8", "2023-07-22", "statement", "Foreign ministry statement", GREEN_ZONE, A_0722,
            "Iraq's foreign ministry said in a statement."),
        _ev("e9", "2023-07-22", "evacuation", "Embassy staff evacuated", None, A_0722,
            "The embassy's staff had been evacuated a day earlier."),
    ]


EVENT_DATES = ["2021-11-05", "2023-06-29", "2023-07-20", "2023-07-21", "2023-07-22"]


@pytest.fixture
def events() -> list[Event]:
    return make_events()


def fake_pipeline_module(events=None, problems=()):
    """A stand-in for geo.pipeline whose run() returns synthetic events.

    It still takes the user's articles (``extra_articles``, from the database), so the
    upload paths are the real ones.
    """
    mod = types.ModuleType("geo.pipeline")
    from geo.pipeline import inputs_signature

    mod.inputs_signature = inputs_signature  # the real one: it only stats files

    class Result:
        def __init__(self, articles, events, problems):
            self.articles, self.events, self.problems = articles, events, problems

    def run(paths, *, online=False, extra_articles=(), date_overrides=None, **kw):
        from geo import articles as articles_mod

        found, probs = articles_mod.read_paths([p for p in paths if "seeds" not in str(p)])
        arts = [Article(name=n, text="x", date=n[:10] if n[0].isdigit() else None)
                for n in (A_2021, A_0720, A_0722, A_UND)] + list(found) + list(extra_articles)
        return Result(arts, list(events if events is not None else make_events()),
                      list(problems) + list(probs))

    mod.run = run
    mod.Result = Result
    return mod


@pytest.fixture
def newsmap_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NEWSMAP_HOME", str(home))
    return home


def synthetic_corpus(tmp_path_factory, count: int, seed: int) -> Path:
    """``count`` synthetic wire articles (bench/corpus.py) in a fresh folder."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import corpus as gen

    d = tmp_path_factory.mktemp("corpus")
    gen.make_articles(count, d, seed=seed)
    return d


@pytest.fixture
def rerun_home(tmp_path, monkeypatch):
    """A user folder for runs that must see every edit of an article at once (the input
    signature is rechecked on every run, not after ``pipeline.SIGNATURE_RECHECK_S``)."""
    from geo import pipeline

    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(pipeline, "SIGNATURE_RECHECK_S", 0.0)
    return tmp_path / "home"


@pytest.fixture
def fake_pipeline(monkeypatch, newsmap_home):
    """Install the fake pipeline for an AppTest run; clear Streamlit's caches around it."""
    import streamlit as st

    mod = fake_pipeline_module()
    monkeypatch.setitem(sys.modules, "geo.pipeline", mod)
    st.cache_resource.clear()
    yield mod
    st.cache_resource.clear()


# The browser tests' app (tests/browser_app.py, synthetic events) and one headless Chromium,
# each once per test module.
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from pathlib import Path

    from geo import snapshot as snap

    home = tmp_path_factory.mktemp("newsmap-home")
    app = Path(__file__).resolve().parent / "browser_app.py"
    env = {"NEWSMAP_HOME": str(home), "NEWSMAP_ONLINE": "0", "NEWSMAP_TILES": "off"}
    with snap.serve(app, env=env) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from geo import snapshot as snap

    with sync_playwright() as p:
        b = snap.launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A 1400-px page that records the page's script errors in ``.errors`` (a test module
    may define its own)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


@pytest.fixture
def web_site():
    """A local news site on 127.0.0.1 (tests/web_stub.py): saved pages, failures, robots.txt
    and a feed that grows. Its slow page answers after 3 s."""
    from web_stub import WebStub

    stub = WebStub(slow_s=3.0).start()
    yield stub
    stub.stop()


@pytest.fixture
def fetcher():
    """A Fetcher for the local site: no per-host wait (one host, many requests), short
    timeouts so the slow pages fail fast."""
    from geo.web.fetch import Fetcher

    return Fetcher(min_interval=0, connect_timeout=1, read_timeout=0.5, deadline=1.5)


DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def run_app(query: dict | None = None):
    """The dashboard run once in Streamlit's AppTest (with ``query`` as the URL's query)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pytest_configure(config):
    """Under pytest-xdist (opt-in, ``-n 2``; not what CI runs) each worker
    gets a folder of its own inside ``NEWSMAP_HOME``: no database, cache or lock shared by two
    tests running at once. Only in pytest's processes, not in the apps a test serves
    (tests/browser_app.py imports this module too, and must keep the home it is given)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        home = Path(os.environ["NEWSMAP_HOME"]) / worker
        home.mkdir(parents=True, exist_ok=True)
        os.environ["NEWSMAP_HOME"] = str(home)


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist, every test module is a unit of work, except the browser tests,
    which are one unit together: they run one after another on one worker (two dashboards and
    two Chromiums at once on two cores time out), beside the rest on the other. Measured on
    2 cores: 666 s against about 960 s serial, but one browser test timed out under the load
    (test_browser_feed's history check), so CI stays serial."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            name = module.rsplit("/", 1)[-1]
            return "browser" if name.startswith(("test_browser", "test_snapshot")) else module

    return BrowserTogether(config, log)
