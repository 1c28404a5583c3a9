"""``kejifu status DIR [--as-of DATE] [--by org] [--org ID] [--target ID] [--format table|csv|json]``.

``table`` prints an aligned table (Chinese by default) of the county totals, or one row
per org with ``--by org`` or ``--org``; ``json`` a list of objects with every status
column (NaN → null); ``csv`` the status frame (formula-safe).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import unicodedata
from typing import TYPE_CHECKING

from .. import months
from ..errors import UsageError
from ..i18n import both, t
from . import paths
from .table import pad, width

if TYPE_CHECKING:  # heavy modules are imported when the command runs, so --help stays quick
    import pandas as pd

    from ..plan import Plan

ALL = "all"  # kejifu.status.ALL

_DATE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def parse_as_of(text: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → that date; ``YYYY-MM`` → the last day of that month; None → None.

    Raises :class:`UsageError` (exit 2) for anything else.
    """
    if text is None:
        return None
    m = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    try:
        if m is None:
            raise ValueError(text)
        y, mo = int(m.group(1)), int(m.group(2))
        if m.group(3) is None:
            if not 1 <= mo <= 12:
                raise ValueError(text)
            return months.month_end((y, mo))
        return dt.date(y, mo, int(m.group(3)))
    except ValueError:
        raise UsageError(
            t("cli.bad_as_of", "zh", text=text), t("cli.bad_as_of", "en", text=text), field="--as-of"
        ) from None


def register(subparsers) -> None:
    p = subparsers.add_parser("status", help=both("cli.status.help"), description=both("cli.status.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--as-of", metavar="DATE", help=both("cli.as_of"))
    p.add_argument("--by", choices=("org",), help=both("cli.status.by"))
    p.add_argument("--org", metavar="ID", help=both("cli.status.org"))
    p.add_argument("--target", metavar="ID", help=both("cli.status.target"))
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help=both("cli.status.format")
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("cli.lang"))
    p.add_argument("--reporting", action="store_true", help=both("status.cli.reporting"))
    p.set_defaults(func=run)


def _resolve_org(plan: Plan, org: str) -> str:
    if org in plan.org_index or org == ALL:
        return org
    for o in plan.orgs:
        if org in (o.name, o.name_en):
            return o.id
    raise UsageError(
        t("cli.status.unknown_org", "zh", org=org), t("cli.status.unknown_org", "en", org=org), field="--org"
    )


def select(
    frame: pd.DataFrame, plan: Plan, *, by: str | None, org: str | None, target: str | None
) -> pd.DataFrame:
    """The rows to show: totals, every org (``by='org'``), one org, and/or one target."""
    if target is not None:
        if target not in plan.target_index:
            raise UsageError(
                t("cli.status.unknown_target", "zh", target=target),
                t("cli.status.unknown_target", "en", target=target),
                field="--target",
            )
        frame = frame[frame["target"] == target]
    if org is not None:
        frame = frame[frame["org"] == _resolve_org(plan, org)]
    elif by != "org":
        frame = frame[frame["org"] == ALL]
    return frame.reset_index(drop=True)


def _fmt(value: float, unit: str, lang: str) -> str:
    from .. import units

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return units.format_value(value, unit, lang)


def _pct(value: float) -> str:
    from ..display import pct  # truncates: a figure shown never crosses a status line

    return pct(value)


def render_table(frame: pd.DataFrame, plan: Plan, *, lang: str = "zh", with_org: bool = False) -> str:
    """An aligned text table (East Asian wide characters count double)."""

    cols = (
        ["target"]
        + (["org"] if with_org else [])
        + ["actual", "target_value", "completion", "expected", "status"]
    )
    head = [t(f"cli.status.col_{c}", lang) for c in cols]
    body = []
    for r in frame.itertuples(index=False):
        cells = {
            "target": plan.target(r.target).label(lang),
            "org": plan.org_name(r.org, lang),
            "actual": _fmt(r.actual, r.unit, lang),
            "target_value": _fmt(r.target_value, r.unit, lang),
            "completion": _pct(r.completion),
            "expected": _pct(r.expected),
            "status": r.status_label + (t("cli.status.stale_mark", lang) if bool(r.stale) else ""),
        }
        body.append([cells[c] for c in cols])
    right = {"actual", "target_value", "completion", "expected"}
    widths = [max([width(h)] + [width(row[i]) for row in body]) for i, h in enumerate(head)]
    lines = [
        "  ".join(pad(h, widths[i], cols[i] in right) for i, h in enumerate(head)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in body:
        lines.append("  ".join(pad(c, widths[i], cols[i] in right) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def to_json(frame: pd.DataFrame) -> str:
    """The status rows as a JSON list of objects (NaN → null, booleans kept)."""
    records = []
    for rec in frame.to_dict(orient="records"):
        out = {}
        for k, v in rec.items():
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            elif hasattr(v, "item"):  # numpy scalars
                v = v.item()
                if isinstance(v, float) and not math.isfinite(v):
                    v = None
            out[k] = v
        records.append(out)
    return json.dumps(records, ensure_ascii=False, indent=2)


def render_reporting(record: pd.DataFrame, plan: Plan, lang: str = "zh") -> str:
    """The reporting record as an aligned table: one row per org, one column per month
    (按时 / 迟报 / 未报)."""
    if record.empty:
        return t("cli.status.empty", lang)
    months = sorted(record["month"].unique())
    head = [t("reporting.col.org", lang)] + [m[5:7] for m in months]
    body = []
    for org, g in record.groupby("org", sort=False):
        cells = dict(zip(g["month"], g["record_label"], strict=True))
        body.append([plan.org_name(org, lang)] + [cells.get(m, "") for m in months])
    widths = [max([width(h)] + [width(row[i]) for row in body]) for i, h in enumerate(head)]
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(head)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip() for row in body]
    return "\n".join(lines)


def header_lines(ws, frame: pd.DataFrame, as_of: dt.date, lang: str) -> list[str]:
    """The lines above a status table: 「数据截至2005年3月」 first when the data end before the
    month asked, then who has reported (「15个乡镇中13个已报送；马牧池乡、苏村镇未按时报送」)."""
    from .. import completeness, months

    lines = []
    month = frame["month"].iloc[0] if len(frame) else ""
    data_month = ws.data_month(as_of)
    if month and data_month and data_month < month:
        lines.append(months.through_text(data_month, lang))
    if month:
        text = completeness.completeness_text(ws.plan, ws.filed, month, lang)
        if text:
            lines.append(text)
    return lines


def run(args: argparse.Namespace) -> int:
    from ..io.export import status_csv_text
    from ..workspace import open_workspace

    as_of = parse_as_of(args.as_of)
    paths.workspace(args.dir)
    with open_workspace(args.dir) as ws:
        plan = ws.plan
        if args.reporting:
            print(render_reporting(ws.reporting_record(lang=args.lang), plan, args.lang))
            return 0
        if as_of is not None:
            ws.read_through(as_of)  # the months after the reporting month play no part
        as_of = as_of or ws.default_as_of()
        frame = ws.status(as_of, lang=args.lang)
        synthetic = ws.synthetic
        header = header_lines(ws, frame, as_of, args.lang) if args.format == "table" else []
    shown = select(frame, plan, by=args.by, org=args.org, target=args.target)
    if args.format == "json":
        print(to_json(shown))
    elif args.format == "csv":
        print(status_csv_text(shown), end="")
    else:
        title = plan.plan.title if args.lang == "zh" else (plan.plan.title_en or plan.plan.title)
        month = frame["month"].iloc[0] if len(frame) else ""
        through = [h for h in header if h.startswith(("数据截至", "data through"))]
        for line in through:  # 「数据截至…」 first when the data end before the month asked
            print(line)
        heading = t("cli.status.heading", args.lang, plan=title, as_of=as_of.isoformat(), month=month or "—")
        # who has reported (「15个乡镇中13个已报送；马牧池乡、苏村镇未按时报送」) on the heading line
        print("　".join([heading, *header[len(through) :]]))
        if synthetic:
            print(t("cli.status.synthetic", args.lang))
        if shown.empty:
            print(t("cli.status.empty", args.lang))
        else:
            print(
                render_table(shown, plan, lang=args.lang, with_org=args.by == "org" or args.org is not None)
            )
    return 0
