"""Assemble the real-text corpus and split it into a dev part and a blind test part.

    python bench/real/split.py

Reads the helpers' parts (articles/*.txt, parts/gold_*.jsonl, parts/sources_*.csv), checks
every evidence is an exact substring of its article, and writes dev/ and test/ (articles and
gold.jsonl each) plus SOURCES.csv. The split is fixed by a hash of the file name (40% test),
decided before any score was seen, so rerunning it after more articles arrive never moves
an article from one part to the other.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEST_SHARE = 0.4


def part_of(name: str) -> str:
    h = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < TEST_SHARE else "dev"


def main() -> int:
    articles = {p.name: p for p in sorted((HERE / "articles").glob("*.txt"))}
    gold: list[dict] = []
    for f in sorted((HERE / "parts").glob("gold_*.jsonl")):
        gold += [json.loads(line) for line in f.read_text("utf-8").splitlines() if line.strip()]
    bad = 0
    for g in gold:
        text = articles[g["article"]].read_text("utf-8") if g["article"] in articles else None
        if text is None or g["evidence"] not in text:
            print(f"bad gold line: {g['article']}: {g['evidence'][:60]!r}", file=sys.stderr)
            bad += 1
    rows = []
    for f in sorted((HERE / "parts").glob("sources_*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    with open(HERE / "SOURCES.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "part", "outlet", "url", "pub_date",
                                           "pub_date_basis"])
        w.writeheader()
        for r in sorted(rows, key=lambda r: r["file"]):
            w.writerow({**{k: r.get(k, "") for k in w.fieldnames}, "part": part_of(r["file"])})
    for part in ("dev", "test"):
        out = HERE / part
        shutil.rmtree(out, ignore_errors=True)
        (out / "articles").mkdir(parents=True)
        names = [n for n in articles if part_of(n) == part]
        for n in names:
            shutil.copy2(articles[n], out / "articles" / n)
        lines = [json.dumps(g, ensure_ascii=False) for g in gold if part_of(g["article"]) == part]
        (out / "gold.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
        print(f"{part}: {len(names)} articles, {len(lines)} gold events")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
