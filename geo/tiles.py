"""Online base maps: tile layers from xyzservices, each with its own attribution.

The browser tries them (``NM.setupBase`` in ``geo/static/newsmap.js``) and falls back to the
offline layer, with a notice on the map, when they do not load: nothing here touches the
network. The choices, in the map's layer control:

* "Light" - CartoDB Positron, the default when a CARTO key is set (``NEWSMAP_CARTO_KEY``;
  xyzservices marks Positron as needing one since 2026);
* "OpenStreetMap" - the OSM standard style, the default without a CARTO key;
* "Satellite" - Esri World Imagery;
* "Offline" - the built-in layer (``geo/basemap.py``), always there.

The layer the user chose travels as ``base=<key>`` (``base=offline`` for the built-in one) in
the dashboard's URL and in the PNG export's (:func:`resolve`); the map reports a choice made
in its layer control through streamlit-folium's ``selected_layers`` (:func:`reported`).

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
OFFLINE = "offline"  # the built-in layer's name as a choice (it has no xyzservices key)
OFFLINE_LABEL = "Offline"
REPORT_URL = "nm-base"  # marks the map's report of its base layer in selected_layers


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


def choices() -> list[str]:
    """Every base layer's name as the CLI takes it: the labels in lower case, then
    "offline" (whether or not a layer is offered here: that depends on keys)."""
    return [label.lower() for _key, label in PROVIDERS] + [OFFLINE]


def resolve(name: str | None, offered: list[dict]) -> str | None:
    """The base layer ``name`` (an xyzservices key or a label, any case; "offline") among
    the ``offered`` tile layers (:func:`js_options`): its key, or :data:`OFFLINE`; None
    when it is not one of them (none given, a typo, or tiles off: the default layer)."""
    want = (name or "").strip().casefold()
    if not want:
        return None
    if want in (OFFLINE, OFFLINE_LABEL.casefold()):
        return OFFLINE
    for t in offered:
        if want in (t["key"].casefold(), t["label"].casefold()):
            return t["key"]
    return None


def default(offered: list[dict]) -> str:
    """The layer a map opens with when none is chosen: the first offered, else offline."""
    return offered[0]["key"] if offered else OFFLINE


def label(key: str | None, offered: list[dict]) -> str:
    """The layer control's name for ``key``."""
    return next((t["label"] for t in offered if t["key"] == key), OFFLINE_LABEL)


def reported(selected_layers, offered: list[dict]) -> str | None:
    """The base layer the map last reported (st_folium's ``selected_layers``: the map adds
    ``{"name": key, "url": REPORT_URL}`` when the user picks one in its layer control);
    None before any pick, or for a name not offered here."""
    for item in selected_layers or []:
        if isinstance(item, dict) and item.get("url") == REPORT_URL:
            return resolve(str(item.get("name") or ""), offered)
    return None
