"""The floor for a first map: a one-marker ``st_folium`` app (``streamlit run`` it).

What any Streamlit + folium page costs on this machine before it shows anything of ours:
Python start, Streamlit's import and server start, the page and its component iframe,
Leaflet, one marker. Stock folium except that Leaflet is served locally (no network here),
as in bench/naive_app.py. bench/bench_year.py times ``streamlit run`` to this marker painted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import offline  # noqa: E402
from geo.mapview import NewsMap  # noqa: E402  (folium.Map with Leaflet served locally)

st.set_page_config(page_title="bare folium", layout="wide")
offline.register()
m = NewsMap(location=[20, 10], zoom_start=2, tiles=None)
folium.Marker([13.51, 2.11], tooltip="Niamey").add_to(m)
st_folium(m, key="map", height=680, use_container_width=True, returned_objects=[])
