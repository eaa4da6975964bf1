/* The dashboard page in a narrow window (geo/layout.py): the sidebar starts collapsed.
 *
 * Streamlit's initial_sidebar_state="auto" collapses the sidebar only at 768 px and below
 * (its "md" breakpoint), so an 800-px window opened with the sidebar taking 300 px of it.
 * This script, run once per page load in the page itself (st.html), does what "auto"
 * does with the app's own breakpoint (NM_NARROW_PX, where the feed goes below the map):
 * at that width and below, an open sidebar is collapsed with Streamlit's own button, when the sidebar
 * appears and again after a resize.
 *
 * The user's choice wins: Streamlit keeps every click on the sidebar's buttons in
 * localStorage ("stSidebarCollapsed-..."), and once there is one this script does
 * nothing. Its own click is not the user's choice, so the key that click wrote is taken
 * out again (a wide window later opens with the sidebar as "auto" says).
 */
(function () {
  "use strict";
  var w = window;
  if (w.__nmNarrow) return;
  w.__nmNarrow = true;
  var NARROW = NM_NARROW_PX;
  var PREFIX = "stSidebarCollapsed-";
  var doc = w.document;

  function keys() {
    var out = [];
    try {
      for (var i = 0; i < w.localStorage.length; i++) {
        var k = w.localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) out.push(k);
      }
    } catch (e) { /* no storage: nothing is remembered anyway */ }
    return out;
  }

  // true when there is nothing (more) to do now: wide, chosen by the user, or collapsed
  function collapse() {
    if (w.innerWidth > NARROW || keys().length) return true;
    var sb = doc.querySelector('[data-testid="stSidebar"]');
    if (!sb) return false; // not drawn yet
    if (sb.getAttribute("data-collapsed") !== "false") return true;
    var btn = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (!btn) return false;
    var before = keys();
    btn.click();
    var forget = function () {
      keys().forEach(function (k) {
        if (before.indexOf(k) < 0) {
          try { w.localStorage.removeItem(k); } catch (e) { /* ignore */ }
        }
      });
    };
    forget();
    setTimeout(forget, 0);
    doc.documentElement.setAttribute("data-nm-sidebar", "auto-collapsed");
    return true;
  }

  // until the sidebar is there (the first script run draws it), then done
  var tries = 0;
  var poll = function () {
    if (collapse() || ++tries > 300) return;
    setTimeout(poll, 100);
  };
  poll();
  // Streamlit opens it again when the width changes (there is no stored choice): after it
  var timer = null;
  w.addEventListener("resize", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { tries = 0; poll(); }, 250);
  });
})();
