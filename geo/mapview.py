"""Build the folium map: a stable base map plus one FeatureGroup per step.

The split is what keeps the dashboard smooth: streamlit-folium remounts the map whenever
the base map's script changes, but swaps a ``feature_group_to_add`` in place. So

* :func:`base_map` depends only on the whole event set and the tile layers (never on the
  selected date, mode or filters): offline borders, city labels, the "fit to events"
  control, the initial view;
* :func:`step_group` carries everything that changes on a step: markers, popups, tooltips,
  the big date banner, the legend and the source line, all drawn by ``NM.StepLayer`` in
  ``geo/static/newsmap.js`` from one JSON payload (:func:`step_payload`).

In the dashboard a step's payload also carries the feed beside the map (:func:`feed_payload`)
and its place among the dates, and comes with its neighbours' payloads: Previous, Next and
Play then step in the browser (``NM.setupNav`` in newsmap.js: map, feed, slider and URL in
one task), and the date goes back to the server as the map's value (:func:`nav_report`,
:func:`apply_nav_report`). A standalone file simply adds its one step (``NM.addStep``).

Article text only ever travels inside that JSON (with ``<``, ``>``, ``&`` escaped) and the
browser sets it with ``textContent``: it can not become markup.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import basemap, offline
from geo import tiles as tiles_mod
from geo.basemap import ATTRIBUTION as BASEMAP_ATTRIBUTION
from geo.links import safe_url, source_record
from geo.models import Event
from geo.timeline import (
    MAX_CLUSTERS,
    MAX_PINS,
    MODES,
    Shown,
    Step,
    aggregate,
    colocated_slots,
    date_label,
    is_located,
    ordered_categories,
    place_label,
    precision_note,
    resolve_mode,
    style,
)

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
# marks the map's report of a step taken in the browser in st_folium's "selected_layers"
# (NM.setupNav in newsmap.js; read by dashboard.py)
NAV_URL = "nm-nav"
DEFAULT_VIEW = ((30.0, 20.0), 3)

# The feed tied to the map: run once per map mount, after NM.setupBase (see FEED_JS).
FOCUS_ZOOM = {"landmark": 14, "city": 11, "region": 7, "country": 5}

# Runs in the dashboard page (made there by FEED_JS), once per page load.
PAGE_JS_SRC = r"""
var w = window;
if (!w.__nmFeed) {
  w.__nmFeed = true;
  var go = function (e) {
    if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
    var t = e.target;
    if (!t || !t.closest) return;
    var card = t.closest(".nm-card[data-nm-id]");
    if (!card || t.closest("summary, a")) return;
    if (e.type === "click") {
      var sel = w.getSelection && w.getSelection();
      if (sel && String(sel).length && card.contains(sel.anchorNode)) return;  // copying text
    }
    var frames = w.document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      try {
        var nm = frames[i].contentWindow && frames[i].contentWindow.NM;
        if (nm && nm.focusEvent && nm.focusEvent(card.getAttribute("data-nm-id"),
            parseFloat(card.getAttribute("data-nm-lat")),
            parseFloat(card.getAttribute("data-nm-lon")))) {
          if (e.type === "keydown") e.preventDefault();
          // a narrow window has the feed below the map: bring the map into view
          var r = frames[i].getBoundingClientRect();
          if (r.top < 0 || r.bottom > w.innerHeight)
            frames[i].scrollIntoView({ block: r.height > w.innerHeight ? "start" : "nearest",
                                       behavior: "smooth" });
          return;
        }
      } catch (err) { /* another origin's frame */ }
    }
  };
  w.document.addEventListener("click", go);
  w.document.addEventListener("keydown", go);
}
// Previous, Next and Play are the map's when it has the step at hand (NM.setupNav in
// newsmap.js): the click stops here, before Streamlit's own handler sees it. Otherwise (no
// map yet, a step not sent) it goes on to the button's callback on the server.
if (!w.__nmNav) {
  w.__nmNav = true;
  var navOf = function () {
    var frames = w.document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      try {
        var nm = frames[i].contentWindow && frames[i].contentWindow.NM;
        if (nm && nm.nav && nm.nav.ready()) return nm.nav;
      } catch (err) { /* another origin's frame */ }
    }
    return null;
  };
  w.document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.closest) return;
    var b = t.closest(".st-key-prev button, .st-key-next button, .st-key-play button");
    if (!b || b.disabled) return;
    var nav = navOf();
    var which = b.closest(".st-key-prev") ? -1 : b.closest(".st-key-next") ? 1 : 0;
    if (nav && nav.press(which)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  // the server's feed changed: show it if it is the map's step, else the map's own copy
  new w.MutationObserver(function () {
    var nav = navOf();
    if (nav) { try { nav.syncPage(); } catch (err) { /* the map is going */ } }
  }).observe(w.document.body, { childList: true, subtree: true, attributes: true,
                                attributeFilter: ["data-nm-feed"] });
}
var H = w.history;
if (H && !H.__nmReplace) {
  var push = H.pushState;
  H.pushState = function (state, title, url) {
    try {
      var u = new w.URL(url, w.location.href);
      if (u.origin === w.location.origin && u.pathname === w.location.pathname)
        return H.replaceState(state, title, url);
    } catch (err) { /* fall through */ }
    return push.apply(H, arguments);
  };
  H.__nmReplace = true;
}
"""

# What ties the map to the page around it, in the map's own document (streamlit-folium's
# iframe, served by the app itself, so same-origin with the dashboard page):
#
# * a click (or Enter) on an event card (``data-nm-id``, see card_html) flies the map to
#   that event and opens its popup: the page's click handler finds the map frame and calls
#   ``NM.focusEvent``; no Streamlit rerun, so the step path does not change at all;
# * an open popup (a pin clicked, or a card) highlights its card and scrolls the feed to it;
# * when the filters change (the step's ``view_key``) the map fits what is left; a URL that
#   opens filtered fits the filtered step, not every event;
# * the legend lists only the categories in view, with the counts in view, and says when
#   some of the step is outside the view; with none in view a hint offers to show them;
# * Streamlit writes the URL's query with history.pushState on every step, so Back stepped
#   back once per step; pushes that change only the query become replaceState.
#
# The page-side handlers are made with the page's own Function constructor, so they belong to
# the page, not to this frame: a remounted map leaves no dead handler behind. Everything is
# guarded: in a standalone HTML file (no parent page) only the map-side parts run.
FEED_JS = r"""(function (map, opts) {
  "use strict";
  var NM = window.NM;
  if (!NM || !NM.StepLayer || NM._feedMap === map) return;
  NM._feedMap = map;
  var box = map.getContainer();
  var ZOOM = opts.zoom || {};
  var PAD = { paddingTopLeft: [60, 120], paddingBottomRight: [60, 150], maxZoom: 12 };
  var page = null;
  try {
    if (window.parent && window.parent !== window && window.parent.document) page = window.parent;
  } catch (e) { page = null; }

  var touched = false;  // the user has moved the map: no automatic re-fit on resize
  ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (ev) {
    box.addEventListener(ev, function () { touched = true; }, { passive: true });
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function fitStep(layer, animate) {
    var pts = layer && layer._points;
    if (!pts || !pts.length) return;
    if (map._animatingZoom) {  // the end of a running zoom would undo the fit: wait for it
      map.once("zoomend", function () { setTimeout(function () { fitStep(layer, animate); }, 0); });
      return;
    }
    map.stop();
    if (pts.length === 1) map.setView(pts[0], Math.max(map.getZoom(), 11), { animate: animate });
    else map.fitBounds(L.latLngBounds(pts), L.extend({ animate: animate }, PAD));
  }
  NM.fitStep = function () { fitStep(NM.current, true); };

  // ---- what is in view --------------------------------------------------------------
  function contains(b, lat, lon) {
    return b.contains([lat, lon]) || b.contains([lat, lon + 360]) || b.contains([lat, lon - 360]);
  }

  function inView(layer) {
    var d = layer._data, b = map.getBounds(), per = {}, n = 0, total = 0;
    var add = function (cat, k) { per[cat] = (per[cat] || 0) + k; };
    layer._markers.forEach(function (mk) {
      total += 1;
      if (contains(b, mk.nm.lat, mk.nm.lon)) { n += 1; add(mk.nm.category, 1); }
    });
    var cats = d.categories || [];
    (d.clusters || []).forEach(function (c) {
      total += c.n;
      if (!contains(b, c.lat, c.lon)) return;
      n += c.n;
      c.cats.forEach(function (kv) { if (cats[kv[0]]) add(cats[kv[0]][0], kv[1]); });
    });
    return { per: per, n: n, total: total };
  }

  function showView(layer) {
    if (!layer._map || NM.current !== layer) return;
    var v = inView(layer);
    var legend = null;
    (layer._dom || []).forEach(function (node) {
      if (node.classList && node.classList.contains("nm-legend")) legend = node;
    });
    if (legend) {
      var shown = 0;
      legend.querySelectorAll(".nm-legend-row").forEach(function (row) {
        var name = row.querySelector(".nm-legend-name");
        if (!name) return;
        var k = v.per[name.textContent] || 0;
        row.style.display = k ? "" : "none";
        row.setAttribute("data-nm-inview", String(k));
        var cnt = row.querySelector(".nm-legend-n");
        if (cnt) cnt.textContent = String(k);
        if (k) shown += 1;
      });
      legend.querySelectorAll(".nm-legend-strip .nm-swatch").forEach(function (sw) {
        if (!sw.hasAttribute("data-nm-cat"))
          sw.setAttribute("data-nm-cat", sw.title.replace(/: [0-9,]+$/, ""));
        var k = v.per[sw.getAttribute("data-nm-cat")] || 0;
        sw.style.display = k ? "" : "none";
        sw.title = sw.getAttribute("data-nm-cat") + ": " + k;
      });
      legend.style.display = shown ? "" : "none";
      var note = layer._nmViewNote;
      if (!note) {
        note = layer._nmViewNote = el("div", "nm-legend-row nm-legend-note nm-legend-inview");
        var first = legend.querySelector(".nm-legend-note");
        legend.insertBefore(note, first);
      }
      note.textContent = "";
      note.style.display = v.n < v.total ? "" : "none";
      if (v.n < v.total) {
        note.appendChild(el("span", null, v.n + " of " + v.total + " in view · "));
        var all = el("a", "nm-show-all", "show all");
        all.href = "#";
        all.style.color = "inherit";
        all.onclick = function (e) { e.preventDefault(); fitStep(layer, true); };
        note.appendChild(all);
      }
    }
    // nothing of this step in view: say so, and offer the way back
    var hint = layer._nmOffview;
    if (v.total && !v.n) {
      if (!hint) {
        hint = layer._nmOffview = el("div", "nm-empty nm-offview");
        hint.style.textAlign = "center";
        layer._addDom(box, hint);
      }
      hint.textContent = "";
      hint.appendChild(el("div", null, "None of this step's " + v.total +
                          (v.total === 1 ? " event is" : " events are") + " in view"));
      var go = el("a", "nm-offview-go", "Show them");
      go.href = "#";
      go.style.fontWeight = "700";
      go.onclick = function (e) { e.preventDefault(); fitStep(layer, true); };
      hint.appendChild(go);
      hint.style.display = "";
    } else if (hint) hint.style.display = "none";
    box.setAttribute("data-nm-inview", String(v.n));
  }

  // ---- cards in the page ------------------------------------------------------------
  function findCard(id) {
    if (!page || !id) return null;
    try {
      var esc = page.CSS && page.CSS.escape ? page.CSS.escape(id) :
        String(id).replace(/["\\]/g, "");
      return page.document.querySelector('.nm-card[data-nm-id="' + esc + '"]');
    } catch (e) { return null; }
  }

  function scrollIntoFeed(card) {
    // the feed is a scrolling box beside the map: scroll it, never the whole page
    for (var p = card.parentElement; p && p !== page.document.body; p = p.parentElement) {
      var oy = page.getComputedStyle(p).overflowY;
      if ((oy === "auto" || oy === "scroll") && p.scrollHeight > p.clientHeight + 1) {
        var pr = p.getBoundingClientRect(), cr = card.getBoundingClientRect();
        var dy = cr.top < pr.top ? cr.top - pr.top - 8 :
          cr.bottom > pr.bottom ? Math.min(cr.bottom - pr.bottom + 8, cr.top - pr.top - 8) : 0;
        if (dy) p.scrollBy({ top: dy, behavior: "smooth" });
        return;
      }
    }
  }

  NM.highlightCard = function (id) {
    if (!page) return;
    try {
      page.document.querySelectorAll(".nm-card.nm-card-active").forEach(function (c) {
        if (c.getAttribute("data-nm-id") !== id) c.classList.remove("nm-card-active");
      });
      var card = findCard(id);
      if (!card) return;
      card.classList.add("nm-card-active");
      scrollIntoFeed(card);
    } catch (e) { /* the page went away */ }
  };

  map.on("popupopen", function (e) {
    // a narrow map (small window): the popup may not be wider than the map
    var room = map.getSize().x - 70, o = e.popup.options;  // the frame adds ~45 px
    if (room > 100 && o.maxWidth > room) {
      o.maxWidth = room;
      o.minWidth = Math.min(o.minWidth || 50, room);
      e.popup.update();
    }
    var src = e.popup && e.popup._source;
    var id = (src && src.nm && src.nm.id) || (e.popup && e.popup.nmId);
    box.setAttribute("data-nm-popup", id || "");
    if (id) NM.highlightCard(id);
    if (id) reviewButton(e.popup, id);
  });

  // The popup's way into review: a button that presses its card's "Review" (the dialog is
  // the page's); an event without a card in the feed keeps the hint.
  function reviewButton(popup, id) {
    var root = popup.getElement && popup.getElement();
    var hint = root && root.querySelector(".nm-review-hint");
    if (!hint || !page) return;
    var target = null;
    try {
      var sel = '[class*="st-key-rv_open_' + CSS.escape(id) + '"] button';
      page.document.querySelectorAll(sel).forEach(function (b) {
        if (!target && b.offsetParent !== null) target = b;
      });
    } catch (err) { target = null; }
    if (!target) {
      hint.textContent = "Review it from its card (in this date's feed)";
      return;
    }
    hint.textContent = "";
    var btn = el("button", "nm-review-btn", "✎ Review");
    btn.type = "button";
    btn.addEventListener("click", function () { target.click(); });
    hint.appendChild(btn);
  }
  map.on("popupclose", function () {
    box.setAttribute("data-nm-popup", "");
    NM.highlightCard(null);
  });

  // A card was clicked: fly to its event, then open its popup (the pin's own, or one at
  // the point when the pin is inside a bubble at that zoom). True when the map moved.
  NM.focusEvent = function (id, lat, lon) {
    var step = NM.current, mk = null;
    if (step) {
      for (var i = 0; i < step._markers.length && !mk; i++)
        if (step._markers[i].nm.id === id) mk = step._markers[i];
    }
    var ll = mk ? mk.getLatLng() : isFinite(lat) && isFinite(lon) ? L.latLng(lat, lon) : null;
    if (!ll) return false;
    touched = true;
    var prec = mk ? mk.nm.precision : null;
    var z = ZOOM[prec] || 11;
    if (prec === "landmark") z = Math.max(z, map.getZoom());
    z = Math.min(z, map.getMaxZoom());
    map.closePopup();
    var done = false;
    var open = function () {
      if (done) return;
      done = true;
      if (!mk) { NM.highlightCard(id); return; }
      if (mk._map) { mk.openPopup(); return; }
      var pop = mk.getPopup(), content = pop.getContent();
      var p = L.popup(L.extend({}, pop.options, { offset: [0, -8] }))
        .setLatLng(ll).setContent(typeof content === "function" ? content(mk) : content);
      p.nmId = id;
      p.openOn(map);
    };
    box.setAttribute("data-nm-focus", id);
    if (map.getZoom() === z && map.getBounds().pad(-0.2).contains(ll)) { open(); return true; }
    map.once("moveend", function () { setTimeout(open, 0); });
    setTimeout(open, 2500);  // in case the flight is cut short
    map.flyTo(ll, z, { duration: 0.8 });
    return true;
  };

  // ---- each step ---------------------------------------------------------------------
  var proto = NM.StepLayer.prototype;
  if (!proto._nmFeed) {
    var onAdd = proto.onAdd, onRemove = proto.onRemove;
    proto._nmFeed = true;
    proto.onAdd = function (m) {
      onAdd.call(this, m);
      if (NM.feedStepAdded) NM.feedStepAdded(this, m);
    };
    proto.onRemove = function (m) {
      if (this._nmShowView) m.off("moveend zoomend", this._nmShowView);
      this._nmViewNote = this._nmOffview = null;
      onRemove.call(this, m);
    };
  }
  NM.feedStepAdded = function (layer, m) {
    var d = layer._data;
    layer._nmShowView = function () { showView(layer); };
    m.on("moveend zoomend", layer._nmShowView);
    var prev = NM._viewKey;
    NM._viewKey = d.view_key;
    if (d.view_key !== undefined && prev !== undefined && prev !== d.view_key) {
      fitStep(layer, true);  // the filters changed: show what is left
    } else if (prev === undefined && d.filtered) {
      NM._fitFiltered = true;  // opened filtered (a shared link): fit the filtered step
      fitStep(layer, false);
      setTimeout(function () { if (!touched && NM.current === layer) fitStep(layer, false); }, 0);
    }
    showView(layer);
  };
  map.on("resize", function () {
    if (NM._fitFiltered && !touched && NM.current) fitStep(NM.current, false);
  });

  // ---- the base layer the user picks goes to the server ---------------------------------
  // streamlit-folium sends the map's view on moveend, with its "selected_layers" (it lists
  // WMS overlays there, and has none here): the pick goes in that list, under
  // opts.report_url, and a moveend sends it (geo/tiles.py reported()). Nothing without
  // streamlit-folium (a standalone file).
  NM.onBaseChange = function (key) {
    var g = window.__GLOBAL_DATA__;
    if (!g || !g.selected_layers || !opts.report_url) return;
    var nav = g.selected_layers[opts.nav_url];  // the last step report stays in the list
    g.selected_layers = {};
    if (nav) g.selected_layers[opts.nav_url] = nav;
    g.selected_layers[opts.report_url] = { name: key, url: opts.report_url };
    map.fire("moveend");
  };

  // ---- Previous / Next / Play in the browser, the feed drawn with the map (newsmap.js) ---
  if (page && opts.nav_url && NM.setupNav) NM.setupNav(map, page, opts);

  // ---- the page: card clicks, and no history entry per step ---------------------------
  if (page) {
    try {
      new page.Function(PAGE_JS)();
    } catch (e) { /* not our page (embedded elsewhere): cards stay plain */ }
  }
})(__PARENT__, __DATA__);"""


def _compact(js: str) -> str:
    """No indentation or comment lines: the base script goes out with every rerun."""
    return "\n".join(ln.strip() for ln in js.splitlines()
                     if ln.strip() and not ln.strip().startswith("//"))


FEED_JS = _compact(FEED_JS).replace("PAGE_JS", json.dumps(_compact(PAGE_JS_SRC)))


def nav_report(map_value) -> dict | None:
    """The map's last report of a step taken in the browser (``{"date", "playing", "n"}``),
    from st_folium's value: an item of its "selected_layers" marked with :data:`NAV_URL`."""
    layers = map_value.get("selected_layers") if isinstance(map_value, dict) else None
    for item in layers or []:
        if isinstance(item, dict) and item.get("url") == NAV_URL:
            try:
                got = json.loads(str(item.get("name") or ""))
            except ValueError:
                return None
            return got if isinstance(got, dict) else None
    return None


def apply_nav_report(state, report: dict | None, dates: Sequence[str]) -> bool:
    """Apply a step report to the session ``state`` once (a new ``n``); True if applied.

    A new report wins over the slider's value in the same run: that value is what the page
    knew when it asked for the run, often older than the step the map reports (the slider
    had not heard of the previous report's run yet). ``_nav_seen`` is what the next step
    payload acknowledges (``live.ack``); ``_nav_have`` the revisions of the steps the map
    holds (not sent again as neighbours)."""
    if report is None or report.get("n") == state.get("_nav_seen"):
        return False
    state["_nav_seen"] = report.get("n")
    have = report.get("have")
    state["_nav_have"] = {str(r) for r in have} if isinstance(have, list) else set()
    state["playing"] = bool(report.get("playing")) and len(dates) >= 2
    if report.get("date") in dates:
        state["date"] = report["date"]
    return True


# A "{" that opens a Jinja tag ("{{", "{%", "{#"). JSON itself never writes one (an object's
# first key is a string), so each is inside a string value, where "\u007b" means the same.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def js_json(obj) -> str:
    """JSON that is safe inside an inline <script>, a JS eval and a Jinja template.

    branca renders every element's output once more as a template (``Element(script(...))``),
    so article text must carry no Jinja syntax: ``{{ 7*7 }}`` would be evaluated on the
    server. Escaping the brace keeps the text as typed in the browser.
    """
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    s = (
        s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return _JINJA_OPEN.sub(r"\\u007b", s)


class NewsMap(folium.Map):
    """folium.Map whose only assets are local: Leaflet and newsmap.js/css.

    folium's defaults (jQuery, Bootstrap, Font Awesome, awesome-markers, all from CDNs)
    are dropped: markers are inline SVG, so no icon font is needed.
    """

    default_js = offline.default_js()
    default_css = offline.default_css()


class _Script(MacroElement):
    """``call(<parent's variable>, <data>)``: one of newsmap.js's entry points, with data.

    The data is :func:`js_json` text, joined in after the parent's name: so "__PARENT__" in
    an article stays text, and nothing in the output can be read as a template.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.js(this._parent.get_name()) }}{% endmacro %}"
    )

    def __init__(self, code: str, data_json: str):
        super().__init__()
        self._name = "NewsmapScript"
        self.code = code  # JS with the placeholders __PARENT__ and __DATA__
        self.data_json = data_json

    def js(self, parent: str) -> str:
        head, _, tail = self.code.partition("__DATA__")  # the data is never searched
        out = "".join((head.replace("__PARENT__", parent), self.data_json,
                       tail.replace("__PARENT__", parent)))
        if _JINJA_OPEN.search(out):  # never hand branca a template: fail loudly instead
            raise ValueError("map script would be rendered as a template")
        return out


def bounds_of(events: Sequence[Event]) -> list[list[float]] | None:
    pts = [(e.place.lat, e.place.lon) for e in events if is_located(e)]
    if not pts:
        return None
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def city_labels(events: Sequence[Event], max_labels: int = 30) -> list[dict]:
    """One label per city or country named by a located event, at its mean point.

    Offline there are no tile labels, so these say which city the dots are in. With very
    many places only the ``max_labels`` busiest are labelled (a year of news names thousands
    of cities; their labels would hide the map).
    """
    pts: dict[str, list[float]] = {}
    for e in events:
        if not is_located(e):
            continue
        p = e.place
        name = p.city or (p.name if p.precision == "city" else None)
        if not name:
            continue
        acc = pts.setdefault(name, [0.0, 0.0, 0])
        acc[0] += p.lat
        acc[1] += p.lon
        acc[2] += 1
    chosen = sorted(pts.items(), key=lambda kv: (-kv[1][2], kv[0]))[:max_labels]
    out = []
    for name, (slat, slon, n) in sorted(chosen):
        out.append({"name": name, "lat": round(slat / n, 5), "lon": round(slon / n, 5)})
    return out


def base_summary(events: Sequence[Event]) -> dict:
    """What the base map needs from the events (one pass; cache it for big event sets)."""
    if getattr(events, "columnar", False):
        return events.base_summary()
    return {"bounds": bounds_of(events), "labels": city_labels(events)}


def base_map(
    events: Sequence[Event],
    *,
    tiles: Sequence[dict] | None = None,
    standalone: bool = False,
    summary: dict | None = None,
    base: str | None = None,
) -> NewsMap:
    """The stable part of the map. Depends only on ``events`` (all of them), ``tiles`` and
    ``base``.

    ``tiles`` are the online base maps to try (``geo.tiles.js_options()``; none: the offline
    layer only), ``base`` the one to open with (a key, or "offline"; default: the first).
    The browser falls back to the offline layer when they do not load.
    ``summary`` (from :func:`base_summary` over the same events) skips the pass over them.
    """
    summary = summary if summary is not None else base_summary(events)
    bounds = summary["bounds"]
    center, zoom = DEFAULT_VIEW
    if bounds:
        center = (
            (bounds[0][0] + bounds[1][0]) / 2,
            (bounds[0][1] + bounds[1][1]) / 2,
        )
    m = NewsMap(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        attribution_control=False,
        control_scale=False,
        prefer_canvas=False,
        world_copy_jump=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    tiles = list(tiles or [])
    opts = {
        "online": bool(tiles),
        "tiles": tiles,
        "labels": summary["labels"],
        "offline_credit": BASEMAP_ATTRIBUTION,
        "bounds": bounds,
        # what the offline layer can show; online, the tile layer's own range
        "zoom_range": [basemap.MIN_ZOOM, basemap.MAX_ZOOM],
        "notice": "Map tiles could not load: showing the built-in offline map",
        "base": base if tiles else None,
    }
    # the offline layer is drawn online too, under the tiles, as the fallback
    if standalone:  # the world and the cells around the events, inline (no server)
        opts["basemapData"] = "__BASEMAP__"
    else:
        opts["basemapUrl"] = offline.basemap_url()
    data = js_json(opts)
    if standalone:
        pts = [(e.place.lat, e.place.lon) for e in events if is_located(e)]
        data = data.replace('"__BASEMAP__"', js_json(json.loads(basemap.inline_data(pts))))
    _Script("NM.setupBase(__PARENT__, __DATA__);", data).add_to(m)
    _Script(FEED_JS, js_json({"zoom": FOCUS_ZOOM, "report_url": tiles_mod.REPORT_URL,
                              "nav_url": NAV_URL})).add_to(m)
    if bounds:
        if bounds[0] == bounds[1]:
            m.location = list(bounds[0])
            m.options["zoom"] = 11
        else:
            m.fit_bounds(
                bounds, padding_top_left=(60, 120), padding_bottom_right=(60, 150), max_zoom=12
            )
    return m


def source_line(shown: Sequence[Shown], online: bool = False, max_articles: int = 4) -> str:
    """'Sources: a.txt, b.txt · Places © OpenStreetMap contributors': the articles and the
    geocoders' credits. The base map's own credit (the tiles shown, or the offline layer's)
    is added by the browser, which knows what is on screen (``NM.credit``)."""
    arts: list[str] = []
    attributions: list[str] = []
    for s in shown:
        for src in s.event.sources:
            if src.article not in arts:
                arts.append(src.article)
        p = s.event.place
        if p is not None and p.attribution and p.attribution not in attributions:
            attributions.append(p.attribution)
    parts = []
    if arts:
        more = len(arts) - max_articles
        listed = ", ".join(arts[:max_articles]) + (f" +{more} more" if more > 0 else "")
        parts.append(f"Sources: {listed}")
    for a in attributions:
        parts.append(f"Places {a}")
    return " · ".join(parts)


def marker_payload(s: Shown, slot: int, group_size: int) -> dict:
    e = s.event
    color, glyph = style(e.category)
    return {
        "id": e.id,
        "lat": e.place.lat,
        "lon": e.place.lon,
        "current": s.current,
        "category": e.category,
        "color": color,
        "glyph": glyph,
        "status": e.status,
        "title": e.title,
        "date": e.date,
        "date_label": date_label(e.date),
        "time_of_day": e.time_of_day,
        "place": place_label(e),
        # the pin's text label at city zoom: the place's own name, up to its first comma
        "label": (e.place.name or "").split(",")[0].strip() or place_label(e).split(",")[0],
        "precision": e.place.precision,
        "precision_note": precision_note(e),
        "sources": [source_record(x) for x in e.sources],
        "slot": slot,
        "group_size": group_size,
        "background": e.background,
        "review": e.review_status or "auto",
    }


def _subtitle(mode: str, n_shown: int, n_current: int, n_unlocated: int) -> str:
    """The banner's count line: "12 events up to this date · 5 on this date"."""
    if mode == "date":
        sub = f"{n_shown} event{'s' if n_shown != 1 else ''} on this date"
    elif mode == "upto":
        sub = f"{n_shown:,} events up to this date · {n_current} on this date"
    else:
        sub = f"all dates · {n_shown:,} events · {n_current} on this date"
    return sub + (f" · {n_unlocated} unlocated" if n_unlocated else "")


def _legend(per_cat: Counter) -> list[dict]:
    legend = []
    for cat in ordered_categories(per_cat):
        color, glyph = style(cat)
        legend.append({"category": cat, "color": color, "glyph": glyph, "n": per_cat[cat]})
    return legend


def _frame(date: str | None, mode: str, sig: str, subtitle: str, legend: list[dict],
           markers: list[dict], has_past: bool, source: str) -> dict:
    """What every step payload carries besides its pins and bubbles."""
    return {
        "step_id": hashlib.sha1(sig.encode()).hexdigest()[:12],
        "date": date,
        "mode": mode,
        "mode_label": MODES[mode],
        "date_label": date_label(date) if date else "All events",
        "subtitle": subtitle,
        "legend_title": "Event type",
        "legend": legend,
        "has_past": has_past,
        "past_note": "faded = other dates" if mode == "all" else "faded = earlier dates",
        "has_approx": any(m["precision"] != "landmark" for m in markers),
        "source_line": source,
        "empty_note": "No located events for this step",
        "markers": markers,
    }


def step_payload(
    shown: Sequence[Shown], date: str | None, mode: str, *, online: bool = False
) -> dict:
    """Everything ``NM.StepLayer`` draws for one step (plain text; the browser escapes)."""
    mode = resolve_mode(mode)
    on_map = [s for s in shown if is_located(s.event)]
    slots = colocated_slots([s.event for s in on_map])
    markers = [marker_payload(s, *slots[s.event.id]) for s in on_map]
    n_current = sum(1 for s in shown if s.current)
    subtitle = _subtitle(mode, len(shown), n_current, len(shown) - len(on_map))
    legend = _legend(Counter(s.event.category for s in on_map))
    sig = f"{date}|{mode}|{','.join(m['id'] for m in markers)}"
    return _frame(date, mode, sig, subtitle, legend, markers,
                  any(not m["current"] for m in markers), source_line(shown, online))


def step_payload_for(step: Step, *, online: bool = False, max_pins: int = MAX_PINS,
                     max_clusters: int = MAX_CLUSTERS) -> dict:
    """The payload of a step from a :class:`~geo.timeline.StepIndex`, bounded in size.

    Up to ``max_pins`` located events: exactly :func:`step_payload` (one pin per event).
    Above: the current date's events stay pins while there are at most ``max_pins`` of them
    (else they are aggregated too), and all other events become count bubbles
    (:func:`~geo.timeline.aggregate`, at most ``max_clusters``). Work and bytes then follow
    the step's date, not the corpus: no Event object of another date is touched.
    """
    mode = resolve_mode(step.mode)
    date = step.date
    if step.n_located() <= max_pins:
        return step_payload(step.shown(), date, mode, online=online)
    ix = step.index
    if hasattr(step, "located_current"):  # columnar: Events only for the pins
        n_on_map = step.n_located_current()
        on_map = ([Shown(e, True) for e in step.located_current()]
                  if n_on_map <= max_pins else [])
        sources = step.source_line(online)
    else:
        current = [Shown(e, True) for e in step.current]
        on_map = [s for s in current if is_located(s.event)]
        n_on_map = len(on_map)
        sources = source_line(current, online)
    cur_counts = step.current_counts()
    clusters = aggregate(ix, step.rest_counts(), max_clusters)
    if n_on_map <= max_pins:
        slots = colocated_slots([s.event for s in on_map])
        on_map.sort(key=lambda s: s.event.id)
        markers = [marker_payload(s, *slots[s.event.id]) for s in on_map]
    else:
        markers = []
        clusters += aggregate(ix, cur_counts, max_clusters, current=True)
    subtitle = _subtitle(mode, step.n_shown, step.hi - step.lo, step.n_unlocated)
    per_cat: Counter[str] = Counter()
    ncat = len(ix.categories) or 1
    for counts in (cur_counts, step.rest_counts()):
        for code, n in counts.items():
            per_cat[ix.categories[code % ncat]] += n
    ids = ",".join(m["id"] for m in markers)
    sig = f"{date}|{mode}|{ids}|{len(clusters)}|{sum(c['n'] for c in clusters)}"
    payload = _frame(date, mode, sig, subtitle, _legend(per_cat), markers,
                     any(not c["current"] for c in clusters), sources)
    payload.update(
        cluster_note="bubble = events near there, number = how many",
        clusters=clusters,
        # bubbles name categories by index into this list: [name, colour]
        categories=[[c, style(c)[0]] for c in ix.categories],
    )
    return payload


# A fixed view for the PNG export (geo/snapshot.py's View.js(): a centre and zoom, a box, or
# "fit": "step"). The base map and the feed re-fit an untouched map on resize, so the view is
# applied after the step is on the map, again after every resize, and by NM.applyView (the
# capture calls it last); data-nm-view on the map says it was applied.
VIEW_JS = r"""(function (fg, v) {
  var NM = window.NM;
  function apply() {
    var map = fg._map;
    if (!map) return;  // this step was replaced
    map.stop();
    if (v.zoom !== undefined) {
      map.setView(v.center || map.getCenter(), v.zoom, { animate: false });
    } else if (v.bbox) {
      map.fitBounds([[v.bbox[0], v.bbox[1]], [v.bbox[2], v.bbox[3]]], { animate: false });
    } else if (v.fit === "step" && NM.current && NM.current._points.length) {
      var s = NM.current, pts = s._currentPoints.length ? s._currentPoints : s._points;
      if (pts.length === 1) map.setView(pts[0], Math.max(map.getZoom(), 11), { animate: false });
      else map.fitBounds(L.latLngBounds(pts), { paddingTopLeft: [60, 120],
        paddingBottomRight: [60, 150], maxZoom: 12, animate: false });
    }
    map.getContainer().setAttribute("data-nm-view", "1");
  }
  NM.applyView = apply;
  fg.once("add", function () {
    setTimeout(apply, 0);  // after the feed's own deferred fit of a filtered step
    fg._map.on("resize", apply);
  });
})(__PARENT__, __DATA__);"""


def step_group(payload: dict, view: dict | None = None) -> folium.FeatureGroup:
    """The per-step FeatureGroup for ``st_folium(feature_group_to_add=...)``; ``view`` fixes
    the map's view (the PNG export, see VIEW_JS)."""
    fg = folium.FeatureGroup(name="events", control=False)
    # NM.addStep adds it to the group, or (in the dashboard) hands it to the browser's
    # stepping (NM.setupNav in newsmap.js), which decides what the map shows
    _Script("NM.addStep(new NM.StepLayer(__DATA__), __PARENT__);", js_json(payload)).add_to(fg)
    if view:
        _Script(VIEW_JS, js_json(view)).add_to(fg)
    return fg


def payload_from_script(script: str) -> list[dict]:
    """The step payloads inside generated JS (tests and the browser checks use this)."""
    out = []
    marker = "new NM.StepLayer("
    start = 0
    while (i := script.find(marker, start)) >= 0:
        j = i + len(marker)
        obj, end = json.JSONDecoder().raw_decode(script, j)
        out.append(obj)
        start = end
    return out


def standalone_html(
    all_events: Sequence[Event],
    shown: Sequence[Shown],
    date: str | None,
    mode: str,
    *,
    online: bool = False,
    title: str = "News-event map",
    tiles: Sequence[dict] | None = None,
    base: str | None = None,
) -> str:
    """The current map as one self-contained HTML file: no server, no network needed (with
    ``tiles`` it tries them first, ``base`` first of all, and falls back to the inlined
    offline layer)."""
    m = base_map(all_events, tiles=tiles, standalone=True, base=base)
    fg = step_group(step_payload(shown, date, mode, online=online))
    fg.add_to(m)
    root = m.get_root()
    root.title = title
    html = root.render()
    html = offline.inline_assets(html)
    return html


# ---- the feed beside the map ---------------------------------------------------------


def source_html(s: dict) -> str:
    """A source's article name, as a link to the article when it came from the web.

    Only a plain http(s) address becomes an ``href`` (geo.links.safe_url), HTML-escaped
    (quotes too); it opens in a new tab with ``noopener noreferrer``, so the outlet's page
    gets no handle on the dashboard and no referrer."""
    name = html.escape(" ".join(str(s.get("article", "")).split()))
    url = safe_url(s.get("url"))
    if url is None:
        return name
    return (f'<a class="nm-src-link" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer" title="{html.escape(url, quote=True)}">{name} ↗</a>')


REVIEW_LABELS = {"auto": "automatic", "confirmed": "✓ confirmed", "edited": "✎ edited",
                 "added": "+ added"}
REVIEW_TITLES = {"auto": "as the extractor found it; not reviewed yet",
                 "confirmed": "checked by a person and kept as found",
                 "edited": "corrected by a person; the export keeps the original values",
                 "added": "added by a person from the article's sentence"}


FEED_CARD_KEYS = ("id", "title", "category", "color", "status", "place", "precision",
                  "precision_note", "estimated", "located", "lat", "lon", "time_of_day",
                  "date_inferred", "background", "review_status", "new")


def feed_card(c: dict) -> dict:
    """A card (from ``timeline.card``) as the browser draws it (``NM.feedCard`` in
    newsmap.js, the same markup as :func:`card_html`, every text set as text)."""
    out = {k: c.get(k) for k in FEED_CARD_KEYS}
    out["sources"] = [{k: s[k] for k in ("article", "sentence", "url") if s.get(k)}
                      for s in c["sources"]]
    return out


def feed_payload(key: str, date_label_text: str, cards: Sequence[dict], n_cards: int,
                 undated: Sequence[dict] = (), n_undated: int = 0, undated_note: str = ""
                 ) -> dict:
    """What the feed beside the map shows for one step, for the browser to draw in the same
    frame as the map when it steps without the server (the server draws the same feed with
    :func:`card_html`; ``key`` names the step, and the server's feed carries it too)."""
    return {
        "key": key,
        "head": date_label_text,
        "count": f"{n_cards} event{'s' if n_cards != 1 else ''}",
        "cards": [feed_card(c) for c in cards],
        "empty": "No events on this date with the current filters." if not cards else "",
        "more": (f"{n_cards - len(cards)} more events on this date (the map shows all): "
                 "filter by category or country to list them.") if n_cards > len(cards) else "",
        "undated": [feed_card(c) for c in undated],
        "undated_more": (f"{n_undated - len(undated)} more undated events (the map shows all)."
                         if n_undated > len(undated) else ""),
        "undated_note": undated_note,
    }


def card_html(c: dict) -> str:
    """An event card (from ``timeline.card``) as HTML; every text field is escaped.

    Whitespace is folded to single spaces: a blank line in a sentence would end Markdown's
    HTML block, and what follows would be read as Markdown.
    """

    def e(text) -> str:
        return html.escape(" ".join(str(text).split()))

    chips = []
    if c.get("new"):
        chips.append('<span class="nm-chip nm-chip-new" title="read by the watch since you '
                     'last marked the news as seen">new</span>')
    if c["time_of_day"]:
        chips.append(f'<span class="nm-chip">{e(c["time_of_day"])}</span>')
    if c["status"] == "planned":
        chips.append('<span class="nm-chip nm-chip-warn">planned</span>')
    if not c["located"]:
        chips.append('<span class="nm-chip nm-chip-warn">unlocated: not on the map</span>')
    if c["date_inferred"]:
        chips.append('<span class="nm-chip">date inferred</span>')
    if c.get("background"):
        chips.append('<span class="nm-chip nm-chip-bg" title="told as background: dated only '
                     'to a year or month before the article">background</span>')
    review = c.get("review_status") or "auto"
    chips.insert(0, f'<span class="nm-chip nm-rv nm-rv-{e(review)}" title="'
                 f'{e(REVIEW_TITLES.get(review, ""))}">{e(REVIEW_LABELS.get(review, review))}'
                 "</span>")
    approx = " approx" if c["located"] and (c["precision"] != "landmark"
                                            or c.get("estimated")) else ""
    srcs = "".join(
        f'<q>{e(s["sentence"])}</q><div class="nm-card-src">— {source_html(s)}</div>'
        for s in c["sources"][:1]
    )
    if len(c["sources"]) > 1:
        more = "".join(
            f'<q>{e(s["sentence"])}</q><div class="nm-card-src">— {source_html(s)}</div>'
            for s in c["sources"][1:]
        )
        srcs += (f'<details><summary class="nm-card-src">+ {len(c["sources"]) - 1} more '
                 f"sources</summary>{more}</details>")
    # a located card is tied to its pin: clicking it (or Enter) flies the map there (FEED_JS)
    go = (f' data-nm-id="{e(c["id"])}" data-nm-lat="{float(c["lat"]):.6f}" '
          f'data-nm-lon="{float(c["lon"]):.6f}" tabindex="0" title="Show on the map"'
          if c["located"] and c.get("id") and c.get("lat") is not None else "")
    return (
        f'<div class="nm-card"{go} style="--c:{e(c["color"])}">'
        f'<div class="nm-card-top"><span class="nm-dot"></span>{e(c["category"])}'
        f'{"".join(chips)}</div>'
        f'<div class="nm-card-title">{e(c["title"])}</div>'
        f'<div class="nm-card-place">{e(c["place"])}</div>'
        f'<div class="nm-card-prec{approx}">{e(c["precision_note"])}</div>'
        f"{srcs}</div>"
    )
