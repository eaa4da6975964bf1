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
import sys
import threading
import time

import streamlit as st

import geo.warmup  # noqa: F401  # isort: skip  (first: see geo/warmup.py)
from streamlit_folium import st_folium

from geo import datechart, export, layout, mapview, offline, tiles, timeline, userdata
from geo import derived as geo_derived
from geo.models import CATEGORIES
from geo.paths import corpus_paths
from geo.review import actions as rv_actions
from geo.review import log as rv_log
from geo.review import queue as rv_queue
from geo.review import service as rv_service
from geo.review import viewer as rv_viewer
from geo.review.apply import Reviewed
from geo.review.corrections import REMOVE_REASONS, ArticleHashes
from geo.store import StoreError

MAP_HEIGHT = 680
CHART_HEIGHT = 96
SPEEDS = {"0.5 s": 0.5, "1 s": 1.0, "2 s": 2.0, "4 s": 4.0}
FILTER_PARAMS = {"cat": "f_cat", "country": "f_country", "article": "f_article"}  # URL -> key
BACKGROUND_PARAM = "bg"  # "bg=0" in the URL: background events hidden (default: shown)
BASE_PARAM = "base"  # "base=Esri.WorldImagery" / "base=offline": the chosen base layer
PROGRESS_MIN_ARTICLES = 50  # a first load of more articles than this shows a progress bar
MAX_ARTICLE_OPTIONS = 1000  # more articles than this: the article filter is a text search
UPLOAD_LIMIT_MB = 2  # geo.articles.MAX_BYTES (2,000,000 bytes) is what is enforced
WEB_SUFFIXES = (".html", ".htm")
WATCH_EVERY = {"1 min": 60, "5 min": 300, "10 min": 600, "30 min": 1800, "1 hour": 3600}
WATCH_CHECK_S = 10  # how often the open page looks for articles a watch has added
MESSAGES_KEPT_S = 120  # an add's messages stay this long (or until the next add)
RUN_CACHE_WRITE_DELAY_S = 30.0  # a run's cache rows are written after the page, or this
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
    /* only a script (geo/layout.py): no room, not even the gap of its wrapper */
    .st-key-nm_narrow, [data-testid="stLayoutWrapper"]:has(> .st-key-nm_narrow) {
      display: none;}
    /* the feed's end marker (the browser compares it with the map's step); what is still
       there after it is the last run's, on its way out */
    .stElementContainer:has(.nm-feed-end) {display: none;}
    .st-key-feed > .stElementContainer:has(.nm-feed-end) ~ * {display: none;}
    /* the browser's own copy of the map's feed (NM.setupNav) stands in for the server's */
    .st-key-feed:has(> .nm-feed-local) > :not(.nm-feed-local) {display: none !important;}
    .nm-feed-local {display: flex; flex-direction: column; gap: 1rem;}
    .nm-feed-local .nm-card {padding-bottom: 2.3rem;}
    .nm-rv-wrap {align-self: flex-end; margin: -3.05rem .45rem .75rem 0; position: relative;
      z-index: 1;}
    .nm-feed-note {font-size: .875rem; color: rgba(49, 51, 63, .6);}
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
    .nm-card-src a.nm-src-link {color: #1d4ed8; text-decoration: underline;
      text-underline-offset: 2px;}
    .nm-chip-new {background: #dcfce7; color: #166534; font-weight: 700;}
    .nm-h1 .nm-new {color: #166534; font-weight: 700;}
    .nm-rv-auto {background: #f3f4f6; color: #6b7280;}
    .nm-rv-confirmed {background: #dcfce7; color: #166534;}
    .nm-rv-edited {background: #dbeafe; color: #1e40af;}
    .nm-rv-added {background: #f3e8ff; color: #6b21a8;}
    /* the card's Review button sits inside the card's bottom right corner, in room the
       card leaves for it */
    [class*="st-key-rv_open_"] {align-self: flex-end; margin: -3.05rem .45rem .75rem 0;}
    .stElementContainer:has(+ [class*="st-key-rv_open_"]) .nm-card {padding-bottom: 2.3rem;}
    [class*="st-key-rv_open_"] button, .nm-rv-wrap button {min-height: 1.6rem;
      padding: 0 .5rem; font-size: .8rem; background: #fff;}
    .nm-article-text {font-size: .88rem; line-height: 1.5; color: #1f2933;}
    .nm-article-text p {margin: 0 0 .6rem;}
    .nm-article-text mark.nm-ev {background: #fef08a; padding: 0 .1rem; border-radius: 2px;}
    .nm-article-text mark.nm-ev-focus {background: #fdba74; outline: 1px solid #ea580c;}
    .nm-orig {font-size: .8rem; color: #4b5563;}
    .nm-article-focus {border-left: 3px solid #ea580c; padding: .2rem .6rem;
      background: #fffbeb;}
    </style>""",
    unsafe_allow_html=True,
)
if not snapshot_mode:  # a narrow window starts with the sidebar collapsed (geo/layout.py)
    with st.container(key="nm_narrow"):
        st.html(layout.sidebar_script() + layout.preload_script(),
                unsafe_allow_javascript=True)


def md(text: str) -> str:
    """Plain text for st.markdown: HTML and Markdown syntax shown as typed. Nothing in it
    becomes a link either: Streamlit links a bare "http://...", "www...." or "a@b" in the
    rendered text whatever the escapes, so an invisible word joiner (U+2060: no line break
    either) goes after "http:", "www" and "@" (the text reads the same; a feed's hostile
    address is no clickable link)."""
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)
    return _NO_LINK.sub(lambda m: m.group(0) + "\u2060", text)


_NO_LINK = re.compile(r"(?i)(?:\b(?:https?|ftp|mailto):|\bwww(?=\\\.)|@)")


AHEAD = (-1, 1, 2)  # the neighbouring steps sent with each step, for the browser to show
AHEAD_PLAYING = (-1, 1, 2, 3, 4)  # while playing: the browser reports about once a run
PAYLOADS_KEPT = 24  # step payloads kept per loaded result (they are rebuilt on a miss)


# ---- data ------------------------------------------------------------------------------


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
                # the run cache is written once the page is out (the end of this script)
                pipeline.WRITE_DELAY_S = RUN_CACHE_WRITE_DELAY_S
                gc.collect(1)  # the young garbage, before a run cache hit is frozen (_frozen)
                gc_was_on = gc.isenabled()
                gc.disable()  # until the result is frozen: no collection walks it before
                try:
                    got = pipeline.run(list(paths), online=online,
                                       extra_articles=_user_articles(),
                                       date_overrides=json.loads(overrides_json),
                                       progress=_progress_bar(st.empty()))
                    _hold(got)
                finally:
                    if gc_was_on:
                        gc.enable()
                slot["result"] = got
    finally:
        status.empty()
    return slot["result"]


def _hold(result) -> None:
    """A run's result out of the collector's reach at once. Read from the run cache: all
    of it live, frozen for good (:func:`_frozen`). Computed: frozen too, with the run's
    garbage, and collected and frozen again once the map has reported (the end of the
    script, ``_frozen``): the run paused the collector (geo.pipeline), and the collections
    its ~300,000 young objects would set off before the map (~0.15 s of the page's derived
    data at 10,000 articles, more under load) walk only live data."""
    if result is None:
        return
    if getattr(result, "from_run_cache", False):
        _frozen(result, collect=False)
    elif not getattr(result, "_nm_held", False):
        gc.freeze()
        result._nm_held = True


_user_articles = userdata.all_user_articles


def _frozen(result, collect: bool = True):
    """``result``, with the heap moved out of the cyclic GC's reach the first time it is
    seen: every later collection (Streamlit's post-run one too, when it is on) skips the
    loaded events instead of walking them (10,000 events: 108 -> 5 ms, bench/README.md).
    Garbage is collected first, so only live objects are frozen; ``collect=False`` when
    what is new since the last young collection is all live (a result just unpickled: the
    full collection would walk all of it, ~0.3 s at 10,000 articles, for nothing)."""
    if result is not None and not getattr(result, "_nm_frozen", False):
        if collect:
            if getattr(result, "_nm_held", False):
                gc.unfreeze()  # (frozen with its run's garbage: load)
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
    st.session_state["_want_base"] = st.query_params.get(BASE_PARAM)
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
# the base layer the map opens with, from the URL (a shared link, the PNG export); fixed for
# the session, so the base map never remounts. What the user picks later comes back from
# the map (chosen_base, below).
opening_base = tiles.resolve(st.session_state.get("_want_base"), tile_layers)

web_sig_loaded = userdata.web_signature()  # what this run shows; the watch compares
result, load_error = load_result(online)
problems = (list(result.problems) if result else []) + userdata.problems()
articles = list(result.articles) if result else []

# The user's corrections (geo/review) on top of the extraction, re-applied whenever one is
# saved, here or in another session (the version is one cheap query per rerun).
try:
    rv_version, rv_error = rv_log.version(), None
except StoreError as exc:  # damaged or newer database: the app opens on the raw events
    rv_version, rv_error = None, f"Your corrections are not applied: {exc}"


_memo = geo_derived.Memo(result, rv_version, geo_derived.code_digest(__file__))


def derived(what: str, make, keep: bool = False):
    """Per-result memo (facets, base map summary, step indexes): computed once per loaded
    event set and corrections version, not on every rerun; ``keep``: stored with the
    result's run cache row, so a restart reads it (geo/derived.py). A kept value other than
    "reviewed" must be made from ``events_all`` alone: after a change that left every event
    as it was (the same objects), the last result's are taken (``_memo.carry``)."""
    return _memo.get(what, make, keep)


def _review_all() -> Reviewed:
    if result is None or rv_version is None:
        return Reviewed(list(result.events) if result else [])
    corrections, error = rv_service.load_corrections()
    return rv_service.review(result, corrections)


reviewed = derived("reviewed", _review_all, keep=True)
events_all = reviewed.events
# a run after a change whose events are the last run's (an edit that added or changed no
# event: geo.pipeline.Result.carried): what was derived from them holds, not computed again
_memo.carry(getattr(result, "carried", None), "reviewed", events_all)
hashes = derived("hashes", lambda: ArticleHashes(articles))  # computed on first use


facets = derived("facets", lambda: timeline.facets(events_all), keep=True)
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
n_background = derived("n_background", lambda: timeline.count_background(events_all),
                       keep=True)
f_bg = sb.toggle(
    "Background events", key="f_bg",
    help="Events the articles mention as background, dated only to a year or month before "
         f"the article (\"the 1999 quake\"): {n_background} in this set. Off: hidden from "
         "the map, the cards, the timeline and the exports.",
)
f_review = sb.radio("Review", list(rv_queue.REVIEW_FILTERS), key="f_review",
                    format_func=rv_queue.REVIEW_FILTERS.get, horizontal=True,
                    help="Needs review: as the extractor found them. Only reviewed: "
                         "confirmed, edited or added by a person.")
_fkey = json.dumps([f_cat, f_country, f_article, f_bg, f_review])
events = (events_all if not (f_cat or f_country or f_article or not f_bg
                             or f_review != "all") else
          derived(f"filtered {_fkey}",
                  lambda: rv_queue.filter_events(
                      timeline.apply_filters(events_all, f_cat, f_country, f_article,
                                             background=f_bg), f_review)))
index = derived(f"index {_fkey}", lambda: timeline.step_index(events), keep=events is events_all)


def _add_uploads() -> None:
    for f in st.session_state.get("uploads") or []:
        fid = getattr(f, "file_id", None) or f"{f.name}|{f.size}"
        if fid in st.session_state["_uploaded"]:
            continue
        st.session_state["_uploaded"].add(fid)
        if f.name.lower().endswith(WEB_SUFFIXES):  # a saved web page
            got = importlib.import_module("geo.web.read").read_bytes(f.name, f.getvalue())
            _keep_web(got)
            continue
        saved, reason = userdata.save_article(f.name, f.getvalue())
        st.session_state.setdefault("_messages", []).append(
            ("error", f"Not added: {reason}") if reason else ("success", f"Added {saved}")
        )


@st.cache_resource(show_spinner=False)
def _fetcher():
    """One polite HTTP client for the whole app: its per-host rate limit and robots.txt
    cache hold across sessions (geo/web/fetch.py)."""
    return importlib.import_module("geo.web.fetch").Fetcher.from_env()


OFFLINE_NOTE = ("The network is down: links and feeds cannot be read now. The map, your "
                "articles and everything else work offline; the watch tries again at its "
                "next poll.")


def _keep_web(got) -> None:
    """Keep what was read from links or saved pages; one message per article or failure."""
    msgs = st.session_state.setdefault("_messages", [])
    for article in got.articles:
        saved = userdata.save_web_article(article)
        msgs.append(("error", saved.message) if saved.reason else ("success", saved.message))
    for p in got.problems:
        msgs.append(("error" if p.skipped else "warning",
                     f"Not added: {p}" if p.skipped else str(p)))
    if got.offline:
        msgs.append(("warning", OFFLINE_NOTE))


def _read_links(text: str, slot) -> None:
    """Read the pasted links, with a progress bar in ``slot`` (a polite fetch waits a second
    a site), in the script itself: an element made in a callback would shift the sidebar's
    elements and close the expander the user opened."""
    read = importlib.import_module("geo.web.read")
    urls = read.split_urls(text)
    if not urls:
        st.session_state.setdefault("_messages", []).append(
            ("error", "Not added: paste one or more http(s) links, one per line"))
        return
    bad = [u for u in urls if not read.is_url(u)]
    good = [u for u in urls if read.is_url(u)]

    def progress(done: int, total: int, url: str) -> None:
        if total > 1:
            slot.progress(done / total, text=_plain(
                f"Reading link {done + 1} of {total}: {url}" if url else "Read"))

    got = read.read_inputs(good, _fetcher(), progress=progress)
    slot.empty()
    st.session_state["_links_read"] = True  # keep the text only when nothing was a link
    got.problems[:0] = [importlib.import_module("geo.models").Problem(
        u, "not an http(s) link") for u in bad]
    _keep_web(got)


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
        if c2.button("", icon=":material/close:", key=f"rm_{name}", help=f"Remove {name}"):
            userdata.remove_article(name) or userdata.remove_web_article(name)
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


web_kept = userdata.web_articles()
new_names = userdata.new_article_names(web_kept, userdata.looked_at()) if web_kept else set()
n_new = derived(f"n_new {sorted(new_names)}", lambda: timeline.count_new(events, new_names))

with sb.expander("Add articles", expanded=bool(problems) and not snapshot_mode):
    if st.session_state.pop("_links_read", False):
        st.session_state["links_text"] = ""  # read: emptied before the box is drawn again
    with st.form("links", clear_on_submit=False, border=False):
        links_text = st.text_area(
            "Paste links to articles", key="links_text", height=80,
            placeholder="https://… one per line (pages or feeds)",
            help="Each page is fetched politely (robots.txt, one request a second per site) "
                 "and its main text, title, date and address are kept; a feed's entries are "
                 "read as articles.")
        links_sent = st.form_submit_button("Read links")
    reading = st.empty()  # the progress bar while links are read; always here, so the
    if links_sent:        # elements below keep their places
        _read_links(links_text or "", reading)
        st.rerun()
    st.file_uploader("Upload .txt articles or saved .html pages",
                     type=["txt", "html", "htm"], accept_multiple_files=True,
                     key="uploads", on_change=_add_uploads, max_upload_size=UPLOAD_LIMIT_MB,
                     help="Plain UTF-8 text, one article per file, up to 2 MB "
                          "(2,000,000 bytes) each; a first line \" date YYYY-MM-DD\" "
                          "gives its date. Saved web pages (.html) up to 2 MB too.")
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
    # what the last add did stays up for a while: the reruns that follow (the map
    # reporting its new view) would otherwise wipe it before it is read
    fresh = st.session_state.pop("_messages", [])
    if fresh:
        st.session_state["_messages_kept"] = (time.monotonic(), fresh)
    kept_at, kept = st.session_state.get("_messages_kept", (0.0, []))
    for kind, msg in kept if time.monotonic() - kept_at < MESSAGES_KEPT_S else []:
        {"error": st.error, "warning": st.warning}.get(kind, st.success)(_plain(msg))
    mine = userdata.list_articles() + [w.article.name for w in web_kept]
    if mine:
        _your_articles(mine)

def _add_feed() -> None:
    reason = userdata.add_feed(st.session_state.get("feed_url") or "")
    st.session_state["_watch_msg"] = ("error", f"Not added: {reason}") if reason else None
    st.session_state["feed_url"] = ""


def _poll(feeds: list[str]) -> None:
    """One poll of the watched feeds (geo/web/watch.py); its summary stays for the page."""
    report = importlib.import_module("geo.web.watch").poll(feeds, _fetcher())
    st.session_state["_watch_last"] = (time.time(), report.summary(), report.offline,
                                       [str(p) for p in report.problems if p.skipped][:5])


@st.fragment(run_every=WATCH_CHECK_S if st.session_state.get("watch_on") else None)
def _watcher(feeds: list[str], shown_sig: str) -> None:
    """While the watch is on: poll when due, and rerun the page (no reload) when a watch,
    here or `python -m geo watch`, has added articles since this page was drawn."""
    every = WATCH_EVERY[st.session_state.get("watch_every", "10 min")]
    if st.session_state.get("watch_on") and feeds:
        last = st.session_state.get("_watch_last")
        if last is None or time.time() - last[0] >= every - WATCH_CHECK_S / 2:
            _poll(feeds)
    last = st.session_state.get("_watch_last")
    if last:
        at, summary, offline_now, failed = last
        st.caption(_plain(f"Last poll {time.strftime('%H:%M', time.localtime(at))}: {summary}"))
        if offline_now:
            st.warning(_plain(OFFLINE_NOTE))
        for line in failed:
            st.caption(_plain(f"✕ {line}"))
    if userdata.web_signature() != shown_sig:
        st.rerun(scope="app")


with sb.expander("Feeds and live watch", expanded=bool(n_new) and not snapshot_mode):
    feeds = userdata.load_feeds()
    with st.form("feed_add", border=False):
        st.text_input("Feed or page to watch", key="feed_url",
                      placeholder="https://…/rss.xml")
        st.form_submit_button("Add feed", on_click=_add_feed)
    msg = st.session_state.pop("_watch_msg", None)
    if msg:
        st.error(_plain(msg[1]))
    watch_state = importlib.import_module("geo.web.watch").load_state() if feeds else None
    for url in feeds:
        c1, c2 = st.columns([4, 1])
        c1.caption(_plain(url) + "  \n" + _plain(
            importlib.import_module("geo.web.watch").source_status(url, watch_state)))
        if c2.button("", icon=":material/close:", key=f"rmfeed_{url}",
                     help=f"Stop watching {url}"):
            userdata.remove_feed(url)
            st.rerun()
    st.toggle("Watch", key="watch_on", disabled=not feeds,
              help="Poll the feeds while this page is open; new entries are read and their "
                   "events appear without a reload. Each entry is read once, also across "
                   "restarts.")
    st.selectbox("Poll every", list(WATCH_EVERY), index=2, key="watch_every")
    if feeds and st.button("Check now", key="watch_now"):
        _poll(feeds)
    if n_new:
        st.markdown(f"**{n_new} new event{'s' if n_new != 1 else ''}** since you looked "
                    "(marked *new* on the cards)")
        newest = timeline.newest_date(events, new_names)
        n1, n2 = st.columns(2)
        n1.button("Show the newest", key="go_newest", disabled=newest not in index.dates,
                  on_click=st.session_state.__setitem__, args=("date", newest),
                  help="Step to the latest date with a new event")
        if n2.button("Mark as seen", key="mark_seen"):
            userdata.mark_looked()
            st.rerun()
    _watcher(feeds, web_sig_loaded)

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
# A step taken in the browser (Previous / Next / Play, handled by the map's own script:
# NM.setupNav in geo/static/newsmap.js) is reported back through the map's value, under
# NAV_URL in its "selected_layers": {"date", "playing", "n"}. Each report (a new n) is
# applied once (mapview.apply_nav_report).
mapview.apply_nav_report(st.session_state, mapview.nav_report(st.session_state.get("map")),
                         dates)
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


# ---- header + controls -----------------------------------------------------------------

n_located = index.n_located
st.markdown(
    f'<p class="nm-h1">News-event map<span>{len(articles)} articles · {len(events)} events'
    f" · {n_located} on the map · {len(dates)} dates"
    + (f' · <b class="nm-new">{n_new} new since you looked</b>' if n_new else "")
    + "</span></p>",
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
# Play ticks in the browser (NM.setupNav): each tick is due one interval after the previous
# one started, the map and the cards change in the same frame, and the date comes back here
# as a report (above). The server only says whether it is playing and how fast.

# ---- review: the analyst's corrections (geo/review) ---------------------------------------

REVIEW_QUEUE_ROWS = 8
ADD = "\0add"  # rv_open value for the "add an event" dialog
articles_by_name = {a.name: a for a in articles}


def _open_review(event_id: str, article: str | None = None) -> None:
    st.session_state["rv_open"] = event_id
    if article:
        st.session_state["rv_add_article"] = article


def _close_review() -> None:
    st.session_state["rv_open"] = None


@st.cache_resource(show_spinner=False, max_entries=2)
def _geocoder(is_online: bool):
    from geo.geocode import Geocoder

    return Geocoder(online=is_online)


def _saved(correction, message: str) -> None:
    """Save one correction; on success close the dialog and rerun the whole page (map,
    cards, exports); on failure say why and keep what the user typed."""
    try:
        rv_log.save(correction)
    except StoreError as exc:
        st.error(_plain(f"Not saved: {exc}"))
        return
    st.session_state["rv_open"] = None
    for k in [k for k in st.session_state if str(k).startswith("rv_")
              and str(k).endswith(("_lat", "_lon", "_pname"))]:
        del st.session_state[k]  # the next review of this event starts from its own values
    st.session_state.setdefault("_rv_toasts", []).append(message)
    st.rerun()


def _place_from(name: str, near: str, lat, lon, precision: str):
    """The place the user gave: a point wins over a name; None when neither was given."""
    if lat is not None and lon is not None:
        return rv_actions.place_by_point(lat, lon, name, precision)
    if name.strip():
        return rv_actions.place_by_name(name, _geocoder(online), near=near)
    return None


def _place_fields(prefix: str, near_default: str) -> tuple:
    c1, c2 = st.columns([3, 2])
    name = c1.text_input("Place name (the geocoder resolves it)", key=f"{prefix}_pname",
                         placeholder="e.g. Tahrir Square")
    near = c2.text_input("Near (city or country)", value=near_default, key=f"{prefix}_near")
    c1, c2, c3 = st.columns(3)
    # a point picked on the map (_pick_point) arrives through session state: no default then
    unset = {} if f"{prefix}_lat" in st.session_state else {"value": None}
    lat = c1.number_input("…or a point: latitude", min_value=-90.0, max_value=90.0,
                          format="%.5f", key=f"{prefix}_lat", **unset)
    lon = c2.number_input("longitude", min_value=-180.0, max_value=180.0,
                          format="%.5f", key=f"{prefix}_lon", **unset)
    prec = c3.selectbox("Point precision", ["landmark", "city", "region", "country"],
                        key=f"{prefix}_pprec")
    return name, near, lat, lon, prec


def _start_pick(prefix: str, reopen: str, title: str) -> None:
    """Close the dialog and let the next click on the map set the point (_pick_point)."""
    st.session_state["rv_pick"] = {"prefix": prefix, "reopen": reopen, "title": title}
    st.session_state["rv_open"] = None


def _pick_button(prefix: str, reopen: str, title: str) -> None:
    # (a button in a dialog reruns the dialog alone: st.rerun() closes it)
    if st.button("Pick the point on the map", key=f"{prefix}_pick",
                 icon=":material/location_on:",
                 help="Closes this window; click the map where it happened, and it reopens "
                      "with that point"):
        _start_pick(prefix, reopen, title)
        st.rerun()


def _article_viewer(name: str, focus: str | None = None, height: int = 260) -> None:
    a = articles_by_name.get(name)
    if a is None or not a.text.strip():
        st.caption(_plain(f"{name}: its text is not loaded here."))
        return
    evidence = rv_viewer.evidence_of(events_all, name)
    context = rv_viewer.focus_html(a.text, evidence, focus) if focus else ""
    if context:
        st.caption("In context (its paragraph):")
        st.markdown(context, unsafe_allow_html=True)
    st.caption(_plain(f"{name} · {a.date or 'undated'} · highlighted: sentences that "
                      "gave events"))
    with st.container(height=height, border=True):
        st.markdown(rv_viewer.article_html(a.text, evidence, focus), unsafe_allow_html=True)


def _originals(e) -> str:
    o = e.original or {}
    parts = []
    for k, v in o.items():
        if k == "date_inferred":
            continue
        if isinstance(v, dict):
            v = v.get("name")
        parts.append(f"{k.replace('_', ' ')}: {v if v not in (None, '') else '—'}")
    return "Originally " + "; ".join(parts) if parts else ""


@st.dialog("Review an event", width="large", on_dismiss=_close_review)
def _review_dialog(event_id: str) -> None:
    e = next((x for x in events_all if x.id == event_id), None)
    if e is None:
        gone = [(x, c) for x, c in reviewed.removed if x.id == event_id]
        if gone:
            x, c = gone[-1]
            st.markdown(_plain(f"“{x.title}” was {c.describe().split(' ', 1)[1]}."))
            if st.button("Undo", key="rv_undo_removed", type="primary"):
                _saved(rv_actions.undo(c), f"Restored: {x.title}")
        else:
            st.caption("This event is no longer in the data.")
        return
    st.markdown(mapview.card_html(timeline.card(e)), unsafe_allow_html=True)
    if e.original:
        st.markdown(f'<div class="nm-orig">{html.escape(_originals(e))}</div>',
                    unsafe_allow_html=True)
    mine = reviewed.history.get(e.id, [])
    c1, c2, c3 = st.columns(3)
    if c1.button("✓ Confirm", key="rv_confirm", type="primary",
                 disabled=e.review_status != "auto", width="stretch",
                 help="Checked: the event is right as it is"):
        _saved(rv_actions.confirm(e, hashes), f"Confirmed: {e.title}")
    if c2.button("↶ Undo last change", key="rv_undo", disabled=not mine, width="stretch",
                 help=mine[-1].describe() if mine else "Nothing to undo"):
        _saved(rv_actions.undo(mine[-1]), f"Undone: {mine[-1].describe()}")
    src = e.sources[0] if e.sources else None
    if c3.button("+ Add a missed event", key="rv_to_add", width="stretch",
                 help="From a sentence of this article"):
        _open_review(ADD, src.article if src else None)
        st.rerun()
    t_edit, t_remove, t_merge, t_article = st.tabs(["Edit", "Remove", "Merge", "Article"])
    with t_edit:
        _pick_button(f"rv_{e.id}", e.id, e.title)
    with t_edit, st.form("rv_edit_form", border=False):
        c1, c2 = st.columns([3, 2])
        date = c1.text_input("Date (YYYY-MM-DD, YYYY-MM or YYYY)", value=e.date or "",
                             key=f"rv_date_{e.id}")
        precs = list(rv_actions.PRECISIONS)
        prec = c2.selectbox("Date precision", precs, key=f"rv_dprec_{e.id}",
                            index=precs.index(e.date_precision)
                            if e.date_precision in precs else 0)
        near = (e.place.city or e.place.country or "") if e.place else ""
        pname, pnear, lat, lon, pprec = _place_fields(f"rv_{e.id}", near)
        c1, c2 = st.columns(2)
        cats = list(CATEGORIES)
        category = c1.selectbox("Category", cats, key=f"rv_cat_{e.id}",
                                index=cats.index(e.category) if e.category in cats else 0)
        statuses = list(rv_actions.STATUSES)
        status = c2.selectbox("Status", statuses, key=f"rv_status_{e.id}",
                              index=statuses.index(e.status) if e.status in statuses else 0)
        title = st.text_input("Title", value=e.title, key=f"rv_title_{e.id}")
        if st.form_submit_button("Save changes", type="primary", key="rv_save"):
            try:
                place = _place_from(pname, pnear, lat, lon, pprec)
                c = rv_actions.edit(e, hashes, date=date if date.strip() else None,
                                    date_precision=prec, place=place, category=category,
                                    status=status, title=title)
            except rv_actions.InvalidCorrection as exc:
                st.error(_plain(f"Not saved: {exc}"))
            else:
                _saved(c, f"Saved: {c.describe()}")
    with t_remove:
        reason = st.radio("Why remove it?", list(REMOVE_REASONS), format_func=REMOVE_REASONS.get,
                          key="rv_reason", horizontal=True)
        if st.button("Remove this event", key="rv_remove"):
            _saved(rv_actions.remove(e, hashes, reason), f"Removed: {e.title}")
    with t_merge:
        others = [x for x in events_all if x.id != e.id
                  and (x.date or "")[:7] == (e.date or "")[:7]][:300]
        if not others:
            st.caption("No other event in this month to merge it into.")
        else:
            into = st.selectbox("Merge into (its sources move there; this one goes)", others,
                                format_func=lambda x: f"{x.date or 'undated'} · {x.title} · "
                                                      f"{timeline.place_label(x)}",
                                key="rv_into")
            if st.button("Merge", key="rv_merge"):
                _saved(rv_actions.merge_into(e, into, hashes), f"Merged into: {into.title}")
    with t_article:
        for s in e.sources[:3]:
            _article_viewer(s.article, focus=s.sentence)


@st.dialog("Add an event the extractor missed", width="large", on_dismiss=_close_review)
def _add_dialog() -> None:
    names = [a.name for a in articles]
    if not names:
        st.caption("No articles loaded.")
        return
    want = st.session_state.get("rv_add_article")
    article = st.selectbox("Article", names, key="rv_add_art",
                           index=names.index(want) if want in names else 0)
    a = articles_by_name[article]
    _article_viewer(article, height=220)
    sents = rv_viewer.sentences(a.text, rv_viewer.evidence_of(events_all, article))
    options = [s.text for s in sents]
    picked = st.selectbox("Evidence sentence (★ already gave an event)", options, index=None,
                          key=f"rv_add_sent_{article}", placeholder="Select a sentence…",
                          format_func=lambda t: ("★ " if any(s.evidence and s.text == t
                                                              for s in sents) else "") + t)
    _pick_button("rv_add", ADD, "the event you add")
    with st.form("rv_add_form", border=False):
        typed = st.text_area("…or type (paste) the sentence", key="rv_add_typed", height=68)
        c1, c2 = st.columns([3, 2])
        date = c1.text_input("Date (YYYY-MM-DD, YYYY-MM or YYYY)", value=a.date or "",
                             key="rv_add_date")
        prec = c2.selectbox("Date precision", list(rv_actions.PRECISIONS), key="rv_add_dprec")
        pname, pnear, lat, lon, pprec = _place_fields("rv_add", "")
        c1, c2 = st.columns(2)
        category = c1.selectbox("Category", list(CATEGORIES), key="rv_add_cat")
        status = c2.selectbox("Status", list(rv_actions.STATUSES), key="rv_add_status")
        title = st.text_input("Title", key="rv_add_title",
                              placeholder="e.g. Protesters storm the embassy")
        if st.form_submit_button("Add the event", type="primary", key="rv_add_save"):
            try:
                place = _place_from(pname, pnear, lat, lon, pprec)
                c = rv_actions.add(article, typed.strip() or picked or "", hashes,
                                   date=date.strip() or None, date_precision=prec,
                                   place=place, category=category, title=title,
                                   status=status)
            except rv_actions.InvalidCorrection as exc:
                st.error(_plain(f"Not added: {exc}"))
            else:
                _saved(c, f"Added: {c.details['title']}")


for _msg in st.session_state.pop("_rv_toasts", []):
    st.toast(_plain(_msg), icon=":material/check_circle:")

_rv_open = st.session_state.get("rv_open")
if _rv_open == ADD:
    _add_dialog()
elif _rv_open:
    _review_dialog(_rv_open)

# ---- map + feed ---------------------------------------------------------------------------

want_date = st.session_state.get("_want_date") or None
if snapshot_mode and (not events or (want_date and want_date not in dates)):
    # the PNG export (geo/snapshot.py) waits for the map or this, so it fails in seconds
    st.markdown('<div class="nm-snapshot-error">' + html.escape(
        f"No events on {want_date}" if want_date and events else "No events")
        + (" with these filters" if _fkey != json.dumps([[], [], [], True, "all"]) else "")
        + "</div>", unsafe_allow_html=True)
    st.stop()
step = index.step(current, mode)
_view_key = hashlib.sha1(_fkey.encode()).hexdigest()[:10]
_filtered = bool(f_cat or f_country or f_article or not f_bg or f_review != "all")
_new_sig = hashlib.sha1("\0".join(sorted(new_names)).encode()).hexdigest()[:10]
_data_key = hashlib.sha1(f"{rv_version}|{_new_sig}|{online}|{id(result)}".encode()
                         ).hexdigest()[:10]


def _feed_cards(date: str | None) -> tuple[list[dict], int]:
    """The cards of ``date`` (the first MAX_CARDS) and how many there are."""
    cards = timeline.mark_new(timeline.cards_for(index.on_date(date), date), new_names)
    return cards[:timeline.MAX_CARDS], len(cards)


def _undated_cards() -> list[dict]:
    return [timeline.card(ev, current=False) for ev in index.undated[:timeline.MAX_CARDS]]


def _undated_note() -> str:
    n_und = len(index.undated)
    if not n_und or mode == "all":
        return ""
    return (f"{n_und} undated event{'s' if n_und != 1 else ''}: shown with "
            f"“{timeline.MODES['all']}”.")


def _build_payload(date: str | None) -> dict:
    """One step's payload: the map's (geo/mapview.py step_payload_for), its feed, and where
    it sits among the dates. ``rev`` names its content: the feed the server draws carries it,
    so the browser knows when that feed shows what the map shows."""
    p = (mapview.step_payload_for(step, online=online) if date == current
         else mapview.step_payload_for(index.step(date, mode), online=online))
    p["view_key"] = _view_key  # the map fits what is left when the filters change (FEED_JS)
    p["filtered"] = _filtered
    p["data_key"] = _data_key  # the browser drops the neighbours it holds when this changes
    cards, n_cards = _feed_cards(date)
    und = _undated_cards() if mode == "all" else []
    i = dates.index(date) if date in dates else None
    p["nav"] = {
        "date": date, "i": i, "n": len(dates), "short": timeline.short_label(date),
        "prev": dates[i - 1] if i is not None and i > 0 else None,
        "next": dates[i + 1] if i is not None and i + 1 < len(dates) else None,
    }
    key = f"{date}|{mode}|{_view_key}"
    p["feed"] = mapview.feed_payload(key, timeline.date_label(date), cards, n_cards, und,
                                     len(index.undated), _undated_note())
    p["rev"] = hashlib.sha1(mapview.js_json(p).encode()).hexdigest()[:12]
    p["feed"]["key"] = f"{key}#{p['rev']}"
    return p


def step_payload(date: str | None) -> dict:
    """:func:`_build_payload`, kept per loaded result, filters, mode and date (a step and
    its neighbours are asked for again on every step)."""
    if result is None:
        return _build_payload(date)
    kept = result.__dict__.setdefault("_nm_payloads", {})  # shared by the sessions
    k = (rv_version, _fkey, mode, online, _new_sig, date)
    p = kept.pop(k, None)  # then put back: the most recently used go last
    if p is None:
        p = _build_payload(date)
    kept[k] = p
    while len(kept) > PAYLOADS_KEPT:
        try:
            kept.pop(next(iter(kept)))
        except (StopIteration, KeyError, RuntimeError):  # another session trimmed it
            break
    return p


_here = step_payload(current)
_i = _here["nav"]["i"]
payload = dict(_here, live={
    # what the server knows: the last report it applied, whether it plays and how fast
    "ack": st.session_state.get("_nav_seen"),
    "playing": bool(st.session_state.get("playing")),
    "interval": interval,
    # the neighbouring steps, for the browser to show without asking (none in a PNG), but
    # not those the map said it holds
    "ahead": [] if snapshot_mode or _i is None else [
        p for p in (step_payload(dates[_i + k]) for k in
                    (AHEAD_PLAYING if st.session_state.get("playing") else AHEAD)
                    if 0 <= _i + k < len(dates))
        if p["rev"] not in st.session_state.get("_nav_have", ())],
})
def _base_summary() -> dict:
    return derived("base", lambda: mapview.base_summary(events_all), keep=True)


col_map, col_feed = st.container(key="nm_main").columns([7, 3], gap="small")
# whether the map has reported its view in this session (st_folium keeps its value under
# the map's key once the page sends one; what st_folium returns before that is the map's
# own options, a zoom included)
map_reported = st.session_state.get("map") is not None
picking = st.session_state.get("rv_pick")


def _cancel_pick() -> None:
    st.session_state["rv_open"] = st.session_state.pop("rv_pick", {}).get("reopen")


with col_map:
    if picking:
        st.info(_plain(f"Click the map where “{picking['title']}” happened (zoom in "
                       "first for a street-level point)."), icon=":material/location_on:")
        st.button("Cancel picking", key="rv_pick_cancel", on_click=_cancel_pick)
        # a map of its own while picking (it reports clicks; the stepping map does not, so
        # clicking it never costs a rerun)
        pick_state = st_folium(
            mapview.base_map(events_all, tiles=tile_layers, base=opening_base,
                             summary=_base_summary()),
            key="map_pick", height=map_height - 110, use_container_width=True,
            returned_objects=["last_clicked"],
            feature_group_to_add=mapview.step_group(payload)) or {}
        clicked = pick_state.get("last_clicked")
        if clicked and clicked.get("lat") is not None:
            prefix = picking["prefix"]
            st.session_state[f"{prefix}_lat"] = max(-90.0, min(90.0, float(clicked["lat"])))
            lng = (float(clicked["lng"]) + 180.0) % 360.0 - 180.0  # a wrapped world copy
            st.session_state[f"{prefix}_lon"] = lng
            st.session_state["rv_open"] = picking["reopen"]
            st.session_state.pop("rv_pick", None)
            st.rerun()
    # the view comes back (a rerun after a pan or zoom, the map stays) for "This view as PNG"
    map_state = {} if picking else st_folium(
        mapview.base_map(events_all, tiles=tile_layers, base=opening_base,
                         summary=_base_summary()),
        key="map",
        height=map_height,  # the PNG's height in snapshot mode: the map is made at its size
        use_container_width=True,
        returned_objects=[] if snapshot_mode else ["center", "zoom", "bounds",
                                                   "selected_layers"],
        feature_group_to_add=mapview.step_group(payload,
                                                view=snap_view.js() if snap_view else None),
    ) or {}
# the base layer on the map: the user's last pick in its layer control (the map reports a
# list, empty until a pick, and again after a remount), else the opening one; the PNG
# export draws it and the URL carries it
_reported = map_state.get("selected_layers")
if _reported is not None:
    st.session_state["_base"] = tiles.reported(_reported, tile_layers)
chosen_base = st.session_state.get("_base") or opening_base or tiles.default(tile_layers)


# The per-date chart is drawn once the map has reported its first view (a rerun right after
# its first paint) or in any later run of the session: drawn with the first page, its
# Altair (0.3-0.5 s of the script) and its Vega bundle (two dozen chunks to load and compile
# in the page) came before the map's frame (bench/README.md, "Restart at the floor"). A
# PNG (its map does not report) draws it at once, as before.
chart_now = snapshot_mode or map_reported or bool(st.session_state.get("_url_written"))

with col_feed:
    per_date = index.per_date
    if per_date:
        st.markdown('<div class="nm-feed-sub">Events per date · click a bar</div>',
                    unsafe_allow_html=True)
        # while playing, the chart stays as it was when Play started: redrawn at every step
        # its view costs the browser more than a step does (the map's own feed and the
        # slider show the date); it moves again at the pause
        chart_at = st.session_state.get("_chart_at") if playing else current
        chart_at = chart_at if chart_at in dates else current
        st.session_state["_chart_at"] = chart_at
        st.session_state["_chart_key"] = f"date_chart:{chart_at}"
        st.session_state["_chart_done"] = None
        if chart_now:
            st.altair_chart(datechart.chart(per_date, chart_at, CHART_HEIGHT),
                            on_select="rerun", selection_mode=datechart.SELECTION,
                            key=st.session_state["_chart_key"], width="stretch")
        else:  # its place, as tall as the chart, until the map has reported (chart_now)
            st.space(CHART_HEIGHT)
    cards, n_cards = _feed_cards(current)
    feed = st.container(height=MAP_HEIGHT - CHART_HEIGHT - 40, border=False, key="feed")
    _feed_key = html.escape(_here["feed"]["key"], quote=True)
    feed.markdown(
        f'<div class="nm-feed-head" data-nm-feed="{_feed_key}">'
        f"{html.escape(timeline.date_label(current))} "
        f"<span>{n_cards} event{'s' if n_cards != 1 else ''}</span></div>",
        unsafe_allow_html=True,
    )
    if playing:
        # the map's own copy of the feed shows each step (NM.setupNav, from the same payload
        # as the map): the server's is drawn again at the pause, and not compared till then
        _feed_key += "#playing"
        cards, n_cards, undated_shown = [], 0, False
    else:
        undated_shown = True
    if not cards and not playing:
        feed.caption("No events on this date with the current filters.")
    for c in cards:
        feed.markdown(mapview.card_html(c), unsafe_allow_html=True)
        feed.button("✎ Review", key=f"rv_open_{c['id']}", on_click=_open_review,
                    args=(c["id"],), help="Confirm, correct, remove or merge this event")
    if n_cards > len(cards):
        feed.caption(f"{n_cards - len(cards)} more events on this date (the map shows all): "
                     "filter by category or country to list them.")
    undated_events = index.undated if undated_shown else []
    if undated_events and mode == "all":
        feed.markdown('<div class="nm-feed-head">Undated</div>', unsafe_allow_html=True)
        for ev in undated_events[:timeline.MAX_CARDS]:
            feed.markdown(mapview.card_html(timeline.card(ev, current=False)),
                          unsafe_allow_html=True)
            feed.button("✎ Review", key=f"rv_open_{ev.id}", on_click=_open_review,
                        args=(ev.id,))
        if len(undated_events) > timeline.MAX_CARDS:
            feed.caption(f"{len(undated_events) - timeline.MAX_CARDS} more undated events "
                         "(the map shows all).")
    elif undated_events:  # otherwise they would be invisible: say where they are
        n_und = len(undated_events)
        feed.caption(f"{n_und} undated event{'s' if n_und != 1 else ''}: shown with "
                     f"“{timeline.MODES['all']}”.")
    # the end of this run's feed: the browser shows its own copy of the map's feed until
    # the server's is all there (FEED_JS, NM.setupNav)
    feed.markdown(f'<div class="nm-feed-end" data-nm-feed="{_feed_key}"></div>',
                  unsafe_allow_html=True)

# ---- review queue (in the sidebar, after the map: the map does not wait for it) -----------

with sb.expander("Review", expanded=bool(rv_error or reviewed.unmatched)):
    if rv_error:
        st.error(_plain(rv_error))
    n_reviewed = derived("n_reviewed", lambda: rv_queue.count_reviewed(events_all), True)
    st.caption(f"{n_reviewed:,} of {len(events_all):,} events reviewed · "
               f"{len(reviewed.removed):,} removed")
    st.button("+ Add an event the extractor missed", key="rv_add_open",
              on_click=_open_review, args=(ADD,), width="stretch")
    todo = derived("queue", lambda: rv_queue.queue(events_all), keep=True)
    if todo:
        st.markdown("**Review queue** (most uncertain first)")
    for item in todo[:REVIEW_QUEUE_ROWS]:
        st.button(f"{item.event.date or 'undated'} · {item.event.title}",
                  key=f"rv_q_{item.event.id}", on_click=_open_review, args=(item.event.id,),
                  help="; ".join(item.reasons), width="stretch", type="tertiary")
    if len(todo) > REVIEW_QUEUE_ROWS:
        st.caption(f"{len(todo) - REVIEW_QUEUE_ROWS:,} more need review "
                   "(filter: Needs review).")
    if reviewed.unmatched:
        st.warning(f"{len(reviewed.unmatched)} correction(s) match no event of this "
                   "extraction (the article changed, or the extractor no longer finds it):")
        for c in reviewed.unmatched[:LIST_ROWS]:
            c1, c2 = st.columns([4, 1])
            c1.caption(_plain(f"{c.describe()}: “{c.key.sentence[:90]}”"))
            if c2.button("✕", key=f"rv_withdraw_{c.id}", help="Withdraw this correction"):
                try:
                    rv_log.save(rv_actions.undo(c))
                except StoreError as exc:
                    st.error(_plain(str(exc)))
                else:
                    st.rerun()
    if reviewed.removed and st.toggle(f"Removed events ({len(reviewed.removed):,})",
                                      key="rv_removed_open"):
        for x, c in reviewed.removed[-LIST_ROWS:]:
            c1, c2 = st.columns([4, 1])
            c1.caption(_plain(f"{x.date or 'undated'} · {x.title} "
                              f"({c.describe().split(' ', 1)[1]})"))
            c2.button("↶", key=f"rv_restore_{c.id}", help="Undo the removal",
                      on_click=_open_review, args=(x.id,))

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
                                         tiles=tile_layers, base=chosen_base),
    file_name=f"map-{current or 'all'}-{mode}.html", mime="text/html", key="dl_html",
)


def _png(
    view: tuple = (current, mode, tuple((q, tuple(st.session_state.get(k) or ()))
                                        for q, k in FILTER_PARAMS.items())
                   + (((BACKGROUND_PARAM, ("0",)),) if not f_bg else ())
                   + ((BASE_PARAM, (chosen_base,)),),
                   (map_state.get("center"), map_state.get("zoom"), map_state.get("bounds"))),
) -> bytes:
    """This view (date, mode, filters, base layer, the map's centre, zoom and size) as a PNG
    of the map frame, from headless Chromium on this server (a base layer whose tiles do not
    load there is drawn as the offline one, with the map's notice saying so).

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
want_qp[BASE_PARAM] = None if chosen_base == tiles.default(tile_layers) else chosen_base
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
if map_reported or not first_run:
    # a computed result (not one read from the run cache, frozen as it was read): its
    # garbage collected and the rest frozen once the map has reported; in the first run
    # the full collection (~1 s at 10,000 articles) held the GIL while the map's frame
    # loaded from this process
    _frozen(result)
_pipeline = sys.modules.get("geo.pipeline")
_keep = getattr(_pipeline, "keep_derived", None)
_release = getattr(_pipeline, "release_writes", None)
if _keep is not None and _release is not None and result is not None:
    # what this page derived is stored with the result's row, and a run's rows are
    # written, once the map has been drawn: it reports its view (a rerun), which the
    # first run of a session comes before (the writer holds the GIL while it pickles,
    # the map's frame is loading from this process); at most WRITE_DELAY_S later
    _keep(result)
    if map_reported or not first_run:
        _release(after_s=1.0)
