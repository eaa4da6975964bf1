"""Extraction speed, run by hand: `python bench/bench_extract.py [PATH...] [--repeat N]`.

Reports cold start (imports + gazetteer load), warm articles/s on one core (no cache),
and a restart over the same corpus served from the on-disk cache. Not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", default=[str(Path(__file__).parent.parent / "seeds")])
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    os.environ.setdefault("NEWSMAP_HOME", tempfile.mkdtemp(prefix="bench-extract-"))

    t0 = time.perf_counter()
    from geo import articles, events, gazetteer, pipeline

    gazetteer.name_table()
    cold = time.perf_counter() - t0
    docs, problems = articles.read_paths(args.paths)
    docs = articles.infer_missing_dates(docs)
    for d in docs:  # first pass warms per-process caches
        events.extract(d)

    t = time.perf_counter()
    n = 0
    for _ in range(args.repeat):
        for d in docs:
            events.extract(d)
            n += 1
    warm = time.perf_counter() - t

    cache = pipeline.ExtractionCache()
    pipeline.extract_all(docs, cache)
    t = time.perf_counter()
    pipeline.extract_all(docs, cache)
    restart = time.perf_counter() - t

    words = sum(len(d.text.split()) for d in docs)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"corpus: {len(docs)} articles, {words} words, {len(problems)} skipped")
    print(f"cold start (imports + gazetteer): {cold:.2f} s")
    print(f"warm extraction: {n / warm:.0f} articles/s on one core "
          f"({warm / n * 1000:.1f} ms/article)")
    print(f"restart from on-disk cache: {restart * 1000:.1f} ms for {len(docs)} articles")


if __name__ == "__main__":
    main()
