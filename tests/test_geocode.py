"""Resolving place mentions offline: phrases, missions, fallbacks, events, the cache, the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading

import pytest

from geo import gazetteer as gz
from geo.cli import main as cli_main
from geo.geocache import GeoCache, cache_key, is_good_place
from geo.geocode import Geocoder, parse_place_phrase
from geo.models import Event, Place, PlaceMention, Source
from geo.paths import PROJECT_ROOT


@pytest.fixture
def g(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSMAP_ONLINE", raising=False)
    return Geocoder(online=False, cache_path=tmp_path / "geocode.sqlite")


def km(place: Place, lat: float, lon: float) -> float:
    return gz.haversine_km(place.lat, place.lon, lat, lon)


# -- parse_place_phrase ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "near", "expected"),
    [
        ("the Swedish embassy in Baghdad", None, ("mission", "SE", "Baghdad", "IQ")),
        ("Swedish Embassy in Baghdad", None, ("mission", "SE", "Baghdad", "IQ")),
        ("the Iraqi embassy in Copenhagen", None, ("mission", "IQ", "Copenhagen", "DK")),
        ("Sweden's consulate in Istanbul", None, ("mission", "SE", "Istanbul", "TR")),
        ("Sweden’s consulate in Istanbul", None, ("mission", "SE", "Istanbul", "TR")),
        ("the U.S. embassy in Iraq", None, ("mission", "US", None, "IQ")),
        ("Embassy of Sweden, Baghdad", None, ("mission", "SE", "Baghdad", "IQ")),
        ("the Danish Embassy", "Baghdad", ("mission", "DK", "Baghdad", "IQ")),
        ("Jumhuriya bridge", None, ("landmark", None, "Baghdad", "IQ")),
        ("the Jumhuriya bridge", "Baghdad", ("landmark", None, "Baghdad", "IQ")),
        ("Tahrir Square", "Cairo", ("landmark", None, "Cairo", "EG")),
        ("Karachi", None, ("city", None, "Karachi", "PK")),
        ("Antakya", None, ("city", None, "Antakya", "TR")),
        ("Iraq", None, ("country", None, None, "IQ")),
        ("the United States", None, ("country", None, None, "US")),
        ("Gaza Strip", None, ("region", None, None, "PS")),
    ],
)
def test_parse_place_phrase(text, near, expected):
    m = parse_place_phrase(text, near=near)
    assert (m.kind, m.mission_of, m.city, m.country_code) == expected
    assert m.text == text


def test_parse_never_raises_on_odd_input():
    for text in ("", "   ", "embassy", "the the", "!!!", "in in in", "Embassy of", "x" * 500):
        assert isinstance(parse_place_phrase(text), PlaceMention)


# -- resolution -----------------------------------------------------------------------------------


def test_seed_landmarks_and_missions(g):
    p = g.geocode_query("Jumhuriya bridge", near="Baghdad")
    assert (p.source, p.precision, p.city, p.country_code) == ("gazetteer", "landmark",
                                                                "Baghdad", "IQ")
    assert km(p, 33.324762, 44.404512) < 0.5
    p = g.geocode_query("the Swedish embassy in Baghdad")
    assert p.precision == "landmark" and km(p, 33.3184, 44.4252) < 1
    p = g.geocode_query("the Iraqi embassy in Copenhagen")
    assert p.precision == "landmark" and km(p, 55.68887, 12.58983) < 1
    p = g.geocode_query("Baghdad's Green Zone")
    assert p.precision == "landmark" and km(p, 33.307577, 44.390259) < 2.5


@pytest.mark.parametrize(
    ("text", "city", "lat", "lon"),
    [
        ("Norway's consulate in Istanbul", "Istanbul", 41.01384, 28.94966),
        ("the Swedish embassy in Copenhagen", "Copenhagen", 55.67594, 12.56553),
        ("the Danish embassy in Stockholm", "Stockholm", 59.32938, 18.06871),
        ("the French embassy in Niamey", "Niamey", 13.51366, 2.1098),
    ],
)
def test_mission_not_in_gazetteer_falls_back_to_the_city_never_a_landmark(g, text, city, lat,
                                                                         lon):
    p = g.geocode_query(text)
    assert p.precision == "city" and p.city == city
    assert km(p, lat, lon) < 15
    assert "not in gazetteer" in p.note and "city" in p.note
    assert p.confidence <= 0.5


def test_curated_consulates_and_embassies_beyond_the_seeds(g):
    p = g.geocode_query("Sweden's consulate in Istanbul")
    assert (p.precision, p.city, p.source) == ("landmark", "Istanbul", "gazetteer")
    assert km(p, 41.028916666, 28.974972222) < 0.1
    p = g.geocode_query("the U.S. embassy in Khartoum")
    assert p.precision == "landmark" and km(p, 15.52645, 32.60806) < 0.1
    # The Swedish embassy in Istanbul does not exist (it is a consulate): city, not a landmark.
    p = g.geocode_query("the Swedish embassy in Istanbul")
    assert (p.precision, p.city) == ("city", "Istanbul")


def test_mission_without_a_city_uses_the_articles_places(g):
    m = PlaceMention(text="the Swedish embassy", kind="mission", mission_of="SE")
    ctx = [PlaceMention(text="Stockholm", kind="city", city="Stockholm", country_code="SE"),
           PlaceMention(text="Baghdad", kind="city", city="Baghdad", country_code="IQ")]
    p = g.resolve(m, ctx)
    assert p.precision == "landmark" and km(p, 33.3184, 44.4252) < 1


def test_embassy_in_a_country_is_in_its_capital(g):
    p = g.geocode_query("the Turkish embassy in Sweden")
    assert p.precision == "city" and p.city == "Stockholm"
    assert "not in gazetteer" in p.note


def test_landmark_context_picks_the_right_city(g):
    ctx = [PlaceMention(text="Baghdad", kind="city", city="Baghdad", country_code="IQ")]
    p = g.resolve(PlaceMention(text="Tahrir Square", kind="landmark"), ctx)
    assert p.city == "Baghdad"
    ctx = [PlaceMention(text="Cairo", kind="city", city="Cairo", country_code="EG")]
    p = g.resolve(PlaceMention(text="Tahrir Square", kind="landmark"), ctx)
    assert p.city == "Cairo"


def test_unknown_landmark_falls_back_to_its_city_visibly(g):
    m = PlaceMention(text="al-Rasheed Street", kind="landmark", city="Baghdad", country_code="IQ")
    p = g.resolve(m)
    assert (p.precision, p.city) == ("city", "Baghdad")
    assert "not in gazetteer" in p.note


def test_unknown_landmark_in_another_city_is_not_the_seed_landmark(g):
    m = PlaceMention(text="Jumhuriya bridge", kind="landmark", city="Copenhagen",
                     country_code="DK")
    p = g.resolve(m)
    assert p.precision == "city" and p.city == "Copenhagen"


@pytest.mark.parametrize(
    ("name", "cc"),
    [("Karachi", "PK"), ("Beirut", "LB"), ("Antakya", "TR"), ("Mosul", "IQ"), ("Kyiv", "UA")],
)
def test_world_cities_offline(g, name, cc):
    p = g.resolve(PlaceMention(text=name, kind="city"))
    assert (p.precision, p.country_code, p.source) == ("city", cc, "geonames")
    assert p.confidence >= 0.6


def test_city_ambiguity_settled_by_context(g):
    ctx = [PlaceMention(text="Lebanon", kind="country", country_code="LB")]
    assert g.resolve(PlaceMention(text="Tripoli", kind="city"), ctx).country_code == "LB"
    assert g.resolve(PlaceMention(text="Tripoli", kind="city")).country_code == "LY"


def test_countries_and_unresolved(g):
    p = g.resolve(PlaceMention(text="Iraq", kind="country", country_code="IQ"))
    assert (p.precision, p.country) == ("country", "Iraq")
    p = g.resolve(PlaceMention(text="Qwxyzville", kind="city"))
    assert p.lat is None and p.source == "unresolved" and p.note


def test_resolve_never_raises(g, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("gazetteer exploded")

    monkeypatch.setattr(gz, "find_landmark", boom)
    p = g.resolve(PlaceMention(text="Jumhuriya bridge", kind="landmark"))
    assert p.source == "unresolved" and "RuntimeError" in p.note


def test_locate_events_uses_article_context(g):
    def ev(i, mention, article):
        return Event(id=i, date="2023-07-20", date_precision="day", status="occurred",
                     category="protest", title=i, mention=mention,
                     sources=[Source(article=article, sentence="...")])

    events = [
        ev("a", PlaceMention(text="Baghdad", kind="city", city="Baghdad", country_code="IQ"),
           "one.txt"),
        ev("b", PlaceMention(text="Tahrir Square", kind="landmark"), "one.txt"),
        ev("c", PlaceMention(text="Tahrir Square", kind="landmark"), "two.txt"),
        ev("d", PlaceMention(text="Cairo", kind="city"), "two.txt"),
        ev("e", None, "two.txt"),
    ]
    out = g.locate_events(events)
    assert [e.id for e in out] == ["a", "b", "c", "d", "e"]
    assert out[1].place.city == "Baghdad" and out[2].place.city == "Cairo"
    assert out[4].place is None
    assert events[1].place is None  # inputs untouched


# -- the cache ------------------------------------------------------------------------------------


def good(name="X", lat=33.3, lon=44.4) -> Place:
    return Place(name=name, lat=lat, lon=lon, precision="landmark", source="nominatim",
                 attribution="© OpenStreetMap contributors")


def test_cache_is_wal_and_round_trips(tmp_path):
    c = GeoCache(tmp_path / "c.sqlite")
    assert c.journal_mode() == "wal"
    key = cache_key("Consulate of Sweden", kind="mission", city="Istanbul", country_code="tr")
    assert key == cache_key("consulate of  sweden", kind="mission", city="istanbul",
                            country_code="TR")
    assert key != cache_key("Consulate of Sweden", kind="mission", city="Ankara",
                            country_code="TR")
    assert c.put(key, good())
    assert c.get(key) == good()
    assert GeoCache(tmp_path / "c.sqlite").get(key) == good()  # persistent


def test_bad_answers_are_never_cached_as_good(tmp_path):
    c = GeoCache(tmp_path / "c.sqlite")
    bad = [
        Place(name="x", lat=None, lon=None, precision="city", source="unresolved"),
        Place(name="x", lat=None, lon=44.0, precision="city", source="nominatim"),
        Place(name="x", lat=math.nan, lon=44.0, precision="city", source="nominatim"),
        Place(name="x", lat=91.0, lon=44.0, precision="city", source="nominatim"),
        Place(name="x", lat=33.0, lon=44.0, precision="city", source="unresolved"),
    ]
    for i, p in enumerate(bad):
        assert not is_good_place(p)
        assert c.put(f"k{i}", p) is False
        assert c.get(f"k{i}") is None
    assert c.stats().get("ok", 0) == 0
    # A negative answer is marked as such, expires, and never replaces a good one.
    assert c.put_negative("neg", "no-result", ttl_s=60)
    assert c.get("neg") is None and c.get_negative("neg") == "no-result"
    c.put_negative("old", "no-result", ttl_s=-1)
    assert c.get_negative("old") is None
    c.put("both", good())
    c.put_negative("both", "no-result")
    assert c.get("both") == good() and c.get_negative("both") is None


def test_cache_concurrent_writers_threads(tmp_path):
    c = GeoCache(tmp_path / "c.sqlite")
    errors = []

    def writer(t):
        try:
            for i in range(40):
                assert c.put(f"t{t}-{i}", good(f"{t}-{i}", 10 + t, 20 + i / 100))
                assert c.get(f"t{t}-{i}") is not None
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert c.stats()["ok"] == 240


def test_cache_concurrent_writers_processes(tmp_path):
    path = tmp_path / "c.sqlite"
    GeoCache(path)
    code = (
        "import sys; from geo.geocache import GeoCache; from geo.models import Place\n"
        "c = GeoCache(sys.argv[1]); n = sys.argv[2]\n"
        "for i in range(60):\n"
        "    p = Place(name=n, lat=1.0 + i / 100, lon=2.0, precision='city', source='nominatim')\n"
        "    assert c.put(f'{n}-{i}', p)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), f"p{n}"],
                              cwd=PROJECT_ROOT) for n in range(3)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    assert GeoCache(path).stats()["ok"] == 180


def test_unusable_cache_path_does_not_break_the_geocoder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    g = Geocoder(online=False, cache_path=blocker / "sub" / "c.sqlite")
    assert g.geocode_query("Karachi").country_code == "PK"


# -- the CLI --------------------------------------------------------------------------------------


def test_cli_prints_place_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSMAP_HOME", str(tmp_path))
    monkeypatch.delenv("NEWSMAP_ONLINE", raising=False)
    assert cli_main(["geocode", "Jumhuriya bridge", "--near", "Baghdad"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["source"], d["precision"], d["city"]) == ("gazetteer", "landmark", "Baghdad")
    assert Place.from_dict(d).lat == pytest.approx(33.324762)


def test_regions_and_countries_named_like_towns(g):
    p = g.resolve(PlaceMention(text="Florida", kind="city"))
    assert (p.precision, p.country_code) == ("region", "US")
    assert g.resolve(PlaceMention(text="Georgia", kind="city")).country_code == "GE"
    assert g.resolve(PlaceMention(text="Washington", kind="city")).precision == "city"
    p = g.resolve(PlaceMention(text="Gaza Strip", kind="region"))
    assert (p.precision, p.country_code) == ("region", "PS")


def test_a_town_resolves_in_the_country_the_text_gives(g):
    p = g.resolve(PlaceMention(text="Letur", kind="city", city="Letur", country_code="ES"))
    assert (p.precision, p.country_code) == ("city", "ES")
    assert km(p, 38.366, -2.102) < 5


def test_an_unknown_name_shown_at_its_city_says_so(g):
    p = g.resolve(PlaceMention(text="Qwertyville", kind="city", city="Paris", country_code="FR"))
    assert (p.precision, p.city) == ("city", "Paris")
    assert "Qwertyville: not found" in p.note and p.confidence <= 0.5
    street = g.geocode_query("Rue de Rivoli", near="Paris")
    assert street.precision == "city" and "Rue de Rivoli" in street.note


def test_a_landmark_in_a_small_town_the_extractor_chose_is_shown_at_that_town(g):
    town = gz.find_town("Tal Afar", ["IQ"])
    p = g.resolve(PlaceMention(text="Tal Afar market", kind="landmark", city=town.name,
                               country_code="IQ", entry_id=town.id))
    assert p.precision == "city" and km(p, town.lat, town.lon) < 1


def test_a_small_town_in_the_texts_country_beats_a_namesake_abroad(g):
    # "Khar" is an alternate name of Haar in Bavaria; the Pakistani town is in the towns table
    p = g.resolve(PlaceMention(text="Khar", kind="city", city="Khar", country_code="PK"))
    assert p.country_code == "PK" and p.precision == "city"


def test_a_volcano_is_its_own_point_not_the_dateline_city(g):
    # "Guatemala: Fuego Volcano eruption" in a story datelined Guatemala City
    p = g.resolve(PlaceMention(text="Fuego Volcano", kind="landmark", city="Guatemala City",
                               country_code="GT"))
    assert p.precision == "landmark" and km(p, 14.473, -90.880) < 1


def test_a_village_the_text_names_is_not_a_namesake_far_from_the_articles_places(g):
    # "the village of Jinping" in a Sichuan story: the only Jinping of the towns table is a
    # town 500 km east, in Chongqing; the region the article names is nearer the truth
    p = g.resolve(PlaceMention(text="Jinping", kind="city", city="Jinping", country_code="CN"),
                  [PlaceMention(text="Sichuan", kind="region", country_code="CN")])
    assert km(p, 31.208, 109.935) > 300 and p.country_code == "CN"


def test_of_namesakes_in_one_country_the_one_by_the_articles_places(g):
    # "three Batangas towns - San Nicolas, Balete and Talisay": not Talisay in Cebu (larger),
    # nor San Nicolas in Ilocos (the only one in the city table)
    batangas = PlaceMention(text="Batangas", kind="city", city="Batangas", country_code="PH")
    for name in ("Talisay", "San Nicolas"):
        p = g.resolve(PlaceMention(text=name, kind="city", city=name, country_code="PH"),
                      [batangas])
        assert km(p, 13.95, 121.0) < 40, (name, p)
    alone = g.resolve(PlaceMention(text="Talisay", kind="city", city="Talisay", country_code="PH"))
    assert km(alone, 10.245, 123.849) < 5  # without context: the largest


def test_a_compass_part_of_a_region_or_country_is_placed_in_that_part(g):
    from geo.mentions import find_mentions

    def parts(s):
        return [(f.mention.text, f.mention.part) for f in find_mentions(s)]

    assert parts("Record flooding in eastern Kentucky killed 16.") == [("Kentucky", "east")]
    assert parts("A quake rocked north-east India and northern Peru.") == [
        ("India", "northeast"), ("Peru", "north")]
    assert parts("Floods hit North Carolina and West Bengal.") == [
        ("North Carolina", None), ("West Bengal", None)]  # names, not parts
    kentucky = g.resolve(PlaceMention(text="Kentucky", kind="region", country_code="US"))
    east = g.resolve(PlaceMention(text="Kentucky", kind="region", country_code="US",
                                  part="east"))
    assert east.name == "eastern Kentucky" and east.precision == "region"
    assert east.lon > kentucky.lon + 0.8  # the eastern counties (Pikeville is at -82.5)
    assert km(east, 37.48, -82.52) < 150
    peru = g.resolve(PlaceMention(text="Peru", kind="country", country_code="PE",
                                  part="north"))
    assert peru.name == "northern Peru" and peru.lat > -7.5  # Peru's centroid is at -9.2
    # too few units to tell a part: the whole place
    assert gz.part_point("VA", None, "north") is None
    # the part is a place of its own when events merge
    from geo.merge import mention_key
    assert mention_key(PlaceMention(text="Peru", kind="country", country_code="PE",
                                    part="north")) != mention_key(
        PlaceMention(text="Peru", kind="country", country_code="PE"))


def test_a_landmark_in_a_small_town_is_there_not_at_a_larger_namesake_abroad(g):
    # "a mining protest at Sape port" in a Bima story: Sape, Indonesia, a town of the towns
    # table, not Sapé in Brazil, the only city of the name
    p = g.resolve(PlaceMention(text="Sape port", kind="landmark", city="Sape", country_code="ID",
                               entry_id="geonames:1628673"))
    assert (p.country_code, p.name) == ("ID", "Sape"), p
