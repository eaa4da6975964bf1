"""The events-per-date chart beside the feed: to scale in time, bars you can click.

A Vega-Lite bar chart (Altair, which Streamlit ships and renders without any download): the
x axis is time, so two dates a year apart are far apart and two days apart are close; each
bar has a tooltip (date and count); Vega-Lite drops axis labels that would overlap
(``labelOverlap``), so they never collide. Clicking a bar selects its date: the dashboard
reads the selection (``st.altair_chart(on_select="rerun")``) with :func:`picked`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from geo.timeline import date_label

SELECTION = "pick"
SELECTED, OTHER = "#d62728", "#9ca3af"


def _day(d: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(d[:10]) if len(d) >= 10 else None
    except ValueError:
        return None


def bar_width(per_date: Sequence[tuple[str, int]], width_px: int = 340) -> float:
    """Bars as wide as the closest two dates allow (4-14 px: narrower would be hard to
    click; neighbouring days of a long span may then touch)."""
    days = sorted(x for x in (_day(d) for d, _ in per_date) if x)
    if len(days) < 2:
        return 14.0
    span = max((days[-1] - days[0]).days, 1)
    gap = min((b - a).days for a, b in zip(days, days[1:], strict=False)) or 1
    return max(4.0, min(14.0, width_px * gap / span * 0.7))


def chart(per_date: Sequence[tuple[str, int]], selected: str | None, height: int = 96):
    """The chart (an ``altair.Chart``); dates that are not full days (a year, a month) are
    left out: they have no place on a day axis, and the slider still reaches them."""
    import altair as alt

    rows = [{"day": d, "n": n, "label": date_label(d), "selected": d == selected}
            for d, n in per_date if _day(d)]
    pick = alt.selection_point(name=SELECTION, fields=["day"], on="click", clear=False,
                               empty=False)
    return (
        alt.Chart(alt.Data(values=rows), height=height)
        .mark_bar(size=bar_width(per_date), cornerRadiusTopLeft=2, cornerRadiusTopRight=2,
                  cursor="pointer")
        .encode(
            x=alt.X("day:T", title=None,
                    axis=alt.Axis(format="%-d %b %Y", labelOverlap="greedy", labelSeparation=8,
                                  labelFontSize=10, labelColor="#6b7280", ticks=False,
                                  domainColor="#d1d5db", grid=False, labelFlush=True),
                    scale=alt.Scale(padding=10)),
            y=alt.Y("n:Q", title=None, axis=None),  # the counts are in the tooltips
            color=alt.condition("datum.selected", alt.value(SELECTED), alt.value(OTHER)),
            tooltip=[alt.Tooltip("label:N", title="date"),
                     alt.Tooltip("n:Q", title="events")],
        )
        .add_params(pick)
        .properties(width="container")
        .configure_view(stroke=None)
    )


def picked(state: Mapping | None) -> str | None:
    """The date a click selected, from the chart's widget state (None: no click)."""
    try:
        rows = state["selection"][SELECTION]
    except (KeyError, TypeError):
        return None
    if not rows:
        return None
    day = rows[0].get("day") if isinstance(rows[0], Mapping) else None
    if isinstance(day, int | float) and not isinstance(day, bool):  # a temporal field's value
        try:  # Vega-Lite gives a time field as epoch milliseconds (UTC)
            return dt.datetime.fromtimestamp(day / 1000, dt.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return day[:10] if isinstance(day, str) and _day(day) else None
