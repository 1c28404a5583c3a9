"""``kejifu check DIR [--format text|json] [--strict] [--url URL]``: verify a workspace store.

Prints every finding (``[错误/error] check: table: 中文 / English``), the row counts and a
summary. Exit 0 when clean, 1 when a check found an error (with ``--strict`` a warning too).
"""

from __future__ import annotations

import argparse
import json

from ..i18n import both
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser("check", help=both("rel.check.help"), description=both("rel.check.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=both("rel.check.format"))
    p.add_argument("--strict", action="store_true", help=both("rel.check.strict"))
    p.add_argument("--url", metavar="URL", help=both("rel.url"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store.integrity import check_workspace

    paths.workspace(args.dir)
    report = check_workspace(args.dir, url=args.url)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            print(line)
    return 0 if report.clean(strict=args.strict) else 1
