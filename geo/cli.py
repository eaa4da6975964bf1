"""`python -m geo ...`: the library's jobs from the shell.

  extract PATH...      events as JSONL (default), CSV, GeoJSON, a standalone HTML map or a
                       partitioned Parquet folder (--out DIR); PATH may be a .txt or .html
                       file, a folder, or a page's or feed's URL; --engine dask ADDRESS
                       extracts on a Dask cluster
  watch FEED_OR_URL... poll feeds, print the events of new articles (--every 10m, --once)
  geocode TEXT         one place as JSON
  score --gold F PATH  precision / recall / date and place accuracy against a gold file
  train                fit the sentence classifier (geo/extract/data/sentence_model.json)
  snapshot             PNG of the map frame: date, mode, filters, view, size (Chromium)
  review ...           list, confirm, edit, remove, merge, add, undo events (corrections)
  db check|export|import   the user's database: integrity, backup, restore

Problems with input files go to stderr, one line each; the exit status is 1 when any
file was skipped, 0 otherwise (extract: 2 when it could not run, e.g. the Dask scheduler
cannot be reached or --out cannot be written).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from pathlib import Path

from geo.paths import SEEDS_DIR


def _add_online(p: argparse.ArgumentParser) -> None:
    p.add_argument("--online", action="store_true", default=None,
                   help="also ask OpenStreetMap Nominatim (rate-limited, cached); default: "
                        "offline unless NEWSMAP_ONLINE=1")


PROGRESS_MIN_ARTICLES = 50  # fewer articles than this: done before a progress line helps


class ProgressLine:
    """``progress(done, total)`` for the pipeline: one self-overwriting line on ``stream``
    ("extracting: 1,234 / 10,000 articles (12%)"), erased when the run is done.

    Shown only when ``stream`` is a terminal and the run has more than
    ``PROGRESS_MIN_ARTICLES`` articles: piped or redirected stderr stays clean.
    Redrawn at most every ``interval`` seconds.
    """

    def __init__(self, stream=None, interval: float = 0.1):
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.enabled = _isatty(self.stream)
        self._shown = False
        self._last = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= PROGRESS_MIN_ARTICLES:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        pct = 100 * done // total
        self.stream.write(f"\r\033[Kextracting: {done:,} / {total:,} articles ({pct}%)")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the line, so what follows on stderr starts on a clean line."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
            self._last = float("-inf")  # redraw on the next call

    @contextlib.contextmanager
    def logging_above(self):
        """While the line is up, a warning logged to stderr (a skipped article) first
        erases it, instead of being glued to its end. Only when logging is not configured
        (Python's last-resort handler would print those warnings to stderr anyway)."""
        root = logging.getLogger()
        if not self.enabled or root.handlers:
            yield
            return
        line = self

        class Handler(logging.StreamHandler):
            def emit(self, record):
                line.close()
                super().emit(record)

        handler = Handler(self.stream)
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)
        try:
            yield
        finally:
            root.removeHandler(handler)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _run(paths, online: bool | None, use_cache: bool = True, method: str | None = None,
         progress: ProgressLine | None = None, jobs: int | None = None, engine=None):
    from geo import extract, pipeline

    files, web, web_problems, offline = _read_web(paths or [])
    logs = progress.logging_above() if progress is not None else contextlib.nullcontext()
    try:
        with logs:
            result = pipeline.run(files if paths else [SEEDS_DIR], online=online,
                                  use_cache=use_cache, extra_articles=web,
                                  method=method or extract.DEFAULT_METHOD, progress=progress,
                                  jobs=jobs, engine=engine)
    finally:
        if progress is not None:
            progress.close()
    result.problems[:0] = web_problems
    _print_problems(result.problems)
    if offline:
        print("note: the network is down (or those names do not exist): the URLs could not "
              "be read; files were read as usual", file=sys.stderr)
    return result


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"{'skipped' if problem.skipped else 'warning'}: {problem}", file=sys.stderr)


def _read_web(paths):
    """(text paths, articles read from URLs and .html files, their problems, offline)."""
    from geo.web import read

    web = [str(p) for p in paths if read.is_web_input(str(p)) and not Path(p).is_dir()]
    saved = [str(f) for p in paths if Path(p).is_dir()  # a folder's saved pages too
             for f in sorted(Path(p).iterdir()) if f.suffix.lower() in read.HTML_SUFFIXES]
    if not web and not saved:
        return list(paths), [], [], False
    from geo.web.fetch import Fetcher

    got = read.read_inputs(web + saved, Fetcher.from_env())
    return [p for p in paths if str(p) not in web], got.articles, got.problems, got.offline


def cmd_extract(args) -> int:
    from geo import engines, export

    fmt = args.format or ("parquet" if args.engine else "jsonl")
    if fmt == "parquet" and not args.out:
        print("extract: --format parquet writes a folder: give --out DIR", file=sys.stderr)
        return 2
    engine = None
    if args.engine:  # connect first: a wrong address costs seconds, not a whole run
        if args.engine[0] != "dask":
            print(f"extract: unknown engine {args.engine[0]!r}; expected: --engine dask "
                  "SCHEDULER_ADDRESS", file=sys.stderr)
            return 2
        try:
            engine = engines.DaskEngine.connect(args.engine[1])
        except engines.EngineError as exc:
            print(f"extract: {exc}", file=sys.stderr)
            return 2
    progress = ProgressLine(sys.stderr)
    try:
        result = _run(args.paths, args.online, use_cache=not args.no_cache, method=args.method,
                      progress=progress if progress.enabled else None, jobs=args.jobs,
                      engine=engine)
    except engines.EngineError as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 2
    finally:
        if engine is not None:
            engine.close()
    if not args.raw:
        result = _with_corrections(result)
    if fmt == "parquet":
        from geo import parquet

        try:
            info = parquet.write_events(result.events, args.out)
        except (parquet.EventsFolderError, OSError) as exc:
            print(f"extract: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {info['events']:,} events in {len(info['partitions'])} partitions "
              f"to {args.out}", file=sys.stderr)
        return 1 if any(p.skipped for p in result.problems) else 0
    if fmt == "html":  # the dashboard's "This map as HTML": all events, all dates
        from geo import mapview, timeline

        shown = timeline.select(result.events, None, "all")
        text = mapview.standalone_html(result.events, shown, None, "all")
    else:
        writer = {"jsonl": export.to_jsonl, "csv": export.to_csv, "geojson": export.to_geojson}
        text = writer[fmt](result.events)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"extract: cannot write {args.out} ({exc.strerror or exc})", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 1 if any(p.skipped for p in result.problems) else 0


def cmd_watch(args) -> int:
    """Poll, print the events of new articles, sleep, again; Ctrl-C ends it cleanly."""
    from geo import export, extract, pipeline
    from geo.web import watch
    from geo.web.fetch import Fetcher

    fetcher = Fetcher.from_env()
    writer = {"jsonl": export.to_jsonl, "csv": export.to_csv, "geojson": export.to_geojson}
    failed = False
    try:
        while True:
            report = watch.poll(args.sources, fetcher)
            _print_problems(report.problems)
            failed = failed or any(p.skipped for p in report.problems)
            stamp = time.strftime("%H:%M:%S")
            print(f"watch {stamp}: {report.summary()}", file=sys.stderr, flush=True)
            if report.articles:
                result = pipeline.run([], online=args.online, extra_articles=report.articles,
                                      method=args.method or extract.DEFAULT_METHOD)
                _print_problems(result.problems)
                sys.stdout.write(writer[args.format](result.events))
                sys.stdout.flush()
            if args.once:
                return 1 if failed else 0
            time.sleep(args.every)
    except KeyboardInterrupt:
        print("watch: stopped; the next watch resumes where this one ended", file=sys.stderr)
        return 0


def _every(text: str) -> float:
    from geo.web.watch import parse_every

    try:
        return parse_every(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _with_corrections(result):
    """The user's corrections applied on top of the extraction (``--raw`` skips this); a
    correction that matches nothing now, or a database that cannot be read, is said on
    stderr and the events are still printed."""
    from geo.review import service

    corrections, error = service.load_corrections()
    if error:
        print(f"warning: {error}", file=sys.stderr)
        return result
    if not corrections:
        return result
    reviewed = service.review(result, corrections)
    for c in reviewed.unmatched:
        print(f"unmatched: correction {c.describe()} matches no event now "
              f"(sentence: {c.key.sentence[:80]!r})", file=sys.stderr)
    result.events = reviewed.events
    return result


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return n


def cmd_geocode(args) -> int:
    from geo.geocode import Geocoder

    place = Geocoder(online=args.online).geocode_query(args.text, near=args.near)
    print(json.dumps(place.to_dict(), ensure_ascii=False, indent=2))
    return 0 if place.lat is not None else 1


def cmd_score(args) -> int:
    from geo import score

    result = _run(args.paths, args.online, method=args.method)
    gold = score.load_gold(args.gold)
    if score.is_conventions_gold(gold):
        s = score.score_conventions(result.events, gold)
        print(score.report_conventions(result.events, gold, s) if args.verbose
              else json.dumps(s.as_dict()))
        return 0
    s = score.score(result.events, gold)
    print(score.report(result.events, gold, s) if args.verbose else json.dumps(s.as_dict()))
    return 0


def cmd_snapshot(args) -> int:
    """The map frame as a PNG; a view that can not be drawn is one line on stderr, exit 1."""
    from geo import snapshot

    notes: list[str] = []
    try:
        view = snapshot.View(center=args.center, zoom=args.zoom, bbox=args.bbox, fit=args.fit)
        filters = {"cat": args.category, "country": args.country, "article": args.article}
        out = snapshot.snapshot(
            date=args.date, mode=args.mode, out=Path(args.out), paths=args.paths or [SEEDS_DIR],
            width=args.width, height=args.height, scale=args.scale, view=view,
            filters={k: v for k, v in filters.items() if v}, background=not args.no_background,
            tiles=args.tiles, base=args.base, notes=notes,
        )
    except (snapshot.SnapshotError, ValueError, FileNotFoundError, TimeoutError) as exc:
        print(f"snapshot: {exc}", file=sys.stderr)
        return 1
    for note in notes:  # the picture was made, but not quite as asked (tiles fell back)
        print(f"snapshot: note: {note}", file=sys.stderr)
    print(out)
    return 0


def _arg(parse):
    """An argparse type from a snapshot parser (its ValueError becomes a usage error)."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def _add_method(p: argparse.ArgumentParser) -> None:
    from geo.extract import DEFAULT_METHOD, METHODS

    p.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                   help=f"extraction method (default: {DEFAULT_METHOD}; 'rules' is the "
                        "pattern baseline)")


def cmd_train(args) -> int:
    from geo.extract import train

    print(json.dumps(train.train()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the events found in articles")
    p.add_argument("paths", nargs="*", metavar="PATH_OR_URL",
                   help="files or folders of .txt articles, saved .html pages, or http(s) "
                        "URLs of pages or feeds (default: seeds/)")
    p.add_argument("--format", choices=("jsonl", "csv", "geojson", "html", "parquet"),
                   default=None,
                   help="html: the standalone map (Leaflet and data inline, works offline); "
                        "parquet: a folder partitioned by month, for --out (default: jsonl; "
                        "parquet with --engine dask)")
    p.add_argument("--out", metavar="PATH",
                   help="write there instead of to stdout (a folder for parquet, replaced "
                        "if it is one already; open it with NEWSMAP_EVENTS=PATH)")
    p.add_argument("--engine", nargs=2, default=None,
                   metavar=("dask", "SCHEDULER_ADDRESS"),
                   help="extract on a Dask cluster (e.g. tcp://127.0.0.1:8786; needs the "
                        "optional dask and distributed packages); default: this machine")
    p.add_argument("--no-cache", action="store_true", help="ignore the on-disk extraction cache")
    p.add_argument("--raw", action="store_true",
                   help="the extractor's events only, without your corrections (`review`)")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="extraction processes (default: one per core; 1: all in this one). "
                        "The pool starts only when many articles are not in the cache")
    _add_method(p)
    _add_online(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("watch", help="poll feeds and pages; print the events of new articles",
                       description="Poll RSS/Atom feeds (or pages) and print the events of "
                                   "articles not read before. What was read is remembered in "
                                   "the user data folder (watch.json): stop and start again "
                                   "without reading anything twice. Offline, a poll says so "
                                   "and the next one tries again.")
    p.add_argument("sources", nargs="+", metavar="FEED_OR_URL")
    p.add_argument("--every", type=_every, default=600.0, metavar="DURATION",
                   help="time between polls: 30s, 10m (default), 1h")
    p.add_argument("--once", action="store_true", help="poll once and exit (for cron)")
    p.add_argument("--format", choices=("jsonl", "csv", "geojson"), default="jsonl")
    _add_method(p)
    _add_online(p)
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("geocode", help="resolve one place name")
    p.add_argument("text", help='e.g. "Jumhuriya bridge" or "the Swedish embassy in Baghdad"')
    p.add_argument("--near", help="a city or country that gives context")
    _add_online(p)
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("score", help="score the extractor against a gold file")
    p.add_argument("--gold", required=True)
    p.add_argument("paths", nargs="*")
    p.add_argument("-v", "--verbose", action="store_true", help="list matches, misses, extras")
    _add_method(p)
    _add_online(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("train", help="train the sentence classifier (needs scikit-learn)")
    p.set_defaults(func=cmd_train)

    from geo import snapshot as snap
    from geo import tiles as tiles_mod

    p = sub.add_parser("snapshot", help="write a PNG of the map frame as the dashboard shows it",
                       description="The dashboard's map frame (with its date banner, legend and "
                                   "source line) as a PNG, from headless Chromium.")
    p.add_argument("--date", help="YYYY-MM-DD, a date with events; default: the latest")
    p.add_argument("--mode", choices=("date", "upto", "all"), default="upto",
                   help="this date only, up to this date (default), or all")
    p.add_argument("--out", default="map.png")
    g = p.add_argument_group("filters (as in the dashboard's sidebar; repeat to add values)")
    g.add_argument("--category", action="append", metavar="CAT", help='e.g. "riot/storming"')
    g.add_argument("--country", action="append", help="e.g. Iraq")
    g.add_argument("--article", action="append", metavar="FILE", help="an article's file name")
    g.add_argument("--no-background", action="store_true",
                   help="hide events told as background (\"the 1999 quake\")")
    g = p.add_argument_group("view (default: the dashboard's opening view)")
    g.add_argument("--center", type=_arg(snap.parse_center), metavar="LAT,LON",
                   help="centre of the picture, with --zoom")
    g.add_argument("--zoom", type=_arg(snap.parse_zoom), metavar="Z",
                   help="zoom level (e.g. 13 for a city); alone: at the opening view's centre")
    g.add_argument("--bbox", type=_arg(snap.parse_bbox), metavar="S,W,N,E",
                   help="frame this box (south, west, north, east)")
    g.add_argument("--fit", choices=snap.FITS, default="all",
                   help="all: every event, or the filtered ones (default); step: this date's")
    g.add_argument("--tiles", action="store_true",
                   help="the online base map (needs the network; falls back to the offline "
                        "layer, with a notice, when its tiles do not load); default: offline")
    g.add_argument("--base", type=str.lower, choices=tiles_mod.choices(), metavar="LAYER",
                   help="the base layer, as chosen in the map's layer control: "
                        f"{', '.join(tiles_mod.choices())}; an online one implies --tiles "
                        "(light needs NEWSMAP_CARTO_KEY)")
    g = p.add_argument_group("size")
    g.add_argument("--width", type=int, default=1400, help="map frame width, CSS px (1400)")
    g.add_argument("--height", type=int, default=900, help="map frame height, CSS px (900)")
    g.add_argument("--scale", type=float, default=1.0,
                   help="device pixels per CSS pixel: 2 for print (a 2800 x 1800 PNG)")
    p.add_argument("paths", nargs="*", help="article files or folders (default: seeds/)")
    p.set_defaults(func=cmd_snapshot)

    from geo.review import commands as review_commands
    from geo.store import commands as db_commands

    review_commands.add_parser(sub)
    db_commands.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # "| head -1": the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
