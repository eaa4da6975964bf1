from pathlib import Path

import pytest

from geo.articles import MAX_BYTES, infer_missing_dates, parse_bytes, read_paths
from geo.paths import SEEDS_DIR


def test_seeds_load_with_dates():
    articles, problems = read_paths([SEEDS_DIR])
    assert problems == []
    dates = {a.name: a.date for a in articles}
    assert len(articles) == 4
    assert dates["2023-07-22_green-zone-jumhuriya-bridge.txt"] == "2023-07-22"
    assert dates["undated_iraq-severs-ties-with-sweden.txt"] is None
    # the date line is consumed, the paragraph on the same line is kept
    a = next(a for a in articles if a.date == "2023-07-22")
    assert a.text.startswith("Hundreds of protesters attempted to storm")


def test_undated_seed_gets_inferred_date_from_sibling_story():
    articles, _ = read_paths([SEEDS_DIR])
    inferred = {a.name: a for a in infer_missing_dates(articles)}
    a = inferred["undated_iraq-severs-ties-with-sweden.txt"]
    assert a.date == "2023-07-20"
    assert a.date_source == "inferred"
    assert "same story" in a.date_note


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty"),
        (b" date 2023-01-01 \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("café au lait in Paris, plenty of text here".encode("latin-1"), "not UTF-8"),
        (b"x" * (MAX_BYTES + 1), "too large"),
        (b"12345 67890 !!!", "no article text"),
    ],
)
def test_bad_input_is_reported_with_reason(raw, reason):
    article, problems = parse_bytes("bad.txt", raw)
    assert article is None
    assert any(reason in p.reason for p in problems)
    assert all(p.name == "bad.txt" for p in problems)


def test_invalid_date_line_keeps_article_undated_and_says_so():
    article, problems = parse_bytes("a.txt", b" date 2023-02-30 Protesters marched in Paris today.")
    assert article is not None and article.date is None
    assert article.text == "Protesters marched in Paris today."
    assert problems and not problems[0].skipped and "invalid date" in problems[0].reason


def test_bom_and_crlf_are_normalised():
    raw = "\ufeff date 2023-05-01 First line.\r\nSecond line in Berlin.\r\n".encode()
    article, problems = parse_bytes("a.txt", raw)
    assert problems == []
    assert article.date == "2023-05-01"
    assert article.text == "First line.\nSecond line in Berlin."


def test_one_bad_file_does_not_lose_the_others(tmp_path: Path):
    text = " date 2023-01-02 Thousands protested in Paris on Monday."
    (tmp_path / "a_good.txt").write_text(text)
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "latin.txt").write_bytes("Protest à Paris, élan".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "z_dup.txt").write_text(text)
    (tmp_path / "notes.md").write_text("not an article: folders are scanned for .txt only")
    missing = str(tmp_path / "missing.txt")
    articles, problems = read_paths([tmp_path, missing])
    assert [a.name for a in articles] == ["a_good.txt"]
    reasons = {p.name: p.reason for p in problems}
    assert set(reasons) == {"bin.txt", "latin.txt", "empty.txt", "z_dup.txt", missing}
    assert "duplicate of a_good.txt" in reasons["z_dup.txt"]
    assert "no such file" in reasons[missing]
    assert all(p.skipped for p in problems)
