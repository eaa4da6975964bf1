"""Where a restart after one changed article goes, in one process (no browser; issue 14).

    .venv/bin/python bench/profile_changed.py --folder F --home H [--rounds 2] [--cprofile]

Each round changes one article of ``F`` (a new closing sentence, as ``bench_year.py
restart`` does), then, in a fresh process with ``NEWSMAP_HOME=H``: what the dashboard does
before its first map on that path: ``pipeline.prepare`` (the prestarted worker),
``pipeline.run`` (its stages timed by wrapping them), then the review pass, facets and
step index the first page derives. The run's cache rows are then written (untimed, as the
dashboard does after its map) so that the next round starts from them. ``--cprofile``:
also the top functions by cumulative time (slower, for where, not how long).
``NM_PROFILE_NOGC=1``: the cyclic collector off from the run on (what it costs).
Timings of stages nest (the run's own include its parts'); the merge part counters are
the before tree's names, absent after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_year import _change_one  # noqa: E402

CODE = r'''
import json, sys, time, functools
t00 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
folder, want_profile = sys.argv[2], sys.argv[3] == "1"
out = {}
from geo import pipeline, articles as articles_mod, merge as merge_mod, links, timeline
import geo.geocode
from geo.review import service as rv_service
out["imports"] = time.perf_counter() - t00

def timed(owner, name, label):
    fn = getattr(owner, name)
    @functools.wraps(fn)
    def wrap(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            out[label] = out.get(label, 0.0) + time.perf_counter() - t
    setattr(owner, name, wrap)

timed(pipeline.RunCache, "get_state", "run: state read + unpickle")
timed(pipeline.RunCache, "get", "run: result row reads (the miss; after: the last result)")
timed(articles_mod, "read_paths", "run: read_paths (listing, memo)")
timed(articles_mod, "infer_missing_dates", "run: infer dates")
timed(pipeline, "extract_all", "run: extract_all (keys, extraction, merge)")
timed(pipeline.Incremental, "merge", "run:   merge (incremental)")
timed(merge_mod, "merge_parts", "run:     merge_parts")
timed(pipeline.Incremental, "locate", "run: locate (incremental)")
timed(geo.geocode.Geocoder, "locate_events", "run:   geocoder.locate_events")
timed(links, "attach", "run: links.attach")
timed(pipeline.Incremental, "next_state", "run: next_state")
timed(pipeline, "_run_key", "run: run keys")
if want_profile:
    import cProfile, pstats, io
    prof = cProfile.Profile()
t = time.perf_counter()
pipeline.prepare([folder])
out["prepare (run key, worker start)"] = time.perf_counter() - t
if want_profile:
    prof.enable()
t = time.perf_counter()
pipeline.WRITE_DELAY_S = 600.0
import gc, os
if os.environ.get("NM_PROFILE_NOGC"):
    gc.disable()
res = pipeline.run([folder])
out["pipeline.run"] = time.perf_counter() - t
t = time.perf_counter()
corrections, _err = rv_service.load_corrections()
reviewed = rv_service.review(res, corrections)
out["derived: review pass"] = time.perf_counter() - t
t = time.perf_counter()
timeline.facets(reviewed.events)
out["derived: facets"] = time.perf_counter() - t
t = time.perf_counter()
timeline.step_index(reviewed.events)
out["derived: step index"] = time.perf_counter() - t
if want_profile:
    prof.disable()
out["total to derived"] = time.perf_counter() - t00
out["from_run_cache"] = res.from_run_cache
out["events"] = len(res.events)
t = time.perf_counter()
pipeline.release_writes()
pipeline.wait_for_writes()
out["(after) cache rows written"] = time.perf_counter() - t
rows = pipeline.RunCache().db.query(
    "SELECT length(result) FROM run_cache WHERE key = ?", (pipeline.RunCache.STATE,))
out["(after) state row MB"] = (rows[0][0] / 1e6) if rows else 0.0
if want_profile:
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(45)
    sys.stderr.write(s.getvalue())
print(json.dumps(out))
'''


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", type=Path, required=True)
    ap.add_argument("--home", required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cprofile", action="store_true")
    ap.add_argument("--no-change", action="store_true", help="time an unchanged restart")
    a = ap.parse_args()
    env = {**os.environ, "NEWSMAP_HOME": a.home, "NEWSMAP_ONLINE": "0"}
    for r in range(a.rounds):
        if not a.no_change:
            _change_one(a.folder, int(time.time()) % 100000 + r)
        load = os.getloadavg()
        got = subprocess.run([sys.executable, "-c", CODE, str(ROOT), str(a.folder),
                              "1" if a.cprofile else "0"], capture_output=True, text=True,
                             env=env)
        if got.returncode:
            raise SystemExit(got.stderr[-4000:])
        if a.cprofile:
            print(got.stderr[-12000:])
        res = json.loads(got.stdout.strip().splitlines()[-1])
        print(f"round {r + 1} (load {load[0]:.2f} {load[1]:.2f})")
        for k, v in res.items():
            print(f"  {k:>44}: {v:.3f}" if isinstance(v, float) else f"  {k:>44}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
