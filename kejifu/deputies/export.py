"""Writing the deputy ledger: the workbook :func:`kejifu.deputies.workbook.read_workbook` reads
back, and the end-of-term assessment sheet (挂职科技副职任期考核表) as a Word document.

Every text cell goes through :func:`kejifu.io.cells.neutralise` (a name starting with
``= + - @`` stays text, not a formula). Every assessment sheet says that its weights
and grade bands are the county's settings, not the programme's (「考核权重按本县办法设置」).
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd

from ..i18n import t
from ..io.cells import neutralise
from ..plan import Plan
from .ledger import DeputyData
from .rules import RECIPIENTS, SettingsSource, grade_label, settings_from, truthy
from .sheets import CODES, DATE_CELLS, SHEET_COLUMNS, SHEETS


def _code_group(sheet: str, col: str) -> str | None:
    if sheet == "events" and col == "kind":
        return "event"
    return col if col in CODES and col != "event" else None


def _cell(sheet: str, col: str, value: object, lang: str) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    group = _code_group(sheet, col)
    if group and value:
        return t(f"deputies.{group}.{value}", lang)
    if col in ("outside", "synthetic", *RECIPIENTS):
        return "是" if truthy(value) else "否"
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return neutralise(value)


def write_workbook(
    path: str | Path,
    data: DeputyData,
    *,
    plan: Plan | None = None,
    lang: str = "zh",
    parts: tuple[str, ...] = SHEETS,
) -> Path:
    """Write ``data`` as a workbook :func:`~kejifu.deputies.workbook.read_workbook` reads back
    (headers and codes in ``lang``).

    Towns are written as their names when ``plan`` is given. An empty
    :class:`~kejifu.deputies.DeputyData` gives the blank template.
    """
    path = Path(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in parts:
        ws = wb.create_sheet(t(f"deputies.sheet.{sheet}", lang))
        cols = SHEET_COLUMNS[sheet]
        ws.append([t(f"deputies.col.{c}", lang) for c in cols])
        for rec in getattr(data, sheet).to_dict("records"):
            row = []
            for c in cols:
                v = rec.get(c)
                if c == "org" and plan is not None and v in plan.org_index:
                    v = plan.org_name(v, lang)
                row.append(_cell(sheet, c, v, lang))
            ws.append(row)
        for j, c in enumerate(cols, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = 14
            if c in DATE_CELLS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def weights_text(settings: SettingsSource = None, lang: str = "zh") -> str:
    """The end-of-term formula with its weights, e.g. ``民主测评 × 0.3 + 考察 × 0.3 + 年度考核平均 × 0.4``."""
    w = settings_from(settings).end_of_term_weights
    return " + ".join(
        f"{t(f'deputies.col.{k}', lang)} × {w[k]:g}" for k in ("democratic", "inspection", "annual")
    )


def end_of_term_docx(
    path: str | Path,
    sheet: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    plan: Plan | None = None,
    lang: str = "zh",
    synthetic: bool = False,
    settings: SettingsSource = None,
) -> Path:
    """Write the end-of-term assessment sheet (挂职科技副职任期考核表) as a Word document.

    ``sheet`` is :func:`kejifu.deputies.end_of_term` output; one table row per
    deputy with the democratic evaluation, inspection, mean yearly score
    [points], weighted score [points] and grade; the weights are printed under
    the title with the note that they are the county's settings. ``synthetic``
    adds the demo-data notice.
    """
    from docx import Document

    s = settings_from(settings if settings is not None else plan)
    doc = Document()
    doc.add_heading(t("deputies.sheet_title", lang), level=1)
    if synthetic:
        doc.add_paragraph(t("deputies.synthetic", lang))
    doc.add_paragraph(weights_text(s, lang))
    doc.add_paragraph(t("deputies.county_rules", lang))
    cols = [
        "person_id",
        "name",
        "sending_org",
        "org",
        "batch",
        "democratic",
        "inspection",
        "annual",
        "score",
        "grade",
    ]
    merged = sheet.merge(roster[["person_id", "sending_org", "batch"]], on="person_id", how="left")
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    for cell, c in zip(table.rows[0].cells, cols):
        cell.text = t(f"deputies.col.{c}", lang)
    for rec in merged.to_dict("records"):
        cells = table.add_row().cells
        for cell, c in zip(cells, cols):
            v = rec.get(c)
            if c == "org" and plan is not None:
                v = plan.org_name(v, lang)
            elif c == "grade":
                v = grade_label(v, lang)
            elif isinstance(v, float):
                v = "" if math.isnan(v) else f"{v:.1f}"
            cell.text = "" if v is None else str(v)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path
