"""Review workbooks (openpyxl): a text sheet with the bulletin body, then one sheet per
table with a bold frozen header row, numbers kept as numbers with number formats
(completion as ``0.0%``, whole amounts ``#,##0`` and others ``#,##0.00`` — never "15." —,
points ``0.0``) and fitted column widths.

Print settings on every sheet: A4 landscape, fit to one page wide, the header row repeated on
every page, wrapped long text, margins [inch] set (:func:`print_setup`).

Header row is row 1 of every table sheet, so a reader can load it back with
``pandas.read_excel(path, sheet_name=...)``; a table's note (:attr:`~.model.Table.note`, such as
the data month of an assessment on part of the year) prints in the sheet's page header. The text
sheet opens with the data notice when the figures run through an earlier month than the period's.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .. import display
from ..i18n import t
from ..io.cells import neutralise
from . import layout as layout_mod
from .model import UNIT_DECIMALS, Review, Table

NUMBER_FORMATS = {
    "amount": "#,##0.00",
    "pct": "0.0%",
    "pp": "0.0",
    "score": "0.0",
    "int": "0",
}
WHOLE_FORMAT = "#,##0"
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
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


def number_format(fmt: str, value, unit: str | None = None) -> str | None:
    """The Excel format of a ``fmt`` cell holding ``value`` [unit]: whole amounts without decimals,
    亿元 always with two and per cents with one (:data:`~.model.UNIT_DECIMALS`)."""
    if fmt == "amount":
        places = UNIT_DECIMALS.get((unit or "").strip()) if isinstance(unit, str) else None
        if places is not None:
            return "#,##0." + "0" * places
        if isinstance(value, float) and value == round(value):
            return WHOLE_FORMAT
    return NUMBER_FORMATS.get(fmt)


def print_setup(ws, *, header_rows: int = 1, landscape: bool = True) -> None:
    """A4 landscape, one page wide (as many tall as needed), header rows repeated, margins set,
    the page number in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for k, v in MARGINS_IN.items():
        setattr(ws.page_margins, k, v)
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.center.text = "— &P —"


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
                value = float(v) if display.is_number(v) else None
            c = ws.cell(row=i, column=j, value=value)
            c.border = _BORDER
            c.alignment = Alignment(wrap_text=True, vertical="top")
            unit = row.get(table.unit_col) if table.unit_col else None
            fmt = number_format(col.fmt, value, unit)
            if fmt:
                c.number_format = fmt
            widths[j - 1] = max(widths[j - 1], _width(str(value if value is not None else "")) * 0.9)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(8.0, w + 2), 60.0)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    print_setup(ws)
    if table.note:  # printed at the head of every page; the header row stays row 1
        ws.oddHeader.center.text = neutralise(table.note).replace("&", "&&")
        ws.oddHeader.center.size = 9


def write_review(review: Review, path: str | Path) -> Path:
    """Write ``review`` to ``path`` (.xlsx); returns the path."""
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    ws.title = sheet_name(t("reviews.doc.body_title", review.lang), used)
    ws.column_dimensions["A"].width = 110
    print_setup(ws, header_rows=0)
    lines = [(review.notice, True)] if review.notice else []
    date = layout_mod.date_text(review.date, review.lang)
    lines += [(review.title, True), (f"{review.issuer}  {date}", False), ("", False)]
    lines += [(review.lead, False)] if review.lead else []
    for p in review.paragraphs:
        lines += [(p.heading, True), (layout_mod.running_text(p.text, review.lang), False)]
    lines += [(layout_mod.running_text(s, review.lang), False) for s in review.summary]
    for i, (heading, text) in enumerate(review.written, start=len(review.paragraphs)):
        lines += [(layout_mod.numbered(i, heading, review.lang), True), (text, False)]
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
