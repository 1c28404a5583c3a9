"""``kejifu report DIR monthly|quarterly|half-year|annual --period P --out DIR [--lang zh|en] [--no-charts]``.

Writes the review as ``.xlsx``, ``.docx`` and ``.html`` into ``--out`` and prints the
paths written. Periods: ``2005-06`` (monthly), ``2005Q2`` (quarterly), ``2005H1``
(half-year), ``2005`` (annual); a malformed period or one outside the plan year is
misuse (exit 2).
"""

from __future__ import annotations

import argparse

from .. import documents, reviews
from ..i18n import both, t
from ..workspace import open_workspace


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help=both("reviews.cli.report_help"), description=both("reviews.cli.report_help")
    )
    p.add_argument("dir", metavar="DIR", help=both("reviews.cli.dir"))
    p.add_argument("kind", choices=reviews.KINDS, help=both("reviews.cli.kind"))
    p.add_argument("--period", metavar="PERIOD", required=True, help=both("reviews.cli.period"))
    p.add_argument("--out", metavar="DIR", required=True, help=both("reviews.cli.out"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("reviews.cli.lang"))
    p.add_argument("--no-charts", action="store_true", help=both("reviews.cli.no_charts"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reviews.parse_period(args.kind, args.period)  # misuse is reported before the workspace is opened
    with open_workspace(args.dir, readonly=True) as ws:
        plan = ws.plan
        period = reviews.parse_period(args.kind, args.period, year=plan.year)
        review = documents.build_review(
            plan,
            ws.reports,
            args.kind,
            period,
            lang=args.lang,
            charts=not args.no_charts,
            synthetic=ws.synthetic,
            submissions=ws.store.reports(),
        )
    for path in documents.write_review(review, args.out, charts=not args.no_charts):
        print(f"{t('reviews.cli.wrote', args.lang)}: {path}")
    return 0
