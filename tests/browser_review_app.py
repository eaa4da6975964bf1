"""The dashboard on synthetic events whose articles hold real sentences (browser review
tests): `streamlit run tests/browser_review_app.py`. ``NEWSMAP_TEST_VERSION=2`` plays a new
extractor version: other ids, titles and order from the same texts."""

import os
import runpy
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import conftest  # noqa: E402

from geo.models import Article  # noqa: E402

MISSED = "Police fired tear gas at the crowd near Tahrir Square."


def texts() -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for e in conftest.make_events():
        out.setdefault(e.sources[0].article, []).append(e.sources[0].sentence)
    out[conftest.A_0722].append(MISSED)
    return {name: " ".join(ss) for name, ss in out.items()}


def events():
    evs = conftest.make_events()
    if os.environ.get("NEWSMAP_TEST_VERSION") == "2":
        evs = [replace(e, id=f"v2{e.id}", title=e.title + " (v2)") for e in reversed(evs)]
    return evs


mod = conftest.fake_pipeline_module()


def run(paths, **kw):
    arts = [Article(name=n, text=t, date=n[:10] if n[0].isdigit() else None)
            for n, t in texts().items()]
    return mod.Result(arts, events(), [])


mod.run = run
sys.modules["geo.pipeline"] = mod
runpy.run_path(str(ROOT / "dashboard.py"), run_name="__main__")
