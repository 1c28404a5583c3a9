"""The deputy programme's rules: frame contracts, codes, the settings model and the grade rule.

Two kinds of rule live here, and the difference is shown wherever they are used:

* **the programme's rules** (the city speech): 3-year terms; 副科级政治生活待遇 and one
  salary grade up; a living allowance of 150 元/month; written reports 1–2 times a
  year to the county organisation department, the town party committee and the
  sending organisation; the organisation department hears each deputy at least
  once a year; a yearly dual assessment (town + organisation department) on
  德、能、勤、绩、廉; an end-of-term assessment by 民主测评、考察、谈话 combined
  with the yearly results; recall for serious failures, cancelling the treatment;
* **the county's settings** (``settings.deputies`` in the plan, defaults below):
  the weights of the five dimensions (0.2 each), of the town and the
  department (40 % / 60 %), of the end-of-term parts (0.3 / 0.3 / 0.4), the
  grade bands (90 / 75 / 60), the due dates of reports and the names of the
  five 五个一 counts. The speech fixes none of these (「考核权重按本县办法设置」).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TypeAlias

import pandas as pd
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import PlanError, Problem
from ..i18n import t
from ..io import cells
from ..plan import Plan

# ----- frame contracts ------------------------------------------------------------------------

ROSTER_COLUMNS = [
    "person_id",
    "name",
    "sending_org",
    "org",
    "post",
    "batch",
    "kind",
    "term_start",
    "term_end",
    "state",
    "state_date",
    "note",
    "synthetic",
]
#: Written reports (书面报告), one row per filing; ``to_*`` record which recipients received it.
WRITTEN_REPORT_COLUMNS = [
    "person_id",
    "year",
    "seq",
    "submitted",
    "to_orgdept",
    "to_town",
    "to_sender",
    "title",
    "note",
]
DIMENSIONS = ("de", "neng", "qin", "ji", "lian")  # 德 能 勤 绩 廉
ASSESSORS = ("town", "orgdept")
ASSESSMENT_COLUMNS = ["person_id", "year", "assessor", *DIMENSIONS, "note"]
END_OF_TERM_COLUMNS = ["person_id", "democratic", "inspection", "note"]
END_OF_TERM_PARTS = ("democratic", "inspection", "annual")
FIVE_ONES = ("technologies", "courses", "trainees", "enterprises", "output_added")
OUTPUT_COLUMNS = ["person_id", "year", *FIVE_ONES, "note"]
SPECIALIST_COLUMNS = [
    "specialist_id",
    "name",
    "level",
    "outside",
    "org",
    "speciality",
    "communities",
    "dispatch_date",
    "note",
    "synthetic",
]
#: Tracking records (跟踪管理): hearings, inspections, spot checks, consequences, recalls, term goals.
EVENT_COLUMNS = ["person_id", "kind", "date", "result", "by", "note"]
EVENT_KINDS = (
    "hearing",  # 听取汇报 (at least once a year)
    "inspection",  # 定期考察
    "spot_check",  # 随机查岗
    "criticism",  # 批评教育
    "admonition",  # 诫勉谈话
    "recall",  # 退回原单位 (the reason in ``result``)
    "goals",  # 任期目标责任书 signed (the goals in ``result``)
    "goals_review",  # 任期目标 assessed at the end of the term (the finding in ``result``)
)
KINDS = ("seconded", "outside", "local")  # 选派 / 外聘 / 本地
STATES = ("serving", "completed", "recalled")
LEVELS = ("county", "town")
GRADES = ("excellent", "competent", "basic", "incompetent")
RECIPIENTS = ("to_orgdept", "to_town", "to_sender")
SPECIALIST_KIND = "specialists"

DATE_COLUMNS = {
    "roster": ("term_start", "term_end", "state_date"),
    "reports": ("submitted",),
    "specialists": ("dispatch_date",),
    "events": ("date",),
}

#: A date as the functions accept it: a date, a Timestamp, ``YYYY-MM-DD`` text, or blank.
DateLike: TypeAlias = dt.date | pd.Timestamp | str | None


# ----- settings -------------------------------------------------------------------------------

#: The settings that are the county's own choice, not the programme's rules (shown as such).
COUNTY_SETTINGS = (
    "dimension_weights",
    "assessor_weights",
    "end_of_term_weights",
    "grade_bands",
    "report_due",
    "five_ones",
)
#: The settings that carry the programme's rules (their defaults are the speech's numbers).
PROGRAMME_SETTINGS = (
    "term_years",
    "allowance_yuan_per_month",
    "salary_grades_up",
    "reports_min",
    "reports_per_year",
    "hearings_per_year",
)


class DeputySettings(BaseModel):
    """``plan.settings['deputies']``: the programme's numbers and the county's settings, all optional.

    ``allowance_yuan_per_month`` [元/month]; ``term_years`` [years];
    ``salary_grades_up`` [grades]; ``reports_min`` and ``reports_per_year`` (the
    recommended number, alias ``reports_recommended``) [reports a year];
    ``report_due`` [``MM-DD`` each]; ``hearings_per_year`` [hearings];
    weights are shares [0..1] that must add up to 1 within each group;
    ``grade_bands`` are lower score bounds [points] for 优秀, 称职, 基本称职;
    ``five_ones`` renames the five output counts (code → Chinese label).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    allowance_yuan_per_month: float = Field(150.0, ge=0)
    term_years: int = Field(3, ge=1, le=10)
    salary_grades_up: int = Field(1, ge=0, le=3)
    reports_min: int = Field(1, ge=0, le=2)
    reports_per_year: int = Field(
        2, ge=1, le=2, validation_alias=AliasChoices("reports_per_year", "reports_recommended")
    )
    report_due: tuple[str, ...] | None = None
    hearings_per_year: int = Field(1, ge=0, le=12)
    dimension_weights: dict[str, float] = Field(default_factory=lambda: {d: 0.2 for d in DIMENSIONS})
    assessor_weights: dict[str, float] = Field(default_factory=lambda: {"town": 0.4, "orgdept": 0.6})
    end_of_term_weights: dict[str, float] = Field(
        default_factory=lambda: {"democratic": 0.3, "inspection": 0.3, "annual": 0.4}
    )
    grade_bands: dict[str, float] = Field(
        default_factory=lambda: {"excellent": 90, "competent": 75, "basic": 60}
    )
    five_ones: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> DeputySettings:
        for name, keys in (
            ("dimension_weights", DIMENSIONS),
            ("assessor_weights", ASSESSORS),
            ("end_of_term_weights", END_OF_TERM_PARTS),
        ):
            w = getattr(self, name)
            if set(w) != set(keys):
                raise ValueError(f"{name} needs exactly the keys {', '.join(keys)}")
            if any(v < 0 for v in w.values()) or abs(sum(w.values()) - 1) > 1e-6:
                raise ValueError(f"{name} must be non-negative and add up to 1")
        if set(self.grade_bands) != {"excellent", "competent", "basic"}:
            raise ValueError("grade_bands needs excellent, competent, basic")
        b = self.grade_bands
        if not (100 >= b["excellent"] >= b["competent"] >= b["basic"] >= 0):
            raise ValueError("grade_bands must satisfy 100 ≥ excellent ≥ competent ≥ basic ≥ 0")
        if self.reports_min > self.reports_per_year:
            raise ValueError("reports_min cannot exceed the recommended reports_per_year")
        if self.report_due is not None:
            if len(self.report_due) != self.reports_per_year:
                raise ValueError("report_due needs one MM-DD per report recommended a year")
            days = [_mmdd(x) for x in self.report_due]
            if days != sorted(days) or len(set(days)) != len(days):
                raise ValueError("report_due dates must be increasing")
        unknown = set(self.five_ones) - set(FIVE_ONES)
        if unknown:
            raise ValueError(
                f"five_ones renames only {', '.join(FIVE_ONES)} (not {', '.join(sorted(unknown))})"
            )
        return self

    def due_dates(self, year: int) -> list[dt.date]:
        """The due dates of a year's recommended reports, in order."""
        if self.report_due is not None:
            return [dt.date(year, *_mmdd(x)) for x in self.report_due]
        if self.reports_per_year == 1:
            return [dt.date(year, 12, 31)]
        return [dt.date(year, 6, 30), dt.date(year, 12, 31)]


def _mmdd(text: str) -> tuple[int, int]:
    try:
        m, d = (int(x) for x in str(text).split("-"))
        dt.date(2004, m, d)  # a leap year accepts 02-29
    except ValueError:
        raise ValueError(f"{text!r} is not a MM-DD date") from None
    return m, d


#: Where deputy settings may come from: a plan, the settings dict, the ``deputies`` dict, or defaults.
SettingsSource: TypeAlias = DeputySettings | Plan | Mapping[str, object] | None


def _problems(exc: ValidationError, file: str | None = None) -> list[Problem]:
    """Each pydantic error as a located problem, Chinese entirely in Chinese
    (:func:`kejifu.planmessages.problems`), led by 「科技副职设置无效」."""
    from ..planmessages import problems

    return [
        replace(p, zh=f"科技副职设置无效：{p.zh}", en=f"invalid deputy setting: {p.en}")
        for p in problems(exc, file, None, prefix=("settings", "deputies"))
    ]


def _raw(source: SettingsSource) -> object:
    """The ``deputies`` settings as written (a mapping, or whatever the plan holds there)."""
    if source is None:
        return {}
    if isinstance(source, Plan):
        return (source.settings or {}).get("deputies") or {}
    if "deputies" in source:
        return source.get("deputies") or {}
    return source


def _validate(source: SettingsSource) -> DeputySettings:
    raw = _raw(source)
    return DeputySettings.model_validate(dict(raw) if isinstance(raw, Mapping) else raw)


def settings_from(source: SettingsSource = None) -> DeputySettings:
    """The deputy settings of a :class:`~kejifu.plan.Plan`, a settings dict or ``None`` (defaults).

    Accepts a plan (reads ``plan.settings['deputies']``), the whole settings dict
    (with a ``deputies`` key) or the ``deputies`` dict itself. Raises
    :class:`~kejifu.errors.PlanError` located at ``settings.deputies.<field>``.
    """
    if isinstance(source, DeputySettings):
        return source
    try:
        return _validate(source)
    except ValidationError as exc:
        raise PlanError(problems=_problems(exc)) from None


def check_settings(plan: Plan, file: str | None = None) -> list[Problem]:
    """Every problem of the plan's ``settings.deputies`` as errors located in ``file`` (for
    ``kejifu plan``); ``[]`` when valid."""
    try:
        _validate(plan)
    except ValidationError as exc:
        return _problems(exc, file)
    return []


def settings_table(source: SettingsSource = None, lang: str = "zh") -> pd.DataFrame:
    """The rules in force and where each comes from: ``setting, label, value, source``.

    ``source`` is ``programme`` (the city speech) or ``county`` (the county's own
    setting, 「考核权重按本县办法设置」), labelled in ``lang``.
    """
    s = settings_from(source)
    rows = []
    for name in (*PROGRAMME_SETTINGS, *COUNTY_SETTINGS):
        value = getattr(s, name)
        if name == "report_due":
            value = ", ".join(f"{d:%m-%d}" for d in s.due_dates(2004))
        elif name == "five_ones":
            value = t("reporting.name_sep", lang).join(five_ones_label(c, lang, s) for c in FIVE_ONES)
        elif isinstance(value, dict):
            value = ", ".join(f"{t(_setting_key(name, k), lang)} {v:g}" for k, v in value.items())
        else:
            value = f"{value:g}" if isinstance(value, float) else str(value)
        origin = "county" if name in COUNTY_SETTINGS else "programme"
        rows.append(
            {
                "setting": name,
                "label": t(f"deputies.setting.{name}", lang),
                "value": value,
                "source": t(f"deputies.source.{origin}", lang),
            }
        )
    return pd.DataFrame(rows, columns=["setting", "label", "value", "source"])


def _setting_key(group: str, key: str) -> str:
    if group == "dimension_weights":
        return f"deputies.col.{key}"
    if group == "assessor_weights":
        return f"deputies.assessor.{key}"
    if group == "grade_bands":
        return f"deputies.grade.{key}"
    return f"deputies.col.{key}"


def five_ones_label(code: str, lang: str = "zh", settings: SettingsSource = None) -> str:
    """The label of a five-ones count: the county's name for it (``settings.five_ones``) or the default."""
    s = settings_from(settings)
    if lang == "zh" and code in s.five_ones:
        return s.five_ones[code]
    return t(f"deputies.col.{code}", lang)


# ----- grades ---------------------------------------------------------------------------------


def grade(score: float | None, settings: SettingsSource = None) -> str:
    """The grade code of a score [points]: ``excellent`` (优秀), ``competent`` (称职),
    ``basic`` (基本称职), ``incompetent`` (不称职); ``pending`` for NaN."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "pending"
    b = settings_from(settings).grade_bands
    if score >= b["excellent"] - 1e-9:
        return "excellent"
    if score >= b["competent"] - 1e-9:
        return "competent"
    if score >= b["basic"] - 1e-9:
        return "basic"
    return "incompetent"


def grade_label(code: str, lang: str = "zh") -> str:
    """The label of a grade code."""
    return t(f"deputies.grade.{code}", lang)


# ----- the county's organisations -------------------------------------------------------------


def county_of(plan: Plan | None, org: str) -> str:
    """The county (or district) an org belongs to, from the plan's org tree ('' if none)."""
    if plan is None or org not in plan.org_index:
        return ""
    o = plan.org(org)
    if o.kind in ("county", "district"):
        return o.id
    for a in plan.ancestors(org):
        if plan.org(a).kind in ("county", "district"):
            return a
    return ""


def county_bureau(plan: Plan) -> str:
    """The org county-level specialists are registered under, found in the plan's orgs.

    The county S&T bureau (a ``department`` under the county named 科技局 or with an
    id ending ``_kjj``), else the county itself, else the plan's root org.
    """
    counties = [o.id for o in plan.orgs if o.kind in ("county", "district")]
    for o in plan.orgs:
        if o.kind == "department" and (o.parent in counties or not counties):
            if "科技局" in o.name or o.id.endswith("_kjj"):
                return o.id
    return counties[0] if counties else plan.root().id


def post_title(plan: Plan, org: str) -> str:
    """The post a deputy holds in ``org``: 科技副乡长 in a 乡 (township), 科技副镇长 otherwise."""
    o = plan.org_index.get(org)
    if o is not None and (o.kind == "township" or o.name.endswith("乡")):
        return "科技副乡长"
    return "科技副镇长"


def truthy(value: object) -> bool:
    """A stored yes/no value as a bool: yes by the one word list of :func:`kejifu.io.cells.truthy`;
    blanks and anything not a yes word are no."""
    return cells.truthy(value) is True
