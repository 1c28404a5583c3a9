"""The plan as a workbook (目标任务分解表): a :class:`~kejifu.plan.Plan` written as an xlsx a planner edits.

Sheets, in order: 说明 (how to edit it), 指标 (one row per target, every target field), 分解
(targets × orgs, a 合计 formula and a 核对 column against the county figure), 单位 (the org tree),
统计项 (measures), 设置 (the plan's title, year, bands, groups, settings and rubric, one dotted key a
row) and a hidden 选项 sheet that feeds the drop-down lists (kinds, units, schedules, directions…).
Every header has its Chinese label on the first line and its key on the second: the key is what
:mod:`kejifu.io.planbook_read` reads back, so a round trip yaml → xlsx → yaml gives the same plan.

:func:`write_planbook` writes the workbook (:func:`blank_plan` gives one to start from);
:func:`plan_yaml` writes a plan as a plan file's YAML text (what ``kejifu plan import`` and
``kejifu plan next`` save). Shared with the reader: :data:`TARGET_COLUMNS`, :data:`ORG_COLUMNS`,
:data:`MEASURE_COLUMNS`, :func:`flatten` (nested settings → dotted keys and cell values) and the
cell encodings of schedules, yes/no, acknowledgements and structured values.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, get_args

import yaml
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import schedule as schedule_mod
from .. import units
from ..errors import PlanError
from ..i18n import t
from ..plan import OrgKind, Plan, Target
from . import reading
from .cells import FORMULA_START, neutralise

#: Columns of the 指标 sheet: (field, type). Types: text, number, choice, bool, date, schedule,
#: pending, ack. Every field of :class:`~kejifu.plan.Target` has a column.
TARGET_COLUMNS: list[tuple[str, str]] = [
    ("id", "text"),
    ("title", "text"),
    ("title_en", "text"),
    ("group", "text"),
    ("unit", "choice"),
    ("kind", "choice"),
    ("baseline", "number"),
    ("target", "number"),
    ("stretch", "number"),
    ("target_points", "number"),
    ("direction", "choice"),
    ("schedule", "schedule"),
    ("due", "date"),
    ("owner", "text"),
    ("each", "bool"),
    ("numerator", "text"),
    ("denominator", "text"),
    ("measure", "text"),
    ("source", "choice"),
    ("register", "text"),
    ("aggregate", "choice"),
    ("pending", "pending"),
    ("baseline_note", "text"),
    ("note", "text"),
    ("acknowledge", "ack"),
]
#: Columns of the 单位 sheet: (field, catalogue key, type); ``level`` is shown, never read.
ORG_COLUMNS: list[tuple[str, str, str]] = [
    ("id", "org_id", "text"),
    ("name", "org_name", "text"),
    ("name_en", "name_en", "text"),
    ("kind", "org_kind", "choice"),
    ("parent", "parent", "text"),
]
#: Columns of the 统计项 sheet: (field, catalogue key, type).
MEASURE_COLUMNS: list[tuple[str, str, str]] = [
    ("id", "measure_id", "text"),
    ("title", "measure_title", "text"),
    ("title_en", "title_en", "text"),
    ("unit", "unit", "choice"),
]
#: The fixed columns of the 分解 sheet before the orgs, and the two formula columns after them.
ALLOC_LEAD = ("id", "title", "unit", "county")
ALLOC_TAIL = ("total", "check")
#: The keys of the 设置 sheet's three columns.
SETTINGS_COLUMNS = ("key", "value", "about")
#: Rows of the header block on every table sheet: 1 = Chinese labels, 2 = keys.
KEY_ROW = 2

#: Drop-down choices, by the 指标/单位/统计项 field they feed.
CHOICES: dict[str, list[str]] = {
    "kind": list(get_args(Target.model_fields["kind"].annotation)),
    "direction": list(get_args(Target.model_fields["direction"].annotation)),
    "source": list(get_args(Target.model_fields["source"].annotation)),
    "aggregate": list(get_args(Target.model_fields["aggregate"].annotation)),
    "unit": [u for u in units.UNITS if u],
    "schedule": list(schedule_mod.PROFILES),
    "org_kind": list(get_args(OrgKind)),
    "yes": ["是"],
}

#: Text starting with one of these in a 设置 value cell is read as YAML (lists, mappings, quoted
#: text, ``~`` for null); plain text starting with one of them is written quoted.
STRUCTURED_START = ("[", "{", '"', "~")
YES = "是"

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_KEY_FILL = PatternFill("solid", fgColor="F2F2F2")
_FORMULA_FILL = PatternFill("solid", fgColor="FFF2CC")
_WIDTHS = {"title": 30, "title_en": 28, "baseline_note": 36, "note": 24, "acknowledge": 36, "name": 18}


def sheet_name(key: str) -> str:
    """The Chinese title of the sheet ``key`` (``targets`` → 指标)."""
    return t(f"planbook.sheet.{key}", "zh")


# ----- cell encodings (the reader decodes them) -------------------------------------------------


def schedule_cell(schedule: str | list[float]) -> str:
    """A schedule as a cell: its name, or the 12 weights separated by commas."""
    if isinstance(schedule, str):
        return schedule
    return ", ".join(repr(float(w)) if not float(w).is_integer() else str(int(w)) for w in schedule)


def pending_cell(pending: bool | str) -> str | None:
    """``pending`` as a cell: 是 for true, the reason as written, blank for false."""
    if pending is True:
        return YES
    return pending or None


def ack_cell(acknowledge) -> str | None:
    """Acknowledgements as one cell: a line ``check: reason`` each."""
    return "\n".join(f"{a.check}: {a.reason}" for a in acknowledge) or None


def structured_cell(value: Any) -> Any:
    """A settings value as a cell: scalars as themselves; lists, mappings, ``None`` and text that
    would read as structure as YAML flow text (JSON)."""
    if value is None:
        return "~"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if value.startswith(STRUCTURED_START) else value
    if isinstance(value, bool | int | float | dt.date):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def flatten(data: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mappings → ``(dotted key, value)`` rows; a mapping whose keys contain a dot (or are
    not text), and an empty mapping, stay one value."""
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(k, str) and k and "." not in k for k in value)
        ):
            rows += flatten(value, path)
        else:
            rows.append((path, value))
    return rows


def _header(key: str, label_key: str | None = None) -> tuple[str, str]:
    return t(f"planbook.col.{label_key or key}", "zh"), key


def _cell_value(value: Any) -> Any:
    """A value as a cell: text formula-safe (an apostrophe before ``= + - @``; one more before text
    that already starts with an apostrophe and one of those, so the reader gives back what was written)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'")[:1] in FORMULA_START:
        return "'" + value
    return neutralise(value) if isinstance(value, str) else value


def _head(ws, headers: list[tuple[str, str]]) -> None:
    """The two header rows: Chinese labels (row 1), keys (row 2)."""
    for col, (zh, key) in enumerate(headers, start=1):
        top = ws.cell(row=1, column=col, value=zh)
        top.font, top.fill = Font(bold=True), _HEAD_FILL
        top.alignment = Alignment(wrap_text=True, vertical="center")
        low = ws.cell(row=KEY_ROW, column=col, value=key)
        low.font, low.fill = Font(italic=True, color="595959", size=9), _KEY_FILL


def _widths(ws, keys: list[str], default: int = 12) -> None:
    for col, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(key, default)


def _lists(wb: Workbook) -> dict[str, str]:
    """The hidden 选项 sheet: one column per choice list → the range formula of each."""
    ws = wb.create_sheet(sheet_name("lists"))
    ws.sheet_state = "hidden"
    refs = {}
    for col, (name, values) in enumerate(CHOICES.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        refs[name] = f"'{ws.title}'!${letter}$2:${letter}${len(values) + 1}"
    return refs


def _dropdown(ws, formula: str, col: int, *, strict: bool, hint: str | None = None, last: int = 1000) -> None:
    """A drop-down on column ``col`` below the header; ``strict`` refuses other entries."""
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.errorStyle = "stop" if strict else "warning"
    if hint:
        dv.error = hint
    letter = get_column_letter(col)
    dv.add(f"{letter}{KEY_ROW + 1}:{letter}{last}")
    ws.add_data_validation(dv)


# ----- the sheets ---------------------------------------------------------------------------------


def _readme(wb: Workbook, plan: Plan) -> None:
    ws = wb.active
    ws.title = sheet_name("readme")
    ws["A1"] = _cell_value(t("planbook.readme.title", "zh", title=plan.plan.title))
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for lang in ("zh", "en"):
        for line in t("planbook.readme.lines", lang).splitlines():
            ws.cell(row=row, column=1, value=line)
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 120


def _targets(wb: Workbook, plan: Plan, refs: dict[str, str]) -> None:
    ws = wb.create_sheet(sheet_name("targets"))
    keys = [k for k, _ in TARGET_COLUMNS]
    _head(ws, [_header(k) for k in keys])
    for r, tg in enumerate(plan.targets, start=KEY_ROW + 1):
        data = tg.model_dump(by_alias=True)
        for c, (key, kind) in enumerate(TARGET_COLUMNS, start=1):
            value = data.get(key)
            if kind == "schedule":
                value = schedule_cell(value)
            elif kind == "bool":
                value = YES if value else None
            elif kind == "pending":
                value = pending_cell(value)
            elif kind == "ack":
                value = ack_cell(tg.acknowledge)
            elif key in ("title_en", "group", "baseline_note", "note") and value == "":
                value = None
            cell = ws.cell(row=r, column=c, value=_cell_value(value))
            if kind == "date" and value is not None:
                cell.number_format = "yyyy-mm-dd"
            if key in ("acknowledge", "baseline_note"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    where = {k: i for i, k in enumerate(keys, start=1)}
    for key in ("kind", "direction", "source", "aggregate", "unit"):
        _dropdown(ws, refs[key], where[key], strict=key != "unit")
    hint = f"{t('planbook.hint.schedule', 'zh')}\n{t('planbook.hint.schedule', 'en')}"
    _dropdown(ws, refs["schedule"], where["schedule"], strict=False, hint=hint)
    _dropdown(ws, refs["yes"], where["each"], strict=False)
    _dropdown(ws, refs["yes"], where["pending"], strict=False)
    ws.cell(row=1, column=where["schedule"]).comment = Comment(hint, "kejifu")
    ws.freeze_panes = ws.cell(row=KEY_ROW + 1, column=3)
    _widths(ws, keys)


def _org_level(plan: Plan, org_id: str) -> int:
    try:
        return len(plan.ancestors(org_id))
    except KeyError:
        return 0


def _orgs(wb: Workbook, plan: Plan, refs: dict[str, str]) -> None:
    ws = wb.create_sheet(sheet_name("orgs"))
    keys = [k for k, _, _ in ORG_COLUMNS]
    _head(ws, [_header(k, label) for k, label, _ in ORG_COLUMNS] + [_header("level")])
    for r, org in enumerate(plan.orgs, start=KEY_ROW + 1):
        for c, key in enumerate(keys, start=1):
            value = getattr(org, key)
            ws.cell(row=r, column=c, value=_cell_value(value if value != "" else None))
        level = _org_level(plan, org.id)
        ws.cell(row=r, column=len(keys) + 1, value=_cell_value("　" * level + org.name)).font = Font(
            color="808080"
        )
    _dropdown(ws, refs["org_kind"], keys.index("kind") + 1, strict=True)
    ids = f"${get_column_letter(1)}${KEY_ROW + 1}:${get_column_letter(1)}$2000"
    _dropdown(ws, f"'{ws.title}'!{ids}", keys.index("parent") + 1, strict=False)
    ws.freeze_panes = ws.cell(row=KEY_ROW + 1, column=3)
    _widths(ws, keys + ["name"], default=16)


def _measures(wb: Workbook, plan: Plan, refs: dict[str, str]) -> None:
    ws = wb.create_sheet(sheet_name("measures"))
    keys = [k for k, _, _ in MEASURE_COLUMNS]
    _head(ws, [_header(k, label) for k, label, _ in MEASURE_COLUMNS])
    for r, m in enumerate(plan.measures, start=KEY_ROW + 1):
        for c, key in enumerate(keys, start=1):
            value = getattr(m, key)
            ws.cell(row=r, column=c, value=_cell_value(value if value != "" else None))
    _dropdown(ws, refs["unit"], keys.index("unit") + 1, strict=False)
    ws.freeze_panes = ws.cell(row=KEY_ROW + 1, column=2)
    _widths(ws, keys, default=20)


#: Org kinds that get a column of the 分解 sheet without being named in an allocation.
ALLOCATED_KINDS = ("town", "subdistrict", "village", "enterprise", "department")


def allocation_orgs(plan: Plan) -> list[str]:
    """The org columns of the 分解 sheet: towns, sub-districts, villages, enterprises and
    departments, and any other org an allocation names, in plan order; then orgs an allocation
    names that the plan does not have (a plan check reports them)."""
    named = dict.fromkeys(o for tg in plan.targets for o in tg.allocations)
    shown = [o.id for o in plan.orgs if o.kind in ALLOCATED_KINDS or o.id in named]
    return shown + [o for o in named if o not in plan.org_index]


def _allocations(wb: Workbook, plan: Plan) -> None:
    orgs = allocation_orgs(plan)
    width = len(ALLOC_LEAD) + len(orgs) + len(ALLOC_TAIL)
    if width > reading.MAX_COLS:  # the reader would refuse the sheet: say so now, not on import
        zh, en = (
            t("planbook.err.too_wide", lang, n=len(orgs), limit=reading.MAX_COLS) for lang in ("zh", "en")
        )
        raise PlanError(zh, en, field="orgs")
    ws = wb.create_sheet(sheet_name("allocations"))
    targets_sheet = sheet_name("targets")
    keys = [k for k, _ in TARGET_COLUMNS]
    heads = [_header(k, label) for k, label in zip(ALLOC_LEAD, ("id", "title", "unit", "county"))]
    heads += [(plan.org_name(o), o) for o in orgs]
    heads += [_header(k) for k in ALLOC_TAIL]
    _head(ws, heads)
    first, last = len(ALLOC_LEAD) + 1, len(ALLOC_LEAD) + len(orgs)
    total_col, check_col = last + 1, last + 2
    lo, hi = get_column_letter(first), get_column_letter(max(last, first))
    look = {k: get_column_letter(keys.index(k) + 1) for k in ("title", "unit", "target")}
    for r, tg in enumerate(plan.targets, start=KEY_ROW + 1):
        ws.cell(row=r, column=1, value=_cell_value(tg.id))
        for c, key in ((2, "title"), (3, "unit"), (4, "target")):
            col = look[key]
            found = f"INDEX('{targets_sheet}'!${col}:${col},MATCH($A{r},'{targets_sheet}'!$A:$A,0))"
            text = '&""' if key != "target" else ""  # a blank title shows blank, not 0
            ws.cell(row=r, column=c, value=f'=IFERROR({found}{text},"")').fill = _FORMULA_FILL
        for c, org in enumerate(orgs, start=first):
            raw = tg.allocations.get(org)
            ws.cell(row=r, column=c, value=_cell_value(raw))
        if tg.kind == "cumulative" and orgs:
            total = ws.cell(
                row=r, column=total_col, value=f'=IF(COUNT({lo}{r}:{hi}{r})=0,"",SUM({lo}{r}:{hi}{r}))'
            )
            t_ref, s_ref = f"D{r}", f"{get_column_letter(total_col)}{r}"
            ok, off = t("planbook.check.ok", "zh"), t("planbook.check.off", "zh")
            check = ws.cell(
                row=r,
                column=check_col,
                value=f'=IF(OR({s_ref}="",{t_ref}=""),"",IF(ABS({s_ref}-{t_ref})<=0.000001*MAX(1,ABS({t_ref})),'
                f'"{ok}","{off}"&TEXT({s_ref}-{t_ref},"+0.##;-0.##")))',
            )
            total.fill = check.fill = _FORMULA_FILL
    ws.freeze_panes = ws.cell(row=KEY_ROW + 1, column=first)
    ws.column_dimensions["B"].width = 28
    for c in range(first, check_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 10


def _settings(wb: Workbook, plan: Plan) -> None:
    ws = wb.create_sheet(sheet_name("settings"))
    _head(ws, [_header(k) for k in SETTINGS_COLUMNS])
    data = plan.model_dump(by_alias=True, include={"plan", "assessment", "settings"})
    for key in ("assessment", "settings"):
        if not data.get(key):
            data.pop(key, None)
    said = None
    for r, (key, value) in enumerate(flatten(data), start=KEY_ROW + 1):
        ws.cell(row=r, column=1, value=_cell_value(key))
        ws.cell(row=r, column=2, value=_cell_value(structured_cell(value)))
        about = _about(key)
        if about and about != said:  # said once for a run of keys (the groups, the rubric)
            ws.cell(row=r, column=3, value=about).font = Font(color="808080")
        said = about
    ws.freeze_panes = "B3"
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 40


def _about(key: str) -> str | None:
    """What a settings key means (the longest catalogued prefix), Chinese / English."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        k = "planbook.key." + ".".join(parts[:n])
        try:
            return f"{t(k, 'zh')} / {t(k, 'en')}"
        except KeyError:
            continue
    return None


def blank_plan(year: int) -> Plan:
    """The smallest plan of ``year`` to start a workbook from: placeholders for the title and region,
    one county and no targets (every text in brackets is for the planner to replace)."""
    zh = {key: t(f"planbook.blank.{key}", "zh", year=year) for key in ("title", "region", "county")}
    return Plan.model_validate(
        {
            "plan": {"id": f"plan-{year}", "title": zh["title"], "region": zh["region"], "year": year},
            "orgs": [{"id": "county", "name": zh["county"], "kind": "county"}],
            "targets": [],
        }
    )


def build_planbook(plan: Plan) -> Workbook:
    """The workbook of ``plan`` (openpyxl, not saved)."""
    wb = Workbook()
    _readme(wb, plan)
    refs = _lists(wb)
    _targets(wb, plan, refs)
    _allocations(wb, plan)
    _orgs(wb, plan, refs)
    _measures(wb, plan, refs)
    _settings(wb, plan)
    lists = wb[sheet_name("lists")]
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(lists.title))
    wb.active = 1
    return wb


def write_planbook(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` as the workbook at ``path`` (.xlsx); returns the path."""
    path = Path(path)
    build_planbook(plan).save(path)
    return path


def plan_yaml(plan: Plan, header: str | None = None) -> str:
    """``plan`` as the text of a plan file (UTF-8 YAML, defaults left out), after ``header``
    lines as comments."""
    data = plan.model_dump(by_alias=True, exclude_defaults=True)
    lead = "".join(f"# {line}\n" for line in (header or "").splitlines())
    return lead + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


class _Dumper(yaml.SafeDumper):
    """Block style, but a short mapping of scalars (an org, a measure, a group) on one line."""


def _mapping(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flat = len(data) <= 6 and all(not isinstance(v, dict | list) for v in data.values())
    flat = flat and sum(len(str(k)) + len(str(v)) for k, v in data.items()) < 90
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flat)


_Dumper.add_representer(dict, _mapping)
