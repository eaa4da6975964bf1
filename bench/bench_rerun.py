"""What a dashboard rerun costs with N articles read as articles (run by hand, not in CI).

    git show 72dc52e:dashboard.py > /tmp/dashboard_before.py    # the dashboard before
    .venv/bin/python bench/bench_rerun.py --n 10000 --before-app /tmp/dashboard_before.py \
        --browser

Three measurements, each configuration in its own fresh process, rounds interleaved,
medians reported:

* ``signature``: ``pipeline.inputs_signature`` over the corpus folder, a full listing
  (``max_age=0``: what every rerun paid before) and the cached recheck.
* ``app``: a step (Previous) in Streamlit's AppTest, with the dashboard reading N synthetic
  articles (``bench/corpus.py``; ~5% undated, some of them dated by inference) and N
  synthetic events through a stand-in ``geo.pipeline`` (extraction is not what is measured
  here). Wall and CPU time of the script rerun, elements and protobuf bytes the sidebar
  and the whole page send, then the cost of Streamlit's post-run ``gc.collect(2)`` in that
  process state (AppTest's runner skips the collection, so it is timed right after the run,
  as a server with ``runner.postScriptGC`` on would run it).
* ``--browser``: the same app under a real ``streamlit run`` server, Next clicked in
  headless Chromium (``/usr/bin/chromium``): mousedown to the map's date banner showing the
  new date (page clock), websocket bytes and server CPU (``/proc``: utime + stime, the
  post-run collection included) per step.
* configurations: ``before`` = the given old dashboard, full signature each rerun, post-run
  collection on; ``after`` = ``dashboard.py`` as it is (cached signature, ``gc.freeze()``
  after the load), with the collection on and off (``.streamlit/config.toml``).

Public tools only: time.perf_counter, time.process_time, Streamlit's AppTest.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
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
WORK = Path(tempfile.gettempdir()) / "newsmap-rerun"


def machine() -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def corpus(n: int) -> Path:
    out = WORK / f"corpus-{n}"
    if not (out / ".done").exists():
        sys.path.insert(0, str(ROOT / "bench"))
        import corpus as corpus_mod

        corpus_mod.make_articles(n, out)
        (out / ".done").write_text("")
    return out


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# ---- children (one configuration each, fresh process) -----------------------------------


def child_signature(n: int, calls: int) -> dict:
    from geo import pipeline

    folder = str(corpus(n))
    full, cached = [], []
    for _ in range(calls):
        t = time.perf_counter()
        a = pipeline.inputs_signature([folder], max_age=0)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = pipeline.inputs_signature([folder])
        cached.append(time.perf_counter() - t)
        assert a == b
    return {"files": len(os.listdir(folder)), "full_ms": med(full) * 1e3,
            "cached_ms": med(cached) * 1e3}


def _fake_pipeline(result, full_signature: bool):
    """geo.pipeline for the app: run() returns the prepared result; the real signature."""
    import types

    from geo import pipeline

    mod = types.ModuleType("geo.pipeline")
    if full_signature:
        mod.inputs_signature = lambda paths: pipeline.inputs_signature(paths, max_age=0)
    else:
        mod.inputs_signature = pipeline.inputs_signature
    mod.run = lambda paths, **kw: result
    mod.Result = pipeline.Result
    return mod


def _walk(node):
    yield node
    for c in (getattr(node, "children", None) or {}).values():
        yield from _walk(c)


def _weight(block) -> tuple[int, int]:
    """(elements, protobuf bytes) under an AppTest block."""
    n = size = 0
    for node in _walk(block):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ByteSize"):
            continue
        if not getattr(node, "children", None):
            n += 1
        size += proto.ByteSize()
    return n, size


def _events(n: int) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus as corpus_mod

    return corpus_mod.make_events(n)


def prepared(n: int):
    """(Result of the N corpus articles and N synthetic events, the corpus folder)."""
    from geo import articles, pipeline

    folder = corpus(n)
    arts, problems = articles.read_paths([folder])
    arts = articles.infer_missing_dates(arts)
    return pipeline.Result(articles=arts, events=_events(n), problems=problems), folder


def install(n: int, full_signature: bool) -> None:
    """The stand-in geo.pipeline, once per process (the browser mode's server)."""
    if getattr(sys.modules.get("geo.pipeline"), "_bench", False):
        return
    result, _folder = prepared(n)
    mod = _fake_pipeline(result, full_signature)
    mod._bench = True
    sys.modules["geo.pipeline"] = mod


def child_app(n: int, app: str, full_signature: bool, steps: int) -> dict:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    result, folder = prepared(n)
    arts = result.articles
    home = Path(tempfile.mkdtemp(prefix="nm-rerun-home-"))
    os.environ.update(NEWSMAP_HOME=str(home), NEWSMAP_PATHS=str(folder), NEWSMAP_ONLINE="0")
    os.environ.pop("NEWSMAP_EVENTS", None)
    sys.modules["geo.pipeline"] = _fake_pipeline(result, full_signature)
    config.get_option("runner.postScriptGC")  # parse the config files first
    config.set_option("runner.postScriptGC", False)  # AppTest never collects; timed below
    result = None

    at = AppTest.from_file(app, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    wall, cpu, gc_ms = [], [], []
    for _ in range(steps):
        w, c = time.perf_counter(), time.process_time()
        at.button(key="prev").click().run()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        assert not at.exception, [e.value for e in at.exception]
        t = time.perf_counter()
        gc.collect(2)  # what Streamlit's runner does after each run with postScriptGC on
        gc_ms.append((time.perf_counter() - t) * 1e3)
    side_n, side_b = _weight(at.sidebar)
    main_n, main_b = _weight(at.main)
    undated = sum(a.date is None for a in arts)
    inferred = sum(a.date_source == "inferred" for a in arts)
    return {"articles": len(arts), "undated": undated, "inferred": inferred,
            "step_wall_ms": med(wall) * 1e3, "step_cpu_ms": med(cpu) * 1e3,
            "post_gc_ms": med(gc_ms), "sidebar_elements": side_n, "sidebar_bytes": side_b,
            "page_elements": side_n + main_n, "page_bytes": side_b + main_b,
            "frozen": gc.get_freeze_count()}


# ---- in Chromium: a real server, its post-run collection, the websocket ----------------

WRAPPER = """import runpy, sys
sys.path[:0] = [{root!r}, {bench!r}]
import bench_rerun
bench_rerun.install({n}, {full})
runpy.run_path({app!r}, run_name="__main__")
"""
SHOWN = """(want) => {{ const f = document.querySelector("{iframe}");
    const d = f && f.contentDocument; const b = d && d.querySelector('.nm-banner-date');
    const ok = !!b && b.textContent === want;
    if (ok && !window.__shownAt) window.__shownAt = Date.now();
    return ok; }}"""


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_browser(n: int, app: str, full_signature: bool, post_gc: bool, steps: int) -> dict:
    """Next clicks in headless Chromium: mousedown -> the map's date banner changed (page
    clock), websocket bytes and server CPU (utime + stime, post-run collection included)
    per step."""
    from playwright.sync_api import sync_playwright

    from geo import snapshot as snap
    from geo.timeline import date_label

    folder = corpus(n)
    dates = sorted({e.date for e in _events(n) if e.date})
    script = WORK / f"app-{Path(app).stem}-{os.getpid()}.py"
    script.write_text(WRAPPER.format(root=str(ROOT), bench=str(ROOT / "bench"), n=n,
                                     full=full_signature, app=str(app)))
    env = {"NEWSMAP_HOME": tempfile.mkdtemp(prefix="nm-rerun-home-"),
           "NEWSMAP_PATHS": str(folder), "NEWSMAP_ONLINE": "0",
           "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if post_gc else "false"}
    shown = SHOWN.format(iframe=snap.MAP_IFRAME.replace('"', "'"))
    start = len(dates) // 2
    step_ms, kb = [], []
    with sync_playwright() as p:
        browser = snap.launch(p)
        try:
            with snap.start_server(script, env=env, timeout=300) as (base, proc):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                got = [0]
                page.on("websocket", lambda ws: ws.on(
                    "framereceived", lambda m: got.__setitem__(0, got[0] + len(m))))
                page.goto(f"{base}/?date={dates[start]}&mode=date", timeout=300_000)
                page.wait_for_function(shown, arg=date_label(dates[start]), timeout=300_000)
                settle = "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
                page.wait_for_function(settle, timeout=60_000)
                page.wait_for_timeout(500)
                page.evaluate("document.addEventListener('mousedown', () => "
                              "{ window.__clickAt = Date.now(); }, true)")
                cpu0 = cpu_s(proc.pid)
                for k in range(1, steps + 1):
                    b0 = got[0]
                    page.evaluate("window.__shownAt = 0; window.__clickAt = 0")
                    page.get_by_role("button", name="Next ▶").click()
                    page.wait_for_function(shown, arg=date_label(dates[start + k]),
                                           timeout=60_000, polling="raf")
                    shown_at, click_at = page.evaluate("[window.__shownAt, window.__clickAt]")
                    step_ms.append(shown_at - click_at)
                    page.wait_for_function(settle, timeout=60_000)
                    page.wait_for_timeout(300)  # the post-run collection ends after the run
                    kb.append((got[0] - b0) / 1e3)
                cpu = (cpu_s(proc.pid) - cpu0) / steps
        finally:
            browser.close()
            script.unlink(missing_ok=True)
    return {"step_ms": med(step_ms), "step_max_ms": max(step_ms), "ws_kb": med(kb),
            "server_cpu_ms": cpu * 1e3}


# ---- driver ----------------------------------------------------------------------------


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "child", *args], check=True,
                         capture_output=True, text=True, cwd=WORK)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all", choices=["all", "child"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--before-app", help="the old dashboard.py, e.g. from `git show`")
    ap.add_argument("--browser", action="store_true",
                    help="also step in headless Chromium against a real server")
    opts = ap.parse_args()
    if opts.what == "child":
        kind, *rest = opts.args
        if kind == "signature":
            got = child_signature(opts.n, 15)
        elif kind == "browser":
            app, sig, post_gc = rest
            got = child_browser(opts.n, app, sig == "full", post_gc == "on", opts.steps)
        else:
            app, sig = rest
            got = child_app(opts.n, app, sig == "full", opts.steps)
        print(json.dumps(got))
        return 0

    WORK.mkdir(parents=True, exist_ok=True)
    corpus(opts.n)
    configs = {"after": (str(ROOT / "dashboard.py"), "cached")}
    if opts.before_app:
        configs = {"before": (str(Path(opts.before_app).resolve()), "full"), **configs}
    print(f"{machine()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
          f"N = {opts.n:,}; {opts.rounds} rounds x {opts.steps} steps")
    sigs, apps = [], {k: [] for k in configs}
    for r in range(opts.rounds):
        sigs.append(run_child("signature", f"--n={opts.n}"))
        for name, (app, sig) in configs.items():
            apps[name].append(run_child("app", app, sig, f"--n={opts.n}",
                                        f"--steps={opts.steps}"))
            print(f"  round {r + 1} {name}: {apps[name][-1]}", flush=True)
    if opts.browser:
        bconfigs = {"after, post-run collection off": (str(ROOT / "dashboard.py"), "cached",
                                                        "off"),
                    "after, post-run collection on": (str(ROOT / "dashboard.py"), "cached",
                                                       "on")}
        if opts.before_app:
            bconfigs = {"before": (str(Path(opts.before_app).resolve()), "full", "on"),
                        **bconfigs}
        brows = {k: [] for k in bconfigs}
        for r in range(opts.rounds):
            for name, (app, sig, post_gc) in bconfigs.items():
                brows[name].append(run_child("browser", app, sig, post_gc, f"--n={opts.n}",
                                             f"--steps={opts.steps}"))
                print(f"  round {r + 1} browser {name}: {brows[name][-1]}", flush=True)
    print(f"inputs_signature over {sigs[0]['files']:,} files: full listing "
          f"{med([s['full_ms'] for s in sigs]):.1f} ms, cached recheck "
          f"{med([s['cached_ms'] for s in sigs]):.3f} ms")
    for name, rows in apps.items():
        m = {k: med([r[k] for r in rows]) for k in rows[0]}
        print(f"{name}: step {m['step_wall_ms']:.0f} ms wall / {m['step_cpu_ms']:.0f} ms CPU, "
              f"post-run gc.collect(2) {m['post_gc_ms']:.0f} ms, sidebar "
              f"{m['sidebar_elements']:.0f} elements / {m['sidebar_bytes'] / 1e3:.0f} kB, "
              f"page {m['page_elements']:.0f} elements / {m['page_bytes'] / 1e3:.0f} kB "
              f"({m['undated']:.0f} undated + {m['inferred']:.0f} inferred articles)")
    if opts.browser:
        for name, rows in brows.items():
            m = {k: med([r[k] for r in rows]) for k in rows[0]}
            worst = max(r["step_max_ms"] for r in rows)
            print(f"Chromium, {name}: Next click -> banner {m['step_ms']:.0f} ms (median of "
                  f"{opts.rounds} runs' medians; worst step {worst:.0f} ms), "
                  f"websocket {m['ws_kb']:.0f} kB/step, server CPU "
                  f"{m['server_cpu_ms']:.0f} ms/step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
