"""Schedules: linear, monthly weights, seasonal profiles."""

import numpy as np
import pytest

from kejifu import schedule
from kejifu.errors import ScheduleError


def test_linear_is_one_twelfth_a_month_and_half_by_june():
    assert schedule.expected_share("linear", 6) == pytest.approx(0.5)
    assert schedule.expected_share("linear", 0) == 0
    assert schedule.expected_share("linear", 12) == 1


def test_mushroom_planting_expects_the_autumn_season_so_june_is_under_half():
    june = schedule.expected_share("mushroom_planting", 6)
    assert june == pytest.approx(0.38)
    assert schedule.expected_share("mushroom_planting", 10) == pytest.approx(0.92)


def test_every_named_profile_sums_to_one_and_never_falls():
    for name in schedule.PROFILES:
        c = schedule.cumulative(name)
        assert c[-1] == pytest.approx(1.0)
        assert np.all(np.diff(c) >= 0)


def test_weights_that_do_not_sum_to_one_are_normalised_with_a_warning():
    w = [2] * 12
    assert schedule.weights(w).sum() == pytest.approx(1)
    found = schedule.check(w, where="targets[0].schedule")
    assert len(found) == 1 and found[0].level == "warning" and "24" in found[0].en and "归一化" in found[0].zh


def test_an_unknown_profile_or_eleven_weights_is_refused():
    with pytest.raises(ScheduleError, match="unknown schedule"):
        schedule.weights("harvest")
    with pytest.raises(ScheduleError, match="12 numbers"):
        schedule.weights([1] * 11)
    with pytest.raises(ScheduleError):
        schedule.weights([0] * 12)
