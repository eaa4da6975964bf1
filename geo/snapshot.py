"""PNG of the dashboard at a date and display mode, via headless Chromium (Debian's).

``snapshot("2023-07-22", "upto", Path("map.png"))`` starts the dashboard on a free local port,
opens ``/?date=...&mode=...&snapshot=1`` (sidebar collapsed), waits for the map's markers
and base layer, and saves the page. Nothing is downloaded: the browser is /usr/bin/chromium
and the map's assets are served by the app itself (geo/offline.py).

The dashboard's own PNG export goes through :func:`capture`, which runs one browser at a
time per process (a small queue with a bounded wait: five clicks at once used to start five
Chromiums and gigabytes of memory) and takes the view (date, mode, filters) explicitly.

The helpers :func:`serve` and :func:`launch` are shared with the browser tests and bench/.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
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


class SnapshotBusy(RuntimeError):
    """The one browser slot stayed busy too long (or too many exports were waiting)."""


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


def capture(
    base: str,
    date: str | None,
    mode: str,
    *,
    width: int = 1400,
    height: int = 900,
    query: dict[str, str | list[str]] | None = None,
    fit: str = "all",
    max_wait: float = QUEUE_WAIT_S,
) -> bytes:
    """PNG bytes of an already running dashboard at ``base`` (used by its own export).

    Everything the picture shows is an argument (``query`` holds the filters: the URL's
    ``cat``/``country``/``article``), because the dashboard calls this later, outside its
    script run. One browser at a time per process: raises :class:`SnapshotBusy` after
    waiting ``max_wait`` seconds for the one before. ``fit="step"`` zooms to the step's
    events first (the "Fit to events" button); the default fits every event.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    url = view_url(base, date, mode, query=query)
    with QUEUE.turn(max_wait):
        return _browser_capture(url, date, width=width, height=height, fit=fit)


def _browser_capture(url: str, date: str | None, *, width: int, height: int, fit: str) -> bytes:
    """Open ``url`` in headless Chromium, wait for the map at ``date``, screenshot it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, wait_until="domcontentloaded")
            frame = wait_for_view(page, date)
            if fit == "step":
                frame.evaluate("() => NM.fit()")
                page.wait_for_timeout(900)  # the zoom animation and the borders redraw
            return page.screenshot()
        finally:
            browser.close()


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
) -> Path:
    """Write a PNG of the dashboard showing ``date`` in ``mode`` ("date", "upto", "all")."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "NEWSMAP_PATHS": os.pathsep.join(str(Path(p).resolve()) for p in paths),
        "NEWSMAP_ONLINE": "1" if online else "0",
    }
    with serve(script, env=env) as base:
        out.write_bytes(capture(base, date, mode, width=width, height=height, fit=fit))
    return out
