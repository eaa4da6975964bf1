"""Play timing in Chromium: how often the map's date banner really changes while playing.

    .venv/bin/python bench/bench_play.py [--speed "0.5 s"] [--seconds 12]

Starts the dashboard on the seeds (cache filled first), opens it in headless Chromium
(Debian's), picks the speed, presses Play and records, from a requestAnimationFrame loop in
the page (so at painted frames), each moment the banner inside the map frame and the
slider's date change. Prints the median and spread of the banner's intervals, and how many
frames the banner and the selected date disagreed. Run by hand; not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import snapshot as snap  # noqa: E402

WATCH = """() => {
  window.__nm = {banner: [], frames: 0, disagree: 0};
  let last = null;
  const tick = () => {
    const f = document.querySelector("iframe[title='streamlit_folium.st_folium']");
    const b = f && f.contentDocument && f.contentDocument.querySelector('.nm-banner');
    const text = b ? b.textContent : null;
    if (text !== last) { window.__nm.banner.push([performance.now(), text]); last = text; }
    // the map's date and the feed's date at this frame
    const md = f && f.contentDocument && f.contentDocument.querySelector('.nm-banner-date');
    const head = document.querySelector('.nm-feed-head');
    const fd = head && head.firstChild ? head.firstChild.textContent.trim() : null;
    if (md && fd && md.textContent.trim() !== fd) window.__nm.disagree += 1;
    window.__nm.frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--speed", default="0.5 s")
    ap.add_argument("--seconds", type=float, default=12.0)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from geo import pipeline

    home = tempfile.mkdtemp(prefix="newsmap-play-")
    os.environ["NEWSMAP_HOME"] = home
    pipeline.run([snap.SEEDS_DIR])
    with snap.serve(env={"NEWSMAP_HOME": home}) as base, sync_playwright() as p:
        browser = snap.launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/?mode=date", wait_until="networkidle")
        page.wait_for_selector(snap.MAP_IFRAME, timeout=60_000)
        page.wait_for_timeout(3000)
        box = page.locator(".st-key-speed input").first
        box.click()
        page.get_by_role("option", name=args.speed, exact=True).click()
        page.wait_for_timeout(1500)
        page.evaluate(WATCH)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(args.seconds * 1000)
        data = page.evaluate("window.__nm")
        browser.close()
    times = [t for t, _ in data["banner"][1:]]  # the first entry is the state before Play
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    out = {"speed": args.speed, "changes": len(times),
           "median_ms": round(statistics.median(gaps)) if gaps else None,
           "min_ms": round(min(gaps)) if gaps else None,
           "max_ms": round(max(gaps)) if gaps else None,
           "frames": data["frames"], "frames_map_and_feed_disagree": data["disagree"]}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
