"""Reading the plan workbook back (目标任务分解表 → plan): the same dict the YAML would give, the same
validation and plan checks, every message located as ``file:sheet!cell``.

- :func:`read_planbook` — the workbook (through the one bounded reader
  :func:`kejifu.io.reading.read_sheets`) → the plan's dict, where each value came from, and the
  problems of reading it (unknown columns, formulas without values, unreadable cells);
- :func:`import_planbook` — that dict validated (:func:`kejifu.plan.parse_plan`) and checked
  (:func:`kejifu.plancheck.check_plan`, the deputies settings), every problem moved to its cell.

The plan then goes to a file with :func:`kejifu.io.planbook.plan_yaml`.

Headers are matched by their key (the second header row written by :mod:`kejifu.io.planbook`),
their Chinese label or their English label, so a planner may reorder columns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils import get_column_letter

from ..deputies import check_settings
from ..errors import KejifuError, PlanError, Problem, ReportImportError
from ..i18n import t
from ..plan import Plan, parse_plan
from ..plancheck import check_plan, errors
from .cells import FORMULA_START, is_blank, norm_text, parse_date, truthy
from .planbook import (
    ALLOC_LEAD,
    ALLOC_TAIL,
    MEASURE_COLUMNS,
    ORG_COLUMNS,
    SETTINGS_COLUMNS,
    STRUCTURED_START,
    TARGET_COLUMNS,
    sheet_name,
)
from .reading import read_sheets

#: Chinese words accepted for the coded choices (the codes themselves are always accepted).
SYNONYMS: dict[str, dict[str, str]] = {
    "kind": {
        "累计": "cumulative",
        "累计型": "cumulative",
        "比重": "share",
        "比重型": "share",
        "占比": "share",
        "水平": "level",
        "水平型": "level",
        "节点": "milestone",
        "节点型": "milestone",
    },
    "direction": {"增加": "increase", "提高": "increase", "减少": "decrease", "降低": "decrease"},
    "source": {"报表": "reports", "月报": "reports", "台帐": "register", "台账": "register"},
    "aggregate": {"合计": "sum", "求和": "sum", "平均": "mean", "最大": "max", "最小": "min"},
}


@dataclass
class Sheetbook:
    """What a plan workbook says: ``data`` (the plan file's dict), ``cells`` (a YAML path such as
    ``targets[3].stretch`` → ``指标!I6``) and the ``problems`` found while reading."""

    file: str
    data: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def cell_of(self, path: str | None, zh: str = "", en: str = "") -> str | None:
        """The cell of the YAML ``path`` or of its nearest parent that has one; for a plan-wide
        message the cell of the first org or target id it quotes."""
        if not path or path == "(plan)":
            for ident in re.findall(r"'([^']+)'", en or ""):
                for key in (f"orgs#{ident}", f"targets#{ident}", f"measures#{ident}"):
                    if key in self.cells:
                        return self.cells[key]
            return None
        parts = re.findall(r"\[\d+\]|[^.\[\]]+", path)
        while parts:
            key = "".join(p if p.startswith("[") else ("." + p if i else p) for i, p in enumerate(parts))
            if key in self.cells:
                return self.cells[key]
            below = next((c for k, c in self.cells.items() if k.startswith(key + ".")), None)
            if below is not None:
                return below
            parts = parts[:-1]
        return None

    def locate(self, p: Problem) -> Problem:
        """``p`` located in this workbook: ``file:sheet!cell: yaml.path: 中文 / English``."""
        return Problem(
            p.zh, p.en, file=self.file, row=self.cell_of(p.field, p.zh, p.en), field=p.field, level=p.level
        )


def _sheet(sheets: dict, key: str) -> tuple[str, list | None]:
    """The title and grid of the sheet ``key``, found by its Chinese or English name."""
    for title in (sheet_name(key), t(f"planbook.sheet.{key}", "en")):
        if title in sheets:
            return title, sheets[title]
    return sheet_name(key), None


def _ref(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{get_column_letter(col + 1)}{row}"


def _problem(book: Sheetbook, key: str, ref: str, path: str | None = None, level="error", **fmt) -> None:
    book.problems.append(
        Problem(t(key, "zh", **fmt), t(key, "en", **fmt), file=book.file, row=ref, field=path, level=level)
    )


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class _Bad(Exception):
    """A cell that cannot be read: the catalogue key and its fields (or a ready message)."""

    def __init__(self, key: str | None, zh: str = "", en: str = "", **fmt) -> None:
        super().__init__(key)
        self.key, self.zh, self.en, self.fmt = key, zh, en, fmt


def _plain(value: Any) -> Any:
    """A cell as written: a text cell the writer made formula-safe loses its apostrophe; a
    formula with no saved value is refused."""
    if isinstance(value, dt.time | dt.timedelta):  # a time-formatted cell: text, as YAML has no times
        return str(value)
    if isinstance(value, str):
        if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_START and value.lstrip("'"):
            return value[1:]
        if value.startswith("=") and len(value) > 1:
            raise _Bad("planbook.err.formula", formula=_shown(value))
    return value


def _decode(kind: str, name: str, value: Any) -> Any:
    """A 指标/单位/统计项 cell → the plan file's value for a column of ``kind``."""
    if kind == "text":
        return _text(value)
    if kind == "choice":
        text = _text(value)
        return SYNONYMS.get(name, {}).get(text, text)
    if kind == "number":
        if isinstance(value, bool):
            raise _Bad("planbook.err.bad_value", value=_shown(value))
        return value.strip() if isinstance(value, str) else value
    if kind == "bool":
        yes = truthy(value)
        if yes is None:
            raise _Bad("planbook.err.bad_yes_no", value=_shown(value))
        return yes
    if kind == "pending":
        yes = truthy(value)
        return _text(value) if yes is None else yes
    if kind == "date":
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise _Bad("planbook.err.bad_value", value=_shown(value))
        try:
            return parse_date(value)
        except ReportImportError as exc:
            raise _Bad(None, exc.zh, exc.en) from None
    if kind == "schedule":
        return _schedule(value)
    if kind == "ack":
        return _acks(value)
    raise ValueError(kind)  # pragma: no cover - a column type without a decoder


def _schedule(value: Any) -> str | list[float]:
    if isinstance(value, int | float) or not isinstance(value, str):
        raise _Bad("planbook.err.bad_schedule", value=_shown(value))
    text = value.strip()
    parts = [p for p in re.split(r"[,，;；、\s]+", text) if p]
    if len(parts) <= 1:
        return text
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise _Bad("planbook.err.bad_schedule", value=_shown(value)) from None


def _acks(value: Any) -> list[dict[str, str]]:
    out = []
    for line in str(value).splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"\s*([^:：]+?)\s*[:：]\s*(.*\S)\s*", line)
        if m is None:
            raise _Bad("planbook.err.bad_ack", value=_shown(line))
        check, reason = m.groups()
        out.append({"check": check.strip(), "reason": reason.strip()})
    return out


def _labels(columns: list[tuple[str, str]]) -> dict[str, str]:
    """Normalised header words → the column key, from keys, Chinese and English labels."""
    out: dict[str, str] = {}
    for key, label in columns:
        for word in (key, t(f"planbook.col.{label}", "zh"), t(f"planbook.col.{label}", "en")):
            out.setdefault(norm_text(word), key)
    return out


def _header(grid, words: dict[str, str]) -> tuple[int, dict[int, str], list[tuple[int, int, Any]]] | None:
    """(index of the first data row, column → key, unmatched header cells) of a table sheet: the
    header rows are the leading rows (of the first ten) in which at least two cells name columns."""
    found: dict[int, str] = {}
    unmatched: dict[int, tuple[int, int, Any]] = {}
    last = None
    for idx, (row, cells) in enumerate(grid[:10]):
        hits = {}
        for col, cell in enumerate(cells):
            if is_blank(cell):
                continue
            key = next((words[w] for w in (norm_text(p) for p in str(cell).splitlines()) if w in words), None)
            if key is not None:
                hits[col] = key
        if len(hits) >= 2:
            for col, key in hits.items():
                found.setdefault(col, key)
            for col, cell in enumerate(cells):
                if col not in hits and not is_blank(cell):
                    unmatched.setdefault(col, (row, col, cell))
            last = idx
        elif last is not None:
            break
    if last is None:
        return None
    return last + 1, found, [u for c, u in unmatched.items() if c not in found]


def _table(book: Sheetbook, sheets: dict, key: str, columns, path: str, required: bool = True) -> list[dict]:
    """The rows of the table sheet ``key`` as dicts (blank rows left out), each cell located."""
    title, grid = _sheet(sheets, key)
    if grid is None:
        if required:
            _problem(book, "planbook.err.no_sheet", title, path, sheet=title)
        return []
    spec = {name: kind for name, _, kind in columns}
    words = _labels([(name, label) for name, label, _ in columns])
    head = _header(grid, words)
    if head is None:
        names = "/".join(name for name, _, _ in columns[:3])
        _problem(book, "planbook.err.no_header", f"{title}!A1", path, sheet=title, names=names)
        return []
    start, found, unknown = head
    for row, col, cell in unknown:
        if norm_text(cell) != "level" and not str(cell).startswith(t("planbook.col.level", "zh")):
            _problem(
                book, "planbook.err.unknown_column", _ref(title, row, col), path, "warning", name=_shown(cell)
            )
    seen: dict[str, int] = {}
    for col, name in sorted(found.items()):
        if name in seen:
            _problem(
                book,
                "planbook.err.duplicate_column",
                _ref(title, grid[0][0], col),
                path,
                "warning",
                name=name,
            )
    first = {name: col for col, name in sorted(found.items(), reverse=True)}
    out = []
    for row, cells in grid[start:]:
        if all(is_blank(c) for c in cells):
            continue
        i = len(out)
        item: dict[str, Any] = {}
        for name, col in first.items():
            ref = _ref(title, row, col)
            book.cells[f"{path}[{i}].{name}"] = ref
            raw = cells[col] if col < len(cells) else None
            if is_blank(raw):
                continue
            try:
                item[name] = _decode(spec[name], name, _plain(raw))
            except _Bad as bad:
                _bad(book, bad, ref, f"{path}[{i}].{name}")
        ident = item.get("id")
        id_col = first.get("id", 0)
        book.cells[f"{path}[{i}]"] = _ref(title, row, id_col)
        if isinstance(ident, str):
            book.cells.setdefault(f"{path}#{ident}", _ref(title, row, id_col))
        out.append(item)
    return out


def _bad(book: Sheetbook, bad: _Bad, ref: str, path: str) -> None:
    if bad.key is None:
        book.problems.append(Problem(bad.zh, bad.en, file=book.file, row=ref, field=path))
    else:
        _problem(book, bad.key, ref, path, **bad.fmt)


def _allocations(book: Sheetbook, sheets: dict, targets: list[dict]) -> None:
    """The 分解 sheet's amounts put on their targets (``allocations``); totals and checks unread."""
    title, grid = _sheet(sheets, "allocations")
    if grid is None:
        return
    lead = [(k, label) for k, label in zip(ALLOC_LEAD, ("id", "title", "unit", "county"))]
    words = _labels(lead + [(k, k) for k in ALLOC_TAIL])
    key_row = next(
        (
            (i, r, cells)
            for i, (r, cells) in enumerate(grid[:10])
            if cells
            and norm_text(cells[0]) in (norm_text("id"), norm_text(t("planbook.col.id", "zh")))
            and any(norm_text(c) == "county" or norm_text(c) == "total" for c in cells if not is_blank(c))
        ),
        None,
    )
    if key_row is None:
        _problem(
            book, "planbook.err.no_header", f"{title}!A1", "targets", sheet=title, names="id/county/total"
        )
        return
    idx, header_row, cells = key_row
    orgs: dict[int, str] = {}
    for col, cell in enumerate(cells):
        if is_blank(cell) or norm_text(cell) in words:
            continue
        orgs[col] = _text(cell)
    index = {tg.get("id"): i for i, tg in enumerate(targets) if isinstance(tg.get("id"), str)}
    done: set[str] = set()
    for row, values in grid[idx + 1 :]:
        if not values or is_blank(values[0]):
            continue
        ident = (
            _text(_plain(values[0]))
            if not (isinstance(values[0], str) and values[0].startswith("="))
            else None
        )
        if ident not in index:
            if any(not is_blank(values[c]) for c in orgs if c < len(values)):
                _problem(
                    book, "planbook.err.unknown_target", _ref(title, row, 0), "targets", id=_shown(values[0])
                )
            continue
        if ident in done:
            _problem(book, "planbook.err.duplicate_row", _ref(title, row, 0), "targets", id=ident)
            continue
        done.add(ident)
        i = index[ident]
        alloc: dict[str, Any] = {}
        for col, org in orgs.items():
            raw = values[col] if col < len(values) else None
            path = f"targets[{i}].allocations.{org}"
            book.cells[path] = _ref(title, row, col)
            if is_blank(raw):
                continue
            try:
                alloc[org] = _decode("number", "allocation", _plain(raw))
            except _Bad as bad:
                _bad(book, bad, _ref(title, row, col), path)
        check_col = next((c for c, cell in enumerate(cells) if norm_text(cell) == "check"), None)
        book.cells[f"targets[{i}].allocations"] = _ref(title, row, check_col if check_col is not None else 0)
        if alloc:
            targets[i]["allocations"] = alloc


def _settings(book: Sheetbook, sheets: dict, data: dict) -> None:
    """The 设置 sheet's dotted keys → nested mappings of ``data`` (plan, settings, assessment)."""
    title, grid = _sheet(sheets, "settings")
    if grid is None:
        _problem(book, "planbook.err.no_sheet", title, "plan", sheet=title)
        return
    words = _labels([(k, k) for k in SETTINGS_COLUMNS])
    head = _header(grid, words)
    if head is None or "key" not in head[1].values() or "value" not in head[1].values():
        _problem(book, "planbook.err.no_header", f"{title}!A1", "plan", sheet=title, names="key/value")
        return
    start, found, _ = head
    kcol = next(c for c, k in found.items() if k == "key")
    vcol = next(c for c, k in found.items() if k == "value")
    first: dict[str, int] = {}
    for row, cells in grid[start:]:
        raw_key = cells[kcol] if kcol < len(cells) else None
        if is_blank(raw_key):
            continue
        key = _text(raw_key)
        ref = _ref(title, row, vcol)
        if key in first:
            _problem(
                book, "planbook.err.duplicate_key", _ref(title, row, kcol), key, key=key, first=first[key]
            )
            continue
        first[key] = row
        book.cells[key] = ref
        raw = cells[vcol] if vcol < len(cells) else None
        if is_blank(raw):
            continue
        try:
            value = _setting(_plain(raw))
        except _Bad as bad:
            _bad(book, bad, ref, key)
            continue
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                _problem(book, "planbook.err.key_clash", _ref(title, row, kcol), key, key=key)
                break
        else:
            if isinstance(node.get(parts[-1]), dict):
                _problem(book, "planbook.err.key_clash", _ref(title, row, kcol), key, key=key)
            else:
                node[parts[-1]] = value


def _setting(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, str) and value.startswith(STRUCTURED_START):
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            raise _Bad("planbook.err.bad_value", value=_shown(value)) from None
    return value


def read_planbook(path: str | Path, *, name: str | None = None) -> Sheetbook:
    """The plan workbook at ``path`` → :class:`Sheetbook` (no validation yet). Raises
    :class:`~kejifu.errors.ReportImportError` for a file that is no readable workbook."""
    file = name or str(path)
    sheets = read_sheets(path, name=file)
    book = Sheetbook(file=file, data={})
    _settings(book, sheets, book.data)
    orgs = _table(book, sheets, "orgs", ORG_COLUMNS, "orgs")
    measures = _table(book, sheets, "measures", MEASURE_COLUMNS, "measures", required=False)
    columns = [(name, name, kind) for name, kind in TARGET_COLUMNS]
    targets = _table(book, sheets, "targets", columns, "targets")
    _allocations(book, sheets, targets)
    plan = book.data.pop("plan", None)
    rest = book.data
    book.data = {"plan": plan} if plan is not None else {}
    book.data.update({"orgs": orgs, "measures": measures, "targets": targets})
    book.data.update(rest)
    return book


def import_planbook(path: str | Path, *, name: str | None = None) -> tuple[Plan, list[Problem]]:
    """The plan in the workbook at ``path``, validated and checked like a plan file, and the
    findings (warnings and notes), each located ``file:sheet!cell``. Raises
    :class:`~kejifu.errors.PlanError` listing every error (reading, validation, checks)."""
    book = read_planbook(path, name=name)
    refused = [p for p in book.problems if p.level == "error"]
    warnings = [p for p in book.problems if p.level != "error"]
    if refused:
        raise PlanError(problems=refused + warnings)
    text = yaml.safe_dump(book.data, allow_unicode=True, sort_keys=False)
    try:
        plan = parse_plan(text, file=book.file)
    except KejifuError as exc:
        raise PlanError(problems=[book.locate(p) for p in exc.problems] + warnings) from None
    found = [book.locate(p) for p in check_plan(plan, None) + check_settings(plan, None)]
    if errors(found):
        raise PlanError(problems=errors(found) + warnings)
    return plan, warnings + found
