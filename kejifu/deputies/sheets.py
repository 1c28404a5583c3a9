"""The deputy workbook's layout and its cells: which sheets, which columns, what a cell may hold.

A workbook holds up to seven sheets, found by name (Chinese or English, see the
``deputies.sheet.*`` labels): 科技副职名册 (roster), 书面报告 (reports), 年度考核
(yearly assessments), 任期考核 (end-of-term), 五个一 (five ones), 科技特派员
(specialists), 跟踪管理 (tracking records). In each sheet the header row is the
first of the top five rows naming a known column (the Chinese or English label,
or the code name; a bracketed remark such as ``（项）`` is ignored); rows below it
are data, blank rows skipped. Codes may be given as labels: 选派/外聘/本地,
在任/期满/召回, 乡镇/组织部, 县派/乡镇派, 听取汇报/随机查岗/…; yes/no as in
:func:`kejifu.io.cells.truthy`. Cells are judged by :mod:`kejifu.io.cells`, so the
deputy workbook accepts the same words and dates as every other file.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

from ..errors import Problem, ReportImportError
from ..i18n import t
from ..io import cells
from ..io.reading import Grid
from .rules import (
    ASSESSMENT_COLUMNS,
    ASSESSORS,
    DIMENSIONS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    KINDS,
    LEVELS,
    OUTPUT_COLUMNS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    STATES,
    WRITTEN_REPORT_COLUMNS,
)

SHEETS = ("roster", "reports", "assessments", "end_of_term", "outputs", "specialists", "events")
HEADER_ROWS = 5

#: Columns of each sheet, in file order.
SHEET_COLUMNS: dict[str, list[str]] = {
    "roster": list(ROSTER_COLUMNS),
    "reports": list(WRITTEN_REPORT_COLUMNS),
    "assessments": list(ASSESSMENT_COLUMNS),
    "end_of_term": list(END_OF_TERM_COLUMNS),
    "outputs": list(OUTPUT_COLUMNS),
    "specialists": list(SPECIALIST_COLUMNS),
    "events": list(EVENT_COLUMNS),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "roster": ("person_id", "name", "org", "term_start"),
    "reports": ("person_id", "year", "seq", "submitted"),
    "assessments": ("person_id", "year", "assessor", *DIMENSIONS),
    "end_of_term": ("person_id", "democratic", "inspection"),
    "outputs": ("person_id", "year"),
    "specialists": ("specialist_id", "name", "level", "dispatch_date"),
    "events": ("person_id", "kind", "date"),
}
EXTRA_HEADERS = {  # more names accepted for some columns
    "person_id": ("编号", "人员编号", "id"),
    "org": ("乡镇", "挂职单位", "town"),
    "specialist_id": ("特派员编号",),
}
#: Columns holding a code, and the codes (each also accepted as its Chinese or English label).
CODES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "state": STATES,
    "assessor": ASSESSORS,
    "level": LEVELS,
    "event": EVENT_KINDS,
}
COUNT_COLUMNS = ("technologies", "courses", "trainees", "enterprises", "communities")
DATE_CELLS = ("term_start", "term_end", "state_date", "submitted", "dispatch_date", "date")


def norm(text: object) -> str:
    """A name or header cell as compared with known names (a trailing bracketed remark dropped)."""
    return cells.norm_header(text, drop_remark=True)


def header_names(col: str) -> set[str]:
    """Every header accepted for ``col``, normalised."""
    names = {col, t(f"deputies.col.{col}", "zh"), t(f"deputies.col.{col}", "en"), *EXTRA_HEADERS.get(col, ())}
    return {norm(n) for n in names}


def sheet_names(sheet: str) -> set[str]:
    """Every sheet title accepted for ``sheet``, normalised."""
    return {norm(sheet), norm(t(f"deputies.sheet.{sheet}", "zh")), norm(t(f"deputies.sheet.{sheet}", "en"))}


def code(group: str, raw: object) -> str | None:
    """The code a cell names in ``group`` (``kind``, ``state``, ``assessor``, ``level``, ``event``)."""
    n = norm(raw)
    for c in CODES[group]:
        if n in {norm(c), norm(t(f"deputies.{group}.{c}", "zh")), norm(t(f"deputies.{group}.{c}", "en"))}:
            return c
    return None


Row = dict[str, object]


class Sheet:
    """One sheet's cells, parsed with located problems (``file:sheet!row: header: …``)."""

    def __init__(self, file: str, title: str, problems: list[Problem]) -> None:
        self.file, self.title, self.problems = file, title, problems
        self.headers: dict[str, str] = {}

    def add(self, zh: str, en: str, row: int, col: str | None) -> None:
        fld = self.headers.get(col, col) if col else None
        self.problems.append(Problem(zh, en, file=self.file, row=f"{self.title}!{row}", field=fld))

    @staticmethod
    def blank(v: object) -> bool:
        return cells.is_blank(v)

    def text(self, v: object) -> str:
        if self.blank(v):
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        # our exports write text starting with = + - @ behind an apostrophe; read it back without
        return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text

    def date(self, v: object, row: int, col: str) -> dt.date | None:
        try:
            return cells.parse_date(v)
        except ReportImportError:
            s = unicodedata.normalize("NFKC", str(v)).strip()
            self.add(f"不是日期（YYYY-MM-DD）：{s}", f"not a date (YYYY-MM-DD): {s}", row, col)
            return None

    def number(
        self,
        v: object,
        row: int,
        col: str,
        *,
        whole: bool = False,
        lo: float | None = None,
        hi: float | None = None,
    ) -> float | None:
        if self.blank(v):
            return None
        try:
            x = (
                float(unicodedata.normalize("NFKC", str(v)).replace(",", "").strip())
                if not isinstance(v, (int, float))
                else float(v)
            )
        except ValueError:
            self.add(f"不是数字：{v}", f"not a number: {v}", row, col)
            return None
        if math.isnan(x) or math.isinf(x):
            self.add(f"不是数字：{v}", f"not a number: {v}", row, col)
            return None
        if whole and not float(x).is_integer():
            self.add(f"应为整数：{v}", f"must be a whole number: {v}", row, col)
            return None
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            rng = f"{lo:g}–{hi:g}" if hi is not None else f"≥ {lo:g}"
            shown = f"{v:g}" if isinstance(v, (int, float)) else str(v)
            self.add(f"数值超出范围（{rng}）：{shown}", f"out of range ({rng}): {v}", row, col)
            return None
        return x

    def flag(self, v: object, row: int, col: str) -> bool:
        if self.blank(v):
            return False
        yes = cells.truthy(v)
        if yes is None:
            self.add(f"应填“是”或“否”：{v}", f"must be yes or no: {v}", row, col)
            return False
        return yes

    def required(self, row: int, values: Row, cols: tuple[str, ...]) -> bool:
        ok = True
        for c in cols:
            if self.blank(values.get(c)):
                self.add("必填项为空", "required cell is empty", row, c)
                ok = False
        return ok


def read_sheet(
    grid: Grid, title: str, sheet: str, file: str, problems: list[Problem]
) -> tuple[Sheet, list[tuple[int, Row]]]:
    """The data rows of one sheet (spreadsheet row, column → cell) under its header row."""
    sh = Sheet(file, title, problems)
    names = {c: header_names(c) for c in SHEET_COLUMNS[sheet]}
    header_row, mapping = None, {}
    for i, row in grid[:HEADER_ROWS]:
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            n = norm(cell)
            for c, ns in names.items():
                if n and n in ns and c not in found:
                    found[c] = j
                    sh.headers[c] = str(cell).strip()
        if found:
            header_row, mapping = i, found
            break
    if header_row is None:
        sh.add("找不到表头行", "no header row found", 1, None)
        return sh, []
    missing = [c for c in REQUIRED[sheet] if c not in mapping]
    for c in missing:
        sh.add(
            f"缺少必填列：{t(f'deputies.col.{c}', 'zh')}",
            f"missing required column: {t(f'deputies.col.{c}', 'en')}",
            header_row,
            c,
        )
    if missing:
        return sh, []
    rows = []
    for i, row in grid:
        if i <= header_row:
            continue
        values = {c: (row[j] if j < len(row) else None) for c, j in mapping.items()}
        if all(sh.blank(v) for v in values.values()):
            continue
        rows.append((i, values))
    return sh, rows
