"""``kejifu deputies DIR`` — the technology-deputy ledger (科技副职) of a workspace.

* ``kejifu deputies DIR [--as-of DATE] [--format table|json] [--lang zh|en]``: roster by
  town and batch, outside-hire share, this year's allowance, the due lists (written
  reports under the 1–2 a year rule, hearings, terms ending within three months),
  reports to follow up, latest grades, end-of-term results, five-ones totals,
  specialists dispatched, and the rules in force (the programme's or the county's);
* ``--import FILE``: validate a deputy workbook (all or nothing, exit 1 listing every
  problem) and store it; ``--export FILE``: write the ledger as a workbook;
  ``--template FILE``: a blank workbook; ``--demo``: load the synthetic demo ledger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import math
from pathlib import Path

import pandas as pd

from .. import deputies as dep
from .. import display
from ..deputies import store as deputies_store
from ..deputies import workbook as deputies_io
from ..errors import UsageError
from ..i18n import both, t
from . import paths
from .cmd_status import parse_as_of
from .table import pad, width


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "deputies", help=both("deputies.cli.help"), description=both("deputies.cli.help")
    )
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--as-of", metavar="DATE", help=both("cli.as_of"))
    p.add_argument("--format", choices=("table", "json"), default="table", help=both("deputies.cli.format"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("cli.lang"))
    p.add_argument("--import", dest="import_file", metavar="FILE", help=both("deputies.cli.import"))
    p.add_argument("--export", dest="export_file", metavar="FILE", help=both("deputies.cli.export"))
    p.add_argument("--template", dest="template_file", metavar="FILE", help=both("deputies.cli.template"))
    p.add_argument("--demo", action="store_true", help=both("deputies.cli.demo"))
    p.add_argument("--who", metavar="NAME", help=both("deputies.cli.who"))
    p.set_defaults(func=run)


def _who(args) -> str:
    if args.who:
        return args.who
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""


def run(args: argparse.Namespace) -> int:
    from ..store import Store, sha256_file

    actions = [a for a in ("import_file", "export_file", "template_file") if getattr(args, a)] + (
        ["demo"] if args.demo else []
    )
    if len(actions) > 1:
        raise UsageError(t("deputies.cli.one_action", "zh"), t("deputies.cli.one_action", "en"))
    as_of = parse_as_of(args.as_of)
    lang = args.lang
    if args.template_file:
        path = deputies_io.write_workbook(args.template_file, dep.DeputyData(), lang=lang)
        print(t("deputies.cli.exported", lang, path=path))
        return 0
    if args.import_file or args.demo:
        with Store.open(paths.workspace(args.dir)) as store:
            if args.demo:
                added = deputies_demo_load(store, _who(args))
                print(t("deputies.cli.demo_loaded", lang))
            else:
                plan = store.plan()
                known = set(deputies_store.DeputyStore.from_store(store).roster()["person_id"])
                data = deputies_io.read_workbook(args.import_file, plan, known_people=known)
                added = deputies_store.commit(
                    store,
                    data,
                    source_file=Path(args.import_file).name,
                    sha256=sha256_file(args.import_file),
                    who=_who(args),
                )
            print(
                t(
                    "deputies.cli.imported",
                    lang,
                    **{
                        k: added.get(k, 0)
                        for k in ("roster", "reports", "assessments", "outputs", "specialists")
                    },
                )
            )
        return 0
    with Store.open(paths.workspace(args.dir), readonly=True) as store:
        plan = store.plan()
        data = deputies_store.load(store)
        if args.export_file:
            path = deputies_io.write_workbook(args.export_file, data, plan=plan, lang=lang)
            print(t("deputies.cli.exported", lang, path=path))
            return 0
        if as_of is None:
            from ..workspace import Workspace

            as_of = Workspace(Path(args.dir), store).default_as_of()
        summary = dep.summary(data, as_of, plan=plan)
        synthetic = (
            bool(store.synthetic) or bool(data.roster["synthetic"].any())
            if len(data.roster)
            else bool(store.synthetic)
        )
        if args.format == "json":
            print(to_json(summary, data, synthetic))
        else:
            print(render(summary, data, plan, lang, synthetic))
    return 0


def deputies_demo_load(store, who: str) -> dict[str, int]:
    from ..deputies.demo import load_demo

    return load_demo(store, who=who or "demo")


# ----- output -----------------------------------------------------------------------------------


def _plain(v):
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (dt.date, pd.Timestamp)):
        return pd.Timestamp(v).date().isoformat()
    if hasattr(v, "item") and not isinstance(v, str):
        return _plain(v.item())
    return v


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


def to_json(summary: dep.Summary, data: dep.DeputyData, synthetic: bool) -> str:
    """The summary as JSON: one key per section, frames as lists of objects (NaN → null)."""
    out = {
        "as_of": summary["as_of"].isoformat(),
        "synthetic": synthetic,
        "roster_total": len(data.roster),
        "allowance_ytd": summary["allowance_ytd"],
    }
    for k in (
        "by_org",
        "by_batch",
        "outside_share",
        "overdue",
        "reports_due",
        "hearings_due",
        "terms_ending",
        "end_of_term",
        "grades",
        "five_ones",
        "five_ones_county",
        "specialists",
    ):
        out[k] = _records(summary[k])
    return json.dumps(out, ensure_ascii=False, indent=2)


def _cell(col: str, v, plan, lang: str, status_key: str = "deputies.report") -> str:
    v = _plain(v)
    if v is None:
        return "" if col in ("missing", "recipients", "submitted") else display.MISSING
    if col == "org":
        return plan.org_name(v, lang)
    if col == "grade":
        return dep.grade_label(v, lang)
    if col == "status":
        return t(f"{status_key}.{v}", lang)
    if col in ("missing", "recipients"):
        return "、".join(t(f"deputies.col.to_{x}", lang) for x in str(v).split(";") if x)
    if col == "share":
        return display.pct(v, lang, decimals=0)
    if col == "county":
        return plan.org_name(v, lang) if v else ""
    if col in ("year", "batch", "seq"):
        return str(int(v))
    if isinstance(v, float):
        return display.number(v, "", lang, decimals=None if v.is_integer() else 1)
    return str(v)


def table_text(
    frame: pd.DataFrame, columns: list[str], plan, lang: str, status_key: str = "deputies.report"
) -> str:
    """An aligned text table of ``columns`` with catalogue headers."""
    if frame.empty:
        return t("deputies.none", lang)
    heads = [
        t(f"deputies.col.{c}", lang)
        if f"deputies.col.{c}" in _keys()
        else t(f"deputies.state.{c}", lang)
        if f"deputies.state.{c}" in _keys()
        else c
        for c in columns
    ]
    rows = [[_cell(c, r[c], plan, lang, status_key) for c in columns] for r in frame.to_dict("records")]
    widths = [max(width(h), *(width(r[i]) for r in rows)) for i, h in enumerate(heads)]
    lines = ["  ".join(pad(h, w) for h, w in zip(heads, widths))]
    for r in rows:
        lines.append("  ".join(pad(c, w) for c, w in zip(r, widths)))
    return "\n".join(x.rstrip() for x in lines)


def _keys():
    from ..i18n import catalogue

    return catalogue()


def render(summary: dep.Summary, data: dep.DeputyData, plan, lang: str, synthetic: bool) -> str:
    """The table-format report."""
    as_of = summary["as_of"].isoformat()
    out = [t("deputies.cli.heading", lang, as_of=as_of)]
    if synthetic:
        out.append(t("deputies.synthetic", lang))
    serving = int(summary["by_org"]["serving"].sum()) if len(summary["by_org"]) else 0
    out.append(
        t(
            "deputies.cli.total_line",
            lang,
            total=len(data.roster),
            serving=serving,
            specialists=len(data.specialists),
        )
    )
    states = ["appointed", "serving", "completed", "recalled", "total"]
    sections: list[tuple[str, pd.DataFrame, list[str], str]] = [
        ("deputies.heading.roster", summary["by_org"], ["org", *states], ""),
        ("deputies.heading.batch", summary["by_batch"], ["batch", *states], ""),
        (
            "deputies.heading.outside",
            summary["outside_share"],
            ["county", "deputies", "outside", "share"],
            "",
        ),
        (
            "deputies.heading.reports_due",
            summary["reports_due"],
            ["person_id", "name", "org", "year", "due", "filed", "recipients", "status"],
            "deputies.yearly",
        ),
        (
            "deputies.heading.hearings_due",
            summary["hearings_due"],
            ["person_id", "name", "org", "year", "due", "heard", "status"],
            "deputies.hearing",
        ),
        (
            "deputies.heading.terms_ending",
            summary["terms_ending"],
            ["person_id", "name", "org", "batch", "term_end", "days_left"],
            "",
        ),
        (
            "deputies.heading.overdue",
            summary["overdue"],
            ["person_id", "name", "org", "year", "seq", "due", "submitted", "missing", "status"],
            "deputies.report",
        ),
        (
            "deputies.heading.grades",
            summary["grades"].dropna(subset=["grade"]),
            ["person_id", "name", "org", "year", "score", "grade"],
            "",
        ),
        (
            "deputies.cli.end_of_term",
            summary["end_of_term"],
            ["person_id", "name", "org", "democratic", "inspection", "annual", "score", "grade"],
            "",
        ),
        ("deputies.heading.five_ones", summary["five_ones"], ["org", "deputies", *dep.FIVE_ONES], ""),
        (
            "deputies.heading.specialists",
            summary["specialists"],
            ["year", "level", "dispatched", "outside", "communities"],
            "",
        ),
        (
            "deputies.heading.settings",
            dep.settings_table(plan, lang),
            ["label", "value", "source"],
            "",
        ),
    ]
    for key, frame, cols, status_key in sections:
        out.append("")
        out.append(f"== {t(key, lang)} ==")
        if key == "deputies.heading.specialists" and len(frame):
            frame = frame.assign(level=[t(f"deputies.level.{x}", lang) for x in frame["level"]])
        out.append(table_text(frame, cols, plan, lang, status_key or "deputies.report"))
        if key in ("deputies.cli.end_of_term", "deputies.heading.settings"):
            out.append(t("deputies.county_rules", lang))
    out.append("")
    out.append(
        t(
            "deputies.heading.allowance",
            lang,
            as_of=as_of,
            amount=display.number(summary["allowance_ytd"], "", lang),
        )
    )
    return "\n".join(out)
