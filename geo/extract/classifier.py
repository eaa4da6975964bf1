"""Which kind of event a sentence reports, from a small linear model trained in the repo.

The model (``data/sentence_model.json``) is TF-IDF over words and word pairs with a
multinomial logistic regression, trained by ``python -m geo train`` on
``data/training/sentences.jsonl`` (real news sentences labelled by hand; none from the
evaluation corpus). Prediction is pure Python over the exported weights: no scikit-learn at
run time, a few microseconds a sentence.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "sentence_model.json"
TRAINING = DATA / "training" / "sentences.jsonl"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def features(text: str) -> list[str]:
    """Lower-cased words and adjacent word pairs: the analyzer training and prediction share."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@functools.cache
def model() -> dict:
    return json.loads(MODEL.read_text("utf-8"))


def probabilities(text: str) -> dict[str, float]:
    m = model()
    vocab, idf = m["vocabulary"], m["idf"]
    counts: dict[int, int] = {}
    for f in features(text):
        j = vocab.get(f)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    weights = {j: (1 + math.log(c)) * idf[j] for j, c in counts.items()}  # sublinear tf
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    scores = []
    for coef, b in zip(m["coef"], m["intercept"], strict=True):
        scores.append(b + sum(coef.get(str(j), 0.0) * w / norm for j, w in weights.items()))
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return {label: e / total for label, e in zip(m["labels"], exp, strict=True)}


def classify(text: str) -> tuple[str, float]:
    probs = probabilities(text)
    label = max(probs, key=probs.get)
    return label, probs[label]
