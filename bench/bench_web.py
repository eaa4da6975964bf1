"""Which library reads news pages best? trafilatura, newspaper4k and readability-lxml on saved
pages (tests/data/web and bench/web), against a hand-written gold (bench/web/gold.json).

Per page and library: main-text recall (the share of the gold's story sentences found in the
text), boilerplate leaks (gold menu, promo, caption and related-link strings found in the
text), the title, the publication date (htmldate for trafilatura and readability, which has
none; newspaper4k's own), and the time to read the page. Run by hand:

  .venv/bin/pip install --target /tmp/nm-bench-libs newspaper4k==0.9.6 readability-lxml==0.9
  PYTHONPATH=/tmp/nm-bench-libs .venv/bin/python bench/bench_web.py

(the two rivals are not dependencies of the app, so they are installed aside). Results:
bench/README.md, "Reading web pages".
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.web import page as page_mod  # noqa: E402

GOLD = ROOT / "bench" / "web" / "gold.json"
REPEAT = 5


def norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def read_trafilatura(html: str, url: str | None):
    p = page_mod.parse(html, url)
    return p.text, p.title, p.date


def read_trafilatura_precision(html: str, url: str | None):
    import htmldate
    import trafilatura

    d = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True,
                                    include_comments=False, include_tables=False)
    date = htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
    return (d.text or "") if d else "", d.title if d else None, date


def read_newspaper(html: str, url: str | None):
    import newspaper

    a = newspaper.Article(url or "http://bench.example/page")
    a.download(input_html=html)
    a.parse()
    date = a.publish_date.date().isoformat() if a.publish_date else None
    return a.text, a.title, date


def read_readability(html: str, url: str | None):
    import htmldate
    import lxml.html
    from readability import Document

    doc = Document(html)
    body = lxml.html.fromstring(doc.summary())
    text = "\n".join(t.strip() for t in body.itertext() if t.strip())
    date = htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
    return text, doc.short_title(), date


READERS = {
    "trafilatura (ours: balanced, recall fallback) + htmldate": read_trafilatura,
    "trafilatura favor_precision + htmldate": read_trafilatura_precision,
    "newspaper4k 0.9.6": read_newspaper,
    "readability-lxml 0.9 + htmldate": read_readability,
}


def main() -> None:
    gold = json.loads(GOLD.read_text())
    rows = []
    for name, reader in READERS.items():
        try:
            reader("<html><body><p>warm up</p></body></html>", None)
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); see the docstring", file=sys.stderr)
            continue
        except Exception:  # noqa: BLE001, S110 - a warm-up on a toy page may fail
            pass
        recall, leaks, titles, dates, times, per_page = [], 0, 0, 0, [], []
        for g in gold:
            raw = (ROOT / g["file"]).read_bytes()
            html = page_mod.decode(raw)
            t0 = time.perf_counter()
            for _ in range(REPEAT):
                try:
                    text, title, date = reader(html, g.get("url"))
                except Exception as exc:  # noqa: BLE001 - a library's crash is its score
                    text, title, date = "", None, None
                    print(f"{name} on {g['file']}: {type(exc).__name__}: {exc}",
                          file=sys.stderr)
            times.append((time.perf_counter() - t0) / REPEAT * 1000)
            body = norm(text or "")
            found = sum(norm(s) in body for s in g["story"])
            leak = [b for b in g["boilerplate"] if norm(b) in body]
            recall.append(found / len(g["story"]))
            leaks += len(leak)
            titles += norm(title or "") == norm(g["title"])
            dates += (date or None) == g["date"]
            per_page.append(f"{Path(g['file']).stem}: {found}/{len(g['story'])} story, "
                            f"{len(leak)} leaks{' ' + repr(leak) if leak else ''}, "
                            f"date {date}")
        rows.append((name, statistics.mean(recall), leaks, titles, dates, len(gold),
                     statistics.median(times), per_page))
    n_boiler = sum(len(g["boilerplate"]) for g in gold)
    print(f"{len(gold)} pages, {sum(len(g['story']) for g in gold)} story sentences, "
          f"{n_boiler} boilerplate strings\n")
    print("| library | story recall | boilerplate leaked | titles right | dates right "
          "| ms/page (median) |")
    print("|---|---|---|---|---|---|")
    for name, rec, leaks, titles, dates, n, ms, _ in rows:
        print(f"| {name} | {rec:.2f} | {leaks} of {n_boiler} | {titles}/{n} | {dates}/{n} "
              f"| {ms:.0f} |")
    for name, *_, per_page in rows:
        print(f"\n{name}")
        for line in per_page:
            print("  " + re.sub(r"\s+", " ", line))


if __name__ == "__main__":
    main()
