"""Scoring: the year-end assessment rubric (考核细则) — points, deductions, vetoes, grades.

The rubric is declared in the plan file under the top-level ``assessment:`` key
(see :class:`Rubric`); a plan without one is scored with :func:`default_rubric`.

How an org (a town, by default) is scored as of a date
------------------------------------------------------
For every rubric target allocated to the org:

* ``progress`` = completion / expected [share] — at year end expected is 1, so
  progress is the completion; in-year it measures against the schedule (序时进度);
  no data counts as progress 0;
* ``points`` = weight × min(progress, cap) [points]; 0 when progress < floor;
* ``bonus`` = the rule's ``stretch_bonus`` [points] when the org reached its share
  of the stretch target (allocation × stretch / target; for an unallocated
  plan-wide target the plan's stretch);
* ``veto`` (一票否决): when a veto target's progress is below ``veto_below`` the
  org's total is 0 and its grade ``fail``.

The org's *base* = 100 × Σ points / Σ weights of the targets allocated to it (a
town given no share of a target is scored on the others); then
total = base + Σ bonus − deductions [points], where deductions are
``deduct_missing`` per report month missing and ``deduct_late`` per month
reported after ``deadline_day`` of the following month (needs an ``imported_at``
column in the reports frame), capped at ``max_deduction``. Grades: ``excellent``
(优秀) ≥ ``grades.excellent``, ``good`` (良好) ≥ ``grades.good``, ``pass`` (合格)
≥ ``grades.pass``, else ``fail`` (不合格). Ranking: by total, descending, by the one rule of
:func:`kejifu.ranking.shared_ranks` (ties share the better rank: 1, 2, 2, 4); an org that
reported none of its scored targets (``reported`` False) is ranked last.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import completeness, ranking
from . import status as status_mod
from .errors import PlanError, Problem
from .i18n import t
from .plan import Plan

GRADES = ("excellent", "good", "pass", "fail")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Model):
    """How completion turns into points: linear up to ``cap``, zero below ``floor`` [share]."""

    cap: float = Field(1.2, ge=1.0, le=3.0)
    floor: float = Field(0.0, ge=0.0, le=1.0)
    stretch_bonus: float = Field(0.0, ge=0.0)  # [points]


class TargetRule(_Model):
    """One scored target: ``weight`` [points]; optional overrides of the rule; veto flag."""

    weight: float = Field(gt=0)
    cap: float | None = Field(None, ge=1.0, le=3.0)
    floor: float | None = Field(None, ge=0.0, le=1.0)
    stretch_bonus: float | None = Field(None, ge=0.0)
    veto: bool = False
    veto_below: float = Field(1.0, gt=0.0, le=1.0)  # [share of expected progress]


class ReportRule(_Model):
    """Deductions for report discipline: points per month missing or late."""

    deduct_missing: float = Field(2.0, ge=0.0)
    deduct_late: float = Field(1.0, ge=0.0)
    deadline_day: int = Field(5, ge=1, le=28)  # reports for month M are due by this day of M+1
    max_deduction: float = Field(10.0, ge=0.0)


class Grades(_Model):
    """Lower bounds of the grade bands [points]."""

    excellent: float = 90.0
    good: float = 80.0
    pass_: float = Field(60.0, alias="pass")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Grades:
        if not (self.excellent >= self.good >= self.pass_):
            raise ValueError("grade thresholds must satisfy excellent ≥ good ≥ pass")
        return self


class Rubric(_Model):
    """The ``assessment:`` block of a plan file."""

    title: str = ""
    title_en: str = ""
    orgs: list[str] = ["town", "subdistrict"]  # org kinds that are scored
    rule: Rule = Rule()
    targets: dict[str, TargetRule]
    reports: ReportRule = ReportRule()
    grades: Grades = Grades()
    source: str = "plan"  # "plan" or "default" (informational)


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess`: per-target ``detail``, per-org ``totals`` and the rubric used."""

    rubric: Rubric
    as_of: dt.date
    month: str
    detail: pd.DataFrame
    totals: pd.DataFrame


def default_rubric(plan: Plan) -> Rubric:
    """Equal weights (summing to 100) over the targets allocated to towns; cap 120%,
    floor 50%, stretch bonus 2 points, 2 points off per missing month, 1 per late month."""
    towns = {o.id for o in plan.towns()}
    ids = [tg.id for tg in plan.targets if towns & set(tg.allocations)]
    if not ids:
        ids = [tg.id for tg in plan.targets if tg.kind != "milestone"]
    w = round(100.0 / len(ids), 4) if ids else 0.0
    return Rubric(
        title=t("reviews.rubric.default_title", "zh"),
        title_en=t("reviews.rubric.default_title", "en"),
        rule=Rule(cap=1.2, floor=0.5, stretch_bonus=2.0),
        targets={i: TargetRule(weight=w) for i in ids},
        source="default",
    )


def parse_rubric(data: dict[str, Any] | None, plan: Plan, *, file: str = "plan.yaml") -> Rubric:
    """Validate an ``assessment:`` mapping against ``plan``; ``None`` gives :func:`default_rubric`.

    Raises :class:`~kejifu.errors.PlanError` listing every problem (unknown target ids too).
    """
    if data is None:
        return default_rubric(plan)
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        from dataclasses import replace

        from .planmessages import problems

        raise PlanError(
            problems=[
                replace(p, zh=f"考核细则取值无效：{p.zh}", en=f"invalid assessment rubric: {p.en}")
                for p in problems(exc, file, None, prefix=("assessment",))
            ]
        ) from None
    unknown = [k for k in rubric.targets if k not in plan.target_index]
    if unknown:
        raise PlanError(
            problems=[
                Problem(
                    f"考核细则引用了不存在的指标 {k!r}",
                    f"the rubric names an unknown target {k!r}",
                    file=file,
                    field=f"assessment.targets.{k}",
                )
                for k in unknown
            ]
        )
    return rubric


def rubric_for(plan: Plan) -> Rubric:
    """The plan's own rubric, or the default one."""
    return parse_rubric(plan.assessment, plan)


def grade_of(total: float, grades: Grades) -> str:
    """``excellent|good|pass|fail`` for a total [points]."""
    if total != total:
        return "fail"
    if total >= grades.excellent - 1e-9:
        return "excellent"
    if total >= grades.good - 1e-9:
        return "good"
    if total >= grades.pass_ - 1e-9:
        return "pass"
    return "fail"


def report_discipline(
    plan: Plan, reports: pd.DataFrame, orgs: list[str], month: int, rule: ReportRule, measures: list[str]
) -> pd.DataFrame:
    """Missing and late report months per org through ``month`` (1..12): the reporting record of
    :func:`kejifu.completeness.reporting_record` (按时 / 迟报 / 未报) over ``measures``.

    A month is *missing* (未报) for an org when it filed no figure of ``measures`` for it; *late*
    (迟报) when its first figure of the month arrived (``imported_at``) after the deadline, the
    plan's ``settings.reporting.deadline_day`` (else ``rule.deadline_day``) of the next month; without
    ``imported_at`` nothing is late. An org the record does not know (it filed nothing and was
    expected of nothing) misses every month. Returns ``org, missing_months, late_months, deductions``
    [points].
    """
    counts: dict[str, dict[str, int]] = {}
    if reports is not None and not reports.empty and measures and month > 0:
        f = reports[reports["measure"].isin(measures)]
        if "imported_at" in f:
            stamps = pd.to_datetime(f["imported_at"], errors="coerce", utc=True).dt.tz_localize(None)
        else:
            stamps = pd.Series(pd.Timestamp(plan.year - 1, 1, 1), index=f.index)  # nothing is late
        f = f.assign(imported_at=stamps.fillna(pd.Timestamp(plan.year - 1, 1, 1)))
        settings = dict(plan.settings or {})
        if (settings.get("reporting") or {}).get("deadline_day") is None:
            settings["reporting"] = {**(settings.get("reporting") or {}), "deadline_day": rule.deadline_day}
        record = completeness.reporting_record(
            plan.model_copy(update={"settings": settings}), f, plan.year, through=month
        )
        for (org, code), n in record.groupby(["org", "record"]).size().items():
            counts.setdefault(org, {})[code] = int(n)
    rows = []
    for org in orgs:
        mine = counts.get(org)
        missing = (mine.get("missing", 0) if mine is not None else month) if measures else 0
        late = mine.get("late", 0) if mine is not None else 0
        ded = min(missing * rule.deduct_missing + late * rule.deduct_late, rule.max_deduction)
        rows.append({"org": org, "missing_months": missing, "late_months": late, "deductions": float(ded)})
    return pd.DataFrame(rows, columns=["org", "missing_months", "late_months", "deductions"])


def _progress(code, completion: float, expected: float) -> float:
    """How far an org is along a target for the rubric [ratio]: completion ÷ expected; a floor
    (``met`` 1, ``not_met`` its completion below 1), a milestone (``not_due`` 1, ``overdue`` 0) by its
    status; no figure 0."""
    if code == "met" or code == "not_due":
        return 1.0
    if code == "overdue" or completion != completion:
        return 0.0
    if code == "not_met":
        return min(completion, 1.0)
    if expected > 0:
        return completion / expected
    return 1.0 if completion >= 0 else 0.0


def score_frame(plan: Plan, frame: pd.DataFrame, rubric: Rubric, orgs: list[str]) -> pd.DataFrame:
    """Points per org and rubric target from a status frame (pure; no deductions).

    Columns ``org, target, weight, completion, expected, progress, points, stretch_share,
    bonus, veto, veto_failed``; ``points`` and ``bonus`` in [points], shares as fractions.
    Left out of an org's base: targets not allocated to it, targets whose value is awaited
    (``pending``) and a share it reports one side of (``not_applicable``).
    """
    rows = []
    idx = frame.set_index(["target", "org"])
    pending = set(frame.loc[(frame["org"] == status_mod.ALL) & (frame["status"] == "pending"), "target"])
    for org in orgs:
        for tid, tr in rubric.targets.items():
            tg = plan.target(tid)
            alloc = tg.allocation_values()
            if (alloc and org not in alloc) or tid in pending:
                continue  # not allocated to this org, or its value awaited: left out of the base
            try:
                row = idx.loc[(tid, org)]
            except KeyError:
                row = None
            code = row["status"] if row is not None and "status" in row else None
            if code == "not_applicable":
                continue  # one side of a share: no figure of its own to score
            completion = float(row["completion"]) if row is not None else math.nan
            expected = float(row["expected"]) if row is not None else 1.0
            progress = _progress(code, completion, expected)
            cap = tr.cap if tr.cap is not None else rubric.rule.cap
            floor = tr.floor if tr.floor is not None else rubric.rule.floor
            bonus_pts = tr.stretch_bonus if tr.stretch_bonus is not None else rubric.rule.stretch_bonus
            points = 0.0 if progress < floor - 1e-12 else tr.weight * min(max(progress, 0.0), cap)
            stretch_share = (tg.stretch / tg.target) if (tg.stretch is not None and tg.target) else math.nan
            if tg.kind in ("share", "level") and tg.stretch is not None and tg.target is not None:
                base = tg.baseline or 0.0
                stretch_share = (tg.stretch - base) / (tg.target - base) if tg.target != base else math.nan
            got_stretch = (
                stretch_share == stretch_share
                and completion == completion
                and completion >= stretch_share - 1e-9
            )
            rows.append(
                {
                    "org": org,
                    "target": tid,
                    "weight": tr.weight,
                    "completion": completion,
                    "expected": expected,
                    "progress": progress,
                    "points": points,
                    "stretch_share": stretch_share,
                    "bonus": bonus_pts if got_stretch else 0.0,
                    "veto": tr.veto,
                    "veto_failed": bool(tr.veto and progress < tr.veto_below - 1e-9),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "org",
            "target",
            "weight",
            "completion",
            "expected",
            "progress",
            "points",
            "stretch_share",
            "bonus",
            "veto",
            "veto_failed",
        ],
    )


def totals_from(
    detail: pd.DataFrame, discipline: pd.DataFrame, rubric: Rubric, plan: Plan, lang: str = "zh"
) -> pd.DataFrame:
    """Totals, ranks and grades per org from :func:`score_frame` and :func:`report_discipline`."""
    has = np.isfinite(pd.to_numeric(detail["completion"], errors="coerce").to_numpy(dtype=float))
    g = detail.assign(has_figure=has).groupby("org", sort=False)
    tot = pd.DataFrame(
        {
            "points": g["points"].sum(),
            "weights": g["weight"].sum(),
            "bonus": g["bonus"].sum(),
            "veto_failed": g["veto_failed"].any(),
            "reported": g["has_figure"].any(),
        }
    ).reset_index()
    tot = discipline.merge(tot, on="org", how="left")
    tot["weights"] = tot["weights"].fillna(0.0)
    tot["points"] = tot["points"].fillna(0.0)
    tot["bonus"] = tot["bonus"].fillna(0.0)
    tot["veto_failed"] = tot["veto_failed"].astype("boolean").fillna(False).astype(bool)
    tot["reported"] = tot["reported"].astype("boolean").fillna(False).astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(tot["weights"] > 0, 100.0 * tot["points"] / tot["weights"], 0.0)
    tot["base"] = base
    total = tot["base"] + tot["bonus"] - tot["deductions"]
    tot["total"] = np.where(tot["veto_failed"], 0.0, np.maximum(total, 0.0))
    tot["rank"] = ranking.shared_ranks(tot["total"], reported=tot["reported"])
    tot["grade"] = [
        ("fail" if v else grade_of(x, rubric.grades)) for x, v in zip(tot["total"], tot["veto_failed"])
    ]
    tot["grade_label"] = [t(f"reviews.grade.{c}", lang) for c in tot["grade"]]
    tot["org_name"] = [plan.org_name(o, lang) for o in tot["org"]]
    cols = [
        "rank",
        "org",
        "org_name",
        "total",
        "base",
        "bonus",
        "deductions",
        "missing_months",
        "late_months",
        "veto_failed",
        "grade",
        "grade_label",
        "points",
        "weights",
        "reported",
    ]
    return tot.sort_values(["rank", "org"], kind="stable").reset_index(drop=True)[cols]


def scored_orgs(plan: Plan, rubric: Rubric) -> list[str]:
    """Ids of the orgs of the rubric's kinds, in plan order."""
    return [o.id for o in plan.orgs if o.kind in rubric.orgs]


def assess(
    plan: Plan,
    reports: pd.DataFrame,
    as_of: dt.date | str | None = None,
    *,
    rubric: Rubric | None = None,
    submissions: pd.DataFrame | None = None,
    lang: str = "zh",
) -> Assessment:
    """Score every org of the rubric's kinds as of ``as_of`` (default: 31 December of the plan year).

    ``submissions`` (optional) is the frame report discipline is judged from — e.g.
    ``store.reports()``, which has ``imported_at`` — defaulting to ``reports``.

    ``totals`` columns: ``rank, org, org_name, total, base, bonus, deductions,
    missing_months, late_months, veto_failed, grade, grade_label, points, weights``
    (all in [points] except counts) and ``reported`` (False: no figure for any scored target,
    ranked last); ``detail`` as :func:`score_frame`.
    """
    rubric = rubric or rubric_for(plan)
    as_of = pd.Timestamp(as_of if as_of is not None else dt.date(plan.year, 12, 31)).date()
    frame = status_mod.status(plan, reports, as_of, lang=lang)
    month = status_mod.reporting_month(as_of, plan.year)
    orgs = scored_orgs(plan, rubric)
    detail = score_frame(plan, frame, rubric, orgs)
    measures = sorted(
        {
            m
            for tid in rubric.targets
            for m in plan.target(tid).measures
            if plan.target(tid).source == "reports"
        }
    )
    disc = report_discipline(
        plan, submissions if submissions is not None else reports, orgs, month, rubric.reports, measures
    )
    totals = totals_from(detail, disc, rubric, plan, lang)
    return Assessment(
        rubric=rubric,
        as_of=as_of,
        month=status_mod.month_label(plan.year, month),
        detail=detail,
        totals=totals,
    )
