"""``python -m geo review list|confirm|edit|remove|merge|add|undo|history``: the dashboard's
review actions from the shell, so a team can script them. Events are named by the ids that
``extract`` and ``review list`` print (a unique prefix of 4+ characters is enough)."""

from __future__ import annotations

import json
import sys

from geo.paths import SEEDS_DIR
from geo.review import actions, queue, service
from geo.review import log as review_log
from geo.review.corrections import REMOVE_REASONS, article_hashes
from geo.store import StoreError


def _reviewed(args):
    from geo import pipeline

    result = pipeline.run(args.paths or [SEEDS_DIR], online=getattr(args, "online", None))
    corrections = review_log.load()  # a StoreError here is the command's message
    return result, service.review(result, corrections), article_hashes(result.articles)


def _geocoder(args):
    from geo.geocode import Geocoder

    return Geocoder(online=getattr(args, "online", None))


def _place(args, near: str | None):
    if args.point:
        try:
            lat, lon = (float(x) for x in args.point.split(","))
        except ValueError:
            raise actions.InvalidCorrection("--point takes LAT,LON, e.g. 33.31,44.39") from None
        return actions.place_by_point(lat, lon, args.place or "", args.place_precision)
    if args.place:
        return actions.place_by_name(args.place, _geocoder(args), near=args.near or near)
    return None


def _near(e) -> str | None:
    return (e.place.country if e.place else None) or None


def _line(e) -> dict:
    from geo import export

    return export.record(e)


def cmd_list(args) -> int:
    result, reviewed, _ = _reviewed(args)
    if args.queue:
        for item in queue.queue(reviewed.events)[: args.limit or None]:
            print(json.dumps({"id": item.event.id, "uncertainty": item.score,
                              "why": list(item.reasons), "date": item.event.date,
                              "title": item.event.title}, ensure_ascii=False))
    else:
        for e in queue.filter_events(reviewed.events, args.status):
            print(json.dumps(_line(e), ensure_ascii=False))
    for c in reviewed.unmatched:
        print(f"unmatched: correction {c.describe()} matches no event now "
              f"(sentence: {c.key.sentence[:80]!r})", file=sys.stderr)
    return 0


def _save(c) -> int:
    saved = review_log.save(c)
    print(json.dumps({"correction": saved.id, "kind": saved.kind, "details": saved.details},
                     ensure_ascii=False))
    return 0


def cmd_confirm(args) -> int:
    _, reviewed, hashes = _reviewed(args)
    return _save(actions.confirm(service.find_event(reviewed.events, args.id), hashes))


def cmd_edit(args) -> int:
    _, reviewed, hashes = _reviewed(args)
    e = service.find_event(reviewed.events, args.id)
    return _save(actions.edit(e, hashes, date=args.date, date_precision=args.precision,
                              place=_place(args, _near(e)), category=args.category,
                              status=args.status, title=args.title))


def cmd_remove(args) -> int:
    _, reviewed, hashes = _reviewed(args)
    return _save(actions.remove(service.find_event(reviewed.events, args.id), hashes,
                                args.reason))


def cmd_merge(args) -> int:
    _, reviewed, hashes = _reviewed(args)
    e = service.find_event(reviewed.events, args.id)
    into = service.find_event(reviewed.events, args.into)
    return _save(actions.merge_into(e, into, hashes))


def cmd_add(args) -> int:
    if not args.category:
        raise actions.InvalidCorrection("--category is required for an added event")
    _, _, hashes = _reviewed(args)
    return _save(actions.add(args.article, args.sentence, hashes, date=args.date,
                             date_precision=args.precision, place=_place(args, None),
                             category=args.category, title=args.title or "",
                             status=args.status or "occurred"))


def cmd_undo(args) -> int:
    target = review_log.get(args.correction)
    if target is None:
        raise actions.InvalidCorrection(f"no correction #{args.correction} "
                                        "(see `python -m geo review history`)")
    return _save(actions.undo(target))


def cmd_history(args) -> int:
    for c in review_log.load():
        print(json.dumps({"correction": c.id, "created": c.created, "kind": c.kind,
                          "what": c.describe(), "key": c.key.to_dict(),
                          "details": c.details}, ensure_ascii=False))
    return 0


def run(args) -> int:
    """Every review command: bad input or a database problem is one line on stderr, exit 1."""
    try:
        return args.review_func(args)
    except (ValueError, StoreError) as exc:
        print(f"review {args.review_command}: {exc}", file=sys.stderr)
        return 1


def add_parser(sub) -> None:
    from geo.models import CATEGORIES

    p = sub.add_parser("review", help="list, confirm, edit, remove, merge or add events",
                       description=__doc__.split("\n\n")[0])
    rsub = p.add_subparsers(dest="review_command", required=True)

    def cmd(name, func, helptext, event=True):
        q = rsub.add_parser(name, help=helptext)
        if event:
            q.add_argument("id", help="event id (from `extract` or `review list`)")
        q.set_defaults(func=run, review_func=func)
        return q

    def paths(q):
        q.add_argument("paths", nargs="*", help="article files or folders (default: seeds/)")
        q.add_argument("--online", action="store_true", default=None,
                       help="let the geocoder ask Nominatim")

    def place(q):
        q.add_argument("--place", help="a place name, resolved by the geocoder "
                                       "(with --point: the point's name)")
        q.add_argument("--near", help="a city or country that gives the name context")
        q.add_argument("--point", metavar="LAT,LON", help="a point instead of a name")
        q.add_argument("--place-precision", default="landmark",
                       choices=("landmark", "city", "region", "country"),
                       help="how exact --point is (default: landmark)")

    def fields(q):
        q.add_argument("--date", help="YYYY-MM-DD, YYYY-MM or YYYY")
        q.add_argument("--precision", choices=actions.PRECISIONS,
                       help="date precision (default: as written)")
        q.add_argument("--category", choices=CATEGORIES)
        q.add_argument("--status", choices=actions.STATUSES)
        q.add_argument("--title")
        place(q)

    q = cmd("list", cmd_list, "events after corrections (JSONL), or the review queue",
            event=False)
    q.add_argument("--status", choices=tuple(queue.REVIEW_FILTERS), default="all",
                   help="needs: not yet reviewed; reviewed: confirmed, edited or added")
    q.add_argument("--queue", action="store_true",
                   help="unreviewed events, most uncertain first, with why")
    q.add_argument("--limit", type=int, default=0, help="at most N queue items")
    paths(q)
    paths(cmd("confirm", cmd_confirm, "mark an event as checked and right"))
    q = cmd("edit", cmd_edit, "change date, place, category, status or title")
    fields(q)
    paths(q)
    q = cmd("remove", cmd_remove, "remove an event, with a reason")
    q.add_argument("--reason", required=True, choices=tuple(REMOVE_REASONS))
    paths(q)
    q = cmd("merge", cmd_merge, "merge an event into another (its sources move there)")
    q.add_argument("--into", required=True, metavar="ID")
    paths(q)
    q = cmd("add", cmd_add, "add an event the extractor missed, from its sentence",
            event=False)
    q.add_argument("--article", required=True, help="the article's file name")
    q.add_argument("--sentence", required=True, help="the evidence sentence")
    fields(q)
    paths(q)
    q = cmd("undo", cmd_undo, "take back a correction (its number: `review history`)",
            event=False)
    q.add_argument("correction", type=int)
    cmd("history", cmd_history, "every correction, oldest first (JSONL)", event=False)
