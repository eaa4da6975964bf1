/* The map's frame sooner on a first page (geo/layout.py, bench/README.md "Restart at the
 * floor"): Streamlit loads each element's code (a chunk) when the element first shows, and
 * the map's (the component chunk, NM_CHUNKS) was asked for after the two dozen chunks of the
 * page's other widgets, all from the one server that is still running the script: the map's
 * frame began 0.4-0.6 s after the map was sent. Asked for here, by the page's first element,
 * it is there when the map comes. A hint only: the module is the one Streamlit imports
 * (the same URL), and nothing else changes.
 */
(function () {
  "use strict";
  var w = window;
  if (w.__nmPreload) return;
  w.__nmPreload = true;
  var doc = w.document;
  var index = doc.querySelector('script[type="module"][src*="/js/index."]');
  if (!index) return;
  NM_CHUNKS.forEach(function (name) {
    var link = doc.createElement("link");
    link.rel = "modulepreload";
    link.setAttribute("data-nm-preload", "");
    link.href = new URL(name, index.src).href;
    doc.head.appendChild(link);
  });
})();
