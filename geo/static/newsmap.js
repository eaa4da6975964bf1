/* News-event map: the front-end half of geo/mapview.py.
 *
 * NM.setupBase(map, opts)  once per map mount: offline base layer, city labels, fit control.
 * NM.StepLayer(data)       one per step, added to the step's FeatureGroup: markers, date
 *                          banner, legend and source line. Removing the FeatureGroup (what
 *                          streamlit-folium does on a step) removes all of them, so the base
 *                          map, its zoom and its centre stay as the user left them.
 *
 * Every text that came from an article is set with textContent, never as HTML.
 */
(function () {
  "use strict";
  var NM = (window.NM = window.NM || {});

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // White glyphs drawn in a 24x24 box, centred on (12, 12). Only static strings here.
  var GLYPHS = {
    flame: '<path d="M12 3c1 3.5 5 5.5 5 10a5 5 0 0 1-10 0c0-2.5 1.5-4 2.5-5 0 2 1 3 2 3-1-3 0-6 .5-8z"/>',
    burst: '<path d="M12 2l2 6 6-3-3 6 6 2-6 2 3 6-6-3-2 6-2-6-6 3 3-6-6-2 6-2-3-6 6 3z"/>',
    megaphone: '<path d="M4 10h3l9-5v14l-9-5H4z"/><path d="M7 14l1.5 5h2.5L10 14z"/>',
    book: '<path d="M5 5h6a1 1 0 0 1 1 1v13a1 1 0 0 0-1-1H5zM19 5h-6a1 1 0 0 0-1 1v13a1 1 0 0 1 1-1h6z"/>',
    flag: '<path d="M6 3h2v18H6z"/><path d="M8 4h10l-2.5 4L18 12H8z"/>',
    star: '<path d="M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z"/>',
    exit: '<path d="M4 11h10V7l6 5-6 5v-4H4z"/>',
    ban: '<path d="M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm0 2.5a5.5 5.5 0 0 1 4.4 8.8L8.7 7.6A5.5 5.5 0 0 1 12 6.5zm-4.4 2.2l7.7 7.7A5.5 5.5 0 0 1 7.6 8.7z"/>',
    ballot: '<path d="M4 11h16v9H4z"/><path d="M9 3h6v7H9z"/>',
    warning: '<path d="M12 3l10 17H2zM11 9v6h2V9zm0 7.5v2h2v-2z" fill-rule="evenodd"/>',
    speech: '<path d="M4 5h16v10H10l-5 4v-4H4z"/>',
    dot: '<circle cx="12" cy="12" r="4"/>'
  };
  NM.GLYPHS = GLYPHS;

  function glyphSvg(glyph, size) {
    return (
      '<svg class="nm-glyph" viewBox="0 0 24 24" width="' + size + '" height="' + size +
      '" fill="#fff" aria-hidden="true">' + (GLYPHS[glyph] || GLYPHS.dot) + "</svg>"
    );
  }
  NM.glyphSvg = glyphSvg;
  NM.LEGEND_FOLD_BELOW = 560; // px of map width: the legend starts folded to a strip
  NM.LEGEND_COMPACT_BELOW = 900; // px of map width: two columns, smaller type
  NM.LABEL_MIN_ZOOM = 11; // pins carry their place name from this zoom on

  function swatch(color, glyph, size) {
    var s = el("span", "nm-swatch");
    s.style.background = /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : "#555";
    s.style.width = s.style.height = size + "px";
    s.innerHTML = glyphSvg(glyph, Math.round(size * 0.7)); // static SVG only
    return s;
  }

  function markerIcon(m) {
    var size = m.current ? 30 : 18;
    var color = /^#[0-9a-fA-F]{3,8}$/.test(m.color) ? m.color : "#555";
    var html =
      '<svg class="nm-leader" width="1" height="1"><line x1="0" y1="0" x2="0" y2="0"/></svg>' +
      '<span class="nm-anchor"></span>' +
      '<span class="nm-pin" style="background:' + color + ";width:" + size + "px;height:" + size +
      "px;margin:" + -size / 2 + "px 0 0 " + -size / 2 + 'px">' +
      glyphSvg(m.glyph, Math.round(size * 0.66)) + "</span>";
    var cls = "nm-marker " + (m.current ? "nm-current" : "nm-past");
    if (m.status === "planned") cls += " nm-planned";
    if (m.precision && m.precision !== "landmark") cls += " nm-approx";
    return L.divIcon({ className: cls, html: html, iconSize: [0, 0], iconAnchor: [0, 0] });
  }

  var REVIEW = {
    auto: ["automatic", "as the extractor found it; not reviewed yet"],
    confirmed: ["✓ confirmed", "checked by a person and kept as found"],
    edited: ["✎ edited", "corrected by a person"],
    added: ["+ added", "added by a person from the article's sentence"],
  };

  function popupContent(m, mode) {
    var root = el("div", "nm-popup");
    var head = el("div", "nm-popup-head");
    head.appendChild(swatch(m.color, m.glyph, 18));
    head.appendChild(el("span", "nm-popup-cat", m.category));
    if (m.status === "planned") head.appendChild(el("span", "nm-badge", "planned"));
    var rv = REVIEW[m.review] || REVIEW.auto;
    var rb = el("span", "nm-badge nm-rv nm-rv-" + (REVIEW[m.review] ? m.review : "auto"), rv[0]);
    rb.title = rv[1];
    head.appendChild(rb);
    if (m.background) {
      var bg = el("span", "nm-badge nm-badge-bg", "background");
      bg.title = "told as background: dated only to a year or month before the article";
      head.appendChild(bg);
    }
    if (!m.current) {
      // faded: "all dates" mode also fades later and undated events
      var other = !m.date ? "undated" : mode === "all" ? "other date" : "earlier";
      head.appendChild(el("span", "nm-badge nm-badge-past", other));
    }
    root.appendChild(head);
    root.appendChild(el("div", "nm-popup-title", m.title));
    var when = m.date_label + (m.time_of_day ? " · " + m.time_of_day : "");
    root.appendChild(el("div", "nm-popup-when", when));
    var place = el("div", "nm-popup-place");
    place.appendChild(el("span", "nm-place-name", m.place));
    place.appendChild(el("span", "nm-precision nm-precision-" + m.precision, m.precision_note));
    root.appendChild(place);
    (m.sources || []).slice(0, 3).forEach(function (s) {
      var q = el("blockquote", "nm-evidence", s.sentence);
      root.appendChild(q);
      var src = el("div", "nm-article", "— ");
      // a web article links to its page: http(s) only (checked on the server too), text
      // set as text, a new tab that gets no handle on this page and no referrer
      if (typeof s.url === "string" && /^https?:\/\/[^\s]+$/i.test(s.url)) {
        var a = el("a", "nm-article-link", s.article + " \u2197");
        a.href = s.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.title = s.url;
        src.appendChild(a);
      } else {
        src.appendChild(document.createTextNode(s.article));
      }
      root.appendChild(src);
    });
    if ((m.sources || []).length > 3)
      root.appendChild(el("div", "nm-article", "+ " + (m.sources.length - 3) + " more sources"));
    if (m.group_size > 1)
      root.appendChild(el("div", "nm-group", m.group_size + " events at this spot"));
    root.appendChild(el("div", "nm-review-hint", "Review it with ✎ Review on its card"));
    return root;
  }

  // A count bubble for many events near one point (geo/timeline.py aggregate): sized by
  // log(count), coloured by its commonest category, faded when not on the selected date.
  function clusterIcon(c, cats) {
    var size = Math.round(Math.min(56, 20 + 8 * Math.log10(c.n)));
    var top = cats[c.cats.length ? c.cats[0][0] : -1];
    var color = top && /^#[0-9a-fA-F]{3,8}$/.test(top[1]) ? top[1] : "#555";
    var label = c.n >= 10000 ? Math.round(c.n / 1000) + "k" : c.n >= 1000 ?
      (c.n / 1000).toFixed(1) + "k" : String(c.n);
    var b = el("span", "nm-bubble", label);
    b.style.background = color;
    b.style.width = b.style.height = size + "px";
    b.style.margin = -size / 2 + "px 0 0 " + -size / 2 + "px";
    b.style.fontSize = (size < 26 ? 10 : 12) + "px";
    var wrap = el("div");
    wrap.appendChild(b);
    return L.divIcon({
      className: "nm-cluster " + (c.current ? "nm-current" : "nm-past"),
      html: wrap.innerHTML, iconSize: [0, 0], iconAnchor: [0, 0]
    });
  }

  function clusterContent(c, withCats, cats) {
    var root = el("div", "nm-popup");
    var names = c.places.map(function (p) { return p[0] + " (" + p[1] + ")"; }).join(", ");
    var more = c.n_places > c.places.length ? " + " + (c.n_places - c.places.length) +
      " more places" : "";
    root.appendChild(el("div", "nm-popup-title", c.n + " events" +
      (c.current ? " on this date" : "")));
    root.appendChild(el("div", "nm-popup-place", names + more));
    if (withCats) {
      var listed = 0;
      c.cats.forEach(function (kv) {
        listed += kv[1];
        root.appendChild(el("div", "nm-popup-when", (cats[kv[0]] || ["?"])[0] + ": " + kv[1]));
      });
      if (listed < c.n) root.appendChild(el("div", "nm-popup-when", "other: " + (c.n - listed)));
    }
    return root;
  }

  // One bubble for several: counts add up; categories and places summed over what each part
  // lists (each part lists its biggest), the rest stays in the total ("other").
  NM.PIN_GROUP_MIN = 60;

  NM.mergeClusters = function (parts) {
    var n = 0, cats = {}, places = {}, nPlaces = 0;
    parts.forEach(function (c) {
      n += c.n;
      nPlaces += c.n_places;
      c.cats.forEach(function (kv) { cats[kv[0]] = (cats[kv[0]] || 0) + kv[1]; });
      c.places.forEach(function (kv) { places[kv[0]] = (places[kv[0]] || 0) + kv[1]; });
    });
    var top = function (o, k) {
      return Object.keys(o).map(function (x) { return [x, o[x]]; })
        .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); }).slice(0, k);
    };
    return {
      n: n, current: parts[0].current, n_places: nPlaces, places: top(places, 2),
      cats: top(cats, 4).map(function (kv) { return [Number(kv[0]), kv[1]]; })
    };
  };

  function tooltipContent(m) {
    var t = el("div", "nm-tip");
    t.appendChild(el("b", null, m.title));
    t.appendChild(el("div", null, m.date_label + " · " + m.place));
    return t;
  }

  // ---- base map ---------------------------------------------------------------------
  NM.setupBase = function (map, opts) {
    NM.map = map;
    var box = map.getContainer();
    box.classList.add("nm-map");
    box.classList.add(opts.online ? "nm-online" : "nm-offline");
    if (opts.zoom_range) {
      map.setMinZoom(opts.zoom_range[0]);
      map.setMaxZoom(opts.zoom_range[1]);
    }
    // The offline base layer (NM.BaseLayer) is drawn in both modes: offline it is the map;
    // online it sits under the tiles (pane 150 < tile pane 200) and shows where they fail.
    map.createPane("nmBase");
    map.getPane("nmBase").style.zIndex = 150;
    if (opts.basemapUrl || opts.basemapData) {
      NM.baseLayer = new NM.BaseLayer({ url: opts.basemapUrl, data: opts.basemapData });
      NM.baseLayer.addTo(map);
    }
    NM.setCredit(opts.offline_credit || "");
    if (opts.tiles && opts.tiles.length) NM.setupTiles(map, opts);
    // city labels float above the pins (the text has a white halo and ignores the mouse)
    map.createPane("nmLabels");
    map.getPane("nmLabels").style.zIndex = 640;
    map.getPane("nmLabels").style.pointerEvents = "none";
    (opts.labels || []).forEach(function (c) {
      L.marker([c.lat, c.lon], {
        icon: L.divIcon({ className: "nm-city", html: "", iconSize: [0, 0] }),
        interactive: false,
        keyboard: false,
        pane: "nmLabels"
      })
        .addTo(map)
        .getElement()
        .appendChild(el("span", "nm-city-label", c.name));
    });
    var Fit = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var b = el("a", "nm-fit leaflet-bar", "Fit to events");
        b.href = "#";
        b.title = "Zoom to this step's events";
        b.setAttribute("role", "button");
        L.DomEvent.disableClickPropagation(b);
        L.DomEvent.on(b, "click", function (e) {
          L.DomEvent.preventDefault(e);
          NM.fit(map);
        });
        return b;
      }
    });
    new Fit().addTo(map);
    NM.guardPopups(map);

    // The initial view fits all events. The iframe may still be resizing when the map is
    // created, so fit again on resize until the user has touched the map.
    var pristine = true;
    var fitInitial = function () {
      if (!pristine || !opts.bounds) return;
      if (opts.bounds[0][0] === opts.bounds[1][0] && opts.bounds[0][1] === opts.bounds[1][1])
        map.setView(opts.bounds[0], 11, { animate: false });
      else
        map.fitBounds(opts.bounds, {
          paddingTopLeft: [60, 120],
          paddingBottomRight: [60, 150],
          maxZoom: 12,
          animate: false
        });
    };
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (ev) {
      box.addEventListener(ev, function () { pristine = false; }, { passive: true });
    });
    map.on("resize", fitInitial);
    map.on("resize", function () { NM.fitLegend(box); });
    setTimeout(function () { map.invalidateSize(); fitInitial(); }, 0);
  };

  // ---- the legend's size follows the map's width ---------------------------------------
  // Below NM.LEGEND_COMPACT_BELOW px it is compact (two columns, smaller type: an 800-px
  // window or PNG); below NM.LEGEND_FOLD_BELOW it starts folded, unless the user has
  // folded or unfolded it (NM.legendFolded).
  NM.fitLegend = function (box) {
    var legend = box && box.querySelector(".nm-legend");
    if (!legend) return;
    var w = box.clientWidth;
    var folded = NM.legendFolded !== undefined ? NM.legendFolded : w < NM.LEGEND_FOLD_BELOW;
    legend.classList.toggle("nm-legend-folded", folded);
    legend.classList.toggle("nm-legend-compact", w < NM.LEGEND_COMPACT_BELOW);
    var title = legend.querySelector(".nm-legend-title");
    if (title) title.setAttribute("aria-expanded", String(!folded));
  };

  // ---- an open popup is never under an overlay -----------------------------------------
  // The banner, legend, source line, tile notice and controls sit above the map's panes
  // (Leaflet draws controls over popups). While a popup is open, any of them its box
  // touches steps aside (class nm-under-popup: hidden, not clickable); they come back when
  // it closes or moves away.
  NM.OVERLAYS = ".nm-banner, .nm-legend, .nm-source, .nm-empty, .nm-notice, .leaflet-control";
  // The same for pins: the banner, the legend or the tiles notice over one of this step's
  // pins turns see-through and lets clicks pass (class nm-over-pins), so no pin is hidden.
  NM.SEE_THROUGH = ".nm-banner, .nm-legend, .nm-notice";
  NM.guardPopups = function (map) {
    var box = map.getContainer();
    var meets = function (r, b) {
      return b.width > 0 && r.left < b.right && b.left < r.right && r.top < b.bottom &&
        b.top < r.bottom;
    };
    var update = function () {
      var pop = box.querySelector(".leaflet-popup .leaflet-popup-content-wrapper");
      var r = pop ? pop.getBoundingClientRect() : null;
      Array.prototype.forEach.call(box.querySelectorAll(NM.OVERLAYS), function (n) {
        n.classList.toggle("nm-under-popup", !!r && meets(r, n.getBoundingClientRect()));
      });
      var pins = Array.prototype.map.call(
        box.querySelectorAll(".leaflet-marker-pane .nm-pin, .leaflet-marker-pane .nm-bubble"),
        function (n) { return n.getBoundingClientRect(); });
      Array.prototype.forEach.call(box.querySelectorAll(NM.SEE_THROUGH), function (n) {
        var b = n.getBoundingClientRect();
        n.classList.toggle("nm-over-pins", pins.some(function (p) { return meets(p, b); }));
      });
    };
    var queued = false;  // one update a frame, however many layers a step adds
    NM.updateOverlays = function () {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(function () { queued = false; update(); });
    };
    map.on("popupopen popupclose moveend zoomend resize layeradd", NM.updateOverlays);
    map.on("move", NM.updateOverlays);
  };

  // ---- the credit line names what the map shows ---------------------------------------
  NM.credit = "";
  NM.setCredit = function (text) {
    NM.credit = text || "";
    document.querySelectorAll(".nm-source-map").forEach(function (n) {
      n.textContent = NM.credit ? NM.credit + " · Leaflet" : "Leaflet";
    });
  };

  // ---- online base maps (geo/tiles.py): tried, and left for the offline layer when they
  // fail. A layer that loads no tile and fails two (or loads nothing in 8 s) is given up:
  // the map says so in a small notice, the credit goes back to the offline layer's and the
  // zoom to what that layer shows. Choosing a tile layer again tries it again.
  NM.TILE_TIMEOUT_MS = 8000;
  NM.setupTiles = function (map, opts) {
    var box = map.getContainer();
    var offline = L.layerGroup(); // the offline layer is always drawn; this only names it
    var bases = {}, current = null, timer = null, notice = null, falling = false;
    var offlineZoom = opts.zoom_range ? opts.zoom_range[1] : 14;
    var showNotice = function (on) {
      if (on && !notice) {
        notice = el("div", "nm-notice", opts.notice || "Map tiles could not load");
        notice.setAttribute("role", "status");
        L.DomEvent.disableClickPropagation(notice);
        box.appendChild(notice);
      }
      if (notice) notice.style.display = on ? "" : "none";
      if (NM.updateOverlays) NM.updateOverlays();
    };
    var fallBack = function (layer) {
      if (current !== layer) return;
      if (timer) clearTimeout(timer);
      box.setAttribute("data-nm-tiles", "failed");
      map.removeLayer(layer);
      current = null;
      falling = true; // adding a base layer fires baselayerchange: not the user's choice
      offline.addTo(map);
      falling = false;
      NM.setCredit(opts.offline_credit);
      map.setMaxZoom(offlineZoom);
      showNotice(true);
      if (NM.placeBaseLabels) NM.placeBaseLabels();
    };
    var use = function (layer) {
      if (timer) clearTimeout(timer);
      current = layer;
      if (!layer) {
        box.setAttribute("data-nm-tiles", "off");
        NM.setCredit(opts.offline_credit);
        map.setMaxZoom(offlineZoom);
        showNotice(false);
        return;
      }
      layer.nmLoaded = 0;
      layer.nmFailed = 0;
      box.setAttribute("data-nm-tiles", "loading");
      box.setAttribute("data-nm-tile-layer", layer.nm.key);
      NM.setCredit(layer.nm.attribution);
      map.setMaxZoom(layer.nm.max_zoom);
      timer = setTimeout(function () { if (!layer.nmLoaded) fallBack(layer); },
                         NM.TILE_TIMEOUT_MS);
    };
    opts.tiles.forEach(function (t) {
      var layer = L.tileLayer(t.url, { maxZoom: t.max_zoom, maxNativeZoom: t.max_zoom,
                                       subdomains: t.subdomains, r: "", attribution: "" });
      layer.nm = t;
      layer.on("tileload", function () {
        layer.nmLoaded += 1;
        if (current === layer) {
          box.setAttribute("data-nm-tiles", "ok");
          showNotice(false);
        }
      });
      layer.on("tileerror", function () {
        layer.nmFailed += 1;
        if (!layer.nmLoaded && layer.nmFailed >= 2) fallBack(layer);
      });
      bases[t.label] = layer;
    });
    bases.Offline = offline;
    L.control.layers(bases, null, { position: "topright", collapsed: true }).addTo(map);
    // the layer chosen before (opts.base: a key, or "offline"; geo/tiles.py), else the first
    var first = opts.base === "offline" ? offline : null;
    opts.tiles.forEach(function (t) { if (!first && t.key === opts.base) first = bases[t.label]; });
    first = first || bases[opts.tiles[0].label];
    var keyOf = function (layer) { return layer === offline ? "offline" : layer.nm.key; };
    first.addTo(map);
    use(first === offline ? null : first);
    box.setAttribute("data-nm-base-choice", keyOf(first));
    // the user's choice (not a fall-back) is said on the map and to NM.onBaseChange (the
    // dashboard keeps it for the PNG export and the URL: geo/mapview.py FEED_JS)
    map.on("baselayerchange", function (e) {
      if (falling || e.layer === current) return;
      use(e.layer === offline ? null : e.layer);
      box.setAttribute("data-nm-base-choice", keyOf(e.layer));
      if (NM.onBaseChange) NM.onBaseChange(keyOf(e.layer));
    });
  };

  // ---- a step's payload goes to the map (geo/mapview.py step_group) -------------------
  // Without the dashboard's stepping (a standalone file, a PNG) the step is simply added to
  // its group; in the dashboard NM.setupNav decides what the map shows.
  NM.addStep = function (layer, group) {
    if (NM.nav) NM.nav.fromServer(layer);
    else layer.addTo(group);
  };

  // ---- the feed's cards, drawn here from a step's payload (geo/mapview.py feed_payload) ---
  // The same markup as mapview.card_html, in the page's document; every text from an
  // article is set as text, a link only for a plain http(s) address.
  var CARD_REVIEW = {
    auto: ["automatic", "as the extractor found it; not reviewed yet"],
    confirmed: ["✓ confirmed", "checked by a person and kept as found"],
    edited: ["✎ edited", "corrected by a person; the export keeps the original values"],
    added: ["+ added", "added by a person from the article's sentence"]
  };
  NM.feedCard = function (doc, c) {
    var mk = function (tag, cls, text) {
      var e = doc.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined && text !== null) e.textContent = String(text);
      return e;
    };
    var fold = function (t) {
      return String(t === undefined || t === null ? "" : t).split(/\s+/).filter(Boolean).join(" ");
    };
    var card = mk("div", "nm-card");
    if (c.located && c.id && c.lat !== null && c.lat !== undefined) {
      card.setAttribute("data-nm-id", fold(c.id));
      card.setAttribute("data-nm-lat", Number(c.lat).toFixed(6));
      card.setAttribute("data-nm-lon", Number(c.lon).toFixed(6));
      card.setAttribute("tabindex", "0");
      card.title = "Show on the map";
    }
    card.style.setProperty("--c", /^#[0-9a-fA-F]{3,8}$/.test(c.color) ? c.color : "#555");
    var top = mk("div", "nm-card-top");
    top.appendChild(mk("span", "nm-dot"));
    top.appendChild(doc.createTextNode(fold(c.category)));
    var review = c.review_status || "auto";
    var rv = CARD_REVIEW[review];
    var chip = mk("span", "nm-chip nm-rv nm-rv-" + fold(review), rv ? rv[0] : fold(review));
    chip.title = rv ? rv[1] : "";
    top.appendChild(chip);
    var add = function (cls, text, title) {
      var x = mk("span", cls, text);
      if (title) x.title = title;
      top.appendChild(x);
    };
    if (c.new) add("nm-chip nm-chip-new", "new",
                   "read by the watch since you last marked the news as seen");
    if (c.time_of_day) add("nm-chip", fold(c.time_of_day));
    if (c.status === "planned") add("nm-chip nm-chip-warn", "planned");
    if (!c.located) add("nm-chip nm-chip-warn", "unlocated: not on the map");
    if (c.date_inferred) add("nm-chip", "date inferred");
    if (c.background) add("nm-chip nm-chip-bg", "background",
                          "told as background: dated only to a year or month before the article");
    card.appendChild(top);
    card.appendChild(mk("div", "nm-card-title", fold(c.title)));
    card.appendChild(mk("div", "nm-card-place", fold(c.place)));
    var approx = c.located && (c.precision !== "landmark" || c.estimated);
    card.appendChild(mk("div", "nm-card-prec" + (approx ? " approx" : ""), fold(c.precision_note)));
    var source = function (parent, s) {
      parent.appendChild(mk("q", null, fold(s.sentence)));
      var line = mk("div", "nm-card-src", "— ");
      var name = fold(s.article);
      if (typeof s.url === "string" && /^https?:\/\/[^\s]+$/i.test(s.url)) {
        var a = mk("a", "nm-src-link", name + " ↗");
        a.href = s.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.title = s.url;
        line.appendChild(a);
      } else {
        line.appendChild(doc.createTextNode(name));
      }
      parent.appendChild(line);
    };
    var srcs = c.sources || [];
    if (srcs.length) source(card, srcs[0]);
    if (srcs.length > 1) {
      var more = mk("details");
      more.appendChild(mk("summary", "nm-card-src", "+ " + (srcs.length - 1) + " more sources"));
      srcs.slice(1).forEach(function (s) { source(more, s); });
      card.appendChild(more);
    }
    return card;
  };

  // ---- stepping in the browser (the dashboard: geo/mapview.py FEED_JS calls this) ------
  // Previous, Next and Play are handled here when the step is at hand: every step's payload
  // comes with its neighbours' (dashboard.py AHEAD), so a click shows the next step at once.
  // In that task the map swaps its step layer, the page's feed shows the step's cards
  // (drawn from the same payload, in place of the server's until the server's shows the
  // same step: data-nm-feed), the slider and the buttons move, and the URL's date changes;
  // then the date goes to the server as the map's value (under opts.nav_url in
  // "selected_layers", with a running number n). The server's next step payload says
  // which report it has applied ("ack"): one that has not seen the latest report is older
  // than what the map shows, and is kept as a neighbour, not shown.
  // Play ticks here too: each tick is due one interval after the previous tick started.
  NM.setupNav = function (map, page, opts) {
    var doc = page.document;
    var host = L.layerGroup().addTo(map);
    var nav = NM.nav = {
      shown: null, cache: {}, order: [], view: null, sent: 0, inflight: false, dirty: false,
      retry: null, playing: false, pending: 0,
      timer: null, interval: 1, last: 0, review: null, waited: 0, waiting: false
    };
    var keep = function (p) {
      var k = String(p.date);
      if (!(k in nav.cache)) nav.order.push(k);
      nav.cache[k] = p;
      while (nav.order.length > 40) delete nav.cache[nav.order.shift()];
    };
    var show = function (p, local) {
      var Step = NM.StepLayer;  // (payload_from_script looks for the call as a step writes it)
      var layer = p instanceof Step ? p : new Step(p);
      if (nav.shown) host.removeLayer(nav.shown);
      nav.shown = layer;
      host.addLayer(layer);
      controls(layer._data, local);
      nav.syncPage();
    };

    nav.fromServer = function (layer) {
      var d = layer._data, live = d.live || {};
      var view = d.view_key + "|" + d.mode + "|" + d.data_key;
      var changed = view !== nav.view;
      if (changed) { nav.cache = {}; nav.order = []; nav.view = view; }
      keep(d);
      (live.ahead || []).forEach(keep);
      if (live.interval) nav.interval = live.interval;
      // the server's word holds when it has seen our last report and the map has not
      // stepped since, or when it shows other filters or data
      var acked = live.ack === nav.sent;
      var holds = changed || !nav.shown || !nav.sent || (acked && !nav.dirty);
      if (acked && nav.inflight) {
        nav.inflight = false;
        clearTimeout(nav.retry);
        if (nav.pending && nav.shown) {  // a press that waited for this answer's steps
          var wanted = nav.pending;
          nav.pending = 0;
          if (step(wanted)) return;
        }
        if (nav.dirty) report();  // the steps taken meanwhile
      }
      if (!holds) return;
      if (!nav.shown || nav.shown._data.rev !== d.rev) show(layer, false);
      else nav.syncPage();
      if (live.playing && !nav.playing) play(false);
      else if (!live.playing && nav.playing) pause(false);
    };

    // ---- the report to the server (streamlit-folium's value; the page sends it) --------
    // One at a time: while a report is on its way (the server's run has not answered it),
    // later steps only mark the map "dirty", and the answer sends the latest. So the server
    // runs once per answer, never a queue of runs that interrupt each other (Play).
    var tell = function () {
      if (nav.inflight) { nav.dirty = true; return; }
      report();
    };
    var report = function () {
      var g = window.__GLOBAL_DATA__, d = nav.shown && nav.shown._data;
      if (!g || !d || !opts.nav_url) return;
      if (g.returned_objects && g.returned_objects.indexOf("selected_layers") < 0) return;
      nav.sent += 1;
      nav.dirty = false;
      nav.inflight = true;
      clearTimeout(nav.retry);
      nav.retry = setTimeout(function () { if (nav.inflight) report(); }, 5000);  // lost?
      g.selected_layers = g.selected_layers || {};
      g.selected_layers[opts.nav_url] = {
        // "have": the steps this map holds, which the server need not send again
        name: JSON.stringify({ date: d.date, playing: nav.playing, n: nav.sent,
                               have: nav.order.map(function (k) { return nav.cache[k].rev; }) }),
        url: opts.nav_url
      };
      var value = L.extend({}, g.previous_data || {},
                           { selected_layers: Object.keys(g.selected_layers).map(function (k) {
                             return g.selected_layers[k]; }) });
      g.previous_data = value;  // streamlit-folium compares its next value with this one
      window.parent.postMessage({ isStreamlitMessage: true, type: "streamlit:setComponentValue",
                                  value: value, dataType: "json" }, "*");
    };

    // ---- Previous / Next / Play -------------------------------------------------------
    var step = function (delta) {
      var d = nav.shown && nav.shown._data, n = d && d.nav;
      var target = n && (delta < 0 ? n.prev : n.next);
      var p = target && nav.cache[String(target)];
      if (!p && nav.inflight && target) {
        // on its way with the answer to our last report: take the step when it comes (the
        // button's callback would race that answer's run and be undone by it)
        nav.pending = delta;
        return true;
      }
      if (!p) return false;  // not at hand: the server steps (the button's own callback)
      nav.pending = 0;
      show(p, true);
      tell();
      return true;
    };
    var tick = function () {
      nav.timer = null;
      if (!nav.playing) return;
      var d = nav.shown._data, next = d.nav && d.nav.next;
      if (!next) { pause(true); return; }
      var p = nav.cache[String(next)];
      if (!p) {  // on its way: show it when here
        if (!nav.waiting) { nav.waiting = true; nav.waited += 1; }
        nav.timer = setTimeout(tick, 20);
        return;
      }
      nav.waiting = false;
      nav.last = performance.now();
      show(p, true);
      if (!p.nav.next) { pause(true); return; }  // the last date: stop there
      tell();
      nav.timer = setTimeout(tick, Math.max(0, nav.last + nav.interval * 1000 -
                                                 performance.now()));
    };
    var play = function (say) {
      nav.playing = true;
      nav.last = performance.now();
      if (nav.timer) clearTimeout(nav.timer);
      nav.timer = setTimeout(tick, nav.interval * 1000);
      label(true);
      if (say) tell();
    };
    var pause = function (say) {
      nav.playing = false;
      if (nav.timer) clearTimeout(nav.timer);
      nav.timer = null;
      label(false);
      if (say) tell();
    };
    nav.step = step;
    // a press of Previous (-1), Next (1) or Play/Pause (0) in the page; true: handled here
    nav.press = function (which) {
      if (!nav.shown || !nav.shown._data.nav) return false;
      if (which) return step(which);
      if (nav.playing) { pause(true); return true; }
      if (!nav.shown._data.nav.next) return false;  // at the end: the server starts over
      play(true);
      return true;
    };

    // ---- the page's controls follow the map ------------------------------------------
    var q = function (sel) { try { return doc.querySelector(sel); } catch (e) { return null; } };
    var text = function (node, value) {  // the text node React made, so React can update it
      var t = node && node.firstChild;
      if (t && t.nodeType === 3) { if (t.nodeValue !== value) t.nodeValue = value; }
    };
    var label = function (playing) {
      text(q(".st-key-play button p"), playing ? "Pause" : "▶ Play");
    };
    // A run of the server that is older than the map's step (it had not seen the last
    // report) redraws the slider and the buttons for its own date: put the map's back.
    var watch = function () {
      var box = q(".st-key-nm_controls"), sl = q(".st-key-date");
      var key = [box, sl];
      if (nav.watched && nav.watched[0] === box && nav.watched[1] === sl) return;
      if (nav.mo) nav.mo.disconnect();
      nav.watched = key;
      nav.mo = new page.MutationObserver(function () {
        try {
          var d = nav.shown && nav.shown._data;
          if (!d || !d.nav) return;
          var v = q(".st-key-date [data-testid=stSliderThumbValue] p");
          controls(d, !!v && v.textContent !== d.nav.short);
          label(nav.playing);
        } catch (e) { /* the map is going */ }
      });
      [box, sl].forEach(function (n) {
        if (n) nav.mo.observe(n, { subtree: true, childList: true, characterData: true,
                                   attributes: true, attributeFilter: ["style", "disabled"] });
      });
    };
    var controls = function (d, local) {
      var n = d.nav;
      if (!n) return;
      watch();
      var prev = q(".st-key-prev button"), next = q(".st-key-next button");
      if (prev && prev.disabled !== !n.prev) prev.disabled = !n.prev;
      if (next && next.disabled !== !n.next) next.disabled = !n.next;
      var input = q(".st-key-date .stSlider input[type=range]");
      if (input && n.i !== null && n.n > 1) {
        var pct = 100 * n.i / (n.n - 1);
        var thumb = input.parentElement && input.parentElement.parentElement;
        if (local) {
          input.value = String(n.i);
          input.setAttribute("aria-valuetext", n.short);
          if (thumb) {
            if (thumb.style.left !== pct + "%") thumb.style.left = pct + "%";
            var val = thumb.querySelector("[data-testid=stSliderThumbValue]");
            if (val) {
              var l = n.i === 0 ? "0px" : "", r = n.i === n.n - 1 ? "0px" : "";
              if (val.style.left !== l) val.style.left = l;
              if (val.style.right !== r) val.style.right = r;
              text(val.querySelector("p"), n.short);
            }
            var track = thumb.parentElement && thumb.parentElement.firstElementChild;
            if (track && track !== thumb) {
              var c = page.getComputedStyle(thumb).backgroundColor, off = "rgba(187, 187, 165, 0.25)";
              track.style.background = "linear-gradient(to right, " + off + " 0%, " + c + " 0%, " +
                c + " " + pct + "%, " + off + " " + pct + "%)";
              nav.track = track;
            }
          }
        }
      }
      if (local) {
        try {
          var u = new page.URL(page.location.href);
          if (u.searchParams.get("date") !== (d.date || "")) {
            u.searchParams.set("date", d.date || "");
            page.history.replaceState(page.history.state, "", u.toString());
          }
        } catch (e) { /* not a page we can write */ }
      }
    };

    // ---- the feed: the server's when it shows the map's step, else drawn from the payload --
    var strip = function (node) {  // a copy of the server's markup: its classes, no ids
      if (node.removeAttribute) { node.removeAttribute("data-testid"); node.removeAttribute("id"); }
      for (var i = 0; i < node.childNodes.length; i++) strip(node.childNodes[i]);
      return node;
    };
    var drawFeed = function (box, f) {
      var mk = function (tag, cls, t) {
        var e = doc.createElement(tag);
        if (cls) e.className = cls;
        if (t !== undefined) e.textContent = t;
        return e;
      };
      var model = box.querySelector(":scope > .stElementContainer .nm-feed-head");
      var cell = function (content) {  // one element of the feed, dressed as Streamlit's
        var outer = null;
        if (model) {
          var ec = model.closest(".stElementContainer");
          outer = strip(ec.cloneNode(true));
          var head = outer.querySelector(".nm-feed-head");
          head.parentNode.replaceChild(content, head);
        } else {
          outer = mk("div", "stElementContainer");
          outer.appendChild(content);
        }
        return outer;
      };
      var btnModel = box.querySelector('[class*="st-key-rv_open_"] button');
      var root = mk("div", "nm-feed-local");
      root.setAttribute("data-nm-feed", f.key);
      var head = mk("div", "nm-feed-head", f.head + " ");
      head.appendChild(mk("span", null, f.count));
      root.appendChild(cell(head));
      var cards = function (list) {
        list.forEach(function (c) {
          root.appendChild(cell(NM.feedCard(doc, c)));
          var wrap = mk("div", "nm-rv-wrap");
          var b = mk("button", btnModel ? btnModel.className : "", "✎ Review");
          b.type = "button";
          b.title = "Confirm, correct, remove or merge this event";
          b.addEventListener("click", function () {
            nav.review = c.id;  // opened by the server's own button once its feed is here
            nav.syncPage();
          });
          wrap.appendChild(b);
          root.appendChild(wrap);
        });
      };
      if (f.empty) root.appendChild(mk("div", "nm-feed-note", f.empty));
      cards(f.cards || []);
      if (f.more) root.appendChild(mk("div", "nm-feed-note", f.more));
      if (f.undated && f.undated.length) {
        root.appendChild(cell(mk("div", "nm-feed-head", "Undated")));
        cards(f.undated);
        if (f.undated_more) root.appendChild(mk("div", "nm-feed-note", f.undated_more));
      } else if (f.undated_note) {
        root.appendChild(mk("div", "nm-feed-note", f.undated_note));
      }
      return root;
    };
    nav.syncPage = function () {
      var d = nav.shown && nav.shown._data, f = d && d.feed;
      if (!f) return;
      var box = q(".st-key-feed");
      if (!box) return;
      // the server's feed is the map's step when its heading and its end marker both say
      // so (a run redraws the heading first and the end marker last)
      var end = box.querySelector(".nm-feed-end");
      var head = box.querySelector(":scope > .stElementContainer .nm-feed-head[data-nm-feed]");
      var mine = box.querySelector(":scope > .nm-feed-local");
      if (end && end.getAttribute("data-nm-feed") === f.key && head &&
          head.getAttribute("data-nm-feed") === f.key) {
        if (mine) mine.parentNode.removeChild(mine);
        if (nav.track) { nav.track.style.background = ""; nav.track = null; }
        if (nav.review) {
          var id = nav.review, btn = null;
          nav.review = null;
          box.querySelectorAll('[class*="st-key-rv_open_"] button').forEach(function (b) {
            if (!btn && b.offsetParent !== null &&
                b.closest('[class~="st-key-rv_open_' + id + '"]')) btn = b;
          });
          if (btn) btn.click();
        }
        return;
      }
      if (mine && mine.getAttribute("data-nm-feed") === f.key) return;
      var fresh = drawFeed(box, f);
      if (mine) box.replaceChild(fresh, mine);
      else box.insertBefore(fresh, box.firstChild);
    };
    nav.ready = function () { return !!nav.shown; };
    return nav;
  };

  NM.fit = function (map) {
    map = map || NM.map;
    var step = NM.current;
    if (!step || !step._points.length) return;
    var pts = step._currentPoints.length ? step._currentPoints : step._points;
    if (pts.length === 1) map.setView(pts[0], Math.max(map.getZoom(), 11));
    else
      map.fitBounds(L.latLngBounds(pts), {
        paddingTopLeft: [60, 120],
        paddingBottomRight: [60, 150],
        maxZoom: 12
      });
  };

  // ---- one step ---------------------------------------------------------------------
  NM.StepLayer = L.Layer.extend({
    initialize: function (data) {
      this._data = data;
      this._markers = [];
      this._points = [];
      this._currentPoints = [];
    },

    onAdd: function (map) {
      var self = this;
      var d = this._data;
      this._group = L.layerGroup();
      // Many pins (a busy date): pins that would overlap on screen become one bubble per
      // zoom level (see _drawBubbles); zooming in splits them back into pins.
      var grouping = d.markers.length > NM.PIN_GROUP_MIN;
      this._pins = grouping ? L.layerGroup().addTo(this._group) : null;
      // earlier events first so current ones are drawn on top
      d.markers.forEach(function (m) {
        var ll = L.latLng(m.lat, m.lon);
        var mk = L.marker(ll, {
          icon: markerIcon(m),
          zIndexOffset: m.current ? 1000 : 0,
          riseOnHover: true,
          alt: m.title
        });
        // content is built when first shown: a step with hundreds of pins stays cheap
        mk.bindPopup(function (layer) {
          // pan the popup clear of the date banner (drawn above Leaflet's panes)
          var b = self._banner;
          var top = b ? b.offsetTop + b.offsetHeight + 8 : 10;
          layer.getPopup().options.autoPanPaddingTopLeft = L.point(10, top);
          return popupContent(m, d.mode);
        }, { maxWidth: 340, minWidth: 240 });
        mk.bindTooltip(function () { return tooltipContent(m); },
                       { direction: "top", offset: [0, -14] });
        mk.nm = m;
        // grouped pins are added by _drawBubbles (those with room of their own): adding them
        // here too drew each pin twice (~10 ms for 250 pins)
        if (!grouping) mk.addTo(self._group);
        self._markers.push(mk);
        self._points.push(ll);
        if (m.current) self._currentPoints.push(ll);
      });
      (d.clusters || []).forEach(function (c) {
        var ll = L.latLng(c.lat, c.lon);
        self._points.push(ll);
        if (c.current) self._currentPoints.push(ll);
      });
      this._bubbles = L.layerGroup().addTo(this._group);
      this._group.addTo(map);

      var box = map.getContainer();
      this._dom = [];
      // date banner, top centre
      var banner = el("div", "nm-banner");
      banner.appendChild(el("div", "nm-banner-date", d.date_label));
      banner.appendChild(el("div", "nm-banner-sub", d.subtitle));
      this._addDom(box, banner);
      this._banner = banner;
      // legend, bottom left
      if (d.legend.length) {
        var legend = el("div", "nm-legend");
        // A narrow map (a small window) has a compact legend, and a very narrow one starts
        // with it folded to a strip of swatches, so it does not cover the events
        // (NM.fitLegend, again on every resize); the title folds and unfolds it, and that
        // choice is kept across steps.
        var title = el("div", "nm-legend-title", d.legend_title);
        title.setAttribute("role", "button");
        title.setAttribute("tabindex", "0");
        title.title = "Show or hide the legend";
        var fold = function (e) {
          if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
          L.DomEvent.preventDefault(e);
          NM.legendFolded = legend.classList.toggle("nm-legend-folded");
          title.setAttribute("aria-expanded", String(!NM.legendFolded));
        };
        L.DomEvent.on(title, "click keydown", fold);
        legend.appendChild(title);
        var strip = el("div", "nm-legend-strip");
        d.legend.forEach(function (row) {
          if (!row.n) return;
          var sw = swatch(row.color, row.glyph, 16);
          sw.title = row.category + ": " + row.n;
          strip.appendChild(sw);
        });
        legend.appendChild(strip);
        d.legend.forEach(function (row) {
          var r = el("div", "nm-legend-row" + (row.n ? "" : " nm-legend-zero"));
          r.appendChild(swatch(row.color, row.glyph, 16));
          r.appendChild(el("span", "nm-legend-name", row.category));
          r.appendChild(el("span", "nm-legend-n", row.n));
          legend.appendChild(r);
        });
        if (d.has_past) {
          var past = el("div", "nm-legend-row nm-legend-note");
          past.appendChild(el("span", "nm-legend-pastdot"));
          past.appendChild(el("span", null, d.past_note || "faded = earlier dates"));
          legend.appendChild(past);
        }
        if ((d.clusters && d.clusters.length) || d.markers.length > NM.PIN_GROUP_MIN) {
          var cl = el("div", "nm-legend-row nm-legend-note");
          cl.appendChild(el("span", "nm-legend-bubble", "n"));
          cl.appendChild(el("span", null,
                            d.cluster_note || "bubble = events near there, number = how many"));
          legend.appendChild(cl);
        }
        if (d.has_approx) {
          var ap = el("div", "nm-legend-row nm-legend-note");
          ap.appendChild(el("span", "nm-legend-approxdot"));
          ap.appendChild(el("span", null, "dashed ring = city or country, not the exact spot"));
          legend.appendChild(ap);
        }
        this._addDom(box, legend);
        NM.fitLegend(box);
      }
      // source line, bottom right (inside the frame so a crop still credits)
      var src = el("div", "nm-source", d.source_line ? d.source_line + " · " : "");
      src.appendChild(el("span", "nm-source-map", NM.credit ? NM.credit + " · Leaflet" :
                         "Leaflet"));
      this._addDom(box, src);
      if (!d.markers.length && !(d.clusters || []).length)
        this._addDom(box, el("div", "nm-empty", d.empty_note));

      map.on("zoomend viewreset", this._drawBubbles, this);
      map.on("zoomend viewreset", this._declutter, this);
      // pin labels (city zoom): after the pins are fanned out, in a pane below the popups
      if (!map.getPane("nmPinLabels")) {
        map.createPane("nmPinLabels");
        map.getPane("nmPinLabels").style.zIndex = 620; // markers 600 < here < tooltips 650
        map.getPane("nmPinLabels").style.pointerEvents = "none";
      }
      this._labelBox = L.DomUtil.create("div", "nm-pin-labels", map.getPane("nmPinLabels"));
      map.on("zoomend viewreset moveend resize", this._placeLabels, this);
      map.on("zoomstart", this._hideLabels, this);
      this._drawBubbles();
      this._declutter();
      this._placeLabels();
      NM.current = this;
      box.setAttribute("data-nm-step", d.step_id);
      box.setAttribute("data-nm-count", String(d.markers.length));
      box.setAttribute("data-nm-clusters", String((d.clusters || []).length));
    },

    onRemove: function (map) {
      map.off("zoomend viewreset moveend resize", this._placeLabels, this);
      map.off("zoomstart", this._hideLabels, this);
      if (this._labelBox && this._labelBox.parentNode)
        this._labelBox.parentNode.removeChild(this._labelBox);
      this._labelBox = null;
      map.off("zoomend viewreset", this._declutter, this);
      map.off("zoomend viewreset", this._drawBubbles, this);
      map.removeLayer(this._group);
      this._dom.forEach(function (n) {
        if (n.parentNode) n.parentNode.removeChild(n);
      });
      this._dom = [];
      if (NM.current === this) NM.current = null;
    },

    _addDom: function (box, node) {
      L.DomEvent.disableClickPropagation(node);
      L.DomEvent.disableScrollPropagation(node);
      box.appendChild(node);
      this._dom.push(node);
    },

    // Markers closer than MIN px are fanned out on rings around their true spot; a thin
    // leader line ties each moved pin back to it. Current events are placed first.
    // The server sends at most a few hundred bubbles on a fixed grid; at a low zoom many of
    // them would overlap. Bubbles whose discs would touch on screen are merged (biggest
    // first: counts add up, centre weighted), so every zoom shows separate, readable
    // bubbles and zooming in splits them again down to the server's grid.
    _drawBubbles: function () {
      var map = this._map;
      var d = this._data;
      if (!map || !this._bubbles) return;
      var cats = d.categories || (d.legend || []).map(function (r) {
        return [r.category, r.color];
      });
      var catIndex = {};
      cats.forEach(function (kv, i) { catIndex[kv[0]] = i; });
      var cl = (d.clusters || []).slice();
      if (this._pins) {
        this._pins.clearLayers();
        this._markers.forEach(function (mk) {
          var m = mk.nm;
          cl.push({ lat: m.lat, lon: m.lon, n: 1, current: true, n_places: 1,
                    cats: [[catIndex[m.category], 1]], places: [[m.place, 1]], mk: mk });
        });
      }
      this._bubbles.clearLayers();
      var radius = function (n) { return Math.min(56, 20 + 8 * Math.log10(n)) / 2; };
      var groups = [];
      [true, false].forEach(function (cur) {
        cl.filter(function (c) { return !!c.current === cur; })
          .sort(function (a, b) { return b.n - a.n; })
          .forEach(function (c) {
            var p = map.latLngToLayerPoint([c.lat, c.lon]);
            var hit = null;
            for (var i = 0; i < groups.length && !hit; i++) {
              var g = groups[i];
              if (g.current !== cur) continue;
              var dx = g.p.x - p.x, dy = g.p.y - p.y, need = radius(g.n) + radius(c.n) + 2;
              if (dx * dx + dy * dy < need * need) hit = g;
            }
            if (!hit) {
              groups.push({ current: cur, p: p, n: c.n, lat: c.lat * c.n, lon: c.lon * c.n,
                            parts: [c] });
            } else {
              hit.n += c.n;
              hit.lat += c.lat * c.n;
              hit.lon += c.lon * c.n;
              hit.parts.push(c);
            }
          });
      });
      var self = this;
      var nBubbles = 0;
      groups.forEach(function (g) {
        if (g.parts.length === 1 && g.parts[0].mk) {
          self._pins.addLayer(g.parts[0].mk);  // a pin with room of its own stays a pin
          return;
        }
        nBubbles++;
        var c = g.parts.length === 1 ? g.parts[0] : NM.mergeClusters(g.parts);
        var ll = L.latLng(g.lat / g.n, g.lon / g.n);
        var mk = L.marker(ll, {
          icon: clusterIcon(c, cats),
          zIndexOffset: c.current ? 500 : -1000,
          riseOnHover: true,
          keyboard: false
        });
        mk.bindTooltip(function () { return clusterContent(c, false, cats); },
                       { direction: "top", offset: [0, -14] });
        mk.bindPopup(function () { return clusterContent(c, true, cats); }, { maxWidth: 300 });
        mk.addTo(self._bubbles);
      });
      this._map.getContainer().setAttribute("data-nm-bubbles", String(nBubbles));
    },

    _declutter: function () {
      var map = this._map;
      if (!map) return;
      var STEP = 24; // ring spacing, px
      var GAP = 3; // clear space between two pins, px
      // with very many pins only the current ones are fanned out (the test is quadratic)
      var many = this._markers.length > 400;
      var pins = this._pins;
      var order = this._markers.filter(function (mk) {
        if (pins && !pins.hasLayer(mk)) return false;  // inside a bubble at this zoom
        return !many || mk.nm.current;
      }).sort(function (a, b) {
        return (b.nm.current ? 1 : 0) - (a.nm.current ? 1 : 0) || a.nm.slot - b.nm.slot;
      });
      var placed = [];
      order.forEach(function (mk) {
        var p = map.latLngToLayerPoint(mk.getLatLng());
        var r = mk.nm.current ? 15 : 9;
        var best = [0, 0];
        var found = false;
        for (var ring = 0; ring < 8 && !found; ring++) {
          var n = ring === 0 ? 1 : 6 * ring;
          for (var k = 0; k < n && !found; k++) {
            var a = (2 * Math.PI * k) / n - Math.PI / 2 + ring * 0.4;
            var dx = ring === 0 ? 0 : Math.round(Math.cos(a) * ring * STEP);
            var dy = ring === 0 ? 0 : Math.round(Math.sin(a) * ring * STEP);
            var ok = placed.every(function (q) {
              var ex = p.x + dx - q.x;
              var ey = p.y + dy - q.y;
              var need = r + q.r + GAP;
              return ex * ex + ey * ey >= need * need;
            });
            if (ok) {
              best = [dx, dy];
              found = true;
            }
          }
        }
        placed.push({ x: p.x + best[0], y: p.y + best[1], r: r });
        var node = mk.getElement();
        if (!node) return;
        var pin = node.querySelector(".nm-pin");
        var line = node.querySelector(".nm-leader line");
        pin.style.transform = "translate(" + best[0] + "px," + best[1] + "px)";
        line.setAttribute("x2", best[0]);
        line.setAttribute("y2", best[1]);
        node.classList.toggle("nm-moved", best[0] !== 0 || best[1] !== 0);
        mk.nmOffset = best;
        if (mk.getTooltip()) mk.getTooltip().options.offset = [best[0], best[1] - 14];
        if (mk.getPopup()) mk.getPopup().options.offset = [best[0], best[1] - 8];
      });
    },

    _hideLabels: function () {
      if (this._labelBox) this._labelBox.style.display = "none";
    },

    // At city zoom each spot's pins get one text label with the place's short name. A
    // greedy pass, current events first: try right, left, above, below the spot's pins;
    // a label that would overlap a placed label, a pin or a city name is left out.
    _placeLabels: function () {
      var map = this._map;
      var box = this._labelBox;
      if (!map || !box) return;
      while (box.firstChild) box.removeChild(box.firstChild);
      box.style.display = "";
      var container = map.getContainer();
      if (map.getZoom() < NM.LABEL_MIN_ZOOM) {
        container.setAttribute("data-nm-labels", "0");
        return;
      }
      var pins = this._pins;
      var size = map.getSize();
      var origin = map.containerPointToLayerPoint([0, 0]);
      var view = L.bounds(origin.subtract([200, 200]), origin.add(size).add([200, 200]));
      var spots = {}, order = [], obstacles = [];
      this._markers.forEach(function (mk) {
        if (pins && !pins.hasLayer(mk)) return; // inside a bubble at this zoom
        if (!mk.getElement()) return;
        var m = mk.nm;
        var p = map.latLngToLayerPoint(mk.getLatLng());
        if (!view.contains(p)) return;
        var off = mk.nmOffset || [0, 0];
        var r = (m.current ? 15 : 9) + 1;
        var c = L.point(p.x + off[0], p.y + off[1]);
        var pinBox = { x0: c.x - r, y0: c.y - r, x1: c.x + r, y1: c.y + r };
        obstacles.push(pinBox);
        var key = m.lat.toFixed(6) + "," + m.lon.toFixed(6);
        var s = spots[key];
        if (!s) {
          s = spots[key] = { current: false, names: [], ids: [],
                             x0: pinBox.x0, y0: pinBox.y0, x1: pinBox.x1, y1: pinBox.y1 };
          order.push(s);
        }
        s.current = s.current || !!m.current;
        s.x0 = Math.min(s.x0, pinBox.x0); s.y0 = Math.min(s.y0, pinBox.y0);
        s.x1 = Math.max(s.x1, pinBox.x1); s.y1 = Math.max(s.y1, pinBox.y1);
        var name = m.label || String(m.place || "").split(",")[0];
        if (name && s.names.indexOf(name) < 0) s.names.push(name);
        s.ids.push(m.id);
      });
      // the base map's city names are obstacles too, and so are the overlays drawn above
      // the map (banner, legend, source line, controls): a label is never half-hidden
      var cr = container.getBoundingClientRect();
      var sel = ".nm-city-label, .nm-banner, .nm-legend, .nm-source, .nm-empty, .leaflet-control";
      Array.prototype.forEach.call(container.querySelectorAll(sel), function (n) {
        var b = n.getBoundingClientRect();
        if (!b.width) return;
        obstacles.push({ x0: b.left - cr.left + origin.x, y0: b.top - cr.top + origin.y,
                         x1: b.right - cr.left + origin.x, y1: b.bottom - cr.top + origin.y });
      });
      order.sort(function (a, b) { return (b.current ? 1 : 0) - (a.current ? 1 : 0); });
      var hit = function (a, b) {
        return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
      };
      var GAP = 3;
      var placed = [];
      order.forEach(function (s) {
        if (!s.names.length) return;
        var text = s.names.slice(0, 2).join(" · ") + (s.names.length > 2 ? " +" +
          (s.names.length - 2) : "");
        var lab = el("div", "nm-pin-label" + (s.current ? " nm-pin-label-current" : ""), text);
        lab.setAttribute("data-nm-ids", s.ids.join(" "));
        box.appendChild(lab);
        var w = lab.offsetWidth, h = lab.offsetHeight;
        var cy = (s.y0 + s.y1) / 2, cx = (s.x0 + s.x1) / 2;
        var tries = [
          [s.x1 + GAP, cy - h / 2, "r"],
          [s.x0 - GAP - w, cy - h / 2, "l"],
          [cx - w / 2, s.y0 - GAP - h, "t"],
          [cx - w / 2, s.y1 + GAP, "b"]
        ];
        var mine = { x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1 };
        for (var i = 0; i < tries.length; i++) {
          var b = { x0: tries[i][0], y0: tries[i][1], x1: tries[i][0] + w, y1: tries[i][1] + h };
          var pad = { x0: b.x0 - 1, y0: b.y0 - 1, x1: b.x1 + 1, y1: b.y1 + 1 };
          var clear = placed.every(function (q) { return !hit(pad, q); }) &&
            obstacles.every(function (q) {
              // the spot's own pins sit inside its box; the box is beside them
              if (q.x0 >= mine.x0 && q.x1 <= mine.x1 && q.y0 >= mine.y0 && q.y1 <= mine.y1)
                return true;
              return !hit(pad, q);
            });
          if (clear) {
            L.DomUtil.setPosition(lab, L.point(Math.round(b.x0), Math.round(b.y0)));
            lab.classList.add("nm-pin-label-" + tries[i][2]);
            placed.push(b);
            return;
          }
        }
        box.removeChild(lab); // no room: left out at this zoom
      });
      container.setAttribute("data-nm-labels", String(placed.length));
    }
  });
})();
