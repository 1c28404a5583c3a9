"""``kejifu upgrade DIR [--url URL]``: upgrade a store written by an older kejifu, once.

Opening a store writable upgrades it (:mod:`kejifu.store.migrate`: schema 1 → 2 in one
transaction); this command does just that and says what it did — ``upgraded schema 1 → 2: N
report rows, M series`` or ``already schema 2``. ``--rebuild-pages`` also computes every month's
page of latest figures again from the report rows (what ``kejifu check`` asks for when a page
disagrees with them). Exit 0; 1 when the store cannot be upgraded (a
report row that is not its batch's: nothing changed) or the folder is not a workspace.
"""

from __future__ import annotations

import argparse

from .. import display
from ..i18n import both
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser("upgrade", help=both("migrate.help"), description=both("migrate.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--url", metavar="URL", help=both("rel.url"))
    p.add_argument("--rebuild-pages", action="store_true", help=both("migrate.rebuild_help"))
    p.set_defaults(func=run)


def done_line(done) -> str:
    """What an upgrade (:class:`kejifu.store.migrate.Upgrade`) did, in Chinese and English."""
    counts = {"reports": display.number(done.reports), "series": display.number(done.series)}
    return both("migrate.done", old=done.from_version, new=done.to_version, **counts)


def run(args: argparse.Namespace) -> int:
    from ..store import Store
    from ..store.migrate import rebuild_pages, upgraded

    paths.workspace(args.dir)
    with Store.open(args.dir, url=args.url) as store:
        done = upgraded(store)
        version = store.meta().get("schema_version")
        rebuilt = rebuild_pages(store) if args.rebuild_pages else None
    if done is None:
        print(both("migrate.already", version=version))
    else:
        print(done_line(done))
    if rebuilt is not None:
        print(both("migrate.rebuilt", n=display.number(rebuilt)))
    return 0
