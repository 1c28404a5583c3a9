"""Reading report files: CSV or XLSX as towns really send them → raw rows with line numbers.

This module only finds the table in a file; it does not judge values (that is
:mod:`kejifu.io.validate`). It copes with:

* title rows above the header (the header row is the row whose cells match the most
  known header names: ``单位/乡镇/填报单位``, ``指标/指标名称``, ``月份``,
  ``累计完成/本年累计/数值``, ``计量单位``, ``备注`` or the English ``org, measure,
  month, value, unit, note``);
* merged cells (a merged cell's value is copied into every cell it covers, so a header
  merged over two rows or a town name merged over several data rows are read);
* blank rows (skipped) and a trailing ``合计``/``总计``/``小计`` row (skipped, with a warning);
* CSV in UTF-8 with or without BOM, or GBK/GB18030 (tried in that order).

Each :class:`RawRow` keeps the 1-based line it came from: the spreadsheet row
number, or the CSV line on which the record starts.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ReportImportError
from ..i18n import t

#: The fields of a report row, in file order.
FIELDS = ("org", "measure", "month", "value", "unit", "note")
REQUIRED = ("org", "measure", "month", "value")

#: Header names accepted for each field (matched after NFKC, trimming and lower-casing;
#: a trailing bracketed remark such as ``累计完成（亩）`` is ignored). Earlier names win when
#: a file has several columns for one field.
HEADERS: dict[str, tuple[str, ...]] = {
    "org": (
        "org",
        "org_id",
        "单位",
        "乡镇",
        "填报单位",
        "单位名称",
        "乡镇名称",
        "乡镇(街道)",
        "乡镇街道",
        "企业",
        "企业名称",
        "organisation",
        "organization",
        "town",
    ),
    "measure": ("measure", "measure_id", "target", "指标代码", "指标", "指标名称", "项目", "indicator"),
    "month": ("month", "月份", "填报月份", "月", "时间", "period"),
    "value": (
        "value",
        "累计完成",
        "本年累计",
        "累计完成数",
        "累计完成值",
        "数值",
        "完成值",
        "累计",
        "ytd",
        "year-to-date",
    ),
    "unit": ("unit", "计量单位", "单位(计量)", "units"),
    "note": ("note", "备注", "说明", "notes", "remark", "remarks"),
}
TOTAL_WORDS = ("合计", "总计", "小计", "total", "subtotal")
HEADER_SEARCH_ROWS = 30
#: Report files larger than this [bytes] are refused before parsing (a town's month is a few kB).
MAX_BYTES = 20 * 1024 * 1024
#: An XLSX whose unpacked parts exceed this [bytes] is refused too (a zip bomb or a huge export).
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _norm(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s).lower()
    return s


_BRACKET = re.compile(r"[(\[【].*?[)\]】]$")
_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _names in HEADERS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(_norm(_name), (_field, _rank))


def header_field(cell: Any) -> tuple[str, int] | None:
    """The report field a header cell names and its preference rank, or None."""
    if cell is None:
        return None
    key = _norm(cell)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    stripped = _BRACKET.sub("", key)
    return _LOOKUP.get(stripped) if stripped else None


@dataclass
class RawRow:
    """One data row: ``line`` [1-based file line or sheet row] and the raw cell per field."""

    line: int
    values: dict[str, Any]


@dataclass
class RawTable:
    """The table found in a report file."""

    file: str
    header_line: int
    columns: dict[str, int]  # field -> 0-based column index
    headers: dict[str, str]  # field -> the header as written in the file
    rows: list[RawRow]
    warnings: list[Problem] = field(default_factory=list)
    sheet: str | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _problem(key: str, file: str, row=None, fld=None, level="error", **fmt) -> Problem:
    return Problem(t(key, "zh", **fmt), t(key, "en", **fmt), file=file, row=row, field=fld, level=level)


_UTF_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_csv(data: bytes) -> str:
    """CSV bytes → text: UTF-16/UTF-32 with a BOM (Excel's "Unicode text"), UTF-8 (with or
    without BOM), else GB18030 (a superset of GBK). Raises ``UnicodeDecodeError`` when none
    fits, or for NUL bytes without a UTF-16 BOM (a binary file or BOM-less UTF-16)."""
    for bom, codec in _UTF_BOMS:
        if data.startswith(bom):
            return data.decode(codec)
    if b"\x00" in data:
        raise UnicodeDecodeError("utf-8", data, data.index(b"\x00"), data.index(b"\x00") + 1, "NUL byte")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _csv_grid(data: bytes, file: str) -> list[tuple[int, list[Any]]]:
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise ReportImportError(problems=[_problem("io.read.encoding", file)]) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    grid, start = [], 1
    for record in reader:
        grid.append((start, record))
        start = reader.line_num + 1
    return grid


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _xlsx_grid(data: bytes, file: str) -> tuple[list[tuple[int, list[Any]]], list[str], str, set]:
    """Rows of the sheet that holds the report: the active sheet if it has a header, else the
    first *visible* sheet with one; hidden sheets are never read. Also returns the cells
    (sheet row, 0-based column) that a vertical merge copied from the row above.

    A formula cell without a cached value (a file written by a program, never opened and
    saved in Excel) is read as its formula text, so it is refused as "not a number".
    """
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise ReportImportError(
                problems=[
                    _problem(
                        "io.read.too_large",
                        file,
                        size=_size_text(unpacked),
                        limit=_size_text(MAX_XLSX_UNPACKED),
                    )
                ]
            )
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except ReportImportError:
        raise
    except Exception as exc:  # zip/XML errors: not a readable workbook
        raise ReportImportError(
            problems=[_problem("io.read.bad_xlsx", file, detail=type(exc).__name__)]
        ) from None
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    active = wb.active if wb.active in visible else None
    sheets = ([active] if active is not None else []) + [ws for ws in visible if ws is not active]
    grids = []
    for ws in sheets:
        cells = [list(r) for r in ws.iter_rows(values_only=True)]
        for r, frow in enumerate(formulas[ws.title].iter_rows(values_only=True)):
            for c, f in enumerate(frow):
                if (
                    isinstance(f, str)
                    and f.startswith("=")
                    and r < len(cells)
                    and c < len(cells[r])
                    and cells[r][c] is None
                ):
                    cells[r][c] = f
        copied: set = set()
        for rng in ws.merged_cells.ranges:
            top = cells[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(cells) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(cells))):
                row = cells[r]
                while len(row) < rng.max_col:
                    row.append(None)
                for c in range(rng.min_col - 1, rng.max_col):
                    row[c] = top
                    if r > rng.min_row - 1:
                        copied.add((r + 1, c))
        grids.append(([(i + 1, row) for i, row in enumerate(cells)], ws.title, copied))
    names = [ws.title for ws in wb.worksheets]
    if not grids:
        return [], names, "", set()
    for grid, title, copied in grids:
        if _find_header(grid) is not None:
            return grid, names, title, copied
    return grids[0][0], names, grids[0][1], grids[0][2]


def _find_header(grid: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]] | None:
    """(index into grid, field → column) of the best header row among the first rows."""
    best, best_score = None, 0
    for idx, (_, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found: dict[str, tuple[int, int]] = {}
        for col, cell in enumerate(cells):
            hit = header_field(cell)
            if hit is None:
                continue
            fld, rank = hit
            if fld not in found or rank < found[fld][1]:
                found[fld] = (col, rank)
        score = len(found)
        if score > best_score and sum(f in found for f in REQUIRED) >= 2:
            best, best_score = (idx, {f: c for f, (c, _) in found.items()}), score
    return best


def _total_word(cell: Any) -> bool:
    if not isinstance(cell, str):
        return False
    key = re.sub(r"[\W_]+", "", _norm(cell))
    return key in TOTAL_WORDS or (len(key) <= 6 and key.endswith(TOTAL_WORDS[:3]))


def _is_total(values: dict[str, Any], cells: list[Any]) -> bool:
    """A 合计/总计/小计 row (全县合计, 合计:, Total …) in the first cells or the org/measure cell."""
    return any(_total_word(c) for c in cells[:3]) or any(
        _total_word(values.get(k)) for k in ("org", "measure")
    )


def read_table(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> RawTable:
    """Find the report table in a CSV or XLSX file; raise :class:`ReportImportError` when there is none.

    ``data`` may be given to avoid reading the file twice; ``name`` is how the file is
    named in messages (default: the path as given).
    """
    path = Path(path)
    file = name or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        key = "io.read.xls" if suffix == ".xls" else "io.read.suffix"
        raise ReportImportError(problems=[_problem(key, file, suffix=suffix or "-")])
    if data is None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ReportImportError(
                    problems=[
                        _problem(
                            "io.read.too_large", file, size=_size_text(size), limit=_size_text(MAX_BYTES)
                        )
                    ]
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise ReportImportError(problems=[_problem("io.read.missing", file)]) from None
        except OSError as exc:
            raise ReportImportError(
                problems=[_problem("io.read.unreadable", file, detail=exc.strerror or "")]
            ) from None
    if len(data) > MAX_BYTES:
        raise ReportImportError(
            problems=[
                _problem("io.read.too_large", file, size=_size_text(len(data)), limit=_size_text(MAX_BYTES))
            ]
        )
    if not data.strip():
        raise ReportImportError(problems=[_problem("io.read.empty", file)])
    sheet, copied = None, set()
    if suffix == ".csv":
        grid = _csv_grid(data, file)
    else:
        grid, _, sheet, copied = _xlsx_grid(data, file)
    if not any(any(not _blank(c) for c in cells) for _, cells in grid):
        raise ReportImportError(problems=[_problem("io.read.empty", file)])
    found = _find_header(grid)
    if found is None:
        raise ReportImportError(problems=[_problem("io.read.no_header", file)])
    idx, columns = found
    header_line, header_cells = grid[idx]
    headers = {f: " ".join(str(header_cells[c]).split()) for f, c in columns.items()}
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ReportImportError(
            problems=[
                _problem("io.read.missing_column", file, header_line, f, names="/".join(HEADERS[f][:5]))
                for f in missing
            ]
        )
    rows, warnings = [], []
    for line, cells in grid[idx + 1 :]:
        values = {f: (cells[c] if c < len(cells) else None) for f, c in columns.items()}
        if all(_blank(v) for v in values.values()):
            continue
        if _is_total(values, cells):
            warnings.append(_problem("io.read.total_row", file, line, level="warning"))
            continue
        if (line, columns["value"]) in copied:
            # an error (not a warning): validate_table turns it into a refusal of the file
            warnings.append(_problem("io.read.merged_value", file, line, headers["value"]))
        rows.append(RawRow(line, values))
    if not rows:
        raise ReportImportError(problems=[_problem("io.read.no_rows", file, header_line)])
    return RawTable(
        file=file,
        header_line=header_line,
        columns=columns,
        headers=headers,
        rows=rows,
        warnings=warnings,
        sheet=sheet,
    )
