"""``kejifu status DIR [--as-of DATE] [--by org] [--org ID] [--target ID] [--format table|csv|json]``.

``table`` prints an aligned table (Chinese by default) of the county totals, or one row
per org with ``--by org`` or ``--org``; ``json`` a list of objects with every status
column (NaN → null); ``csv`` the status frame (formula-safe).
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import math
import re
import unicodedata
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..i18n import both, t

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
            return dt.date(y, mo, calendar.monthrange(y, mo)[1]) if 1 <= mo <= 12 else dt.date(y, mo, 1)
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


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _fmt(value: float, unit: str, lang: str) -> str:
    from .. import units

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return units.format_value(value, unit, lang)


def _pct(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.1f}%"


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
    widths = [max([_width(h)] + [_width(row[i]) for row in body]) for i, h in enumerate(head)]
    lines = [
        "  ".join(_pad(h, widths[i], cols[i] in right) for i, h in enumerate(head)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in body:
        lines.append("  ".join(_pad(c, widths[i], cols[i] in right) for i, c in enumerate(row)).rstrip())
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


def run(args: argparse.Namespace) -> int:
    from ..io.export import status_csv_text
    from ..workspace import open_workspace

    as_of = parse_as_of(args.as_of)
    with open_workspace(args.dir) as ws:
        plan = ws.plan
        as_of = as_of or ws.default_as_of()
        frame = ws.status(as_of, lang=args.lang)
        synthetic = ws.synthetic
    shown = select(frame, plan, by=args.by, org=args.org, target=args.target)
    if args.format == "json":
        print(to_json(shown))
    elif args.format == "csv":
        print(status_csv_text(shown), end="")
    else:
        title = plan.plan.title if args.lang == "zh" else (plan.plan.title_en or plan.plan.title)
        month = frame["month"].iloc[0] if len(frame) else ""
        print(t("cli.status.heading", args.lang, plan=title, as_of=as_of.isoformat(), month=month or "—"))
        if synthetic:
            print(t("cli.status.synthetic", args.lang))
        if shown.empty:
            print(t("cli.status.empty", args.lang))
        else:
            print(
                render_table(shown, plan, lang=args.lang, with_org=args.by == "org" or args.org is not None)
            )
    return 0
