"""The naive design, for comparison: `NEWSMAP_EVENTS=x.jsonl streamlit run bench/naive_app.py`.

What a first Streamlit + folium dashboard does: on every step, build a new ``folium.Map``
with one ``folium.Marker`` (popup + tooltip) per event of the step, and pass it whole to
``st_folium``. Same data, same step semantics (``?date=...&mode=date|upto``) and the same
Previous / Next buttons as dashboard.py, so bench/bench_scale.py can time both the same way.
The only change from a stock folium.Map: Leaflet is served locally (no network here).
A hidden marker carries the step's date (``.naive-date``) so the benchmark can see when the
new map is drawn.
"""

from __future__ import annotations

import html
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

import folium
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import offline  # noqa: E402
from geo.mapview import NewsMap  # noqa: E402  (folium.Map with Leaflet served locally)

# folium's popups build their DOM with jQuery's ``$(html)[0]``; stock folium loads jQuery
# from a CDN, which this machine can not reach, so a two-line stand-in does that one job.
_JQ = ("window.$ = window.jQuery = function (h) { var t = document.createElement('template');"
       " t.innerHTML = String(h).trim(); return [t.content.firstChild]; };")


class NaiveMap(NewsMap):
    default_js = [*NewsMap.default_js, ("jquery_standin", "data:text/javascript," + quote(_JQ))]


st.set_page_config(page_title="naive map", layout="wide")
offline.register()  # no network here: Leaflet from the installed package, as in dashboard.py


@st.cache_resource
def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


events = load(os.environ["NEWSMAP_EVENTS"])
dates = sorted({e["date"] for e in events if e.get("date")})
if "date" not in st.session_state:
    want = st.query_params.get("date")
    st.session_state["date"] = want if want in dates else dates[-1]
    st.session_state["mode"] = st.query_params.get("mode", "upto")


def _step(delta: int) -> None:
    i = dates.index(st.session_state["date"]) + delta
    if 0 <= i < len(dates):
        st.session_state["date"] = dates[i]


current = st.session_state["date"]
mode = st.session_state["mode"]
c1, c2, c3 = st.columns([1, 1, 6])
c1.button("◀ Previous", key="prev", on_click=_step, args=(-1,))
c2.button("Next ▶", key="next", on_click=_step, args=(1,))
c3.markdown(f"**{current}** ({mode})")

if mode == "date":
    shown = [e for e in events if e.get("date") == current]
else:
    shown = [e for e in events if e.get("date") and e["date"] <= current]

m = NaiveMap(location=[20, 10], zoom_start=2, tiles=None)
for e in shown:
    p = e.get("place") or {}
    if p.get("lat") is None:
        continue
    src = (e.get("sources") or [{}])[0]
    popup = (f"<b>{html.escape(e['title'])}</b><br>{e['date']} · {html.escape(p['name'])}"
             f"<br><i>{html.escape(src.get('sentence', ''))}</i>"
             f"<br>— {html.escape(src.get('article', ''))}")
    folium.Marker(
        [p["lat"], p["lon"]],
        popup=folium.Popup(popup, max_width=300),
        tooltip=html.escape(e["title"]),
        opacity=1.0 if e["date"] == current else 0.5,
    ).add_to(m)
folium.Marker(  # the step's date, for the benchmark to see the new map
    [-85, -179],
    icon=folium.DivIcon(html=f'<div class="naive-date" data-date="{current}"></div>'),
).add_to(m)
st_folium(m, key="map", height=680, use_container_width=True, returned_objects=[])
