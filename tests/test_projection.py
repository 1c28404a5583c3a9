"""Year-end landings: schedule-adjusted run rate and the last three months' pace."""

import pytest

from kejifu.projection import project
from tests.helpers import reports


def test_run_rate_and_pace_for_terminals_hand_computed(small_plan):
    r = reports(
        [("a", "terminals", f"2005-{m:02d}", v) for m, v in zip(range(1, 7), [10, 20, 40, 80, 120, 160])]
    )
    p = project(small_plan, r, "2005-06-30").set_index(["target", "org"]).loc[("terminals", "all")]
    assert p.landing_run_rate == pytest.approx(320)  # 160 / 0.5
    assert p.landing_pace == pytest.approx(400)  # 160 + (160 - 40) / 3 * 6
    assert p.vs_target_run_rate == pytest.approx(-33)
    assert p.vs_target_pace == pytest.approx(47)
    assert p.at_risk and not p.will_miss


def test_a_share_is_projected_from_numerator_and_denominator_separately(small_plan):
    r = reports(
        [
            ("a", "ht", "2005-03", 3),
            ("a", "ind", "2005-03", 10),
            ("a", "ht", "2005-06", 7),
            ("a", "ind", "2005-06", 20),
        ]
    )
    p = project(small_plan, r, "2005-06-30").set_index(["target", "org"]).loc[("share", "all")]
    # numerator 7 + 4/3*6 = 15, denominator 20 + 10/3*6 = 40 -> 37.5 %
    assert p.landing_pace == pytest.approx(37.5)
    assert p.landing_run_rate == pytest.approx(35.0)


def test_early_in_the_year_the_pace_counts_from_zero(small_plan):
    r = reports([("a", "terminals", "2005-02", 20)])
    p = project(small_plan, r, "2005-02-28").set_index(["target", "org"]).loc[("terminals", "a")]
    assert p.landing_pace == pytest.approx(120)  # 20 + 10/month * 10
    assert p.will_miss  # 120 and 120 are both short of the 200 allocated
