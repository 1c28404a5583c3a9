"""Reading a deputy workbook, all or nothing (the layout and the cells: :mod:`kejifu.deputies.sheets`).

:func:`read_workbook` reads the file with the project's one hardened reader
(:func:`kejifu.io.reading.read_sheets`: size and zip-bomb guards, bounded rows and
columns, hidden sheets never read), checks every row of every sheet and raises one
:class:`~kejifu.errors.ReportImportError` listing *every* problem as
``file:row: field: 中文 / English`` (row = the spreadsheet row); nothing is
returned, so nothing is stored, unless the whole file is clean. Checks: required
cells, dates, numbers, term ending before it starts, recall/completion dates
outside the term, duplicate people or keys, unknown towns, unknown people,
scores outside 0–100, negative or fractional counts, report numbers beyond the
reports recommended a year, unknown kinds of tracking record.

Writing (the workbook and the assessment documents) is :mod:`kejifu.deputies.export`;
:func:`write_workbook` and :func:`end_of_term_docx` are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import Problem, ReportImportError
from ..i18n import t
from ..io.reading import read_sheets
from ..plan import Plan
from .export import end_of_term_docx, write_workbook
from .ledger import DeputyData
from .roster import default_term_end, empty, normalise_roster
from .rules import (
    ASSESSMENT_COLUMNS,
    DIMENSIONS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    FIVE_ONES,
    OUTPUT_COLUMNS,
    RECIPIENTS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    WRITTEN_REPORT_COLUMNS,
    DeputySettings,
    SettingsSource,
    county_bureau,
    settings_from,
)
from .sheets import (
    COUNT_COLUMNS,
    REQUIRED,
    SHEET_COLUMNS,
    SHEETS,
    Row,
    Sheet,
    code,
    norm,
    read_sheet,
    sheet_names,
)

__all__ = ["SHEETS", "SHEET_COLUMNS", "end_of_term_docx", "read_workbook", "write_workbook"]

Rows = list[tuple[int, Row]]


def _town_lookup(plan: Plan) -> dict[str, str]:
    """Town id or name (Chinese or English) -> town id."""
    out = {}
    for o in plan.towns():
        for n in (o.id, o.name, o.name_en):
            if n:
                out[norm(n)] = o.id
    return out


# ----- per-sheet validation ------------------------------------------------------------------


def _roster(sh: Sheet, rows: Rows, plan: Plan, settings: DeputySettings) -> pd.DataFrame:
    towns = _town_lookup(plan)
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["roster"])
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
        org = towns.get(norm(org_raw)) if org_raw else None
        if org_raw and org is None:
            sh.add(f"未知乡镇：{org_raw}", f"unknown town: {org_raw}", row, "org")
            ok = False
        start = sh.date(v.get("term_start"), row, "term_start")
        end = sh.date(v.get("term_end"), row, "term_end")
        if start and end is None and sh.blank(v.get("term_end")):
            end = default_term_end(start, settings.term_years)
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
            kind = code("kind", v.get("kind"))
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
            state = code("state", v.get("state"))
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
        normalise_roster(pd.DataFrame(out, columns=ROSTER_COLUMNS), settings)
        if out
        else empty(ROSTER_COLUMNS)
    )


def _person(sh: Sheet, row: int, v: Row, known: set[str]) -> str | None:
    pid = sh.text(v.get("person_id"))
    if pid and pid not in known:
        sh.add(f"名册中没有此人：{pid}", f"person not on the roster: {pid}", row, "person_id")
        return None
    return pid or None


def _dupe(
    sh: Sheet, row: int, key: tuple[object, ...], seen: dict[tuple[object, ...], int], col: str
) -> bool:
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


def _reports(sh: Sheet, rows: Rows, known: set[str], settings: DeputySettings) -> pd.DataFrame:
    out, seen = [], {}
    n = settings.reports_per_year
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["reports"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        seq = sh.number(v.get("seq"), row, "seq", whole=True, lo=1, hi=n)
        sub = sh.date(v.get("submitted"), row, "submitted")
        flags = {c: sh.flag(v.get(c), row, c) for c in RECIPIENTS}
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
    return pd.DataFrame(out, columns=WRITTEN_REPORT_COLUMNS)


def _assessments(sh: Sheet, rows: Rows, known: set[str]) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["assessments"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        assessor = None
        if not sh.blank(v.get("assessor")):
            assessor = code("assessor", v.get("assessor"))
            if assessor is None:
                sh.add(
                    f"考核主体应为 乡镇/组织部：{v.get('assessor')}",
                    f"assessor must be town/orgdept: {v.get('assessor')}",
                    row,
                    "assessor",
                )
        scores = {d: sh.number(v.get(d), row, d, lo=0, hi=100) for d in DIMENSIONS}
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
    return pd.DataFrame(out, columns=ASSESSMENT_COLUMNS)


def _end_of_term(sh: Sheet, rows: Rows, known: set[str]) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["end_of_term"])
        pid = _person(sh, row, v, known)
        dem = sh.number(v.get("democratic"), row, "democratic", lo=0, hi=100)
        ins = sh.number(v.get("inspection"), row, "inspection", lo=0, hi=100)
        if pid and _dupe(sh, row, (pid,), seen, "person_id"):
            ok = False
        if ok and pid and dem is not None and ins is not None:
            out.append(
                {"person_id": pid, "democratic": dem, "inspection": ins, "note": sh.text(v.get("note"))}
            )
    return pd.DataFrame(out, columns=END_OF_TERM_COLUMNS)


def _outputs(sh: Sheet, rows: Rows, known: set[str]) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["outputs"])
        pid = _person(sh, row, v, known)
        year = sh.number(v.get("year"), row, "year", whole=True, lo=1949, hi=2100)
        vals = {}
        for c in FIVE_ONES:
            x = sh.number(v.get(c), row, c, whole=c in COUNT_COLUMNS, lo=0)
            if x is None and not sh.blank(v.get(c)):
                ok = False
            vals[c] = x if x is not None else 0.0
        if pid and year is not None and _dupe(sh, row, (pid, int(year)), seen, "year"):
            ok = False
        if ok and pid and year is not None:
            out.append({"person_id": pid, "year": int(year), **vals, "note": sh.text(v.get("note"))})
    return pd.DataFrame(out, columns=OUTPUT_COLUMNS)


def _specialists(sh: Sheet, rows: Rows, plan: Plan) -> pd.DataFrame:
    towns = _town_lookup(plan)
    orgs = {norm(n): o.id for o in plan.orgs for n in (o.id, o.name, o.name_en) if n}
    county_org = county_bureau(plan)
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["specialists"])
        sid = sh.text(v.get("specialist_id"))
        if sid and _dupe(sh, row, (sid,), seen, "specialist_id"):
            ok = False
        level = None
        if not sh.blank(v.get("level")):
            level = code("level", v.get("level"))
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
            org = towns.get(norm(org_raw)) if org_raw else None
            if org is None:
                sh.add(
                    f"乡镇派特派员须填写已知乡镇：{org_raw or '（空）'}",
                    f"a town-level specialist needs a known town: {org_raw or '(empty)'}",
                    row,
                    "org",
                )
                ok = False
        elif level == "county":
            org = orgs.get(norm(org_raw)) if org_raw else county_org
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
    return pd.DataFrame(out, columns=SPECIALIST_COLUMNS)


def _events(sh: Sheet, rows: Rows, known: set[str]) -> pd.DataFrame:
    out, seen = [], {}
    for row, v in rows:
        ok = sh.required(row, v, REQUIRED["events"])
        pid = _person(sh, row, v, known)
        kind = None
        if not sh.blank(v.get("kind")):
            kind = code("event", v.get("kind"))
            if kind is None:
                names = "/".join(t(f"deputies.event.{k}", "zh") for k in EVENT_KINDS)
                sh.add(
                    f"记录类别应为 {names}：{v.get('kind')}",
                    f"kind must be one of {', '.join(EVENT_KINDS)}: {v.get('kind')}",
                    row,
                    "kind",
                )
                ok = False
        when = sh.date(v.get("date"), row, "date")
        if pid and kind and when and _dupe(sh, row, (pid, kind, when.isoformat()), seen, "date"):
            ok = False
        if ok and pid and kind and when:
            out.append(
                {
                    "person_id": pid,
                    "kind": kind,
                    "date": when,
                    "result": sh.text(v.get("result")),
                    "by": sh.text(v.get("by")),
                    "note": sh.text(v.get("note")),
                }
            )
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


# ----- reading ---------------------------------------------------------------------------------


def read_workbook(
    path: str | Path,
    plan: Plan,
    *,
    known_people: set[str] | None = None,
    settings: SettingsSource = None,
    name: str | None = None,
    data: bytes | None = None,
) -> DeputyData:
    """Read and validate a deputy workbook; all or nothing.

    ``plan`` gives the towns (and the deputy settings unless ``settings`` is
    given); ``known_people`` are person ids already on the stored roster, so a
    workbook of reports alone may refer to them; ``data`` the file's bytes when
    already read. Raises :class:`~kejifu.errors.ReportImportError` with every
    located problem.
    """
    path = Path(path)
    file = name or path.name
    s = settings_from(settings if settings is not None else plan)
    grids = read_sheets(path, data=data, name=file)
    found: dict[str, str] = {}
    for title in grids:
        n = norm(title)
        for sheet in SHEETS:
            if n in sheet_names(sheet) and sheet not in found:
                found[sheet] = title
    if not found:
        names = "、".join(t(f"deputies.sheet.{x}", "zh") for x in SHEETS)
        names_en = ", ".join(t(f"deputies.sheet.{x}", "en") for x in SHEETS)
        raise ReportImportError(
            f"工作簿中没有可识别的工作表（应为：{names}）",
            f"no known sheet in the workbook (expected: {names_en})",
            file=file,
        )
    problems: list[Problem] = []
    parsed = {sheet: read_sheet(grids[title], title, sheet, file, problems) for sheet, title in found.items()}
    frames: dict[str, pd.DataFrame] = {}
    ids_in_sheet: set[str] = set()
    if "roster" in parsed:
        sh, rows = parsed["roster"]
        frames["roster"] = _roster(sh, rows, plan, s)
        ids_in_sheet = {pid for _, v in rows if (pid := sh.text(v.get("person_id")))}
    known = set(known_people or ()) | ids_in_sheet
    steps: dict[str, Callable[[Sheet, Rows], pd.DataFrame]] = {
        "reports": lambda sh, rows: _reports(sh, rows, known, s),
        "assessments": lambda sh, rows: _assessments(sh, rows, known),
        "end_of_term": lambda sh, rows: _end_of_term(sh, rows, known),
        "outputs": lambda sh, rows: _outputs(sh, rows, known),
        "specialists": lambda sh, rows: _specialists(sh, rows, plan),
        "events": lambda sh, rows: _events(sh, rows, known),
    }
    for sheet, fn in steps.items():
        if sheet in parsed:
            frames[sheet] = fn(*parsed[sheet])
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ReportImportError(problems=errors)
    return DeputyData(**{x: frames.get(x, empty(SHEET_COLUMNS[x])) for x in SHEETS})
