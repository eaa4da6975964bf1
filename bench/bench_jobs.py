"""Extraction on every core: ``python -m geo extract --jobs 1`` against ``--jobs 2``.

Run by hand, not a test (bench/README.md, "Extraction on every core (bench_jobs.py)"):

    .venv/bin/python bench/bench_jobs.py --articles 10000 [--jobs 1,2] [--repeats 1]
    .venv/bin/python bench/bench_jobs.py --sweep 25,50,100,200 [--contexts spawn,forkserver]

Default mode: the real-shaped ~500-word articles of ``bench/bench_real.py`` (its
``corpus()``, from ``bench/real/dev/articles``) written as ``.txt`` files with a date line
into a temp folder, then for each ``--jobs`` value a fresh process runs the CLI exactly as a
user would, ``python -m geo extract DIR --no-cache --jobs N`` (no extraction or run cache;
one ``NEWSMAP_HOME`` temp folder whose derived indexes an untimed first run built),
timed with ``time.perf_counter`` around the process (wall, start to exit: imports, model
loads, reading, extraction, merge, geocoding, JSONL out), with its CPU time and peak RSS
(``resource.getrusage(RUSAGE_CHILDREN)``, the largest single process). The JSONL outputs
of all runs must be byte-for-byte the same. The runs use a copy of ``geo/`` taken at the
start, so an edit to the extractor while the bench runs cannot make the outputs differ.

``--sweep``: where the pool starts to pay. For each N, the same CLI command with the
pool's threshold set to 0 (so ``--jobs 2`` always starts workers) against ``--jobs 1``
("cold": the parent has loaded nothing yet, as in a first CLI run), and in one process that
has already loaded the model and gazetteer (as the dashboard has on a later load),
``pipeline.extract_all(articles, None, jobs=J)`` ("warm"). ``--contexts`` compares the
multiprocessing start methods for ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_real import _loadavg, corpus  # noqa: E402 - the real-shaped corpus, reused

CLI_CHILD = ("import sys; from geo import pool; pool.POOL_MIN_ARTICLES = int(sys.argv[1]); "
             "pool.CONTEXT = sys.argv[2]; from geo.cli import main; "
             "raise SystemExit(main(sys.argv[3:]))")

WARM_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from bench_real import corpus
from geo import pipeline, pool
from geo.extract import extract
from geo.models import Article
pool.POOL_MIN_ARTICLES = 0
pool.CONTEXT = sys.argv[1]
n, jobs = int(sys.argv[2]), int(sys.argv[3])
extract(pool.WARM_UP)  # the parent is warm: model, gazetteer, tables loaded
arts = [Article(name=a, text=t, date=d) for a, t, d in corpus(n)]
t0 = time.perf_counter()
events = pipeline.extract_all(arts, None, jobs=jobs)
print(json.dumps({{"seconds": time.perf_counter() - t0,
                  "events": [e.to_dict() for e in events]}}))
"""


def write_corpus(n: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text, date in corpus(n):
        (folder / name).write_text(f" date {date}\n{text}\n", "utf-8")


SRC = ROOT  # where the child processes import geo from: a snapshot, see snapshot_code()
HOME = ""  # NEWSMAP_HOME of every run, set up by prepare()


def snapshot_code(tmp: Path) -> None:
    """Copy geo/ (code and data) so every run of this bench uses the same extractor."""
    global SRC
    shutil.copytree(ROOT / "geo", tmp / "src" / "geo",
                    ignore=shutil.ignore_patterns("__pycache__"))
    SRC = tmp / "src"


def prepare(tmp: Path) -> None:
    """Code snapshot, and a data folder whose derived indexes (gazetteer, towns) an untimed
    first run over the seeds has built."""
    global HOME
    snapshot_code(tmp)
    HOME = str(tmp / "home")
    subprocess.run([sys.executable, "-m", "geo", "extract", str(ROOT / "seeds"), "--no-cache",
                    "--jobs", "1"], env=_env(), cwd=SRC, check=True, capture_output=True)


def _env() -> dict[str, str]:
    env = dict(os.environ, NEWSMAP_HOME=HOME, PYTHONPATH=str(SRC))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def run_cli(folder: Path, jobs: int, *, threshold: int | None = None,
            context: str = "spawn") -> dict:
    """One CLI run in a fresh process and a fresh NEWSMAP_HOME; wall, CPU, output."""
    args = ["extract", str(folder), "--no-cache", "--jobs", str(jobs)]
    if threshold is None:
        cmd = [sys.executable, "-m", "geo", *args]
    else:
        cmd = [sys.executable, "-c", CLI_CHILD, str(threshold), context, *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=_env(), cwd=SRC, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.stderr.write(out.stderr.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"jobs {jobs}: exit {out.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"jobs": jobs, "context": context, "seconds": wall, "cpu_seconds": cpu,
            "max_rss_mb": after.ru_maxrss / 1024, "stdout": out.stdout,
            "events": out.stdout.count(b"\n")}


def run_warm(n: int, jobs: int, context: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", WARM_CHILD.format(bench=str(ROOT / "bench")), context,
         str(n), str(jobs)], env=_env(), cwd=SRC, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(f"warm jobs {jobs}: exit {out.returncode}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["events"] = json.dumps(got["events"], sort_keys=True)
    return got


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _header(n: int) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    print(f"machine: {_cpu()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {now} UTC; load average {_loadavg()}")
    print(f"corpus: {n:,} real-shaped articles (bench_real.corpus), ~500 words each")


def main_compare(args) -> None:
    jobs = [int(j) for j in args.jobs.split(",")]
    _header(args.articles)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        prepare(Path(tmp))
        folder = Path(tmp) / "articles"
        write_corpus(args.articles, folder)
        runs: dict[int, list[dict]] = {j: [] for j in jobs}
        for rep in range(args.repeats):
            for j in jobs:
                r = run_cli(folder, j)
                runs[j].append(r)
                print(f"  run {rep + 1}/{args.repeats} --jobs {j}: {r['seconds']:8.1f} s wall, "
                      f"CPU {r['cpu_seconds']:8.1f} s, max RSS of one process "
                      f"{r['max_rss_mb']:5.0f} MB, {r['events']:,} events "
                      f"(load {_loadavg()})", flush=True)
    outs = {r["stdout"] for rs in runs.values() for r in rs}
    print(f"outputs byte for byte the same: {'yes' if len(outs) == 1 else 'NO'} "
          f"({len(next(iter(outs))):,} bytes of JSONL)")
    base = min(r["seconds"] for r in runs[jobs[0]])
    for j in jobs:
        best = min(r["seconds"] for r in runs[j])
        print(f"--jobs {j}: best {best:.1f} s wall, {args.articles / best:.1f} articles/s, "
              f"{best / base:.2f} x --jobs {jobs[0]}")
    if len(outs) != 1:
        raise SystemExit(1)


def main_sweep(args) -> None:
    sizes = [int(n) for n in args.sweep.split(",")]
    contexts = args.contexts.split(",")
    _header(max(sizes))
    print("| N | cold --jobs 1 | " + " | ".join(f"cold --jobs 2 ({c})" for c in contexts)
          + " | warm jobs=1 | " + " | ".join(f"warm jobs=2 ({c})" for c in contexts)
          + " | same |")
    print("|---:|" + "---:|" * (2 + 2 * len(contexts)) + "---|")
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        prepare(Path(tmp))
        for n in sizes:
            folder = Path(tmp) / f"articles-{n}"
            write_corpus(n, folder)
            cold = [run_cli(folder, 1, threshold=0)]
            cold += [run_cli(folder, 2, threshold=0, context=c) for c in contexts]
            warm = [run_warm(n, 1, "spawn")] + [run_warm(n, 2, c) for c in contexts]
            same = (len({r["stdout"] for r in cold}) == 1
                    and len({r["events"] for r in warm}) == 1)
            cells = [f"{r['seconds']:.2f} s" for r in cold + warm]
            print(f"| {n} | " + " | ".join(cells) + f" | {'yes' if same else 'NO'} |",
                  flush=True)
    print(f"load average at end {_loadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to compare")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--sweep", help="comma-separated corpus sizes: where the pool pays")
    ap.add_argument("--contexts", default="spawn,forkserver",
                    help="start methods for the sweep's --jobs 2 runs (spawn, forkserver, fork)")
    args = ap.parse_args()
    if args.sweep:
        main_sweep(args)
    else:
        main_compare(args)


if __name__ == "__main__":
    main()
