"""End to end on the seeds: gold scores, the CLI contract, the extraction cache."""

import json
import subprocess
import sys

import pytest

from geo import extract as events_mod
from geo import pipeline, score
from geo.paths import PROJECT_ROOT, SEEDS_DIR

GOLD = PROJECT_ROOT / "bench" / "gold" / "seeds.jsonl"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path))
    monkeypatch.delenv("NEWSMAP_ONLINE", raising=False)
    return tmp_path


def test_seeds_meet_the_gold(home):
    result = pipeline.run([SEEDS_DIR])
    s = score.score(result.events, score.load_gold(GOLD))
    detail = score.report(result.events, score.load_gold(GOLD), s)
    assert s.strict_precision >= 0.9, detail
    assert s.strict_recall == 1.0, detail  # every gold seed event, right day and place


def test_each_required_seed_event_exactly_once(home):
    evs = pipeline.run([SEEDS_DIR]).events
    def at(date, category, place_word):
        return [e for e in evs if e.date == date and e.category == category
                and place_word in (e.place.name if e.place else "")]
    assert len(at("2021-11-05", "riot/storming", "Green Zone")) == 1
    assert len(at("2023-06-29", "riot/storming", "Sweden")) == 1
    assert len(at("2023-07-20", "riot/storming", "Sweden")) == 1
    assert len(at("2023-07-21", "desecration", "Iraq, Copenhagen")) == 1
    assert len(at("2023-07-21", "riot/storming", "Green Zone")) == 1
    assert len([e for e in at("2023-07-21", "protest", "Iraq") if e.mention.kind == "country"]) == 1
    assert len(at("2023-07-22", "riot/storming", "Jumhuriya")) == 1
    planned = [e for e in evs if e.status == "planned"]
    assert [(e.date, e.time_of_day, e.place.name) for e in planned] == [
        ("2023-07-22", "18:00", "Baghdad")]
    # the story told by two seeds is one event with both sources
    storm = at("2023-07-20", "riot/storming", "Sweden")[0]
    assert len({s.article for s in storm.sources}) == 3


def test_second_run_is_served_from_the_cache(home, monkeypatch):
    first = pipeline.run([SEEDS_DIR])

    def boom(article):
        raise AssertionError(f"re-extracted {article.name}")

    monkeypatch.setattr(events_mod, "extract", boom)
    second = pipeline.run([SEEDS_DIR])
    assert [e.to_dict() for e in second.events] == [e.to_dict() for e in first.events]


def run_cli(*args, home):
    env = {"NEWSMAP_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_extract_jsonl_contract_and_exit_code(home, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage")
    out = run_cli("extract", str(SEEDS_DIR), str(bad), home=home)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "skipped: broken.txt: binary file (contains NUL bytes), not text"]
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) >= 15
    for r in rows:
        assert set(r) >= {"id", "date", "date_precision", "status", "category", "title",
                          "place", "sources"}
        assert r["status"] in ("occurred", "planned")
        assert r["date_precision"] in ("day", "month", "year")
        assert set(r["place"]) >= {"name", "lat", "lon", "precision", "source", "city",
                                   "country"}
        assert r["sources"] and all(set(s) == {"article", "sentence"} for s in r["sources"])
    ok = run_cli("extract", str(SEEDS_DIR), "--format", "geojson", home=home)
    assert ok.returncode == 0 and json.loads(ok.stdout)["type"] == "FeatureCollection"


def test_cli_geocode(home):
    out = run_cli("geocode", "Jumhuriya bridge", "--near", "Baghdad", home=home)
    place = json.loads(out.stdout)
    assert place["precision"] == "landmark" and abs(place["lat"] - 33.3248) < 0.01
