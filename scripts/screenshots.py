"""The README's dashboard screenshots, made by the app itself in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs]

Serves the dashboard on the seeds (offline: NEWSMAP_TILES=off, so the picture does not
depend on the network), opens 22 July 2023 in "up to this date" mode at 1400, 1024 and
800 px wide, and writes docs/dashboard-<width>.png (the whole window: sidebar, controls,
map, chart and feed). The map frame alone is `python -m geo snapshot`'s job.

``--step`` also presses "◀ Previous" with the map's report to the server held back:
docs/dashboard-<width>-step.png shows the step as the browser draws it (the map, the feed
drawn from the map's payload, the slider; NM.setupNav in geo/static/newsmap.js).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import snapshot as snap  # noqa: E402

SIZES = ((1400, 900), (1024, 800), (800, 1000))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--date", default="2023-07-22")
    ap.add_argument("--step", action="store_true",
                    help="also shoot right after a press of Previous (the browser's step)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    home = os.environ.get("NEWSMAP_HOME") or tempfile.mkdtemp(prefix="newsmap-shots-")
    env = {"NEWSMAP_HOME": home, "NEWSMAP_PATHS": str(ROOT / "seeds"), "NEWSMAP_ONLINE": "0",
           "NEWSMAP_TILES": "off"}
    with snap.serve(env=env) as base, sync_playwright() as p:
        browser = snap.launch(p)
        try:
            for width, height in SIZES:
                ctx = browser.new_context(viewport={"width": width, "height": height})
                page = ctx.new_page()
                page.goto(snap.view_url(base, args.date, "upto", snapshot=False),
                          wait_until="domcontentloaded")
                snap.wait_for_view(page, args.date)
                page.wait_for_timeout(800)
                out = args.out / f"dashboard-{width}.png"
                page.screenshot(path=str(out))
                print(out)
                if args.step:
                    # the map holds its report back (as if one were on its way), so the
                    # shot shows the step as the browser drew it, before the server knows
                    frame = page.query_selector(snap.MAP_IFRAME).content_frame()
                    frame.evaluate("() => { NM.nav.inflight = true; }")
                    page.evaluate("() => document.querySelector('.st-key-prev button').click()")
                    page.wait_for_timeout(800)
                    out = args.out / f"dashboard-{width}-step.png"
                    page.screenshot(path=str(out))
                    print(out, page.evaluate(
                        "() => document.querySelector('.nm-feed-local') ? 'browser-drawn feed'"
                        " : 'the server had answered'"))
                ctx.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
