"""Scoring: the rubric's points, bonus, deductions, veto and grades, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu import months, scoring
from kejifu.errors import PlanError
from kejifu.plan import parse_plan
from tests.helpers import reports

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
def scoring_plan():
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


def test_two_targets_weighted_60_40_at_90_and_130_percent_score_by_hand(scoring_plan):
    # 甲镇: area 90% -> 60 × 0.9 = 54; terms 130% -> capped at 120%: 40 × 1.2 = 48;
    # 130% ≥ stretch share 250/200 = 125% -> +5 bonus. Total 54 + 48 + 5 = 107.
    a = scoring.assess(scoring_plan, reports(year_of("a", 90, 130) + year_of("b", 200, 100)))
    row = a.totals.set_index("org").loc["a"]
    assert row["base"] == pytest.approx(102.0)
    assert row["bonus"] == pytest.approx(5.0)
    assert row["deductions"] == 0
    assert row["total"] == pytest.approx(107.0)
    assert row["grade"] == "excellent"


def test_completion_below_the_floor_scores_zero_for_that_target(scoring_plan):
    # 乙镇: area 100/200 = 50% < floor 60% -> 0; terms 100% -> 40. Total 40 -> fail.
    a = scoring.assess(scoring_plan, reports(year_of("a", 100, 100) + year_of("b", 100, 100)))
    d = a.detail.set_index(["org", "target"])
    assert d.loc[("b", "area"), "points"] == 0
    assert d.loc[("b", "terms"), "points"] == pytest.approx(40.0)
    tot = a.totals.set_index("org")
    assert tot.loc["b", "total"] == pytest.approx(40.0)
    assert tot.loc["b", "grade"] == "fail"
    assert tot.loc["a", "rank"] == 1 and tot.loc["b", "rank"] == 2


def test_missing_report_months_are_deducted_per_month(scoring_plan):
    # 甲镇 skips March and April entirely: 2 months × 2 points off a clean 100.
    rows = [r for r in year_of("a", 100, 100) if r[2] not in ("2005-03", "2005-04")]
    a = scoring.assess(scoring_plan, reports(rows + year_of("b", 200, 100)))
    row = a.totals.set_index("org").loc["a"]
    assert row["missing_months"] == 2
    assert row["deductions"] == pytest.approx(4.0)
    assert row["total"] == pytest.approx(96.0)


def test_late_reports_are_deducted_when_import_times_are_known(scoring_plan):
    frame = reports(year_of("a", 100, 100) + year_of("b", 200, 100))
    frame["imported_at"] = "2005-01-01T00:00:00"
    frame.loc[(frame["org"] == "a") & (frame["month"] == "2005-05"), "imported_at"] = "2005-06-20T10:00:00"
    a = scoring.assess(scoring_plan, frame, submissions=frame)
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


def test_in_year_scores_measure_completion_against_the_schedule(scoring_plan):
    # By 30 June (linear: half due) 甲镇 has done half of both -> progress 1 -> 100 points.
    a = scoring.assess(
        scoring_plan,
        reports(year_of("a", 100, 100, range(1, 7)) + year_of("b", 200, 100, range(1, 7))),
        "2005-06-30",
    )
    assert a.totals.set_index("org").loc["a", "total"] == pytest.approx(100.0)


def test_a_plan_without_a_rubric_gets_equal_weights_over_allocated_targets(small_plan):
    r = scoring.rubric_for(small_plan)
    assert r.source == "default"
    assert set(r.targets) == {"terminals", "mushroom"}
    assert sum(tr.weight for tr in r.targets.values()) == pytest.approx(100.0)


def test_a_rubric_naming_an_unknown_target_is_a_plan_error(scoring_plan):
    with pytest.raises(PlanError) as exc:
        scoring.parse_rubric({"targets": {"nope": {"weight": 10}}}, scoring_plan)
    assert "nope" in str(exc.value)


def test_a_malformed_rubric_lists_its_field(scoring_plan):
    with pytest.raises(PlanError) as exc:
        scoring.parse_rubric({"targets": {"area": {"weight": -1}}}, scoring_plan)
    assert "assessment.targets.area.weight" in str(exc.value)


def test_the_demo_plan_is_scored_for_every_town(plan_demo=None):
    from kejifu import config
    from kejifu.plan import load_plan

    p = load_plan(config.demo_plan())
    a = scoring.assess(p, pd.DataFrame(columns=["org", "measure", "month", "value"]))
    assert len(a.totals) == len(p.towns())
    assert set(a.totals["grade"]) == {"fail"}


def test_assessment_ranks_follow_the_one_rule_ties_share_and_the_silent_are_last():
    plan = parse_plan(
        PLAN.replace(
            "  - {id: b, name: 乙镇, kind: town, parent: c}\n",
            "  - {id: b, name: 乙镇, kind: town, parent: c}\n"
            "  - {id: d, name: 丙镇, kind: town, parent: c}\n",
        )
        .replace("allocations: {a: 100, b: 200}", "allocations: {a: 100, b: 200, d: 100}")
        .replace("allocations: {a: 100, b: 100}", "allocations: {a: 100, b: 100, d: 100}"),
        file="score3.yaml",
    )
    # 甲镇 and 乙镇 both finish exactly their allocations every month: 60 + 40 = 100 points each;
    # 丙镇 never reports: 0 points and 10 points of deductions, total 0, ranked last and marked so
    r = reports(year_of("a", 100, 100) + year_of("b", 200, 100))
    tot = scoring.assess(plan, r).totals.set_index("org")
    assert tot.loc["a", "total"] == pytest.approx(100.0) == tot.loc["b", "total"]
    assert tot.loc["a", "rank"] == tot.loc["b", "rank"] == 1
    assert tot.loc["d", "rank"] == 3 and not tot.loc["d", "reported"] and tot.loc["a", "reported"]


def test_the_rubrics_deductions_follow_the_reporting_record_on_time_late_missing(scoring_plan):
    from kejifu.completeness import reporting_record

    # 甲镇: May's figures arrive on 20 June (迟报), March is never filed (未报); 乙镇 always on time
    rows = [r for r in year_of("a", 100, 100) if r[2] != "2005-03"] + year_of("b", 200, 100)
    frame = reports(rows)
    frame["imported_at"] = [f"{months.add(m, 1)}-02T09:00:00" for m in frame["month"]]  # the 2nd: on time
    frame.loc[(frame["org"] == "a") & (frame["month"] == "2005-05"), "imported_at"] = "2005-06-20T10:00:00"
    a = scoring.assess(scoring_plan, frame, submissions=frame).totals.set_index("org")
    rec = reporting_record(scoring_plan, frame, through=12)
    counts = rec.groupby(["org", "record"]).size()
    assert counts[("a", "late")] == a.loc["a", "late_months"] == 1
    assert counts[("a", "missing")] == a.loc["a", "missing_months"] == 1
    # 100 − 2 (one month missing) − 1 (one month late) = 97
    assert a.loc["a", "total"] == pytest.approx(97.0)
    assert a.loc["b", "deductions"] == 0


def test_a_month_with_some_figures_filed_is_not_missing(scoring_plan):
    # 甲镇 files only the area for April: the month was reported (按时), nothing is deducted
    rows = [r for r in year_of("a", 100, 100) if not (r[2] == "2005-04" and r[1] == "terms")]
    a = scoring.assess(scoring_plan, reports(rows + year_of("b", 200, 100))).totals.set_index("org")
    assert a.loc["a", "missing_months"] == 0 and a.loc["a", "deductions"] == 0


def test_the_plans_reporting_deadline_decides_what_is_late(scoring_plan):
    # the rubric says the 5th; the plan's settings.reporting.deadline_day says the 10th:
    # May's figures received on 8 June are on time (they would be late by the 5th)
    plan = parse_plan(PLAN + "settings:\n  reporting: {deadline_day: 10}\n", file="deadline.yaml")
    frame = reports(year_of("a", 100, 100) + year_of("b", 200, 100))
    frame["imported_at"] = "2005-01-01T00:00:00"
    frame.loc[(frame["org"] == "a") & (frame["month"] == "2005-05"), "imported_at"] = "2005-06-08T10:00:00"
    a = scoring.assess(plan, frame, submissions=frame).totals.set_index("org")
    assert a.loc["a", "late_months"] == 0
    assert (
        scoring.assess(scoring_plan, frame, submissions=frame).totals.set_index("org").loc["a", "late_months"]
        == 1
    )


FLOORS = """
plan: {id: f, title: 底线考核, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: e1, name: 甲企业, kind: enterprise, parent: c}
  - {id: e2, name: 乙企业, kind: enterprise, parent: c}
  - {id: tjj, name: 县统计局, kind: department, parent: c}
measures:
  - {id: rd, title: 研发经费, unit: 万元}
  - {id: sales, title: 销售收入, unit: 万元}
  - {id: ht, title: 高新技术企业产值, unit: 亿元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
targets:
  - {id: out, title: 产值, unit: 亿元, target: 4, allocations: {e1: 2, e2: 2}}
  - {id: rd_floor, title: 研发经费占比, unit: '%', kind: share, numerator: rd, denominator: sales,
     target: 5, each: true}
  - {id: awaited, title: 高新技术产业产值, unit: 亿元, pending: true, allocations: {e1: 1, e2: 1}}
  - {id: share, title: 高新技术产值比重, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30, target: 33}
assessment:
  orgs: [enterprise, department]
  rule: {cap: 1.2, floor: 0.5, stretch_bonus: 0}
  targets:
    out: {weight: 50}
    rd_floor: {weight: 30}
    awaited: {weight: 10}
    share: {weight: 10}
  reports: {deduct_missing: 0, deduct_late: 0}
"""


def test_floors_score_met_in_full_and_not_met_by_its_completion_pending_and_one_side_left_out():
    plan = parse_plan(FLOORS, file="floors.yaml")
    r = reports(
        [
            ("e1", "out", "2005-12", 2.0),  # 100 %
            ("e2", "out", "2005-12", 2.0),
            ("e1", "rd", "2005-12", 600),  # 6 %: met -> progress 1
            ("e1", "sales", "2005-12", 10000),
            ("e2", "rd", "2005-12", 400),  # 4 %: not met -> progress 4 / 5 = 0.8
            ("e2", "sales", "2005-12", 10000),
            ("e1", "awaited", "2005-12", 0.1),  # its value is awaited: never scored
            ("e1", "ht", "2005-12", 3.0),
            ("tjj", "ind", "2005-12", 10.0),  # the denominator only: no share of its own
        ]
    )
    a = scoring.assess(plan, r)
    d = a.detail.set_index(["org", "target"])
    assert "awaited" not in set(a.detail["target"]) and ("tjj", "share") not in d.index
    assert d.loc[("e1", "rd_floor"), "points"] == pytest.approx(30.0)
    assert d.loc[("e2", "rd_floor"), "points"] == pytest.approx(30 * 0.8)
    tot = a.totals.set_index("org")
    # 甲企业 reports the numerator only, so its share is not_applicable: (50 + 30) / 80 × 100 = 100
    assert tot.loc["e1", "base"] == pytest.approx(100.0)
    # 乙企业 reports no side of the share (a target without figures scores 0): (50 + 24 + 0) / 90 × 100
    assert tot.loc["e2", "base"] == pytest.approx(7400 / 90)
