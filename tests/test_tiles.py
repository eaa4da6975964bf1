"""The online base maps offered (geo/tiles.py): providers, keys, attributions, switches."""

from __future__ import annotations

from geo import tiles


def test_without_a_carto_key_openstreetmap_is_the_default(monkeypatch):
    monkeypatch.delenv("NEWSMAP_CARTO_KEY", raising=False)
    monkeypatch.delenv("NEWSMAP_TILES_URL", raising=False)
    got = tiles.layers()
    assert [t.key for t in got] == ["OpenStreetMap.Mapnik", "Esri.WorldImagery"]
    osm, esri = got
    assert osm.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert osm.attribution == "© OpenStreetMap contributors"
    assert esri.attribution.startswith("Tiles © Esri") and "{y}/{x}" in esri.url


def test_a_carto_key_makes_positron_the_default(monkeypatch):
    monkeypatch.setenv("NEWSMAP_CARTO_KEY", "k123")
    monkeypatch.delenv("NEWSMAP_TILES_URL", raising=False)
    first = tiles.layers()[0]
    assert first.key == "CartoDB.Positron" and first.label == "Light"
    assert "light_all" in first.url and "key=k123" in first.url and "{s}" in first.url
    assert first.subdomains == "abcd" and first.max_zoom == 20
    assert first.attribution == "© OpenStreetMap contributors © CARTO"


def test_a_local_server_replaces_every_url_and_keeps_the_credits(monkeypatch):
    monkeypatch.delenv("NEWSMAP_CARTO_KEY", raising=False)
    monkeypatch.setenv("NEWSMAP_TILES_URL", "http://127.0.0.1:9/{name}/{z}/{x}/{y}.png")
    got = tiles.layers()
    assert [t.url for t in got] == [f"http://127.0.0.1:9/{k}/{{z}}/{{x}}/{{y}}.png"
                                    for k, _ in tiles.PROVIDERS]
    assert "CARTO" in got[0].attribution


def test_tiles_can_be_turned_off(monkeypatch):
    for off in ("0", "off", "no", "False"):
        monkeypatch.setenv("NEWSMAP_TILES", off)
        assert tiles.js_options() == []
    monkeypatch.setenv("NEWSMAP_TILES", "on")
    monkeypatch.delenv("NEWSMAP_TILES_URL", raising=False)
    assert [t["label"] for t in tiles.js_options()][-1] == "Satellite"


def test_a_chosen_base_layer_is_named_by_key_or_label(monkeypatch):
    monkeypatch.delenv("NEWSMAP_CARTO_KEY", raising=False)
    monkeypatch.setenv("NEWSMAP_TILES_URL", "http://127.0.0.1:9/{name}/{z}/{x}/{y}.png")
    monkeypatch.delenv("NEWSMAP_TILES", raising=False)
    offered = tiles.js_options()
    assert tiles.default(offered) == "CartoDB.Positron" and tiles.default([]) == tiles.OFFLINE
    assert tiles.resolve("Esri.WorldImagery", offered) == "Esri.WorldImagery"
    assert tiles.resolve("satellite", offered) == "Esri.WorldImagery"
    assert tiles.resolve(" OpenStreetMap ", offered) == "OpenStreetMap.Mapnik"
    assert tiles.resolve("Offline", offered) == tiles.OFFLINE
    assert tiles.resolve("offline", []) == tiles.OFFLINE  # tiles off: still the offline one
    # a typo, none, or a layer not offered here: None (the map opens on its default)
    for name in ("moon", "", None):
        assert tiles.resolve(name, offered) is None
    assert tiles.resolve("satellite", []) is None
    assert tiles.label("Esri.WorldImagery", offered) == "Satellite"
    assert tiles.choices() == ["light", "openstreetmap", "satellite", "offline"]


def test_the_maps_report_of_its_base_layer():
    offered = [{"key": "OpenStreetMap.Mapnik", "label": "OpenStreetMap"},
               {"key": "Esri.WorldImagery", "label": "Satellite"}]
    pick = [{"name": "Esri.WorldImagery", "url": tiles.REPORT_URL}]
    assert tiles.reported(pick, offered) == "Esri.WorldImagery"
    assert tiles.reported([{"name": "offline", "url": tiles.REPORT_URL}], offered) == "offline"
    # no pick yet, a WMS overlay's entry, or a hand-made value: nothing
    assert tiles.reported([], offered) is None and tiles.reported(None, offered) is None
    assert tiles.reported([{"name": "roads", "url": "http://x/wms"}], offered) is None
    assert tiles.reported([{"name": "javascript:x", "url": tiles.REPORT_URL}], offered) is None
    assert tiles.reported(["junk", 3], offered) is None
