"""Imported first by the dashboard (before folium and the rest of its imports): once per
server process, in a thread, it checks whether the dashboard's opening run
(``geo.pipeline.run`` over :func:`geo.paths.corpus_paths`, the user's articles and dates,
offline unless ``NEWSMAP_ONLINE=1``) is in the run cache, and when it is not starts an
extraction worker (``pipeline.prepare``), so that a restart after an article changed does
not wait ~2.4 s for the model and the gazetteer to load after everything else
(bench/README.md, "Restart at the floor"). Nothing happens for a prepared events file
(``NEWSMAP_EVENTS``) or when the row is there, besides computing the run key a little
earlier than the run does (it reuses what was computed).

Streamlit gives a plain ``streamlit run`` script no hook at server start; the first
session's first script run is the earliest point. ``NEWSMAP_PREPARE=0`` turns it off.
"""

from __future__ import annotations

import importlib
import os
import sys

from geo import userdata
from geo.paths import corpus_paths

ENV = "NEWSMAP_PREPARE"  # "0": off (the tests' dashboards: tests/conftest.py)


def _inputs() -> tuple[list[str], dict]:
    return corpus_paths(), {
        "online": os.environ.get("NEWSMAP_ONLINE") == "1",
        "extra_articles": userdata.all_user_articles(),
        "date_overrides": userdata.load_dates(),
    }


def start() -> bool:
    """Start it (what importing this module does once); False when it is off."""
    if os.environ.get(ENV) == "0" or os.environ.get("NEWSMAP_EVENTS"):
        return False
    # the pipeline the dashboard will run (a test's stand-in has no prepare_soon)
    pipeline = sys.modules.get("geo.pipeline") or importlib.import_module("geo.pipeline")
    if not hasattr(pipeline, "prepare_soon"):
        return False
    pipeline.prepare_soon(_inputs)
    return True


start()
