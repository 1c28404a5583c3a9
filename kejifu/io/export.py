"""Exports: the monthly progress table (月调度表) as XLSX or CSV, with formula-safe text.

Any text cell starting with ``= + - @`` (or a tab/carriage return) is prefixed with an
apostrophe ``'`` so that a spreadsheet never runs it as a formula (CSV/formula injection:
an org named ``=HYPERLINK(...)`` stays text).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from ..i18n import t
from ..plan import Plan
from .cells import FORMULA_START, neutralise  # noqa: F401 - neutralise's old home, kept importable

#: Status → fill colour of the status cell (light, printable).
STATUS_FILL = {
    "stretch_achieved": "C6E0B4",
    "achieved": "E2EFDA",
    "on_track": "DDEBF7",
    "behind": "FFF2CC",
    "far_behind": "F8CBAD",
    "no_data": "EDEDED",
    "not_allocated": "EDEDED",
}

#: Columns of the progress table: (status column, label key, number format or None).
TABLE_COLUMNS = [
    ("target_title", "io.exp.target", None),
    ("org_name", "io.exp.org", None),
    ("month", "io.exp.month", None),
    ("unit", "io.exp.unit", None),
    ("actual", "io.exp.actual", "#,##0.##"),
    ("target_value", "io.exp.target_value", "#,##0.##"),
    ("stretch", "io.exp.stretch", "#,##0.##"),
    ("allocation", "io.exp.allocation", "#,##0.##"),
    ("completion", "io.exp.completion", "0.0%"),
    ("expected", "io.exp.expected", "0.0%"),
    ("gap_pp", "io.exp.gap_pp", "0.0"),
    ("status_label", "io.exp.status", None),
    ("stale", "io.exp.stale", None),
    ("last_month", "io.exp.last_month", None),
    ("target", "io.exp.target_id", None),
]
STATUS_COL = [c for c, _, _ in TABLE_COLUMNS].index("status_label") + 1


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def status_table(status_frame: pd.DataFrame, plan: Plan, lang: str = "zh") -> pd.DataFrame:
    """The progress table: the status frame with target titles, org names and the label
    columns of :data:`TABLE_COLUMNS` (values in each target's unit, completion as a share).
    """
    s = status_frame.copy()
    s["target_title"] = [plan.target(x).label(lang) if x in plan.target_index else x for x in s["target"]]
    s["org_name"] = [plan.org_name(o, lang) for o in s["org"]]
    s["stale"] = [t("io.exp.yes", lang) if bool(v) else "" for v in s["stale"]]
    return s[[c for c, _, _ in TABLE_COLUMNS]].reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path_or_buffer, *, bom: bool = True) -> None:
    """Write ``frame`` as CSV, formula-safe; UTF-8 with BOM by default so Excel reads Chinese."""
    safe = safe_frame(frame)
    if isinstance(path_or_buffer, str | Path):
        safe.to_csv(path_or_buffer, index=False, encoding="utf-8-sig" if bom else "utf-8")
    else:
        safe.to_csv(path_or_buffer, index=False)


def export_status_csv(status_frame: pd.DataFrame, plan: Plan, path: str | Path, lang: str = "zh") -> Path:
    """Write the progress table as CSV (UTF-8 with BOM, labelled headers) and return the path."""
    table = status_table(status_frame, plan, lang)
    table.columns = [t(key, lang) for _, key, _ in TABLE_COLUMNS]
    write_csv(table, Path(path))
    return Path(path)


def status_csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as formula-safe CSV text (no BOM), e.g. for stdout."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue()


def export_status_xlsx(status_frame: pd.DataFrame, plan: Plan, path: str | Path, lang: str = "zh") -> Path:
    """Write the monthly progress table as a formatted XLSX and return the path.

    One title row, a styled frozen header with autofilter, number formats (values
    ``#,##0.##`` [target unit], completion and expected as percentages, gap [percentage
    points]), a coloured status label column; every text cell formula-safe.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    table = status_table(status_frame, plan, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t("io.exp.sheet", lang)
    month = status_frame["month"].iloc[0] if len(status_frame) else ""
    ws.cell(
        1,
        1,
        neutralise(
            t(
                "io.exp.title",
                lang,
                plan=plan.plan.title if lang == "zh" else (plan.plan.title_en or plan.plan.title),
                month=month,
            )
        ),
    )
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TABLE_COLUMNS))
    if plan.plan.synthetic:
        ws.cell(2, 1, t("synthetic", lang)).font = Font(italic=True, color="C00000")
    header_row = 3
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="1F4E78")
    for j, (_, key, _) in enumerate(TABLE_COLUMNS, start=1):
        c = ws.cell(header_row, j, t(key, lang))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = head_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
    status_codes = list(status_frame["status"]) if "status" in status_frame else []
    for i, rec in enumerate(table.itertuples(index=False), start=header_row + 1):
        for j, (col, _, fmt) in enumerate(TABLE_COLUMNS, start=1):
            v = getattr(rec, col)
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            c = ws.cell(i, j, neutralise(v) if isinstance(v, str) else v)
            c.border = border
            if fmt:
                c.number_format = fmt
        code = status_codes[i - header_row - 1] if status_codes else None
        if code in STATUS_FILL:
            ws.cell(i, STATUS_COL).fill = PatternFill("solid", fgColor=STATUS_FILL[code])
    # percentages are stored as shares, gap in points
    widths = [30, 16, 10, 10, 12, 12, 10, 12, 10, 10, 12, 14, 10, 12, 18]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    last = header_row + len(table)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(TABLE_COLUMNS))}{max(last, header_row)}"
    path = Path(path)
    wb.save(path)
    return path


def export_status(status_frame: pd.DataFrame, plan: Plan, path: str | Path, lang: str = "zh") -> Path:
    """Write the progress table as ``.xlsx`` or ``.csv`` depending on the suffix of ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return export_status_csv(status_frame, plan, path, lang)
    return export_status_xlsx(status_frame, plan, path, lang)
