"""``kejifu contracts DIR --out DIR [--lang zh|en] [--date YYYY-MM-DD] [--enterprises]``: one
responsibility contract (责任状) per town as ``.docx``, between 县人民政府 and the 乡镇长, listing the
town's allocated targets with quarterly checkpoints, the rubric's clauses and signature lines;
``--enterprises`` adds a 任务书 per enterprise with allocated targets; ``--date`` fills the
signature date (default: left blank to be written by hand)."""

from __future__ import annotations

import argparse
import datetime as dt

from .. import documents
from ..i18n import both, t
from ..workspace import open_workspace
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "contracts", help=both("reviews.cli.contracts_help"), description=both("reviews.cli.contracts_help")
    )
    p.add_argument("dir", metavar="DIR", help=both("reviews.cli.dir"))
    p.add_argument("--out", metavar="DIR", required=True, help=both("reviews.cli.out"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("reviews.cli.lang"))
    p.add_argument("--date", metavar="DATE", default=None, type=_date, help=both("documents.cli.date"))
    p.add_argument("--enterprises", action="store_true", help=both("documents.cli.enterprises"))
    p.set_defaults(func=run)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("documents.cli.date_bad", "zh", text=text)) from None


def run(args: argparse.Namespace) -> int:
    paths.workspace(args.dir)
    paths.output_folder(args.out)
    with open_workspace(args.dir, readonly=True) as ws:
        plan = ws.plan
    kinds = ("town", "subdistrict") + (("enterprise",) if args.enterprises else ())
    for path in documents.write_contracts(plan, args.out, lang=args.lang, kinds=kinds, date=args.date):
        print(f"{t('reviews.cli.wrote', args.lang)}: {path}")
    return 0
