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
from ..rollup import milestone_owner, region_org
from ..status import ALL, COLUMNS, EPS, month_label, reporting_month

NAN = math.nan


def _year_month(value) -> tuple[int, int]:
    """Year and month of a ``YYYY-MM`` text or a monthly Period."""
    if isinstance(value, pd.Period):
        return value.year, value.month
    text = str(value)
    return int(text[0:4]), int(text[5:7])


def latest_reports(reports: pd.DataFrame, year: int, month: int) -> dict[tuple[str, str], tuple[int, float]]:
    """``{(org, measure): (month number, value)}``: each org's latest report of ``year`` through ``month``."""
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


def _allocations(plan: Plan, target, rollup: bool) -> dict[str, float]:
    own = target.allocation_values()
    out = dict(own)
    if rollup and not target.each:  # a floor is every org's own: it does not add up
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


def _sides(target) -> dict[str, str]:
    """Side -> measure: ``v`` for a plain target, ``n`` and ``d`` for a share."""
    if target.kind == "share":
        return {"n": target.numerator, "d": target.denominator}
    return {"v": target.measures[0]}


def _ancestors(plan: Plan, org: str) -> list[str]:
    return plan.ancestors(org) if org in plan.org_index else []


def _units(plan: Plan, target, latest) -> dict[str, dict]:
    """Every unit (org or ``all``) a reported figure of ``target`` counts in:
    ``{unit: {"member": [(org, side, value, mnum)], "child": [...], "own": bool}}``."""
    units: dict[str, dict] = {}

    def slot(u: str) -> dict:
        return units.setdefault(u, {"member": [], "child": [], "own": False})

    owner = milestone_owner(plan, target) if target.kind == "milestone" else None
    for side, measure in _sides(target).items():
        reporters = {org for (org, m) in latest if m == measure}
        below = {a for org in reporters for a in _ancestors(plan, org)}  # orgs with a reporter below
        for org in sorted(reporters):
            mnum, value = latest[(org, measure)]
            item = (org, side, value, mnum)
            chain = _ancestors(plan, org)
            hits = [d for d, a in enumerate(chain, start=1) if a in reporters]
            blocked = min(hits) if hits else math.inf
            slot(org)["member"].append(item)
            slot(org)["own"] = True
            for d, a in enumerate(chain, start=1):
                if d < blocked:
                    slot(a)["member"].append(item)
                if d <= blocked:
                    slot(a)["child"].append(item)
            in_total = (org == owner) if owner is not None else blocked == math.inf
            if in_total:
                slot(ALL)["member"].append(item)
            if len(hits) == 1 or (not hits and org not in below):
                slot(ALL)["child"].append(item)
    return units


def _figure(target, items: list) -> float:
    """A share's Σ numerator / Σ denominator [%] (both sides needed), else the target's aggregate."""
    if target.kind == "share":
        num = [v for (_, side, v, _) in items if side == "n"]
        den = [v for (_, side, v, _) in items if side == "d"]
        if not num or not den or not sum(den) > 0:
            return NAN
        return sum(num) / sum(den) * 100.0
    values = [v for (*_, v, _) in items]
    if not values:
        return NAN
    if target.aggregate == "mean":
        return sum(values) / len(values)
    if target.aggregate == "max":
        return max(values)
    if target.aggregate == "min":
        return min(values)
    return sum(values)


def _org_months(items: list) -> dict[str, int]:
    """Each member org's month: the older of its sides' months."""
    out: dict[str, int] = {}
    for org, _, _, mnum in items:
        out[org] = min(out.get(org, mnum), mnum)
    return out


def _scope(plan: Plan, org: str) -> list[str]:
    return [org, ALL, *_ancestors(plan, org)]


def _expected_reporters(plan: Plan, target, units: dict, month: int) -> dict[str, bool]:
    """``{org: has a figure for the reporting month}`` for the orgs expected to report ``target``."""
    if target.source != "reports":
        return {}
    if target.kind == "milestone":
        owner = milestone_owner(plan, target)
        expected = [owner]
    else:
        expected = list(target.allocations) + [u for u, x in units.items() if u != ALL and x["own"]]
    out = {}
    for org in expected:
        x = units.get(org)
        months = _org_months(x["member"]).values() if x is not None and x["own"] else []
        out[org] = bool(months) and min(months) == month
    return out


def _last_year(
    plan: Plan, target, reports: pd.DataFrame, month: int, has_last_year: bool
) -> dict[str, float]:
    """``{unit: figure}`` for the same month of last year (every figure of that very month)."""
    if not has_last_year or month <= 0 or target.kind == "milestone":
        return {}
    units = _units(plan, target, latest_reports(reports, plan.year - 1, month))
    out = {}
    for u, x in units.items():
        months = _org_months(x["member"]).values()
        if months and min(months) == month:
            out[u] = _figure(target, x["member"])
    return out


def _row(plan: Plan, target, org: str, x: dict, allocation: float, total_alloc: float, ctx: dict) -> dict:
    """One status row from the figures counted in it (``x``) and the target's context."""
    month, lang = ctx["month"], ctx["lang"]
    is_all = org == ALL
    has_base = is_all or org == ctx["region"]  # the plan's baseline is the total's and the region's
    kind = target.kind
    members = x["member"]
    plan_target = target.target if target.target is not None else (1.0 if kind == "milestone" else NAN)
    plan_stretch = target.stretch if target.stretch is not None else NAN
    baseline_value = target.baseline if target.baseline is not None else 0.0
    relative = kind in ("share", "level")
    decrease = target.direction == "decrease"

    actual = _figure(target, members)
    children = _figure(target, x["child"])
    has_data = math.isfinite(actual)
    sides = {side for (_, side, _, _) in members}
    one_side = kind == "share" and not is_all and len(sides) == 1
    allocated = not math.isnan(allocation)

    if is_all:
        target_value = plan_target
    elif allocated:
        target_value = allocation
    else:
        target_value = NAN if kind == "cumulative" else plan_target
    stretch = plan_stretch if (is_all or kind != "cumulative") else NAN

    floor_org = target.each and not is_all and (allocated or (x["own"] and not one_side))
    meets = has_data and (actual <= target_value + EPS if decrease else actual >= target_value - EPS)
    if not target.each:
        n_orgs = n_met = NAN
    elif floor_org:
        n_orgs, n_met = 1.0, float(meets)
    else:
        evals = [met for f, met in ctx["floors"].items() if org in _scope(plan, f)]
        n_orgs, n_met = float(len(evals)), float(sum(evals))

    if not has_data:
        completion = NAN
    elif kind == "milestone":
        completion = 1.0 if actual >= 1 - EPS else 0.0
    else:
        base = baseline_value if (relative and has_base) else 0.0
        completion = _divide(actual - base, target_value - base)
    if target.each and not floor_org:
        completion = n_met / n_orgs if n_orgs > 0 else NAN
    if not math.isfinite(completion) or one_side:
        completion = NAN
    else:
        completion = max(completion, -1.0)

    expected = NAN if target.each else _expected(plan, target, month)
    if kind == "milestone":
        if has_data and actual >= 1 - EPS:
            code = "achieved"
        elif not has_data and not is_all:
            code = "no_data"
        else:
            code = "overdue" if expected >= 1 else "not_due"
    elif one_side and not allocated:
        code = "not_applicable"
    elif floor_org:
        code = "no_data" if not has_data else ("met" if meets else "not_met")
    elif target.each:
        code = "no_data" if n_orgs == 0 else ("met" if n_met == n_orgs else "not_met")
    elif not has_data:
        code = "no_data"
    elif math.isnan(target_value):
        code = "pending" if (target.pending and target.target is None) else "not_allocated"
    elif not math.isnan(stretch) and (actual <= stretch + EPS if decrease else actual >= stretch - EPS):
        code = "stretch_achieved"
    elif completion >= 1 - EPS:
        code = "achieved"
    elif completion >= expected - EPS:
        code = "on_track"
    elif completion >= plan.plan.bands.behind * expected - EPS:
        code = "behind"
    else:
        code = "far_behind"
    if one_side:
        actual = NAN

    org_months = _org_months(members)
    n_stale = sum(1 for m in org_months.values() if m < month)
    last = max(org_months.values(), default=0)
    expected_in = [fresh for e, fresh in ctx["expected"].items() if org in _scope(plan, e)]
    last_year = ctx["last_year"].get(org, NAN)
    if kind == "milestone":
        yoy = NAN
    elif kind == "share":
        yoy = actual - last_year
    else:
        yoy = actual / last_year - 1.0 if last_year > 0 else NAN
    if not math.isfinite(yoy):
        yoy = NAN
    num = [v for (_, side, v, _) in members if side == "n"]
    den = [v for (_, side, v, _) in members if side == "d"]
    if has_base:
        baseline_out = (
            baseline_value if relative else (target.baseline if target.baseline is not None else NAN)
        )
    else:  # a baseline (last year's county figure) describes the total only
        baseline_out = NAN
    return {
        "target": target.id,
        "org": org,
        "kind": kind,
        "group": target.group,
        "unit": target.unit,
        "month": month_label(plan.year, month),
        "actual": actual,
        "numerator": sum(num) if num else NAN,
        "denominator": sum(den) if den else NAN,
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
        "n_reporting": len(org_months),
        "n_stale": n_stale,
        "children_sum": children,
        "n_met": n_met,
        "n_orgs": n_orgs,
        "due": target.due.isoformat() if target.due is not None else "",
        "data_month": month_label(plan.year, last),
        "n_expected": len(expected_in),
        "incomplete": sum(expected_in) < len(expected_in),
        "last_year_actual": last_year,
        "yoy": yoy,
        "floor_org": floor_org,
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
    has_last_year = any(_year_month(m)[0] == year - 1 for m in reports["month"].tolist())
    plan_order = {o.id: i for i, o in enumerate(plan.orgs)}

    rows = []
    for target in plan.targets:
        units = _units(plan, target, latest)
        allocations = _allocations(plan, target, rollup)
        own = target.allocation_values()
        total_alloc = (
            sum(v for v in own.values() if not math.isnan(v))
            if any(not math.isnan(v) for v in own.values())
            else NAN
        )
        empty = {"member": [], "child": [], "own": False}
        shown = [u for u, x in units.items() if u != ALL and (rollup or x["own"])]
        row_orgs = [ALL] + shown + [o for o in allocations if o not in shown]
        ctx = {
            "month": month,
            "lang": lang,
            "region": region_org(plan),
            "floors": {},
            "expected": _expected_reporters(plan, target, units, month),
            "last_year": _last_year(plan, target, reports, month, has_last_year),
        }
        if target.each:  # first the floor orgs themselves, then the rows that count them
            for org in row_orgs:
                row = _row(plan, target, org, units.get(org, empty), allocations.get(org, NAN), NAN, ctx)
                if row["floor_org"]:
                    ctx["floors"][org] = row["status"] == "met"
        for org in row_orgs:
            allocation = allocations.get(org, NAN) if org != ALL else NAN
            rows.append(_row(plan, target, org, units.get(org, empty), allocation, total_alloc, ctx))

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
    return pd.DataFrame(rows, columns=COLUMNS)  # (without the helper key ``floor_org``)
