"""``kejifu contracts DIR --out DIR [--lang zh|en]``: one responsibility contract (责任状)
per town as ``.docx``, listing the town's allocated targets with signature lines."""

from __future__ import annotations

import argparse

from .. import documents
from ..i18n import both, t
from ..workspace import open_workspace


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "contracts", help=both("reviews.cli.contracts_help"), description=both("reviews.cli.contracts_help")
    )
    p.add_argument("dir", metavar="DIR", help=both("reviews.cli.dir"))
    p.add_argument("--out", metavar="DIR", required=True, help=both("reviews.cli.out"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("reviews.cli.lang"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.dir, readonly=True) as ws:
        plan = ws.plan
    for path in documents.write_contracts(plan, args.out, lang=args.lang):
        print(f"{t('reviews.cli.wrote', args.lang)}: {path}")
    return 0
