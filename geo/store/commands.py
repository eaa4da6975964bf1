"""``python -m geo db check|export|import``: the database from the shell (backup and move)."""

from __future__ import annotations

import sys

from geo.store import backup
from geo.store.errors import StoreError


def _path(args):
    from geo.paths import database_path

    return args.database or database_path()


def cmd_check(args) -> int:
    report = backup.check(_path(args))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def cmd_export(args) -> int:
    try:
        out = backup.export(_path(args), args.out)
    except (StoreError, FileExistsError) as exc:
        print(f"db export: {exc}", file=sys.stderr)
        return 1
    print(out)
    return 0


def cmd_import(args) -> int:
    try:
        report = backup.import_(args.backup, _path(args))
    except (StoreError, FileNotFoundError) as exc:
        print(f"db import: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def add_parser(sub) -> None:
    p = sub.add_parser("db", help="check, back up or restore the user's database",
                       description="The user's database (articles, dates, corrections, caches) "
                                   "in the user data "
                                   "folder: check it, copy it out, or replace it by a copy.")
    dsub = p.add_subparsers(dest="db_command", required=True)
    for name, func, helptext in (
            ("check", cmd_check, "integrity, schema version and row counts; exit 1 if not ok"),
            ("export", cmd_export, "a consistent copy to OUT (safe while the app runs)"),
            ("import", cmd_import, "replace the database by BACKUP (checked first; a damaged "
                                   "current file is set aside, never deleted)")):
        q = dsub.add_parser(name, help=helptext)
        if name == "export":
            q.add_argument("out", help="new file, e.g. backup.sqlite")
        if name == "import":
            q.add_argument("backup", help="a file written by `db export`")
        q.add_argument("--database", help="another database file (default: the user's)")
        q.set_defaults(func=func)
