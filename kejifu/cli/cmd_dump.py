"""``kejifu dump DIR FILE [--force] [--url URL]``: a portable backup (zip) of a workspace.

Every table of the store (discovered, not listed), the plan file and a manifest with row
counts and sha256; restore it with ``kejifu restore FILE DIR``.
"""

from __future__ import annotations

import argparse

from ..i18n import both
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser("dump", help=both("rel.dump.help"), description=both("rel.dump.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("file", metavar="FILE", help=both("rel.dump.file"))
    p.add_argument("--force", action="store_true", help=both("rel.dump.force"))
    p.add_argument("--url", metavar="URL", help=both("rel.url"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store.backup import dump

    paths.workspace(args.dir)
    paths.output_file(args.file, "FILE", force=args.force)  # an existing dump: misuse (exit 2) unless --force
    result = dump(args.dir, args.file, url=args.url, overwrite=args.force)
    print(both("rel.dump.done", tables=len(result.tables), rows=result.rows, file=result.file))
    return 0
