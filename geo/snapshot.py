"""PNG of the map as the dashboard shows it, via headless Chromium (Debian's).

``snapshot("2023-07-22", "upto", Path("map.png"))`` checks that the view has events (fast,
no browser: a date without events is a one-line :class:`SnapshotEmpty`, not a 60 s wait),
starts the dashboard on a free local port, opens ``/?date=...&mode=...&snapshot=1`` with
the filters and the :class:`View` (centre and zoom, a box, or the step's events) in the
query, and saves **the map frame alone**: streamlit-folium's iframe, which holds the date
banner, the legend and the source line, stretched to ``width`` x ``height`` CSS pixels and
shot at ``scale`` device pixels per CSS pixel (2 for print). Nothing is downloaded: the
browser is /usr/bin/chromium and the map's assets are served by the app itself.

The dashboard's own PNG export goes through :func:`capture`, which runs one browser at a
time per process (a small queue with a bounded wait: five clicks at once used to start five
Chromiums and gigabytes of memory) and takes the view (date, mode, filters, the user's
centre and zoom) explicitly.

The helpers :func:`serve` and :func:`launch` are shared with the browser tests and bench/.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from geo.paths import PROJECT_ROOT, SEEDS_DIR
from geo.timeline import MODES, date_label

CHROMIUM = os.environ.get("NEWSMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
QUEUE_WAIT_S = 60.0  # longest a PNG export waits for the browser before giving up
QUEUE_MAX_WAITING = 4  # more requests than this waiting: refuse at once


class SnapshotError(RuntimeError):
    """A picture that can not be made; the message is one line for the user."""


class SnapshotEmpty(SnapshotError):
    """The view has no events (a date without any, or filters that leave none)."""


class SnapshotBusy(SnapshotError):
    """The one browser slot stayed busy too long (or too many exports were waiting)."""


FITS = ("all", "step")
MAX_ZOOM = 22
MIN_PX, MAX_PX = 200, 4000  # frame size bounds (CSS px): a typo must not ask for 10^6 px
MAX_SCALE = 4.0


def _numbers(text: str, n: int, what: str) -> tuple[float, ...]:
    parts = [p.strip() for p in str(text).split(",")]
    try:
        nums = tuple(float(p) for p in parts)
    except ValueError:
        nums = ()
    if len(nums) != n or not all(math.isfinite(x) for x in nums):
        raise ValueError(f"{what} must be {n} numbers separated by commas, not {text!r}")
    return nums


def parse_center(text: str) -> tuple[float, float]:
    """'33.30,44.39' -> (33.3, 44.39): latitude first, as map sites write it."""
    lat, lon = _numbers(text, 2, "centre (LAT,LON)")
    if not (-90 <= lat <= 90 and -540 <= lon <= 540):
        raise ValueError(f"centre {text!r} is off the map (latitude -90..90, longitude -180..180)")
    return lat, lon


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'S,W,N,E' (south, west, north, east) -> a tuple; south below north."""
    s, w, n, e = _numbers(text, 4, "box (S,W,N,E)")
    if not (-90 <= s < n <= 90 and -540 <= w < e <= 540):
        raise ValueError(f"box {text!r} must be south,west,north,east with south < north "
                         "and west < east")
    return s, w, n, e


def parse_zoom(text) -> float:
    z = _numbers(text, 1, "zoom")[0]
    if not 0 <= z <= MAX_ZOOM:
        raise ValueError(f"zoom must be between 0 and {MAX_ZOOM}, not {text!r}")
    return z


@dataclass(frozen=True)
class View:
    """Where the picture looks: ``center`` + ``zoom`` (the user's own view), else ``bbox``
    (S, W, N, E), else ``fit``: "all" (the dashboard's opening view: every event, or the
    filtered step) or "step" (this date's events, the "Fit to events" button).

    It travels in the dashboard's URL (``center=lat,lon&zoom=z``, ``bbox=s,w,n,e``,
    ``fit=step``), which the dashboard applies in snapshot mode.
    """

    center: tuple[float, float] | None = None
    zoom: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    fit: str = "all"

    def __post_init__(self) -> None:
        if self.fit not in FITS:
            raise ValueError(f"fit must be one of {', '.join(FITS)}, not {self.fit!r}")
        if self.center is not None and self.zoom is None:
            raise ValueError("a centre needs a zoom (--zoom Z)")
        given = [self.zoom is not None, self.bbox is not None, self.fit == "step"]
        if sum(given) > 1:
            raise ValueError("choose one view: a centre and zoom, a box, or fit=step")

    @property
    def fixed(self) -> bool:
        """True when the view is set here rather than left to the dashboard's own fit."""
        return self.zoom is not None or self.bbox is not None or self.fit == "step"

    def query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        if self.zoom is not None:
            if self.center is not None:
                q["center"] = f"{self.center[0]:.6f},{self.center[1]:.6f}"
            q["zoom"] = f"{self.zoom:g}"
        elif self.bbox is not None:
            q["bbox"] = ",".join(f"{x:.6f}" for x in self.bbox)
        elif self.fit == "step":
            q["fit"] = "step"
        return q

    def js(self) -> dict | None:
        """What geo/mapview.py's view script applies (None: the dashboard's own view)."""
        if self.zoom is not None:
            return {"zoom": self.zoom, **({"center": list(self.center)} if self.center else {})}
        if self.bbox is not None:
            return {"bbox": list(self.bbox)}
        if self.fit == "step":
            return {"fit": "step"}
        return None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> View | None:
        """The view in a snapshot URL, or None (none given, or not valid: the default view)."""
        try:
            if params.get("zoom"):
                c = params.get("center")
                return cls(center=parse_center(c) if c else None,
                           zoom=parse_zoom(params["zoom"]))
            if params.get("bbox"):
                return cls(bbox=parse_bbox(params["bbox"]))
            if params.get("fit") == "step":
                return cls(fit="step")
        except ValueError:
            return None
        return None

    @classmethod
    def from_map(cls, center, zoom) -> View | None:
        """From st_folium's return value (``{"lat", "lng"}`` and a zoom); None before the
        map has reported its view."""
        try:
            lat, lon = float(center["lat"]), float(center["lng"])
            z = float(zoom)
        except (KeyError, TypeError, ValueError):
            return None
        lon = (lon + 180.0) % 360.0 - 180.0  # a map panned round the world reports lng > 180
        if not (math.isfinite(lat) and math.isfinite(z)) or not -90 <= lat <= 90:
            return None
        return cls(center=(lat, lon), zoom=max(0.0, min(z, MAX_ZOOM)))


def _merc_y(lat: float) -> float:
    lat = max(-85.05113, min(85.05113, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def frame_size(bounds, zoom) -> tuple[int, int] | None:
    """The map's size in CSS pixels from st_folium's ``bounds`` and ``zoom`` (Web Mercator,
    256-px tiles), so the dashboard's PNG has the user's own frame size; None if unknown."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        s, w, n, e = (float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"]))
        world = 256.0 * 2.0 ** float(zoom)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    width = (e - w) / 360.0 * world
    height = (_merc_y(n) - _merc_y(s)) / (2 * math.pi) * world
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return None
    return (max(MIN_PX, min(MAX_PX, round(width))), max(MIN_PX, min(MAX_PX, round(height))))


def check_size(width: int, height: int, scale: float) -> None:
    if not (MIN_PX <= width <= MAX_PX and MIN_PX <= height <= MAX_PX):
        raise ValueError(f"width and height must be {MIN_PX}-{MAX_PX} px, not {width}x{height}")
    if not (0.5 <= scale <= MAX_SCALE):
        raise ValueError(f"scale must be between 0.5 and {MAX_SCALE:g}, not {scale:g}")


class _Queue:
    """One capture at a time; the rest wait in line, up to a bound in time and length."""

    def __init__(self) -> None:
        self._slot = threading.Lock()
        self._count = threading.Lock()
        self.waiting = 0

    @contextlib.contextmanager
    def turn(self, max_wait: float = QUEUE_WAIT_S,
             max_waiting: int = QUEUE_MAX_WAITING) -> Iterator[None]:
        with self._count:
            if self.waiting >= max_waiting:
                raise SnapshotBusy(f"PNG export busy: {self.waiting} exports already waiting; "
                                   "try again in a minute")
            self.waiting += 1
        try:
            got = self._slot.acquire(timeout=max_wait)
        finally:
            with self._count:
                self.waiting -= 1
        if not got:
            raise SnapshotBusy(f"PNG export busy: another export kept the browser for over "
                               f"{max_wait:.0f} s; try again in a minute")
        try:
            yield
        finally:
            self._slot.release()


QUEUE = _Queue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_server(
    script: Path | str = PROJECT_ROOT / "dashboard.py",
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = 60.0,
    poll: float = 0.2,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run script`` on a free local port; yield (base URL, process) once it
    answers its health check (the benchmarks also read the process's memory)."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    full_env = {**os.environ, **(env or {})}
    # stderr to a file, not a pipe: a long session's log would fill a pipe and stall it
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    proc = subprocess.Popen(
        cmd, cwd=str(PROJECT_ROOT), env=full_env, stdout=subprocess.DEVNULL, stderr=log,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                err = log.read()
                raise RuntimeError(f"streamlit exited with {proc.returncode}: {err[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {base} in {timeout:.0f} s")
            time.sleep(poll)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@contextlib.contextmanager
def serve(
    script: Path | str = PROJECT_ROOT / "dashboard.py",
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free local port; yield its base URL."""
    with start_server(script, env=env, port=port, timeout=timeout) as (base, _proc):
        yield base


def launch(playwright):
    """Headless Debian Chromium; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def map_frame(page, timeout_ms: int = 60_000):
    """The streamlit-folium iframe's Frame once its map shows a step."""
    page.wait_for_selector(MAP_IFRAME, timeout=timeout_ms)
    frame = page.query_selector(MAP_IFRAME).content_frame()
    frame.wait_for_selector("#map_div[data-nm-step]", state="attached", timeout=timeout_ms)
    return frame


def wait_for_view(page, date: str | None, timeout_ms: int = 60_000):
    """Wait until the map shows ``date`` with its base layer, and the page has settled."""
    frame = map_frame(page, timeout_ms)
    if date:
        frame.wait_for_function(
            "t => document.querySelector('.nm-banner-date')?.textContent === t",
            arg=date_label(date), timeout=timeout_ms,
        )
    frame.wait_for_function(
        "() => document.querySelector('.nm-base-ready, .nm-base-failed')",
        timeout=timeout_ms,
    )
    # online: until the tiles have loaded, or been given up for the offline layer
    frame.wait_for_function(
        "() => !document.querySelector('#map_div[data-nm-tiles=loading]')",
        timeout=timeout_ms,
    )
    # let Streamlit finish the rest of the run (cards, chart)
    with contextlib.suppress(Exception):
        page.wait_for_selector("[data-testid='stStatusWidget']", state="detached",
                               timeout=timeout_ms)
    page.wait_for_timeout(700)
    return frame


def view_url(
    base: str, date: str | None, mode: str, snapshot: bool = True,
    query: dict[str, str | list[str]] | None = None,
) -> str:
    q: dict[str, str | list[str]] = {"mode": mode}
    if date:
        q["date"] = date
    q.update(query or {})
    if snapshot:
        q["snapshot"] = "1"
    return f"{base}/?{urlencode(q, doseq=True)}"


def capture_url(base: str, date: str | None, mode: str, *,
                query: dict[str, str | list[str]] | None = None, view: View | None = None,
                height: int = 900) -> str:
    """The dashboard's snapshot URL for a capture. ``h`` makes the map that tall from the
    start, so it never resizes in the capture page (a resize re-fits an untouched map)."""
    return view_url(base, date, mode, query={**(query or {}), **(view or View()).query(),
                                             "h": str(height)})


def capture(
    base: str,
    date: str | None,
    mode: str,
    *,
    width: int = 1400,
    height: int = 900,
    scale: float = 1.0,
    query: dict[str, str | list[str]] | None = None,
    view: View | None = None,
    fit: str = "all",
    max_wait: float = QUEUE_WAIT_S,
    notes: list[str] | None = None,
) -> bytes:
    """PNG bytes of the map frame of an already running dashboard at ``base`` (used by its
    own export), ``width`` x ``height`` CSS px at ``scale`` device px per CSS px.

    Everything the picture shows is an argument (``query`` holds the filters: the URL's
    ``cat``/``country``/``article``/``bg``; ``view`` the centre and zoom, a box or a fit),
    because the dashboard calls this later, outside its script run. One browser at a time
    per process: raises :class:`SnapshotBusy` after waiting ``max_wait`` seconds for the
    one before, :class:`SnapshotEmpty` when the dashboard says the view has no events.
    ``fit`` is the view when ``view`` is None ("step": this date's events).

    The base layer is the query's ``base`` (geo/tiles.py; default: the dashboard's first).
    When its tiles do not load the map falls back to the offline layer, its notice says so
    in the picture, and a line saying so is added to ``notes``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    view = view or View(fit=fit)
    check_size(width, height, scale)
    url = capture_url(base, date, mode, query=query, view=view, height=height)
    with QUEUE.turn(max_wait):
        return _browser_capture(url, date, width=width, height=height, scale=scale, view=view,
                                notes=notes)


# The capture page shows the map frame alone. In the dashboard page (a script injected before
# its own) the map's iframe is stretched over the whole viewport, above the buttons and the
# slider; inside the iframe (once it is there: the component rewrites its own document) the
# map is made to fill it. The element screenshot is then exactly width x height CSS px.
FRAME_ONLY_JS = """(() => {
  if (window !== window.top) return;
  const st = document.createElement("style");
  st.textContent = "html, body { overflow: hidden !important; }"
    + "IFRAME { position: fixed !important; left: 0 !important; top: 0 !important;"
    + " width: 100vw !important; height: 100vh !important; max-width: none !important;"
    + " border: 0 !important; margin: 0 !important; z-index: 2147483647 !important; }";
  const add = () => (document.head || document.documentElement).appendChild(st);
  if (document.documentElement) add();
  else document.addEventListener("DOMContentLoaded", add);
})();""".replace("IFRAME", MAP_IFRAME)
# (the zoom buttons and "Fit to events" are for the hand, not for the picture)
MAP_FILLS_FRAME_CSS = ("html, body { margin: 0 !important; padding: 0 !important; "
                       "overflow: hidden !important; } "
                       "#map_div { width: 100vw !important; height: 100vh !important; } "
                       ".leaflet-control-zoom, .nm-fit { display: none !important; }")

# the dashboard, in snapshot mode, puts this element on the page when the view is empty
EMPTY_SELECTOR = ".nm-snapshot-error"
_READY_OR_EMPTY = "([e, f]) => document.querySelector(e) || document.querySelector(f)"


def capture_page(browser, width: int, height: int, scale: float = 1.0):
    """A new page that shows only the map frame, at ``width`` x ``height`` and ``scale``
    (close it with ``page.context.close()``)."""
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              device_scale_factor=scale)
    ctx.add_init_script(FRAME_ONLY_JS)
    return ctx.new_page()


def shoot(page, url: str, date: str | None, view: View | None = None,
          timeout_ms: int = 60_000, notes: list[str] | None = None) -> bytes:
    """Open ``url`` in a :func:`capture_page`, wait for the map at ``date`` and its view,
    and return the PNG of the map frame. The page stays open (tests look into it).
    ``notes`` gets a line when the chosen tiles did not load (:func:`tiles_note`)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    size = page.viewport_size
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function(_READY_OR_EMPTY, arg=[EMPTY_SELECTOR, MAP_IFRAME],
                               timeout=timeout_ms)
        empty = page.query_selector(EMPTY_SELECTOR)
        if empty:
            raise SnapshotEmpty(" ".join((empty.text_content() or "no events").split()))
        frame = map_frame(page, timeout_ms)
        frame.add_style_tag(content=MAP_FILLS_FRAME_CSS)
        # a URL without h= (or a component that sized itself otherwise): fit the map now
        frame.evaluate("() => { NM.map.invalidateSize({ animate: false }); }")
        frame = wait_for_view(page, date, timeout_ms)
        frame.wait_for_function(
            "([w, h]) => { const s = window.NM && NM.map && NM.map.getSize();"
            " return s && s.x === w && s.y === h; }",
            arg=[size["width"], size["height"]], timeout=timeout_ms,
        )
        if view is not None and view.fixed:
            frame.wait_for_selector("#map_div[data-nm-view]", state="attached",
                                    timeout=timeout_ms)
            frame.evaluate("() => { NM.applyView(); }")  # last word, after any re-fit
        # the base layer's tiles for this view are drawn (cells fetched on a view change),
        # then its place names are placed (a tick later)
        frame.wait_for_function(
            "() => ['ready', 'failed', null].includes(document.querySelector('#map_div')"
            ".getAttribute('data-nm-base'))", timeout=timeout_ms)
        page.wait_for_timeout(300)
        png = page.locator(MAP_IFRAME).screenshot(timeout=timeout_ms)
        note = tiles_note(frame)
        if note and notes is not None:
            notes.append(note)
        return png
    except PlaywrightTimeout as exc:
        raise SnapshotError(f"the map did not finish drawing within {timeout_ms // 1000} s "
                            f"({url})") from exc
    except PlaywrightError as exc:
        first = (str(exc).strip().splitlines() or ["?"])[0]
        raise SnapshotError(f"the browser failed: {first}") from exc


def tiles_note(frame) -> str | None:
    """A line for the user when the map's chosen online layer did not load and it fell
    back to the offline layer (newsmap.js NM.setupTiles; the map's notice says so too)."""
    state = frame.evaluate("() => { const m = document.querySelector('#map_div');"
                           " return m && [m.getAttribute('data-nm-tiles'),"
                           " m.getAttribute('data-nm-tile-layer')]; }")
    if not state or state[0] != "failed":
        return None
    return (f"the {state[1] or 'online'} map tiles did not load: the picture shows the "
            "built-in offline map instead (its notice says so)")


def _browser_capture(url: str, date: str | None, *, width: int, height: int,
                     scale: float = 1.0, view: View | None = None,
                     notes: list[str] | None = None) -> bytes:
    """Open ``url`` in headless Chromium and shoot the map frame."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = capture_page(browser, width, height, scale)
            return shoot(page, url, date, view, notes=notes)
        finally:
            browser.close()


FILTER_LABELS = {"cat": "category", "country": "country", "article": "article"}


def _load_events(paths: Iterable[str | Path], online: bool):
    """The events the dashboard will show for these paths (same sources, same cache)."""
    import importlib

    from geo import userdata

    pipeline = importlib.import_module("geo.pipeline")
    events_file = os.environ.get("NEWSMAP_EVENTS")
    if events_file:
        return list(pipeline.load_events(events_file).events)
    result = pipeline.run(list(map(str, paths)), online=online,
                          extra_articles=[*userdata.user_articles(),
                                          *(w.article for w in userdata.web_articles())],
                          date_overrides=userdata.load_dates())
    from geo.review import service  # the dashboard shows the user's corrections: so do we

    corrections, _error = service.load_corrections()
    return list(service.review(result, corrections).events if corrections else result.events)


def check_view(
    events, date: str | None, mode: str, filters: Mapping[str, Iterable[str]] | None = None,
    background: bool = True,
) -> dict[str, list[str] | str]:
    """The dashboard query for these filters, or :class:`SnapshotEmpty` / ValueError with
    a one-line reason: an unknown filter value (the dashboard would silently drop it and
    show everything), filters that leave nothing, or a date without events.

    ``filters`` maps the URL's names (``cat``, ``country``, ``article``) to values; case
    does not matter.
    """
    from geo import timeline

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    facets = timeline.facets(events)
    options = {"cat": facets.categories, "country": facets.countries,
               "article": facets.articles}
    query: dict[str, list[str] | str] = {}
    for key, wanted in (filters or {}).items():
        known = {o.casefold(): o for o in options[key]}
        chosen = []
        for w in wanted:
            if w.casefold() not in known:
                listed = ", ".join(options[key][:12]) + (" …" if len(options[key]) > 12 else "")
                raise SnapshotEmpty(f"no {FILTER_LABELS[key]} {w!r} in these events "
                                    f"(there are: {listed or 'none'})")
            chosen.append(known[w.casefold()])
        if chosen:
            query[key] = chosen
    if not background:
        query["bg"] = "0"
    filtered = bool(query)
    shown = (timeline.apply_filters(events, query.get("cat"), query.get("country"),
                                    query.get("article"), background=background)
             if filtered else list(events))
    if not shown:
        raise SnapshotEmpty("no events " + ("with these filters" if filtered else "in these "
                                            "articles"))
    dates = timeline.StepIndex(shown).dates
    if date and date not in dates:
        before = [d for d in dates if d < date][-1:]
        after = [d for d in dates if d > date][:1]
        near = " and ".join(before + after)
        raise SnapshotEmpty(f"no events on {date}{' with these filters' if filtered else ''}"
                            + (f"; the nearest dates with events: {near}" if near else ""))
    return query


def snapshot(
    date: str | None,
    mode: str,
    out: Path,
    paths: Iterable[str | Path] = (SEEDS_DIR,),
    width: int = 1400,
    height: int = 900,
    *,
    online: bool = False,
    script: Path | str = PROJECT_ROOT / "dashboard.py",
    fit: str = "all",
    view: View | None = None,
    filters: Mapping[str, Iterable[str]] | None = None,
    background: bool = True,
    scale: float = 1.0,
    tiles: bool = False,
    base: str | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Write a PNG of the map frame showing ``date`` in ``mode`` ("date", "upto", "all"),
    with ``filters`` (``cat``/``country``/``article`` -> values) and ``view``; ``tiles``
    tries the online base map (else the offline layer only: the same picture everywhere).
    ``base`` names the base layer (geo/tiles.py: "satellite", "Esri.WorldImagery",
    "offline"...): an online one tries the tiles, that layer first; when they do not load
    the picture shows the offline layer with the map's notice, and ``notes`` gets a line.

    The view is checked first, without a browser: an empty one raises
    :class:`SnapshotEmpty` in about the time it takes to read the (cached) events.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    view = view or View(fit=fit)
    check_size(width, height, scale)
    paths = list(paths)
    from geo import tiles as tiles_mod

    key = None
    if base is not None:
        # what the served dashboard will offer with tiles on
        offered = [{"key": t.key, "label": t.label} for t in tiles_mod.layers()]
        key = tiles_mod.resolve(base, offered)
        if key is None:
            here = [t["label"].lower() for t in offered] + [tiles_mod.OFFLINE]
            raise ValueError(f"no base layer {base!r} here (there are: {', '.join(here)}; "
                             "light needs a CARTO key in NEWSMAP_CARTO_KEY)")
        tiles = key != tiles_mod.OFFLINE
    query = check_view(_load_events(paths, online), date, mode, filters, background)
    if tiles and key:
        query["base"] = key
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "NEWSMAP_PATHS": os.pathsep.join(str(Path(p).resolve()) for p in paths),
        "NEWSMAP_ONLINE": "1" if online else "0",
        # the picture is reproducible offline unless asked: tiles only with --tiles
        "NEWSMAP_TILES": "on" if tiles else "off",
    }
    with serve(script, env=env) as url:
        png = capture(url, date, mode, width=width, height=height, scale=scale, query=query,
                      view=view, notes=notes)
    out.write_bytes(png)
    return out
