"""The fields of a plan file: one pydantic model per mapping of the YAML, every field with its type,
default, allowed values and a description in Chinese and English.

The models are the one source of the field reference (``scripts/planref.py`` writes
``docs/plan-fields.md`` from them); :class:`kejifu.plan.Plan` assembles them into a plan.
A rule a model checks beyond one field's type is a :class:`Findings`: each problem at its own
YAML path, its words from the catalogue (``kejifu/catalogue/plan.yaml``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from . import schedule as schedule_mod
from . import units
from .errors import UnitError

OrgKind = Literal[
    "province", "city", "county", "district", "town", "subdistrict", "village", "enterprise", "department"
]
TargetKind = Literal["cumulative", "share", "level", "milestone"]
Direction = Literal["increase", "decrease"]
Aggregate = Literal["sum", "mean", "max", "min"]
Source = Literal["reports", "register"]

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


def about(zh: str, en: str) -> str:
    """A field description: ``中文 / English`` (the reference splits it at the first `` / ``)."""
    return f"{zh} / {en}"


class Findings(ValueError):
    """Problems a model's own rules found: ``found`` is a list of ``(loc, key, fmt)``, a YAML path
    relative to the model (a tuple), a catalogue key and its format values; a format value that is
    a tuple is an absolute YAML path, shown as the line it is on."""

    def __init__(self, found: list[tuple[tuple, str, dict[str, Any]]]) -> None:
        from .i18n import t

        self.found = found
        super().__init__("; ".join(t(key, "en", **_plain(fmt)) for _loc, key, fmt in found))


def _plain(fmt: dict[str, Any]) -> dict[str, Any]:
    """Format values with any YAML path shown as that path (when no line can be looked up)."""
    return {k: (".".join(map(str, v)) if isinstance(v, tuple) else v) for k, v in fmt.items()}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Bands(_Model):
    """Status thresholds: ``behind`` when completion ≥ behind × expected [share]."""

    behind: float = Field(
        0.85,
        gt=0,
        le=1,
        description=about(
            "滞后线：完成率达到序时进度的这一比例以上为“滞后”，以下为“严重滞后” [比例，0–1]",
            "the behind band: completion at or above this share of the expected progress is 'behind', "
            "below it 'far behind' [share, 0–1]",
        ),
        examples=[0.85],
    )


class Group(_Model):
    """A group of targets, as headed in tables and documents."""

    zh: str = Field(description=about("分组的中文名称", "the group's Chinese name"), examples=["农业科技"])
    en: str = Field(
        "", description=about("分组的英文名称", "the group's English name"), examples=["Agriculture"]
    )


class PlanInfo(_Model):
    """The ``plan:`` mapping: what the plan is."""

    id: str = Field(
        description=about("计划编号（字母、数字、连字符）", "the plan's id"), examples=["yinan-2005"]
    )
    title: str = Field(
        description=about("计划名称", "the plan's title"), examples=["沂南县2005年科技工作目标"]
    )
    title_en: str = Field(
        "",
        description=about("计划的英文名称", "the plan's English title"),
        examples=["Yinan County science and technology targets 2005"],
    )
    region: str = Field(
        description=about(
            "计划所属地区：与某个单位的编号或名称相同时，该单位持有计划的基数",
            "the region the plan is for; the org with this id or name holds the plan's baselines",
        ),
        examples=["沂南县"],
    )
    year: int = Field(ge=1949, le=2100, description=about("计划年度", "the plan year"), examples=[2005])
    issuer: str = Field(
        "", description=about("发文机关", "the issuing office"), examples=["沂南县科学技术局"]
    )
    bands: Bands = Field(
        Bands(), description=about("状态阈值", "status thresholds"), examples=[{"behind": 0.8}]
    )
    groups: dict[str, Group] = Field(
        {},
        description=about("指标分组：分组编号 → 名称", "target groups: group id → names"),
        examples=[{"agriculture": {"zh": "农业科技", "en": "Agricultural technology"}}],
    )
    synthetic: bool = Field(
        False,
        description=about("示例数据（合成，非真实统计）", "synthetic demo data (not real statistics)"),
        examples=[True],
    )
    note: str = Field("", description=about("备注", "a note"), examples=["分解到乡镇的任务为示例数据"])


class Org(_Model):
    """One org of the tree (``orgs:`` list)."""

    id: str = Field(
        min_length=1, description=about("单位编号（唯一）", "the org's id (unique)"), examples=["hutou"]
    )
    name: str = Field(min_length=1, description=about("单位名称", "the org's name"), examples=["湖头镇"])
    name_en: str = Field(
        "", description=about("单位的英文名称", "the org's English name"), examples=["Hutou"]
    )
    kind: OrgKind = Field(
        description=about(
            "单位类别：省、市、县、区、镇、街道、村、企业、部门", "the kind of org; the tree follows it"
        ),
        examples=["town"],
    )
    parent: str | None = Field(
        None,
        description=about(
            "上级单位的编号（县的上级是市或省，镇的上级是县或区，企业在县、区、镇或市之下）；"
            "没有上级的是根单位",
            "the parent org's id (a county under a city or province, a town under a county or district, "
            "an enterprise under a county, district, town or city); the org without one is the root",
        ),
        examples=["yinan"],
    )


class Measure(_Model):
    """A raw quantity that orgs report (e.g. a share's numerator), in ``unit``."""

    id: str = Field(
        min_length=1,
        description=about("计量编号（唯一）", "the measure's id (unique)"),
        examples=["ht_output"],
    )
    title: str = Field(description=about("计量名称", "the measure's title"), examples=["高新技术企业产值"])
    title_en: str = Field(
        "",
        description=about("计量的英文名称", "the measure's English title"),
        examples=["High-tech enterprise output"],
    )
    unit: str = Field(description=about("报送数值的单位", "the unit its reports are in"), examples=["亿元"])

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        return units.canonical(v)


Number = float | int | str


class Acknowledgement(_Model):
    """A plan-check finding the planner has read: printed as a note with the reason, not a warning."""

    check: str = Field(
        min_length=1,
        description=about(
            "被确认的检查：出现问题的字段名", "the check acknowledged: the field the finding is on"
        ),
        examples=["target_points"],
    )
    reason: str = Field(
        min_length=1,
        description=about("确认的理由", "why the finding is acceptable"),
        examples=["讲话原文为“提高3个百分点，达到33%”"],
    )


def _names(sep: str) -> str:
    """The schedule names, joined by ``sep``."""
    return sep.join(schedule_mod.PROFILES)


class Target(_Model):
    """One commitment of the plan.

    ``target``, ``stretch`` and ``baseline`` are in ``unit`` (strings such as
    ``"340万平方米"`` are converted). For ``share`` targets the unit is ``%`` and
    the value is computed from the ``numerator`` and ``denominator`` measures.
    """

    id: str = Field(
        min_length=1,
        description=about(
            "指标编号（唯一，报表中作为“指标”）", "the target's id (unique; a report names it)"
        ),
        examples=["mushroom_area"],
    )
    title: str = Field(description=about("指标名称", "the target's title"), examples=["新发展优质食用菌面积"])
    title_en: str = Field(
        "",
        description=about("指标的英文名称", "the target's English title"),
        examples=["New edible-mushroom area"],
    )
    group: str = Field(
        "",
        description=about("所属分组（plan.groups 的编号）", "its group (an id of plan.groups)"),
        examples=["agriculture"],
    )
    unit: str = Field(
        description=about(
            "单位：目标、力争、基数和分解值都以此为单位；比重指标为 %",
            "the unit of target, stretch, baseline and allocations; % for a share",
        ),
        examples=["亩"],
    )
    kind: TargetKind = Field(
        "cumulative",
        description=about(
            "指标类型：累计型（全年、各单位相加）、比重型（分子合计÷分母合计）、水平型（某一时点的值）、"
            "节点型（到期前完成与否）",
            "cumulative (adds up over the year and across orgs), share (sum of numerators ÷ sum of "
            "denominators), level (a value at a point in time) or milestone (done or not by a date)",
        ),
        examples=["cumulative"],
    )
    target: float | None = Field(
        None,
        description=about(
            "确保目标 [指标单位]；可带单位书写（“340万平方米”会换算）；节点型不需要",
            "the firm target [target unit]; may carry a unit ('340万平方米' is converted); "
            "not for milestones",
        ),
        examples=[3000],
    )
    stretch: float | None = Field(
        None, description=about("力争目标 [指标单位]", "the stretch target [target unit]"), examples=[5000]
    )
    baseline: float | None = Field(
        None,
        description=about(
            "基数：上年实绩 [指标单位]；比重型和水平型的完成率从基数算起",
            "the baseline: last year's actual [target unit]; shares and levels count completion from it",
        ),
        examples=[30.14],
    )
    baseline_note: str = Field(
        "", description=about("基数说明", "context for the baseline"), examples=["2004年已安装71台"]
    )
    target_points: float | None = Field(
        None,
        description=about(
            "“提高N个百分点”：目标写作基数加N个百分点，检查会核对二者 [百分点]",
            "'raise by N points': the target as baseline + N points; the checks compare the two "
            "[percentage points]",
        ),
        examples=[3],
    )
    direction: Direction = Field(
        "increase",
        description=about(
            "方向：increase（越多越好）或 decrease（越少越好）", "more is better or less is better"
        ),
        examples=["decrease"],
    )
    schedule: str | list[float] = Field(
        "linear",
        description=about(
            "进度安排：linear（按月平均）、命名的季节性安排，或12个月度权重 [比例/月]",
            "the schedule: linear, a named seasonal profile or 12 monthly weights [share per month]",
        ),
        examples=["mushroom_planting", [0, 0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0]],
    )
    allocations: dict[str, Number] = Field(
        {},
        description=about(
            "分解：单位编号 → 数值 [指标单位]。累计型：分给该单位的任务，合计应等于全县目标；"
            "比重型和水平型：该单位自己的目标水平（如某企业应达到3%），不相加",
            "org id → amount [target unit]. Cumulative: the org's share of the task, adding up to the "
            "county target; share and level: the org's own target level (an enterprise must reach 3 %), "
            "never added up",
        ),
        examples=[{"hutou": 250, "jiehu": 150}],
    )
    numerator: str | None = Field(
        None,
        description=about("比重型：分子的计量编号", "shares: the numerator's measure id"),
        examples=["ht_output"],
    )
    denominator: str | None = Field(
        None,
        description=about("比重型：分母的计量编号", "shares: the denominator's measure id"),
        examples=["industrial_output"],
    )
    measure: str | None = Field(
        None,
        description=about(
            "由某个计量的报送数值累计（默认：指标编号本身）",
            "a measure whose reports feed this target (default: the target id)",
        ),
        examples=["ht_output"],
    )
    due: dt.date | None = Field(
        None,
        description=about("节点型：完成期限，格式 YYYY-MM-DD", "milestones: the due date, YYYY-MM-DD"),
        examples=[dt.date(2005, 10, 31)],
    )
    source: Source = Field(
        "reports",
        description=about(
            "数据来源：reports（各单位月报）或 register（由台帐逐条计数）",
            "where figures come from: monthly reports, or counted from a register",
        ),
        examples=["register"],
    )
    register_kind: str | None = Field(
        None,
        alias="register",
        description=about(
            "计数所用的台帐（默认：指标编号）", "the register counted (default: the target id)"
        ),
        examples=["terminals"],
    )
    aggregate: Aggregate = Field(
        "sum",
        description=about(
            "水平型：各单位如何汇总：sum 合计、mean 平均、max 最大、min 最小",
            "levels: how orgs add up: sum, mean, max or min",
        ),
        examples=["mean"],
    )
    note: str = Field("", description=about("备注", "a note"), examples=["讲话：确保完成市里下达的任务"])
    each: bool = Field(
        False,
        description=about(
            "比重型和水平型：每个单位都须自己达到的底线（达标/未达标），全县为达标单位的比例",
            "shares and levels: a floor every org must clear itself (met / not met); the total is the "
            "share of orgs that meet it",
        ),
        examples=[True],
    )
    owner: str | None = Field(
        None,
        description=about(
            "节点型：由哪个单位的报送确认完成（默认：根单位）",
            "milestones: the org whose own report says it is done (default: the root org)",
        ),
        examples=["yinan_kjj"],
    )
    pending: bool | str = Field(
        False,
        description=about(
            "目标值尚未确定：true（目标值待市里下达）或原因；只显示数值和同比，不算完成率",
            "the target value is not set yet: true or the reason; value and year-on-year shown, "
            "no completion",
        ),
        examples=["目标值待市里下达"],
    )
    acknowledge: list[Acknowledgement] = Field(
        [],
        description=about(
            "已阅并说明的计划检查提示（显示为说明，不再是提示）",
            "plan-check findings the planner has read and explained (shown as notes, not warnings)",
        ),
        examples=[[{"check": "target_points", "reason": "以讲话原文33%为准"}]],
    )

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
        found: list[tuple[tuple, str, dict[str, Any]]] = []

        def add(field: str, key: str, **fmt: Any) -> None:
            found.append(((field,), f"plan.rule.{key}", fmt))

        if self.kind == "share":
            if not (self.numerator and self.denominator):
                add("denominator" if self.numerator else "numerator", "share_measures")
        elif self.numerator or self.denominator:
            add("numerator" if self.numerator else "denominator", "not_share_measures")
        if self.measure and self.source == "register":
            add("measure", "register_measure")
        if self.kind == "milestone":
            if self.due is None:
                add("due", "milestone_due")
        elif self.target is None and not self.pending:
            add("target", "target_required")
        if self.each and self.kind not in ("share", "level"):
            add("each", "each_kind")
        if self.owner is not None and self.kind != "milestone":
            add("owner", "owner_kind")
        if self.kind in ("share", "level") and self.baseline is None and self.target_points is not None:
            add("target_points", "points_baseline")
        if isinstance(self.schedule, list) and len(self.schedule) != 12:
            add("schedule", "schedule_length", n=len(self.schedule))
        if isinstance(self.schedule, str) and self.schedule not in schedule_mod.PROFILES:
            add("schedule", "schedule_name", name=self.schedule, names_zh=_names("、"), names=_names(", "))
        if found:
            raise Findings(found)
        return self

    def allocation_values(self) -> dict[str, float]:
        """Allocations converted to ``unit`` [target unit]; unconvertible ones are NaN (see plan checks)."""
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
