"""Tests for kejifu.opensdg — the Open SDG progress measure and the plan trajectory beside it.

Expected Open SDG numbers are hand-derived from the arithmetic of
open-sdg/sdg-build sdg/ProgressMeasure.py (commit 139fede7...), class
SeriesProgress: growth_calculation, methodology_1/2, get_progress_thresholds,
get_progress_status and get_score.  The arithmetic is written out in the
comments; the literals were evaluated with plain float arithmetic.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejifu.errors import Problem
from kejifu.opensdg import (
    PROGRESS_STATUSES,
    OpenSdgProgress,
    cagr,
    limit_coefficient,
    opensdg_progress,
    plan_trajectory,
)
from kejifu.trajectory import TrajectoryError

# required CAGR for 100 (2015) -> 150 (2030): 1.5 ** (1/15) - 1
CAGR_R_150 = 1.5 ** (1 / 15) - 1  # = 0.02739965906371644


# ---------------------------------------------------------------- opensdg, method 2


def test_cagr_of_100_to_110_25_over_two_years_is_five_percent():
    assert cagr(110.25, 100, 2017, 2015) == pytest.approx(0.05)


def test_observed_five_percent_against_required_target_cagr_is_substantial_progress():
    # cagr_o = 0.05, cagr_r = 1.5**(1/15)-1 = 0.0274; ratio 1.8248 >= 0.95
    r = opensdg_progress([2015, 2017], [100, 110.25], direction="increase", target=150)
    assert isinstance(r, OpenSdgProgress)
    assert r.method == 2
    assert r.value == pytest.approx(0.05 / CAGR_R_150)
    assert r.value == pytest.approx(1.8248402246)
    assert r.status == "substantial_progress"
    assert r.score == 5  # min(7.1429*1.8248-4.2857, 5)
    assert r.note is None and r.fallback is None


def test_ratio_between_point_six_and_point_nine_five_is_moderate_progress():
    # mirrors methodology_2 + get_score: cagr_o = 0.02; ratio = 0.02/0.0274 = 0.72994
    # score = 7.1429*0.72994 - 4.2857 = 0.92816
    r = opensdg_progress([2015, 2017], [100, 104.04], direction="increase", target=150)
    assert r.value == pytest.approx(0.7299360898429826)
    assert r.status == "moderate_progress"
    assert r.score == pytest.approx(0.9281604961394407)


def test_ratio_between_zero_and_point_six_is_limited_progress():
    # mirrors methodology_2 + get_score: cagr_o = 0.01; ratio 0.36497
    # score = 4.1667*0.36497 - 2.5 = -0.97929
    r = opensdg_progress([2015, 2017], [100, 102.01], direction="positive", target=150)
    assert r.value == pytest.approx(0.3649680449214913)
    assert r.status == "limited_progress"
    assert r.score == pytest.approx(-0.9792876472256222)


def test_negative_ratio_is_deterioration():
    # mirrors methodology_2 + get_score: cagr_o = -0.01; ratio -0.36497
    # score = max(4.1667*-0.36497 - 2.5, -5) = -4.02071
    r = opensdg_progress([2015, 2017], [100, 98.01], direction="increase", target=150)
    assert r.value == pytest.approx(-0.3649680449214913)
    assert r.status == "deterioration"
    assert r.score == pytest.approx(-4.020712352774378)


def test_a_latest_value_at_or_past_the_target_is_target_achieved_with_score_five():
    r = opensdg_progress([2015, 2017], [100, 151], direction="increase", target=150)
    assert r.target_achieved is True
    assert r.status == "target_achieved"
    assert r.score == 5
    assert r.value is not None  # sdg-build still computes the progress value


def test_decrease_direction_flips_the_sign_of_the_growth():
    # mirrors methodology_2: direction -1; cagr_o = sqrt(0.81)-1 = -0.1;
    # cagr_r = 0.5**(1/15)-1 = -0.045158; value = -1 * -0.1 / 0.045158 = 2.21443
    r = opensdg_progress([2015, 2017], [100, 81], direction="decrease", target=50)
    assert r.direction == -1
    assert r.value == pytest.approx(2.2144276293963987)
    assert r.status == "substantial_progress"
    assert r.score == 5
    theirs = opensdg_progress([2015, 2017], [100, 81], direction="negative", target=50)
    assert theirs.value == r.value


def test_a_target_of_zero_is_computed_as_0_001_like_sdg_build():
    r = opensdg_progress([2015, 2017], [100, 81], direction="decrease", target=0)
    # cagr_r = (0.001/100)**(1/15) - 1
    expected = 0.1 / abs((0.001 / 100) ** (1 / 15) - 1)
    assert r.target == 0.001
    assert r.value == pytest.approx(expected)
    assert r.note is not None and "0.001" in r.note.en


def test_a_limit_is_ignored_when_a_target_is_given():
    r = opensdg_progress([2015, 2017], [100, 104.04], direction="increase", target=150, limit=120)
    assert (r.high, r.med, r.low) == (0.95, 0.6, 0.0)
    assert r.coefficient is None
    assert r.note is not None and "limit" in r.note.en


# ---------------------------------------------------------------- opensdg, method 1


@pytest.mark.parametrize(
    "current, direction, status, score",
    [
        # cagr 0.016 >= 0.015: min(500*0.016 - 5, 5) = 3
        (100 * 1.016**2, "increase", "substantial_progress", 3.0),
        # cagr 0.01 in [0.005, 0.015): 250*0.01 - 1.25 = 1.25
        (102.01, "increase", "moderate_progress", 1.25),
        # cagr 0.002 in [0, 0.005): 500*0.002 - 2.5 = -1.5
        (100.4004, "increase", "limited_progress", -1.5),
        # cagr -0.01 < 0: max(125*-0.01 - 2.5, -5) = -3.75
        (98.01, "increase", "deterioration", -3.75),
        # decrease: value = -1 * -0.01 = 0.01 -> moderate, 1.25
        (98.01, "decrease", "moderate_progress", 1.25),
    ],
)
def test_without_a_target_the_observed_cagr_is_banded_at_1_5_and_0_5_percent(
    current, direction, status, score
):
    r = opensdg_progress([2015, 2017], [100, current], direction=direction)
    assert r.method == 1
    assert r.status == status
    assert r.score == pytest.approx(score)


def test_limit_coefficient_reduces_the_thresholds_near_the_limit():
    # mirrors get_progress_thresholds + get_score (method 1), base 100, limit 80:
    # 80 < 100 < 160 -> coeff = 1 - ((160-100)/80)**4.44 = 1 - 0.75**4.44 = 0.721213
    # high = 0.015*coeff = 0.010818; value = -(sqrt(0.975)-1) = 0.012579 >= high
    # score = min(500*0.012579/0.721213 - 5, 5) = 3.72080
    r = opensdg_progress([2015, 2017], [100, 97.5], direction="decrease", limit=80)
    assert r.coefficient == pytest.approx(0.721213326764808)
    assert r.high == pytest.approx(0.01081819990147212)
    assert r.med == pytest.approx(0.00360606663382404)
    assert r.value == pytest.approx(0.012579117093425074)
    assert r.status == "substantial_progress"
    assert r.score == pytest.approx(3.7208018949483446)
    # without the limit the same series is only moderate progress
    plain = opensdg_progress([2015, 2017], [100, 97.5], direction="decrease")
    assert plain.status == "moderate_progress"


def test_limit_coefficient_branches():
    assert limit_coefficient(200, 80) == 1  # base >= 2*limit
    assert limit_coefficient(0, 0) == 1  # checked first, as in sdg-build
    assert limit_coefficient(40, 80) == pytest.approx(1 - 0.5**4.44)
    assert limit_coefficient(80, 80) == 0
    assert limit_coefficient(-100, -80) == pytest.approx(1 - 0.75**4.44)


def test_a_base_value_at_the_limit_gives_zero_thresholds_and_score_five_when_held():
    r = opensdg_progress([2015, 2017], [80, 80], direction="decrease", limit=80)
    assert r.coefficient == 0
    assert r.status == "substantial_progress"
    assert r.score == 5
    up = opensdg_progress([2015, 2017], [80, 80 * 1.21], direction="increase", limit=80)
    # 80 -> 96.8: cagr 0.1 in the desired direction (increase) -> substantial, 5
    assert up.status == "substantial_progress" and up.score == 5
    down = opensdg_progress([2015, 2017], [80, 80 * 1.21], direction="decrease", limit=80)
    # value = -0.1 < 0: max(125*-0.1 - 2.5, -5) = -5
    assert down.status == "deterioration" and down.score == -5


# ---------------------------------------------------------------- base year, data gaps


def test_one_year_of_data_is_not_available():
    r = opensdg_progress([2015], [100], direction="increase", target=150)
    assert r.status == "not_available"
    assert r.value is None and r.score is None
    assert isinstance(r.note, Problem) and r.note.zh and r.note.en


def test_one_year_already_at_the_target_is_target_achieved():
    # get_score returns 5 for an achieved target before looking at the value
    r = opensdg_progress([2015], [160], direction="increase", target=150)
    assert r.status == "target_achieved" and r.score == 5 and r.value is None


def test_a_missing_base_year_moves_to_the_first_year_present():
    r = opensdg_progress([2017, 2019], [100, 110.25], direction="increase")
    assert r.base_year == 2017 and r.base_value == 100
    assert r.value == pytest.approx(0.05)


def test_a_missing_base_year_moves_to_the_next_later_year_not_an_earlier_one():
    # sdg-build: years[years > base_year].min() -> 2016, ignoring 2014
    r = opensdg_progress([2014, 2016, 2018], [90, 100, 110.25], direction="increase")
    assert r.base_year == 2016 and r.base_value == 100
    assert r.value == pytest.approx(0.05)
    assert r.status == "substantial_progress"


def test_data_only_before_the_base_year_is_not_available_instead_of_crashing():
    r = opensdg_progress([2010, 2012], [100, 120], direction="increase")
    assert r.status == "not_available"
    assert "base year" in r.note.en


def test_a_negative_base_with_negative_current_value_uses_the_sign():
    # mirrors methodology_1: sign -1, direction +1; cagr = sqrt(-8/-10)-1 = -0.105573
    # value = -1 * 1 * -0.105573 = 0.105573 -> substantial
    r = opensdg_progress([2015, 2017], [-10, -8], direction="increase")
    assert r.sign == -1
    assert r.value == pytest.approx(0.10557280900008414)
    assert r.status == "substantial_progress"


def test_base_and_current_of_opposite_sign_is_not_available_with_a_fallback():
    r = opensdg_progress([2015, 2017], [-10, 5], direction="increase", target=20, target_year=2020)
    assert r.status == "not_available" and r.value is None
    assert "sign" in r.note.en
    assert r.fallback is not None
    # linear: -10 -> 20 over 5 years; 5 in 2017 -> completion 0.5 vs expected 0.4
    assert r.fallback.completion == pytest.approx(0.5)
    assert r.fallback.gap_pp == pytest.approx(10.0)


# ---------------------------------------------------------------- zero base


def test_a_zero_base_is_not_available_with_a_linear_fallback():
    # counts that start from nothing: 0 (2015) -> 5 (2017), target 20 in 2020
    r = opensdg_progress([2015, 2017], [0, 5], direction="increase", target=20, target_year=2020)
    assert r.status == "not_available"
    assert r.value is None and r.score is None
    assert r.note.field == "base_value"
    assert "基期值为 0" in r.note.zh and "zero" in r.note.en
    fb = r.fallback
    assert fb.year == 2017 and fb.expected == pytest.approx(8.0)
    assert fb.completion == pytest.approx(0.25)
    assert fb.expected_completion == pytest.approx(0.4)
    assert fb.gap_pp == pytest.approx(-15.0)


def test_a_zero_base_without_a_target_has_a_note_but_no_fallback():
    r = opensdg_progress([2015, 2017], [0, 5], direction="increase")
    assert r.status == "not_available" and r.note is not None and r.fallback is None


def test_a_zero_base_can_be_substituted_with_0_001_exactly_as_sdg_build_does():
    # mirrors calculate_progress_value + methodology_2 with base_value = 0.001:
    # cagr_o = (5/0.001)**(1/2)-1 = 69.7107; cagr_r = (20/0.001)**(1/5)-1 = 6.2478
    # ratio = 11.1576 -> substantial, score 5
    r = opensdg_progress(
        [2015, 2017], [0, 5], direction="increase", target=20, target_year=2020, zero_base="substitute"
    )
    assert r.value == pytest.approx(11.15764199306851)
    assert r.status == "substantial_progress" and r.score == 5


def test_a_target_equal_to_the_base_value_is_not_available_rather_than_dividing_by_zero():
    r = opensdg_progress([2015, 2017], [100, 99], direction="increase", target=100)
    assert r.status == "not_available"
    assert r.note is not None and r.fallback is not None


def test_an_unknown_direction_is_an_error():
    with pytest.raises(TrajectoryError):
        opensdg_progress([2015, 2017], [1, 2], direction="sideways")


# ---------------------------------------------------------------- plan_trajectory


def test_plan_trajectory_gives_one_row_per_plan_year_with_path_and_status():
    frame = plan_trajectory(
        [2006, 2007, 2008],
        [10, 11, 12.5],
        baseline_year=2005,
        baseline=9,
        target_year=2010,
        target=15,
    )
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["year"]) == [2005, 2006, 2007, 2008, 2009, 2010]
    assert list(frame["path"]) == pytest.approx([9.0, 10.2, 11.4, 12.6, 13.8, 15.0])
    assert frame.loc[0, "actual"] == 9.0  # the plan baseline
    assert math.isnan(frame.loc[4, "actual"])
    assert frame.loc[3, "completion"] == pytest.approx(3.5 / 6)
    assert frame.loc[3, "expected_completion"] == pytest.approx(0.6)
    assert frame.loc[0, "opensdg_status"] == "not_available"
    # 2006: cagr_o = 10/9 - 1; cagr_r = (15/9)**(1/5) - 1; ratio 1.03295
    assert frame.loc[1, "opensdg_value"] == pytest.approx(1.0329542471722672)
    assert frame.loc[1, "opensdg_status"] == "substantial_progress"
    assert frame.loc[4, "opensdg_status"] is None
    assert math.isnan(frame.loc[4, "opensdg_score"])


def test_plan_trajectory_for_a_count_starting_at_zero_has_not_available_status():
    frame = plan_trajectory([2016, 2017], [2, 5], baseline_year=2015, baseline=0, target_year=2020, target=20)
    assert set(frame["opensdg_status"].dropna()) == {"not_available"}
    assert frame.loc[frame.year == 2017, "completion"].item() == pytest.approx(0.25)


# ---------------------------------------------------------------- properties


positive = st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200)
@given(
    values=st.lists(positive, min_size=1, max_size=8),
    start=st.integers(2010, 2020),
    direction=st.sampled_from(["increase", "decrease", "positive", "negative"]),
    target=st.one_of(st.none(), positive),
    limit=st.one_of(st.none(), positive),
)
def test_the_opensdg_score_stays_within_minus_five_and_five(values, start, direction, target, limit):
    years = list(range(start, start + len(values)))
    r = opensdg_progress(years, values, direction=direction, target=target, limit=limit)
    assert r.status in PROGRESS_STATUSES
    if r.score is not None:
        assert -5 <= r.score <= 5
    if r.status == "not_available":
        assert r.score is None


def test_a_target_within_rounding_of_the_base_value_already_passed_is_target_achieved_not_a_crash():
    # found by hypothesis: base 0.010000000000000002, target 0.01 -> required CAGR rounds to 0.
    # By hand: increase, current 0.03 >= target 0.01 -> achieved; the required growth
    # (0.01/0.010000000000000002)**(1/15) - 1 is about -1.5e-17, |.| < 1e-12 -> the ratio is undefined,
    # so no progress value; an achieved target still scores 5 (get_score checks it first).
    r = opensdg_progress(
        [2015, 2016, 2017],
        [0.010000000000000002, 0.02, 0.03],
        direction="increase",
        target=0.01,
        base_year=2015,
        target_year=2030,
    )
    assert r.target_achieved is True
    assert r.status == "target_achieved"
    assert r.score == 5
    assert r.value is None
    assert r.note is not None and "target equals the base value" in r.note.en
    # the target (0.01) lies below the base against the direction: no linear path to fall back on
    assert r.fallback is None


def test_a_target_within_rounding_of_the_base_value_not_yet_reached_is_not_available():
    # decrease towards 0.01 from 0.010000000000000002, current 0.03 is above the target:
    # not achieved, required CAGR ~ 0 -> not available, no score
    r = opensdg_progress(
        [2015, 2017], [0.010000000000000002, 0.03], direction="decrease", target=0.01, target_year=2030
    )
    assert r.target_achieved is False
    assert r.status == "not_available"
    assert r.score is None and r.value is None
    assert "target equals the base value" in r.note.en
