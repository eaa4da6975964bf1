"""Restart at the floor, and a year of news (issue 14; run by hand, not a timed test).

    .venv/bin/python bench/bench_year.py restart --articles 10000 --rounds 3
    .venv/bin/python bench/bench_year.py year --events 1000000 --steps 12 --rounds 2
    .venv/bin/python bench/bench_year.py profile --articles 10000   # where a restart goes

``restart``: N synthetic articles (bench/corpus.py) in ``--work``/articles-N, extracted once
into ``NEWSMAP_HOME`` (untimed). Then, in rounds whose order rotates (the machine is
shared), three fresh ``streamlit run`` processes, each timed from just before the process
is started to the first painted frame of its first map in a fresh Chromium page:
  bare       bench/bare_folium_app.py: one folium marker in st_folium (the floor)
  unchanged  dashboard.py over the unchanged corpus (NEWSMAP_PATHS=the folder)
  changed    dashboard.py after one article's text was changed (a new sentence each round);
             the server then stays up 8 s more (untimed) so that the run's cache rows, written
             once the page is out, are there for the next round

``year``: N synthetic events (bench/corpus.py make_events) written as a partitioned Parquet
folder (geo/parquet.py; JSONL with --format jsonl, which loads as Event objects: ~3 GB at a
million); ``NEWSMAP_EVENTS=folder streamlit run
dashboard.py``: time to the first painted map, then --steps "Next" clicks (mousedown to the
first painted frame after the map's banner shows the next date), websocket bytes a step,
and the Streamlit process's peak RSS (VmHWM) after the steps.

"Painted": a requestAnimationFrame loop in the page (an init script) checks the map
iframe on each frame; the clock stops at the frame *after* the one where the check first
holds, i.e. once that frame has been handed to the compositor. Start and stop are both
wall clocks of this machine (``time.time()`` / ``Date.now()``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable

from bench.bench_scale import machine, vm_hwm_mb  # noqa: E402

IFRAME = "iframe[title='streamlit_folium.st_folium']"

# In every page: on each animation frame, test window.__nmWant (a JS predicate over the map
# iframe's document); the first frame it holds sets __nmSeen, the next one stamps __nmAt.
WATCH = """(() => {
  if (window.top !== window) return;
  window.__nmAt = 0; window.__nmSeen = 0; window.__nmWant = null;
  const tick = () => {
    if (window.__nmSeen && !window.__nmAt) window.__nmAt = Date.now();
    else if (window.__nmWant && !window.__nmSeen) {
      const f = document.querySelector("IFRAME");
      const d = f && f.contentDocument;
      try { if (d && window.__nmWant(d)) window.__nmSeen = Date.now(); } catch (e) {}
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.addEventListener('mousedown', () => { window.__nmClick = Date.now(); }, true);
})();""".replace("IFRAME", IFRAME)

OURS_ANY = ("d => { const b = d.querySelector('.nm-banner-date'); "
            "return !!b && b.textContent.length > 0 && "
            "!!d.querySelector('#map_div[data-nm-step]'); }")
BARE = "d => !!d.querySelector('.leaflet-marker-icon')"


def ours_date(label: str) -> str:
    return ("d => { const b = d.querySelector('.nm-banner-date'); return !!b && "
            f"b.textContent === {json.dumps(label)}; }}")


@contextlib.contextmanager
def server(script: Path, env: dict, timeout: float = 600.0):
    from geo.snapshot import start_server

    with start_server(script, env=env, timeout=timeout, poll=0.02) as (base, proc):
        yield base, proc


def first_map(browser, script: Path, env: dict, want: str, timeout_s: float = 600.0,
              query: str = "", keep=None, linger_s: float = 0.0) -> dict:
    """``streamlit run`` -> first painted map, in a fresh browser context."""
    t0 = time.time()
    with server(script, env, timeout=timeout_s) as (base, proc):
        t_up = time.time()
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        ctx.add_init_script(WATCH)
        page = ctx.new_page()
        page.goto(f"{base}/{query}", wait_until="commit")
        page.evaluate("() => { window.__nmWant = " + want + "; }")
        page.wait_for_function("() => window.__nmAt > 0", timeout=timeout_s * 1000,
                               polling=100)
        at = page.evaluate("window.__nmAt") / 1000
        out = {"first_map_s": at - t0, "server_up_s": t_up - t0}
        if keep is not None:
            out.update(keep(page, proc) or {})
        out["server_hwm_mb"] = vm_hwm_mb(proc.pid)
        ctx.close()
        time.sleep(linger_s)  # untimed: the run's cache rows are written after the page
    return out


def settle(page, timeout_ms: float = 120_000) -> None:
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=timeout_ms)
    page.wait_for_timeout(300)


# ---- restart --------------------------------------------------------------------------------


def _extract_once(folder: Path, home: str) -> dict:
    code = ("import json, sys, time; sys.path.insert(0, sys.argv[1]); t = time.perf_counter();"
            "from geo import pipeline; r = pipeline.run([sys.argv[2]]);"
            "print(json.dumps({'events': len(r.events), 'articles': len(r.articles),"
            "'s': time.perf_counter() - t}))")
    out = subprocess.run([PY, "-c", code, str(ROOT), str(folder)], capture_output=True,
                         text=True, check=True, env={**os.environ, "NEWSMAP_HOME": home})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _change_one(folder: Path, round_no: int) -> str:
    """Change one article's text (a new closing sentence each round); returns its name."""
    f = sorted(folder.glob("*.txt"))[len(list(folder.glob("*.txt"))) // 2]
    text = f.read_text(encoding="utf-8").rstrip("\n").split("\n")
    text = [ln for ln in text if not ln.startswith("Update ")]
    text.append(f"Update {round_no} {time.time():.0f}: officials said the talks would "
                "resume next week.")
    f.write_text("\n".join(text) + "\n", encoding="utf-8")
    return f.name


def bench_restart(a) -> dict:
    from playwright.sync_api import sync_playwright

    from bench import corpus as gen
    from geo import snapshot as snap

    folder = a.work / f"articles-{a.articles}"
    if not (folder.exists() and len(list(folder.glob("*.txt"))) == a.articles):
        gen.make_articles(a.articles, folder)
    home = a.home
    t = time.perf_counter()
    filled = _extract_once(folder, home)
    print(f"corpus ready ({filled}, {time.perf_counter() - t:.1f} s)", flush=True)
    env = {"NEWSMAP_HOME": home, "NEWSMAP_PATHS": str(folder), "NEWSMAP_ONLINE": "0"}
    rows: dict[str, list[dict]] = {"bare": [], "unchanged": [], "changed": []}
    kinds = ["bare", "unchanged", "changed"]
    with sync_playwright() as p:
        browser = snap.launch(p)
        try:
            # warm-up (not counted): page cache, Chromium's first start
            first_map(browser, ROOT / "bench" / "bare_folium_app.py", env, BARE)
            for r in range(a.rounds):
                order = kinds[r % 3:] + kinds[:r % 3]
                for kind in order:
                    load = os.getloadavg()[0]
                    if kind == "bare":
                        res = first_map(browser, ROOT / "bench" / "bare_folium_app.py", env,
                                        BARE)
                    else:
                        if kind == "changed":
                            res_name = _change_one(folder, r)
                        res = first_map(browser, ROOT / "dashboard.py", env, OURS_ANY,
                                        linger_s=8.0 if kind == "changed" else 0.0)
                        if kind == "changed":
                            res["article"] = res_name
                    res["load"] = load
                    rows[kind].append(res)
                    print(f"round {r + 1} {kind:>9}: first map {res['first_map_s']:.2f} s "
                          f"(server up {res['server_up_s']:.2f} s, RSS "
                          f"{res['server_hwm_mb']:.0f} MB, load {load:.2f})", flush=True)
        finally:
            browser.close()
    med = {k: statistics.median(x["first_map_s"] for x in v) for k, v in rows.items() if v}
    print("medians: " + ", ".join(f"{k} {v:.2f} s" for k, v in med.items())
          + f"; unchanged - bare {med['unchanged'] - med['bare']:+.2f} s, "
          f"changed - bare {med['changed'] - med['bare']:+.2f} s", flush=True)
    return {"what": "restart", "articles": a.articles, "events": filled["events"],
            "rows": rows, "medians": med}


# ---- a year of news -----------------------------------------------------------------------


def year_data(n: int, work: Path, fmt: str) -> Path:
    from bench import corpus as gen
    from geo import parquet

    out = work / (f"events-{n}.parquet" if fmt == "parquet" else f"events-{n}.jsonl")
    if (fmt == "parquet" and parquet.is_events_folder(out)) or (fmt == "jsonl" and out.exists()):
        return out
    t = time.perf_counter()
    events = gen.make_events(n)
    print(f"{n:,} events made in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    if fmt == "parquet":
        parquet.write_events(events, out)
    else:
        gen.write_events(events, out)
    print(f"written to {out} in {time.perf_counter() - t:.1f} s", flush=True)
    return out


def _dates_of(path: Path) -> list[str]:
    if path.is_dir():
        import pyarrow.compute as pc

        from geo import parquet

        col = parquet.open_dataset(path).to_table(columns=["date"]).column("date")
        return sorted(d for d in pc.unique(col).to_pylist() if d)
    with open(path, encoding="utf-8") as f:
        return sorted({json.loads(line)["date"] for line in f if line.strip()})


def bench_year(a) -> dict:
    from playwright.sync_api import sync_playwright

    from geo import snapshot as snap
    from geo.timeline import date_label

    data = year_data(a.events, a.work, a.format)
    dates = _dates_of(data)
    start = len(dates) // 2
    rows = []
    with sync_playwright() as p:
        browser = snap.launch(p)
        try:
            for r in range(a.rounds):
                for mode in a.modes:
                    home = tempfile.mkdtemp(prefix="nm-year-", dir=a.work)
                    env = {"NEWSMAP_EVENTS": str(data), "NEWSMAP_HOME": home,
                           "NEWSMAP_ONLINE": "0"}

                    def steps(page, proc, mode=mode):
                        received = [0]
                        page.on("websocket", lambda ws: ws.on(
                            "framereceived", lambda payload: received.__setitem__(
                                0, received[0] + len(payload))))
                        # the websocket opened before the handler: count from a reload
                        page.reload(wait_until="commit")
                        want0 = ours_date(date_label(dates[start]))
                        page.evaluate("() => { window.__nmWant = " + want0 + "; }")
                        page.wait_for_function("() => window.__nmAt > 0", timeout=600_000)
                        settle(page)
                        hwm_open = vm_hwm_mb(proc.pid)
                        out = {"steps_s": [], "bytes": [], "hwm_after_open_mb": hwm_open}
                        for k in range(1, a.steps + 1):
                            label = date_label(dates[start + k])
                            page.evaluate("() => { window.__nmAt = 0; window.__nmSeen = 0; "
                                          "window.__nmWant = " + ours_date(label) + "; }")
                            b0 = received[0]
                            page.get_by_role("button", name="Next ▶").click()
                            page.wait_for_function("() => window.__nmAt > 0",
                                                   timeout=120_000, polling="raf")
                            at, click = page.evaluate("[window.__nmAt, window.__nmClick]")
                            out["steps_s"].append((at - click) / 1000)
                            settle(page)
                            out["bytes"].append(received[0] - b0)
                        return out

                    load = os.getloadavg()[0]
                    res = first_map(browser, ROOT / "dashboard.py", env,
                                    ours_date(date_label(dates[start])),
                                    query=f"?mode={mode}&date={dates[start]}", keep=steps)
                    res.update(mode=mode, load=load, round=r + 1)
                    rows.append(res)
                    print(f"round {r + 1} {mode}: first map {res['first_map_s']:.1f} s, step "
                          f"p50 {statistics.median(res['steps_s']) * 1000:.0f} ms (max "
                          f"{max(res['steps_s']) * 1000:.0f}), "
                          f"{statistics.median(res['bytes']) / 1000:.0f} kB/step, server "
                          f"peak RSS {res['server_hwm_mb']:.0f} MB (after open "
                          f"{res['hwm_after_open_mb']:.0f}), load {load:.2f}", flush=True)
        finally:
            browser.close()
    return {"what": "year", "events": a.events, "format": a.format, "rows": rows}


# ---- where a restart goes (in one process, no browser) -------------------------------------


def bench_profile(a) -> dict:
    code = r'''
import json, sys, time, os
t0 = time.perf_counter(); sys.path.insert(0, sys.argv[1])
out = {}
import streamlit, streamlit_folium, folium  # noqa
out["import streamlit+folium"] = time.perf_counter() - t0; t = time.perf_counter()
from geo import mapview, timeline, pipeline, userdata  # noqa
import geo.review.service, geo.review.queue  # noqa
out["import geo (dashboard's)"] = time.perf_counter() - t; t = time.perf_counter()
paths = [sys.argv[2]]
key = pipeline._run_key([__import__("pathlib").Path(p) for p in paths], [], {}, False)
out["run key (signature, fingerprints)"] = time.perf_counter() - t; t = time.perf_counter()
rows = pipeline.RunCache().db.query("SELECT result FROM run_cache WHERE key = ?", (key,))
out["run cache: read row"] = time.perf_counter() - t; t = time.perf_counter()
import pickle, gc
gc.disable(); res = pickle.loads(rows[0][0]); gc.enable()
out["run cache: unpickle"] = time.perf_counter() - t; t = time.perf_counter()
ix = timeline.StepIndex(res.events)
out["step index"] = time.perf_counter() - t; t = time.perf_counter()
f = timeline.facets(res.events)
out["facets"] = time.perf_counter() - t; t = time.perf_counter()
step = ix.step(ix.dates[-1], "upto")
p = mapview.step_payload_for(step, online=False)
out["step payload"] = time.perf_counter() - t; t = time.perf_counter()
s = json.dumps(p)
out["payload JSON"] = time.perf_counter() - t
out["payload kB"] = len(s) / 1000
out["events"] = len(res.events); out["blob MB"] = len(rows[0][0]) / 1e6
print(json.dumps(out))
'''
    folder = a.work / f"articles-{a.articles}"
    env = {**os.environ, "NEWSMAP_HOME": a.home}
    t = time.perf_counter()
    got = subprocess.run([PY, "-c", code, str(ROOT), str(folder)], capture_output=True,
                         text=True, env=env)
    if got.returncode:
        raise SystemExit(got.stderr[-3000:])
    res = json.loads(got.stdout.strip().splitlines()[-1])
    res["process wall"] = time.perf_counter() - t
    for k, v in res.items():
        print(f"{k:>36}: {v:.3f}" if isinstance(v, float) else f"{k:>36}: {v}")
    return {"what": "profile", "articles": a.articles, **res}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["restart", "year", "profile"])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--format", choices=["parquet", "jsonl"], default="parquet")
    ap.add_argument("--modes", nargs="*", default=["upto"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "nm_scale")
    ap.add_argument("--home", default=os.environ.get("NEWSMAP_HOME")
                    or str(Path(tempfile.gettempdir()) / "nmh_scale"))
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}; load average {os.getloadavg()}", flush=True)
    res = {"restart": bench_restart, "year": bench_year, "profile": bench_profile}[a.what](a)
    res["machine"] = machine()
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
