"""A misbehaving Nominatim on 127.0.0.1: hanging, failing, answering in the wrong country,
with huge or mistyped JSON. Online geocoding must stay bounded in time, never accept a place
it cannot check, and never crash or poison the cache."""

from __future__ import annotations

import json
import logging
import sqlite3
import time

import pytest
from nominatim_stub import NominatimStub, result

from geo import nominatim as nm
from geo.geocache import GeoCache
from geo.geocode import Geocoder
from geo.models import PlaceMention


@pytest.fixture
def stub():
    s = NominatimStub().start()
    yield s
    s.stop()


def client(stub: NominatimStub, timeout: float = 1.0, **kw) -> nm.NominatimClient:
    return nm.NominatimClient(domain=stub.domain, scheme="http", timeout=timeout,
                              limiter=nm.RateLimiter(0.0), **kw)


def geocoder(tmp_path, c: nm.NominatimClient) -> Geocoder:
    return Geocoder(online=True, cache_path=tmp_path / "geocode.sqlite", nominatim=c)


def ok_rows(tmp_path) -> list[dict]:
    conn = sqlite3.connect(tmp_path / "geocode.sqlite")
    rows = conn.execute("SELECT place FROM answers WHERE status = 'ok'").fetchall()
    conn.close()
    return [json.loads(r[0]) for r in rows]


def bridge(i: int | str = "", city: str | None = "Istanbul", cc: str | None = "TR"):
    return PlaceMention(text=f"Nowhere Bridge{i}", kind="landmark", city=city, country_code=cc)


US_BRIDGE = result(40.7061, -73.9969, "Brooklyn Bridge, New York, United States", "us",
                   osm_class="man_made", osm_type="bridge", addresstype="man_made")
TR_BRIDGE = result(41.0199, 28.9731, "Galata Köprüsü, Istanbul, Türkiye", "tr",
                   osm_class="man_made", osm_type="bridge", addresstype="man_made")


# -- the host setting ----------------------------------------------------------------------------


@pytest.mark.parametrize("url, want", [
    ("http://127.0.0.1:8080", ("http", "127.0.0.1:8080")),
    ("https://nominatim.example.org/", ("https", "nominatim.example.org")),
    ("http://10.0.0.5:8080/nominatim/", ("http", "10.0.0.5:8080/nominatim")),
    ("http://localhost:8080/search", ("http", "localhost:8080")),
])
def test_url_setting_parses(url, want):
    assert nm.endpoint_from_url(url) == want


@pytest.mark.parametrize("url", ["ftp://h", "127.0.0.1:8080", "http://", "http://h:99999",
                                 "http://u:p@h", "http://h/?q=x", "javascript:alert(1)"])
def test_bad_url_setting_is_one_precise_error(url):
    with pytest.raises(nm.NominatimConfigError):
        nm.endpoint_from_url(url)


def test_client_and_geocoder_use_the_url_setting(tmp_path, monkeypatch):
    s = NominatimStub(prefix="/nominatim").start()
    try:
        s.route("Nowhere Bridge, Istanbul", body=[TR_BRIDGE])
        monkeypatch.setenv(nm.URL_ENV, s.url)
        monkeypatch.setattr(nm, "SHARED_LIMITER", nm.RateLimiter(0.0))
        place = Geocoder(online=True, cache_path=tmp_path / "geocode.sqlite").resolve(bridge())
        assert (place.source, place.precision) == ("nominatim", "landmark")
        assert [x.path for x in s.seen] == ["/nominatim/search"]
    finally:
        s.stop()


def test_bad_url_setting_falls_back_offline(tmp_path, monkeypatch):
    monkeypatch.setenv(nm.URL_ENV, "ftp://nope")
    g = Geocoder(online=True, cache_path=tmp_path / "geocode.sqlite")
    place = g.resolve(bridge())
    assert place.precision == "city" and place.city == "Istanbul"
    assert "bad-setting" in place.note


# -- the circuit breaker -------------------------------------------------------------------------


def test_hanging_server_is_asked_three_times_then_left_alone(stub, tmp_path, caplog):
    stub.default.delay = 3.0  # every query hangs far past the client's timeout
    Geocoder(online=False, cache_path=tmp_path / "warm.sqlite").resolve(bridge("warm"))
    g = geocoder(tmp_path, client(stub, timeout=0.25))
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING):
        places = [g.resolve(bridge(i)) for i in range(7)]
    assert time.monotonic() - t0 < 2.5
    assert len(stub.seen) == 3
    assert all(p.precision == "city" and p.lat is not None for p in places)
    assert "paused" in places[-1].note
    opened = [r for r in caplog.records if "failures in a row" in r.getMessage()]
    assert len(opened) == 1


def test_500s_open_the_breaker_and_it_closes_after_the_cool_down(stub):
    stub.default.status, stub.default.raw = 500, b"Internal Server Error"
    c = client(stub, breaker=nm.CircuitBreaker(threshold=3, cooldown_s=0.4))
    for _ in range(3):
        with pytest.raises(nm.NominatimUnavailable):
            c.search("x")
    with pytest.raises(nm.NominatimPaused):
        c.search("x")
    assert len(stub.seen) == 3
    time.sleep(0.45)
    stub.default.status, stub.default.raw = 200, None
    with pytest.raises(nm.NominatimNoResult):  # asked again: an answer, if an empty one
        c.search("x")
    assert len(stub.seen) == 4


def test_an_answer_resets_the_failure_count(stub):
    c = client(stub, timeout=0.2, breaker=nm.CircuitBreaker(threshold=2, cooldown_s=60))
    stub.route("slow", delay=1.0)
    for _ in range(3):
        with pytest.raises(nm.NominatimTimeout):
            c.search("slow")
        with pytest.raises(nm.NominatimNoResult):
            c.search("fast")
    assert len(stub.seen) == 6


# -- countries ---------------------------------------------------------------------------------


def test_wrong_country_landmark_is_rejected_and_never_cached_as_a_place(stub, tmp_path):
    stub.default.body = [US_BRIDGE]
    place = geocoder(tmp_path, client(stub)).resolve(bridge())
    assert (place.source, place.precision, place.city) == ("geonames", "city", "Istanbul")
    assert "wrong-place" in place.note
    assert ok_rows(tmp_path) == []
    assert stub.seen[0].params["countrycodes"] == "tr"


def test_article_countries_bound_a_mention_without_one(stub, tmp_path):
    context = [PlaceMention("Turkey", kind="country", country_code="TR"),
               PlaceMention("Greece", kind="country", country_code="GR")]
    stub.default.body = [US_BRIDGE]
    g = geocoder(tmp_path, client(stub))
    place = g.resolve(bridge(city=None, cc=None), context)
    assert place.source != "nominatim"
    assert stub.seen[0].params["countrycodes"] == "tr,gr"
    assert ok_rows(tmp_path) == []
    assert GeoCache(tmp_path / "geocode.sqlite").stats().get("negative", 0) == 0
    stub.default.body = [TR_BRIDGE]
    place = geocoder(tmp_path, client(stub)).resolve(bridge(1, city=None, cc=None), context)
    assert (place.source, place.precision, place.country_code) == ("nominatim", "landmark", "TR")


def test_no_country_in_the_text_is_never_exact(stub, tmp_path):
    stub.default.body = [US_BRIDGE]
    place = geocoder(tmp_path, client(stub)).resolve(bridge(city=None, cc=None))
    assert place.source == "nominatim" and place.precision == "city"
    assert place.confidence <= 0.3 and "no country in the text" in place.note
    assert "countrycodes" not in stub.seen[0].params
    assert [r["precision"] for r in ok_rows(tmp_path)] == ["city"]  # never cached as exact


# -- what comes back ----------------------------------------------------------------------------


def test_huge_display_name_is_capped(stub, tmp_path):
    huge = dict(TR_BRIDGE, display_name="Galata Köprüsü, " + "x" * 5_000_000)
    stub.default.body = [huge]
    place = geocoder(tmp_path, client(stub, timeout=5.0)).resolve(bridge())
    assert place.source == "nominatim"
    assert len(place.note) < 500 and len(place.name) <= 200
    conn = sqlite3.connect(tmp_path / "geocode.sqlite")
    (size,) = conn.execute("SELECT MAX(LENGTH(place)) FROM answers").fetchone()
    conn.close()
    assert size < 2000


@pytest.mark.parametrize("body", [
    {"a": 1}, ["x"], [None], [1, 2], "a string", 42, [[]],
    [{"lat": {"a": 1}, "lon": 2}],
    [{"lat": "nan", "lon": "1"}],
    [{"lat": "91", "lon": "1"}],
    [{"lat": "41.02", "lon": "28.97", "display_name": ["x"], "address": "tr"}],
    [dict(TR_BRIDGE, address=["tr"])],
    [dict(TR_BRIDGE, address={"country_code": 7})],
    [dict(TR_BRIDGE, importance="high", **{"class": 5, "type": None})],
], ids=lambda b: json.dumps(b)[:40])
def test_wrong_json_types_never_crash_or_reach_the_cache(stub, tmp_path, body):
    stub.default.body = body
    c = client(stub)
    try:
        res = c.search("Nowhere Bridge", country_code="TR")
    except nm.NominatimError:
        res = None
    if res is not None:
        assert isinstance(res.display_name, str) and res.country_code == "TR"
    place = geocoder(tmp_path, c).resolve(bridge())
    assert isinstance(place.name, str) and place.lat is not None
    for row in ok_rows(tmp_path):
        assert isinstance(row["name"], str) and row["country_code"] == "TR"


def test_a_village_no_gazetteer_has_is_asked_online_in_its_country(stub, tmp_path):
    from nominatim_stub import Route

    stub.default = Route(body=[result(12.24, 6.30, "Kaboro, Dansadau, Zamfara, Nigeria", "ng",
                                      osm_class="place", osm_type="village",
                                      addresstype="village")])
    g = geocoder(tmp_path, client(stub))
    place = g.resolve(PlaceMention(text="Kaboro", kind="city", city="Kaboro",
                                   country_code="NG"))
    # asked for in Nigeria, not taken as Carrboro, North Carolina (an alternate name there)
    assert (place.country_code, round(place.lat, 2)) == ("NG", 12.24), place
    assert any("Kaboro" in q for q in stub.queries())
