"""The Nominatim client and the geocoder's online path, against a real local HTTP server.

Every request goes to 127.0.0.1 (``nominatim_stub``); no test reaches the internet.
"""

from __future__ import annotations

import threading

import pytest
from nominatim_stub import NominatimStub, closed_port, result

from geo import nominatim as nm
from geo.geocache import GeoCache
from geo.geocode import Geocoder, parse_place_phrase
from geo.models import PlaceMention

ISTANBUL_CONSULATE = result(41.0339, 28.9772, "Consulate General of Norway, Istiklal Caddesi, "
                            "Beyoğlu, İstanbul, Türkiye", "tr", osm_type="embassy",
                            osm_class="office")


@pytest.fixture
def stub():
    s = NominatimStub().start()
    yield s
    s.stop()


def client(domain: str, timeout: float = 2.0) -> nm.NominatimClient:
    # Failure tests use their own limiter with no interval, so they stay fast; the shared
    # limiter has its own test below.
    return nm.NominatimClient(domain=domain, scheme="http", timeout=timeout,
                              limiter=nm.RateLimiter(0.0))


def geocoder(tmp_path, stub_or_domain, timeout: float = 2.0) -> Geocoder:
    domain = stub_or_domain if isinstance(stub_or_domain, str) else stub_or_domain.domain
    return Geocoder(online=True, cache_path=tmp_path / "geocode.sqlite",
                    nominatim=client(domain, timeout))


CONSULATE = parse_place_phrase("Norway's consulate in Istanbul")  # not in the gazetteer


# -- the client ----------------------------------------------------------------------------------


def test_success_sends_context_and_identifies_itself(stub):
    stub.route("Consulate of Norway", body=[ISTANBUL_CONSULATE])
    res = client(stub.domain).search("Consulate of Norway", country_code="TR",
                                     near=(41.01384, 28.94966), max_distance_km=30)
    assert (res.country_code, round(res.lat, 3)) == ("TR", 41.034)
    (seen,) = stub.seen
    assert seen.path == "/search"
    assert seen.params["format"] == "json" and seen.params["countrycodes"] == "tr"
    assert seen.params["bounded"] == "1"
    west, south, east, north = map(float, seen.params["viewbox"].split(","))
    assert west < 28.95 < east and south < 41.01 < north
    assert seen.user_agent == nm.USER_AGENT


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ({"status": 403, "body": {"error": "blocked"}}, nm.NominatimForbidden),
        ({"status": 429, "body": {"error": "slow down"}}, nm.NominatimRateLimited),
        ({"status": 500, "raw": b"Internal Server Error"}, nm.NominatimError),
        ({"status": 503, "raw": b"Service Unavailable"}, nm.NominatimError),
        ({"status": 200, "raw": b'[{"lat": "41.0", "lon": '}, nm.NominatimBadResponse),
        ({"status": 200, "raw": b"<html>maintenance</html>"}, nm.NominatimBadResponse),
        ({"status": 200, "body": []}, nm.NominatimNoResult),
        ({"status": 200, "body": [result(40.71, -74.0, "Norway House, New York", "us")]},
         nm.NominatimWrongPlace),
    ],
    ids=["403", "429", "500", "503", "malformed-json", "html", "empty", "wrong-country"],
)
def test_failures_are_precise_exceptions(stub, route, error):
    stub.route("Consulate of Norway", **route)
    with pytest.raises(error):
        client(stub.domain).search("Consulate of Norway", country_code="TR")


def test_timeout_is_a_timeout(stub):
    stub.route("slow", delay=1.5, body=[ISTANBUL_CONSULATE])
    with pytest.raises(nm.NominatimTimeout):
        client(stub.domain, timeout=0.3).search("slow")
    assert len(stub.seen) == 1  # no hidden retries behind the rate limiter's back


def test_refused_connection_is_unavailable():
    with pytest.raises(nm.NominatimUnavailable):
        client(f"127.0.0.1:{closed_port()}").search("anything")


def test_result_far_from_the_city_is_rejected(stub):
    stub.route("Consulate of Norway", body=[result(39.92, 32.85, "Embassy, Ankara", "tr")])
    with pytest.raises(nm.NominatimWrongPlace):
        client(stub.domain).search("Consulate of Norway", country_code="TR",
                                   near=(41.01384, 28.94966), max_distance_km=30)


def test_shared_rate_limit_holds_across_threads_and_clients(stub):
    stub.route("Consulate of Norway", body=[ISTANBUL_CONSULATE])
    clients = [nm.NominatimClient(domain=stub.domain, scheme="http", timeout=3.0)
               for _ in range(3)]  # separate instances: they share nm.SHARED_LIMITER
    errors: list[BaseException] = []

    def call(c):
        try:
            c.search("Consulate of Norway")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    times = sorted(s.at for s in stub.seen)
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1.0, gaps


def test_limiter_refuses_to_queue_forever():
    lim = nm.RateLimiter(5.0)
    lim.wait()
    with pytest.raises(nm.NominatimRateLimited):
        lim.wait(max_wait=0.1)


# -- the geocoder's online path: every failure falls back, visibly, and is not cached ------------


def test_online_answer_is_cached_with_attribution_and_reused_offline(stub, tmp_path):
    stub.route("Consulate of Norway", body=[ISTANBUL_CONSULATE])
    place = geocoder(tmp_path, stub).resolve(CONSULATE)
    assert place.source == "nominatim" and place.precision == "landmark"
    assert place.attribution == "© OpenStreetMap contributors"
    assert place.country_code == "TR"
    assert len(stub.seen) == 1
    # A later offline run reuses it: same source and attribution, no request.
    offline = Geocoder(online=False, cache_path=tmp_path / "geocode.sqlite")
    again = offline.resolve(CONSULATE)
    assert (again.source, again.attribution, again.lat) == ("nominatim", place.attribution,
                                                            place.lat)
    # And an online run never sends the same query twice.
    geocoder(tmp_path, stub).resolve(CONSULATE)
    assert len(stub.seen) == 1


@pytest.mark.parametrize(
    "route",
    [
        {"status": 403, "body": {"error": "blocked"}},
        {"status": 429, "body": {"error": "slow down"}},
        {"status": 500, "raw": b"oops"},
        {"status": 503, "raw": b"down"},
        {"status": 200, "raw": b"{not json"},
        {"status": 200, "body": []},
        {"status": 200, "body": [result(40.71, -74.0, "Norway House, New York", "us")]},
        {"status": 200, "body": [result(41.03, 28.98, "Istiklal Caddesi, Istanbul", "tr",
                                        osm_class="highway", osm_type="pedestrian")]},
        {"status": 200, "delay": 1.0, "body": [ISTANBUL_CONSULATE]},
    ],
    ids=["403", "429", "500", "503", "malformed", "empty", "wrong-country", "not-an-embassy",
         "timeout"],
)
def test_failures_fall_back_to_the_city_and_are_not_cached_as_answers(stub, tmp_path, route,
                                                                       caplog):
    stub.route("Consulate of Norway", **route)
    g = geocoder(tmp_path, stub, timeout=0.3)
    place = g.resolve(CONSULATE)
    assert place.precision == "city" and place.city == "Istanbul"
    assert place.source == "geonames" and place.lat is not None
    assert "not in gazetteer" in place.note and "shown at city" in place.note
    cache = GeoCache(tmp_path / "geocode.sqlite")
    assert cache.stats().get("ok", 0) == 0
    # Logged once, even when asked again.
    g.resolve(CONSULATE)
    assert sum("nominatim" in r.getMessage() or "Nominatim" in r.getMessage()
               for r in caplog.records if r.name == "geo.geocode") <= 1


def test_refused_connection_falls_back(tmp_path):
    g = geocoder(tmp_path, f"127.0.0.1:{closed_port()}")
    place = g.resolve(CONSULATE)
    assert (place.precision, place.city, place.source) == ("city", "Istanbul", "geonames")
    assert "unavailable" in place.note


def test_landmark_not_in_gazetteer_uses_viewbox_and_country(stub, tmp_path):
    stub.route("Galata Bridge, Istanbul",
               body=[result(41.0199, 28.9731, "Galata Köprüsü, Istanbul, Türkiye", "tr",
                            osm_class="man_made", osm_type="bridge", addresstype="man_made")])
    m = PlaceMention(text="Galata Bridge", kind="landmark", city="Istanbul", country_code="TR")
    place = geocoder(tmp_path, stub).resolve(m)
    assert (place.source, place.precision) == ("nominatim", "landmark")
    assert stub.seen[0].params["countrycodes"] == "tr"


def test_offline_never_touches_the_network(stub, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSMAP_ONLINE", raising=False)
    g = Geocoder(cache_path=tmp_path / "c.sqlite",
                 nominatim=client(stub.domain))  # online=None reads the env: off
    assert g.online is False
    place = g.resolve(CONSULATE)
    assert place.precision == "city" and stub.seen == []
    monkeypatch.setenv("NEWSMAP_ONLINE", "1")
    assert Geocoder(cache_path=tmp_path / "c.sqlite").online is True


def test_rate_limit_holds_across_processes(tmp_path):
    """Two processes sharing the lock file keep >= 1 s between their requests."""
    import subprocess
    import sys

    from geo.paths import PROJECT_ROOT

    lock = tmp_path / "rate.lock"
    code = ("import sys, time; from geo.nominatim import RateLimiter\n"
            "lim = RateLimiter(1.05, lock_file=sys.argv[1])\n"
            "for _ in range(2):\n"
            "    lim.wait(); print(time.time(), flush=True)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(lock)], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    stamps = sorted(float(x) for p in procs for x in p.communicate(timeout=30)[0].split())
    assert len(stamps) == 4
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert min(gaps) >= 1.0, gaps
