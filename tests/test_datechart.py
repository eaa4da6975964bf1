"""The per-date chart (geo/datechart.py): a time axis, clickable bars, labels that never
collide; the click read back from Streamlit's selection state."""

from __future__ import annotations

import datetime as dt

from geo import datechart

PER = [("2021-11-05", 1), ("2023-07-20", 2), ("2023-07-21", 1), ("2023-07-22", 4),
       ("2019", 1)]


def test_chart_is_to_scale_in_time_with_tooltips_and_a_click_selection():
    spec = datechart.chart(PER, "2023-07-21").to_dict()
    x = spec["encoding"]["x"]
    assert x["type"] == "temporal" and x["field"] == "day"
    assert x["axis"]["labelOverlap"] == "greedy"  # Vega-Lite drops labels that would collide
    assert [t["field"] for t in spec["encoding"]["tooltip"]] == ["label", "n"]
    [param] = spec["params"]
    assert param["name"] == datechart.SELECTION and param["select"]["on"] == "click"
    rows = spec["data"]["values"]
    assert [r["day"] for r in rows] == ["2021-11-05", "2023-07-20", "2023-07-21", "2023-07-22"]
    assert [r["selected"] for r in rows] == [False, False, True, False]
    assert rows[2]["label"] == "21 July 2023"


def test_bar_width_follows_the_closest_dates():
    assert datechart.bar_width([("2023-07-20", 1)]) == 14.0
    assert datechart.bar_width([("2023-01-01", 1), ("2023-12-31", 1)]) == 14.0
    assert datechart.bar_width(PER) == 4.0  # a day apart over two years: the narrowest
    weekly = [((dt.date(2023, 1, 2) + dt.timedelta(days=7 * i)).isoformat(), 1)
              for i in range(40)]
    assert 4.0 < datechart.bar_width(weekly) < 14.0


def test_picked_reads_the_click():
    assert datechart.picked({"selection": {"pick": [{"day": "2023-07-20"}]}}) == "2023-07-20"
    # a time field comes back as epoch milliseconds (UTC midnight)
    assert datechart.picked({"selection": {"pick": [{"day": 1636070400000}]}}) == "2021-11-05"
    for nothing in (None, {}, {"selection": {}}, {"selection": {"pick": []}},
                    {"selection": {"pick": [{"day": "soon"}]}},
                    {"selection": {"pick": [{"day": True}]}}):
        assert datechart.picked(nothing) is None
