"""How cost grows with the corpus: extraction and the dashboard at scale (run by hand).

    .venv/bin/python bench/bench_scale.py extract   [--sizes 100 1000 10000]
    .venv/bin/python bench/bench_scale.py dashboard [--sizes 1000 10000 100000] [--steps 8]

``extract``: for N synthetic articles (bench/corpus.py), each in a fresh process:
  cold      process start -> imports, gazetteer, extraction of all N (no cache): articles/s
            (the world-gazetteer index is built once per data folder and then loaded from
            its cache file; "first ever" is a process that builds it)
  warm      the same N again in that process, no cache: articles/s on one core
  peak RSS  of that process (resource.getrusage)
  first run ``pipeline.run`` from scratch (read, date inference, extraction, merge, geocode)
  restart   a new process running ``pipeline.run`` over the unchanged corpus: wall time
            including Python start and imports, and the part inside ``run``.

``dashboard``: for 1k/10k/100k synthetic events (bench/corpus.py make_events), our
dashboard (``NEWSMAP_EVENTS=events.jsonl streamlit run dashboard.py``) and the naive one
(bench/naive_app.py: a new folium.Map with every marker of the step, passed whole to
st_folium) are started and driven in headless Chromium (Debian's, via playwright):
  start     ``streamlit run`` -> the first page's map drawn (server start + first run)
  step      click "Next" (mousedown) -> the map shows the next date (first animation frame
            where it does, both stamped by the page); median and max over --steps clicks,
            in "this date only" mode and in "up to this date" mode (the default, which shows
            the whole past: thousands of events)
  bytes     websocket payload the browser received for a step (Streamlit's deltas; the
            wire may be smaller with permessage-deflate)
  memory    peak RSS of the Streamlit server process (VmHWM), and the page's JS heap
A step that takes longer than --step-timeout seconds ends that app's series.
Screenshots of our map land in artifacts/scale-<n>-<mode>.png.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.gettempdir()) / "newsmap-scale"
PY = sys.executable


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    return (f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


# ---- extraction -------------------------------------------------------------------------

_CHILD = r'''
import json, os, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from geo import articles, gazetteer, pipeline
gazetteer.name_table()
loaded = time.perf_counter() - t0
docs, _ = articles.read_paths([sys.argv[2]])
docs = articles.infer_missing_dates(docs)
t = time.perf_counter()
pipeline.extract_all(docs, None)
first = time.perf_counter() - t
cold_total = time.perf_counter() - t0
t = time.perf_counter()
evs = pipeline.extract_all(docs, None)
warm = time.perf_counter() - t
print(json.dumps({"n": len(docs), "load_s": loaded, "cold_total_s": cold_total,
                  "first_pass_s": first, "warm_s": warm, "events": len(evs),
                  "words": sum(len(d.text.split()) for d in docs),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

_RUN = r'''
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from geo import pipeline
t = time.perf_counter()
r = pipeline.run([sys.argv[2]])
print(json.dumps({"run_s": time.perf_counter() - t, "total_s": time.perf_counter() - t0,
                  "events": len(r.events),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def _child(code: str, *args: str, env: dict | None = None) -> dict:
    t = time.perf_counter()
    out = subprocess.run([PY, "-c", code, str(ROOT), *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall_s"] = time.perf_counter() - t
    return res


def corpus(n: int) -> Path:
    from bench import corpus as gen

    d = WORK / f"articles-{n}"
    if not (d.exists() and len(list(d.glob("*.txt"))) == n):
        gen.make_articles(n, d)
    return d


def bench_extract(sizes: list[int]) -> list[dict]:
    rows = []
    for n in sizes:
        d = corpus(n)
        home = tempfile.mkdtemp(prefix="newsmap-scale-home-")
        # the world-gazetteer index is built once per home (a cache file); build it first
        index = _child("import sys; sys.path.insert(0, sys.argv[1]); from geo import gazetteer;"
                       " gazetteer.name_table(); print('{}')", env={"NEWSMAP_HOME": home})
        ex = _child(_CHILD, str(d), env={"NEWSMAP_HOME": home})
        first = _child(_RUN, str(d), env={"NEWSMAP_HOME": home})
        restart = _child(_RUN, str(d), env={"NEWSMAP_HOME": home})
        row = {
            "n": n, "words_per_article": ex["words"] / ex["n"], "events": first["events"],
            "load_s": ex["load_s"], "first_ever_load_s": index["wall_s"],
            "cold_aps": ex["n"] / ex["cold_total_s"],
            "warm_aps": ex["n"] / ex["warm_s"],
            "rss_mb": ex["rss_mb"],
            "first_run_s": first["run_s"], "first_run_rss_mb": first["rss_mb"],
            "restart_wall_s": restart["wall_s"], "restart_run_s": restart["run_s"],
        }
        rows.append(row)
        print(f"N={n:>6}: {row['words_per_article']:.0f} words/article, {row['events']} events;"
              f" cold {row['cold_aps']:.0f} art/s (load {row['load_s']:.2f} s; first ever "
              f"{row['first_ever_load_s']:.1f} s), "
              f"warm {row['warm_aps']:.0f} art/s/core, peak RSS {row['rss_mb']:.0f} MB; "
              f"first full run {row['first_run_s']:.1f} s (RSS {row['first_run_rss_mb']:.0f} MB);"
              f" restart {row['restart_wall_s']:.2f} s wall, {row['restart_run_s']:.3f} s in run",
              flush=True)
    return rows


# ---- dashboard ----------------------------------------------------------------------------


def events_file(n: int) -> Path:
    from bench import corpus as gen

    p = WORK / f"events-{n}.jsonl"
    if not p.exists():
        gen.write_events(gen.make_events(n), p)
    return p


@contextlib.contextmanager
def serve(script: Path, env: dict, timeout: float = 120.0):
    """geo.snapshot's server, plus the process (memory) and its start time."""
    from geo.snapshot import start_server

    t0 = time.perf_counter()
    with start_server(script, env=env, timeout=timeout, poll=0.05) as (base, proc):
        yield base, proc, t0


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


IFRAME = "iframe[title='streamlit_folium.st_folium']"
# JS: does the map iframe show this step yet? (survives iframe remounts). Checked on every
# animation frame inside the page; the first frame where it holds is stamped in the page, so
# the step time is page clock to page clock (mousedown -> drawn), without Playwright's lag.
_SHOWN = """([sel, want]) => {{ const f = document.querySelector(sel);
    const d = f && f.contentDocument; const b = d && d.querySelector('{q}');
    const ok = !!b && {test};
    if (ok && !window.__shownAt) window.__shownAt = Date.now();
    return ok; }}"""
SHOWS = {
    "ours": _SHOWN.format(q=".nm-banner-date", test="b.textContent === want"),
    "naive": _SHOWN.format(q=".naive-date", test="b.dataset.date === want"),
}
_CLICK_HOOK = ("document.addEventListener('mousedown', () => { window.__clickAt = Date.now(); },"
               " true)")


def settle(page, timeout_ms: float) -> None:
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=timeout_ms)
    page.wait_for_timeout(250)


def run_app(p, app: str, n: int, evfile: Path, dates: list[str], modes: list[str],
            steps: int, step_timeout: float) -> dict:
    from geo import snapshot as snap
    from geo.timeline import date_label

    script = ROOT / ("dashboard.py" if app == "ours" else "bench/naive_app.py")
    home = tempfile.mkdtemp(prefix="newsmap-scale-dash-")
    env = {"NEWSMAP_EVENTS": str(evfile), "NEWSMAP_HOME": home, "NEWSMAP_ONLINE": "0"}
    want = (lambda d: date_label(d)) if app == "ours" else (lambda d: d)
    start_i = len(dates) // 2
    out: dict = {"app": app, "n": n, "modes": {}}
    browser = snap.launch(p)
    try:
        with serve(script, env) as (base, proc, t0):
            for mode in modes:
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                page = ctx.new_page()
                received = [0]

                def on_ws(ws, received=received):
                    ws.on("framereceived", lambda payload, r=received: r.__setitem__(
                        0, r[0] + len(payload)))

                page.on("websocket", on_ws)
                cdp = ctx.new_cdp_session(page)
                cdp.send("Performance.enable")
                d0 = dates[start_i]
                t_open = time.perf_counter()
                page.goto(f"{base}/?mode={mode}&date={d0}", wait_until="commit")
                res: dict = {"steps": [], "bytes": [], "timeout": None}
                try:
                    page.wait_for_function(SHOWS[app], arg=[IFRAME, want(d0)],
                                           timeout=step_timeout * 1000 * 2, polling=50)
                    now = time.perf_counter()
                    res["open_s"] = now - t_open
                    if mode == modes[0]:
                        out["start_s"] = now - t0  # streamlit run -> first map drawn
                    settle(page, step_timeout * 1000)
                except Exception as exc:  # noqa: BLE001  (report, do not crash the run)
                    res["timeout"] = f"first view > {step_timeout * 2:.0f} s ({type(exc).__name__})"
                    out["modes"][mode] = res
                    ctx.close()
                    continue
                if app == "ours" and n >= 10_000:
                    (ROOT / "artifacts").mkdir(exist_ok=True)
                    page.screenshot(path=str(ROOT / "artifacts" / f"scale-{n}-{mode}.png"))
                page.evaluate(_CLICK_HOOK)
                for k in range(1, steps + 1):
                    nxt = dates[start_i + k]
                    b0 = received[0]
                    page.evaluate("window.__shownAt = 0; window.__clickAt = 0")
                    page.get_by_role("button", name="Next ▶").click()
                    try:
                        page.wait_for_function(SHOWS[app], arg=[IFRAME, want(nxt)],
                                               timeout=step_timeout * 1000, polling="raf")
                    except Exception:  # noqa: BLE001
                        res["timeout"] = f"step > {step_timeout:.0f} s"
                        break
                    shown_at, click_at = page.evaluate("[window.__shownAt, window.__clickAt]")
                    res["steps"].append((shown_at - click_at) / 1000)
                    try:
                        settle(page, step_timeout * 1000)
                    except Exception:  # noqa: BLE001
                        res["timeout"] = f"rerun did not end in {step_timeout:.0f} s"
                        break
                    res["bytes"].append(received[0] - b0)
                with contextlib.suppress(Exception):
                    m = {x["name"]: x["value"]
                         for x in cdp.send("Performance.getMetrics")["metrics"]}
                    res["js_heap_mb"] = m.get("JSHeapUsedSize", 0) / 1e6
                    res["dom_nodes"] = m.get("Nodes")
                out["modes"][mode] = res
                ctx.close()
            out["server_hwm_mb"] = vm_hwm_mb(proc.pid)
    finally:
        browser.close()
    return out


def summarize(r: dict) -> str:
    lines = [f"{r['app']:>5} n={r['n']:>6}: start {r.get('start_s', float('nan')):.2f} s, "
             f"server peak RSS {r.get('server_hwm_mb', float('nan')):.0f} MB"]
    for mode, m in r["modes"].items():
        if m["steps"]:
            med = statistics.median(m["steps"]) * 1000
            mx = max(m["steps"]) * 1000
            kb = statistics.median(m["bytes"]) / 1000 if m["bytes"] else float("nan")
            lines.append(f"        {mode:>4}: step {med:.0f} ms median, {mx:.0f} ms max over "
                         f"{len(m['steps'])}; {kb:.1f} kB/step; JS heap "
                         f"{m.get('js_heap_mb', float('nan')):.0f} MB, "
                         f"{m.get('dom_nodes')} DOM nodes"
                         + (f"; then {m['timeout']}" if m["timeout"] else ""))
        else:
            lines.append(f"        {mode:>4}: {m['timeout']}")
    return "\n".join(lines)


def bench_dashboard(sizes: list[int], steps: int, step_timeout: float,
                    apps: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        for n in sizes:
            evfile = events_file(n)
            with open(evfile, encoding="utf-8") as f:
                dates = sorted({json.loads(line)["date"] for line in f})
            for app in apps:
                r = run_app(p, app, n, evfile, dates, ["date", "upto"], steps, step_timeout)
                rows.append(r)
                print(summarize(r), flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["extract", "dashboard"])
    ap.add_argument("--sizes", type=int, nargs="*")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--step-timeout", type=float, default=60.0)
    ap.add_argument("--apps", nargs="*", default=["ours", "naive"])
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    if a.what == "extract":
        rows = bench_extract(a.sizes or [100, 1000, 10000])
    else:
        rows = bench_dashboard(a.sizes or [1000, 10000, 100000], a.steps, a.step_timeout,
                               a.apps)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
