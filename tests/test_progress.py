"""progress(done, total) from geo.pipeline, and the CLI's one-line progress on a terminal.

Extraction is stubbed (no model, no gazetteer): these tests check the counting only.
"""

from __future__ import annotations

import io
import logging

import pytest

from geo import cli, pipeline
from geo.models import Article

BODY = "Protesters gathered in central Baghdad on Thursday, witnesses said."


class NoGeocoder:
    def locate_events(self, events):
        return events


@pytest.fixture
def fast_extract(monkeypatch):
    """Extraction that finds nothing, instantly; an article named 'bad*' fails."""

    def extract(article, method=None, budget_s=None):
        if article.name.startswith("bad"):
            raise RuntimeError("boom")
        return []

    monkeypatch.setattr(pipeline.events_mod, "extract", extract)


def _articles(n: int, bad: set[int] = frozenset()) -> list[Article]:
    return [Article(name=f"{'bad' if i in bad else 'a'}{i}.txt", text=f"text {i}",
                    date="2023-07-20") for i in range(n)]


def test_extract_all_counts_every_article(fast_extract):
    calls = []
    problems = []
    pipeline.extract_all(_articles(5, bad={2}), None, problems=problems,
                         progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 5) for i in range(1, 6)]  # the failed one counts too
    assert [p.name for p in problems] == ["bad2.txt"]


def test_extract_all_counts_cache_hits(fast_extract, tmp_path):
    cache = pipeline.ExtractionCache(tmp_path / "cache")
    arts = _articles(3)
    pipeline.extract_all(arts, cache)  # fills the cache; no callback: unchanged behaviour
    calls = []
    pipeline.extract_all(arts, cache, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_extract_all_without_articles_never_calls():
    calls = []
    assert pipeline.extract_all([], None, progress=lambda d, t: calls.append((d, t))) == []
    assert calls == []


def test_run_reports_the_articles_it_read(fast_extract, tmp_path, newsmap_home):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.txt").write_text(f" date 2023-07-2{i} {BODY} Number {i}.")
    (folder / "empty.txt").write_bytes(b"")  # skipped when read: not counted
    extra = [Article(name="pasted.txt", text="pasted text", date="2023-07-20")]
    calls = []
    result = pipeline.run([folder], online=False, extra_articles=extra, geocoder=NoGeocoder(),
                          use_cache=False, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 5) for i in range(1, 6)]
    assert len(result.articles) == 5
    assert [p.name for p in result.problems] == ["empty.txt"]
    # and without a callback, the same result
    again = pipeline.run([folder], online=False, extra_articles=extra, geocoder=NoGeocoder(),
                         use_cache=False)
    assert [a.name for a in again.articles] == [a.name for a in result.articles]


def test_run_cache_hit_needs_no_progress(fast_extract, tmp_path, newsmap_home):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f" date 2023-07-20 {BODY}")
    first, second = [], []
    pipeline.run([folder], online=False, progress=lambda d, t: first.append((d, t)))
    pipeline.run([folder], online=False, progress=lambda d, t: second.append((d, t)))
    assert first == [(1, 1)] and second == []  # the whole-run cache answered


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_cli_progress_line_on_a_terminal_with_many_articles(monkeypatch):
    monkeypatch.setattr(cli.time, "monotonic", iter(range(0, 10_000, 1)).__next__)
    out = Tty()
    line = cli.ProgressLine(out)
    assert line.enabled
    for i in range(1, 61):
        line(i, 60)
    text = out.getvalue()
    assert "\n" not in text  # one line, redrawn in place
    assert text.count("\r") == 60 and text.endswith("extracting: 60 / 60 articles (100%)")
    line.close()
    assert out.getvalue().endswith("\r\033[K")  # erased at the end


def test_cli_progress_line_is_throttled():
    out = Tty()
    line = cli.ProgressLine(out, interval=3600)
    for i in range(1, 1001):
        line(i, 1000)
    assert out.getvalue().count("\r") == 2  # the first and the last


def test_cli_no_progress_for_few_articles_or_without_a_terminal():
    out = Tty()
    line = cli.ProgressLine(out)
    for i in range(1, cli.PROGRESS_MIN_ARTICLES + 1):
        line(i, cli.PROGRESS_MIN_ARTICLES)
    line.close()
    assert out.getvalue() == ""
    piped = io.StringIO()
    line = cli.ProgressLine(piped)
    assert not line.enabled
    for i in range(1, 101):
        line(i, 100)
    assert piped.getvalue() == ""


def test_cli_warning_during_progress_starts_on_a_clean_line(monkeypatch):
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    out = Tty()
    line = cli.ProgressLine(out, interval=0)
    with line.logging_above():
        line(1, 100)
        logging.getLogger("geo.pipeline").warning("bad.txt: extraction failed")
        line(2, 100)
    assert "(1%)\r\033[Kbad.txt: extraction failed\n\r\033[Kextracting: 2 / 100" in (
        out.getvalue())
    assert not any(isinstance(h, logging.StreamHandler) and h.stream is out
                   for h in logging.getLogger().handlers)


def test_cli_extract_passes_progress_only_on_a_terminal(monkeypatch, capsys):
    seen = []

    def run(paths, **kw):
        seen.append(kw.get("progress"))
        return pipeline.Result()

    monkeypatch.setattr(pipeline, "run", run)
    assert cli.main(["extract", "x.txt"]) == 0  # pytest's stderr is not a terminal
    assert seen == [None]
    monkeypatch.setattr("sys.stderr", Tty())
    assert cli.main(["extract", "x.txt"]) == 0
    assert isinstance(seen[-1], cli.ProgressLine)
