"""Open SDG: the progress measure of sdg-build, re-implemented for annual series.

Open SDG 进展评估（复合年增长率法）。A separate concept from our own plan paths
(:mod:`kejifu.trajectory`), on which it builds: its fallback is a linear-path status.

The measure runs in named steps, each mirroring a piece of sdg-build (listed below):
:func:`checked_target`, :func:`base_year_in`, :func:`thresholds_for`, :func:`is_target_achieved`,
:func:`unavailable_reason`, :func:`linear_fallback`, :func:`progress_value`, :func:`progress_status`,
:func:`progress_score`; :func:`plan_trajectory` puts it beside a plan's path year by year.

Open SDG progress measure — provenance
--------------------------------------
:func:`opensdg_progress` re-implements (not copies) the arithmetic of ``sdg/ProgressMeasure.py`` in
``open-sdg/sdg-build`` at commit ``139fede74ba534d2ed8b9eee4cd878b41f54cb67`` — the ``SeriesProgress``
class (the Statistics Canada CAGR method with the ``limit`` coefficient and the −5…5 score).  The pieces
followed, by name in that file:

* ``SeriesProgress.__init__``: defaults ``base_year=2015``, ``target_year=2030``; ``direction`` is ``1``
  only for ``'positive'`` (anything else is ``-1``); a target of exactly 0 is replaced by 0.001;
  ``method`` 1 without a target, 2 with one; ``current_year`` is the latest year; if the base year is not
  in the data it becomes the *next later year present* (``years[years > base_year].min()``) — data before
  the base year are never used as base; ``sign`` is −1 for a negative base value.
* ``filter_data``: NaN values dropped, duplicate years an error.
* ``calculate_progress_value``: ``None`` (→ ``not_available``) when base and current values have opposite
  signs, or when ``current_year - base_year < 1`` (fewer than two years from the base year on); a base
  value of 0 is replaced by 0.001 (see "Deviations" below).
* ``methodology_1``: ``sign * direction * CAGR_observed``.
* ``methodology_2``: ``sign * direction * CAGR_observed / abs(CAGR_required)``.
* ``is_target_achieved``: current ≥ target (positive) or ≤ target (negative).
* ``get_progress_thresholds``: 0.015 / 0.005 / 0 (method 1), 0.95 / 0.6 / 0 (method 2); with ``limit``
  (method 1 only; ignored with a target) the three thresholds are multiplied by ``coeff`` (a = 4.44): 1 if
  |base| ≥ 2|limit|, else 1 − (|base|/|limit|)^a if |base| ≤ |limit|, else
  1 − ((2|limit| − |base|)/|limit|)^a.
* ``get_progress_status``: ``target_achieved`` first, then ``>= high`` → ``substantial_progress``,
  ``>= med`` → ``moderate_progress``, ``>= low`` → ``limited_progress``, below → ``deterioration``;
  no value → ``not_available``.
* ``get_score``: 5 if the target is achieved (even without a progress value); ``None`` without a progress
  value; method 1: below ``low`` → ``max(125 v − 2.5, −5)``, ``coeff == 0`` → 5, ``>= high`` →
  ``min(500 v/coeff − 5, 5)``, ``>= med`` → ``250 v/coeff − 1.25``, ``>= low`` → ``500 v/coeff − 2.5``;
  method 2: ``>= med`` → ``min(7.1429 v − 4.2857, 5)``, else ``max(4.1667 v − 2.5, −5)``. The score is
  computed in Python by sdg-build (the site only displays it), so no JavaScript was needed.

Older versions of the same file differ: commit ``27c0bf031b11add6def719a67c6083b1216664b8``
(function-based) has no score and no limit and names the statuses ``on_track`` /
``progress_needs_acceleration``; an intermediate ``SeriesProgress`` version returned ``not_available`` for
a zero base value instead of substituting 0.001 and divided the below-``low`` method-1 score by ``coeff``
as well.

Deviations (documented, deliberate) — where sdg-build crashes or is meaningless
-------------------------------------------------------------------------------
* **Zero base value** (counts that start from nothing): CAGR is undefined. By default
  (``zero_base="not_available"``) the result is ``not_available`` with a bilingual ``note`` and, when a
  target is given, a ``fallback`` :class:`PathStatus` computed on the linear path from the base to the
  target. ``zero_base="substitute"`` reproduces sdg-build exactly (base → 0.001).
* **Base and current value of opposite sign**: sdg-build returns ``not_available``; we do the same and add
  a ``note`` and ``fallback``. (A negative base with a negative current value is *not* a failure:
  sdg-build handles it with ``sign`` and so do we.)
* **Target of the other sign than the base** (CAGR of a negative ratio is complex in Python, sdg-build
  would crash comparing it), and **target equal to the base value** (required CAGR 0 → ZeroDivisionError
  in sdg-build): ``not_available`` (or ``target_achieved`` if already met) with ``note`` and ``fallback``.
* **All data before the base year**: sdg-build crashes (``.item()`` on an empty selection); we return
  ``not_available`` with a ``note``.
* ``direction`` must be one of ``increase``/``positive``/``decrease``/``negative``; sdg-build silently
  treats any other word as negative.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from kejifu import trajectory as paths
from kejifu.errors import Problem
from kejifu.trajectory import PathStatus, TrajectoryError

SDG_BUILD_FILE = "open-sdg/sdg-build:sdg/ProgressMeasure.py"
SDG_BUILD_COMMIT = "139fede74ba534d2ed8b9eee4cd878b41f54cb67"

#: Progress statuses, exactly as sdg-build's ``get_progress_status`` spells them (not the
#: status of a target against its schedule, which is :data:`kejifu.status.STATUSES`).
PROGRESS_STATUSES = (
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
ZERO_BASE_MODES = ("not_available", "substitute")


# ----- sdg-build's arithmetic --------------------------------------------------------------------


def cagr(current: float, base: float, current_year, base_year) -> float:
    """Compound annual growth rate: (current/base)^(1/(t1 − t0)) − 1 [share per year].

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


def progress_status(value, thresholds: Mapping[str, float], target_achieved: bool) -> str:
    """One of :data:`PROGRESS_STATUSES` for a progress value (mirrors ``get_progress_status``)."""
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


def progress_score(value, thresholds: Mapping[str, float], method: int, target_achieved: bool):
    """The −5…5 score [points] of a progress value (mirrors ``SeriesProgress.get_score``)."""
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


# ----- The result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenSdgProgress:
    """Result of :func:`opensdg_progress`.

    ``value`` is sdg-build's ``progress_value`` (observed CAGR for method 1,
    CAGR ratio for method 2), ``None`` when not computable.  ``note`` is a
    bilingual :class:`~kejifu.errors.Problem` (level ``warning``) explaining a
    ``not_available`` result or an adjustment; ``fallback`` is the linear-path
    :class:`~kejifu.trajectory.PathStatus` offered when the CAGR method breaks and a target exists.
    """

    value: float | None = None
    status: str = "not_available"
    score: float | None = None
    target_achieved: bool = False
    method: int = 1
    direction: int = 1
    sign: int | None = None
    base_year: int | None = None
    base_value: float | None = None
    current_year: int | None = None
    current_value: float | None = None
    target: float | None = None
    target_year: int = 2030
    high: float = math.nan
    med: float = math.nan
    low: float = math.nan
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


@dataclass(frozen=True)
class _Setup:
    """The checked inputs every step reads: direction, target, method and thresholds."""

    series: pd.Series
    sign_dir: int
    target_raw: float | None
    target: float | None
    target_year: int
    method: int
    thresholds: dict

    def result(self, notes: list[Problem], **kw) -> OpenSdgProgress:
        """An :class:`OpenSdgProgress` with these inputs; ``kw`` overrides the blanks."""
        th = kw.pop("thresholds", self.thresholds)
        fields = dict(method=self.method, direction=self.sign_dir, target=self.target)
        fields.update(target_year=self.target_year)
        fields.update(high=th["high"], med=th["med"], low=th["low"], coefficient=th.get("coefficient"))
        fields.update(note=notes[0] if notes else None, **kw)
        return OpenSdgProgress(**fields)


# ----- The named steps of opensdg_progress (sdg-build's order) -----------------------------------


_FALLBACK_ZH = "如有目标值，改用线性路径（fallback）"
_FALLBACK_EN = "see the linear-path fallback when a target is given"
_UNDEFINED_ZH = "复合年增长率无定义"
_UNDEFINED_EN = "the compound annual growth rate is undefined"


def checked_target(target) -> tuple[float | None, list[Problem]]:
    """The target sdg-build computes with: ``None`` when missing, 0 → 0.001 (with a note)."""
    tgt = None if target is None or math.isnan(float(target)) else float(target)
    if tgt != 0:
        return tgt, []
    zh = "目标值为 0（无效），按 sdg-build 以 0.001 代替计算"
    return ZERO_SUBSTITUTE, [
        _note(zh, "target is zero (invalid); calculated with target = 0.001 as sdg-build does", "target")
    ]


def base_year_in(series: pd.Series, base_year: int) -> int | None:
    """The base year used: ``base_year`` when present, else the next later year present
    (``years[years > base_year].min()``); ``None`` when all data precede it."""
    later = series.index[series.index >= base_year]
    return int(later.min()) if len(later) else None


def thresholds_for(method: int, base_value: float, limit: float | None) -> tuple[dict, list[Problem]]:
    """The thresholds (``get_progress_thresholds``): reduced by :func:`limit_coefficient` near a
    ``limit`` (method 1 only; a limit given with a target is ignored, with a note)."""
    th: dict[str, float] = dict(THRESHOLDS_NO_TARGET if method == 1 else THRESHOLDS_TARGET)
    if limit is None:
        return th, []
    if method == 2:
        zh, en = (
            f"已给出目标值，忽略上下限 limit={limit:g}",
            f"limit ({limit:g}) ignored because a target is given",
        )
        return th, [_note(zh, en, "limit")]
    coeff = limit_coefficient(base_value, limit)
    th = {k: v * coeff for k, v in th.items()}
    return th | {"coefficient": coeff}, []


def is_target_achieved(current_value: float, target: float | None, sign_dir: int) -> bool:
    """Current ≥ target (increase) or ≤ target (decrease); ``False`` without a target."""
    if target is None:
        return False
    return (sign_dir == -1 and current_value <= target) or (sign_dir == 1 and current_value >= target)


def unavailable_reason(
    setup: _Setup, base_year: int, base_value: float, current_year: int, current_value: float
) -> tuple[str, str, str, bool] | None:
    """Why the progress value cannot be computed (``calculate_progress_value``'s checks and
    our documented deviations): ``(zh, en, field, offer a linear fallback)``, or ``None``."""
    by, b, c = base_year, base_value, current_value
    if b == 0:
        zh = f"基期值为 0（{by} 年），{_UNDEFINED_ZH}，无法按 Open SDG 方法评估；{_FALLBACK_ZH}"
        en = f"base value is zero ({by}): {_UNDEFINED_EN}, so the Open SDG method does not apply"
        en += f"; {_FALLBACK_EN}"
        return zh, en, "base_value", True
    if (b > 0 and c < 0) or (b < 0 and c > 0):
        zh = f"基期值（{b:g}）与当前值（{c:g}）正负号不同，{_UNDEFINED_ZH}；{_FALLBACK_ZH}"
        en = f"base value ({b:g}) and current value ({c:g}) differ in sign: {_UNDEFINED_EN}; {_FALLBACK_EN}"
        return zh, en, "values", True
    if current_year - by < 1:
        zh = f"自基期年份 {by} 起数据不足两年，无法评估进展"
        return (
            zh,
            f"fewer than two years of data from the base year {by}: progress not available",
            "values",
            False,
        )
    if setup.method == 1:
        return None
    tgt, ty = setup.target, setup.target_year
    # A target within rounding of the base value needs a growth rate of (about) zero,
    # which the ratio cannot divide by: the same case as an equal target.
    same = tgt == b or (ty != by and (tgt > 0) == (b > 0) and abs(cagr(tgt, b, ty, by)) < 1e-12)
    if not ((tgt > 0) != (b > 0) or same or ty == by):
        return None
    why_zh = "目标值等于基期值" if same else "目标值与基期值正负号不同"
    why_en = "target equals the base value" if same else "target and base value differ in sign"
    if ty == by:
        why_zh, why_en = "目标年份等于基期年份", "target year equals the base year"
    zh = f"{why_zh}，所需{_UNDEFINED_ZH}；{_FALLBACK_ZH}"
    return (
        zh,
        f"{why_en}: the required compound annual growth rate is undefined; {_FALLBACK_EN}",
        "target",
        True,
    )


def linear_fallback(setup: _Setup, base_year: int, base_value: float) -> PathStatus | None:
    """The linear-path status from the base to the target, offered when CAGR breaks; ``None``
    without a target, with the target year not after the base year, or a target against the
    direction."""
    tgt, ty = setup.target, setup.target_year
    if tgt is None or ty <= base_year:
        return None
    target_for_path = 0.0 if tgt == ZERO_SUBSTITUTE and setup.target_raw == 0 else tgt
    if (target_for_path - base_value) * setup.sign_dir < 0:
        return None
    s = setup.series[setup.series.index >= base_year]
    return paths.path_status(
        s.index,
        s.to_numpy(),
        baseline_year=base_year,
        baseline=base_value,
        target_year=ty,
        target=target_for_path,
        direction="increase" if setup.sign_dir == 1 else "decrease",
    )


def progress_value(
    setup: _Setup, sign: int, base_year: int, base_value: float, current_year: int, current_value: float
) -> float:
    """``methodology_1`` (sign × direction × observed CAGR) or ``methodology_2`` (the same
    divided by |required CAGR|)."""
    observed = cagr(current_value, base_value, current_year, base_year)
    if setup.method == 1:
        return float(sign * setup.sign_dir * observed)
    required = cagr(setup.target, base_value, setup.target_year, base_year)
    return float(sign * setup.sign_dir * observed / abs(required))


# ----- The measure -------------------------------------------------------------------------------


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
    sign_dir = paths.direction_sign(direction)
    if zero_base not in ZERO_BASE_MODES:
        raise TrajectoryError(
            f"zero_base 参数无效：{zero_base!r}",
            f"invalid zero_base: {zero_base!r} (expected 'not_available' or 'substitute')",
            field="zero_base",
        )
    series = paths.annual_series(years, values)
    wanted_base_year = paths.year_of(base_year, "base_year")
    tgt, notes = checked_target(target)
    method = 1 if tgt is None else 2
    setup = _Setup(
        series=series,
        sign_dir=sign_dir,
        target_raw=None if target is None else float(target),
        target=tgt,
        target_year=paths.year_of(target_year, "target_year"),
        method=method,
        thresholds=dict(THRESHOLDS_NO_TARGET if method == 1 else THRESHOLDS_TARGET),
    )
    if series.empty:
        return setup.result(
            [_note("没有数据，无法评估进展", "no data: progress not available", "values")] + notes
        )

    current_year = int(series.index.max())
    current_value = float(series.loc[current_year])
    by = base_year_in(series, wanted_base_year)
    if by is None:
        why = _note(
            f"所有数据均早于基期年份 {wanted_base_year}，无法评估进展",
            f"all data precede the base year {wanted_base_year}: progress not available",
            "base_year",
        )
        return setup.result([why] + notes, current_year=current_year, current_value=current_value)
    base_value = float(series.loc[by])
    sign = -1 if base_value < 0 else 1
    # thresholds from the base value before any zero substitution, as in sdg-build
    th, more = thresholds_for(method, base_value, limit)
    notes += more
    achieved = is_target_achieved(current_value, tgt, sign_dir)
    if base_value == 0 and zero_base == "substitute":
        en = "base value is zero (invalid); calculated with base = 0.001 as sdg-build does"
        notes.append(_note("基期值为 0（无效），按 sdg-build 以 0.001 代替计算", en, "base_value"))
        base_value = ZERO_SUBSTITUTE
    common = dict(sign=sign, base_year=by, base_value=base_value, target_achieved=achieved, thresholds=th)
    common.update(current_year=current_year, current_value=current_value)
    reason = unavailable_reason(setup, by, base_value, current_year, current_value)
    if reason is not None:
        zh, en, field, offer_fallback = reason
        return setup.result(
            [_note(zh, en, field)] + notes,
            status=progress_status(None, th, achieved),
            score=progress_score(None, th, method, achieved),
            fallback=linear_fallback(setup, by, base_value) if offer_fallback else None,
            **common,
        )
    value = progress_value(setup, sign, by, base_value, current_year, current_value)
    return setup.result(
        notes,
        value=value,
        status=progress_status(value, th, achieved),
        score=progress_score(value, th, method, achieved),
        **common,
    )


# ----- A plan's path with the measure beside it --------------------------------------------------


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
    """:func:`kejifu.trajectory.plan_path` with the Open SDG measure of the series *up to each
    year* beside it (pure; no I/O).

    Adds ``opensdg_value``, ``opensdg_status``, ``opensdg_score`` (NaN for value and score and
    ``None`` for status in years without an observation). For Open SDG the base year is
    ``baseline_year``, the target year ``target_year``; the plan's baseline value is added to
    the series when that year was not observed (an observed value wins).
    """
    path = dict(baseline_year=baseline_year, baseline=baseline, target_year=target_year, target=target)
    frame = paths.plan_path(years, values, direction=direction, **path)
    by = paths.year_of(baseline_year, "baseline_year")
    sdg_series = paths.annual_series(years, values)
    if by not in sdg_series.index:
        sdg_series.loc[by] = float(baseline)
        sdg_series = sdg_series.sort_index()
    kw = dict(direction=direction, target=target, base_year=by, target_year=target_year, zero_base=zero_base)
    found = [
        None if math.isnan(actual) else opensdg_progress(sdg_series.loc[:y].index, sdg_series.loc[:y], **kw)
        for y, actual in zip(frame["year"], frame["actual"])
    ]
    frame["opensdg_value"] = [math.nan if r is None or r.value is None else r.value for r in found]
    frame["opensdg_status"] = pd.Series([None if r is None else r.status for r in found], dtype="object")
    frame["opensdg_score"] = [math.nan if r is None or r.score is None else r.score for r in found]
    return frame.astype({"opensdg_value": "float64", "opensdg_score": "float64"})
