"""Monthly series carry values forward and add up to the total."""

import pytest

from kejifu.series import monthly
from tests.helpers import reports


def test_a_month_without_a_report_carries_the_previous_value_forward(small_plan):
    r = reports(
        [
            ("a", "terminals", "2005-01", 10),
            ("a", "terminals", "2005-03", 30),
            ("b", "terminals", "2005-02", 5),
        ]
    )
    s = monthly(small_plan, r, targets=["terminals"]).set_index(["org", "month"])
    assert s.loc[("a", 2), "actual"] == 10 and s.loc[("a", 2), "stale"]
    assert s.loc[("a", 3), "actual"] == 30 and not s.loc[("a", 3), "stale"]
    assert s.loc[("all", 2), "actual"] == 15
    assert s.loc[("all", 3), "actual"] == 35
    assert ("b", 1) not in s.index  # nothing before its first report


def test_the_expected_path_is_the_allocation_times_the_schedule(small_plan):
    r = reports([("a", "terminals", "2005-06", 100)])
    s = monthly(small_plan, r, targets=["terminals"]).set_index(["org", "month"])
    assert s.loc[("a", 6), "expected_value"] == pytest.approx(100.0)
    assert s.loc[("all", 6), "expected_value"] == pytest.approx(176.5)


def test_a_share_series_is_the_ratio_of_sums_each_month(small_plan):
    r = reports(
        [
            ("a", "ht", "2005-01", 1),
            ("a", "ind", "2005-01", 10),
            ("b", "ht", "2005-01", 9),
            ("b", "ind", "2005-01", 15),
        ]
    )
    s = monthly(small_plan, r, targets=["share"]).set_index(["org", "month"])
    assert s.loc[("all", 1), "actual"] == pytest.approx(40.0)
    assert s.loc[("a", 1), "actual"] == pytest.approx(10.0)


def test_a_countys_own_figure_is_not_added_to_its_towns_in_the_total_series(small_plan):
    # the county c reports 110 itself, its towns 60 + 40: the total is the county's own 110
    r = reports(
        [
            ("a", "terminals", "2005-06", 60),
            ("b", "terminals", "2005-06", 40),
            ("c", "terminals", "2005-06", 110),
        ]
    )
    s = monthly(small_plan, r, targets=["terminals"]).set_index(["org", "month"])
    assert s.loc[("all", 6), "actual"] == 110
    assert s.loc[("a", 6), "actual"] == 60
