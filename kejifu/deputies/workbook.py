"""Deputy ledgers as xlsx workbooks: import with all-or-nothing validation, and export.

A workbook holds up to six sheets, found by name (Chinese or English, see the
``deputies.sheet.*`` labels): 科技副职名册 (roster), 书面报告 (reports), 年度考核
(yearly assessments), 任期考核 (end-of-term), 五个一 (five ones), 科技特派员
(specialists). In each sheet the header row is the first of the top five rows
naming a known column (the Chinese or English label, or the code name; a
bracketed remark such as ``（项）`` is ignored); rows below it are data, blank
rows skipped. Codes may be given as labels: 选派/外聘/本地, 在任/期满/召回,
乡镇/组织部, 县派/乡镇派; yes/no as 是/否, √, 1/0.

:func:`read_workbook` checks every row of every sheet and raises one
:class:`~kejifu.errors.ReportImportError` listing *every* problem as
``file:row: field: 中文 / English`` (row = the spreadsheet row); nothing is
returned, so nothing is stored, unless the whole file is clean. Checks: required
cells, dates, numbers, term ending before it starts, recall/completion dates
outside the term, duplicate people or keys, unknown towns, unknown people,
scores outside 0–100, negative or fractional counts, report numbers beyond the
reports owed a year.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from ..errors import Problem, ReportImportError
from ..i18n import t
from ..io.export import neutralise
from . import ledger as dep

SHEETS = ("roster", "reports", "assessments", "end_of_term", "outputs", "specialists")

#: Columns of each sheet, in file order.
SHEET_COLUMNS: dict[str, list[str]] = {
    "roster": [c for c in dep.ROSTER_COLUMNS],
    "reports": list(dep.REPORT_COLUMNS),
    "assessments": list(dep.ASSESSMENT_COLUMNS),
    "end_of_term": list(dep.END_OF_TERM_COLUMNS),
    "outputs": list(dep.OUTPUT_COLUMNS),
    "specialists": list(dep.SPECIALIST_COLUMNS),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "roster": ("person_id", "name", "org", "term_start"),
    "reports": ("person_id", "year", "seq", "submitted"),
    "assessments": ("person_id", "year", "assessor", *dep.DIMENSIONS),
    "end_of_term": ("person_id", "democratic", "inspection"),
    "outputs": ("person_id", "year"),
    "specialists": ("specialist_id", "name", "level", "dispatch_date"),
}
EXTRA_HEADERS = {  # more names accepted for some columns
    "person_id": ("编号", "人员编号", "id"),
    "org": ("乡镇", "挂职单位", "town"),
    "specialist_id": ("特派员编号",),
}
CODES = {"kind": dep.KINDS, "state": dep.STATES, "assessor": dep.ASSESSORS, "level": dep.LEVELS}
YES = {"1", "true", "yes", "y", "是", "√", "✓", "x", "有"}
NO = {"", "0", "false", "no", "n", "否", "×", "无"}
COUNT_COLUMNS = ("technologies", "courses", "trainees", "enterprises", "communities")


def _norm(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s).lower()
    s = re.sub(r"[(\[【].*?[)\]】]$", "", s)
    return s


def _header_names(col: str) -> set[str]:
    names = {col, t(f"deputies.col.{col}", "zh"), t(f"deputies.col.{col}", "en"), *EXTRA_HEADERS.get(col, ())}
    return {_norm(n) for n in names}


def _sheet_names(sheet: str) -> set[str]:
    return {
        _norm(sheet),
        _norm(t(f"deputies.sheet.{sheet}", "zh")),
        _norm(t(f"deputies.sheet.{sheet}", "en")),
    }


def _code(col: str, raw: Any) -> str | None:
    n = _norm(raw)
    for code in CODES[col]:
        if n in {
            _norm(code),
            _norm(t(f"deputies.{col}.{code}", "zh")),
            _norm(t(f"deputies.{col}.{code}", "en")),
        }:
            return code
    return None


class _Sheet:
    """Parses one sheet's cells, collecting located problems."""

    def __init__(self, file: str, sheet: str, problems: list[Problem]) -> None:
        self.file, self.sheet, self.problems = file, sheet, problems
        self.headers: dict[str, str] = {}

    def where(self, row: int) -> str:
        return f"{self.sheet}!{row}"

    def add(self, zh: str, en: str, row: int, col: str | None) -> None:
        fld = self.headers.get(col, col) if col else None
        self.problems.append(Problem(zh, en, file=self.file, row=self.where(row), field=fld))

    def blank(self, v: Any) -> bool:
        return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))

    def text(self, v: Any) -> str:
        if self.blank(v):
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        # our exports write text starting with = + - @ behind an apostrophe; read it back without
        return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text

    def date(self, v: Any, row: int, col: str) -> dt.date | None:
        if self.blank(v):
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        s = unicodedata.normalize("NFKC", str(v)).strip()
        m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
        self.add(f"不是日期（YYYY-MM-DD）：{s}", f"not a date (YYYY-MM-DD): {s}", row, col)
        return None

    def number(
        self,
        v: Any,
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
            self.add(
                f"数值超出范围（{rng}）：{v:g}"
                if isinstance(v, (int, float))
                else f"数值超出范围（{rng}）：{v}",
                f"out of range ({rng}): {v}",
                row,
                col,
            )
            return None
        return x

    def flag(self, v: Any, row: int, col: str) -> bool:
        n = _norm(v) if not isinstance(v, bool) else ("1" if v else "0")
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not self.blank(v):
            n = "1" if float(v) else "0"
        if n in YES:
            return True
        if n in NO or self.blank(v):
            return False
        self.add(f"应填“是”或“否”：{v}", f"must be yes or no: {v}", row, col)
        return False


def _grid(ws) -> list[tuple[int, list[Any]]]:
    return [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]


def _read_sheet(ws, sheet: str, file: str, problems: list[Problem]) -> tuple[_Sheet, list[tuple[int, dict]]]:
    sh = _Sheet(file, ws.title, problems)
    grid = _grid(ws)
    names = {c: _header_names(c) for c in SHEET_COLUMNS[sheet]}
    header_row, mapping = None, {}
    for i, cells in grid[:5]:
        found = {}
        for j, cell in enumerate(cells):
            n = _norm(cell)
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
    for i, cells in grid:
        if i <= header_row:
            continue
        values = {c: (cells[j] if j < len(cells) else None) for c, j in mapping.items()}
        if all(sh.blank(v) for v in values.values()):
            continue
        rows.append((i, values))
    return sh, rows


def _town_lookup(plan: Any) -> dict[str, str]:
    """Town id or name (Chinese or English) -> town id."""
    out = {}
    for o in plan.towns():
        for n in (o.id, o.name, o.name_en):
            if n:
                out[_norm(n)] = o.id
    return out


def county_specialist_org(plan: Any) -> str:
    """The org county-level specialists are registered under: the county S&T bureau (``*_kjj``) or the county."""
    for o in plan.orgs:
        if o.id == dep.COUNTY_SPECIALIST_ORG or (o.kind == "department" and o.id.endswith("_kjj")):
            return o.id
    return plan.root().id


def _required(sh: _Sheet, row: int, values: dict, cols: tuple[str, ...]) -> bool:
    ok = True
    for c in cols:
        if sh.blank(values.get(c)):
            sh.add("必填项为空", "required cell is empty", row, c)
            ok = False
    return ok


# ----- per-sheet validation ------------------------------------------------------------------


def _roster(sh: _Sheet, rows, plan, settings) -> pd.DataFrame:
    towns = _town_lookup(plan)
    out, seen = [], {}
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["roster"])
        pid = sh.text(v.get("person_id"))
        if pid:
            if pid in seen:
                sh.add(
                    f"人员重复：{pid}（已见于第{seen[pid]}行）",
                    f"duplicate person: {pid} (already on row {seen[pid]})",
                    row,
                    "person_id",
                )
                ok = False
            else:
                seen[pid] = row
        org_raw = sh.text(v.get("org"))
        org = towns.get(_norm(org_raw)) if org_raw else None
        if org_raw and org is None:
            sh.add(f"未知乡镇：{org_raw}", f"unknown town: {org_raw}", row, "org")
            ok = False
        start = sh.date(v.get("term_start"), row, "term_start")
        end = sh.date(v.get("term_end"), row, "term_end")
        if start and end is None and sh.blank(v.get("term_end")):
            end = dep.default_term_end(start, settings.term_years)
        if start and end and end < start:
            sh.add(
                f"任期结束（{end}）早于开始（{start}）",
                f"term ends ({end}) before it starts ({start})",
                row,
                "term_end",
            )
            ok = False
        kind = "seconded"
        if not sh.blank(v.get("kind")):
            kind = _code("kind", v.get("kind"))
            if kind is None:
                sh.add(
                    f"类别应为 选派/外聘/本地：{v.get('kind')}",
                    f"kind must be seconded/outside/local: {v.get('kind')}",
                    row,
                    "kind",
                )
                ok = False
        state = "serving"
        if not sh.blank(v.get("state")):
            state = _code("state", v.get("state"))
            if state is None:
                sh.add(
                    f"状态应为 在任/期满/召回：{v.get('state')}",
                    f"state must be serving/completed/recalled: {v.get('state')}",
                    row,
                    "state",
                )
                ok = False
        sdate = sh.date(v.get("state_date"), row, "state_date")
        if state == "recalled" and sdate is None and sh.blank(v.get("state_date")):
            sh.add("召回须填写召回日期", "a recall needs its date", row, "state_date")
            ok = False
        if (
            state in ("recalled", "completed")
            and sdate
            and start
            and end
            and not (start <= sdate <= end + dt.timedelta(days=1))
        ):
            sh.add(
                f"状态日期（{sdate}）不在任期内（{start}至{end}）",
                f"state date ({sdate}) outside the term ({start} to {end})",
                row,
                "state_date",
            )
            ok = False
        batch = sh.number(v.get("batch"), row, "batch", whole=True, lo=1949, hi=2100)
        if ok:
            out.append(
                {
                    "person_id": pid,
                    "name": sh.text(v.get("name")),
                    "sending_org": sh.text(v.get("sending_org")),
                    "org": org,
                    "post": sh.text(v.get("post")),
                    "batch": int(batch) if batch is not None else start.year,
                    "kind": kind,
                    "term_start": start,
                    "term_end": end,
                    "state": state,
                    "state_date": sdate,
                    "note": sh.text(v.get("note")),
                    "synthetic": sh.flag(v.get("synthetic"), row, "synthetic") if "synthetic" in v else False,
                }
            )
    return (
        dep.normalise_roster(pd.DataFrame(out, columns=dep.ROSTER_COLUMNS), settings)
        if out
        else dep.empty(dep.ROSTER_COLUMNS)
    )


def _person(sh: _Sheet, row: int, v: dict, known: set[str]) -> str | None:
    pid = sh.text(v.get("person_id"))
    if pid and pid not in known:
        sh.add(f"名册中没有此人：{pid}", f"person not on the roster: {pid}", row, "person_id")
        return None
    return pid or None


def _dupe(sh: _Sheet, row: int, key: tuple, seen: dict, col: str) -> bool:
    if key in seen:
        k = "/".join(str(x) for x in key)
        sh.add(
            f"重复记录：{k}（已见于第{seen[key]}行）",
            f"duplicate entry: {k} (already on row {seen[key]})",
            row,
            col,
        )
        return True
    seen[key] = row
    return False


def _reports(sh, rows, known, settings) -> pd.DataFrame:
    out, seen = [], {}
    n = settings.reports_per_year
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["reports"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        seq = sh.number(v.get("seq"), row, "seq", whole=True, lo=1, hi=n)
        sub = sh.date(v.get("submitted"), row, "submitted")
        flags = {c: sh.flag(v.get(c), row, c) for c in dep.RECIPIENTS}
        if (
            pid
            and year is not None
            and seq is not None
            and _dupe(sh, row, (pid, int(year), int(seq)), seen, "seq")
        ):
            ok = False
        if ok and pid and year is not None and seq is not None and sub:
            out.append(
                {
                    "person_id": pid,
                    "year": int(year),
                    "seq": int(seq),
                    "submitted": sub,
                    **flags,
                    "title": sh.text(v.get("title")),
                    "note": sh.text(v.get("note")),
                }
            )
    return pd.DataFrame(out, columns=dep.REPORT_COLUMNS)


def _assessments(sh, rows, known) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["assessments"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        assessor = None
        if not sh.blank(v.get("assessor")):
            assessor = _code("assessor", v.get("assessor"))
            if assessor is None:
                sh.add(
                    f"考核主体应为 乡镇/组织部：{v.get('assessor')}",
                    f"assessor must be town/orgdept: {v.get('assessor')}",
                    row,
                    "assessor",
                )
        scores = {d: sh.number(v.get(d), row, d, lo=0, hi=100) for d in dep.DIMENSIONS}
        if (
            pid
            and year is not None
            and assessor
            and _dupe(sh, row, (pid, int(year), assessor), seen, "assessor")
        ):
            ok = False
        if ok and pid and year is not None and assessor and all(x is not None for x in scores.values()):
            out.append(
                {
                    "person_id": pid,
                    "year": int(year),
                    "assessor": assessor,
                    **scores,
                    "note": sh.text(v.get("note")),
                }
            )
    return pd.DataFrame(out, columns=dep.ASSESSMENT_COLUMNS)


def _end_of_term(sh, rows, known) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["end_of_term"])
        pid = _person(sh, row, v, known)
        dem = sh.number(v.get("democratic"), row, "democratic", lo=0, hi=100)
        ins = sh.number(v.get("inspection"), row, "inspection", lo=0, hi=100)
        if pid and _dupe(sh, row, (pid,), seen, "person_id"):
            ok = False
        if ok and pid and dem is not None and ins is not None:
            out.append(
                {"person_id": pid, "democratic": dem, "inspection": ins, "note": sh.text(v.get("note"))}
            )
    return pd.DataFrame(out, columns=dep.END_OF_TERM_COLUMNS)


def _outputs(sh, rows, known) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["outputs"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        vals = {}
        for c in dep.FIVE_ONES:
            x = sh.number(v.get(c), row, c, whole=c in COUNT_COLUMNS, lo=0)
            if x is None and not sh.blank(v.get(c)):
                ok = False
            vals[c] = x if x is not None else 0.0
        if pid and year is not None and _dupe(sh, row, (pid, int(year)), seen, "year"):
            ok = False
        if ok and pid and year is not None:
            out.append({"person_id": pid, "year": int(year), **vals, "note": sh.text(v.get("note"))})
    return pd.DataFrame(out, columns=dep.OUTPUT_COLUMNS)


def _specialists(sh, rows, plan) -> pd.DataFrame:
    towns = _town_lookup(plan)
    orgs = {_norm(n): o.id for o in plan.orgs for n in (o.id, o.name, o.name_en) if n}
    county_org = county_specialist_org(plan)
    out, seen = [], {}
    for row, v in rows:
        ok = _required(sh, row, v, REQUIRED["specialists"])
        sid = sh.text(v.get("specialist_id"))
        if sid and _dupe(sh, row, (sid,), seen, "specialist_id"):
            ok = False
        level = None
        if not sh.blank(v.get("level")):
            level = _code("level", v.get("level"))
            if level is None:
                sh.add(
                    f"派出层级应为 县派/乡镇派：{v.get('level')}",
                    f"level must be county/town: {v.get('level')}",
                    row,
                    "level",
                )
                ok = False
        org_raw = sh.text(v.get("org"))
        org = None
        if level == "town":
            org = towns.get(_norm(org_raw)) if org_raw else None
            if org is None:
                sh.add(
                    f"乡镇派特派员须填写已知乡镇：{org_raw or '（空）'}",
                    f"a town-level specialist needs a known town: {org_raw or '(empty)'}",
                    row,
                    "org",
                )
                ok = False
        elif level == "county":
            org = orgs.get(_norm(org_raw)) if org_raw else county_org
            if org is None:
                sh.add(f"未知单位：{org_raw}", f"unknown organisation: {org_raw}", row, "org")
                ok = False
        when = sh.date(v.get("dispatch_date"), row, "dispatch_date")
        comm = sh.number(v.get("communities"), row, "communities", whole=True, lo=0)
        if comm is None and not sh.blank(v.get("communities")):
            ok = False
        outside = sh.flag(v.get("outside"), row, "outside")
        if ok and when and level:
            out.append(
                {
                    "specialist_id": sid,
                    "name": sh.text(v.get("name")),
                    "level": level,
                    "outside": outside,
                    "org": org,
                    "speciality": sh.text(v.get("speciality")),
                    "communities": int(comm or 0),
                    "dispatch_date": when,
                    "note": sh.text(v.get("note")),
                    "synthetic": sh.flag(v.get("synthetic"), row, "synthetic") if "synthetic" in v else False,
                }
            )
    return pd.DataFrame(out, columns=dep.SPECIALIST_COLUMNS)


# ----- public API ----------------------------------------------------------------------------


def read_workbook(
    path: str | Path,
    plan: Any,
    *,
    known_people: set[str] | None = None,
    settings: Any = None,
    name: str | None = None,
) -> dep.DeputyData:
    """Read and validate a deputy workbook; all or nothing.

    ``plan`` gives the towns (and the deputy settings unless ``settings`` is
    given); ``known_people`` are person ids already on the stored roster, so a
    workbook of reports alone may refer to them. Raises
    :class:`~kejifu.errors.ReportImportError` with every located problem.
    """
    path = Path(path)
    file = name or path.name
    settings = dep.settings_from(settings if settings is not None else plan)
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except FileNotFoundError:
        raise ReportImportError("找不到文件", "file not found", file=file) from None
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise ReportImportError(
            f"不是有效的xlsx工作簿：{exc}", f"not a readable xlsx workbook: {exc}", file=file
        ) from None
    problems: list[Problem] = []
    found: dict[str, Any] = {}
    for ws in wb.worksheets:
        n = _norm(ws.title)
        for s in SHEETS:
            if n in _sheet_names(s) and s not in found:
                found[s] = ws
    if not found:
        names = "、".join(t(f"deputies.sheet.{s}", "zh") for s in SHEETS)
        raise ReportImportError(
            f"工作簿中没有可识别的工作表（应为：{names}）",
            f"no known sheet in the workbook (expected: {', '.join(t(f'deputies.sheet.{s}', 'en') for s in SHEETS)})",
            file=file,
        )
    parsed: dict[str, tuple[_Sheet, list]] = {
        s: _read_sheet(ws, s, file, problems) for s, ws in found.items()
    }
    frames: dict[str, pd.DataFrame] = {}
    if "roster" in parsed:
        frames["roster"] = _roster(*parsed["roster"], plan, settings)
        ids_in_sheet = {
            sh_id for _, v in parsed["roster"][1] if (sh_id := parsed["roster"][0].text(v.get("person_id")))
        }
    else:
        ids_in_sheet = set()
    known = set(known_people or ()) | ids_in_sheet
    steps: dict[str, Callable] = {
        "reports": lambda sh, rows: _reports(sh, rows, known, settings),
        "assessments": lambda sh, rows: _assessments(sh, rows, known),
        "end_of_term": lambda sh, rows: _end_of_term(sh, rows, known),
        "outputs": lambda sh, rows: _outputs(sh, rows, known),
        "specialists": lambda sh, rows: _specialists(sh, rows, plan),
    }
    for s, fn in steps.items():
        if s in parsed:
            frames[s] = fn(*parsed[s])
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ReportImportError(problems=errors)
    return dep.DeputyData(**{s: frames.get(s, dep.empty(SHEET_COLUMNS[s])) for s in SHEETS})


def _cell(col: str, value: Any, lang: str) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if col in CODES and value:
        return t(f"deputies.{col}.{value}", lang)
    if col in ("outside", "synthetic", *dep.RECIPIENTS):
        return "是" if dep._truthy(value) else "否"
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return neutralise(value)  # a name starting with = + - @ stays text, not a formula


def write_workbook(
    path: str | Path,
    data: dep.DeputyData,
    *,
    plan: Any = None,
    lang: str = "zh",
    parts: tuple[str, ...] = SHEETS,
) -> Path:
    """Write ``data`` as a workbook :func:`read_workbook` reads back (headers and codes in ``lang``).

    Towns are written as their names when ``plan`` is given. An empty
    :class:`~kejifu.deputies.DeputyData` gives the blank template.
    """
    path = Path(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for s in parts:
        ws = wb.create_sheet(t(f"deputies.sheet.{s}", lang))
        cols = SHEET_COLUMNS[s]
        ws.append([t(f"deputies.col.{c}", lang) for c in cols])
        frame = getattr(data, s)
        for rec in frame.to_dict("records"):
            row = []
            for c in cols:
                v = rec.get(c)
                if c == "org" and plan is not None and v in plan.org_index:
                    v = plan.org_name(v, lang)
                row.append(_cell(c, v, lang))
            ws.append(row)
        for j, c in enumerate(cols, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = 14
            if c in ("term_start", "term_end", "state_date", "submitted", "dispatch_date"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ----- the end-of-term assessment sheet (docx) ------------------------------------------------------


def end_of_term_docx(
    path: str | Path,
    sheet: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    plan: Any = None,
    lang: str = "zh",
    synthetic: bool = False,
    settings: Any = None,
) -> Path:
    """Write the end-of-term assessment sheet (挂职科技副职任期考核表) as a Word document.

    ``sheet`` is :func:`kejifu.deputies.end_of_term` output; one table row per
    deputy with the democratic evaluation, inspection, mean yearly score
    [points], weighted score [points] and grade; the weights are printed under
    the title. ``synthetic`` adds the demo-data notice.
    """
    from docx import Document

    s = dep.settings_from(settings if settings is not None else plan)
    w = s.end_of_term_weights
    doc = Document()
    doc.add_heading(t("deputies.sheet_title", lang), level=1)
    if synthetic:
        doc.add_paragraph(t("deputies.synthetic", lang))
    doc.add_paragraph(
        f"{t('deputies.col.democratic', lang)} × {w['democratic']:g} + "
        f"{t('deputies.col.inspection', lang)} × {w['inspection']:g} + "
        f"{t('deputies.col.annual', lang)} × {w['annual']:g}"
    )
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
                v = dep.grade_label(v, lang)
            elif isinstance(v, float):
                v = "" if math.isnan(v) else f"{v:.1f}"
            cell.text = "" if v is None else str(v)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path
