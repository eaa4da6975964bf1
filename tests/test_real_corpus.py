"""The extractor on real news (the dev part of bench/real): a drop of more than 0.02 strict F1
below the committed figure fails the build. The blind test part is never scored here."""

from __future__ import annotations

import json
from pathlib import Path

from geo import pipeline, score

DEV = Path(__file__).resolve().parent.parent / "bench" / "real" / "dev"
COMMITTED = json.loads((DEV.parent / "dev_score.json").read_text("utf-8"))


def test_dev_part_strict_f1_holds():
    articles = len(list((DEV / "articles").glob("*.txt")))
    assert articles == COMMITTED["articles"], (
        f"the dev part has {articles} articles, the committed figure is for "
        f"{COMMITTED['articles']}: score it and commit the new figure in dev_score.json")
    gold = score.load_gold(DEV / "gold.jsonl")
    result = pipeline.run([DEV / "articles"], use_cache=False, online=False)
    got = score.score_conventions(result.events, gold).as_dict()
    assert got["strict"]["f1"] >= COMMITTED["strict_f1"] - 0.02, got
    assert got["place_only"]["f1"] >= COMMITTED["place_only_f1"] - 0.02, got
