"""Online base maps: tile layers from xyzservices, each with its own attribution.

The browser tries them (``NM.setupBase`` in ``geo/static/newsmap.js``) and falls back to the
offline layer, with a notice on the map, when they do not load: nothing here touches the
network. The choices, in the map's layer control:

* "Light" - CartoDB Positron, the default when a CARTO key is set (``NEWSMAP_CARTO_KEY``;
  xyzservices marks Positron as needing one since 2026);
* "OpenStreetMap" - the OSM standard style, the default without a CARTO key;
* "Satellite" - Esri World Imagery;
* "Offline" - the built-in layer (``geo/basemap.py``), always there.

``NEWSMAP_TILES=off`` turns tiles off (the offline layer only: tests, snapshots);
``NEWSMAP_TILES_URL`` replaces every provider's URL by one template with ``{name}`` (a
local tile server in the tests), keeping each provider's name and attribution.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass

import xyzservices.providers as xyz

# (xyzservices name, label in the layer control)
PROVIDERS = (
    ("CartoDB.Positron", "Light"),
    ("OpenStreetMap.Mapnik", "OpenStreetMap"),
    ("Esri.WorldImagery", "Satellite"),
)
MAX_ZOOM = 19  # the map's bound online: OSM's last zoom (Positron 20, imagery 19+)


@dataclass(frozen=True)
class TileLayer:
    key: str  # xyzservices name, e.g. "OpenStreetMap.Mapnik"
    label: str
    url: str  # Leaflet URL template
    attribution: str  # plain text, for the map's credit line
    max_zoom: int
    subdomains: str


def enabled() -> bool:
    """Tiles are tried unless ``NEWSMAP_TILES`` says off (0, off, no, false)."""
    return os.environ.get("NEWSMAP_TILES", "").strip().lower() not in ("0", "off", "no",
                                                                        "false")


def _plain(text: str) -> str:
    return " ".join(text.replace("(C)", "©").split())


def layers() -> list[TileLayer]:
    """The tile layers to offer, the default first."""
    carto_key = os.environ.get("NEWSMAP_CARTO_KEY", "").strip()
    override = os.environ.get("NEWSMAP_TILES_URL", "").strip()
    out = []
    for key, label in PROVIDERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # xyzservices warns about CARTO's key on access
            p = xyz.query_name(key)
            needs_key = p.requires_token()
            if needs_key and not carto_key and not override:
                continue
            url = p.build_url(fill_subdomain=False, scale_factor="{r}",
                              **({"apikey": carto_key} if needs_key and carto_key else {}))
        if override:
            url = override.replace("{name}", key)
        out.append(TileLayer(key=key, label=label, url=url,
                             attribution=_plain(p.get("attribution", "")),
                             max_zoom=int(p.get("max_zoom") or MAX_ZOOM),
                             subdomains=str(p.get("subdomains") or "abc")))
    return out


def js_options() -> list[dict]:
    """What ``NM.setupBase`` needs (``opts.tiles``): empty when tiles are off."""
    return [asdict(t) for t in layers()] if enabled() else []
