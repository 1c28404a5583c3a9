"""Register files (台帐): a CSV or XLSX of items → validated register items, all or nothing.

- :func:`read_register_file` — read and check a file (nothing returned on any problem);
- :func:`make_register_template` / :func:`write_register_template` — the blank workbook of a kind;
- :func:`import_register_file` — read, check and commit one file as one batch (``kejifu import
  DIR --register KIND FILE``, notebook 02).

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


def field_of(cell) -> str | None:
    """The register field a header cell names, or ``None``: compared by
    :func:`kejifu.io.cells.norm_header`, a trailing required-marker ``*`` and a bracketed remark
    (``日期（年月日）``) ignored."""
    key = norm_header(cell).rstrip("*＊")
    return HEADERS.get(key) or HEADERS.get(norm_header(key, drop_remark=True))


def _header(grid) -> tuple[int, int, dict[str, int]] | None:
    """(index into grid, sheet row, field → column) of the register's header row: the row among
    the first ones naming the most known fields (the first non-blank row when none does)."""
    best, best_score = None, 0
    for idx, (line, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for col, cell in enumerate(cells):
            f = field_of(cell)
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
    check_kind(plan, kind, file)
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
    head_cells = grid[idx][1]
    labels = {f: str(head_cells[c]).strip().rstrip("*＊").strip() for f, c in columns.items()}
    records, seen = [], {}
    for line, cells in grid[idx + 1 :]:
        rec = {f: (cells[c] if c < len(cells) else None) for f, c in columns.items()}
        if all(is_blank(v) for v in rec.values()):
            continue
        records.append(_item(rec, line, kind, spec, plan, by_name, seen, file, problems, labels))
    if problems:
        raise ReportImportError(problems=collapse(problems))
    cols = ["kind", "item_key", "org", "date", "title", "withdrawn"]
    extra = [f for f in spec.fields if f not in cols and any(f in r for r in records)]
    frame = pd.DataFrame(records, columns=cols + extra)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["withdrawn"] = frame["withdrawn"].astype(bool)
    return frame


def _item(
    rec: dict,
    line: int,
    kind: str,
    spec,
    plan: Plan,
    by_name: dict,
    seen: dict,
    file: str,
    problems: list,
    labels: dict | None = None,
):
    """One register row → an item dict; its problems are appended to ``problems`` (a column named
    by its header in the file, ``labels``: field → header text)."""
    labels = labels or {}
    out: dict[str, Any] = {"kind": kind}
    for f in spec.required:
        if f in rec and is_blank(rec[f]):
            zh, en = labels.get(f) or header_text(kind, f, "zh"), t("store.field." + f, "en")
            problems.append(
                _p(
                    t("registers.msg.required_empty", "zh", header=zh),
                    t("registers.msg.required_empty", "en", header=en),
                    file,
                    line,
                    f,
                )
            )
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


# ----- the blank template ------------------------------------------------------------------------

#: Rows of the template's title, instructions and header; items start on the row after the header.
TEMPLATE_HEADER_ROW = 3
#: Formatted and validated item rows in a blank template.
TEMPLATE_ROWS = 500


def template_fields(kind: str) -> tuple[str, ...]:
    """The columns of ``kind``'s template, in order: the kind's fields, then ``withdrawn``."""
    fields = list(kind_of(kind).fields)
    return tuple(fields + ["withdrawn"])


def header_text(kind: str, field: str, lang: str = "zh") -> str:
    """The template header of ``field`` in ``kind``'s register (``安装日期`` for terminals' date):
    ``registers.header.<kind>.<field>`` when the catalogue has it, else ``registers.header.<field>``."""
    from ..i18n import catalogue

    key = f"registers.header.{kind}.{field}"
    return t(key if key in catalogue() else f"registers.header.{field}", lang)


def register_title(kind: str, lang: str = "zh") -> str:
    """The register's name (农村科技信息机台帐); an unknown kind is named by its id."""
    from ..i18n import catalogue

    key = f"store.kind.{kind}"
    return t(key, lang) if key in catalogue() else kind


def check_kind(plan: Plan, kind: str, file: str | None = None) -> str:
    """``kind`` if it names a register of ``plan`` or a known register kind; else a
    :class:`ReportImportError` listing the choices."""
    known = set(register_targets(plan).values()) | set(KINDS)
    if kind not in known:
        raise ReportImportError(
            f"未知的台帐类型 {kind!r}，可选：{', '.join(sorted(known))}",
            f"unknown register kind {kind!r}; choose one of {', '.join(sorted(known))}",
            file=file,
        )
    return kind


def make_register_template(plan: Plan, kind: str, *, lang: str = "zh"):
    """The blank register workbook (``openpyxl.Workbook``) of ``kind`` for ``plan``'s year.

    Row 1 the title, row 2 the instructions, row 3 the header (Chinese, required columns marked
    ``*``), then :data:`TEMPLATE_ROWS` empty rows with dropdowns: the plan's org names (from a
    hidden list sheet), level 县级/乡镇级, yes/no for outside hire and withdrawn, and a date check
    within the plan year. A filled template reads back through :func:`read_register_file`.
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .cells import neutralise

    check_kind(plan, kind)
    spec = kind_of(kind)
    fields = template_fields(kind)
    year = plan.year
    wb = Workbook()
    ws = wb.active
    ws.title = register_title(kind, lang)[:31]
    lists = wb.create_sheet(t("registers.tpl.lists", lang))
    lists.sheet_state = "hidden"
    orgs = list(plan.orgs)
    for i, o in enumerate(orgs, start=1):
        lists.cell(i, 1, neutralise(o.name))  # the names the reader knows, in either language
    title = t("registers.tpl.title", lang, plan=plan.plan.title, register=register_title(kind, lang))
    if plan.plan.synthetic:
        title += f"（{t('registers.tpl.synthetic', lang)}）"
    ncol = len(fields)
    ws.cell(1, 1, neutralise(title)).font = Font(bold=True, size=14)
    ws.cell(2, 1, t("registers.tpl.instructions", lang, year=year)).alignment = Alignment(
        wrap_text=True, vertical="top"
    )
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    ws.row_dimensions[2].height = 75
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    required = set(spec.required)
    first, last = TEMPLATE_HEADER_ROW + 1, TEMPLATE_HEADER_ROW + TEMPLATE_ROWS
    yes_no = f'"{t("registers.tpl.yes", lang)},{t("registers.tpl.no", lang)}"'
    levels = f'"{t("registers.tpl.level_county", lang)},{t("registers.tpl.level_town", lang)}"'
    for j, f in enumerate(fields, start=1):
        text = header_text(kind, f, lang) + (" *" if f in required else "")
        c = ws.cell(TEMPLATE_HEADER_ROW, j, text)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
        c.alignment = Alignment(horizontal="center")
        c.border = border
        letter = get_column_letter(j)
        cells = f"{letter}{first}:{letter}{last}"
        dv = None
        if f == "org":
            dv = DataValidation(type="list", formula1=f"'{lists.title}'!$A$1:$A${len(orgs)}")
            dv.prompt = t("registers.tpl.pick_org", lang)
        elif f == "level":
            dv = DataValidation(type="list", formula1=levels)
        elif f in ("outside", "withdrawn"):
            dv = DataValidation(type="list", formula1=yes_no)
        elif f == "date":
            dv = DataValidation(
                type="date",
                operator="between",
                formula1=str((dt.date(year, 1, 1) - dt.date(1899, 12, 30)).days),
                formula2=str((dt.date(year, 12, 31) - dt.date(1899, 12, 30)).days),
                error=t("registers.tpl.date_error", lang, year=year),
                prompt=t("registers.tpl.date_prompt", lang, year=year),
            )
        if dv is not None:
            dv.allow_blank = True
            dv.showErrorMessage = True
            dv.showInputMessage = True
            dv.promptTitle = header_text(kind, f, lang)
            dv.prompt = dv.prompt or t("registers.tpl.pick", lang)
            ws.add_data_validation(dv)
            dv.add(cells)
        for r in range(first, last + 1):
            cell = ws.cell(r, j)
            if f == "date":
                cell.number_format = "yyyy-mm-dd"
            elif f in ("serial", "title", "village", "applicant", "note"):
                cell.number_format = "@"  # text: a serial 001 keeps its zeros
        ws.column_dimensions[letter].width = {"title": 28, "note": 28, "applicant": 20, "date": 13}.get(f, 14)
    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{TEMPLATE_HEADER_ROW}:{TEMPLATE_HEADER_ROW}"
    return wb


def write_register_template(plan: Plan, kind: str, path: str | Path, *, lang: str = "zh") -> Path:
    """Save :func:`make_register_template` to ``path`` (``.xlsx``) and return the path."""
    path = Path(path)
    make_register_template(plan, kind, lang=lang).save(path)
    return path


# ----- importing into the store ------------------------------------------------------------------


def import_register_file(
    store, path: str | Path, kind: str, *, who: str | None = None, name: str | None = None
):
    """Validate a register file against the store's plan and commit it as one batch
    ``register:<kind>`` (file name, sha256 of its bytes, ``who``), all or nothing.

    Never raises for a bad file: returns a :class:`kejifu.io.importer.FileOutcome`, refused
    (``ok`` false) with every problem located ``file:row: field``, or committed with the store's
    result (items added, unchanged, revised — a corrected item is a new revision, the old one
    kept; the same file twice adds nothing).
    """
    from ..errors import KejifuError
    from .importer import FileOutcome, default_who, sha256_of, unexpected
    from .reading import read_bytes

    file = name or str(path)
    try:
        data = read_bytes(path, name=file)
        frame = read_register_file(path, kind, store.plan(), name=file)
        digest = sha256_of(data)
        result = store.commit_register_items(
            frame, kind=kind, source_file=file, sha256=digest, who=who or default_who()
        )
    except KejifuError as exc:
        return FileOutcome(file, False, collapse(list(exc.problems)))
    except Exception as exc:  # noqa: BLE001 - one file's refusal, never a crash
        return FileOutcome(file, False, [unexpected(file, exc)])
    return FileOutcome(file, True, [], rows=len(frame), sha256=digest, result=result)


def import_register_files(store, paths, kind: str, *, who: str | None = None, on_outcome=None) -> list:
    """Import several register files of ``kind``, each all or nothing, in order; every file is tried
    whatever happened to the ones before it (``on_outcome`` is called as each one is done)."""
    outcomes = []
    for path in paths:
        outcome = import_register_file(store, path, kind, who=who)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes
