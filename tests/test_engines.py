"""Extraction on a Dask cluster (geo/engines.py, ``extract --engine dask ADDRESS``).

On an in-process ``distributed.LocalCluster`` (``processes=False``: inproc transport, one
worker thread; the scheduler's HTTP server, which always starts, on a free 127.0.0.1 port;
nothing leaves the machine) the engine gives what the local path gives: the same events in
the same order, the same per-article problem for an article that fails, the rest kept, and
through the CLI the same Parquet folder. A scheduler nobody listens on, one without
workers, a bad address, a missing package and a stale worker are each one clear error, fast.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from geo import articles as articles_mod  # noqa: E402 - after the skip
from geo import cli, engines, parquet, pipeline  # noqa: E402
from geo import extract as events_mod  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.paths import SEEDS_DIR  # noqa: E402

MORE = [
    ("2023-08-02", "Hundreds of protesters stormed the French embassy in Niamey on Sunday, "
                   "officials said on Monday. Police fired tear gas at the crowd."),
    ("2024-02-14", "A car bomb exploded near a market in Mogadishu on Tuesday, killing at least "
                   "six people, police said."),
    ("2023-02-07", "A powerful earthquake struck southern Turkey and northern Syria on Monday. "
                   "Thousands of buildings collapsed in Gaziantep and Aleppo."),
    (None, "Demonstrators blocked the Jumhuriya bridge in Baghdad, witnesses said."),
]
BOOM = "boom.txt"  # the article whose extraction raises, on either path


def corpus() -> list[Article]:
    seeds, problems = articles_mod.read_paths([SEEDS_DIR])
    assert seeds and not problems
    extra = [Article(name=f"more-{i}.txt", text=text, date=date)
             for i, (date, text) in enumerate(MORE)]
    boom = Article(name=BOOM, text=MORE[0][1], date="2023-08-03")
    return articles_mod.infer_missing_dates(seeds + extra[:2] + [boom] + extra[2:])


def dump(events) -> list[str]:
    return [json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False) for e in events]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address="127.0.0.1:0") as c:
        yield c.scheduler_address


@pytest.fixture
def engine(cluster):
    with engines.DaskEngine.connect(cluster, timeout_s=10) as e:
        yield e


@pytest.fixture
def boom(monkeypatch):
    """One article fails inside extraction, wherever it runs (the worker is a thread of
    this process, so it sees the same patched module)."""
    real = events_mod.extract
    threads: list[str] = []  # where each article was extracted

    def extract(article, *a, **kw):
        threads.append(threading.current_thread().name)
        if article.name == BOOM:
            raise RuntimeError("a bug in one article")
        return real(article, *a, **kw)

    monkeypatch.setattr(events_mod, "extract", extract)
    return threads


def test_same_events_problems_and_order_as_the_local_path(engine, boom, monkeypatch):
    monkeypatch.setattr(engines, "SHARD_MAX", 2)  # several shards ...
    monkeypatch.setattr(engines, "IN_FLIGHT_PER_THREAD", 2)  # ... more than are in flight
    articles = corpus()
    local_problems, dask_problems = [], []
    local = pipeline.extract_all(articles, None, problems=local_problems, jobs=1)
    assert set(boom) == {threading.current_thread().name}
    boom.clear()
    got = pipeline.extract_all(articles, None, problems=dask_problems, engine=engine)
    assert boom and threading.current_thread().name not in boom  # on the worker's thread
    assert local and dump(got) == dump(local)
    assert dask_problems == local_problems
    assert [(p.name, p.reason) for p in dask_problems] == \
        [(BOOM, "extraction failed (RuntimeError); its events are missing")]
    seen = {s.article for e in got for s in e.sources}
    assert seen == {a.name for a in articles} - {BOOM}  # the others are all kept


def test_outcomes_come_back_for_every_article_once(engine, monkeypatch):
    monkeypatch.setattr(engines, "SHARD_MAX", 3)
    monkeypatch.setattr(engines, "IN_FLIGHT_PER_THREAD", 1)  # one shard at a time
    monkeypatch.setattr(engines, "RECOUNT_S", 0.0)  # the workers counted at every shard
    articles = corpus()
    got = dict(engine.extract_many(articles, "rules", events_mod.MAX_SECONDS))
    assert sorted(got) == list(range(len(articles)))
    for i, a in enumerate(articles):
        assert got[i] == ("ok", events_mod.extract(a, "rules"))


def test_cli_dask_engine_writes_the_same_parquet_as_the_local_run(cluster, tmp_path,
                                                                   newsmap_home, capsys):
    for i, (date, text) in enumerate(MORE):
        (tmp_path / f"{date or 'undated'}_more-{i}.txt").write_text(
            (f" date {date} " if date else "") + text, encoding="utf-8")
    for f in sorted(SEEDS_DIR.glob("*.txt"))[:3]:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    common = [str(tmp_path), "--no-cache", "--raw"]
    assert cli.main(["extract", *common, "--engine", "dask", cluster,
                     "--out", str(tmp_path / "dask.parquet")]) == 0
    assert "partitions to" in capsys.readouterr().err
    assert cli.main(["extract", *common, "--jobs", "1", "--format", "parquet",
                     "--out", str(tmp_path / "local.parquet")]) == 0
    got = parquet.read_events(tmp_path / "dask.parquet")
    want = parquet.read_events(tmp_path / "local.parquet")
    assert got and dump(got) == dump(want)
    assert sorted(p.name for p in (tmp_path / "dask.parquet").iterdir()) == \
        sorted(p.name for p in (tmp_path / "local.parquet").iterdir())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engines, "CONNECT_TIMEOUT_S", 1.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    assert cli.main(["extract", "--engine", "dask", address,
                     "--out", str(tmp_path / "ev")]) == 2
    assert time.monotonic() - start < 10
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"extract: cannot reach the Dask scheduler at {address} within 1 s")
    assert "\n" not in err and not (tmp_path / "ev").exists()

    assert cli.main(["extract", "--engine", "dask", "nonsense://x", "--out", "y"]) == 2
    assert "is not a Dask scheduler address" in capsys.readouterr().err
    assert cli.main(["extract", "--engine", "spark", address, "--out", "y"]) == 2
    assert "unknown engine 'spark'" in capsys.readouterr().err


def test_a_scheduler_without_workers_says_so():
    with distributed.LocalCluster(processes=False, n_workers=0,
                                  dashboard_address="127.0.0.1:0") as empty:
        start = time.monotonic()
        with pytest.raises(engines.EngineError, match="has no workers after 1 s; start some"):
            engines.DaskEngine.connect(empty.scheduler_address, timeout_s=1.0)
        assert time.monotonic() - start < 10


def test_dask_is_optional_and_its_absence_says_what_to_install(monkeypatch):
    code = ("import sys, geo.cli, geo.engines, geo.pipeline, geo.parquet; "
            "print('dask' in sys.modules, 'distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(engines.EngineError, match=r"pip install dask==2026\.8\.0 "
                                                  r"distributed==2026\.8\.0"):
        engines.DaskEngine.connect("tcp://127.0.0.1:8786")


def _stale_worker(*args):
    raise engines.WorkerMismatch("this worker's extractor differs from the client's")


def test_a_stale_worker_fails_the_run_instead_of_giving_other_events(engine, monkeypatch):
    fut = engine.client.submit(engines.extract_shard, corpus()[:1], "rules", 10.0,
                               "another-fingerprint", pure=False)
    with pytest.raises(engines.WorkerMismatch):
        fut.result()
    monkeypatch.setattr(engines, "extract_shard", _stale_worker)
    with pytest.raises(engines.EngineError, match="extractor differs"):
        pipeline.extract_all(corpus(), None, engine=engine)
