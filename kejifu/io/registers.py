"""Register files (台帐): a CSV or XLSX of items → validated register items, all or nothing.

The pure side (what a register kind records, counting items into monthly reports) is
:mod:`kejifu.registers`; this module reads files through the one bounded reader
(:func:`kejifu.io.reading.read_grid`) and checks every row: known org, a real date in the
plan year, a unique key, a level (county/town) and yes/no words from :func:`kejifu.io.cells.truthy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, ReportImportError
from ..i18n import t
from ..plan import Plan
from ..registers import KINDS, kind_of, register_targets
from .cells import is_blank, norm_header, parse_date, truthy
from .importer import collapse
from .reading import read_grid

#: Header aliases (Chinese and English, compared by :func:`kejifu.io.cells.norm_header`) -> field.
HEADERS: dict[str, str] = {}
for _field, _aliases in {
    "org": [
        "org",
        "town",
        "乡镇",
        "单位",
        "乡镇街道",
        "乡镇/街道",
        "所在乡镇",
        "所属单位",
        "派驻单位",
        "受援单位",
    ],
    "village": ["village", "村", "村庄", "行政村", "安装村"],
    "date": ["date", "日期", "安装日期", "申请日期", "成立日期", "派出日期", "时间"],
    "serial": ["serial", "id", "key", "item_key", "编号", "设备编号", "申请号", "证书编号"],
    "title": ["title", "name", "名称", "专利名称", "机构名称", "姓名", "题目"],
    "applicant": ["applicant", "申请人", "专利申请人"],
    "level": ["level", "级别", "层级", "派出级别"],
    "outside": ["outside", "县外", "外聘", "是否县外", "县外聘请"],
    "note": ["note", "notes", "备注", "说明"],
    "withdrawn": ["withdrawn", "撤销", "作废", "已撤销"],
}.items():
    for _a in _aliases:
        HEADERS[norm_header(_a)] = _field

#: Words of the ``outside`` column beyond the yes/no list: 县外 (outside hire) / 县内.
OUTSIDE_WORDS = {"县外": True, "县内": False}
LEVELS = {
    "county": "county",
    "县": "county",
    "县级": "county",
    "县派": "county",
    "town": "town",
    "乡镇": "town",
    "乡镇级": "town",
    "镇级": "town",
    "乡镇派": "town",
}
HEADER_SEARCH_ROWS = 30


def _header(grid) -> tuple[int, int, dict[str, int]] | None:
    """(index into grid, sheet row, field → column) of the register's header row: the row among
    the first ones naming the most known fields (the first non-blank row when none does)."""
    best, best_score = None, 0
    for idx, (line, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for col, cell in enumerate(cells):
            f = HEADERS.get(norm_header(cell))
            if f is not None and f not in found:
                found[f] = col
        if len(found) > best_score:
            best, best_score = (idx, line, found), len(found)
    if best is None:
        for idx, (line, cells) in enumerate(grid):
            if any(not is_blank(c) for c in cells):
                return idx, line, {}
    return best


def _text(v: Any) -> str | None:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _p(zh: str, en: str, file: str, row, fld) -> Problem:
    return Problem(zh, en, file=file, row=row, field=fld)


def read_register_file(path: str | Path, kind: str, plan: Plan, *, name: str | None = None) -> pd.DataFrame:
    """Read and validate a register file (CSV or XLSX, Chinese or English headers).

    All or nothing: every problem (missing column, unknown org, bad or impossible date, date
    outside the plan year, duplicate key, bad level or yes/no) is collected with its file,
    row (the line in the file) and field, then raised as one :class:`ReportImportError` (many
    problems of one kind as a few and a count).
    Returns ``kind, item_key, org, date, title, withdrawn`` plus the kind's other fields
    (``village``, ``serial``, ``applicant``, ``level``, ``outside``, ``note``).
    """
    path = Path(path)
    file = name or str(path)
    if not path.is_file():
        raise ReportImportError("找不到台帐文件", "register file not found", file=file)
    known = set(register_targets(plan).values()) | set(KINDS)
    if kind not in known:
        raise ReportImportError(
            f"未知的台帐类型 {kind!r}，可选：{', '.join(sorted(known))}",
            f"unknown register kind {kind!r}; choose one of {', '.join(sorted(known))}",
            file=file,
        )
    spec = kind_of(kind)
    grid, _ = read_grid(path, name=file, accept=lambda g: (_header(g) or (0, 0, {}))[2] != {})
    head = _header(grid)
    if head is None:
        raise ReportImportError("文件为空", "the file is empty", file=file)
    idx, header_line, columns = head
    problems = []
    for f in spec.required:
        if f not in columns and not (f == spec.key and "serial" in columns):
            problems.append(
                _p(
                    f"缺少列“{t('store.field.' + f)}”",
                    f"missing column {t('store.field.' + f, 'en')!r}",
                    file,
                    header_line,
                    f,
                )
            )
    if problems:
        raise ReportImportError(problems=problems)
    by_name = {o.name: o.id for o in plan.orgs}
    records, seen = [], {}
    for line, cells in grid[idx + 1 :]:
        rec = {f: (cells[c] if c < len(cells) else None) for f, c in columns.items()}
        if all(is_blank(v) for v in rec.values()):
            continue
        records.append(_item(rec, line, kind, spec, plan, by_name, seen, file, problems))
    if problems:
        raise ReportImportError(problems=collapse(problems))
    cols = ["kind", "item_key", "org", "date", "title", "withdrawn"]
    extra = [f for f in spec.fields if f not in cols and any(f in r for r in records)]
    frame = pd.DataFrame(records, columns=cols + extra)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["withdrawn"] = frame["withdrawn"].astype(bool)
    return frame


def _item(
    rec: dict, line: int, kind: str, spec, plan: Plan, by_name: dict, seen: dict, file: str, problems: list
):
    """One register row → an item dict; its problems are appended to ``problems``."""
    out: dict[str, Any] = {"kind": kind}
    for f in spec.required:
        if f in rec and is_blank(rec[f]):
            problems.append(_p("必填项为空", "required value is empty", file, line, f))
    org = _text(rec.get("org"))
    if org is not None and org not in plan.org_index:
        if org in by_name:
            org = by_name[org]
        else:
            problems.append(_p(f"未知单位“{org}”", f"unknown org {org!r}", file, line, "org"))
    out["org"] = org
    date = None
    try:
        date = parse_date(rec.get("date"), file=file, row=line, field="date")
    except ReportImportError as err:
        problems.extend(err.problems)
    if date is not None and date.year != plan.year:
        problems.append(
            _p(
                f"日期{date}不在计划年度{plan.year}内",
                f"date {date} is outside the plan year {plan.year}",
                file,
                line,
                "date",
            )
        )
    out["date"] = pd.Timestamp(date) if date is not None else pd.NaT
    for f in ("title", "village", "serial", "applicant", "note"):
        if f in rec:
            out[f] = _text(rec[f])
    if "level" in rec and not is_blank(rec["level"]):
        lv = LEVELS.get(str(rec["level"]).strip().lower())
        if lv is None:
            problems.append(
                _p(
                    f"级别“{rec['level']}”应为县级或乡镇级",
                    f"level {rec['level']!r} must be county or town",
                    file,
                    line,
                    "level",
                )
            )
        out["level"] = lv
    for f in ("outside", "withdrawn"):
        if f in rec:
            raw = rec[f]
            word = _text(raw)
            yes = OUTSIDE_WORDS.get(word) if f == "outside" and word in OUTSIDE_WORDS else truthy(raw)
            if yes is None and not is_blank(raw):
                problems.append(_p(f"“{raw}”应为是或否", f"{raw!r} must be yes or no", file, line, f))
            out[f] = bool(yes)
    out.setdefault("withdrawn", False)
    key = next((out.get(c) for c in ("serial", spec.key, "title") if out.get(c)), None)
    if kind == "terminals" and out.get("title") is None and out.get("village"):
        out["title"] = out["village"]
    out["item_key"] = key
    if key is not None:
        if key in seen:
            problems.append(
                _p(
                    f"编号“{key}”与第{seen[key]}行重复",
                    f"duplicate key {key!r} (also on line {seen[key]})",
                    file,
                    line,
                    "serial" if "serial" in rec else spec.key,
                )
            )
        else:
            seen[key] = line
    return out
