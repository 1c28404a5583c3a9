"""Write docs/plan-fields.md, the complete field reference of a plan file, from the pydantic models.

Every key of every mapping (``plan``, ``orgs``, ``measures``, ``targets`` …) is listed with its type,
its allowed values, its default, an example and its description in Chinese and in English, all read
from :mod:`kejifu.planfields` and :class:`kejifu.plan.Plan` (``Field(description=…, examples=…)``),
so the reference cannot drift from what the loader accepts. The org kinds, the named schedules and
the units come from the package too; who reports what and the settings are written here.

Usage::

    .venv/bin/python scripts/planref.py            # rewrite docs/plan-fields.md
    .venv/bin/python scripts/planref.py --check    # exit 1 if the page is out of date

``tests/test_planref.py`` runs the check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import types
import typing
from pathlib import Path

import annotated_types as at
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kejifu import completeness, planfields, planfile, ranking, units  # noqa: E402
from kejifu.i18n import t  # noqa: E402
from kejifu.plan import Plan  # noqa: E402
from kejifu.schedule import PROFILES  # noqa: E402

PAGE = ROOT / "docs" / "plan-fields.md"

#: Each mapping of a plan file: where it is in the YAML, its model, and what it is.
SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("(top level)", Plan, "The plan file: a YAML mapping (UTF-8) with these keys. 计划文件的顶层键。"),
    ("plan", planfields.PlanInfo, "What the plan is. 计划本身。"),
    ("plan.bands", planfields.Bands, "Status thresholds. 状态阈值。"),
    ("plan.groups.<id>", planfields.Group, "One group of targets, under its id. 指标分组。"),
    ("orgs[]", planfields.Org, "One org of the tree; the list has at least one. 单位（列表的一项）。"),
    ("measures[]", planfields.Measure, "A raw quantity orgs report. 计量（列表的一项）。"),
    ("targets[]", planfields.Target, "One target. 指标（列表的一项）。"),
    ("targets[].acknowledge[]", planfields.Acknowledgement, "A finding read and explained. 已确认的提示。"),
]

#: What the type of a field is called in the reference.
TYPE_NAMES = {
    str: "text",
    int: "integer",
    float: "number",
    bool: "true/false",
    dt.date: "date (YYYY-MM-DD)",
    typing.Any: "any",
}

#: Who reports each kind of target, and what its total is: (the target, who reports, the total).
WHO_REPORTS = [
    (
        "cumulative with `allocations`",
        "every allocated org is an expected reporter (a missing one is named: 「15个乡镇中13个已报送」); "
        "any other org may report too",
        "the sum of what the orgs report; a node's own report is authoritative over its children's sum",
    ),
    (
        "cumulative, level or share **without** allocations (a county-level target)",
        "whoever keeps the figure: usually the county itself (the root org, e.g. `yinan`) or the county "
        "department that keeps it (`yinan_kjj`, `yinan_tjj`); every org that has reported it this year "
        "is then expected each month",
        "the sum (levels: by `aggregate:`) of what the orgs report; the county's own figure when it "
        "reports the county figure itself",
    ),
    (
        "share (`kind: share`)",
        "nobody reports the share: orgs report its `numerator` and `denominator` measures (a statistics "
        "bureau may report only the denominator)",
        "Σ numerators ÷ Σ denominators [%]",
    ),
    (
        "share or level with `allocations`",
        "the allocated orgs; each allocation is that org's **own target level** (an enterprise must reach "
        "3 %), not a part of the county figure, and never added up",
        "as above; the county is measured against `target`, each allocated org against its allocation, "
        "any other org against `target`",
    ),
    (
        "`each: true` (a floor)",
        "every allocated org (else every org that reports both sides itself) must clear it: 达标 / 未达标",
        "the share of orgs that meet it 「9家中4家达到5%」",
    ),
    (
        "`measure: <id>`",
        "the orgs report the measure (the county's high-tech output target counts the enterprises' "
        "`ht_output` reports)",
        "the sum of the measure's reports",
    ),
    (
        "`source: register`",
        "nobody reports a figure: the register (台帐) named by `register:` (default the target id) is "
        "counted, one row per item",
        "the count of items to the month",
    ),
    (
        "milestone (`kind: milestone`)",
        "the `owner:` org (default the root org) reports 1 when it is done",
        "未到期 / 已完成 / 逾期 by `due:`",
    ),
    (
        "`pending:`",
        "as for its kind; the value and 同比 are shown, no completion, until the target value is set",
        "—",
    ),
]

#: The settings a plan may carry: (key, default, what it sets).
SETTINGS = [
    (
        "settings.limits",
        f"`{planfile.DEFAULT_CEILING:g}`".replace("e+", "e"),
        "the ceiling of a plausible plan number [in its unit]: one number, or a mapping of unit symbols "
        "(or `default`) to numbers, e.g. `{default: 1e12, 万元: 1e9}`",
    ),
    (
        "settings.reporting.deadline_day",
        f"`{completeness.DEADLINE_DAY}`",
        f"reports of a month are due by this day of the next month [day] "
        f"(次月{completeness.DEADLINE_DAY}日前报送)",
    ),
    (
        "settings.ranking.cap",
        f"`{ranking.DEFAULT_CAP:g}`",
        "each completion ratio is capped at this in rankings [share]",
    ),
    ("settings.documents", "—", "发文机关, 落款, 发文字号 pattern, 抄送, fonts of the documents"),
    (
        "settings.deputies",
        "—",
        "the county's technology-deputy assessment settings (`kejifu plan` checks them)",
    ),
    ("settings.synthetic_years", "the plan year and four before", "the years of synthetic demo reports"),
]

NUMBERS = """\
## Numbers, units and dates 数值、单位和日期

- `target`, `stretch`, `baseline` and allocations are in the target's `unit`; they may be written with
  a unit of the same kind, converted on reading: `baseline: 340万平方米` in a target of `unit: 亩` is
  5100 亩. Counts must be whole. A number that is not finite, negative or above `settings.limits`
  is refused with its line.
- Shares are in `%`; `target_points` is in percentage points (百分点).
- Dates (`due:`) are written `YYYY-MM-DD`, e.g. `2005-10-31`; a date that does not exist
  (`2005-02-30`) is refused with its line.
- A key written twice in one mapping is refused (the last one would silently win); so is a key the
  model does not know (a typo).
"""


def _type(annotation) -> str:
    """The reference's name of a field's type."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "text, one of"
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a) for a in args if a is not type(None) and not (a is int and float in args)]
        name = " or ".join(dict.fromkeys(parts))
        return f"{name} (optional)" if type(None) in args else name
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of {_type(args[0])} → {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"mapping ({annotation.__name__})"
    return TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _allowed(name: str, field) -> str:
    """The allowed values or bounds of a field ('' when any value of its type will do)."""
    out: list[str] = []
    for annotation in [field.annotation, *typing.get_args(field.annotation)]:
        if typing.get_origin(annotation) is typing.Literal:
            out += [f"`{a}`" for a in typing.get_args(annotation)]
    for rule in field.metadata:
        for kind, sign in ((at.Gt, ">"), (at.Ge, "≥"), (at.Lt, "<"), (at.Le, "≤")):
            if isinstance(rule, kind):
                out.append(f"{sign} {getattr(rule, kind.__name__.lower())}")
        if isinstance(rule, at.MinLen) and rule.min_length:
            out.append("not empty" if rule.min_length == 1 else f"at least {rule.min_length}")
    if name == "schedule":
        out += [f"`{p}`" for p in PROFILES] + ["12 monthly weights"]
    if name == "unit":
        out.append("a unit below")
    if name in ("parent", "owner") or name == "allocations":
        out.append("org ids")
    if name in ("numerator", "denominator", "measure"):
        out.append("measure ids")
    return ", ".join(out)


def _inline(value) -> str:
    """A value as it is written in a plan file, on one line."""
    if value is None:
        return "—"
    if isinstance(value, BaseModel):
        value = value.model_dump()
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    text = text.strip()
    return f"`{text.removesuffix('...').strip()}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def field_table(model: type[BaseModel]) -> list[str]:
    """The rows of the reference table of ``model``: one per YAML key."""
    rows = [
        "| key | type | allowed values | default | example | 说明 | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, field in model.model_fields.items():
        key = field.alias or name
        zh, _sep, en = (field.description or "").partition(" / ")
        if field.is_required():
            default = "**required**"
        elif field.default is PydanticUndefined:
            default = "—"
        else:
            default = _inline(field.default)
        if field.examples:
            example = f"`{key}: {_inline(field.examples[0]).strip('`')}`"
        else:  # a mapping or list of mappings: its own table below is the example
            example = "see below" if "mapping (" in _type(field.annotation) else "—"
        cells = [f"`{key}`", _type(field.annotation), _allowed(key, field), default, example, zh, en]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def org_kinds() -> list[str]:
    rows = ["| kind | 中文 | may sit under |", "|---|---|---|"]
    for kind in typing.get_args(planfields.OrgKind):
        under = ", ".join(f"`{k}`" for k in sorted(planfields.PARENT_KINDS[kind])) or "— (the top)"
        rows.append(f"| `{kind}` | {t(f'plan.orgkind.{kind}', 'zh')} | {under} |")
    return rows


def schedules() -> list[str]:
    rows = ["| schedule | monthly weights, January to December [%] |", "|---|---|"]
    for name, weights in PROFILES.items():
        rows.append(f"| `{name}` | {' '.join(f'{100 * w:.3g}' for w in weights)} |")
    return rows


def unit_table() -> list[str]:
    rows = ["| unit | kind | English |", "|---|---|---|"]
    for symbol, info in units.UNITS.items():
        shown = f"`{symbol}`" if symbol else "`''` (a plain number)"
        rows.append(
            f"| {shown} | {units.KIND_NAMES[info.kind][0]} {info.kind} | {units.unit_label(symbol, 'en')} |"
        )
    return rows


def render() -> str:
    """The whole page."""
    out = [
        "# Plan file field reference 计划文件字段参考",
        "",
        "<!-- Generated by scripts/planref.py from kejifu/planfields.py and kejifu/plan.py: do not edit "
        "by hand. -->",
        "",
        "Every key a plan file may have. A key not listed here is refused as a typo (未知字段), a required",
        "key left out is refused (缺少必填字段); every refusal names the file, the line and the YAML path.",
        "How to write a plan and check it: README, *How to write a plan*. The 2005 plan of 沂南县,",
        "`data/plans/yinan-2005.yaml`, uses nearly every key.",
        "",
    ]
    for where, model, what in SECTIONS:
        out += [f"## `{where}`", "", what, "", *field_table(model), ""]
    out += ["## Org kinds 单位类别 (`orgs[].kind`)", "", *org_kinds(), ""]
    out += ["## Named schedules 进度安排 (`targets[].schedule`)", "", *schedules(), ""]
    out += ["## Units 单位 (`unit:`)", "", "Aliases (`mu`, `yuan`, `m2`, `万平米` …) are read as these.", ""]
    out += [*unit_table(), ""]
    out += [NUMBERS, "## Who reports what 谁报送什么", ""]
    out += ["| the target | who reports it | what the total is |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in WHO_REPORTS]
    out += ["", "## Settings 设置 (`settings:`)", "", "| key | default | what it sets |", "|---|---|---|"]
    out += [f"| `{a}` | {b} | {c} |" for a, b, c in SETTINGS]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/plan-fields.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is out of date: run .venv/bin/python scripts/planref.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
