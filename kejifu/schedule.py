"""Schedules: how much of a year's target is due by the end of each month.

A schedule is ``linear`` (1/12 a month), a list of 12 monthly weights, or the
name of a seasonal profile below. Weights are shares of the annual target
[dimensionless]; cumulative sums give the expected share due through a month
(序时进度).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import Problem, ScheduleError

#: Named seasonal profiles used by the demo plan, each 12 monthly weights summing to 1.
PROFILES: dict[str, tuple[float, ...]] = {
    "linear": (1 / 12,) * 12,
    # Edible mushrooms in Shandong: spring sowing (Feb–Apr) and the main autumn
    # season (Aug–Oct); little is planted in winter and high summer.
    "mushroom_planting": (0.02, 0.08, 0.12, 0.10, 0.04, 0.02, 0.04, 0.14, 0.20, 0.16, 0.06, 0.02),
    # 村村通 information terminals: surveying in Q1, installation in batches from
    # April, slowing once most villages are connected.
    "terminal_phased": (0.02, 0.03, 0.05, 0.10, 0.12, 0.12, 0.12, 0.12, 0.10, 0.10, 0.07, 0.05),
    # Appraisals, patents granted, projects accepted: mostly done in the second half.
    "back_loaded": (0.03, 0.03, 0.05, 0.06, 0.07, 0.08, 0.08, 0.09, 0.10, 0.12, 0.13, 0.16),
    # Events and courses organised early in the year (winter slack season, spring).
    "front_loaded": (0.12, 0.14, 0.14, 0.12, 0.08, 0.06, 0.06, 0.06, 0.06, 0.06, 0.05, 0.05),
}

TOLERANCE = 1e-6


def weights(schedule: str | Sequence[float] | None) -> np.ndarray:
    """The 12 monthly weights of ``schedule``, normalised to sum to 1 [share/month].

    Raises :class:`ScheduleError` for an unknown name, a wrong length, negative
    weights or an all-zero list. Use :func:`check` to learn whether a list had
    to be normalised.
    """
    if schedule is None:
        schedule = "linear"
    if isinstance(schedule, str):
        if schedule not in PROFILES:
            raise ScheduleError(
                f"未知的进度安排 {schedule!r}，可选：{', '.join(PROFILES)}",
                f"unknown schedule {schedule!r}; choose one of {', '.join(PROFILES)}",
                field="schedule",
            )
        w = np.asarray(PROFILES[schedule], dtype=float)
    else:
        w = np.asarray(list(schedule), dtype=float)
        if w.shape != (12,):
            raise ScheduleError(
                f"月度权重必须是12个数，实际为{w.size}个",
                f"monthly weights must be 12 numbers, got {w.size}",
                field="schedule",
            )
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise ScheduleError(
                "月度权重不能为负数或非数字",
                "monthly weights must be finite and non-negative",
                field="schedule",
            )
    total = w.sum()
    if total <= 0:
        raise ScheduleError("月度权重之和为零", "monthly weights sum to zero", field="schedule")
    return w / total


def check(schedule: str | Sequence[float] | None, *, where: str = "schedule") -> list[Problem]:
    """Findings about ``schedule``: a warning when weights don't sum to 1 (they are normalised)."""
    if schedule is None or isinstance(schedule, str):
        try:
            weights(schedule)
        except ScheduleError as exc:
            return [Problem(exc.zh, exc.en, row=where, level="error")]
        return []
    try:
        weights(schedule)
    except ScheduleError as exc:
        return [Problem(exc.zh, exc.en, row=where, level="error")]
    total = float(np.sum(np.asarray(list(schedule), dtype=float)))
    if abs(total - 1) > TOLERANCE:
        return [
            Problem(
                f"月度权重之和为{total:g}而非1，已按比例归一化",
                f"monthly weights sum to {total:g}, not 1; they were normalised",
                row=where,
                level="warning",
            )
        ]
    return []


def cumulative(schedule: str | Sequence[float] | None) -> np.ndarray:
    """Expected share due through the end of each month 1..12 [share]; the last is 1."""
    # Rounded so that six twelfths is exactly one half, not 0.49999999999999994.
    c = np.round(np.cumsum(weights(schedule)), 12)
    c[-1] = 1.0
    return c


def expected_share(schedule: str | Sequence[float] | None, month: int | np.ndarray) -> float | np.ndarray:
    """Expected share due through ``month`` (1..12; 0 means none yet) [share]."""
    c = np.concatenate([[0.0], cumulative(schedule)])
    m = np.clip(np.asarray(month, dtype=int), 0, 12)
    out = c[m]
    return float(out) if np.ndim(out) == 0 else out
