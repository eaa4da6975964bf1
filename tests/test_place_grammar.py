"""The place vocabulary exists once (geo/data/place_words.csv) and every stage reads it."""

import csv

import pytest

from geo import gazetteer, geocode, mentions, place_grammar


def test_every_row_has_a_known_kind_and_scan_flag():
    with open(place_grammar.DATA, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    kinds = {"mission", "landmark", "region_rank", "region_rank2", "settlement"}
    for r in rows:
        assert r["kind"] in kinds, r
        assert r["scan"] in ("yes", "no"), r
        assert r["word"] == r["word"].strip().lower(), r


def test_the_stages_share_one_vocabulary():
    assert set(geocode._LANDMARK_WORDS) == set(place_grammar.LANDMARK_TYPES)
    assert set(gazetteer.REGION_WORDS) == set(place_grammar.REGION_RANKS) | set(
        place_grammar.REGION_RANKS_2)
    scanned = set(place_grammar.words("landmark", scanned_only=True))
    assert scanned == mentions._LANDMARK_WORDS
    assert "bridge" in scanned and "rue" not in scanned  # "rue" only inside known names


def test_a_mission_word_from_the_file_is_found_in_text_and_resolved():
    found = mentions.find_mentions("Protesters gathered outside the Swedish legation in "
                                   "Baghdad on Friday.")
    assert [(f.mention.kind, f.mention.mission_of, f.mention.city) for f in found] == [
        ("mission", "SE", "Baghdad")]
    assert geocode._mission_kind("legation") == "mission"


def test_alternation_treats_space_and_hyphen_alike():
    import re

    pattern = re.compile(place_grammar.alternation("mission"))
    assert pattern.fullmatch("consulate-general") and pattern.fullmatch("consulate general")
    assert pattern.fullmatch("high commission") and pattern.fullmatch("high-commission")


def test_a_possessive_inside_a_name_is_part_of_the_name():
    s = "A woman died overnight in northern Hawke's Bay; Venezuela's Maduro spoke."
    got = [(s[f.start:f.end], f.mention.kind) for f in mentions.find_mentions(s)]
    assert got == [("Hawke's Bay", "region"), ("Venezuela", "country")]


@pytest.mark.parametrize("paragraph, expected", [
    ("Guayaquil: Masked men broke onto the set of a television channel.", ("Guayaquil", "EC")),
    ("Tashkent [Uzbekistan], July 5 : 18 people were killed.", ("Tashkent", "UZ")),
    ("Paris, July 18, (dpa/GNA) – French authorities were forced to act.", ("Paris", "FR")),
    ("Addis Abeba – Rescue efforts are still ongoing.", ("Addis Ababa", "ET")),
    ("Police – who had been warned – stayed away.", None),
    ("Update: more people were evacuated.", None),
    ("Sudan: the army seized power.", None),
])
def test_a_dateline_in_the_case_of_the_prose(paragraph, expected):
    assert mentions.dateline(paragraph) == expected
