"""Review workbooks (openpyxl): a text sheet with the bulletin body, then one sheet per
table with a bold frozen header row, numbers kept as numbers with number formats
(completion as ``0.0%``, amounts ``#,##0.##``, points ``0.0``) and fitted column widths.

Header row is row 1 of every table sheet, so a reader can load it back with
``pandas.read_excel(path, sheet_name=...)``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..i18n import t
from ..io.export import neutralise
from . import Review, Table, is_number

NUMBER_FORMATS = {
    "amount": "#,##0.##",
    "pct": "0.0%",
    "pp": "0.0",
    "score": "0.0",
    "int": "0",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_THIN = Side(style="thin", color="BBBBBB")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FORBIDDEN = set("[]:*?/\\")


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, no ``[]:*?/\\``)."""
    name = "".join("_" if ch in _FORBIDDEN else ch for ch in title)[:31] or "Sheet"
    base, k = name, 2
    while name in used:
        suffix = f"({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name)
    return name


def _width(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def write_table(ws, table: Table, lang: str) -> None:
    # Names come from plan files and town reports: text starting with = + - @ must stay text.
    """Write ``table`` into worksheet ``ws`` from A1: header, rows, formats, frozen header."""
    for j, col in enumerate(table.columns, start=1):
        c = ws.cell(row=1, column=j, value=col.header)
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
    widths = [_width(col.header) for col in table.columns]
    for i, (_, row) in enumerate(table.frame.iterrows(), start=2):
        for j, col in enumerate(table.columns, start=1):
            v = row.get(col.name)
            if col.fmt == "text":
                value = "" if v is None or (isinstance(v, float) and v != v) else neutralise(str(v))
            elif col.fmt == "bool":
                value = (
                    None
                    if v is None or (isinstance(v, float) and v != v)
                    else t("reviews.yes" if bool(v) else "reviews.no", lang)
                )
            else:
                value = float(v) if is_number(v) else None
            c = ws.cell(row=i, column=j, value=value)
            c.border = _BORDER
            if col.fmt in NUMBER_FORMATS:
                c.number_format = NUMBER_FORMATS[col.fmt]
            widths[j - 1] = max(widths[j - 1], _width(str(value if value is not None else "")) * 0.9)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(8.0, w + 2), 60.0)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_review(review: Review, path: str | Path) -> Path:
    """Write ``review`` to ``path`` (.xlsx); returns the path."""
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    ws.title = sheet_name(t("reviews.doc.body_title", review.lang), used)
    ws.column_dimensions["A"].width = 110
    lines = [(review.title, True), (f"{review.issuer}  {review.date.isoformat()}", False), ("", False)]
    for p in review.paragraphs:
        lines += [(p.heading, True), (p.text, False)]
    lines += [(s, False) for s in review.summary]
    lines += [(n, False) for n in review.notes]
    for i, (text, bold) in enumerate(lines, start=1):
        c = ws.cell(row=i, column=1, value=neutralise(text))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            c.font = Font(bold=True, size=13 if i == 1 else 11)
    for table in review.tables:
        write_table(wb.create_sheet(sheet_name(table.title, used)), table, review.lang)
    path = Path(path)
    wb.save(path)
    return path
