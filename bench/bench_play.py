"""Play timing in Chromium: how often the map's date banner really changes while playing.

    .venv/bin/python bench/bench_play.py [--speed "0.5 s"] [--seconds 12] [--events N]
        [--root /path/to/another/checkout]

Starts the dashboard on the seeds (cache filled first), or on N synthetic events
(``--events``: NEWSMAP_EVENTS=events-N.jsonl, bench/corpus.py), opens it in headless
Chromium (Debian's), picks the speed, presses Play and records, from a requestAnimationFrame
loop in the page (so at painted frames), each moment the banner inside the map frame
changes. Prints the median and spread of the banner's intervals, and how many painted frames
the map's banner and the feed's visible heading showed different dates, and the map and the
slider's thumb. ``--root``: the dashboard of another checkout (before/after). Run by hand;
not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import snapshot as snap  # noqa: E402

WATCH = """() => {
  window.__nm = {banner: [], frames: 0, disagree: 0, slider_disagree: 0};
  let last = null;
  // "22 July 2023" and "22 Jul 2023" name the same date: compare 3 letters a word
  const norm = t => t.trim().split(/\\s+/).map(w => w.slice(0, 3)).join(' ');
  const tick = () => {
    const f = document.querySelector("iframe[title='streamlit_folium.st_folium']");
    const b = f && f.contentDocument && f.contentDocument.querySelector('.nm-banner');
    const text = b ? b.textContent : null;
    if (text !== last) { window.__nm.banner.push([performance.now(), text]); last = text; }
    // the map's date, the feed's date (its visible heading) and the slider's, at this frame
    const md = f && f.contentDocument && f.contentDocument.querySelector('.nm-banner-date');
    const head = [...document.querySelectorAll('.nm-feed-head')].find(
      n => n.offsetParent !== null);
    const fd = head && head.firstChild ? head.firstChild.textContent.trim() : null;
    if (md && fd && md.textContent.trim() !== fd) window.__nm.disagree += 1;
    const sv = document.querySelector('.stSlider [data-testid=stSliderThumbValue]');
    if (md && sv && norm(md.textContent) !== norm(sv.textContent))
      window.__nm.slider_disagree += 1;
    window.__nm.frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--speed", default="0.5 s")
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--events", type=int, help="N synthetic events instead of the seeds")
    ap.add_argument("--root", type=Path, help="the dashboard of another checkout")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from geo import pipeline

    home = tempfile.mkdtemp(prefix="newsmap-play-")
    os.environ["NEWSMAP_HOME"] = home
    env = {"NEWSMAP_HOME": home, "NEWSMAP_TILES": "off"}
    if args.events:
        from bench.bench_scale import events_file

        env["NEWSMAP_EVENTS"] = str(events_file(args.events))
    else:
        pipeline.run([snap.SEEDS_DIR])
    script = (args.root or ROOT) / "dashboard.py"
    with snap.serve(script, env=env, timeout=180) as base, sync_playwright() as p:
        browser = snap.launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        first = "&date=2024-01-01" if args.events else ""  # the first date: a long play
        page.goto(f"{base}/?mode=date{first}", wait_until="networkidle")
        page.wait_for_selector(snap.MAP_IFRAME, timeout=180_000)
        snap.wait_for_view(page, None, timeout_ms=180_000)
        page.wait_for_timeout(3000)
        box = page.locator(".st-key-speed input").first
        box.click()
        page.get_by_role("option", name=args.speed, exact=True).click()
        page.wait_for_timeout(1500)
        page.evaluate(WATCH)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(args.seconds * 1000)
        data = page.evaluate("window.__nm")
        # ticks that had to wait for their step's payload (the dashboard's own count)
        data["waited"] = page.frame_locator(snap.MAP_IFRAME).locator("body").evaluate(
            "() => (window.NM && NM.nav) ? NM.nav.waited : null")
        browser.close()
    times = [t for t, _ in data["banner"][1:]]  # the first entry is the state before Play
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    out = {"speed": args.speed, "changes": len(times),
           "median_ms": round(statistics.median(gaps)) if gaps else None,
           "min_ms": round(min(gaps)) if gaps else None,
           "max_ms": round(max(gaps)) if gaps else None,
           "frames": data["frames"], "frames_map_and_feed_disagree": data["disagree"],
           "frames_map_and_slider_disagree": data["slider_disagree"],
           "ticks_that_waited_for_a_payload": data["waited"],
           "events": args.events or "seeds", "root": str(args.root or ROOT),
           "load": os.getloadavg()[0]}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
