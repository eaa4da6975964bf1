"""Article text is data, never code: hostile titles, sentences, file names and place names
go through every path that builds the map or the feed, and come out as the same text.

The critical case is server-side: branca renders each element's output again as a Jinja
template, so ``{{ 7*7 }}`` in a sentence used to be evaluated (and ``{{ cycler...os... }}``
ran commands) when the map was exported.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import make_events
from streamlit_folium import _get_feature_group_string, _get_map_string

from geo import mapview, timeline
from geo.models import Place, Source

HOSTILE = [
    "{{ 7*7 }}",
    "{{ cycler.__init__.__globals__.os.system('touch /tmp/newsmap-pwned') }}",
    "{% raw %}",
    "{%- endraw %}{# comment",
    "{{{{ 6*7 }}}}",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](http://127.0.0.1:9/beacon.png) **bold** $x$",
    "__PARENT__.remove()",
    "\u2028line\u2029sep",
    "para\n\n# heading\n\n[link](javascript:alert(1))",
]


def hostile_events(text: str):
    evs = make_events()
    for e in evs:
        e.title = f"Title {text}"
        e.sources = [Source(f"file {text}.txt", f"Sentence {text} end.")]
        if e.place is not None:
            e.place = Place(**{**e.place.to_dict(), "name": f"Place {text}"})
    return evs


def strings_in(payloads) -> list[str]:
    out = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(payloads)
    return out


@pytest.mark.parametrize("text", HOSTILE)
def test_standalone_html_keeps_hostile_text_as_data(text, tmp_path):
    evs = hostile_events(text)
    shown = timeline.select(evs, "2023-07-20", "all")
    page = mapview.standalone_html(evs, shown, "2023-07-20", "all")
    payloads = mapview.payload_from_script(page)
    assert len(payloads) == 1
    strings = strings_in(payloads)
    # every field comes back exactly as typed: nothing evaluated, nothing replaced
    assert f"Title {text}" in strings
    assert f"Sentence {text} end." in strings
    assert f"file {text}.txt" in strings
    assert any(s == f"Place {text}" or s.startswith(f"Place {text}") for s in strings)
    # the page has no closing tag, markup or template syntax from the text
    script = page[page.index("new NM.StepLayer("):]
    script = script[: script.index("</script>")]
    assert "<" not in script and not re.search(r"\{[{%#]", script)
    assert "49" not in " ".join(s for s in strings if "7*7" not in s and "Title" in s)


def test_template_code_in_text_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    text = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    evs = hostile_events(text)
    mapview.standalone_html(evs, timeline.select(evs, None, "all"), None, "all")
    m = mapview.base_map(evs)
    _get_map_string(m)
    _get_feature_group_string(mapview.step_group(
        mapview.step_payload(timeline.select(evs, None, "all"), None, "all")), m)
    assert not marker.exists()


@pytest.mark.parametrize("text", HOSTILE)
def test_dashboard_map_path_keeps_hostile_text(text):
    """The path st_folium takes: the base map's script, then the step's feature group."""
    evs = hostile_events(text)
    shown = timeline.select(evs, "2023-07-20", "upto")
    m = mapview.base_map(evs)
    _get_map_string(m)
    fg_js = _get_feature_group_string(
        mapview.step_group(mapview.step_payload(shown, "2023-07-20", "upto")), m)
    payload = mapview.payload_from_script(fg_js)[0]
    assert {f"Title {text}"} <= set(strings_in(payload))
    assert "</script" not in fg_js.lower()


def test_js_json_escapes_only_inside_strings():
    obj = {"a": [{"b": "{{x}} {%y%} {#z#} </script>"}], "c": {"d": {}}}
    s = mapview.js_json(obj)
    assert json.loads(s) == obj
    assert not re.search(r"\{[{%#]", s) and "<" not in s


@pytest.mark.parametrize("text", HOSTILE)
def test_cards_escape_hostile_text(text):
    evs = hostile_events(text)
    for e in evs:
        h = mapview.card_html(timeline.card(e))
        assert "<script" not in h and "<img" not in h
        assert "\n\n" not in h  # a blank line would end Markdown's HTML block


def test_script_refuses_template_syntax():
    s = mapview._Script("f(__PARENT__, __DATA__);", '{"a": "{{ 1 }}"}')
    with pytest.raises(ValueError):
        s.js("map_1")


HOSTILE_URLS = [f"https://news.example/{t}" for t in HOSTILE] + [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>",
    'https://news.example/a"><script>alert(1)</script>', "https://news.example/{{ 7*7 }}",
    "https://news.example/{%raw%}", "//evil.example/x", "vbscript:msgbox(1)",
]


def linked_events(url: str):
    evs = make_events()
    for e in evs:
        e.sources = [Source(s.article, s.sentence, url=url, outlet=f"Outlet {url}")
                     for s in e.sources]
    return evs


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_article_addresses_stay_data(url):
    """An article's address reaches the map, the standalone page and the cards only as an
    http(s) link inside JSON or an escaped attribute; anything else is no link at all."""
    evs = linked_events(url)
    page = mapview.standalone_html(evs, timeline.select(evs, "2023-07-20", "all"),
                                   "2023-07-20", "all")
    script = page[page.index("new NM.StepLayer("):]
    script = script[: script.index("</script>")]
    assert "<" not in script and not re.search(r"\{[{%#]", script)
    urls = {s.get("url") for m in mapview.payload_from_script(page)[0]["markers"]
            for s in m["sources"]}
    ok = url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url)
    assert urls == ({url} if ok else {None})
    for e in evs:
        h = mapview.card_html(timeline.card(e))
        assert "<script" not in h and "javascript:" not in h.lower() and "data:" not in h
        assert "\n\n" not in h
        if ok:
            assert ' target="_blank" rel="noopener noreferrer"' in h
        else:
            assert "href" not in h
