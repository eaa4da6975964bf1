"""The dashboard page's layout in a narrow window (the page's own CSS is in dashboard.py).

At :data:`NARROW_PX` and below the feed goes below a full-width map (dashboard.py's CSS) and the
sidebar starts collapsed (``geo/static/narrow.js``: Streamlit's ``initial_sidebar_state=
"auto"`` collapses it only at 768 px and below, so an 800-px window had a 500-px map).
The same first element asks the browser for the map's code early (:func:`preload_script`).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from geo.offline import STATIC_DIR

NARROW_PX = 1000  # a window this wide or narrower is "narrow" (CSS: max-width: 1000px)


def sidebar_script() -> str:
    """The ``<script>`` for ``st.html(..., unsafe_allow_javascript=True)``: collapses the
    sidebar of a narrow window once it is drawn (and after a resize), unless the user has
    opened or closed it."""
    js = (STATIC_DIR / "narrow.js").read_text("utf-8")
    return "<script>" + js.replace("NM_NARROW_PX", str(NARROW_PX)) + "</script>"


@functools.cache
def component_chunks() -> tuple[str, ...]:
    """The file names of Streamlit's frontend chunk for components (st_folium's map) and of
    the chunks it imports: ``ComponentInstance.<hash>.js`` in Streamlit's static files; ()
    when there is no single such file (another Streamlit layout: then nothing is preloaded)."""
    import streamlit

    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    found = sorted(js.glob("ComponentInstance.*.js"))
    if len(found) != 1:
        return ()
    try:
        text = found[0].read_text("utf-8")
    except OSError:
        return ()
    deps = re.findall(r'from\s*"\./([\w.\-]+\.js)"', text)
    return (found[0].name, *dict.fromkeys(d for d in deps if (js / d).is_file()))


def preload_script() -> str:
    """The ``<script>`` (for the page's first ``st.html``) that asks for the component chunks
    at once (``<link rel=modulepreload>``, ``geo/static/preload.js``); "" when unknown."""
    chunks = component_chunks()
    if not chunks:
        return ""
    js = (STATIC_DIR / "preload.js").read_text("utf-8")
    return "<script>" + js.replace("NM_CHUNKS", json.dumps(list(chunks))) + "</script>"
