"""Reading report files: CSV or XLSX as towns really send them → raw rows with line numbers.

This module only finds the table in a file; it does not judge values (that is
:mod:`kejifu.io.validate`). It is also the one bounded workbook reader of the project
(:func:`read_sheets`, used for registers and the deputies workbook). It copes with:

* title rows above the header (the header row is the row whose cells match the most
  known header names: ``单位/乡镇/填报单位``, ``指标/指标名称``, ``月份``,
  ``累计完成/本年累计/数值``, ``计量单位``, ``备注`` or the English ``org, measure,
  month, value, unit, note``);
* merged cells (a merged cell's value is copied into every cell it covers, so a header
  merged over two rows or a town name merged over several data rows are read);
* blank rows (skipped) and a trailing ``合计``/``总计``/``小计`` row (skipped, with a warning);
* CSV in UTF-8 with or without BOM, or GBK/GB18030 (tried in that order); a file mixing
  the two is refused with the line where the second encoding starts;
* hostile or careless files, read within bounded time and memory: a workbook is opened once,
  read-only, and only through its last row with data (a stray space in cell XFD1048576 does
  not make a million rows); more than :data:`MAX_ROWS` rows (:data:`MAX_CSV_ROWS` for a CSV) or
  :data:`MAX_COLS` columns of data, or a CSV field over :data:`MAX_FIELD_CHARS` characters, is
  refused with a message;
  a password-protected workbook is named as such.

Each :class:`RawRow` keeps the 1-based line it came from: the spreadsheet row
number, or the CSV line on which the record starts.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ReportImportError
from .cells import is_blank, norm_header, norm_text
from .sheets import Grid, Limits, Workbook, pick_sheet, problem, refuse, size_text
from .totals import any_total as _any_total
from .totals import is_total as _is_total

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
HEADER_SEARCH_ROWS = 30
#: Report files larger than this [bytes] are refused before parsing (a town's month is a few kB).
MAX_BYTES = 20 * 1024 * 1024
#: An XLSX whose unpacked parts exceed this [bytes] is refused too (a zip bomb or a huge export).
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: A sheet with data below this row is refused (a county's year is a few thousand rows).
MAX_ROWS = 50_000
#: A CSV with more records of data than this is refused: a province's month is ~144k rows (every
#: town and measure), and a CSV is bounded by :data:`MAX_BYTES` and read without a workbook's
#: per-cell cost, so it gets its own, larger cap.
MAX_CSV_ROWS = 1_000_000
#: A sheet or CSV with data right of this column is refused (a report has six columns).
MAX_COLS = 200
#: A sheet whose rows hold more cells than this (formatted but empty ones included) is refused.
MAX_CELLS = 1_000_000
#: Reading a sheet stops after this many blank rows in a row (formatted rows to the sheet's end).
EMPTY_RUN = 5_000
#: A CSV field longer than this [characters] is refused (a note is a sentence, not a book).
MAX_FIELD_CHARS = 131_072
#: The unpacked shared strings of an xlsx above this [bytes] are refused (each becomes a Python str).
MAX_SHARED_STRINGS = 16 * 1024 * 1024


def _norm(text: Any) -> str:
    return norm_text(text)


_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _names in HEADERS.items():
    for _rank, _name in enumerate(_names):
        _LOOKUP.setdefault(_norm(_name), (_field, _rank))


def header_field(cell: Any) -> tuple[str, int] | None:
    """The report field a header cell names and its preference rank, or None."""
    key = norm_header(cell)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    stripped = norm_header(cell, drop_remark=True)
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
    #: the same rows column by column (field → the cell of each row), when read from a file
    cells: dict[str, list] | None = None
    lines: list[int] | None = None


class RawRows(Sequence):
    """The rows of a table kept column by column: a :class:`RawRow` is made when one is asked for
    (a province file's 144k rows are validated by column, never one row object each)."""

    def __init__(self, lines: list[int], cells: dict[str, list]) -> None:
        self._lines, self._cells = lines, cells

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return RawRow(self._lines[i], {f: col[i] for f, col in self._cells.items()})


_blank = is_blank
_problem, _refuse, _size_text = problem, refuse, size_text


def limits() -> Limits:
    """The caps of a bounded read, as this module's constants say now (tests may lower them)."""
    return Limits(
        rows=MAX_ROWS,
        cols=MAX_COLS,
        cells=MAX_CELLS,
        empty_run=EMPTY_RUN,
        unpacked=MAX_XLSX_UNPACKED,
        shared_strings=MAX_SHARED_STRINGS,
    )


# ----- the bytes of a file ------------------------------------------------------------------------


def read_bytes(path: str | Path, *, name: str | None = None) -> bytes:
    """The bytes of ``path``, refused before reading when larger than :data:`MAX_BYTES`."""
    path = Path(path)
    file = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _refuse("io.read.too_large", file, size=_size_text(size), limit=_size_text(MAX_BYTES))
        if not path.is_file():  # a folder, a pipe, /dev/zero: never read without end
            raise _refuse("io.read.unreadable", file, detail="not a regular file")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise _refuse(
                "io.read.too_large", file, size=f"> {_size_text(MAX_BYTES)}", limit=_size_text(MAX_BYTES)
            )
        return data
    except FileNotFoundError:
        raise _refuse("io.read.missing", file) from None
    except OSError as exc:
        raise _refuse("io.read.unreadable", file, detail=exc.strerror or type(exc).__name__) from None


# ----- CSV -----------------------------------------------------------------------------------------

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


def mixed_encoding_line(data: bytes) -> int | None:
    """The first line [1-based] of a CSV whose encoding differs from the file's other lines
    (some lines UTF-8 Chinese, others GBK — two files pasted together), or None."""
    first_kind = None
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            kind = "utf-8"
        except UnicodeDecodeError:
            kind = "gbk"
        if first_kind is None:
            first_kind = kind
        elif kind != first_kind:
            return n
    return None


def _csv_grid(data: bytes, file: str) -> Grid:
    """The records of a CSV [(first line of the record, fields)], blank records left out,
    bounded by :data:`MAX_CSV_ROWS`, :data:`MAX_COLS` and :data:`MAX_FIELD_CHARS`."""
    unicode_bom = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if not unicode_bom and b"\x00" not in data:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            line = mixed_encoding_line(data)
            if line is not None:
                raise _refuse("io.read.mixed_encoding", file, line, line=line) from None
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise _refuse("io.read.encoding", file) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    grid: Grid = []
    old = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        fast = _one_line_records(text, dialect)
        if fast is not None:
            return fast
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        start, records = 1, 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "field larger" in str(exc):
                    raise _refuse(
                        "io.read.long_field", file, start, limit=MAX_FIELD_CHARS, line=start
                    ) from None
                raise _refuse("io.read.bad_csv", file, start, line=start, detail=str(exc)) from None
            records += 1
            width = len(record)
            last = record[-1] if width else ""
            if not last or last.isspace():  # a CSV field is text: blank when empty or white space
                while width and _blank(record[width - 1]):
                    width -= 1
            if width:
                if records > MAX_CSV_ROWS:
                    raise _refuse("io.read.too_many_rows", file, start, limit=MAX_CSV_ROWS, line=start)
                if width > MAX_COLS:
                    raise _refuse("io.read.too_many_cols", file, start, limit=MAX_COLS, line=start, col=width)
                grid.append((start, record))
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(old)
    return grid


def _one_line_records(text: str, dialect) -> Grid | None:
    """The grid of a CSV without quotes or escapes (each record is one line, so record *i* is on line
    *i*) read in one go, when within the caps; None when the record-by-record reading of
    :func:`_csv_grid` is needed to say where a file goes wrong (or to find multi-line records)."""
    if dialect.quotechar and dialect.quotechar in text or dialect.escapechar and dialect.escapechar in text:
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        return None
    if len(records) > MAX_CSV_ROWS or max(map(len, records), default=0) > MAX_COLS:
        return None
    return [
        (line, r)
        for line, r in enumerate(records, start=1)
        if (r and r[-1] and not r[-1].isspace()) or not all(_blank(c) for c in r)
    ]


def read_sheets(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> dict[str, Grid]:
    """Every visible sheet of a workbook → its grid: ``{title: [(row [1-based], values), …]}``.

    The one bounded reader for every workbook of the project (reports, registers, the
    deputies workbook): opened once in openpyxl's read-only mode, hidden sheets never read,
    each sheet read only through its last row with data (refused beyond :data:`MAX_ROWS`
    rows, :data:`MAX_COLS` columns or :data:`MAX_CELLS` cells), formulas without a cached
    value as their text (``=SUM(B2:B9)``), merged cells as written (the value in the top-left
    cell only). A CSV comes back as one sheet named after the file. Raises
    :class:`ReportImportError` with a located, bilingual message for anything unreadable.
    """
    path = Path(path)
    file = name or str(path)
    suffix = _suffix(path, file)
    data = _checked_bytes(path, data, file)
    if suffix == ".csv":
        return {path.stem: _csv_grid(data, file)}
    with Workbook(data, file, limits()) as wb:
        return {sheet.title: wb.grid(sheet)[0] for sheet in wb.sheets}


def read_grid(
    path: str | Path, *, data: bytes | None = None, name: str | None = None, accept=None
) -> tuple[Grid, str | None]:
    """One table's grid and sheet title: a CSV's records, or the workbook's active sheet when
    ``accept(grid)`` holds (or no ``accept`` is given), else the first visible sheet accepted,
    else the first visible sheet; merged cells are filled. Bounded like :func:`read_sheets`."""
    path = Path(path)
    file = name or str(path)
    suffix = _suffix(path, file)
    data = _checked_bytes(path, data, file)
    if suffix == ".csv":
        return _csv_grid(data, file), None
    grid, _, sheet, _ = pick_sheet(data, file, limits(), accept or (lambda g: True))
    return grid, sheet


def _suffix(path: Path, file: str) -> str:
    """The file's suffix, lower case; anything but .csv/.xlsx/.xlsm is refused by name."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        key = "io.read.xls" if suffix == ".xls" else "io.read.suffix"
        raise _refuse(key, file, suffix=suffix or "-")
    return suffix


def _checked_bytes(path: Path, data: bytes | None, file: str) -> bytes:
    if data is None:
        data = read_bytes(path, name=file)
    if len(data) > MAX_BYTES:
        raise _refuse("io.read.too_large", file, size=_size_text(len(data)), limit=_size_text(MAX_BYTES))
    if not data.strip():
        raise _refuse("io.read.empty", file)
    return data


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


def read_table(path: str | Path, *, data: bytes | None = None, name: str | None = None) -> RawTable:
    """Find the report table in a CSV or XLSX file; raise :class:`ReportImportError` when there is none.

    ``data`` may be given to avoid reading the file twice; ``name`` is how the file is
    named in messages (default: the path as given).
    """
    path = Path(path)
    file = name or str(path)
    suffix = _suffix(path, file)
    data = _checked_bytes(path, data, file)
    sheet, copied = None, set()
    if suffix == ".csv":
        grid = _csv_grid(data, file)
    else:
        grid, _, sheet, copied = pick_sheet(data, file, limits(), lambda g: _find_header(g) is not None)
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
    kept, lines, warnings = [], [], []
    body = grid[idx + 1 :]
    fields, cols = list(columns), list(columns.values())
    width, pick, at_org = max(cols) + 1, operator.itemgetter(*cols), fields.index("org")
    totals = _any_total(body, columns)  # no row is a total row unless some such cell is in the file
    if not totals and not copied and all(len(cells) >= width for _, cells in body):
        # the common case, row by row in C: every row wide enough, no total rows, no merged cells
        picked_rows = list(map(pick, [cells for _, cells in body]))
        keep = [not (_blank(p[at_org]) and all(_blank(v) for v in p)) for p in picked_rows]
        kept = list(itertools.compress(picked_rows, keep))
        lines = list(itertools.compress([line for line, _ in body], keep))
        body = []  # nothing left for the loop below
    for line, cells in body:
        if len(cells) >= width:
            picked = pick(cells)  # the fields' cells, in the order of ``fields`` (four at least)
        else:
            picked = tuple(cells[c] if c < len(cells) else None for c in cols)
        if _blank(picked[at_org]) and all(_blank(v) for v in picked):
            continue
        if totals and _is_total(dict(zip(fields, picked)), cells):
            warnings.append(_problem("io.read.total_row", file, line, level="warning"))
            continue
        if copied and (line, columns["value"]) in copied:
            # an error (not a warning): validate_table turns it into a refusal of the file
            warnings.append(_problem("io.read.merged_value", file, line, headers["value"]))
        kept.append(picked)
        lines.append(line)
    if not kept:
        raise ReportImportError(problems=[_problem("io.read.no_rows", file, header_line)])
    cells_by_field = dict(zip(fields, map(list, zip(*kept))))
    return RawTable(
        file=file,
        header_line=header_line,
        columns=columns,
        headers=headers,
        rows=RawRows(lines, cells_by_field),
        warnings=warnings,
        sheet=sheet,
        cells=cells_by_field,
        lines=lines,
    )
