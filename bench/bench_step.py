"""A step at the floor: click -> painted frame, ours against a trivial Streamlit app (by hand).

    .venv/bin/python bench/bench_step.py [--sizes seeds 10000 100000] [--modes date upto]
        [--steps 10] [--rounds 2] [--before /path/to/old/checkout] [--json out.json]

In one run, interleaved round by round on the same machine, in headless Chromium (Debian's):

  floor     bench/floor_app.py: one button, one line of text; a click reruns the script
  frame     one browser frame: the median requestAnimationFrame interval of the page
  ours      dashboard.py at the seeds (articles) and at N synthetic events
            (NEWSMAP_EVENTS=events-N.jsonl, bench/corpus.py), in "this date only" and "up to
            this date"
  before    the same dashboard from another checkout (--before), for the before/after table

Each step is a click on "Next ▶" (or "◀ Previous" at the last date). The page's own clock
(performance.now) is read at the mousedown (capture phase), at the first DOM change that
shows the new step (a MutationObserver: "DOM"), and at the first animation frame that has it
("frame", the clock stopped at the next painted frame). For the dashboard the step shows when
the date banner inside the map frame changes. After each step the app is left to settle (no
script running, 0.8 s at least: the dashboard tells Streamlit the date after a local step).
Medians per configuration per round, then the median over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_scale import events_file, machine  # noqa: E402
from geo import snapshot as snap  # noqa: E402

IFRAME = snap.MAP_IFRAME

# In the page: arm() records the mousedown, the first DOM change and the first frame that
# show a text other than `before` (read by `read`, a function of the page's document).
ARM = """([kind, before]) => {
  const read = kind === 'floor'
    ? () => { const n = document.querySelector('.floor-n'); return n ? n.textContent : null; }
    : () => { const f = document.querySelector("IFRAME");
              const b = f && f.contentDocument
                && f.contentDocument.querySelector('.nm-banner-date');
              return b ? b.textContent : null; };
  const s = window.__nmb = {t0: 0, dom: 0, frame: 0, text: null};
  const root = kind === 'floor' ? document.body
    : document.querySelector("IFRAME").contentDocument.body;
  const mo = new MutationObserver(() => {
    if (s.t0 && !s.dom && read() !== before) { s.dom = performance.now(); mo.disconnect(); }
  });
  mo.observe(root, {childList: true, subtree: true, characterData: true});
  const loop = () => {
    const t = read();
    if (s.t0 && t !== before) { s.frame = performance.now(); s.text = t; return; }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  if (!window.__nmbHook) {
    window.__nmbHook = true;
    document.addEventListener('mousedown', () => { if (window.__nmb && !window.__nmb.t0)
      window.__nmb.t0 = performance.now(); }, true);
  }
}""".replace("IFRAME", IFRAME)

FRAME_MS = """() => new Promise(done => { const ts = [];
  const f = t => { ts.push(t); if (ts.length < 61) requestAnimationFrame(f); else {
    const d = ts.slice(1).map((x, i) => x - ts[i]).sort((a, b) => a - b);
    done(d[Math.floor(d.length / 2)]); } };
  requestAnimationFrame(f); })"""

BANNER = ("() => { const f = document.querySelector(\"IFRAME\"); const b = f && f.contentDocument"
          " && f.contentDocument.querySelector('.nm-banner-date'); return b ? b.textContent :"
          " null; }").replace("IFRAME", IFRAME)


def settle(page, min_ms: int = 800) -> None:
    t = time.perf_counter()
    for _ in range(2):  # twice: the dashboard's own report of the date starts one more run
        page.wait_for_timeout(250)
        page.wait_for_function(
            "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=60_000)
    left = min_ms / 1000 - (time.perf_counter() - t)
    if left > 0:
        page.wait_for_timeout(left * 1000)


def run_steps(page, kind: str, steps: int, received: list) -> list[tuple[float, float, int]]:
    out = []
    direction = "Next ▶"
    for _ in range(steps):
        btn = page.get_by_role("button", name=direction)
        if btn.is_disabled():
            direction = "◀ Previous" if direction == "Next ▶" else "Next ▶"
            btn = page.get_by_role("button", name=direction)
        before = (page.eval_on_selector(".floor-n", "n => n.textContent") if kind == "floor"
                  else page.evaluate(BANNER))
        page.evaluate(ARM, [kind, before])
        b0 = received[0]
        btn.click()
        page.wait_for_function("() => window.__nmb.frame > 0", timeout=60_000, polling=50)
        s = page.evaluate("window.__nmb")
        settle(page)
        out.append((s["dom"] - s["t0"] if s["dom"] else float("nan"), s["frame"] - s["t0"],
                    received[0] - b0))
    return out


def one(p, app: str, size: str, mode: str, steps: int, before_root: Path | None) -> dict:
    home = tempfile.mkdtemp(prefix="newsmap-step-")
    env = {"NEWSMAP_HOME": os.environ.get("NEWSMAP_HOME_SEEDS", home), "NEWSMAP_ONLINE": "0",
           "NEWSMAP_TILES": "off"}
    if app == "floor":
        script = ROOT / "bench" / "floor_app.py"
    else:
        script = (before_root if app == "before" else ROOT) / "dashboard.py"
        if size != "seeds":
            env["NEWSMAP_EVENTS"] = str(events_file(int(size)))
    browser = snap.launch(p)
    try:
        with snap.serve(script, env=env, timeout=180) as base:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            received = [0]  # websocket bytes the page received (Streamlit's deltas)
            page.on("websocket", lambda ws: ws.on("framereceived", lambda m: received.__setitem__(
                0, received[0] + len(m))))
            if app == "floor":
                page.goto(base + "/", wait_until="domcontentloaded")
                page.wait_for_selector(".floor-n", timeout=60_000)
                settle(page, 1500)
            else:
                page.goto(f"{base}/?mode={mode}", wait_until="domcontentloaded")
                snap.wait_for_view(page, None, timeout_ms=180_000)
                settle(page, 1500)
                # from the middle of the dates: the slider's middle
                n = page.evaluate("+document.querySelector('.stSlider input').max")
                if n > 4:
                    page.locator(".stSlider [role=slider], .stSlider input").first.focus()
                    page.keyboard.press("Home")
                    for _ in range(n // 2):
                        page.keyboard.press("ArrowRight")
                    settle(page, 2500)
            frame_ms = page.evaluate(FRAME_MS)
            res = run_steps(page, "floor" if app == "floor" else "ours", steps, received)
            page.close()
    finally:
        browser.close()
    dom = [d for d, _, _ in res]
    frame = [f for _, f, _ in res]
    kb = [b / 1000 for _, _, b in res]
    return {"app": app, "size": size, "mode": mode, "dom_ms": dom, "frame_ms": frame,
            "kb_per_step": statistics.median(kb),
            "browser_frame_ms": frame_ms,
            "dom_p50": statistics.median(dom), "frame_p50": statistics.median(frame),
            "frame_max": max(frame), "load": os.getloadavg()[0]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="*", default=["seeds", "10000", "100000"])
    ap.add_argument("--modes", nargs="*", default=["date", "upto"])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--before", type=Path, help="another checkout: its dashboard.py as 'before'")
    ap.add_argument("--apps", nargs="*", default=None)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    apps = a.apps or (["floor", "ours"] + (["before"] if a.before else []))
    print(f"machine: {machine()}; load average {os.getloadavg()}", flush=True)
    rows = []
    with sync_playwright() as p:
        for r in range(a.rounds):
            for size in a.sizes:
                for mode in (a.modes if size != "seeds" else a.modes[:1]):
                    for app in apps:
                        if app == "floor" and (size != a.sizes[0] or mode != a.modes[0]):
                            continue
                        row = one(p, app, size, mode, a.steps, a.before)
                        row["round"] = r
                        rows.append(row)
                        print(f"round {r} {app:>6} {size:>6} {mode:>4}: DOM p50 "
                              f"{row['dom_p50']:.0f} ms, frame p50 {row['frame_p50']:.0f} ms "
                              f"(max {row['frame_max']:.0f}); {row['kb_per_step']:.0f} kB/step"
                              f" (websocket, the report's run included); browser frame "
                              f"{row['browser_frame_ms']:.1f} ms; load {row['load']:.2f}",
                              flush=True)
                        if a.json:
                            a.json.write_text(json.dumps(rows, indent=1))
    print("medians over rounds (frame p50 / DOM p50):")
    keys = sorted({(x["app"], x["size"], x["mode"]) for x in rows})
    for k in keys:
        rs = [x for x in rows if (x["app"], x["size"], x["mode"]) == k]
        print(f"  {k[0]:>6} {k[1]:>6} {k[2]:>4}: "
              f"{statistics.median(x['frame_p50'] for x in rs):.0f} / "
              f"{statistics.median(x['dom_p50'] for x in rs):.0f} ms over {len(rs)} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
