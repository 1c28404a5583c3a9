"""Issue 13's status rules, one hand-computed case each (docs/status-rules.md)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from kejifu.completeness import (
    completeness_text,
    current_month,
    deadline,
    missing_reporters,
    reporting_record,
)
from kejifu.plan import parse_plan
from kejifu.plancheck import check_plan
from kejifu.rollup import own_vs_children
from kejifu.scale.reference import reference_status
from kejifu.status import ALL, STATUSES, status
from tests.helpers import THIRD_ENTERPRISE, county_plan_text, reports

COUNTY = county_plan_text(
    extra_orgs=THIRD_ENTERPRISE,
    more="""  - {id: level, title: 覆盖率, unit: '%', kind: level, baseline: 20, target: 40}
  - {id: industry, title: 高新技术产业产值, unit: 亿元, pending: true, baseline: 6.19}
settings:
  reporting: {deadline_day: 5}
""",
)


@pytest.fixture(scope="module")
def county():
    return parse_plan(COUNTY, file="county.yaml")


def row(frame, target, org=ALL):
    r = frame[(frame.target == target) & (frame.org == org)]
    assert len(r) == 1, f"{target}/{org}: {len(r)} rows"
    return r.iloc[0]


# ----- 1. one-side share reporters ----------------------------------------------------------------


def test_stats_bureau_reporting_only_the_denominator_has_no_share_status(county):
    r = reports(
        [
            ("e1", "ht", "2005-06", 3.0),
            ("e2", "ht", "2005-06", 2.0),
            ("tjj", "ind", "2005-06", 16.0),
        ]
    )
    s = status(county, r, "2005-06-30")
    tjj = row(s, "share", "tjj")
    assert tjj.status == "not_applicable" and tjj.status_label == "不适用"
    assert math.isnan(tjj.actual) and math.isnan(tjj.completion)
    assert tjj.denominator == 16.0  # its side still shows, and counts in the total
    total = row(s, "share")
    assert total.actual == pytest.approx(5 / 16 * 100)  # 31.25 %
    assert total.completion == pytest.approx((31.25 - 30) / (33 - 30))
    assert row(s, "share", "e1").status == "not_applicable"


def test_no_completion_is_ever_below_minus_100_percent_or_not_finite(county):
    # the total's share 10 % against baseline 30 %: (10 - 30) / (33 - 30) = -6.67, shown as -100 %
    r = reports(
        [("e1", "ht", "2005-06", 1.0), ("tjj", "ind", "2005-06", 10.0), ("a", "area", "2005-06", 0.0)]
    )
    s = status(county, r, "2005-06-30")
    assert row(s, "share").completion == -1.0
    finite = s["completion"].dropna().to_numpy(dtype=float)
    assert np.isfinite(finite).all() and (finite >= -1.0).all()


# ----- 4. per-org completion against the target level ---------------------------------------------


def test_an_org_without_its_own_baseline_is_measured_against_the_target_level(county):
    # the county baseline 20 %, target 40 %: an org at 36 % is 36 / 40 = 90 %, not (36-20)/(40-20) = 80 %
    r = reports([("a", "level", "2005-06", 36.0)])
    s = status(county, r, "2005-06-30")
    assert row(s, "level", "a").completion == pytest.approx(0.9)
    assert math.isnan(row(s, "level", "a").baseline)
    assert row(s, "level").completion == pytest.approx(0.8)  # the total keeps the baseline


# ----- 2. an org's own figure over its children's sum ---------------------------------------------


def test_a_countys_own_report_is_authoritative_and_not_added_to_its_towns(county):
    r = reports(
        [("a", "area", "2005-06", 60.0), ("b", "area", "2005-06", 40.0), ("c", "area", "2005-06", 110.0)]
    )
    s = status(county, r, "2005-06-30")
    total = row(s, "area")
    assert total.actual == 110.0  # not 210
    assert total.children_sum == 100.0  # 下级合计
    rolled = status(county, r, "2005-06-30", rollup=True)
    assert row(rolled, "area", "c").actual == 110.0 and row(rolled, "area", "c").children_sum == 100.0
    ref = reference_status(county, r, "2005-06-30", rollup=True)
    assert row(ref, "area", "c").actual == 110.0


def test_own_vs_children_lists_a_difference_beyond_rounding_only(county):
    r = reports(
        [("a", "area", "2005-06", 60.0), ("b", "area", "2005-06", 40.0), ("c", "area", "2005-06", 110.0)]
    )
    found = own_vs_children(county, r, "2005-06-30")
    assert set(found["org"]) == {"c", ALL}
    c = found[found.org == "c"].iloc[0]
    assert c["diff"] == 10.0 and "下级合计" in c.message and "测试县" in c.message
    # 10.3 reported, children 10.2987: within the rounding of one decimal
    r2 = reports(
        [("e1", "ht", "2005-06", 5.1487), ("e2", "ht", "2005-06", 5.15), ("c", "ht", "2005-06", 10.3)]
    )
    r2 = pd.concat([r2, reports([("c", "ind", "2005-06", 30.0)])])
    assert own_vs_children(county, r2, "2005-06-30").empty


# ----- 5. milestones ------------------------------------------------------------------------------


def test_a_milestone_not_done_before_its_date_is_not_due_never_on_track(county):
    s = status(county, reports([("kjj", "plan5", "2005-06", 0)]), "2005-06-30")
    assert row(s, "plan5").status == "not_due" and row(s, "plan5").status_label == "未到期"
    assert row(s, "plan5").due == "2005-10-31"


def test_a_milestone_past_its_date_and_not_done_is_overdue(county):
    s = status(county, reports([("kjj", "plan5", "2005-10", 0)]), "2005-10-31")
    assert row(s, "plan5").status == "overdue" and row(s, "plan5").status_label == "逾期"
    s = status(county, reports([]), "2005-11-30")  # nobody reported: still overdue, not "no data"
    assert row(s, "plan5").status == "overdue"


def test_a_milestone_is_done_when_its_owner_reports_it_not_when_a_town_does(county):
    s = status(county, reports([("a", "plan5", "2005-09", 1)]), "2005-09-30")
    assert row(s, "plan5").status == "not_due"
    s = status(county, reports([("a", "plan5", "2005-11", 1)]), "2005-11-30")
    assert row(s, "plan5").status == "overdue"
    s = status(county, reports([("kjj", "plan5", "2005-09", 1)]), "2005-09-30")
    assert row(s, "plan5").status == "achieved" and row(s, "plan5").completion == 1.0


# ----- 3. floors ----------------------------------------------------------------------------------


def test_a_floor_counts_the_enterprises_that_clear_it(county):
    # e1 6 %, e2 5 % exactly, e3 4.98 %: two of three meet 5 %; the county ratio 16.98/3 = 5.33 % is context
    r = reports(
        [
            ("e1", "rd", "2005-06", 60.0),
            ("e1", "sales", "2005-06", 1000.0),
            ("e2", "rd", "2005-06", 50.0),
            ("e2", "sales", "2005-06", 1000.0),
            ("e3", "rd", "2005-06", 49.8),
            ("e3", "sales", "2005-06", 1000.0),
        ]
    )
    s = status(county, r, "2005-06-30")
    total = row(s, "rd_floor")
    assert (total.n_met, total.n_orgs) == (2, 3)
    assert total.completion == pytest.approx(2 / 3)
    assert total.status == "not_met" and math.isnan(total.expected)
    assert row(s, "rd_floor", "e1").status == "met" and row(s, "rd_floor", "e1").status_label == "达标"
    assert row(s, "rd_floor", "e2").status == "met"
    e3 = row(s, "rd_floor", "e3")
    assert e3.status == "not_met" and e3.status_label == "未达标"
    assert e3.completion == pytest.approx(0.996)  # shown as 99.6 %, never 100 %


def test_a_floor_met_by_every_org_is_met_in_total(county):
    r = reports([("e1", "rd", "2005-06", 60.0), ("e1", "sales", "2005-06", 1000.0)])
    total = row(status(county, r, "2005-06-30"), "rd_floor")
    assert (total.status, total.n_met, total.n_orgs, total.completion) == ("met", 1, 1, 1.0)


# ----- 12. a target value awaited -----------------------------------------------------------------


def test_a_target_awaited_from_the_city_shows_its_value_without_a_completion(county):
    s = status(county, reports([("tjj", "industry", "2005-06", 4.0)]), "2005-06-30")
    r = row(s, "industry")
    assert r.actual == 4.0 and math.isnan(r.completion) and r.status == "pending"
    notes = [p for p in check_plan(county) if p.field.endswith("pending")]
    assert notes and "目标值待市里下达" in notes[0].zh and notes[0].level == "note"


def test_an_acknowledged_plan_finding_is_a_note_with_its_reason():
    text = COUNTY.replace(
        "baseline: 30, target: 33}",
        "baseline: 30.14, target: 33, target_points: 3,\n"
        "     acknowledge: [{check: target_points, reason: 以33%为准}]}",
    )
    found = [p for p in check_plan(parse_plan(text)) if p.field.endswith("target_points")]
    assert len(found) == 1 and found[0].level == "note" and "以33%为准" in found[0].zh


# ----- 7. and 8. data currency and completeness ---------------------------------------------------


def _towns(months_by_town: dict[str, list[int]]) -> pd.DataFrame:
    return reports([(o, "area", f"2005-{m:02d}", 10.0 * m) for o, ms in months_by_town.items() for m in ms])


def test_every_row_says_the_month_its_data_run_through(county):
    s = status(county, _towns({"a": [1, 2, 3], "b": [1, 2, 3], "d": [1, 2, 3]}), "2005-06-30")
    assert row(s, "area").data_month == "2005-03" and row(s, "area").month == "2005-06"


def test_one_clerks_slip_to_december_does_not_move_the_current_month(county):
    r = _towns({"a": [1, 2, 3, 4, 5, 6], "b": [1, 2, 3, 4, 5, 6], "d": [1, 2, 3, 4, 5, 12]})
    assert current_month(county, r) == "2005-06"
    # two of three towns at June, one at May: June is still "at least half"
    r = _towns({"a": [4, 5, 6], "b": [4, 5, 6], "d": [4, 5]})
    assert current_month(county, r) == "2005-06"
    r = _towns({"a": [4, 5, 6], "b": [4, 5], "d": [4, 5]})  # one of three: not half
    assert current_month(county, r) == "2005-05"


def test_the_towns_that_have_not_reported_are_named(county):
    r = _towns({"a": [5, 6], "b": [5], "d": [5]})
    assert missing_reporters(county, r, "2005-06") == ["b", "d"]
    assert completeness_text(county, r, 6) == "3个乡镇中1个已报送；乙镇、丙镇未按时报送"
    s = status(county, r, "2005-06-30")
    total = row(s, "area")
    assert total.n_expected == 3 and total.incomplete and total.n_reporting == 3 and total.n_stale == 2


# ----- 9. reporting discipline --------------------------------------------------------------------


def test_a_report_after_the_fifth_of_the_next_month_is_late_and_a_missing_one_is_not_reported(county):
    r = _towns({"a": [1, 2], "b": [1, 2], "d": [1]})
    received = {
        ("a", "2005-01"): dt.datetime(2005, 2, 5, 23, 0),
        ("a", "2005-02"): dt.datetime(2005, 3, 1, 9, 0),
        ("b", "2005-01"): dt.datetime(2005, 2, 6, 0, 1),
        ("b", "2005-02"): dt.datetime(2005, 3, 4, 9, 0),
        ("d", "2005-01"): dt.datetime(2005, 2, 2, 9, 0),
    }
    r["imported_at"] = [received[(o, m)] for o, m in zip(r["org"], r["month"], strict=True)]
    rec = reporting_record(county, r, 2005).set_index(["org", "month"])["record_label"]
    assert rec[("a", "2005-01")] == "按时" and rec[("b", "2005-01")] == "迟报"
    assert rec[("d", "2005-02")] == "未报" and rec[("a", "2005-02")] == "按时"
    assert deadline("2005-12", 5) == dt.datetime(2006, 1, 6)


# ----- 10. year on year ---------------------------------------------------------------------------


def test_year_on_year_compares_the_same_month_of_last_year(county):
    r = reports(
        [
            ("a", "area", "2004-06", 100.0),
            ("a", "area", "2005-06", 130.6),
            ("e1", "ht", "2004-06", 2.0),
            ("tjj", "ind", "2004-06", 10.0),
            ("e1", "ht", "2005-06", 3.0),
            ("tjj", "ind", "2005-06", 14.0),
        ]
    )
    s = status(county, r, "2005-06-30")
    area = row(s, "area")
    assert area.last_year_actual == 100.0 and area.yoy == pytest.approx(0.306)  # 同比增长30.6%
    share = row(s, "share")
    assert share.last_year_actual == pytest.approx(20.0)
    assert share.yoy == pytest.approx(3 / 14 * 100 - 20.0)  # +1.43 points, in points


def test_no_year_on_year_without_last_years_same_month(county):
    # last year's full-year figure (2004-12) is not the same period as June: no comparison
    r = reports([("a", "area", "2004-12", 300.0), ("a", "area", "2005-06", 130.0)])
    area = row(status(county, r, "2005-06-30"), "area")
    assert math.isnan(area.last_year_actual) and math.isnan(area.yoy)


def test_every_status_code_has_a_label_in_both_languages():
    from kejifu.i18n import t
    from kejifu.palette import status_color

    for code in STATUSES:
        assert t(f"status.{code}", "zh") and t(f"status.{code}", "en")
        assert status_color(code).startswith("#")
