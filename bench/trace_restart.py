"""One traced restart with 10,000 articles: when each part of the first page arrives (run by
hand, not a test; bench/README.md, "Restart at the floor, third pass").

    .venv/bin/python bench/trace_restart.py --work /tmp/nm_scale --home /tmp/nmh_scale
    .venv/bin/python bench/trace_restart.py ... --changed   # one article changed first

The corpus and home are bench_year.py restart's (run that once first). Times are seconds
from just before ``streamlit run`` starts: each websocket message of the first script run
(decoded: a delta names its element type; ``script_finished`` is the end of the run), when
the page's elements appear (a MutationObserver in the page and in the map's iframe), the
map's first painted frame (as bench_year.py stamps it), and the iframe's asset loads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_year import BARE, OURS_ANY, WATCH, _change_one, server  # noqa: E402

MARKS = {  # what to stamp when it first appears: name -> selector (page; "iframe:" = map's)
    "sidebar": "[data-testid='stSidebar']",
    "header": ".nm-h1",
    "slider": "[data-testid='stSlider']",
    "map iframe": "iframe[title='streamlit_folium.st_folium']",
    "chart": "[data-testid='stVegaLiteChart']",
    "chart drawn": "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
    "first card": ".nm-card",
    "review expander": "[data-testid='stSidebar'] [data-testid='stExpander']",
    "iframe: leaflet": ".leaflet-container",
    "iframe: step": "#map_div[data-nm-step]",
}

OBSERVE = """(() => {
  const marks = MARKS; window.__nmMarks = {};
  const look = () => {
    for (const [k, sel] of Object.entries(marks)) {
      if (window.__nmMarks[k]) continue;
      let d = document;
      let s = sel;
      if (s.startsWith('iframe:')) {
        if (window.top !== window) continue;
        const f = document.querySelector("iframe[title='streamlit_folium.st_folium']");
        d = f && f.contentDocument; s = s.slice(7);
        if (!d) continue;
      }
      try { if (d.querySelector(s)) window.__nmMarks[k] = Date.now(); } catch (e) {}
    }
    if (Object.keys(window.__nmMarks).length < Object.keys(marks).length)
      requestAnimationFrame(look);
  };
  if (window.top === window) requestAnimationFrame(look);
})();""".replace("MARKS", json.dumps(MARKS))


def main() -> int:
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from geo import snapshot as snap

    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--home", required=True)
    ap.add_argument("--changed", action="store_true")
    ap.add_argument("--script", type=Path, default=ROOT / "dashboard.py")
    ap.add_argument("--bare", action="store_true", help="bench/bare_folium_app.py instead")
    ap.add_argument("--deltas", action="store_true", help="each delta, not only the map's")
    ap.add_argument("--resources", action="store_true", help="the page's slow loads too")
    a = ap.parse_args()
    if a.bare:
        a.script = ROOT / "bench" / "bare_folium_app.py"
    folder = a.work / f"articles-{a.articles}"
    env = {"NEWSMAP_HOME": a.home, "NEWSMAP_PATHS": str(folder), "NEWSMAP_ONLINE": "0"}
    if a.changed:
        _change_one(folder, int(time.time()) % 1000)
    events: list[tuple[float, str]] = []
    print(f"load average {os.getloadavg()}", flush=True)
    with sync_playwright() as p:
        browser = snap.launch(p)
        try:
            t0 = time.time()
            with server(a.script, env) as (base, _proc):
                events.append((time.time() - t0, "server up"))
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                ctx.add_init_script(WATCH)
                ctx.add_init_script(OBSERVE)
                page = ctx.new_page()
                finished = [0]

                def frame(payload):
                    if isinstance(payload, str) or finished[0]:
                        return
                    m = ForwardMsg()
                    try:
                        m.ParseFromString(payload)
                    except Exception:  # noqa: BLE001
                        return
                    kind = m.WhichOneof("type")
                    if kind == "delta":
                        d = m.delta
                        what = d.WhichOneof("type")
                        if what == "new_element":
                            what = d.new_element.WhichOneof("type")
                        kind = f"delta {what}"
                    if kind == "script_finished":
                        finished[0] = 1
                    events.append((time.time() - t0, f"ws {kind} ({len(payload):,} B)"))

                page.on("websocket", lambda ws: ws.on("framereceived", frame))
                page.goto(f"{base}/", wait_until="commit")
                page.evaluate("() => { window.__nmWant = " + (BARE if a.bare else OURS_ANY)
                              + "; }")
                page.wait_for_function("() => window.__nmAt > 0", timeout=600_000,
                                       polling=100)
                page.wait_for_timeout(3000)
                at = page.evaluate("window.__nmAt") / 1000
                events.append((at - t0, "MAP PAINTED"))
                for k, v in page.evaluate("window.__nmMarks").items():
                    events.append((v / 1000 - t0, f"page: {k}"))
                f = page.query_selector(snap.MAP_IFRAME).content_frame()
                origin = page.evaluate("performance.timeOrigin") / 1000
                forigin = f.evaluate("performance.timeOrigin") / 1000
                for name, start, end in f.evaluate(
                        "performance.getEntriesByType('resource').map(e => "
                        "[e.name, e.startTime, e.responseEnd])"):
                    events.append((forigin + end / 1000 - t0,
                                   f"iframe res {name.rsplit('/', 1)[-1][:40]} "
                                   f"({(end - start):.0f} ms)"))
                events.append((forigin - t0, "iframe: navigation start"))
                for name, start, end in page.evaluate(
                        "performance.getEntriesByType('resource').map(e => "
                        "[e.name, e.startTime, e.responseEnd])"):
                    if end - start > 50:
                        events.append((origin + end / 1000 - t0,
                                       f"page res {name.rsplit('/', 1)[-1][:40]} "
                                       f"({(end - start):.0f} ms)"))
                ctx.close()
                if a.changed:
                    time.sleep(8)
        finally:
            browser.close()
    n_delta = 0
    for t, what in sorted(events):
        if what.startswith("page res") and not a.resources:
            continue
        if what.startswith("ws delta") and not any(k in what for k in (
                "component", "vega", "arrow")) and not a.deltas:
            n_delta += 1
            continue
        print(f"{t:7.2f}  {what}" + (f"  (+{n_delta} deltas)" if n_delta else ""))
        n_delta = 0
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
