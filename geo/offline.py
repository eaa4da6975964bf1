"""Front-end assets served from installed packages, never from a CDN.

How: Streamlit serves a declared component's folder at ``/component/<name>/<file>``, and the
streamlit-folium map runs in an iframe at ``/component/streamlit_folium.st_folium/index.html``.
So we declare three asset-only "components" (they are never rendered) whose folders are

* Leaflet's ``dist`` files inside the ``xstatic-leaflet`` wheel,
* ``geo/static`` (the map's own script and style sheet),
* ``geo/data/basemap`` (the offline base layer: ``world.json`` and the cells in ``10m/``),

and give the map URLs relative to the iframe (``../<name>/<file>``), which keeps working
under ``server.baseUrlPath``. No copy of any asset in the repo, no static-serving config.

For a standalone HTML file (export, snapshot) the same files are inlined instead:
:func:`inline_assets`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet

from geo.basemap import BASEMAP_DIR

LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)
STATIC_DIR = Path(__file__).resolve().parent / "static"

# name -> folder. The registered component name is "geo.offline.<name>".
_FOLDERS = {"leaflet": LEAFLET_DIR, "newsmap": STATIC_DIR, "basemap": BASEMAP_DIR}
_PREFIX = "geo.offline."

_registered = False


def register() -> None:
    """Make the asset folders reachable over HTTP in a running Streamlit app (idempotent)."""
    global _registered
    if _registered:
        return
    from streamlit.components.v1.component_registry import declare_component

    for name, folder in _FOLDERS.items():
        # declare_component names the component after the calling module: "geo.offline.<name>"
        declare_component(name, path=str(folder))
    _registered = True


def url(name: str, filename: str) -> str:
    """URL of an asset as seen from streamlit-folium's iframe."""
    return f"../{_PREFIX}{name}/{filename}"


def path(name: str, filename: str) -> Path:
    return _FOLDERS[name] / filename


JS = [("leaflet", "leaflet", "leaflet.js"), ("nm_basemap", "newsmap", "basemap.js"),
      ("newsmap", "newsmap", "newsmap.js")]
CSS = [("leaflet_css", "leaflet", "leaflet.css"), ("newsmap_css", "newsmap", "newsmap.css")]


def default_js() -> list[tuple[str, str]]:
    return [(key, url(folder, f)) for key, folder, f in JS]


def default_css() -> list[tuple[str, str]]:
    return [(key, url(folder, f)) for key, folder, f in CSS]


def basemap_url() -> str:
    """The base layer's folder (the browser adds ``world.json`` or ``10m/<cell>.json``)."""
    return url("basemap", "")


@lru_cache(maxsize=8)
def _read(folder: str, filename: str) -> str:
    return path(folder, filename).read_text("utf-8")


def _script_safe(text: str) -> str:
    # an inline <script> ends at the first "</script"; Leaflet's source does not contain it,
    # but make sure no asset can end the element early.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_assets(html: str) -> str:
    """Replace the local asset <script src>/<link href> tags in ``html`` by inline copies."""
    for _key, folder, f in JS:
        tag = f'<script src="{url(folder, f)}"></script>'
        html = html.replace(tag, f"<script>{_script_safe(_read(folder, f))}</script>")
    for _key, folder, f in CSS:
        tag = f'<link rel="stylesheet" href="{url(folder, f)}"/>'
        html = html.replace(tag, f"<style>{_read(folder, f)}</style>")
    return html


def remote_urls(html: str) -> list[str]:
    """Every http(s) URL that the page would load as a script, style sheet or image."""
    pat = r'<(?:script|link|img)\b[^>]*(?:src|href)=["\'](https?://[^"\']+)'
    return re.findall(pat, html, flags=re.IGNORECASE)
