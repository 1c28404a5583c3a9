"""Status: where each target stands as of a date, for every org and for the total.

The contract (design.md; the rules in ``docs/status-rules.md``):

* the *reporting month* is the last month ended on or before the as-of date;
* ``actual`` is the year-to-date value through that month [target unit]; an org
  whose latest report is older is carried forward and flagged ``stale``; an org
  with no report through the reporting month is ``no_data``;
* an org's own report is authoritative for it; the orgs below it count only where
  it reports nothing (:mod:`kejifu.rollup`); ``children_sum`` keeps their sum beside it;
* ``completion`` = actual / target [share]; for shares and levels the total is
  measured from the baseline, (actual − baseline) / (target − baseline), an org
  against the target level; never non-finite, never below −1 (−100 %);
* ``expected`` = the schedule's share due through the reporting month [share];
* status ``stretch_achieved``, ``achieved``, ``on_track`` (completion ≥ expected),
  ``behind`` (completion ≥ bands.behind × expected), ``far_behind``, ``no_data``,
  ``not_allocated`` (a cumulative target the org was given no share of);
  ``not_applicable`` for an org reporting one side of a share only; ``met`` /
  ``not_met`` for floors (``each: true``; the total counts the orgs that meet it,
  ``n_met`` of ``n_orgs``); ``not_due`` / ``achieved`` / ``overdue`` for milestones
  (done when the owner reports it); ``pending`` while a target value is awaited;
* every row carries ``data_month`` (the month its data run through), ``n_expected``
  and ``incomplete`` (an expected reporter has no figure for the reporting month),
  and, when last year's monthly figures are in ``reports``, ``last_year_actual``
  (same month last year) and ``yoy`` (growth [share]; for shares the change [points]).

Cumulative targets add up across orgs; shares are the ratio of summed numerators
to summed denominators, never a mean of ratios. Everything is vectorised over a
long frame of reports with columns ``org, measure, month, value`` where
``month`` is ``YYYY-MM`` (text or a monthly ``Period``) and ``value`` is the
year-to-date cumulative figure in the measure's unit.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import months
from . import schedule as schedule_mod
from .i18n import t
from .plan import Plan
from .rollup import ALL, aggregate, ancestor_pairs, latest, milestone_owner, region_org, split_months
from .units import is_count

__all__ = [
    "ALL",
    "COLUMNS",
    "STATUSES",
    "counts_by_status",
    "latest",
    "month_label",
    "reporting_month",
    "split_months",
    "status",
    "totals",
]

#: Every status code, the one list (labels ``status.<code>`` in the catalogue, colours in
#: :mod:`kejifu.palette`).
STATUSES = (
    "stretch_achieved",
    "achieved",
    "on_track",
    "behind",
    "far_behind",
    "no_data",
    "not_allocated",
    "met",
    "not_met",
    "not_due",
    "overdue",
    "not_applicable",
    "pending",
)
#: Statuses that name an org as lagging (bulletins, rankings).
LAGGING = ("behind", "far_behind", "not_met", "overdue")
COLUMNS = [
    "target",
    "org",
    "kind",
    "group",
    "unit",
    "month",
    "actual",
    "numerator",
    "denominator",
    "baseline",
    "target_value",
    "stretch",
    "allocation",
    "completion",
    "expected",
    "gap_pp",
    "status",
    "status_label",
    "stale",
    "last_month",
    "n_reporting",
    "n_stale",
    "children_sum",
    "n_met",
    "n_orgs",
    "due",
    "data_month",
    "n_expected",
    "incomplete",
    "last_year_actual",
    "yoy",
]
EPS = 1e-9


def reporting_month(as_of: dt.date | str, year: int) -> int:
    """The last month of ``year`` ended on or before ``as_of`` (0 = none yet, 12 = whole year)."""
    d = pd.Timestamp(as_of).date()
    if d.year < year:
        return 0
    if d.year > year:
        return 12
    return d.month if d == months.month_end(d) else d.month - 1


def month_label(year: int, month: int) -> str:
    """``YYYY-MM`` for month 1..12 of ``year`` (empty for 0)."""
    return f"{year:04d}-{month:02d}" if month else ""


def _targets_frame(plan: Plan, month: int) -> pd.DataFrame:
    rows = []
    for tg in plan.targets:
        exp = schedule_mod.expected_share(tg.schedule, month)
        if tg.kind == "milestone":
            due = tg.due
            exp = 1.0 if (due is not None and (due.year, due.month) <= (plan.year, month)) else 0.0
        rows.append(
            {
                "target": tg.id,
                "kind": tg.kind,
                "group": tg.group,
                "unit": tg.unit,
                "direction": tg.direction,
                "aggregate": tg.aggregate,
                "plan_target": tg.target
                if tg.target is not None
                else (1.0 if tg.kind == "milestone" else np.nan),
                "pending": bool(tg.pending and tg.target is None),
                "each": bool(tg.each),
                "due": tg.due.isoformat() if tg.due is not None else "",
                "plan_stretch": tg.stretch if tg.stretch is not None else np.nan,
                "baseline_value": tg.baseline if tg.baseline is not None else 0.0,
                "expected": float(exp),
                "num": tg.numerator,
                "den": tg.denominator,
                "measure": tg.measures[0],
            }
        )
    return pd.DataFrame(rows)


def _allocation_array(tg) -> np.ndarray:
    """``tg.allocation_values()`` as an array [target unit]; plain numbers skip the text parser."""
    raw = list(tg.allocations.values())
    if not set(map(type, raw)) <= {int, float}:
        return np.fromiter(tg.allocation_values().values(), dtype=float, count=len(raw))
    vals = np.array(raw, dtype=float)
    ok = np.isfinite(vals)
    if is_count(tg.unit):  # counts must be whole (within 1e-9), as units.to_unit requires
        whole = np.round(vals)
        ok &= np.abs(vals - whole) <= 1e-9
        vals = whole
    return np.where(ok, vals, np.nan)


def _allocations(plan: Plan) -> pd.DataFrame:
    parts = [(tg.id, list(tg.allocations), _allocation_array(tg)) for tg in plan.targets if tg.allocations]
    if not parts:
        return pd.DataFrame(
            {
                "target": pd.Series(dtype=object),
                "org": pd.Series(dtype=object),
                "allocation": pd.Series(dtype=float),
            }
        )
    return pd.DataFrame(
        {
            "target": np.repeat([p[0] for p in parts], [len(p[1]) for p in parts]).astype(object),
            "org": np.array([o for p in parts for o in p[1]], dtype=object),
            "allocation": np.concatenate([p[2] for p in parts]),
        }
    )


def _values(f: pd.DataFrame, prefix: str = "") -> np.ndarray:
    """The figure of each row from its aggregates: a share's Σ numerator / Σ denominator [%]
    (both sides needed), else the target's aggregate of the values [target unit]."""
    kind = f["kind"].to_numpy()
    how = f["aggregate"].to_numpy()
    v = {a: f[f"{prefix}v_{a}"].to_numpy(dtype=float) for a in ("sum", "mean", "max", "min")}
    plain = np.where(
        how == "mean", v["mean"], np.where(how == "max", v["max"], np.where(how == "min", v["min"], v["sum"]))
    )
    plain = np.where(f[f"{prefix}v_n"].fillna(0).to_numpy() > 0, plain, np.nan)
    num, den = f[f"{prefix}n_sum"].to_numpy(dtype=float), f[f"{prefix}d_sum"].to_numpy(dtype=float)
    both = (f[f"{prefix}n_n"].fillna(0).to_numpy() > 0) & (f[f"{prefix}d_n"].fillna(0).to_numpy() > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(both & (den > 0), num / den * 100.0, np.nan)
    return np.where(kind == "share", share, plain).astype(float)


def _scope(plan: Plan, frame: pd.DataFrame) -> pd.DataFrame:
    """Each row of ``frame`` (with an ``org`` column) once for every row it counts in: its own,
    its ancestors' and the total's (the ``unit`` column)."""
    anc = ancestor_pairs(plan)[["org", "unit_org"]].rename(columns={"unit_org": "unit"})
    return pd.concat(
        [frame.assign(unit=frame["org"]), frame.assign(unit=ALL), frame.merge(anc, on="org")],
        ignore_index=True,
    )


def _last_year(
    plan: Plan, reports: pd.DataFrame, month: int, split: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.DataFrame | None:
    """``target, org, last_year_actual``: the same month of last year, where every figure is
    of that very month (never a full-year or older figure); None without last year's data.
    ``split``: :func:`split_months` of the reports' months, when already done."""
    if month <= 0 or reports.empty:
        return None
    split = split if split is not None else split_months(reports["month"])
    if not (split[0] == plan.year - 1).any():
        return None
    agg = aggregate(plan, latest(reports, plan.year - 1, month, split=split), month)
    if agg.empty:
        return None
    tf = pd.DataFrame([{"target": tg.id, "kind": tg.kind, "aggregate": tg.aggregate} for tg in plan.targets])
    f = agg.merge(tf, on="target")
    value = np.where(f["first"].to_numpy(dtype=float) == month, _values(f), np.nan)
    value = np.where(f["kind"].to_numpy() == "milestone", np.nan, value)
    return pd.DataFrame({"target": f["target"], "org": f["org"], "last_year_actual": value})


def _expected_reporters(plan: Plan, agg_own: pd.DataFrame, month: int) -> pd.DataFrame:
    """``target, org, fresh``: who is expected to report each target (allocated orgs, orgs that
    have reported it this year, a milestone's owner; nobody for a register) and whether they
    have a figure for the reporting month."""
    rows = []
    for tg in plan.targets:
        if tg.source != "reports":
            continue
        if tg.kind == "milestone":
            rows.append((tg.id, milestone_owner(plan, tg)))
        else:
            rows += [(tg.id, o) for o in tg.allocations]
    exp = pd.DataFrame(rows, columns=["target", "org"])
    reg = {tg.id for tg in plan.targets if tg.source != "reports"}
    ms = {tg.id for tg in plan.targets if tg.kind == "milestone"}
    own = agg_own[~agg_own["target"].isin(reg | ms)][["target", "org"]]
    exp = pd.concat([exp, own], ignore_index=True).drop_duplicates()
    fresh = agg_own[agg_own["first"] == month][["target", "org"]].assign(fresh=True)
    exp = exp.merge(fresh, on=["target", "org"], how="left")
    exp["fresh"] = exp["fresh"].fillna(False).astype(bool)
    return exp


def status(
    plan: Plan, reports: pd.DataFrame, as_of: dt.date | str, *, rollup: bool = False, lang: str = "zh"
) -> pd.DataFrame:
    """Status of every target for every reporting or allocated org and for the total (``org='all'``).

    ``rollup=True`` adds a row for every org above the reporting ones (town → county
    → city → province). Columns are :data:`COLUMNS`; values are in each target's unit,
    shares in percent; ``completion``, ``expected`` and ``yoy`` are shares (1 = 100 %),
    ``gap_pp`` and a share's ``yoy`` percentage points.
    """
    year = plan.year
    month = reporting_month(as_of, year)
    tf = _targets_frame(plan, month)
    split = split_months(reports["month"]) if not reports.empty and month > 0 else None
    agg = aggregate(plan, latest(reports, year, month, split=split), month)

    alloc = _allocations(plan)
    # The total's allocation is the sum of what the plan hands out, counted once.
    total_alloc = alloc.groupby("target")["allocation"].sum(min_count=1).rename("alloc_total")
    if rollup and not alloc.empty:
        floors = {tg.id for tg in plan.targets if tg.each}  # a floor is every org's own: it does not add up
        up = alloc[~alloc["target"].isin(floors)].merge(ancestor_pairs(plan)[["org", "unit_org"]], on="org")
        roll = up.groupby(["target", "unit_org"], as_index=False, sort=False)["allocation"].sum()
        roll = roll.rename(columns={"unit_org": "org"})
        roll = roll[~roll.set_index(["target", "org"]).index.isin(alloc.set_index(["target", "org"]).index)]
        alloc = pd.concat([alloc, roll], ignore_index=True)
    shown = agg if rollup else agg[agg["own"].eq(True) | (agg["org"] == ALL)]
    keys = pd.concat(
        [
            shown[["target", "org"]],
            alloc[["target", "org"]],
            pd.DataFrame({"target": tf["target"], "org": ALL}),
        ]
    ).drop_duplicates()
    s = keys.merge(tf, on="target", how="left").merge(agg, on=["target", "org"], how="left")
    s = s.merge(alloc, on=["target", "org"], how="left")
    s = s.merge(total_alloc, left_on="target", right_index=True, how="left")
    is_all = (s["org"] == ALL).to_numpy()
    kind = s["kind"].to_numpy()
    is_share = kind == "share"
    milestone = kind == "milestone"
    each = s["each"].to_numpy(dtype=bool)
    actual = _values(s)
    children = _values(s, "c")
    has_data = np.isfinite(actual)
    n_num, n_den = s["n_n"].fillna(0).to_numpy(), s["d_n"].fillna(0).to_numpy()
    one_side = is_share & ~is_all & ((n_num > 0) != (n_den > 0))

    allocation = s["allocation"].to_numpy(dtype=float)
    allocated = ~np.isnan(allocation)
    plan_target = s["plan_target"].to_numpy(dtype=float)
    # The org's own target: its allocation; for shares, levels and milestones the plan's own
    # standard applies to every org that was not allocated a figure of its own.
    own = np.where(allocated, allocation, np.where(kind == "cumulative", np.nan, plan_target))
    target_value = np.where(is_all, plan_target, own)
    stretch = np.where(is_all | (kind != "cumulative"), s["plan_stretch"].to_numpy(dtype=float), np.nan)
    baseline = s["baseline_value"].to_numpy(dtype=float)
    plan_baseline = s["target"].map({tg.id: tg.baseline for tg in plan.targets}).to_numpy(dtype=float)
    relative = is_share | (kind == "level")
    decrease = (s["direction"] == "decrease").to_numpy()

    # Floors: every allocated org (else every org reporting the figure itself) must clear the target.
    floor_org = each & ~is_all & (allocated | (s["own"].eq(True).to_numpy() & ~one_side))
    meets = has_data & np.where(decrease, actual <= target_value + EPS, actual >= target_value - EPS)
    floors = pd.DataFrame({"target": s["target"], "org": s["org"], "met": meets})[floor_org]
    n_orgs = np.where(each, 0.0, np.nan)
    n_met = n_orgs.copy()
    if not floors.empty:
        sc = _scope(plan, floors).groupby(["target", "unit"], sort=False)["met"].agg(["size", "sum"])
        idx = pd.MultiIndex.from_arrays([s["target"], s["org"]])
        n_orgs = np.where(each, sc["size"].reindex(idx).fillna(0).to_numpy(dtype=float), np.nan)
        n_met = np.where(each, sc["sum"].reindex(idx).fillna(0).to_numpy(dtype=float), np.nan)
    n_orgs = np.where(floor_org, 1.0, n_orgs)
    n_met = np.where(floor_org, meets.astype(float), n_met)

    # The plan's baseline is the total's (and the region's own org's); any other org is measured
    # against the target level.
    has_base = is_all | (s["org"] == region_org(plan)).to_numpy()
    base_for = np.where(relative & has_base, baseline, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = (actual - base_for) / (target_value - base_for)
        completion = np.where(milestone, np.where(actual >= 1 - EPS, 1.0, 0.0), completion)
        completion = np.where(has_data, completion, np.nan)
        completion = np.where(each & ~floor_org, np.where(n_orgs > 0, n_met / n_orgs, np.nan), completion)
    completion = np.where(np.isfinite(completion), np.maximum(completion, -1.0), np.nan)
    completion = np.where(one_side, np.nan, completion)
    expected = np.where(each, np.nan, s["expected"].to_numpy(dtype=float))
    stretch_ok = ~np.isnan(stretch) & np.where(decrease, actual <= stretch + EPS, actual >= stretch - EPS)
    behind_band = plan.plan.bands.behind
    pending = s["pending"].to_numpy(dtype=bool)
    code = np.select(
        [
            milestone & has_data & (actual >= 1 - EPS),
            milestone & ~has_data & ~is_all,
            milestone & (expected >= 1),
            milestone,
            one_side & ~allocated,
            floor_org & ~has_data,
            floor_org & meets,
            floor_org,
            each & (n_orgs == 0),
            each & (n_met == n_orgs),
            each,
            ~has_data,
            np.isnan(target_value) & pending,
            np.isnan(target_value),
            stretch_ok,
            completion >= 1 - EPS,
            completion >= expected - EPS,
            completion >= behind_band * expected - EPS,
        ],
        [
            "achieved",
            "no_data",
            "overdue",
            "not_due",
            "not_applicable",
            "no_data",
            "met",
            "not_met",
            "no_data",
            "met",
            "not_met",
            "no_data",
            "pending",
            "not_allocated",
            "stretch_achieved",
            "achieved",
            "on_track",
            "behind",
        ],
        default="far_behind",
    )
    actual = np.where(one_side, np.nan, actual)
    last = np.nan_to_num(s["last"].to_numpy(dtype=float), nan=0.0).astype(int)
    n_stale = s["n_stale"].fillna(0).to_numpy(dtype=int)
    labels = np.array([month_label(year, m) for m in range(13)], dtype=object)

    # Completeness: expected reporters without a figure for the reporting month.
    own_rows = agg[agg["own"].eq(True)]
    expect = _expected_reporters(plan, own_rows, month)
    sc = _scope(plan, expect).groupby(["target", "unit"], sort=False)["fresh"].agg(["size", "sum"])
    idx = pd.MultiIndex.from_arrays([s["target"], s["org"]])
    n_expected = sc["size"].reindex(idx).fillna(0).to_numpy(dtype=int)
    n_fresh = sc["sum"].reindex(idx).fillna(0).to_numpy(dtype=int)

    # Year on year: the same month of last year, when its monthly figures are there.
    last_year = np.full(len(s), np.nan)
    ly = _last_year(plan, reports, month, split)
    if ly is not None:
        last_year = s[["target", "org"]].merge(ly, on=["target", "org"], how="left")["last_year_actual"]
        last_year = last_year.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        yoy = np.where(
            is_share, actual - last_year, np.where(last_year > 0, actual / last_year - 1.0, np.nan)
        )
    yoy = np.where(milestone | ~np.isfinite(yoy), np.nan, yoy)

    out = pd.DataFrame(
        {
            "target": s["target"].to_numpy(),
            "org": s["org"].to_numpy(),
            "kind": kind,
            "group": s["group"].to_numpy(),
            "unit": s["unit"].to_numpy(),
            "month": month_label(year, month),
            "actual": actual,
            "numerator": np.where(is_share & (n_num > 0), s["n_sum"].to_numpy(dtype=float), np.nan),
            "denominator": np.where(is_share & (n_den > 0), s["d_sum"].to_numpy(dtype=float), np.nan),
            # A baseline (last year's county figure) describes the total only.
            "baseline": np.where(has_base, np.where(relative, baseline, plan_baseline), np.nan),
            "target_value": target_value,
            "stretch": stretch,
            "allocation": np.where(is_all, s["alloc_total"].to_numpy(dtype=float), allocation),
            "completion": completion,
            "expected": expected,
            "gap_pp": (completion - expected) * 100.0,
            "status": code,
            "status_label": pd.Series(code)
            .map({c: t(f"status.{c}", lang) for c in STATUSES})
            .to_numpy(dtype=object),
            "stale": has_data & (n_stale > 0),
            "last_month": labels[last],
            "n_reporting": s["n_reporting"].fillna(0).to_numpy(dtype=int),
            "n_stale": n_stale,
            "children_sum": children,
            "n_met": n_met,
            "n_orgs": n_orgs,
            "due": s["due"].to_numpy(dtype=object),
            "data_month": labels[last],
            "n_expected": n_expected,
            "incomplete": n_fresh < n_expected,
            "last_year_actual": last_year,
            "yoy": yoy,
        }
    )
    # Keep the plan's target order, then the total first, then orgs in plan order.
    order_t = {tg.id: i for i, tg in enumerate(plan.targets)}
    order_o = {o.id: i for i, o in enumerate(plan.orgs)}
    out["_t"] = out["target"].map(order_t)
    order_o[ALL] = -1
    out["_o"] = out["org"].map(order_o).fillna(len(order_o) - 1).astype(int)
    out = out.sort_values(["_t", "_o", "org"], kind="stable").drop(columns=["_t", "_o"])
    return out.reset_index(drop=True)[COLUMNS]


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the ``org == 'all'`` rows of a status frame."""
    return frame[frame["org"] == ALL].reset_index(drop=True)


def counts_by_status(frame: pd.DataFrame) -> pd.Series:
    """How many rows have each status code, in :data:`STATUSES` order (zeros kept)."""
    return frame["status"].value_counts().reindex(list(STATUSES), fill_value=0)
