"""Sheets: the bounded xlsx core under :mod:`kejifu.io.reading` — a workbook opened once,
read-only, each sheet read only through its last row with data.

openpyxl trusts a sheet's ``dimension``: one space in cell XFD1048576 makes it pad a million
rows of 16,384 cells (minutes and gigabytes). Here rows come straight from openpyxl's
streaming parser, so only cells that exist are looked at; data beyond the row or column cap
is refused with a message, a run of blank rows ends the sheet, and every cell seen counts
against a budget. The caps are a :class:`Limits`, set by :mod:`kejifu.io.reading`.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, ReportImportError
from ..i18n import t
from .cells import is_blank

#: openpyxl's ``SHEET_MAIN_NS``: openpyxl itself is imported when a workbook is first opened (a CSV
#: import or ``kejifu status`` does not pay for it).
SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
_V_TAG = f"{{{SHEET_MAIN_NS}}}v"
_IS_TAG = f"{{{SHEET_MAIN_NS}}}is"
_T_TAG = f"{{{SHEET_MAIN_NS}}}t"
_R_TAG = f"{{{SHEET_MAIN_NS}}}r"
_C_TAG = f"{{{SHEET_MAIN_NS}}}c"
_blank = is_blank

#: A sheet's rows: (1-based row number, the cell values of the row).
Grid = list[tuple[int, list[Any]]]


@dataclass(frozen=True)
class Limits:
    """The caps of a bounded read: ``rows``/``cols`` [rows, columns with data], ``cells``
    [cells seen, blank ones included], ``empty_run`` [blank rows that end a sheet],
    ``unpacked`` and ``shared_strings`` [bytes once unzipped]."""

    rows: int
    cols: int
    cells: int
    empty_run: int
    unpacked: int
    shared_strings: int


def problem(key: str, file: str, row=None, fld=None, level="error", **fmt) -> Problem:
    """A located :class:`Problem` with the catalogue message ``key``."""
    return Problem(t(key, "zh", **fmt), t(key, "en", **fmt), file=file, row=row, field=fld, level=level)


def refuse(key: str, file: str, row=None, fld=None, **fmt) -> ReportImportError:
    """A :class:`ReportImportError` refusing ``file`` with the catalogue message ``key``."""
    return ReportImportError(problems=[problem(key, file, row, fld, **fmt)])


def size_text(n: int) -> str:
    """``n`` [bytes] as ``1.5 MB``."""
    return f"{n / 1024 / 1024:.1f} MB"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+):([A-Za-z]+\d+)"')
_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def check_container(data: bytes, file: str, limits: Limits) -> None:
    """Refuse what is not an xlsx zip before openpyxl sees it: a password-protected workbook
    (an OLE file holding an ``EncryptedPackage``), an old .xls renamed, a zip that unpacks
    beyond ``limits.unpacked``."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED in data:
            raise refuse("io.read.encrypted", file)
        raise refuse("io.read.xls", file, suffix=".xls")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - any unreadable zip
        raise refuse("io.read.bad_xlsx", file, detail=type(exc).__name__) from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > limits.unpacked:
        raise refuse("io.read.too_large", file, size=size_text(unpacked), limit=size_text(limits.unpacked))
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if strings > limits.shared_strings:
        raise refuse(
            "io.read.too_large", file, size=size_text(strings), limit=size_text(limits.shared_strings)
        )


class _Parser:
    """A bounded streaming sheet parser (the cell rules of openpyxl's ``WorkSheetParser``):
    cells right of the column cap are only looked at for data, every cell seen is counted,
    and a formula without a cached value (a file written by a program, never opened in
    Excel) is read as its formula text."""

    def __init__(
        self, source, shared_strings, *, epoch, date_formats, timedelta_formats, max_cols: int, max_cells: int
    ):
        self.source = source
        self.shared_strings = shared_strings
        self.epoch = epoch
        self.date_formats = date_formats
        self.timedelta_formats = timedelta_formats
        self.max_cols = max_cols
        self.max_cells = max_cells
        self.row_counter = 0
        self.seen = 0
        self.wide: tuple[int | None, int] | None = None  # (row, column) of data beyond the cap
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.worksheet._reader import _cast_number

        self._cast_number, self._from_excel, self._from_iso = _cast_number, from_excel, from_ISO8601

    def rows(self):
        """(row number, [(column, value), …]) of each ``<row>`` as it streams past, memory
        freed behind it (lxml, as openpyxl itself uses when present)."""
        try:
            from lxml import etree
        except ImportError:  # pragma: no cover - lxml comes with openpyxl's environment
            from openpyxl.xml.functions import iterparse

            for _, el in iterparse(self.source):
                if el.tag == _ROW_TAG:
                    yield self.parse_row(el)
                    el.clear()
            return
        # cell by cell: one <row> of millions of <c/> never sits in memory whole
        col, cells = 0, []
        for _, el in etree.iterparse(
            self.source,
            events=("end",),
            tag=(_ROW_TAG, _C_TAG),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            if el.tag == _C_TAG:
                self.seen += 1
                col = self.cell(el, col, cells)
                el.clear(keep_tail=False)
                if not self.seen & 1023:  # drop the cells done so far from the open row
                    parent = el.getparent()
                    del parent[: parent.index(el)]  # (not [:-1]: the parser reads ahead)
                    if self.seen > self.max_cells:
                        m = _CELL_REF.fullmatch(el.get("r") or "")
                        yield (int(m.group(2)) if m else self.row_counter + 1), cells
                        return
                continue
            r = el.get("r")
            self.row_counter = int(float(r)) if r is not None else self.row_counter + 1
            if self.wide is not None and self.wide[0] is None:
                self.wide = (self.row_counter, self.wide[1])
            yield self.row_counter, cells
            col, cells = 0, []
            el.clear(keep_tail=False)
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]

    def cell(self, el, col: int, cells: list) -> int:
        """Add the ``<c>`` element ``el`` (after column ``col``) to ``cells`` when it holds
        something within the column cap; returns its column."""
        ref = el.get("r")
        m = _CELL_REF.fullmatch(ref) if ref is not None else None
        col = _col_index(m.group(1)) if m else col + 1
        if col > self.max_cols:
            if len(el) and self.wide is None and not _blank(self.value(el)):
                self.wide = (None, col)  # the row number is known at the row's end
        elif len(el):
            cells.append((col, self.value(el)))
        return col

    def value(self, el) -> Any:
        """The value of a ``<c>`` cell element (data only: a formula's cached value)."""
        kind = el.get("t", "n")
        if kind == "inlineStr":
            child = el.find(_IS_TAG)
            if child is None:
                return None
            parts = [child.findtext(_T_TAG) or ""]
            parts += [r.findtext(_T_TAG) or "" for r in child.iter(_R_TAG)]
            return "".join(parts)
        raw = el.findtext(_V_TAG)
        if raw is None or raw == "":
            formula = el.findtext(_FORMULA_TAG)
            return "=" + formula if formula else None
        if kind == "n":
            number = self._cast_number(raw)
            style = el.get("s")
            if style and int(style) in self.date_formats:
                try:
                    return self._from_excel(
                        number, self.epoch, timedelta=int(style) in self.timedelta_formats
                    )
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.shared_strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return self._from_iso(raw)
        return raw  # "str" (a formula's text result) and "e" (an error such as #N/A)

    def parse_row(self, row) -> tuple[int, list[tuple[int, Any]]]:
        """A whole ``<row>`` element (the fallback parser without lxml)."""
        r = row.get("r")
        self.row_counter = int(float(r)) if r is not None else self.row_counter + 1
        self.seen += len(row)
        col, cells = 0, []
        for el in row:
            col = self.cell(el, col, cells)
        if self.wide is not None and self.wide[0] is None:
            self.wide = (self.row_counter, self.wide[1])
        return self.row_counter, cells


def merged_ranges(
    zf: zipfile.ZipFile, member: str, *, limit: int | None = None
) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range of a sheet, found by scanning
    its XML (the ranges follow the cells, which a bounded read may not reach); raises
    ``OverflowError`` beyond ``limit`` ranges."""
    out, tail = set(), b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            for m in _MERGE.finditer(buf):
                a, b = (_CELL_REF.fullmatch(x.decode()) for x in m.groups())
                if a and b:
                    out.add(
                        (int(a.group(2)), _col_index(a.group(1)), int(b.group(2)), _col_index(b.group(1)))
                    )
            tail = buf[-512:]
            if limit is not None and len(out) > limit:
                raise OverflowError(len(out))
    return sorted(out)


def sheet_grid(book: Workbook, sheet: SheetRef) -> Grid:
    """The rows of one sheet from row 1 through its last row with data: (row, values),
    trailing blank cells dropped, blank rows as empty lists. Refuses a sheet with data below
    'limits.rows`` or right of ``limits.cols``, or with more than ``limits.cells`` cells;
    stops after ``limits.empty_run`` blank rows in a row (formatted but empty rows)."""
    grid: Grid = []
    last = 0
    file, limits, wb = book.file, book.limits, book.reader.wb
    with book.reader.archive.open(sheet.path) as src:
        parser = _Parser(
            src,
            book.reader.shared_strings,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
            max_cols=limits.cols,
            max_cells=limits.cells,
        )
        for idx, cells in parser.rows():
            if parser.wide is not None:
                row, col = parser.wide
                raise refuse("io.read.too_many_cols", file, row, limit=limits.cols, line=row, col=col)
            if parser.seen > limits.cells:
                raise refuse("io.read.too_many_cells", file, idx, limit=limits.cells)
            values: list[Any] = []
            for col, value in cells:
                if not _blank(value):
                    if col > len(values):
                        values.extend([None] * (col - len(values)))
                    values[col - 1] = value
            if not values:
                if idx - last > limits.empty_run:
                    break
                continue
            if idx > limits.rows:
                raise refuse("io.read.too_many_rows", file, idx, limit=limits.rows, line=idx)
            grid.extend((i, []) for i in range(last + 1, idx))
            grid.append((idx, values))
            last = idx
    return grid


def fill_merged(
    grid: Grid, merged: list[tuple[int, int, int, int]], max_cols: int, max_cells: int | None = None
) -> set:
    """Copy each merged range's top-left value into every cell it covers (within the grid);
    returns the (row, 0-based column) cells a vertical merge copied from a row above. Raises
    ``OverflowError`` when the ranges would fill more than ``max_cells`` cells."""
    copied: set = set()
    filled = 0
    rows = {r: cells for r, cells in grid}
    for r0, c0, r1, c1 in merged:
        if r0 not in rows:
            continue
        top = rows[r0][c0 - 1] if c0 - 1 < len(rows[r0]) else None
        if _blank(top):
            continue
        for r in range(r0, min(r1, grid[-1][0] if grid else 0) + 1):
            cells = rows.get(r)
            if cells is None:
                continue
            right = min(c1, max_cols)
            filled += max(0, right - c0 + 1)
            if max_cells is not None and filled > max_cells:
                raise OverflowError(filled)
            if len(cells) < right:
                cells.extend([None] * (right - len(cells)))
            for c in range(c0 - 1, right):
                cells[c] = top
                if r > r0:
                    copied.add((r, c))
    return copied


@dataclass(frozen=True)
class SheetRef:
    """A worksheet of a workbook: its ``title``, ``state`` (visible, hidden, veryHidden) and
    ``path`` (its part in the zip)."""

    title: str
    state: str
    path: str


@functools.cache
def _reader_class() -> type:
    """openpyxl's workbook reader without its worksheet step: read-only openpyxl measures each
    sheet on opening (a full parse when the sheet has no ``dimension``); here sheets are listed only.
    Defined on first use, so importing this module does not import openpyxl."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    class _Reader(ExcelReader):
        def list_sheets(self) -> list[SheetRef]:
            self.read_manifest()
            self.read_strings()
            self.read_workbook()
            apply_stylesheet(self.archive, self.wb)
            out = []
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                out.append(SheetRef(sheet.name, sheet.state or "visible", rel.target))
            return out

    return _Reader


class Workbook:
    """An xlsx opened once, read-only: its visible sheets, read one by one on demand."""

    def __init__(self, data: bytes, file: str, limits: Limits) -> None:
        check_container(data, file, limits)
        self.limits = limits
        self.file = file
        try:
            self.reader = _reader_class()(io.BytesIO(data), read_only=True, data_only=True)
            every = self.reader.list_sheets()
            active_index = self.reader.wb._active_sheet_index
        except Exception as exc:  # noqa: BLE001 - zip/XML errors: not a readable workbook
            raise refuse("io.read.bad_xlsx", file, detail=type(exc).__name__) from None
        self.names = [s.title for s in every]
        visible = [s for s in every if s.state == "visible"]
        active = (
            every[active_index] if isinstance(active_index, int) and 0 <= active_index < len(every) else None
        )
        active = active if active in visible else None
        self.sheets = ([active] if active is not None else []) + [s for s in visible if s is not active]

    def grid(self, sheet: SheetRef, *, merges: bool = False) -> tuple[Grid, set]:
        """The grid of ``sheet`` (see :func:`sheet_grid`); with ``merges`` merged cells are filled
        and the cells a vertical merge copied are returned too."""
        try:
            grid = sheet_grid(self, sheet)
            copied: set = set()
            if merges and grid:
                cap = self.limits.cells
                ranges = merged_ranges(self.reader.archive, sheet.path, limit=cap)
                copied = fill_merged(grid, ranges, self.limits.cols, cap)
        except ReportImportError:
            raise
        except OverflowError:  # merged ranges covering more cells than a sheet may hold
            raise refuse("io.read.too_many_cells", self.file, limit=self.limits.cells) from None
        except Exception as exc:  # noqa: BLE001 - XML errors inside a sheet
            raise refuse("io.read.bad_xlsx", self.file, detail=type(exc).__name__) from None
        return grid, copied

    def close(self) -> None:
        self.reader.archive.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def pick_sheet(data: bytes, file: str, limits: Limits, accept) -> tuple[Grid, list[str], str, set]:
    """Rows of the sheet wanted: the active sheet if ``accept(grid)``, else the first *visible*
    sheet accepted, else the first visible sheet; hidden sheets are never read. Also returns the cells
    (sheet row, 0-based column) that a vertical merge copied from the row above.
    Sheets are read one at a time, only until one is accepted; merged cells are filled."""
    with Workbook(data, file, limits) as wb:
        first = None
        for sheet in wb.sheets:
            grid, copied = wb.grid(sheet, merges=True)
            if first is None:
                first = (grid, sheet.title, copied)
            if accept(grid):
                return grid, wb.names, sheet.title, copied
        if first is None:
            return [], wb.names, "", set()
        return first[0], wb.names, first[1], first[2]
