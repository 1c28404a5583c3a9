"""Projection: where each target will land at year end, and by how much it will miss.

Two estimates, side by side:

* **run rate** (schedule-adjusted): actual ÷ the schedule's share due so far
  [target unit]. A seasonal target half-way through its season is not "behind"
  just because the calendar says June.
* **pace**: the last three months' average monthly increase carried on to
  December (fewer months early in the year, counting from zero).

Shares are projected from numerator and denominator separately, then divided;
levels extrapolate their recent trend; milestones and floors (``each: true``) are not projected.
``vs_target_*`` and ``vs_stretch_*`` are surplus (+) or shortfall (−) in the
target's unit, signed so that positive is good for ``decrease`` targets too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .plan import Plan
from .series import monthly
from .status import reporting_month, status

COLUMNS = [
    "target",
    "org",
    "kind",
    "unit",
    "month",
    "actual",
    "target_value",
    "stretch",
    "landing_run_rate",
    "landing_pace",
    "vs_target_run_rate",
    "vs_target_pace",
    "vs_stretch_run_rate",
    "vs_stretch_pace",
    "will_miss",
    "at_risk",
]


def _pace(now: np.ndarray, before: np.ndarray, months_back: int, months_left: int) -> np.ndarray:
    """Value now plus the average monthly increase over ``months_back`` months, for ``months_left`` more."""
    if months_back <= 0:
        return np.full_like(now, np.nan)
    return now + (now - before) / months_back * months_left


def project(
    plan: Plan, reports: pd.DataFrame, as_of: dt.date | str, *, status_frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Year-end landing for every row of the status frame (orgs and ``'all'``).

    Pass ``status_frame`` when it is already computed for the same ``as_of``.
    """
    month = reporting_month(as_of, plan.year)
    st = status_frame if status_frame is not None else status(plan, reports, as_of)
    back = min(3, month)
    ref_month = month - back
    left = 12 - month
    prev = pd.DataFrame(columns=["target", "org", "actual", "numerator", "denominator"])
    if ref_month >= 1:
        ser = monthly(plan, reports, through=month)
        prev = ser[ser["month"] == ref_month][["target", "org", "actual", "numerator", "denominator"]]
    f = st.merge(prev, on=["target", "org"], how="left", suffixes=("", "_prev"))
    kind = f["kind"].to_numpy()
    actual = f["actual"].to_numpy(dtype=float)
    expected = f["expected"].to_numpy(dtype=float)
    cumulative = kind == "cumulative"
    share = kind == "share"
    level = kind == "level"

    prev_actual = f["actual_prev"].to_numpy(dtype=float)
    # Cumulative figures start the year at zero; an org with no report back then had nothing.
    prev_actual = np.where(cumulative & np.isnan(prev_actual), 0.0, prev_actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        run = np.where(cumulative, np.where(expected > 0, actual / expected, np.nan), np.nan)
        run = np.where(share | level, actual, run)
        pace = _pace(actual, prev_actual, back, left)
        num = f["numerator"].to_numpy(dtype=float)
        den = f["denominator"].to_numpy(dtype=float)
        num_prev = f["numerator_prev"].to_numpy(dtype=float)
        den_prev = f["denominator_prev"].to_numpy(dtype=float)
        num_l = _pace(num, np.where(np.isnan(num_prev) & (back == month), 0.0, num_prev), back, left)
        den_l = _pace(den, np.where(np.isnan(den_prev) & (back == month), 0.0, den_prev), back, left)
        share_pace = np.where(den_l > 0, num_l / den_l * 100.0, np.nan)
    pace = np.where(share, share_pace, pace)
    # Milestones and floors (each org clears a line: met / not met) are not projected.
    floors = {tg.id for tg in plan.targets if tg.each}
    milestone = (kind == "milestone") | f["target"].isin(floors).to_numpy()
    run = np.where(milestone, np.nan, run)
    pace = np.where(milestone, np.nan, pace)

    sign = np.where(plan_directions(plan, f["target"]) == "decrease", -1.0, 1.0)
    tv = f["target_value"].to_numpy(dtype=float)
    sv = f["stretch"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "target": f["target"],
            "org": f["org"],
            "kind": kind,
            "unit": f["unit"],
            "month": f["month"],
            "actual": actual,
            "target_value": tv,
            "stretch": sv,
            "landing_run_rate": run,
            "landing_pace": pace,
            "vs_target_run_rate": sign * (run - tv),
            "vs_target_pace": sign * (pace - tv),
            "vs_stretch_run_rate": sign * (run - sv),
            "vs_stretch_pace": sign * (pace - sv),
        }
    )
    short_run = out["vs_target_run_rate"] < 0
    short_pace = out["vs_target_pace"] < 0
    out["will_miss"] = (short_run & short_pace).to_numpy()
    out["at_risk"] = (short_run | short_pace).to_numpy()
    return out[COLUMNS]


def plan_directions(plan: Plan, targets: pd.Series) -> np.ndarray:
    """The direction (``increase``/``decrease``) of each target id in ``targets``."""
    d = {tg.id: tg.direction for tg in plan.targets}
    return targets.map(d).to_numpy()
