"""Trajectories: multi-year plan paths for five-year plan targets (e.g. 2006–2010).

多年度目标轨迹：五年规划目标的线性路径与完成度。The Open SDG progress measure, which
builds on these paths (its fallback is a :class:`PathStatus`), is :mod:`kejifu.opensdg`.

Public API
----------
* :func:`annual_series` — (years, values) → ``pd.Series`` indexed by int year.
* :func:`linear_path` — straight line from baseline to target, per year.
* :func:`path_status` — latest observation against the linear path.
* :func:`plan_path` — one row per plan year: actual, path, completion, gap.
* :func:`year_of`, :func:`direction_sign` — the checked year and direction of an input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kejifu.errors import KejifuError

__all__ = [
    "TrajectoryError",
    "PathStatus",
    "annual_series",
    "linear_path",
    "path_status",
    "plan_path",
    "year_of",
    "direction_sign",
]

_DIRECTIONS = {
    "increase": 1,
    "positive": 1,
    "decrease": -1,
    "negative": -1,
}


class TrajectoryError(KejifuError, ValueError):
    """Malformed input to a trajectory computation (bad years, directions...)."""


# --------------------------------------------------------------------------
# Series helpers
# --------------------------------------------------------------------------


def year_of(raw, field: str = "year") -> int:
    """A year given as an int, an integral float or digit text, as ``int``; else an error."""
    if isinstance(raw, (bool, np.bool_)):
        raise TrajectoryError(f"年份无效：{raw!r}", f"invalid year: {raw!r}", field=field)
    if isinstance(raw, (int, np.integer)):
        return int(raw)
    if isinstance(raw, (float, np.floating)):
        if math.isfinite(raw) and float(raw).is_integer():
            return int(raw)
        raise TrajectoryError(
            f"年份必须为整数：{raw!r}", f"year must be a whole number: {raw!r}", field=field
        )
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    raise TrajectoryError(f"年份无效：{raw!r}", f"invalid year: {raw!r}", field=field)


def _to_value(raw) -> float:
    if raw is None:
        return math.nan
    if isinstance(raw, (bool, np.bool_)):
        raise TrajectoryError(f"数值无效：{raw!r}", f"invalid value: {raw!r}", field="value")
    try:
        if raw is pd.NA or raw is pd.NaT:
            return math.nan
    except TypeError:  # pragma: no cover - defensive
        pass
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise TrajectoryError(f"数值无效：{raw!r}", f"invalid value: {raw!r}", field="value") from None


def annual_series(years: Iterable, values: Iterable) -> pd.Series:
    """Return ``values`` as a float series indexed by int year, sorted.

    Missing values (NaN/None) are dropped first, then a year occurring twice
    among the remaining observations raises :class:`TrajectoryError` — the
    same order as sdg-build's ``filter_data``.  Years may be ints, integral
    floats or digit strings.
    """
    years = list(years)
    values = list(values)
    if len(years) != len(values):
        raise TrajectoryError(
            f"年份与数值个数不一致（{len(years)} 个年份，{len(values)} 个数值）",
            f"years and values differ in length ({len(years)} years, {len(values)} values)",
            field="years",
        )
    pairs = [(year_of(y), _to_value(v)) for y, v in zip(years, values)]
    pairs = [(y, v) for y, v in pairs if not math.isnan(v)]
    seen: set[int] = set()
    dupes: list[int] = []
    for y, _ in pairs:
        if y in seen and y not in dupes:
            dupes.append(y)
        seen.add(y)
    if dupes:
        listed = ", ".join(str(y) for y in sorted(dupes))
        raise TrajectoryError(f"年份重复：{listed}", f"duplicate year(s): {listed}", field="year")
    pairs.sort()
    index = pd.Index([y for y, _ in pairs], dtype="int64", name="year")
    return pd.Series([v for _, v in pairs], index=index, dtype="float64", name="value")


def _check_years(baseline_year, target_year) -> tuple[int, int]:
    by = year_of(baseline_year, "baseline_year")
    ty = year_of(target_year, "target_year")
    if ty <= by:
        raise TrajectoryError(
            f"目标年份（{ty}）必须晚于基期年份（{by}）",
            f"target year ({ty}) must be after the baseline year ({by})",
            field="target_year",
        )
    return by, ty


def linear_path(
    baseline_year,
    baseline: float,
    target_year,
    target: float,
    years: Iterable | None = None,
) -> pd.Series:
    """The straight path from ``baseline`` (in ``baseline_year``) to ``target``.

    ``years`` defaults to every year from the baseline year to the target year
    inclusive; years outside that span are extrapolated along the same line.
    """
    by, ty = _check_years(baseline_year, target_year)
    b, t = float(baseline), float(target)
    if years is None:
        ys = list(range(by, ty + 1))
    else:
        ys = sorted({year_of(y) for y in years})
    span = ty - by
    vals = []
    for y in ys:
        if y == by:
            vals.append(b)
        elif y == ty:
            vals.append(t)
        else:
            vals.append(b + (t - b) * (y - by) / span)
    index = pd.Index(ys, dtype="int64", name="year")
    return pd.Series(vals, index=index, dtype="float64", name="path")


def direction_sign(direction) -> int:
    """``1`` for ``increase``/``positive``, ``-1`` for ``decrease``/``negative``; else an error."""
    key = str(direction).strip().lower() if direction is not None else ""
    if key not in _DIRECTIONS:
        raise TrajectoryError(
            f"方向无效：{direction!r}（应为 increase/decrease 或 positive/negative）",
            f"invalid direction: {direction!r} (expected increase/decrease or positive/negative)",
            field="direction",
        )
    return _DIRECTIONS[key]


@dataclass(frozen=True)
class PathStatus:
    """The latest observation compared with the linear path.

    ``completion`` = (actual − baseline)/(target − baseline);
    ``expected_completion`` = (year − baseline_year)/(target_year − baseline_year);
    ``gap_pp`` = (completion − expected_completion) × 100, in percentage points
    (positive = ahead of the path).  When target equals baseline ("hold the
    level") completion and gap are NaN and ``on_track`` compares actual with
    target in the desired direction.
    """

    year: int
    actual: float
    expected: float
    completion: float
    expected_completion: float
    gap_pp: float
    on_track: bool


def _path_args(baseline_year, baseline, target_year, target, direction: str):
    """Checked (sign, baseline year, target year, baseline, target) of a plan path."""
    sign = direction_sign(direction)
    by, ty = _check_years(baseline_year, target_year)
    b, t = float(baseline), float(target)
    if (t - b) * sign < 0:
        raise TrajectoryError(
            f"目标值（{t:g}）与方向（{direction}）不符：基期值为 {b:g}",
            f"target ({t:g}) contradicts direction ({direction}): baseline is {b:g}",
            field="target",
        )
    return sign, by, ty, b, t


def path_status(
    years,
    values,
    *,
    baseline_year,
    baseline: float,
    target_year,
    target: float,
    direction: str = "increase",
) -> PathStatus:
    """Compare the latest observed value with the linear path at that year."""
    sign, by, ty, b, t = _path_args(baseline_year, baseline, target_year, target, direction)
    series = annual_series(years, values)
    if series.empty:
        raise TrajectoryError("没有观测值", "no observed values", field="values")
    year = int(series.index[-1])
    actual = float(series.iloc[-1])
    expected = float(linear_path(by, b, ty, t, [year]).iloc[0])
    expected_completion = (year - by) / (ty - by)
    if t == b:
        completion = math.nan
        gap = math.nan
        on_track = bool((actual - t) * sign >= 0)
    else:
        completion = (actual - b) / (t - b)
        gap = (completion - expected_completion) * 100.0
        on_track = bool(completion >= expected_completion)
    return PathStatus(
        year=year,
        actual=actual,
        expected=expected,
        completion=completion,
        expected_completion=expected_completion,
        gap_pp=gap,
        on_track=on_track,
    )


# --------------------------------------------------------------------------
# Plan path
# --------------------------------------------------------------------------


def plan_path(
    years,
    values,
    *,
    baseline_year,
    baseline: float,
    target_year,
    target: float,
    direction: str = "increase",
) -> pd.DataFrame:
    """One row per year for a plan target (pure; no I/O).

    Rows: every year from ``baseline_year`` to ``target_year`` plus any other observed
    year. Columns: ``year``, ``actual`` (NaN when not observed; the plan's ``baseline`` in
    the baseline year unless observed), ``path`` (linear) [target unit], ``completion`` =
    (actual − baseline)/(target − baseline), ``expected_completion`` = the elapsed share of
    the period [share], ``gap_pp`` = (completion − expected_completion) × 100 [percentage points].
    """
    _, by, ty, b, t = _path_args(baseline_year, baseline, target_year, target, direction)
    observed = annual_series(years, values)
    all_years = sorted(set(range(by, ty + 1)) | {int(y) for y in observed.index})
    path = linear_path(by, b, ty, t, all_years)
    rows = []
    for y in all_years:
        if y in observed.index:
            actual = float(observed.loc[y])
        elif y == by:
            actual = b  # the plan's baseline is itself an observation
        else:
            actual = math.nan
        expected_completion = (y - by) / (ty - by)
        completion = math.nan if t == b or math.isnan(actual) else (actual - b) / (t - b)
        rows.append(
            {
                "year": y,
                "actual": actual,
                "path": float(path.loc[y]),
                "completion": completion,
                "expected_completion": expected_completion,
                "gap_pp": (completion - expected_completion) * 100.0,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["year", "actual", "path", "completion", "expected_completion", "gap_pp"]
    )
    frame["year"] = frame["year"].astype("int64")
    return frame
