"""``kejifu report DIR monthly|quarterly|half-year|annual --period P --out DIR [--lang zh|en] [--no-charts]
[--doc-number 沂科发〔2005〕12号] [--date 2005-07-10] [--notes FILE] [--pdf]``.

Writes the review as ``.xlsx``, ``.docx`` and ``.html`` into ``--out`` and prints the
paths written; ``--pdf`` also writes a PDF of the docx and the xlsx through LibreOffice (a
note, exit 0, when it is not installed). ``--date`` is the 成文日期 (default today),
``--notes`` a text file with the parts people write (``# 主要做法`` headings), ``--doc-number``
the 发文字号. Periods: ``2005-06`` (monthly), ``2005Q2`` (quarterly), ``2005H1``
(half-year), ``2005`` (annual); a malformed period or one outside the plan year is
misuse (exit 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from .. import documents, reviews
from ..documents import pdf as pdf_mod
from ..errors import UsageError
from ..i18n import both, t
from ..workspace import open_workspace
from . import paths


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
    p.add_argument("--doc-number", metavar="TEXT", default=None, help=both("documents.cli.doc_number"))
    p.add_argument("--date", metavar="DATE", default=None, help=both("documents.cli.date"))
    p.add_argument("--notes", metavar="FILE", default=None, help=both("documents.cli.notes"))
    p.add_argument("--pdf", action="store_true", help=both("documents.cli.pdf"))
    p.set_defaults(func=run)


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        zh, en = (t("documents.cli.date_bad", lang, text=text) for lang in ("zh", "en"))
        raise UsageError(zh, en, field="--date") from None


def run(args: argparse.Namespace) -> int:
    reviews.parse_period(args.kind, args.period)  # misuse is reported before the workspace is opened
    date = _date(args.date)
    notes = paths.input_file(args.notes).read_text(encoding="utf-8") if args.notes else None
    paths.workspace(args.dir)
    paths.output_folder(args.out)
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
            date=date,
            doc_number=args.doc_number,
            notes=notes,
        )
    written = documents.write_review(review, args.out, charts=not args.no_charts)
    for path in written:
        print(f"{t('reviews.cli.wrote', args.lang)}: {path}")
    if args.pdf:
        if not pdf_mod.available():
            print(pdf_mod.missing_note(args.lang), file=sys.stderr)
            return 0
        try:
            pdfs = pdf_mod.convert(written)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        for path in pdfs:
            print(f"{t('reviews.cli.wrote', args.lang)}: {path}")
    return 0
