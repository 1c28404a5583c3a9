"""Multi-year trajectories for five-year plan targets (e.g. 2006–2010).

多年度目标轨迹：五年规划目标的线性路径、完成度与 Open SDG 进展评估。

Public API
----------
* :func:`annual_series` — (years, values) → ``pd.Series`` indexed by int year.
* :func:`linear_path` — straight line from baseline to target, per year.
* :func:`path_status` — latest observation against the linear path.
* :func:`cagr` — compound annual growth rate (``growth_calculation`` in sdg-build).
* :func:`opensdg_progress` — the Open SDG progress measure (value, status, score).
* :func:`plan_trajectory` — one row per year: actual, path, completion, status.

Open SDG progress measure — provenance
--------------------------------------
:func:`opensdg_progress` re-implements (not copies) the arithmetic of
``sdg/ProgressMeasure.py`` in ``open-sdg/sdg-build`` at commit
``139fede74ba534d2ed8b9eee4cd878b41f54cb67`` — the ``SeriesProgress`` class
(the Statistics Canada CAGR method with the ``limit`` coefficient and the
−5…5 score).  The pieces followed, by name in that file:

* ``SeriesProgress.__init__``: defaults ``base_year=2015``, ``target_year=2030``;
  ``direction`` is ``1`` only for ``'positive'`` (anything else is ``-1``);
  a target of exactly 0 is replaced by 0.001; ``method`` 1 without a target,
  2 with one; ``current_year`` is the latest year; if the base year is not in
  the data it becomes the *next later year present*
  (``years[years > base_year].min()``) — data before the base year are never
  used as base; ``sign`` is −1 for a negative base value.
* ``filter_data``: NaN values dropped, duplicate years an error.
* ``calculate_progress_value``: ``None`` (→ ``not_available``) when base and
  current values have opposite signs, or when ``current_year - base_year < 1``
  (fewer than two years from the base year on); a base value of 0 is replaced
  by 0.001 (see "Deviations" below).
* ``methodology_1``: ``sign * direction * CAGR_observed``.
* ``methodology_2``: ``sign * direction * CAGR_observed / abs(CAGR_required)``.
* ``is_target_achieved``: current ≥ target (positive) or ≤ target (negative).
* ``get_progress_thresholds``: 0.015 / 0.005 / 0 (method 1), 0.95 / 0.6 / 0
  (method 2); with ``limit`` (method 1 only; ignored with a target) the three
  thresholds are multiplied by ``coeff`` (a = 4.44): 1 if |base| ≥ 2|limit|,
  else 1 − (|base|/|limit|)^a if |base| ≤ |limit|, else
  1 − ((2|limit| − |base|)/|limit|)^a.
* ``get_progress_status``: ``target_achieved`` first, then ``>= high`` →
  ``substantial_progress``, ``>= med`` → ``moderate_progress``, ``>= low`` →
  ``limited_progress``, below → ``deterioration``; no value → ``not_available``.
* ``get_score``: 5 if the target is achieved (even without a progress value);
  ``None`` without a progress value; method 1: below ``low`` →
  ``max(125 v − 2.5, −5)``, ``coeff == 0`` → 5, ``>= high`` →
  ``min(500 v/coeff − 5, 5)``, ``>= med`` → ``250 v/coeff − 1.25``, ``>= low`` →
  ``500 v/coeff − 2.5``; method 2: ``>= med`` → ``min(7.1429 v − 4.2857, 5)``,
  else ``max(4.1667 v − 2.5, −5)``.  The score is computed in Python by
  sdg-build (the site only displays it), so no JavaScript was needed.

Older versions of the same file differ: commit
``27c0bf031b11add6def719a67c6083b1216664b8`` (function-based) has no score and
no limit and names the statuses ``on_track`` / ``progress_needs_acceleration``;
an intermediate ``SeriesProgress`` version returned ``not_available`` for a zero
base value instead of substituting 0.001 and divided the below-``low`` method-1
score by ``coeff`` as well.

Deviations (documented, deliberate) — where sdg-build crashes or is meaningless
------------------------------------------------------------------------------
* **Zero base value** (counts that start from nothing): CAGR is undefined.
  By default (``zero_base="not_available"``) the result is ``not_available``
  with a bilingual ``note`` and, when a target is given, a ``fallback``
  :class:`PathStatus` computed on the linear path from the base to the target.
  ``zero_base="substitute"`` reproduces sdg-build exactly (base → 0.001).
* **Base and current value of opposite sign**: sdg-build returns
  ``not_available``; we do the same and add a ``note`` and ``fallback``.
  (A negative base with a negative current value is *not* a failure: sdg-build
  handles it with ``sign`` and so do we.)
* **Target of the other sign than the base** (CAGR of a negative ratio is
  complex in Python, sdg-build would crash comparing it), and **target equal
  to the base value** (required CAGR 0 → ZeroDivisionError in sdg-build):
  ``not_available`` (or ``target_achieved`` if already met) with ``note`` and
  ``fallback``.
* **All data before the base year**: sdg-build crashes (``.item()`` on an empty
  selection); we return ``not_available`` with a ``note``.
* ``direction`` must be one of ``increase``/``positive``/``decrease``/
  ``negative``; sdg-build silently treats any other word as negative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kejifu.errors import KejifuError, Problem

__all__ = [
    "TrajectoryError",
    "PathStatus",
    "OpenSdgProgress",
    "STATUSES",
    "THRESHOLDS_NO_TARGET",
    "THRESHOLDS_TARGET",
    "LIMIT_EXPONENT",
    "annual_series",
    "linear_path",
    "path_status",
    "cagr",
    "limit_coefficient",
    "opensdg_progress",
    "plan_trajectory",
]

SDG_BUILD_FILE = "open-sdg/sdg-build:sdg/ProgressMeasure.py"
SDG_BUILD_COMMIT = "139fede74ba534d2ed8b9eee4cd878b41f54cb67"

#: Status strings, exactly as sdg-build's ``get_progress_status`` spells them.
STATUSES = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_available",
)

#: Default thresholds (``get_progress_thresholds``), method 1 (no target).
THRESHOLDS_NO_TARGET = {"high": 0.015, "med": 0.005, "low": 0.0}
#: Default thresholds, method 2 (ratio of observed to required CAGR).
THRESHOLDS_TARGET = {"high": 0.95, "med": 0.6, "low": 0.0}
#: Exponent ``a`` of the limit reduction coefficient.
LIMIT_EXPONENT = 4.44
#: sdg-build replaces a zero target (and, in "substitute" mode, base) by this.
ZERO_SUBSTITUTE = 0.001

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


def _to_year(raw, field: str = "year") -> int:
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
    pairs = [(_to_year(y), _to_value(v)) for y, v in zip(years, values)]
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
    by = _to_year(baseline_year, "baseline_year")
    ty = _to_year(target_year, "target_year")
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
        ys = sorted({_to_year(y) for y in years})
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


def _direction(direction) -> int:
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
    sign = _direction(direction)
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
# Open SDG progress measure
# --------------------------------------------------------------------------


def cagr(current: float, base: float, current_year, base_year) -> float:
    """Compound annual growth rate: (current/base)^(1/(t1 − t0)) − 1.

    Mirrors ``growth_calculation(val1, val2, t1, t2)`` in sdg-build.
    """
    return (current / base) ** (1 / (current_year - base_year)) - 1


def limit_coefficient(base_value: float, limit: float) -> float:
    """Threshold reduction coefficient near a limit (``get_progress_thresholds``)."""
    b, lim = abs(float(base_value)), abs(float(limit))
    if b >= 2 * lim:  # checked first: coeff 1 when base and limit are both 0
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** LIMIT_EXPONENT
    return 1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT


def _status(value, thresholds: Mapping[str, float], target_achieved: bool) -> str:
    # mirrors get_progress_status
    if target_achieved:
        return "target_achieved"
    if value is not None:
        high, med, low = (float(thresholds[k]) for k in ("high", "med", "low"))
        if value >= high:
            return "substantial_progress"
        if med <= value < high:
            return "moderate_progress"
        if low <= value < med:
            return "limited_progress"
        if value < low:
            return "deterioration"
    return "not_available"


def _score(value, thresholds: Mapping[str, float], method: int, target_achieved: bool):
    # mirrors SeriesProgress.get_score
    if target_achieved:
        return 5.0
    if value is None:
        return None
    high, med, low = thresholds["high"], thresholds["med"], thresholds["low"]
    if method == 1:
        coeff = thresholds.get("coefficient", 1)
        if value < low:
            return max(125 * value - 2.5, -5.0)
        if coeff == 0:
            return 5.0
        if value >= high:
            return min(500 * value / coeff - 5, 5.0)
        if value >= med:
            return 250 * value / coeff - 1.25
        if value >= low:
            return 500 * value / coeff - 2.5
        return None  # NaN: no branch matches in sdg-build either
    if value >= high or value >= med:
        return min(7.1429 * value - 4.2857, 5.0)
    if value >= low or value < low:
        return max(4.1667 * value - 2.5, -5.0)
    return None


@dataclass(frozen=True)
class OpenSdgProgress:
    """Result of :func:`opensdg_progress`.

    ``value`` is sdg-build's ``progress_value`` (observed CAGR for method 1,
    CAGR ratio for method 2), ``None`` when not computable.  ``note`` is a
    bilingual :class:`~kejifu.errors.Problem` (level ``warning``) explaining a
    ``not_available`` result or an adjustment; ``fallback`` is the linear-path
    :class:`PathStatus` offered when the CAGR method breaks and a target exists.
    """

    value: float | None
    status: str
    score: float | None
    target_achieved: bool
    method: int
    direction: int
    sign: int | None
    base_year: int | None
    base_value: float | None
    current_year: int | None
    current_value: float | None
    target: float | None
    target_year: int
    high: float
    med: float
    low: float
    coefficient: float | None = None
    note: Problem | None = None
    fallback: PathStatus | None = None

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["note"] = None if self.note is None else {"zh": self.note.zh, "en": self.note.en}
        out["fallback"] = None if self.fallback is None else dict(self.fallback.__dict__)
        return out


def _note(zh: str, en: str, field: str) -> Problem:
    return Problem(zh, en, field=field, level="warning")


def opensdg_progress(
    years,
    values,
    *,
    direction: str,
    target: float | None = None,
    base_year=2015,
    target_year=2030,
    limit: float | None = None,
    zero_base: str = "not_available",
) -> OpenSdgProgress:
    """Open SDG progress measure of one annual series (sdg-build ``SeriesProgress``).

    ``direction``: ``increase``/``decrease`` (ours) or ``positive``/``negative``
    (sdg-build's).  ``zero_base``: ``"not_available"`` (default; note and
    linear fallback) or ``"substitute"`` (sdg-build: base value → 0.001).
    See the module docstring for provenance and deviations.
    """
    sign_dir = _direction(direction)
    if zero_base not in ("not_available", "substitute"):
        raise TrajectoryError(
            f"zero_base 参数无效：{zero_base!r}",
            f"invalid zero_base: {zero_base!r} (expected 'not_available' or 'substitute')",
            field="zero_base",
        )
    series = annual_series(years, values)
    by_cfg = _to_year(base_year, "base_year")
    ty = _to_year(target_year, "target_year")

    notes: list[Problem] = []
    tgt = None if target is None else float(target)
    if tgt is not None and math.isnan(tgt):
        tgt = None
    if tgt == 0:
        tgt = ZERO_SUBSTITUTE
        notes.append(
            _note(
                "目标值为 0（无效），按 sdg-build 以 0.001 代替计算",
                "target is zero (invalid); calculated with target = 0.001 as sdg-build does",
                "target",
            )
        )
    method = 1 if tgt is None else 2

    def result(**kw) -> OpenSdgProgress:
        base = dict(
            value=None,
            status="not_available",
            score=None,
            target_achieved=False,
            method=method,
            direction=sign_dir,
            sign=None,
            base_year=None,
            base_value=None,
            current_year=None,
            current_value=None,
            target=tgt,
            target_year=ty,
            high=th["high"],
            med=th["med"],
            low=th["low"],
            coefficient=th.get("coefficient"),
            note=notes[0] if notes else None,
            fallback=None,
        )
        base.update(kw)
        return OpenSdgProgress(**base)

    th: dict[str, float] = dict(THRESHOLDS_NO_TARGET if method == 1 else THRESHOLDS_TARGET)

    if series.empty:
        notes.insert(0, _note("没有数据，无法评估进展", "no data: progress not available", "values"))
        return result()

    years_idx = series.index
    current_year = int(years_idx.max())
    current_value = float(series.loc[current_year])
    by = by_cfg
    if by not in years_idx:
        later = years_idx[years_idx > by]
        if len(later) == 0:
            notes.insert(
                0,
                _note(
                    f"所有数据均早于基期年份 {by}，无法评估进展",
                    f"all data precede the base year {by}: progress not available",
                    "base_year",
                ),
            )
            return result(current_year=current_year, current_value=current_value)
        by = int(later.min())
    base_value = float(series.loc[by])
    sign = -1 if base_value < 0 else 1

    # thresholds (computed from the base value before any zero substitution,
    # as in sdg-build where get_progress_thresholds runs first)
    if method == 1 and limit is not None:
        coeff = limit_coefficient(base_value, limit)
        for k in ("high", "med", "low"):
            th[k] *= coeff
        th["coefficient"] = coeff
    elif method == 2 and limit is not None:
        notes.append(
            _note(
                f"已给出目标值，忽略上下限 limit={limit:g}",
                f"limit ({limit:g}) ignored because a target is given",
                "limit",
            )
        )

    achieved = False
    if tgt is not None:
        achieved = (sign_dir == -1 and current_value <= tgt) or (sign_dir == 1 and current_value >= tgt)

    common = dict(
        sign=sign,
        base_year=by,
        base_value=base_value,
        current_year=current_year,
        current_value=current_value,
        target_achieved=achieved,
        high=th["high"],
        med=th["med"],
        low=th["low"],
        coefficient=th.get("coefficient"),
    )

    def fallback() -> PathStatus | None:
        if tgt is None or ty <= by:
            return None
        target_for_path = 0.0 if tgt == ZERO_SUBSTITUTE and target == 0 else tgt
        if (target_for_path - base_value) * sign_dir < 0:
            return None
        return path_status(
            series.index[series.index >= by],
            series[series.index >= by].to_numpy(),
            baseline_year=by,
            baseline=base_value,
            target_year=ty,
            target=target_for_path,
            direction="increase" if sign_dir == 1 else "decrease",
        )

    def unavailable(zh: str, en: str, field: str, with_fallback: bool) -> OpenSdgProgress:
        notes.insert(0, _note(zh, en, field))
        return result(
            status=_status(None, th, achieved),
            score=_score(None, th, method, achieved),
            fallback=fallback() if with_fallback else None,
            note=notes[0],
            **common,
        )

    # calculate_progress_value checks, in sdg-build's order
    if base_value == 0:
        if zero_base == "substitute":
            notes.append(
                _note(
                    "基期值为 0（无效），按 sdg-build 以 0.001 代替计算",
                    "base value is zero (invalid); calculated with base = 0.001 as sdg-build does",
                    "base_value",
                )
            )
            base_value = ZERO_SUBSTITUTE
            common["base_value"] = base_value
        else:
            return unavailable(
                f"基期值为 0（{by} 年），复合年增长率无定义，无法按 Open SDG 方法评估；"
                "如有目标值，改用线性路径（fallback）",
                f"base value is zero ({by}): the compound annual growth rate is undefined, "
                "so the Open SDG method does not apply; see the linear-path fallback when a "
                "target is given",
                "base_value",
                True,
            )
    if (base_value > 0 and current_value < 0) or (base_value < 0 and current_value > 0):
        return unavailable(
            f"基期值（{base_value:g}）与当前值（{current_value:g}）正负号不同，"
            "复合年增长率无定义；如有目标值，改用线性路径（fallback）",
            f"base value ({base_value:g}) and current value ({current_value:g}) differ in "
            "sign: the compound annual growth rate is undefined; see the linear-path "
            "fallback when a target is given",
            "values",
            True,
        )
    if current_year - by < 1:
        return unavailable(
            f"自基期年份 {by} 起数据不足两年，无法评估进展",
            f"fewer than two years of data from the base year {by}: progress not available",
            "values",
            False,
        )

    if method == 1:
        value = sign * sign_dir * cagr(current_value, base_value, current_year, by)
    else:
        # A target within rounding of the base value needs a growth rate of (about) zero,
        # which the ratio cannot divide by: the same case as an equal target.
        same = tgt == base_value or (
            ty != by and (tgt > 0) == (base_value > 0) and abs(cagr(tgt, base_value, ty, by)) < 1e-12
        )
        if (tgt > 0) != (base_value > 0) or same or ty == by:
            why_zh = "目标值等于基期值" if same else "目标值与基期值正负号不同"
            why_en = "target equals the base value" if same else "target and base value differ in sign"
            if ty == by:
                why_zh, why_en = "目标年份等于基期年份", "target year equals the base year"
            return unavailable(
                f"{why_zh}，所需复合年增长率无定义；如有目标值，改用线性路径（fallback）",
                f"{why_en}: the required compound annual growth rate is undefined; "
                "see the linear-path fallback",
                "target",
                True,
            )
        cagr_o = cagr(current_value, base_value, current_year, by)
        cagr_r = cagr(tgt, base_value, ty, by)
        value = sign * sign_dir * cagr_o / abs(cagr_r)

    value = float(value)
    return result(
        value=value,
        status=_status(value, th, achieved),
        score=_score(value, th, method, achieved),
        note=notes[0] if notes else None,
        **common,
    )


# --------------------------------------------------------------------------
# Plan trajectory
# --------------------------------------------------------------------------


def plan_trajectory(
    years,
    values,
    *,
    baseline_year,
    baseline: float,
    target_year,
    target: float,
    direction: str = "increase",
    zero_base: str = "not_available",
) -> pd.DataFrame:
    """One row per year for a plan target (pure; no I/O).

    Rows: every year from ``baseline_year`` to ``target_year`` plus any other
    observed year.  Columns: ``year``, ``actual`` (NaN when not observed; the
    plan's baseline value in the baseline year unless observed),
    ``path`` (linear), ``completion``, ``expected_completion``, ``gap_pp``,
    and the Open SDG measure of the series *up to that year* —
    ``opensdg_value``, ``opensdg_status``, ``opensdg_score`` (``None`` in years
    without an observation: NaN for value and score, ``None`` for status).
    For Open SDG the base year is ``baseline_year``,
    the target year ``target_year``; the plan's baseline value is added to the
    series when that year was not observed (an observed value wins).
    """
    sign, by, ty, b, t = _path_args(baseline_year, baseline, target_year, target, direction)
    observed = annual_series(years, values)
    sdg_series = observed.copy()
    if by not in sdg_series.index:
        sdg_series.loc[by] = b
        sdg_series = sdg_series.sort_index()

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
        if t == b or math.isnan(actual):
            completion = math.nan
        else:
            completion = (actual - b) / (t - b)
        gap = (completion - expected_completion) * 100.0
        if math.isnan(actual):
            value = status = score = None
        else:
            upto = sdg_series[sdg_series.index <= y]
            res = opensdg_progress(
                upto.index,
                upto.to_numpy(),
                direction=direction,
                target=t,
                base_year=by,
                target_year=ty,
                zero_base=zero_base,
            )
            value, status, score = res.value, res.status, res.score
        rows.append(
            {
                "year": y,
                "actual": actual,
                "path": float(path.loc[y]),
                "completion": completion,
                "expected_completion": expected_completion,
                "gap_pp": gap,
                "opensdg_value": value,
                "opensdg_status": status,
                "opensdg_score": score,
            }
        )
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int64")
    for col in ("opensdg_value", "opensdg_score"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["opensdg_status"] = pd.Series(
        [r["opensdg_status"] for r in rows], index=frame.index, dtype="object"
    )
    return frame
