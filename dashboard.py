"""News-event map: step through the events on a map. `streamlit run dashboard.py`.

Thin on purpose: it wires widgets to geo/ (timeline = pure logic, mapview = folium map,
export = files, userdata = the user's articles). See geo/mapview.py for why the map stays
mounted while stepping.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import html
import importlib
import json
import os
import re
import threading
import time

import streamlit as st
from streamlit_folium import st_folium

from geo import datechart, export, mapview, offline, tiles, timeline, userdata
from geo.paths import SEEDS_DIR, user_articles_dir

MAP_HEIGHT = 680
CHART_HEIGHT = 96
SPEEDS = {"0.5 s": 0.5, "1 s": 1.0, "2 s": 2.0, "4 s": 4.0}
FILTER_PARAMS = {"cat": "f_cat", "country": "f_country", "article": "f_article"}  # URL -> key
BACKGROUND_PARAM = "bg"  # "bg=0" in the URL: background events hidden (default: shown)
PROGRESS_MIN_ARTICLES = 50  # a first load of more articles than this shows a progress bar
MAX_ARTICLE_OPTIONS = 1000  # more articles than this: the article filter is a text search
UPLOAD_LIMIT_MB = 2  # geo.articles.MAX_BYTES (2,000,000 bytes) is what is enforced
LIST_ROWS = 20  # rows a sidebar list of articles shows; a search box finds the others

snapshot_mode = st.query_params.get("snapshot") == "1"
st.set_page_config(
    page_title="News-event map",
    layout="wide",
    initial_sidebar_state="collapsed" if snapshot_mode else "auto",
)
offline.register()

st.markdown(
    """<style>
    .block-container {padding-top: 3rem; padding-bottom: 1rem;}
    .nm-h1 {font-size: 1.5rem; font-weight: 800; margin: 0 0 .9rem; line-height: 1.2;}
    .nm-h1 span {font-weight: 400; color: #6b7280; font-size: 0.95rem; margin-left: .6rem;}
    .nm-feed-head {font-weight: 800; font-size: 1.15rem; margin: 0 0 .4rem;}
    .nm-feed-sub {font-size: .72rem; text-transform: uppercase; letter-spacing: .05em;
      color: #6b7280; font-weight: 700;}
    .nm-feed-head span {font-weight: 400; color: #6b7280; font-size: .9rem;}
    .nm-card {border: 1px solid #e5e7eb; border-left: 5px solid var(--c); border-radius: 6px;
      padding: .5rem .7rem .55rem; margin: 0 0 .55rem; background: #fff; font-size: .88rem;
      line-height: 1.4; color: #1f2933;}
    .nm-card-top {display: flex; gap: .4rem; align-items: center; flex-wrap: wrap;
      font-size: .72rem; text-transform: uppercase; letter-spacing: .04em; color: #4b5563;}
    .nm-dot {width: .7rem; height: .7rem; border-radius: 50%; background: var(--c);
      display: inline-block;}
    .nm-chip {background: #f3f4f6; border-radius: 3px; padding: 0 .35rem; text-transform: none;
      letter-spacing: 0; font-size: .75rem; color: #374151;}
    .nm-chip-warn {background: #fef3c7; color: #92400e;}
    .nm-chip-bg {background: #e0e7ff; color: #3730a3;}
    @media (max-width: 1280px) {  /* narrow: the display modes go below the buttons */
      .st-key-nm_controls [data-testid="stHorizontalBlock"] {flex-wrap: wrap; row-gap: .5rem;}
      .st-key-nm_controls [data-testid="stColumn"] {min-width: 6.2rem;}
      .st-key-nm_controls [data-testid="stColumn"]:last-child {min-width: 100%;}
    }
    @media (max-width: 1000px) {  /* an 800-px window: the feed goes below a full-width map */
      .st-key-nm_main > div > [data-testid="stHorizontalBlock"] {flex-wrap: wrap;}
      .st-key-nm_main > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
        min-width: 100%; flex: 1 1 100%;}
    }
    .nm-card[data-nm-id] {cursor: pointer; transition: box-shadow .15s, background .15s;}
    .nm-card[data-nm-id]:hover {box-shadow: 0 1px 5px rgba(0,0,0,.13);}
    .nm-card[data-nm-id]:focus-visible {outline: 2px solid var(--c); outline-offset: 1px;}
    .nm-card.nm-card-active {background: #fffbeb; box-shadow: 0 0 0 2px var(--c);}
    .nm-card-title {font-weight: 700; font-size: .98rem; margin: .15rem 0 .1rem;}
    .nm-card-place {color: #374151;}
    .nm-card-prec {color: #6b7280; font-size: .78rem;}
    .nm-card-prec.approx {color: #b45309;}
    .nm-card q {display: block; margin: .35rem 0 .1rem; padding: .25rem .5rem;
      border-left: 3px solid #d1d5db; background: #f9fafb; font-style: italic; quotes: none;}
    .nm-card-src {color: #6b7280; font-size: .76rem;}
    </style>""",
    unsafe_allow_html=True,
)


def md(text: str) -> str:
    """Plain text for st.markdown: HTML and Markdown syntax shown as typed."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)


# ---- data ------------------------------------------------------------------------------


def corpus_paths() -> list[str]:
    env = os.environ.get("NEWSMAP_PATHS")
    base = [p for p in env.split(os.pathsep) if p] if env else [str(SEEDS_DIR)]
    return [*base, str(user_articles_dir())]


def _files_signature(paths: list[str]) -> str:
    return importlib.import_module("geo.pipeline").inputs_signature(paths) + userdata.signature()


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_slot(paths: tuple[str, ...], online: bool, overrides_json: str, signature: str):
    """The cached holder of one run's result (filled by :func:`load`).

    The run itself happens outside the cached function so that it can draw a progress bar:
    Streamlit records the elements a cached function draws and replays them on every hit.
    """
    return {"lock": threading.Lock()}


def load(paths: tuple[str, ...], online: bool, overrides_json: str, signature: str, status):
    """The run's result, computed once per key; ``status`` (an st.empty placed on every
    run, so the elements after it keep their places and the map is not remounted) holds
    the spinner and the progress bar while it is computed."""
    slot = _load_slot(paths, online, overrides_json, signature)
    if "result" in slot:
        return slot["result"]
    try:
        with status.container(), st.spinner("Reading articles…"), slot["lock"]:
            if "result" not in slot:  # another session may have filled it while we waited
                pipeline = importlib.import_module("geo.pipeline")
                slot["result"] = pipeline.run(list(paths), online=online,
                                              date_overrides=json.loads(overrides_json),
                                              progress=_progress_bar(st.empty()))
    finally:
        status.empty()
    return _frozen(slot["result"])


def _frozen(result):
    """``result``, with the heap moved out of the cyclic GC's reach the first time it is
    seen: every later collection (Streamlit's post-run one too, when it is on) skips the
    loaded events instead of walking them (10,000 events: 108 -> 5 ms, bench/README.md).
    Garbage is collected first, so only live objects are frozen."""
    if result is not None and not getattr(result, "_nm_frozen", False):
        gc.collect()
        gc.freeze()
        result._nm_frozen = True
    return result


def _progress_bar(bar):
    """progress(done, total) drawing ``bar`` as a st.progress, for big first loads only;
    redrawn at most 100 times a run."""

    def progress(done: int, total: int) -> None:
        if total <= PROGRESS_MIN_ARTICLES:
            return
        every = max(1, total // 100)
        if done == total or done % every == 0:
            bar.progress(done / total, text=f"Extracting events: {done:,} / {total:,} articles")

    return progress


@st.cache_resource(show_spinner="Reading events…", max_entries=2)
def load_events_file(path: str, signature: str):
    return importlib.import_module("geo.pipeline").load_events(path)


def load_result(online: bool):
    events_file = os.environ.get("NEWSMAP_EVENTS")
    if events_file:  # a prepared event set (JSONL) instead of articles
        try:
            return _frozen(load_events_file(events_file, _files_signature([events_file]))), None
        except Exception as exc:
            return None, f"{type(exc).__name__}: {exc}"
    paths = corpus_paths()
    overrides = userdata.load_dates()
    status = st.empty()
    try:
        return load(tuple(paths), online, json.dumps(overrides, sort_keys=True),
                    _files_signature(paths), status), None
    except Exception as exc:  # the page must still open; say why it is empty
        return None, f"{type(exc).__name__}: {exc}"


# ---- session state from the URL (once per session) -------------------------------------

if "_init" not in st.session_state:
    st.session_state["_init"] = True
    st.session_state["_want_date"] = st.query_params.get("date")
    st.session_state["mode"] = timeline.resolve_mode(st.query_params.get("mode"))
    for qkey, skey in FILTER_PARAMS.items():
        st.session_state[f"_want_{skey}"] = st.query_params.get_all(qkey)
    st.session_state["f_bg"] = st.query_params.get(BACKGROUND_PARAM) != "0"
    st.session_state["playing"] = False
    st.session_state["online"] = os.environ.get("NEWSMAP_ONLINE") == "1"
    st.session_state["_uploaded"] = set()

# the PNG export's view (centre and zoom, a box, or fit=step; geo/snapshot.py), snapshot only
snap_view = (importlib.import_module("geo.snapshot").View.from_query(st.query_params.to_dict())
             if snapshot_mode else None)
_snap_h = st.query_params.get("h", "") if snapshot_mode else ""
map_height = int(_snap_h) if _snap_h.isdigit() and 200 <= int(_snap_h) <= 4000 else MAP_HEIGHT

# ---- sidebar: data, filters, export ----------------------------------------------------

sb = st.sidebar
sb.markdown("### News-event map")
online = sb.toggle(
    "Online geocoding", key="online",
    help="Ask OpenStreetMap's Nominatim for places the built-in gazetteer lacks (needs the "
         "network, 1 request/s). The base map is chosen on the map itself (top right).",
)
# online base maps are tried in the browser and fall back to the offline layer (geo/tiles.py)
tile_layers = tiles.js_options()

result, load_error = load_result(online)
events_all = result.events if result else []
problems = list(result.problems) if result else []
articles = list(result.articles) if result else []


def derived(what: str, make):
    """Per-result memo (facets, base map summary, step indexes): computed once per loaded
    event set, not on every rerun; it lives and dies with the cached result."""
    if result is None:
        return make()
    memo = result.__dict__.setdefault("_nm_derived", {})
    if what not in memo:
        if len(memo) > 16:
            memo.clear()
        memo[what] = make()
    return memo[what]


facets = derived("facets", lambda: timeline.facets(events_all))
# filters from the URL, once, keeping only values that exist in the data
for skey, options in (("f_cat", facets.categories), ("f_country", facets.countries),
                      ("f_article", facets.articles)):
    wanted = st.session_state.pop(f"_want_{skey}", None)
    if wanted:
        st.session_state[skey] = [v for v in wanted if v in options]
sb.markdown("**Filter**")
f_cat = sb.multiselect("Category", facets.categories, key="f_cat", placeholder="All categories")
f_country = sb.multiselect("Country", facets.countries, key="f_country",
                           placeholder="All countries")
if len(facets.articles) <= MAX_ARTICLE_OPTIONS:
    f_article = sb.multiselect("Article", facets.articles, key="f_article",
                               placeholder="All articles")
else:  # thousands of names: a dropdown would be unusable, and heavy on every rerun
    f_article_q = sb.text_input("Article", key="f_article_q", placeholder="Name contains…",
                                help=f"{len(facets.articles):,} articles")
    f_article = ([a for a in facets.articles if f_article_q.lower() in a.lower()]
                 or ["\0no match"]) if f_article_q else []
n_background = derived("n_background", lambda: sum(1 for e in events_all if e.background))
f_bg = sb.toggle(
    "Background events", key="f_bg",
    help="Events the articles mention as background, dated only to a year or month before "
         f"the article (\"the 1999 quake\"): {n_background} in this set. Off: hidden from "
         "the map, the cards, the timeline and the exports.",
)
_fkey = json.dumps([f_cat, f_country, f_article, f_bg])
events = (events_all if not (f_cat or f_country or f_article or not f_bg) else
          derived(f"filtered {_fkey}",
                  lambda: timeline.apply_filters(events_all, f_cat, f_country, f_article,
                                                 background=f_bg)))
index = derived(f"index {_fkey}", lambda: timeline.StepIndex(events))


def _add_uploads() -> None:
    for f in st.session_state.get("uploads") or []:
        fid = getattr(f, "file_id", None) or f"{f.name}|{f.size}"
        if fid in st.session_state["_uploaded"]:
            continue
        st.session_state["_uploaded"].add(fid)
        saved, reason = userdata.save_article(f.name, f.getvalue())
        st.session_state.setdefault("_messages", []).append(
            ("error", f"Not added: {reason}") if reason else ("success", f"Added {saved}")
        )


def _plain(text: str) -> str:
    """A message for st.error/st.success: names are shown as typed, never as Markdown or
    links (an uploaded name with an image link would make the browser fetch it)."""
    return md(text.replace("\0", "\ufffd"))


# The per-article lists below are built only when opened (an expander always runs its
# body: 507 undated articles at 10,000 cost ~1,600 elements on every step), at most
# LIST_ROWS rows with a search box for the rest, in fragments so that opening and searching
# rerun the list alone, not the map.


def _search(key: str, what: str) -> str:
    return st.text_input(f"Find {what}", key=key, placeholder="Name contains…").strip().lower()


def _more(n_more: int) -> None:
    if n_more > 0:
        st.caption(f"{n_more:,} more: refine the search.")


@st.fragment
def _your_articles(mine: list[str]) -> None:
    """The user's articles, each with a remove button."""
    if not st.toggle(f"Your articles ({len(mine):,})", key="mine_open",
                     help="Kept in the user data folder; remove them here."):
        return
    q = _search("mine_q", "one of your articles")
    rows = [n for n in mine if q in n.lower()]
    for name in rows[:LIST_ROWS]:
        c1, c2 = st.columns([4, 1])
        c1.caption(_plain(name))
        if c2.button("✕", key=f"rm_{name}", help=f"Remove {name}"):
            userdata.remove_article(name)
            st.rerun()
    if q and not rows:
        st.caption("No article matches.")
    _more(len(rows) - LIST_ROWS)


@st.fragment
def _article_dates(datable: list) -> None:
    """A date for an article: the truly undated ones are listed, the search also finds
    those whose date was inferred or given by the user (to correct it)."""
    n_undated = sum(a.date is None for a in datable)
    if not st.toggle(f"Article dates ({n_undated:,} undated)", key="dates_open"):
        return
    q = _search("dates_q", "an article")
    rows = [a for a in datable if q in a.name.lower()] if q else [
        a for a in datable if a.date is None]
    for a in rows[:LIST_ROWS]:
        if a.date is None:
            st.markdown(f"**{md(a.name)}**: no date; its events are undated")
        else:
            st.markdown(f"**{md(a.name)}**: {a.date} ({a.date_source})")
            if a.date_note:
                st.caption(a.date_note)
        given = st.date_input("Publication date", value=None, key=f"date_{a.name}",
                              min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))
        if st.button("Set date", key=f"setdate_{a.name}", disabled=given is None):
            reason = userdata.set_date(a.name, given)
            if reason:
                st.error(_plain(reason))
            else:
                st.rerun()
    if not rows:
        st.caption("No article matches." if q else
                   "No undated articles; search to change an inferred date.")
    _more(len(rows) - LIST_ROWS)


with sb.expander("Add articles", expanded=bool(problems) and not snapshot_mode):
    st.file_uploader("Upload .txt articles", type=["txt"], accept_multiple_files=True,
                     key="uploads", on_change=_add_uploads, max_upload_size=UPLOAD_LIMIT_MB,
                     help="Plain UTF-8 text, one article per file, up to 2 MB "
                          "(2,000,000 bytes) each; a first line \" date YYYY-MM-DD\" "
                          "gives its date.")
    with st.form("paste", clear_on_submit=True, border=False):
        p_title = st.text_input("Title (for the file name)", key="paste_title")
        p_date = st.date_input("Publication date", value=None, key="paste_date")
        p_text = st.text_area("…or paste an article", key="paste_text", height=120)
        if st.form_submit_button("Add pasted text"):
            saved, reason = userdata.save_pasted(p_text, p_title, p_date)
            st.session_state.setdefault("_messages", []).append(
                ("error", f"Not added: {reason}") if reason else ("success", f"Added {saved}")
            )
            st.rerun()
    for kind, msg in st.session_state.pop("_messages", []):
        (st.error if kind == "error" else st.success)(_plain(msg))
    mine = userdata.list_articles()
    if mine:
        _your_articles(mine)

undated = derived("datable", lambda: [a for a in articles
                                      if a.date is None or a.date_source in ("inferred", "user")])
if undated:
    with sb:
        _article_dates(undated)

if load_error:
    sb.error(_plain(f"Could not process the articles: {load_error}"))
for p in problems:
    (sb.error if getattr(p, "skipped", True) else sb.warning)(_plain(str(p)))

# ---- step state --------------------------------------------------------------------------

dates = index.dates
# a click on a bar of the per-date chart (geo/datechart.py) chose a date: step there. The
# chart's key names the date it was drawn for, so each step starts with no selection.
_chart_key = st.session_state.get("_chart_key")
_pick = datechart.picked(st.session_state.get(_chart_key) if _chart_key else None)
if _pick in dates and _pick != st.session_state.get("_chart_done"):
    st.session_state["date"] = _pick
    st.session_state["_chart_done"] = _pick
    st.session_state["playing"] = False
want = st.session_state.get("date") or st.session_state.get("_want_date")
current = timeline.resolve_date(dates, want)
if st.session_state.get("date") != current:
    st.session_state["date"] = current
mode = timeline.resolve_mode(st.session_state.get("mode"))


def _step(delta: int) -> None:
    prev, nxt = timeline.neighbours(dates, st.session_state.get("date"))
    target = prev if delta < 0 else nxt
    if target is not None:
        st.session_state["date"] = target


def _toggle_play() -> None:
    playing = not st.session_state.get("playing")
    st.session_state["playing"] = playing
    if playing and dates and st.session_state.get("date") == dates[-1]:
        st.session_state["date"] = dates[0]  # play from the start, like a video
    st.session_state["_last_tick"] = time.monotonic()


# ---- header + controls -----------------------------------------------------------------

n_located = index.n_located
st.markdown(
    f'<p class="nm-h1">News-event map<span>{len(articles)} articles · {len(events)} events'
    f" · {n_located} on the map · {len(dates)} dates</span></p>",
    unsafe_allow_html=True,
)

prev_d, next_d = timeline.neighbours(dates, current)
if len(dates) >= 2:
    st.select_slider("Date", options=dates, key="date", format_func=timeline.short_label,
                     label_visibility="collapsed")
# in a keyed container so the CSS above can let the row wrap in a narrow window
c_prev, c_next, c_play, c_speed, c_mode = st.container(key="nm_controls").columns(
    [1, 1, 1, 1, 4.4], vertical_alignment="center"
)
c_prev.button("◀ Previous", key="prev", on_click=_step, args=(-1,), disabled=prev_d is None,
              width="stretch")
c_next.button("Next ▶", key="next", on_click=_step, args=(1,), disabled=next_d is None,
              width="stretch")
playing = bool(st.session_state.get("playing"))
# "⏸" has no glyph in common fonts (a box in headless Chromium): Streamlit's own icon font
c_play.button("Pause" if playing else "▶ Play", key="play", on_click=_toggle_play,
              icon=":material/pause:" if playing else None,
              disabled=len(dates) < 2, width="stretch", type="primary" if playing else "secondary")
speed = c_speed.selectbox("Speed", list(SPEEDS), index=1, key="speed",
                          label_visibility="collapsed", help="Time per step while playing")
c_mode.radio("Show", list(timeline.MODES), key="mode", horizontal=True,
             format_func=timeline.MODES.get, label_visibility="collapsed")

interval = SPEEDS[speed]


@st.fragment(run_every=interval if playing else None)
def _player() -> None:
    """Ticks while playing: next date, then a full rerun; stops at the last date."""
    if not st.session_state.get("playing"):
        return
    now = time.monotonic()
    if now - st.session_state.get("_last_tick", 0.0) < interval * 0.8:
        return  # the run that set the timer up, not a tick
    st.session_state["_last_tick"] = now
    _prev, nxt = timeline.neighbours(dates, st.session_state.get("date"))
    if nxt is None:
        st.session_state["playing"] = False
    else:
        st.session_state["date"] = nxt
        if nxt == dates[-1]:
            st.session_state["playing"] = False
    st.rerun()


_player()

# ---- map + feed ---------------------------------------------------------------------------

want_date = st.session_state.get("_want_date") or None
if snapshot_mode and (not events or (want_date and want_date not in dates)):
    # the PNG export (geo/snapshot.py) waits for the map or this, so it fails in seconds
    st.markdown('<div class="nm-snapshot-error">' + html.escape(
        f"No events on {want_date}" if want_date and events else "No events")
        + (" with these filters" if _fkey != json.dumps([[], [], [], True]) else "")
        + "</div>", unsafe_allow_html=True)
    st.stop()
step = index.step(current, mode)
payload = mapview.step_payload_for(step, online=online)
# the map fits what is left when the filters change (FEED_JS in geo/mapview.py)
payload["view_key"] = hashlib.sha1(_fkey.encode()).hexdigest()[:10]
payload["filtered"] = bool(f_cat or f_country or f_article or not f_bg)
col_map, col_feed = st.container(key="nm_main").columns([7, 3], gap="small")
with col_map:
    # the view comes back (a rerun after a pan or zoom, the map stays) for "This view as PNG"
    map_state = st_folium(
        mapview.base_map(events_all, tiles=tile_layers,
                         summary=derived("base", lambda: mapview.base_summary(events_all))),
        key="map",
        height=map_height,  # the PNG's height in snapshot mode: the map is made at its size
        use_container_width=True,
        returned_objects=[] if snapshot_mode else ["center", "zoom", "bounds"],
        feature_group_to_add=mapview.step_group(payload,
                                                view=snap_view.js() if snap_view else None),
    ) or {}


with col_feed:
    per_date = index.per_date
    if per_date:
        st.markdown('<div class="nm-feed-sub">Events per date · click a bar</div>',
                    unsafe_allow_html=True)
        st.session_state["_chart_key"] = f"date_chart:{current}"
        st.session_state["_chart_done"] = None
        st.altair_chart(datechart.chart(per_date, current, CHART_HEIGHT),
                        on_select="rerun", selection_mode=datechart.SELECTION,
                        key=st.session_state["_chart_key"], width="stretch")
    cards = timeline.cards_for(index.on_date(current), current)
    n_cards = len(cards)
    cards = cards[:timeline.MAX_CARDS]
    feed = st.container(height=MAP_HEIGHT - CHART_HEIGHT - 40, border=False, key="feed")
    feed.markdown(
        f'<div class="nm-feed-head">{html.escape(timeline.date_label(current))} '
        f"<span>{n_cards} event{'s' if n_cards != 1 else ''}</span></div>",
        unsafe_allow_html=True,
    )
    if not cards:
        feed.caption("No events on this date with the current filters.")
    for c in cards:
        feed.markdown(mapview.card_html(c), unsafe_allow_html=True)
    if n_cards > len(cards):
        feed.caption(f"{n_cards - len(cards)} more events on this date (the map shows all): "
                     "filter by category or country to list them.")
    undated_events = index.undated
    if undated_events and mode == "all":
        feed.markdown('<div class="nm-feed-head">Undated</div>', unsafe_allow_html=True)
        for ev in undated_events[:timeline.MAX_CARDS]:
            feed.markdown(mapview.card_html(timeline.card(ev, current=False)),
                          unsafe_allow_html=True)
        if len(undated_events) > timeline.MAX_CARDS:
            feed.caption(f"{len(undated_events) - timeline.MAX_CARDS} more undated events "
                         "(the map shows all).")
    elif undated_events:  # otherwise they would be invisible: say where they are
        n_und = len(undated_events)
        feed.caption(f"{n_und} undated event{'s' if n_und != 1 else ''}: shown with "
                     f"“{timeline.MODES['all']}”.")

# ---- export ---------------------------------------------------------------------------------

exp = sb.expander("Export", expanded=False)
exp.download_button("Events as CSV", data=lambda: export.to_csv(events),
                    file_name="events.csv", mime="text/csv", key="dl_csv")
exp.download_button("Events as GeoJSON", data=lambda: export.to_geojson(events),
                    file_name="events.geojson", mime="application/geo+json", key="dl_geojson")
exp.download_button("Events as JSONL", data=lambda: export.to_jsonl(events),
                    file_name="events.jsonl", mime="application/jsonl", key="dl_jsonl")
exp.download_button(
    "This map as HTML",
    data=lambda: mapview.standalone_html(events_all, step.shown(), current, mode, online=online,
                                         tiles=tile_layers),
    file_name=f"map-{current or 'all'}-{mode}.html", mime="text/html", key="dl_html",
)


def _png(
    view: tuple = (current, mode, tuple((q, tuple(st.session_state.get(k) or ()))
                                        for q, k in FILTER_PARAMS.items())
                   + (((BACKGROUND_PARAM, ("0",)),) if not f_bg else ()),
                   (map_state.get("center"), map_state.get("zoom"), map_state.get("bounds"))),
) -> bytes:
    """This view (date, mode, filters, the map's centre, zoom and size) as a PNG of the map
    frame, from headless Chromium on this server.

    Streamlit calls it later, outside the script run (no session state there), so the view
    is bound now, as the default argument; snapshot.capture runs one browser at a time.
    Before the map has reported its view (st_folium's return value) it is the opening one.
    """
    from geo import snapshot

    date, view_mode, filters, (center, zoom, bounds) = view
    port = st.get_option("server.port")
    base_path = (st.get_option("server.baseUrlPath") or "").strip("/")
    base = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    width, height = snapshot.frame_size(bounds, zoom) or (1000, MAP_HEIGHT)
    return snapshot.capture(base, date, view_mode, query={q: list(v) for q, v in filters},
                            view=snapshot.View.from_map(center, zoom), width=width,
                            height=height)


exp.download_button("This view as PNG", data=_png, file_name=f"map-{current or 'all'}-{mode}.png",
                    mime="image/png", key="dl_png",
                    help="Screenshot in headless Chromium (a few seconds)")
exp.caption("CSV / GeoJSON / JSONL hold the filtered events; the HTML file works offline.")

# ---- shareable URL --------------------------------------------------------------------------

want_qp: dict[str, str | list[str] | None] = {"date": current or "", "mode": mode}
for qkey, skey in FILTER_PARAMS.items():
    want_qp[qkey] = list(st.session_state.get(skey) or [])
want_qp[BACKGROUND_PARAM] = None if f_bg else "0"
changed = any(
    (st.query_params.get_all(k) if isinstance(v, list) else st.query_params.get(k)) != v
    for k, v in want_qp.items()
)
# Streamlit writes the query with history.pushState; the map (FEED_JS) turns those pushes
# into replaceState once it is loaded. The first run of a session comes before that, so it
# leaves the URL as opened (it reopens the same view) and the first step writes it.
first_run = not st.session_state.get("_url_written")
st.session_state["_url_written"] = True
if changed and not first_run:
    st.query_params.from_dict({k: v for k, v in want_qp.items() if v or k == "date"}
                              | ({"snapshot": "1"} if snapshot_mode else {}))
