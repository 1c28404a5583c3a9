"""Scoring: the rubric's points, bonus, deductions, veto and grades, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu import scoring
from kejifu.errors import PlanError
from kejifu.plan import parse_plan
from tests.conftest import reports

PLAN = """
plan: {id: s, title: 考核测试, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
targets:
  - {id: area, title: 食用菌面积, unit: 亩, target: 300, allocations: {a: 100, b: 200}}
  - {id: terms, title: 信息机, unit: 台, target: 200, stretch: 250, allocations: {a: 100, b: 100}}
assessment:
  title: 测试细则
  rule: {cap: 1.2, floor: 0.6, stretch_bonus: 5}
  targets:
    area: {weight: 60}
    terms: {weight: 40}
  reports: {deduct_missing: 2, deduct_late: 1, deadline_day: 5, max_deduction: 10}
  grades: {excellent: 90, good: 80, pass: 60}
"""


@pytest.fixture(scope="module")
def plan():
    return parse_plan(PLAN, file="score.yaml")


def year_of(org: str, area: float, terms: float, months=range(1, 13)) -> list[tuple]:
    return [
        r
        for m in months
        for r in (
            (org, "area", f"2005-{m:02d}", area * m / 12),
            (org, "terms", f"2005-{m:02d}", terms * m / 12),
        )
    ]


def test_two_targets_weighted_60_40_at_90_and_130_percent_score_by_hand(plan):
    # 甲镇: area 90% -> 60 × 0.9 = 54; terms 130% -> capped at 120%: 40 × 1.2 = 48;
    # 130% ≥ stretch share 250/200 = 125% -> +5 bonus. Total 54 + 48 + 5 = 107.
    a = scoring.assess(plan, reports(year_of("a", 90, 130) + year_of("b", 200, 100)))
    row = a.totals.set_index("org").loc["a"]
    assert row["base"] == pytest.approx(102.0)
    assert row["bonus"] == pytest.approx(5.0)
    assert row["deductions"] == 0
    assert row["total"] == pytest.approx(107.0)
    assert row["grade"] == "excellent"


def test_completion_below_the_floor_scores_zero_for_that_target(plan):
    # 乙镇: area 100/200 = 50% < floor 60% -> 0; terms 100% -> 40. Total 40 -> fail.
    a = scoring.assess(plan, reports(year_of("a", 100, 100) + year_of("b", 100, 100)))
    d = a.detail.set_index(["org", "target"])
    assert d.loc[("b", "area"), "points"] == 0
    assert d.loc[("b", "terms"), "points"] == pytest.approx(40.0)
    tot = a.totals.set_index("org")
    assert tot.loc["b", "total"] == pytest.approx(40.0)
    assert tot.loc["b", "grade"] == "fail"
    assert tot.loc["a", "rank"] == 1 and tot.loc["b", "rank"] == 2


def test_missing_report_months_are_deducted_per_month(plan):
    # 甲镇 skips March and April entirely: 2 months × 2 points off a clean 100.
    rows = [r for r in year_of("a", 100, 100) if r[2] not in ("2005-03", "2005-04")]
    a = scoring.assess(plan, reports(rows + year_of("b", 200, 100)))
    row = a.totals.set_index("org").loc["a"]
    assert row["missing_months"] == 2
    assert row["deductions"] == pytest.approx(4.0)
    assert row["total"] == pytest.approx(96.0)


def test_late_reports_are_deducted_when_import_times_are_known(plan):
    frame = reports(year_of("a", 100, 100) + year_of("b", 200, 100))
    frame["imported_at"] = "2005-01-01T00:00:00"
    frame.loc[(frame["org"] == "a") & (frame["month"] == "2005-05"), "imported_at"] = "2005-06-20T10:00:00"
    a = scoring.assess(plan, frame, submissions=frame)
    row = a.totals.set_index("org").loc["a"]
    assert row["late_months"] == 1
    assert row["total"] == pytest.approx(99.0)


def test_a_failed_veto_target_zeroes_the_total():
    text = PLAN.replace("terms: {weight: 40}", "terms: {weight: 40, veto: true}")
    plan = parse_plan(text, file="veto.yaml")
    a = scoring.assess(plan, reports(year_of("a", 110, 90) + year_of("b", 200, 100)))
    row = a.totals.set_index("org").loc["a"]
    assert bool(row["veto_failed"])
    assert row["total"] == 0
    assert row["grade"] == "fail"


def test_grade_bands_follow_the_configured_thresholds():
    g = scoring.Grades.model_validate({"excellent": 95, "good": 85, "pass": 70})
    assert [scoring.grade_of(x, g) for x in (95, 94.9, 85, 70, 69.9)] == [
        "excellent",
        "good",
        "good",
        "pass",
        "fail",
    ]


def test_in_year_scores_measure_completion_against_the_schedule(plan):
    # By 30 June (linear: half due) 甲镇 has done half of both -> progress 1 -> 100 points.
    a = scoring.assess(
        plan, reports(year_of("a", 100, 100, range(1, 7)) + year_of("b", 200, 100, range(1, 7))), "2005-06-30"
    )
    assert a.totals.set_index("org").loc["a", "total"] == pytest.approx(100.0)


def test_a_plan_without_a_rubric_gets_equal_weights_over_allocated_targets(small_plan):
    r = scoring.rubric_for(small_plan)
    assert r.source == "default"
    assert set(r.targets) == {"terminals", "mushroom"}
    assert sum(tr.weight for tr in r.targets.values()) == pytest.approx(100.0)


def test_a_rubric_naming_an_unknown_target_is_a_plan_error(plan):
    with pytest.raises(PlanError) as exc:
        scoring.parse_rubric({"targets": {"nope": {"weight": 10}}}, plan)
    assert "nope" in str(exc.value)


def test_a_malformed_rubric_lists_its_field(plan):
    with pytest.raises(PlanError) as exc:
        scoring.parse_rubric({"targets": {"area": {"weight": -1}}}, plan)
    assert "assessment.targets.area.weight" in str(exc.value)


def test_the_demo_plan_is_scored_for_every_town(plan_demo=None):
    from kejifu import config
    from kejifu.plan import load_plan

    p = load_plan(config.demo_plan())
    a = scoring.assess(p, pd.DataFrame(columns=["org", "measure", "month", "value"]))
    assert len(a.totals) == len(p.towns())
    assert set(a.totals["grade"]) == {"fail"}
