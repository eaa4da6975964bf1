"""Extraction in a process pool (geo/pool.py) gives what one process gives.

Same events (serialized), same per-article order, same problems for a failing or too-slow
article, progress from 1 to N; jobs=1 never starts a pool. Real extraction (the seeds and a
few synthesized articles) in at most 2 spawned workers: each loads spaCy and the gazetteer,
so the two tests that start a pool take a few seconds each.
"""

from __future__ import annotations

import json
import sys
import types

import pytest

from geo import articles as articles_mod
from geo import cli, pipeline, pool
from geo.extract import rules
from geo.models import Article
from geo.paths import SEEDS_DIR

MORE = [
    ("2023-08-02", "Hundreds of protesters stormed the French embassy in Niamey on Sunday, "
                   "officials said on Monday. Police fired tear gas at the crowd."),
    ("2024-02-14", "A car bomb exploded near a market in Mogadishu on Tuesday, killing at least "
                   "six people, police said."),
    ("2023-02-07", "A powerful earthquake struck southern Turkey and northern Syria on Monday. "
                   "Thousands of buildings collapsed in Gaziantep and Aleppo."),
    ("2023-07-21", "Denmark summoned the Iraqi charge d'affaires on Friday after protesters "
                   "set fire to the Danish embassy compound in Baghdad."),
    ("2021-10-12", "Thousands marched in Santiago on Monday against the government, and riot "
                   "police used water cannon near Plaza Italia."),
    (None, "Demonstrators blocked the Jumhuriya bridge in Baghdad, witnesses said."),
]


def corpus() -> list[Article]:
    seeds, problems = articles_mod.read_paths([SEEDS_DIR])
    assert seeds and not problems
    extra = [Article(name=f"more-{i}.txt", text=text, date=date)
             for i, (date, text) in enumerate(MORE)]
    # the seeds again under other names and dates: more tasks than workers
    again = [Article(name=f"again-{a.name}", text=a.text, date="2024-03-01") for a in seeds]
    return articles_mod.infer_missing_dates(seeds + extra + again)


def dump(events) -> str:
    return "\n".join(json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False)
                     for e in events)


@pytest.fixture
def per_article(monkeypatch):
    """Every extract_all call's per-article events, in the order merge receives them."""
    seen: list[str] = []
    real = pipeline.merge_mod.merge

    def merge(events):
        seen.append(dump(events))
        return real(events)

    monkeypatch.setattr(pipeline.merge_mod, "merge", merge)
    return seen


@pytest.fixture
def always_pool(monkeypatch):
    monkeypatch.setattr(pool, "POOL_MIN_ARTICLES", 0)


def test_pool_gives_the_same_events_in_input_order(always_pool, per_article, tmp_path,
                                                   monkeypatch):
    # Streamlit runs the dashboard as a fake __main__ with a __file__: a spawned worker
    # must not run that script again
    script = tmp_path / "app.py"
    script.write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    arts = corpus()
    calls: list[tuple[int, int]] = []
    cache = pipeline.ExtractionCache(tmp_path / "cache")
    pooled = pipeline.extract_all(arts, cache, progress=lambda d, t: calls.append((d, t)),
                                  jobs=2)
    single = pipeline.extract_all(arts, None, jobs=1)
    assert pooled and dump(pooled) == dump(single)
    assert not (tmp_path / "ran").exists() and sys.modules["__main__"] is fake_main
    assert per_article[0] == per_article[1]  # each article's events, in input order
    assert calls == [(i, len(arts)) for i in range(1, len(arts) + 1)]
    # the parent wrote the cache; a rerun reads it without starting a pool
    keys = {k for k, in cache.db.query("SELECT key FROM extraction_cache")}
    assert keys == {pipeline._cache_key(a) for a in arts}
    again = pipeline.extract_all(arts, cache, jobs=2)
    assert dump(again) == dump(single)


def _flaky(real):
    """``extract`` that fails on 'bad*' articles and runs out of time on 'slow*' ones."""

    def extract(article, method=None, budget_s=None):
        if article.name.startswith("bad"):
            raise KeyError("boom")
        if article.name.startswith("slow"):
            return real(article, method, budget_s=1e-9)  # the real TooSlow
        return real(article, method, budget_s=budget_s)

    return extract


def flaky_in_worker():
    """pool.WORKER_HOOK: the same failures inside each worker."""
    from geo import extract as extract_mod

    extract_mod.extract = _flaky(extract_mod.extract)


def test_problems_in_a_worker_are_reported_as_in_process(always_pool, monkeypatch, caplog):
    arts = corpus()
    arts[1] = Article(name="bad-one.txt", text=arts[1].text, date=arts[1].date)
    arts[5] = Article(name="slow-one.txt", text=arts[5].text, date=arts[5].date)
    arts.append(Article(name="bad-last.txt", text="Protesters stormed the embassy.",
                        date="2023-07-20"))

    monkeypatch.setattr(pool, "WORKER_HOOK", flaky_in_worker)
    pooled_problems: list = []
    pooled = pipeline.extract_all(arts, None, problems=pooled_problems, jobs=2)
    monkeypatch.setattr(pool, "WORKER_HOOK", None)

    with monkeypatch.context() as m:
        m.setattr(pipeline.events_mod, "extract", _flaky(pipeline.events_mod.extract))
        single_problems: list = []
        single = pipeline.extract_all(arts, None, problems=single_problems, jobs=1)

    assert dump(pooled) == dump(single)
    assert [(p.name, p.reason, p.skipped) for p in pooled_problems] == [
        (p.name, p.reason, p.skipped) for p in single_problems] == [
        ("bad-one.txt", "extraction failed (KeyError); its events are missing", True),
        ("slow-one.txt", str(rules.TooSlow("extraction took too long (crafted or run-on "
                                           "text?): skipped")), True),
        ("bad-last.txt", "extraction failed (KeyError); its events are missing", True)]
    warned = [r.getMessage() for r in caplog.records if r.name.startswith("geo.")]
    assert any(w.startswith("bad-one.txt: extraction failed (KeyError)") and "boom" in w
               for w in warned)  # with the worker's traceback


def test_jobs_1_never_starts_a_pool(always_pool, monkeypatch):
    def no_pool(*a, **kw):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(pool, "extract_many", no_pool)
    monkeypatch.setattr(pipeline.events_mod, "extract", lambda a, m=None, budget_s=None: [])
    calls: list = []
    assert pipeline.extract_all(corpus(), None, jobs=1,
                                progress=lambda d, t: calls.append(d)) == []
    assert calls == list(range(1, len(corpus()) + 1))
    # a replaced extract exists only in this process: the default jobs stay here too
    assert pipeline.extract_all(corpus(), None) == []


def test_few_articles_stay_in_process(monkeypatch):
    monkeypatch.setattr(pool, "extract_many", lambda *a, **kw: pytest.fail("pool started"))
    assert len(corpus()) < pool.POOL_MIN_ARTICLES
    assert pipeline.extract_all(corpus(), None, jobs=2)


def test_a_pool_that_cannot_start_falls_back(always_pool, monkeypatch, caplog):
    monkeypatch.setattr(pool, "CONTEXT", "no-such-start-method")
    arts = corpus()[:3]
    assert dump(pipeline.extract_all(arts, None, jobs=2)) == dump(
        pipeline.extract_all(arts, None, jobs=1))
    assert any("extracting in this process instead" in r.getMessage() for r in caplog.records)


def test_jobs_option_and_sizes():
    parser = cli.build_parser()
    assert parser.parse_args(["extract", "--jobs", "2"]).jobs == 2
    assert parser.parse_args(["extract"]).jobs is None
    for bad in ("0", "-1", "two"):
        with pytest.raises(SystemExit):
            parser.parse_args(["extract", "--jobs", bad])
    assert pool.resolve_jobs(None) == pool.default_jobs() >= 1
    assert pool.resolve_jobs(3) == 3
    assert pool.chunks_of(10_000, 2) == pool.CHUNK_MAX
    assert pool.chunks_of(5, 2) == 1
