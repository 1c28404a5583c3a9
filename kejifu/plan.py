"""Plan files: the year's targets of a county, validated with pydantic v2.

A plan file is YAML with top-level keys ``plan``, ``orgs``, ``measures``,
``targets`` (the contract in design.md) and, as extensions, ``assessment`` (the
year-end scoring rubric, read by :mod:`kejifu.scoring`) and ``settings``.

Errors are raised as :class:`~kejifu.errors.PlanError` naming the file, the
line, the YAML path (``targets[3].stretch``) and the problem in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import planfile, units
from . import schedule as schedule_mod
from .errors import PlanError, Problem, UnitError

OrgKind = Literal[
    "province", "city", "county", "district", "town", "subdistrict", "village", "enterprise", "department"
]
TargetKind = Literal["cumulative", "share", "level", "milestone"]
Direction = Literal["increase", "decrease"]

#: Which kinds of parent each kind of org may have (the tree: province > city > county > town > village).
PARENT_KINDS: dict[str, set[str]] = {
    "province": set(),
    "city": {"province"},
    "county": {"city", "province"},
    "district": {"city", "province"},
    "town": {"county", "district"},
    "subdistrict": {"county", "district"},
    "village": {"town", "subdistrict"},
    "enterprise": {"county", "district", "town", "subdistrict", "city"},
    "department": {"county", "district", "city", "province"},
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Bands(_Model):
    """Status thresholds: ``behind`` when completion ≥ behind × expected [share]."""

    behind: float = Field(0.85, gt=0, le=1)


class Group(_Model):
    zh: str
    en: str = ""


class PlanInfo(_Model):
    id: str
    title: str
    title_en: str = ""
    region: str
    year: int = Field(ge=1949, le=2100)
    issuer: str = ""
    bands: Bands = Bands()
    groups: dict[str, Group] = {}
    synthetic: bool = False
    note: str = ""


class Org(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str = ""
    kind: OrgKind
    parent: str | None = None


class Measure(_Model):
    """A raw quantity that orgs report (e.g. a share's numerator), in ``unit``."""

    id: str = Field(min_length=1)
    title: str
    title_en: str = ""
    unit: str

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        return units.canonical(v)


Number = float | int | str


class Acknowledgement(_Model):
    """A plan-check finding the planner has read: printed as a note with the reason, not a warning."""

    check: str = Field(min_length=1)  # the check's name, e.g. ``target_points``
    reason: str = Field(min_length=1)


class Target(_Model):
    """One commitment of the plan.

    ``target``, ``stretch`` and ``baseline`` are in ``unit`` (strings such as
    ``"340万平方米"`` are converted). For ``share`` targets the unit is ``%`` and
    the value is computed from the ``numerator`` and ``denominator`` measures.
    """

    id: str = Field(min_length=1)
    title: str
    title_en: str = ""
    group: str = ""
    unit: str
    kind: TargetKind = "cumulative"
    target: float | None = None
    stretch: float | None = None
    baseline: float | None = None
    baseline_note: str = ""
    target_points: float | None = None  # "提高N个百分点": the share target stated as baseline + N points
    direction: Direction = "increase"
    schedule: str | list[float] = "linear"
    allocations: dict[str, Number] = {}
    numerator: str | None = None
    denominator: str | None = None
    measure: str | None = None  # a measure whose reports feed this target (default: the target id)
    due: dt.date | None = None
    source: Literal["reports", "register"] = "reports"
    register_kind: str | None = Field(
        None, alias="register"
    )  # register feeding this target (default: the target id)
    aggregate: Literal["sum", "mean", "max", "min"] = "sum"  # levels only: how orgs add up
    note: str = ""
    each: bool = False  # a floor every org must clear itself (met / not met), shares and levels only
    owner: str | None = None  # milestones: the org whose own report says it is done (default: the root)
    pending: bool | str = False  # the target value is not set yet: true (目标值待市里下达) or the reason
    acknowledge: list[Acknowledgement] = []  # plan-check findings the planner has read and explained

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        return units.canonical(v)

    @field_validator("target", "stretch", "baseline", mode="before")
    @classmethod
    def _parse_amounts(cls, v: Any, info: ValidationInfo) -> Any:
        """Amounts may be written with units (``"340万平方米"``); convert them to ``unit``."""
        unit = info.data.get("unit")
        if isinstance(v, str) and unit:
            return units.to_unit(v, unit, field=info.field_name)
        return v

    @model_validator(mode="after")
    def _kind_rules(self) -> Target:
        if self.kind == "share":
            if not (self.numerator and self.denominator):
                raise ValueError("share targets need numerator and denominator measures")
        elif self.numerator or self.denominator:
            raise ValueError("only share targets have numerator/denominator")
        if self.measure and self.source == "register":
            raise ValueError("a register-fed target cannot also name a measure")
        if self.kind == "milestone":
            if self.due is None:
                raise ValueError("milestone targets need a due date")
        elif self.target is None and not self.pending:
            raise ValueError("a target value is required (or pending: true while it is awaited)")
        if self.each and self.kind not in ("share", "level"):
            raise ValueError("each: true (a floor every org must clear) is for share and level targets")
        if self.owner is not None and self.kind != "milestone":
            raise ValueError("owner is for milestone targets")
        if self.kind in ("share", "level") and self.baseline is None and self.target_points is not None:
            raise ValueError("target_points needs a baseline")
        if isinstance(self.schedule, list) and len(self.schedule) != 12:
            raise ValueError("schedule must be 'linear', a profile name or 12 monthly weights")
        if isinstance(self.schedule, str) and self.schedule not in schedule_mod.PROFILES:
            raise ValueError(
                f"unknown schedule {self.schedule!r}; choose one of {', '.join(schedule_mod.PROFILES)}"
            )
        return self

    def allocation_values(self) -> dict[str, float]:
        """Allocations converted to ``unit``; unconvertible ones are NaN (see plan checks)."""
        out: dict[str, float] = {}
        for org, raw in self.allocations.items():
            try:
                out[org] = units.to_unit(raw, self.unit)
            except UnitError:
                out[org] = math.nan
        return out

    @property
    def measures(self) -> tuple[str, ...]:
        """The measure ids reported for this target (itself, or numerator and denominator)."""
        if self.kind == "share":
            return (self.numerator, self.denominator)  # type: ignore[return-value]
        return (self.measure or self.id,)

    def label(self, lang: str = "zh") -> str:
        return (self.title_en or self.title) if lang == "en" else self.title


class Plan(_Model):
    plan: PlanInfo
    orgs: list[Org] = Field(min_length=1)  # a plan without orgs has nobody to report
    measures: list[Measure] = []
    targets: list[Target]
    assessment: dict[str, Any] | None = None
    settings: dict[str, Any] = {}

    @model_validator(mode="after")
    def _references(self) -> Plan:
        ids = [o.id for o in self.orgs]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate org ids: {', '.join(dupes)}")
        known = set(ids) | {None}
        by_id = {o.id: o for o in self.orgs}
        for o in self.orgs:
            if o.parent not in known:
                raise ValueError(f"org {o.id!r}: unknown parent {o.parent!r}")
            if o.parent is not None and by_id[o.parent].kind not in PARENT_KINDS[o.kind]:
                raise ValueError(f"org {o.id!r}: a {o.kind} cannot sit under a {by_id[o.parent].kind}")
        for o in self.orgs:  # cycles
            seen, cur = set(), o
            while cur.parent is not None:
                if cur.id in seen:
                    raise ValueError(f"org {o.id!r}: the org tree has a cycle")
                seen.add(cur.id)
                cur = by_id[cur.parent]
        mids = [m.id for m in self.measures]
        tids = [t.id for t in self.targets]
        clash = sorted({i for i in mids + tids if (mids + tids).count(i) > 1})
        if clash:
            raise ValueError(f"duplicate measure/target ids: {', '.join(clash)}")
        for t in self.targets:
            if t.owner is not None and t.owner not in known:
                raise ValueError(f"target {t.id!r}: unknown owner {t.owner!r}")
            for m in (t.numerator, t.denominator, t.measure):
                if m is not None and m not in mids:
                    raise ValueError(f"target {t.id!r}: unknown measure {m!r}")
        return self

    # ----- lookups -------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return self.plan.year

    @cached_property
    def org_index(self) -> dict[str, Org]:
        return {o.id: o for o in self.orgs}

    @cached_property
    def target_index(self) -> dict[str, Target]:
        return {t.id: t for t in self.targets}

    @cached_property
    def measure_index(self) -> dict[str, Measure]:
        return {m.id: m for m in self.measures}

    def org(self, org_id: str) -> Org:
        return self.org_index[org_id]

    def target(self, target_id: str) -> Target:
        return self.target_index[target_id]

    def root(self) -> Org:
        """The top org (the county, for a county plan)."""
        roots = [o for o in self.orgs if o.parent is None]
        return roots[0]

    def towns(self) -> list[Org]:
        """Orgs that report: towns and sub-districts (in file order)."""
        return [o for o in self.orgs if o.kind in ("town", "subdistrict")]

    def children(self, org_id: str) -> list[Org]:
        return [o for o in self.orgs if o.parent == org_id]

    def ancestors(self, org_id: str) -> list[str]:
        """Parent, grandparent, … of ``org_id`` (nearest first)."""
        out, cur = [], self.org_index[org_id].parent
        while cur is not None:
            out.append(cur)
            cur = self.org_index[cur].parent
        return out

    def org_name(self, org_id: str, lang: str = "zh") -> str:
        if org_id == "all":
            from .i18n import t

            return t("org.all", lang)
        o = self.org_index.get(org_id)
        if o is None:
            return org_id
        return (o.name_en or o.name) if lang == "en" else o.name

    def measure_unit(self, measure_id: str) -> str:
        """The unit reports of ``measure_id`` are stored in (a target's or a measure's)."""
        if measure_id in self.target_index:
            return self.target_index[measure_id].unit
        return self.measure_index[measure_id].unit

    def reportable(self) -> dict[str, str]:
        """Every id a report row may name as its measure -> its unit."""
        out = {m.id: m.unit for m in self.measures}
        out.update(
            {
                t.id: t.unit
                for t in self.targets
                if t.kind != "share" and t.measure is None and t.source == "reports"
            }
        )
        return out

    def group_label(self, group: str, lang: str = "zh") -> str:
        g = self.plan.groups.get(group)
        if g is None:
            return group
        return (g.en or g.zh) if lang == "en" else g.zh


# ----- loading ----------------------------------------------------------------------------------

_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "float_parsing": "不是数字",
    "float_type": "应为数字",
    "int_parsing": "不是整数",
    "int_type": "应为整数",
    "string_type": "应为文字",
    "literal_error": "取值不在允许范围内",
    "date_from_datetime_parsing": "不是日期（YYYY-MM-DD）",
    "date_parsing": "不是日期（YYYY-MM-DD）",
    "date_type": "应为日期",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
    "value_error": "取值无效",
}


def _yaml_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if k.value == part:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        node = nxt
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _problems(exc: ValidationError, file: str, root: yaml.Node | None) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path = _yaml_path(loc)
        line = _line_of(root, loc)
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, UnitError):
            zh, en = ctx_err.zh, ctx_err.en
        else:
            msg = err["msg"].removeprefix("Value error, ")
            zh = _ZH.get(err["type"], "取值无效")
            if err["type"] == "value_error":
                zh = f"{zh}：{msg}"
            en = msg
        problems.append(Problem(zh, en, file=file, row=line, field=path or "(plan)"))
    return problems


def parse_plan(text: str, file: str = "<plan>") -> Plan:
    """Validate YAML text into a :class:`Plan`; raise :class:`PlanError` listing every problem.

    Beyond the model: the file's size and nesting, duplicate keys, impossible dates and the
    plan numbers' limits (:mod:`kejifu.planfile`) are refused with their line.
    """
    root, data = planfile.read_yaml(text, file)
    if not isinstance(data, dict):
        raise PlanError(
            "计划文件应为映射，包含 plan、orgs、targets",
            "a plan file is a mapping with plan, orgs, targets",
            file=file,
        )
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(problems=_problems(exc, file, root)) from None
    except UnitError as exc:
        raise PlanError(exc.zh, exc.en, file=file, field=exc.field) from None
    refused = planfile.number_problems(plan, file, lambda loc: _line_of(root, loc))
    if refused:
        raise PlanError(problems=refused)
    return plan


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file (UTF-8 YAML, at most :data:`kejifu.planfile.MAX_PLAN_BYTES`)."""
    return parse_plan(planfile.read_text(path), file=str(path))
