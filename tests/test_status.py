"""Status engine: hand-computed cases from domain.md and properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejifu.status import counts_by_status, reporting_month, status, totals
from tests.helpers import reports


def _total(frame, target):
    row = frame[(frame.target == target) & (frame.org == "all")]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize(
    "installed, expected_status",
    [
        (180, "on_track"),
        (160, "behind"),
        (140, "far_behind"),
        (360, "achieved"),
    ],
)
def test_353_terminals_on_a_linear_schedule_at_the_end_of_june(small_plan, installed, expected_status):
    r = reports([("a", "terminals", "2005-06", installed - 60), ("b", "terminals", "2005-06", 60)])
    row = _total(status(small_plan, r, "2005-06-30"), "terminals")
    assert row.status == expected_status
    assert row.actual == installed
    assert row.expected == pytest.approx(0.5)
    assert row.completion == pytest.approx(installed / 353)


def test_160_of_353_is_453_percent_against_50_percent_so_47_points_behind(small_plan):
    r = reports([("a", "terminals", "2005-06", 160)])
    row = _total(status(small_plan, r, "2005-06-30"), "terminals")
    assert round(row.completion * 100, 1) == 45.3
    assert round(row.gap_pp, 1) == -4.7
    assert row.status_label == "滞后"


def test_the_reporting_month_is_the_last_month_ended_on_or_before_the_date():
    assert reporting_month("2005-06-30", 2005) == 6
    assert reporting_month("2005-06-29", 2005) == 5
    assert reporting_month("2005-07-01", 2005) == 6
    assert reporting_month("2005-01-15", 2005) == 0
    assert reporting_month("2006-03-01", 2005) == 12
    assert reporting_month("2004-12-31", 2005) == 0


def test_the_stretch_target_outranks_achieved(small_plan):
    r = reports([("a", "mushroom", "2005-06", 3000), ("b", "mushroom", "2005-06", 2100)])
    row = _total(status(small_plan, r, "2005-06-30"), "mushroom")
    assert row.status == "stretch_achieved" and row.status_label == "力争目标完成"
    r = reports([("a", "mushroom", "2005-06", 3000)])
    assert _total(status(small_plan, r, "2005-06-30"), "mushroom").status == "achieved"


def test_a_town_whose_latest_report_is_older_is_carried_forward_and_flagged_stale(small_plan):
    r = reports(
        [
            ("a", "terminals", "2005-04", 50),
            ("a", "terminals", "2005-05", 70),
            ("b", "terminals", "2005-06", 80),
        ]
    )
    s = status(small_plan, r, "2005-06-30")
    a = s[(s.target == "terminals") & (s.org == "a")].iloc[0]
    assert a.actual == 70 and a.stale and a.last_month == "2005-05"
    total = _total(s, "terminals")
    assert total.actual == 150 and total.stale and total.n_stale == 1 and total.n_reporting == 2


def test_a_town_with_no_report_through_the_reporting_month_has_no_data(small_plan):
    r = reports([("a", "terminals", "2005-06", 100), ("b", "terminals", "2005-07", 100)])
    s = status(small_plan, r, "2005-06-30")
    b = s[(s.target == "terminals") & (s.org == "b")].iloc[0]
    assert b.status == "no_data" and b.status_label == "无数据" and np.isnan(b.actual)
    assert b.target_value == 153  # its allocation is still shown


def test_a_target_nobody_reported_is_no_data_in_total(small_plan):
    s = status(small_plan, reports([("a", "terminals", "2005-06", 1)]), "2005-06-30")
    assert _total(s, "mushroom").status == "no_data"


def test_towns_are_measured_against_their_allocations(small_plan):
    r = reports([("a", "terminals", "2005-06", 100), ("b", "terminals", "2005-06", 40)])
    s = status(small_plan, r, "2005-06-30").set_index(["target", "org"])
    assert s.loc[("terminals", "a"), "completion"] == pytest.approx(100 / 200)
    assert s.loc[("terminals", "a"), "status"] == "on_track"
    assert s.loc[("terminals", "b"), "completion"] == pytest.approx(40 / 153)
    assert s.loc[("terminals", "b"), "status"] == "far_behind"
    assert s.loc[("terminals", "all"), "allocation"] == 353


def test_a_share_is_the_ratio_of_summed_numerators_to_summed_denominators(small_plan):
    # Town a: 1/10 = 10 %, town b: 9/15 = 60 %. Mean of ratios would be 35 %; the ratio of sums is 40 %.
    r = reports(
        [
            ("a", "ht", "2005-06", 1),
            ("a", "ind", "2005-06", 10),
            ("b", "ht", "2005-06", 9),
            ("b", "ind", "2005-06", 15),
        ]
    )
    row = _total(status(small_plan, r, "2005-06-30"), "share")
    assert row.actual == pytest.approx(40.0)
    assert row.numerator == 10 and row.denominator == 25
    assert row.completion == pytest.approx((40 - 30.14) / (33 - 30.14))


def test_a_share_whose_parts_come_from_different_orgs_still_adds_up(demo_plan):
    # 2004: high-tech output 8.04亿元 of 26.68亿元 above-scale output = 30.14 %.
    r = reports(
        [
            ("ent_sy", "ht_output", "2005-12", 5.04),
            ("ent_a", "ht_output", "2005-12", 3.0),
            ("yinan_tjj", "industrial_output", "2005-12", 26.68),
        ]
    )
    row = _total(status(demo_plan, r, "2005-12-31"), "ht_share")
    assert row.actual == pytest.approx(30.13, abs=0.01)
    assert row.completion == pytest.approx(0.0, abs=0.01)


def test_a_cumulative_target_can_draw_on_a_measure_so_nobody_enters_it_twice(demo_plan):
    r = reports([("ent_sy", "ht_output", "2005-06", 0.9), ("ent_a", "ht_output", "2005-06", 0.6)])
    s = status(demo_plan, r, "2005-06-30")
    assert _total(s, "ht_output_value").actual == pytest.approx(1.5)
    sy = s[(s.target == "ht_output_value") & (s.org == "ent_sy")].iloc[0]
    assert sy.target_value == pytest.approx(1.6)


def test_an_org_without_an_allocation_counts_in_the_total_but_is_not_allocated(small_plan):
    # (issue 13: the county "c" reporting itself would be authoritative over its towns; an org
    # outside the tree, "x", is the org without an allocation here)
    r = reports([("x", "terminals", "2005-06", 10), ("a", "terminals", "2005-06", 100)])
    s = status(small_plan, r, "2005-06-30")
    assert _total(s, "terminals").actual == 110
    c = s[(s.target == "terminals") & (s.org == "x")].iloc[0]
    assert c.status == "not_allocated"


def test_the_rollup_adds_a_row_for_the_county_equal_to_the_total(small_plan):
    r = reports([("a", "terminals", "2005-06", 100), ("b", "terminals", "2005-06", 40)])
    s = status(small_plan, r, "2005-06-30", rollup=True).set_index(["target", "org"])
    assert s.loc[("terminals", "c"), "actual"] == 140
    assert s.loc[("terminals", "c"), "target_value"] == 353  # sum of its towns' allocations


def test_english_labels_come_from_the_same_catalogue(small_plan):
    s = status(small_plan, reports([("a", "terminals", "2005-06", 160)]), "2005-06-30", lang="en")
    assert _total(s, "terminals").status_label == "Behind"


def test_counts_by_status_keeps_every_code(small_plan):
    s = totals(status(small_plan, reports([("a", "terminals", "2005-06", 160)]), "2005-06-30"))
    c = counts_by_status(s)
    assert c["behind"] == 1 and c["no_data"] == 2 and c["achieved"] == 0


def test_a_milestone_is_achieved_when_its_owner_reports_it_done_and_overdue_after_its_date(demo_plan):
    # issue 13 rule 5: 未到期 / 已完成 / 逾期, never on_track at 0 %, never far_behind
    s = status(demo_plan, reports([("yinan_kjj", "five_year_plan", "2005-11", 0)]), "2005-11-30")
    assert _total(s, "five_year_plan").status == "overdue"
    s = status(demo_plan, reports([("yinan_kjj", "five_year_plan", "2005-09", 1)]), "2005-09-30")
    assert _total(s, "five_year_plan").status == "achieved"
    s = status(demo_plan, reports([("yinan_kjj", "five_year_plan", "2005-06", 0)]), "2005-06-30")
    assert _total(s, "five_year_plan").status == "not_due"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=2), st.floats(0, 500, allow_nan=False)
)
def test_completion_never_falls_as_actual_rises(small_plan, values, extra):
    lo = reports([("a", "terminals", "2005-06", values[0]), ("b", "terminals", "2005-06", values[1])])
    hi = reports([("a", "terminals", "2005-06", values[0] + extra), ("b", "terminals", "2005-06", values[1])])
    a = _total(status(small_plan, lo, "2005-06-30"), "terminals")
    b = _total(status(small_plan, hi, "2005-06-30"), "terminals")
    assert b.completion >= a.completion
    order = ["far_behind", "behind", "on_track", "achieved", "stretch_achieved"]
    assert order.index(b.status) >= order.index(a.status)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a", "b", "x"]), st.floats(0, 1e6, allow_nan=False), min_size=1),
    st.integers(1, 12),
)
def test_the_total_of_a_cumulative_target_equals_the_sum_of_its_orgs(small_plan, values, month):
    r = reports([(o, "terminals", f"2005-{month:02d}", v) for o, v in values.items()])
    s = status(small_plan, r, "2005-12-31")
    orgs = s[(s.target == "terminals") & (s.org != "all")]
    assert _total(s, "terminals").actual == pytest.approx(orgs["actual"].sum(min_count=1), rel=1e-12)


def test_an_empty_reports_frame_gives_no_data_everywhere(small_plan):
    s = status(small_plan, pd.DataFrame(columns=["org", "measure", "month", "value"]), "2005-06-30")
    assert set(s["status"]) == {"no_data"}
