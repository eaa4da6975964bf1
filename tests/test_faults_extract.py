"""Extraction under hostile input: dates at the ends of the calendar, crafted slow texts,
one article that breaks the extractor, template syntax through the CLI's HTML export."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import extract as extract_mod
from geo import pipeline
from geo.extract import extract
from geo.models import Article

ROOT = Path(__file__).resolve().parent.parent

DATE_CASES = [
    " date 0001-01-01 Protesters stormed the embassy in Baghdad on Friday.",
    " date 9999-12-31 Protesters will storm the embassy in Baghdad next Friday.",
    " date 9999-12-31 Protesters stormed the embassy in Baghdad a day later.",
    " date 2023-01-01 Protesters stormed the embassy in Baghdad 1000000 days ago.",
    " date 2023-01-01 Protesters stormed the embassy in Baghdad 99999999999 days later.",
    " date 2023-01-01 Protesters stormed the embassy in Baghdad on 31 December 9999.",
    " date 2023-01-01 Protesters stormed the embassy in Baghdad on January 1, 0001.",
    " date 2023-01-01 Protesters stormed the embassy in Baghdad in the year 1.",
    " date 1800-01-01 Protesters stormed the embassy in Baghdad last Friday.",
    " date 2200-12-31 Protesters will storm the embassy in Baghdad next week.",
    " date 2023-02-30 Protesters stormed the embassy in Baghdad.",
    " date 2023-13-01 Protesters stormed the embassy in Baghdad.",
    " date 10000-01-01 Protesters stormed the embassy in Baghdad.",
    "Protesters stormed the embassy in Baghdad on Thursday, 31 December 9999.",
]


@pytest.mark.parametrize("text", DATE_CASES)
def test_date_extremes_never_crash_and_keep_the_article(tmp_path, text):
    (tmp_path / "a.txt").write_text(text + "\n", "utf-8")
    result = pipeline.run([tmp_path], use_cache=False)
    assert [a.name for a in result.articles] == ["a.txt"]
    assert result.events, "the storming is still found"
    for e in result.events:
        assert e.date is None or 1800 <= int(e.date[:4]) <= 2200


SLOW = {
    "run-on sentence": "Protesters stormed the embassy in Baghdad and " * 2500,
    "capital word and spaces": "Baghdad" + " " * 100_000 + "x",
    "possessives": "Baghdad's " * 10_000,
    "country list": ", ".join(["Iraq", "Sweden", "Denmark", "Iran"] * 2500) + " cut ties.",
    "one long word": "Stormed" + "a" * 100_000,
}


@pytest.mark.parametrize("name", SLOW)
def test_crafted_text_extracts_in_linear_time(name):
    """A backtracking pattern takes minutes on these; linear code takes about a second. CPU
    time, not wall time, so a busy shared machine does not fail it."""
    extract(Article(name="warm", text="Protesters stormed the embassy in Baghdad.",
                    date="2023-07-20"))  # models and gazetteer loaded once, outside the clock
    text = SLOW[name][:100_000]
    t0 = time.process_time()
    extract(Article(name=name, text=text, date="2023-07-20"))
    assert time.process_time() - t0 < 5.0


def test_one_failing_article_is_reported_and_the_rest_kept(tmp_path, monkeypatch):
    (tmp_path / "good.txt").write_text(" date 2023-07-20 Protesters stormed the Swedish "
                                       "embassy in Baghdad on Thursday.\n", "utf-8")
    (tmp_path / "bad.txt").write_text(" date 2023-07-20 BOOM: protesters stormed the "
                                      "Swedish embassy in Baghdad.\n", "utf-8")
    real = extract_mod.extract

    def flaky(article, *args, **kwargs):
        if "BOOM" in article.text:
            raise RuntimeError("bug")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(extract_mod, "extract", flaky)
    result = pipeline.run([tmp_path], use_cache=False)
    assert {s.article for e in result.events for s in e.sources} == {"good.txt"}
    assert [p.name for p in result.problems] == ["bad.txt"]
    assert "extraction failed" in result.problems[0].reason


def test_an_article_over_its_time_budget_is_skipped_by_name(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(" date 2023-07-20 Protesters stormed the embassy in "
                                    "Baghdad. They marched on.\n", "utf-8")
    monkeypatch.setattr(extract_mod, "MAX_SECONDS", 1e-9)
    result = pipeline.run([tmp_path], use_cache=False)
    assert result.events == []
    assert result.problems and "too long" in result.problems[0].reason


def test_cli_html_export_keeps_template_syntax_as_text(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.txt").write_text(
        " date 2023-07-20 Protesters stormed the Swedish embassy in Baghdad on Thursday, "
        f"chanting {{{{ 7*7 }}}} and {{{{ cycler.__init__.__globals__.os.system('touch "
        f"{marker}') }}}} {{% raw %}} </script><img src=x onerror=alert(1)>.\n", "utf-8")
    out = subprocess.run([sys.executable, "-m", "geo", "extract", "--format", "html",
                          "--no-cache", str(tmp_path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    page = out.stdout
    assert "new NM.StepLayer(" in page
    assert not marker.exists()
    script = page[page.index("new NM.StepLayer("):]
    script = script[: script.index("</script>")]
    assert "7*7" in script and "<img" not in script
