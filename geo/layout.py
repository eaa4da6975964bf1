"""The dashboard page's layout in a narrow window (the page's own CSS is in dashboard.py).

At :data:`NARROW_PX` and below the feed goes below a full-width map (dashboard.py's CSS) and the
sidebar starts collapsed (``geo/static/narrow.js``: Streamlit's ``initial_sidebar_state=
"auto"`` collapses it only at 768 px and below, so an 800-px window had a 500-px map).
"""

from __future__ import annotations

from geo.offline import STATIC_DIR

NARROW_PX = 1000  # a window this wide or narrower is "narrow" (CSS: max-width: 1000px)


def sidebar_script() -> str:
    """The ``<script>`` for ``st.html(..., unsafe_allow_javascript=True)``: collapses the
    sidebar of a narrow window once it is drawn (and after a resize), unless the user has
    opened or closed it."""
    js = (STATIC_DIR / "narrow.js").read_text("utf-8")
    return "<script>" + js.replace("NM_NARROW_PX", str(NARROW_PX)) + "</script>"
