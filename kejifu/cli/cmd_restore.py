"""``kejifu restore FILE DIR [--url URL]``: restore a ``kejifu dump`` into a new workspace.

Never overwrites: an existing workspace (plan.yaml or store) is refused. The store goes to
``--url``, else ``KEJIFU_DB_URL``, else ``DIR/kejifu.sqlite`` — so a SQLite dump restores into
PostgreSQL too. The restored workspace is checked (``kejifu check``); exit 1 if it is not clean.
"""

from __future__ import annotations

import argparse

from ..i18n import both
from . import paths
from .cmd_upgrade import done_line


def register(subparsers) -> None:
    p = subparsers.add_parser("restore", help=both("rel.restore.help"), description=both("rel.restore.help"))
    p.add_argument("file", metavar="FILE", help=both("rel.restore.file"))
    p.add_argument("dir", metavar="DIR", help=both("rel.restore.dir"))
    p.add_argument("--url", metavar="URL", help=both("rel.url"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store.backup import restore

    paths.input_file(args.file, "FILE")
    paths.new_folder(args.dir)
    result = restore(args.file, args.dir, url=args.url)
    print(both("rel.restore.done", tables=len(result.tables), rows=result.rows, dir=result.workspace))
    done = result.upgraded
    if done is not None:  # a dump of an older kejifu: upgraded in the restore's transaction
        print(done_line(done))
    report = result.report
    if report is not None and not report.ok:
        print(both("rel.restore.unclean"))
        for line in report.lines():
            print(line)
        return 1
    return 0
