"""Tests for kejifu.trajectory — annual series, linear paths and the plan path frame."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejifu.errors import KejifuError
from kejifu.trajectory import (
    PathStatus,
    TrajectoryError,
    annual_series,
    linear_path,
    path_status,
    plan_path,
)

# ---------------------------------------------------------------- annual_series


def test_annual_series_is_sorted_by_int_year_and_drops_missing_values():
    s = annual_series(["2008", 2006.0, 2007, 2009], [3.0, 1, None, float("nan")])
    assert list(s.index) == [2006, 2008]
    assert s.index.dtype == "int64"
    assert list(s) == [1.0, 3.0]


def test_annual_series_rejects_a_duplicate_year_with_a_bilingual_error():
    with pytest.raises(TrajectoryError) as err:
        annual_series([2006, 2007, 2006], [1, 2, 3])
    assert isinstance(err.value, KejifuError)
    assert "2006" in err.value.zh and "duplicate" in err.value.en


def test_annual_series_ignores_a_duplicate_year_whose_second_value_is_missing():
    # sdg-build's filter_data drops NaN before checking duplicated years
    s = annual_series([2006, 2006], [1, None])
    assert s.to_dict() == {2006: 1.0}


def test_annual_series_rejects_mismatched_lengths_and_fractional_years():
    with pytest.raises(TrajectoryError):
        annual_series([2006, 2007], [1])
    with pytest.raises(TrajectoryError):
        annual_series([2006.5], [1])


# ---------------------------------------------------------------- linear path


def test_linear_path_from_2005_to_2010_rises_by_one_fifth_of_the_gap_each_year():
    # baseline 9 (2005) -> target 15 (2010): +1.2 a year
    p = linear_path(2005, 9, 2010, 15)
    assert list(p.index) == [2005, 2006, 2007, 2008, 2009, 2010]
    assert list(p) == pytest.approx([9.0, 10.2, 11.4, 12.6, 13.8, 15.0])


def test_linear_path_for_a_decreasing_target_and_chosen_years_extrapolates():
    # 100 (2015) -> 80 (2020): -4 a year; 2022 extrapolated to 72
    p = linear_path(2015, 100, 2020, 80, years=[2022, 2017])
    assert p.to_dict() == pytest.approx({2017: 92.0, 2022: 72.0})


def test_linear_path_needs_a_target_year_after_the_baseline_year():
    with pytest.raises(TrajectoryError):
        linear_path(2010, 1, 2010, 2)


# ---------------------------------------------------------------- path_status


def test_path_status_compares_the_latest_value_with_the_path():
    # 2005 baseline 9, target 15 in 2010; latest 12.5 in 2008
    st_ = path_status([2006, 2008], [10, 12.5], baseline_year=2005, baseline=9, target_year=2010, target=15)
    assert isinstance(st_, PathStatus)
    assert st_.year == 2008 and st_.actual == 12.5
    assert st_.expected == pytest.approx(12.6)
    assert st_.completion == pytest.approx(3.5 / 6)  # 0.58333
    assert st_.expected_completion == pytest.approx(0.6)
    assert st_.gap_pp == pytest.approx(-1.6666667)
    assert st_.on_track is False


def test_path_status_for_a_decrease_ahead_of_the_path_is_on_track():
    # 100 -> 80 (2015 -> 2020); 2017 value 90: completion 0.5 vs expected 0.4
    st_ = path_status(
        [2017],
        [90],
        baseline_year=2015,
        baseline=100,
        target_year=2020,
        target=80,
        direction="decrease",
    )
    assert st_.completion == pytest.approx(0.5)
    assert st_.gap_pp == pytest.approx(10.0)
    assert st_.on_track is True


def test_path_status_refuses_a_target_against_the_direction():
    with pytest.raises(TrajectoryError):
        path_status(
            [2017], [90], baseline_year=2015, baseline=100, target_year=2020, target=80, direction="increase"
        )


# ---------------------------------------------------------------- plan_path


def test_plan_path_gives_one_row_per_plan_year_with_the_baseline_as_the_first_actual():
    # 9 (2005) -> 15 (2010): path rises by 1.2 a year; 12.5 in 2008 is (12.5-9)/6 = 0.5833 done
    # against 3/5 = 0.6 of the period: gap -1.667 points
    frame = plan_path([2006, 2008], [10, 12.5], baseline_year=2005, baseline=9, target_year=2010, target=15)
    assert list(frame.columns) == ["year", "actual", "path", "completion", "expected_completion", "gap_pp"]
    assert list(frame["year"]) == [2005, 2006, 2007, 2008, 2009, 2010]
    assert frame.loc[0, "actual"] == 9.0
    assert math.isnan(frame.loc[2, "actual"]) and math.isnan(frame.loc[2, "completion"])
    assert frame.loc[3, "completion"] == pytest.approx(3.5 / 6)
    assert frame.loc[3, "gap_pp"] == pytest.approx((3.5 / 6 - 0.6) * 100)
    assert "opensdg_status" not in frame


# ---------------------------------------------------------------- properties


@given(
    by=st.integers(1990, 2030),
    span=st.integers(1, 15),
    b=st.floats(-1e6, 1e6, allow_nan=False),
    t=st.floats(-1e6, 1e6, allow_nan=False),
)
def test_the_linear_path_is_monotone_between_baseline_and_target(by, span, b, t):
    p = linear_path(by, b, by + span, t)
    diffs = p.diff().dropna()
    if t >= b:
        assert (diffs >= -1e-9 * max(1.0, abs(b), abs(t))).all()
    else:
        assert (diffs <= 1e-9 * max(1.0, abs(b), abs(t))).all()
    assert p.iloc[0] == b and p.iloc[-1] == t
