"""The plain reference implementation of status and roll-up: Python loops, one org and target at a time.

This is what most trackers do, written to be read rather than to be fast. It
implements the same contract as :func:`kejifu.status.status` (see that module's
docstring and design.md) and returns the same columns in the same order; the tests
check that the vectorised engine equals it on random plans, trees and reports, and
``kejifu bench`` times it as the naive baseline.

The steps, for the plan year and the reporting month ``m`` (the last month ended on
or before the as-of date):

1. for every org and measure, keep the latest report of the plan year through ``m``
   (a later row of the same month wins);
2. for every target and reporting org, its value (or, for a share, its numerator and
   denominator and the older of their two months);
3. every reporting org counts in its own row and in the total (``all``); with roll-up
   also in each of its ancestors' rows;
4. allocations: those of the plan; with roll-up an ancestor without an allocation of its
   own gets the sum of its descendants' [target unit]; the total's allocation is the sum of
   the plan's allocations whether or not rows are rolled up;
5. per row: actual (sum, or the target's aggregate; shares are Σ numerator / Σ denominator
   [%]), completion, expected share due, status.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from .. import schedule as schedule_mod
from ..i18n import t
from ..plan import Plan
from ..status import ALL, COLUMNS, EPS, month_label, reporting_month

NAN = math.nan


def _year_month(value) -> tuple[int, int]:
    """Year and month of a ``YYYY-MM`` text or a monthly Period."""
    if isinstance(value, pd.Period):
        return value.year, value.month
    text = str(value)
    return int(text[0:4]), int(text[5:7])


def latest_reports(reports: pd.DataFrame, year: int, month: int) -> dict[tuple[str, str], tuple[int, float]]:
    """``{(org, measure): (month number, value)}`` — each org's latest report of ``year`` through ``month``."""
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    if month <= 0 or len(reports) == 0:
        return latest
    orgs = reports["org"].astype(object).tolist()
    measures = reports["measure"].astype(object).tolist()
    months = reports["month"].astype(object).tolist()
    values = reports["value"].astype(float).tolist()
    parsed: dict[object, tuple[int, int]] = {}
    for org, measure, mon, value in zip(orgs, measures, months, values):
        ym = parsed.get(mon)
        if ym is None:
            ym = parsed[mon] = _year_month(mon)
        y, m = ym
        if y != year or m > month:
            continue
        key = (org, measure)
        previous = latest.get(key)
        if previous is None or m >= previous[0]:
            latest[key] = (m, value)
    return latest


def _divide(a: float, b: float) -> float:
    """``a / b`` as IEEE floats do it (x/0 is ±inf, 0/0 is NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def _expected(plan: Plan, target, month: int) -> float:
    if target.kind == "milestone":
        due = target.due
        return 1.0 if due is not None and (due.year, due.month) <= (plan.year, month) else 0.0
    return float(schedule_mod.expected_share(target.schedule, month))


def _contributions(target, latest, orgs_reporting) -> dict[str, dict]:
    """``{org: {value, num, den, mnum}}`` for every org that reported for ``target``."""
    out = {}
    if target.kind == "share":
        for org in orgs_reporting:
            n = latest.get((org, target.numerator))
            d = latest.get((org, target.denominator))
            if n is None and d is None:
                continue
            months = [x[0] for x in (n, d) if x is not None]
            out[org] = {
                "value": NAN,
                "num": n[1] if n else NAN,
                "den": d[1] if d else NAN,
                "mnum": min(months),
            }
    else:
        measure = target.measures[0]
        for org in orgs_reporting:
            r = latest.get((org, measure))
            if r is not None:
                out[org] = {"value": r[1], "num": NAN, "den": NAN, "mnum": r[0]}
    return out


def _units_of(plan: Plan, org: str, rollup: bool) -> list[str]:
    """The rows an org's figures count in: its own, the total, and (roll-up) its ancestors'."""
    units = [org, ALL]
    if rollup and org in plan.org_index:
        units += plan.ancestors(org)
    return units


def _allocations(plan: Plan, target, rollup: bool) -> dict[str, float]:
    own = target.allocation_values()
    out = dict(own)
    if rollup:
        rolled: dict[str, float] = {}
        for org, value in own.items():
            if org not in plan.org_index:
                continue
            for anc in plan.ancestors(org):
                if anc in own:
                    continue
                rolled[anc] = rolled.get(anc, 0.0) + (0.0 if math.isnan(value) else value)
        out.update(rolled)
    return out


def _row(
    plan: Plan,
    target,
    org: str,
    members: list[dict],
    allocation: float,
    total_alloc: float,
    month: int,
    lang: str,
) -> dict:
    """One status row from the contributions of the orgs counted in it."""
    is_all = org == ALL
    kind = target.kind
    n_reporting = len(members)
    plan_target = target.target if target.target is not None else 1.0
    plan_stretch = target.stretch if target.stretch is not None else NAN
    baseline_value = target.baseline if target.baseline is not None else 0.0
    relative = kind in ("share", "level")

    num_sum = den_sum = NAN
    n_den = 0
    if members:
        num_sum = sum(c["num"] for c in members if not math.isnan(c["num"]))
        den_sum = sum(c["den"] for c in members if not math.isnan(c["den"]))
        n_den = sum(1 for c in members if not math.isnan(c["den"]))

    if kind == "share":
        has_data = n_reporting > 0 and n_den > 0
        actual = num_sum / den_sum * 100.0 if has_data and den_sum > 0 else NAN
    else:
        has_data = n_reporting > 0
        values = [c["value"] for c in members if not math.isnan(c["value"])]
        if not has_data:
            actual = NAN
        elif target.aggregate == "mean":
            actual = sum(values) / len(values) if values else NAN
        elif target.aggregate == "max":
            actual = max(values) if values else NAN
        elif target.aggregate == "min":
            actual = min(values) if values else NAN
        else:
            actual = sum(values)

    if is_all:
        target_value = plan_target
    elif not math.isnan(allocation):
        target_value = allocation
    else:
        target_value = NAN if kind == "cumulative" else plan_target
    stretch = plan_stretch if (is_all or kind != "cumulative") else NAN

    if math.isnan(actual):
        completion = NAN
    elif kind == "milestone":
        completion = 1.0 if actual >= 1 - EPS else 0.0
    else:
        base = baseline_value if relative else 0.0
        completion = _divide(actual - base, target_value - base)

    expected = _expected(plan, target, month)
    if not has_data:
        code = "no_data"
    elif math.isnan(target_value):
        code = "not_allocated"
    elif not math.isnan(stretch) and (
        actual <= stretch + EPS if target.direction == "decrease" else actual >= stretch - EPS
    ):
        code = "stretch_achieved"
    elif completion >= 1 - EPS:
        code = "achieved"
    elif completion >= expected - EPS:
        code = "on_track"
    elif completion >= plan.plan.bands.behind * expected - EPS:
        code = "behind"
    else:
        code = "far_behind"

    n_stale = sum(1 for c in members if c["mnum"] < month)
    last = max((c["mnum"] for c in members), default=0)
    if relative:
        baseline_out = baseline_value
    else:  # a cumulative target's baseline (last year's county figure) describes the total only
        baseline_out = target.baseline if (is_all and target.baseline is not None) else NAN
    return {
        "target": target.id,
        "org": org,
        "kind": kind,
        "group": target.group,
        "unit": target.unit,
        "month": month_label(plan.year, month),
        "actual": actual,
        "numerator": num_sum if kind == "share" else NAN,
        "denominator": den_sum if kind == "share" else NAN,
        "baseline": baseline_out,
        "target_value": target_value,
        "stretch": stretch,
        "allocation": total_alloc if is_all else allocation,
        "completion": completion,
        "expected": expected,
        "gap_pp": (completion - expected) * 100.0,
        "status": code,
        "status_label": t(f"status.{code}", lang),
        "stale": bool(has_data and n_stale > 0),
        "last_month": month_label(plan.year, last),
        "n_reporting": n_reporting,
        "n_stale": n_stale,
    }


def reference_status(
    plan: Plan, reports: pd.DataFrame, as_of: dt.date | str, *, rollup: bool = False, lang: str = "zh"
) -> pd.DataFrame:
    """Status of every target for every reporting or allocated org and the total — by plain loops.

    Same arguments, columns (:data:`kejifu.status.COLUMNS`) and row order as
    :func:`kejifu.status.status`.
    """
    year = plan.year
    month = reporting_month(as_of, year)
    latest = latest_reports(reports, year, month)
    orgs_reporting = sorted({org for org, _ in latest})
    plan_order = {o.id: i for i, o in enumerate(plan.orgs)}

    rows = []
    for target in plan.targets:
        contributions = _contributions(target, latest, orgs_reporting)
        members: dict[str, list[dict]] = {}
        for org, c in contributions.items():
            for unit in _units_of(plan, org, rollup):
                members.setdefault(unit, []).append(c)
        allocations = _allocations(plan, target, rollup)
        own = target.allocation_values()
        total_alloc = (
            sum(v for v in own.values() if not math.isnan(v))
            if any(not math.isnan(v) for v in own.values())
            else NAN
        )

        row_orgs = [ALL] + [o for o in members if o != ALL] + [o for o in allocations if o not in members]
        for org in row_orgs:
            ms = members.get(org, [])
            allocation = allocations.get(org, NAN) if org != ALL else NAN
            if (
                org != ALL
                and target.kind == "share"
                and math.isnan(allocation)
                and not any(not math.isnan(c["den"]) for c in ms)
            ):
                continue  # an org with no denominator reported and no share of its own
            rows.append(_row(plan, target, org, ms, allocation, total_alloc, month, lang))

        # total first, then orgs in plan order, then orgs the plan doesn't know (by id)
    target_order = {tg.id: i for i, tg in enumerate(plan.targets)}
    rows.sort(
        key=lambda r: (
            target_order[r["target"]],
            -1 if r["org"] == ALL else plan_order.get(r["org"], len(plan_order)),
            r["org"],
        )
    )
    if not rows:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.DataFrame(rows, columns=COLUMNS)
