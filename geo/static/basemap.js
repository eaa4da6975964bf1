/* The offline base layer (geo/basemap.py): land, lakes, rivers, borders and place names,
 * drawn on canvas tiles in the browser from small JSON files shipped with the code.
 *
 * world.json is drawn below NM.DETAIL_ZOOM (7); from there on, the 5-degree cells in view are
 * fetched (each once) and drawn. Coordinates are delta-encoded integers (quant degrees a
 * unit), turned once into Web Mercator units (0..1) and cached per file.
 *
 * The map container says what happened: data-nm-base="loading" | "ready" | "failed", the
 * class nm-base-ready once the first tiles are drawn (geo/snapshot.py waits for it), and
 * data-nm-base-drawn = "land:n lakes:n rivers:n borders:n" features drawn in view (tests).
 * Place names are DOM labels (pane nmPlaces, under the pins) set with textContent, placed
 * biggest town first so they never overlap each other, our pins, their labels or the
 * overlays; a name an event's city label already shows is left out.
 */
(function () {
  "use strict";
  var NM = (window.NM = window.NM || {});
  NM.DETAIL_ZOOM = 7; // world.json says (detail_zoom); this until it is read
  NM.BASE_STYLE = {
    land: "#f4f1ea",
    water: "#bcd6e6",
    river: "#8fbad8",
    border: "#a3a0b3",
    coast: "#9fb7c6"
  };
  // the smallest population labelled at each zoom (index = zoom, last one for higher zooms)
  NM.PLACE_MIN_POP = [1e7, 8e6, 5e6, 3e6, 2e6, 1e6, 5e5, 2.5e5, 1e5, 5e4, 2.5e4, 15000];
  NM.PLACE_MAX = 80;

  var PI = Math.PI;

  function toMerc(flat, quant) {
    // delta-encoded [x0, y0, dx, dy, ...] (degrees / quant) -> Float64Array of mercator 0..1
    var n = flat.length / 2, out = new Float64Array(flat.length), x = 0, y = 0;
    var x0 = 1, y0 = 1, x1 = 0, y1 = 0;
    for (var i = 0; i < n; i++) {
      x += flat[2 * i];
      y += flat[2 * i + 1];
      var lon = x * quant, lat = Math.max(-85.05, Math.min(85.05, y * quant));
      var mx = (lon + 180) / 360;
      var s = Math.sin((lat * PI) / 180);
      var my = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * PI);
      out[2 * i] = mx;
      out[2 * i + 1] = my;
      if (mx < x0) x0 = mx;
      if (mx > x1) x1 = mx;
      if (my < y0) y0 = my;
      if (my > y1) y1 = my;
    }
    return { pts: out, box: [x0, y0, x1, y1] };
  }

  function prepare(doc, quant) {
    var out = { places: doc.places || [] };
    ["land", "lakes", "rivers", "streams", "borders"].forEach(function (k) {
      out[k] = (doc[k] || []).map(function (f) { return toMerc(f, quant); });
    });
    return out;
  }

  NM.BaseLayer = L.GridLayer.extend({
    options: { pane: "nmBase", tileSize: 256, updateWhenZooming: false, keepBuffer: 1,
               minZoom: 0, maxZoom: 22 },

    initialize: function (opts) {
      L.setOptions(this, opts);
      this._url = opts.url || null; // folder URL ending in "/"
      this._inline = opts.data || null; // {world: {...}, cells: {"x_y.json": {...}}}
      this._files = {}; // name -> Promise of prepared data
      this._ready = {}; // name -> prepared data (for labels)
      this._drawn = { land: 0, lakes: 0, rivers: 0, borders: 0 };
    },

    onAdd: function (map) {
      L.GridLayer.prototype.onAdd.call(this, map);
      var box = map.getContainer();
      this._box = box;
      if (!map.getPane("nmPlaces")) {
        map.createPane("nmPlaces");
        map.getPane("nmPlaces").style.zIndex = 450; // above the base, under the pins (600)
        map.getPane("nmPlaces").style.pointerEvents = "none";
      }
      this._labelBox = L.DomUtil.create("div", "nm-places", map.getPane("nmPlaces"));
      this.on("loading", function () { box.setAttribute("data-nm-base", "loading"); });
      this.on("load", function () {
        if (box.getAttribute("data-nm-base") !== "failed") box.setAttribute("data-nm-base", "ready");
        box.classList.add("nm-base-ready");
        this._reportDrawn();
        NM.placeBaseLabels();
      }, this);
      map.on("zoomstart", this._hideLabels, this);
      map.on("moveend zoomend resize", NM.placeBaseLabels);
    },

    onRemove: function (map) {
      map.off("zoomstart", this._hideLabels, this);
      map.off("moveend zoomend resize", NM.placeBaseLabels);
      if (this._labelBox && this._labelBox.parentNode)
        this._labelBox.parentNode.removeChild(this._labelBox);
      L.GridLayer.prototype.onRemove.call(this, map);
    },

    _hideLabels: function () {
      if (this._labelBox) this._labelBox.style.display = "none";
    },

    _file: function (name) {
      var self = this;
      if (this._files[name]) return this._files[name];
      var quant = name === "world" ? this._quant.world : this._quant.detail;
      var p;
      if (this._inline) {
        var doc = name === "world" ? this._inline.world : this._inline.cells[name];
        p = doc ? Promise.resolve(doc) : Promise.resolve(null);
      } else {
        var path = name === "world" ? "world.json" : "10m/" + name;
        p = fetch(this._url + path).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        });
      }
      p = p.then(function (doc) {
        var d = doc ? prepare(doc, quant) : null;
        self._ready[name] = d;
        return d;
      });
      this._files[name] = p;
      return p;
    },

    // world.json first: it holds the quantization and the list of cells that exist
    _index: function () {
      var self = this;
      if (this._indexP) return this._indexP;
      var doc = this._inline ? Promise.resolve(this._inline.world) :
        fetch(this._url + "world.json").then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        });
      this._indexP = doc.then(function (w) {
        self._quant = { world: w.quant, detail: w.detail_quant };
        self._cellDeg = w.cell_deg;
        if (w.detail_zoom) NM.DETAIL_ZOOM = w.detail_zoom;
        self._have = {};
        (w.cells || []).forEach(function (c) { self._have[c[0] + "_" + c[1] + ".json"] = true; });
        var d = prepare(w, w.quant);
        self._files.world = Promise.resolve(d);
        self._ready.world = d;
        return true;
      });
      return this._indexP;
    },

    // the files a tile needs: the world below DETAIL_ZOOM, else the cells it overlaps
    _namesFor: function (coords) {
      if (coords.z < NM.DETAIL_ZOOM) return ["world"];
      var n = Math.pow(2, coords.z), deg = this._cellDeg;
      var lon0 = (coords.x / n) * 360 - 180, lon1 = ((coords.x + 1) / n) * 360 - 180;
      var lat = function (y) { return (Math.atan(Math.sinh(PI * (1 - (2 * y) / n))) * 180) / PI; };
      var lat1 = lat(coords.y), lat0 = lat(coords.y + 1);
      var names = [];
      var cx0 = Math.floor((lon0 + 180) / deg), cx1 = Math.floor((lon1 + 180 - 1e-9) / deg);
      var cy0 = Math.floor((lat0 + 90) / deg), cy1 = Math.floor((lat1 + 90 - 1e-9) / deg);
      for (var cx = cx0; cx <= cx1; cx++)
        for (var cy = cy0; cy <= cy1; cy++) {
          var name = cx + "_" + cy + ".json";
          if (this._have[name]) names.push(name);
        }
      return names;
    },

    _initTile: function (tile) {
      L.GridLayer.prototype._initTile.call(this, tile);
      var size = this.getTileSize(), over = tile.nmOver || 0;
      tile.style.width = size.x + over + "px";
      tile.style.height = size.y + over + "px";
    },

    createTile: function (coords, done) {
      var self = this;
      var size = this.getTileSize();
      var ratio = window.devicePixelRatio || 1;
      // two pixels wider and taller than the grid: at a fractional zoom Leaflet scales the
      // tiles, and abutting tiles would leave hairline seams where their edges blend
      var tile = document.createElement("canvas"), over = 2;
      tile.width = (size.x + over) * ratio;
      tile.height = (size.y + over) * ratio;
      tile.nmOver = over; // Leaflet sets the style size in _initTile: see there
      this._index()
        .then(function () {
          return Promise.all(self._namesFor(coords).map(function (n) { return self._file(n); }));
        })
        .then(function (files) {
          self._draw(tile, coords, files.filter(Boolean), ratio);
          done(null, tile);
        })
        .catch(function (err) {
          if (self._box) {
            self._box.setAttribute("data-nm-base", "failed");
            self._box.classList.add("nm-base-failed");
          }
          done(err, tile);
        });
      return tile;
    },

    _draw: function (tile, coords, files, ratio) {
      var ctx = tile.getContext("2d");
      var size = this.getTileSize().x;
      var scale = size * Math.pow(2, coords.z) * ratio;
      var ox = coords.x * size * ratio, oy = coords.y * size * ratio;
      var W = tile.width, H = tile.height, pad = 4 * ratio;
      var z = coords.z, S = NM.BASE_STYLE;
      var inTile = function (b) {
        return b[2] * scale - ox >= -pad && b[0] * scale - ox <= W + pad &&
          b[3] * scale - oy >= -pad && b[1] * scale - oy <= H + pad;
      };
      var trace = function (f, close) {
        var p = f.pts;
        ctx.moveTo(p[0] * scale - ox, p[1] * scale - oy);
        for (var i = 2; i < p.length; i += 2) ctx.lineTo(p[i] * scale - ox, p[i + 1] * scale - oy);
        if (close) ctx.closePath();
      };
      var drawn = this._tileDrawn = this._tileDrawn || {};
      var key = coords.x + ":" + coords.y + ":" + coords.z;
      var count = { land: 0, lakes: 0, rivers: 0, streams: 0, borders: 0 };
      var fill = function (kind, color, stroke) {
        files.forEach(function (d) {
          ctx.beginPath();
          var any = false;
          d[kind].forEach(function (f) {
            if (!inTile(f.box)) return;
            trace(f, true);
            any = true;
            count[kind] += 1;
          });
          if (!any) return;
          ctx.fillStyle = color;
          ctx.fill("evenodd");
          if (stroke) {
            ctx.strokeStyle = stroke;
            ctx.lineWidth = 0.6 * ratio;
            ctx.stroke();
          }
        });
      };
      var lines = function (kind, color, width, dash) {
        ctx.beginPath();
        files.forEach(function (d) {
          d[kind].forEach(function (f) {
            if (!inTile(f.box)) return;
            trace(f, false);
            count[kind] += 1;
          });
        });
        ctx.strokeStyle = color;
        ctx.lineWidth = width * ratio;
        ctx.lineJoin = ctx.lineCap = "round";
        ctx.setLineDash(dash ? dash.map(function (v) { return v * ratio; }) : []);
        ctx.stroke();
      };
      fill("land", S.land);
      fill("lakes", S.water);
      if (z >= 8) lines("streams", S.river, z >= 11 ? 1.6 : 0.8);
      lines("rivers", S.river, z >= 11 ? 2.6 : z >= 8 ? 1.6 : z >= 5 ? 1.0 : 0.7);
      lines("borders", S.border, z >= 8 ? 1.3 : 0.9, z >= 5 ? [5, 3] : null);
      drawn[key] = count;
    },

    // features drawn in the tiles now in view, for tests and checks
    _reportDrawn: function () {
      var map = this._map;
      if (!map || !this._box) return;
      var z = Math.round(map.getZoom());
      var tb = this._pxBoundsToTileRange(map.getPixelBounds());
      var sum = { land: 0, lakes: 0, rivers: 0, streams: 0, borders: 0 }, drawn = this._tileDrawn || {};
      for (var x = tb.min.x; x <= tb.max.x; x++)
        for (var y = tb.min.y; y <= tb.max.y; y++) {
          var w = this._wrapCoords(L.point(x, y));
          var c = drawn[w.x + ":" + w.y + ":" + z];
          if (c) Object.keys(sum).forEach(function (k) { sum[k] += c[k]; });
        }
      this._box.setAttribute("data-nm-base-drawn", Object.keys(sum).map(function (k) {
        return k + ":" + sum[k];
      }).join(" "));
    },

    // the place names of the loaded files that are in view at this zoom, biggest first
    placesInView: function () {
      var map = this._map;
      if (!map || !this._have) return [];
      var z = map.getZoom();
      var min = NM.PLACE_MIN_POP[Math.min(Math.max(Math.floor(z), 0), NM.PLACE_MIN_POP.length - 1)];
      var b = map.getBounds().pad(0.05);
      var names = z < NM.DETAIL_ZOOM ? ["world"] : Object.keys(this._ready).filter(function (n) {
        return n !== "world";
      });
      var seen = {}, out = [];
      var self = this;
      names.forEach(function (n) {
        var d = self._ready[n];
        if (!d) return;
        d.places.forEach(function (p) {
          if (p[3] < min) return;
          var ll = L.latLng(p[1], p[2]);
          if (!b.contains(ll) && !b.contains([p[1], p[2] + 360]) && !b.contains([p[1], p[2] - 360]))
            return;
          var k = p[0] + "|" + p[1].toFixed(2) + "|" + p[2].toFixed(2);
          if (seen[k]) return;
          seen[k] = true;
          out.push(p);
        });
      });
      out.sort(function (a, b2) { return b2[3] - a[3]; });
      return out;
    }
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Place names, after the pins and their labels are placed (they win every conflict).
  var pending = null;
  NM.placeBaseLabels = function () {
    if (pending) return;
    pending = setTimeout(function () { pending = null; placeNow(); }, 0);
  };

  function placeNow() {
    var layer = NM.baseLayer, map = layer && layer._map, box = layer && layer._labelBox;
    if (!map || !box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    box.style.display = "";
    var container = map.getContainer();
    var origin = map.containerPointToLayerPoint([0, 0]);
    var size = map.getSize();
    var cr = container.getBoundingClientRect();
    var obstacles = [];
    var sel = ".nm-pin, .nm-bubble, .nm-pin-label, .nm-city-label, .nm-banner, .nm-legend, " +
      ".nm-source, .nm-empty, .nm-notice, .leaflet-control";
    Array.prototype.forEach.call(container.querySelectorAll(sel), function (n) {
      var r = n.getBoundingClientRect();
      if (!r.width) return;
      obstacles.push({ x0: r.left - cr.left + origin.x - 2, y0: r.top - cr.top + origin.y - 2,
                       x1: r.right - cr.left + origin.x + 2, y1: r.bottom - cr.top + origin.y + 2 });
    });
    var taken = {};
    Array.prototype.forEach.call(container.querySelectorAll(".nm-city-label"), function (n) {
      taken[(n.textContent || "").toLowerCase()] = true;
    });
    var hit = function (a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; };
    var placed = [];
    var n = 0;
    var places = layer.placesInView();
    for (var i = 0; i < places.length && n < NM.PLACE_MAX; i++) {
      var p = places[i];
      if (taken[String(p[0]).toLowerCase()]) continue;
      var pt = map.latLngToLayerPoint([p[1], p[2]]);
      var rank = p[3] >= 1e6 ? 1 : p[3] >= 2e5 ? 2 : 3;
      var lab = el("div", "nm-place nm-place-" + rank);
      lab.appendChild(el("span", "nm-place-dot"));
      lab.appendChild(el("span", "nm-place-name", p[0]));
      box.appendChild(lab);
      var w = lab.offsetWidth, h = lab.offsetHeight;
      // the dot sits at the place; the name to its right, else to its left
      var tries = [[pt.x - 3, pt.y - h / 2, ""], [pt.x - w + 3, pt.y - h / 2, "nm-place-left"]];
      var ok = false;
      for (var t = 0; t < tries.length && !ok; t++) {
        var b = { x0: tries[t][0], y0: tries[t][1], x1: tries[t][0] + w, y1: tries[t][1] + h };
        // wholly inside the frame (a name cut by the edge reads as another name)
        var inside = b.x0 >= origin.x + 2 && b.y0 >= origin.y + 2 &&
          b.x1 <= origin.x + size.x - 2 && b.y1 <= origin.y + size.y - 2;
        var clear = inside && placed.every(function (q) { return !hit(b, q); }) &&
          obstacles.every(function (q) { return !hit(b, q); });
        if (clear) {
          if (tries[t][2]) lab.classList.add(tries[t][2]);
          L.DomUtil.setPosition(lab, L.point(Math.round(b.x0), Math.round(b.y0)));
          placed.push(b);
          ok = true;
        }
      }
      if (ok) n += 1;
      else box.removeChild(lab);
    }
    container.setAttribute("data-nm-places", String(n));
  }
})();
