"""The fill-in report template: one XLSX per town (or enterprise) and month.

Layout (rows): 1 title (plan, 月度进度填报表), 2 reporting org and month, 3 instructions
(填报说明, with examples such as ``300亩``), 4 the locked header
``单位 | 指标 | 月份 | 分解任务 | 上月累计 | 累计完成 | 计量单位 | 备注``, then one row per target or
measure the org reports or was allocated, with its allocation and last month's
year-to-date value pre-filled [the measure's unit]. Only ``累计完成``, ``计量单位`` and
``备注`` are unlocked; the sheet is protected without a password (a guard against slips,
not security); the month is fixed by a one-value dropdown; the unit column offers the
units of the measure's kind; panes are frozen below the header. A filled template reads
back through :mod:`kejifu.io.importer` unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import units
from ..errors import Problem, UsageError
from ..i18n import t
from ..plan import Plan
from .cells import neutralise
from .validate import parse_month

HEADER_ROW = 4
COLUMNS = ["org", "measure", "month", "allocation", "last_month", "value", "unit", "note"]
INPUT_COLUMNS = ("value", "unit", "note")


def template_rows(plan: Plan, org: str, month: str, reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``org``'s template for ``month`` (``YYYY-MM``): ``measure, title, unit,
    allocation, last_month`` (allocation and last month's year-to-date value [unit], NaN if none).

    Included: every target fed by reports that ``org`` was allocated, and every measure it
    reported earlier in the year; when neither gives anything, every reportable measure.
    Register-fed targets are never included (they are entered in their register).
    """
    reportable = plan.reportable()
    year = int(month[:4])
    earlier = pd.DataFrame(columns=["org", "measure", "month", "value"])
    if reports is not None and not reports.empty:
        r = reports[(reports["org"] == org)].copy()
        r["month"] = r["month"].astype(str)
        earlier = r[(r["month"].str.slice(0, 4) == f"{year:04d}") & (r["month"] < month)]
    reported = set(earlier["measure"])
    chosen: dict[str, float] = {}
    for tg in plan.targets:
        if tg.source == "register":
            continue
        mids = [m for m in tg.measures if m in reportable]
        alloc = tg.allocation_values().get(org)
        for m in mids:
            if alloc is not None and tg.kind != "share":
                chosen.setdefault(m, alloc)
            elif alloc is not None or m in reported:
                chosen.setdefault(m, float("nan"))
    for m in reportable:
        if m in reported:
            chosen.setdefault(m, float("nan"))
    if not chosen:
        chosen = {m: float("nan") for m in reportable}
    # plan order: targets first, then measures
    order = {m: i for i, m in enumerate([m for tg in plan.targets for m in tg.measures] + list(reportable))}
    rows = []
    for m in sorted(chosen, key=lambda x: order.get(x, len(order))):
        if m in plan.target_index:
            title = plan.target(m).title
        else:
            title = plan.measure_index[m].title
        last = earlier[earlier["measure"] == m].sort_values("month")
        rows.append(
            {
                "measure": m,
                "title": title,
                "unit": reportable[m],
                "allocation": chosen[m],
                "last_month": float(last["value"].iloc[-1]) if len(last) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["measure", "title", "unit", "allocation", "last_month"])


def check_args(plan: Plan, org: str, month: str) -> tuple[str, str]:
    problems = []
    if org not in plan.org_index:
        known = next((o.id for o in plan.orgs if o.name == org), None)
        if known is None:
            problems.append(Problem(f"计划中没有单位“{org}”", f"the plan has no org '{org}'", field="--org"))
        else:
            org = known
    try:
        y, m = parse_month(month, plan.year)
    except ValueError:
        problems.append(
            Problem(
                f"月份格式有误：“{month}”（应为 YYYY-MM）",
                f"malformed month '{month}' (expected YYYY-MM)",
                field="--month",
            )
        )
    else:
        if y != plan.year:
            problems.append(
                Problem(
                    f"月份 {month} 不在计划年度 {plan.year} 年内",
                    f"month {month} is outside the plan year {plan.year}",
                    field="--month",
                )
            )
        month = f"{y:04d}-{m:02d}"
    if problems:
        raise UsageError(problems=problems)
    return org, month


def make_template(plan: Plan, org: str, month: str, reports: pd.DataFrame | None = None, *, lang: str = "zh"):
    """The fill-in workbook (``openpyxl.Workbook``) of ``org`` (id or Chinese name) for ``month``.

    ``reports`` (a reports frame) pre-fills last month's year-to-date values and selects
    the measures the org reported before. Raises :class:`UsageError` for an unknown org or
    a month that is malformed or outside the plan year.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    org, month = check_args(plan, org, month)
    rows = template_rows(plan, org, month, reports)
    wb = Workbook()
    ws = wb.active
    ws.title = t("io.tpl.sheet", lang)
    ncol = len(COLUMNS)
    title = t("io.tpl.title", lang, plan=plan.plan.title)
    if plan.plan.synthetic:
        title += f"（{t('io.tpl.synthetic', lang)}）"
    ws.cell(1, 1, neutralise(title)).font = Font(bold=True, size=14)
    ws.cell(2, 1, neutralise(t("io.tpl.subtitle", lang, org=plan.org_name(org), month=month))).font = Font(
        bold=True
    )
    ws.cell(3, 1, t("io.tpl.instructions", lang)).alignment = Alignment(wrap_text=True, vertical="top")
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    ws.row_dimensions[3].height = 48

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, col in enumerate(COLUMNS, start=1):
        c = ws.cell(HEADER_ROW, j, t(f"io.tpl.{col}", lang))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
        c.alignment = Alignment(horizontal="center")
        c.border = border

    input_fill = PatternFill("solid", fgColor="FFF2CC")
    month_dv = DataValidation(
        type="list",
        formula1=f'"{month}"',
        allow_blank=False,
        showErrorMessage=True,
        error=t("io.tpl.month_fixed", lang),
        errorTitle=t("io.tpl.month", lang),
    )
    value_dv = DataValidation(
        allow_blank=True,
        showInputMessage=True,
        prompt=t("io.tpl.value_prompt", lang),
        promptTitle=t("io.tpl.value", lang),
    )
    ws.add_data_validation(month_dv)
    ws.add_data_validation(value_dv)
    unit_dvs: dict[str, DataValidation] = {}
    first = HEADER_ROW + 1
    for i, rec in enumerate(rows.itertuples(index=False), start=first):
        cells = {
            "org": neutralise(plan.org_name(org)),
            "measure": neutralise(rec.title),
            "month": month,
            "allocation": None if pd.isna(rec.allocation) else float(rec.allocation),
            "last_month": None if pd.isna(rec.last_month) else float(rec.last_month),
            "value": None,
            "unit": rec.unit or None,
            "note": None,
        }
        for j, col in enumerate(COLUMNS, start=1):
            c = ws.cell(i, j, cells[col])
            c.border = border
            if col in ("allocation", "last_month", "value"):
                c.number_format = "#,##0.##"
            if col in INPUT_COLUMNS:
                c.protection = Protection(locked=False)
                c.fill = input_fill
        month_dv.add(ws.cell(i, COLUMNS.index("month") + 1))
        value_dv.add(ws.cell(i, COLUMNS.index("value") + 1))
        kind = units.unit_kind(rec.unit)
        if kind != "number":
            key = rec.unit if kind == "count" else kind  # counts: only their own symbol
            if key not in unit_dvs:
                choices = (
                    [rec.unit]
                    if kind == "count"
                    else [u.symbol for u in units.UNITS.values() if u.kind == kind]
                )
                unit_dvs[key] = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    showInputMessage=True,
                    prompt=t("io.tpl.unit_prompt", lang),
                    promptTitle=t("io.tpl.unit", lang),
                )
                ws.add_data_validation(unit_dvs[key])
            unit_dvs[key].add(ws.cell(i, COLUMNS.index("unit") + 1))

    widths = {
        "org": 14,
        "measure": 34,
        "month": 10,
        "allocation": 11,
        "last_month": 11,
        "value": 12,
        "unit": 10,
        "note": 28,
    }
    for j, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths[col]
    ws.freeze_panes = ws.cell(first, 1)
    ws.protection.sheet = True  # no password: a guard, not security
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return wb


def write_template(
    plan: Plan,
    org: str,
    month: str,
    path: str | Path,
    reports: pd.DataFrame | None = None,
    *,
    lang: str = "zh",
) -> Path:
    """Save :func:`make_template` to ``path`` (``.xlsx``) and return the path."""
    path = Path(path)
    make_template(plan, org, month, reports, lang=lang).save(path)
    return path
