"""Status: where each target stands as of a date, for every org and for the total.

The contract (design.md):

* the *reporting month* is the last month ended on or before the as-of date;
* ``actual`` is the year-to-date value through that month [target unit]; a town
  whose latest report is older is carried forward and flagged ``stale``; a town
  with no report through the reporting month is ``no_data``;
* ``completion`` = actual / target [share] (shares and levels:
  (actual − baseline) / (target − baseline));
* ``expected`` = the schedule's share due through the reporting month [share];
* status ``stretch_achieved``, ``achieved``, ``on_track`` (completion ≥ expected),
  ``behind`` (completion ≥ bands.behind × expected), ``far_behind``, ``no_data``;
  extended with ``not_allocated`` for an org that reports a cumulative target
  it was given no share of (its figures still count in the total).

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

from . import schedule as schedule_mod
from .i18n import t
from .plan import Plan
from .units import is_count

ALL = "all"
STATUSES = ("stretch_achieved", "achieved", "on_track", "behind", "far_behind", "no_data", "not_allocated")
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
]
EPS = 1e-9


def reporting_month(as_of: dt.date | str, year: int) -> int:
    """The last month of ``year`` ended on or before ``as_of`` (0 = none yet, 12 = whole year)."""
    d = pd.Timestamp(as_of).date()
    if d.year < year:
        return 0
    if d.year > year:
        return 12
    month_end = (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()
    return d.month if d == month_end else d.month - 1


def month_label(year: int, month: int) -> str:
    """``YYYY-MM`` for month 1..12 of ``year`` (empty for 0)."""
    return f"{year:04d}-{month:02d}" if month else ""


def split_months(months: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Years and month numbers of a series of ``YYYY-MM`` texts or monthly Periods."""
    if isinstance(months.dtype, pd.PeriodDtype):
        return months.dt.year.to_numpy(), months.dt.month.to_numpy()
    cat = months.astype("category")
    cats = pd.Series(cat.cat.categories.astype(str))
    years = cats.str.slice(0, 4).astype(int).to_numpy()
    mons = cats.str.slice(5, 7).astype(int).to_numpy()
    codes = cat.cat.codes.to_numpy()
    return years[codes], mons[codes]


def latest(reports: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Each org's latest report per measure through ``month`` of ``year``.

    Returns ``org, measure, value, mnum`` where ``mnum`` is the month (1..12) the
    value was reported for.
    """
    if reports.empty or month <= 0:
        return pd.DataFrame(
            {
                "org": pd.Series(dtype=object),
                "measure": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
                "mnum": pd.Series(dtype=int),
            }
        )
    years, mons = split_months(reports["month"])
    rows = np.flatnonzero((years == year) & (mons <= month))
    # Integer codes for org and measure (cheap for categoricals), then one stable sort by
    # (org, measure, month): the last row of each (org, measure) run is the latest report,
    # a later row of the same month winning, as a stable sort + drop_duplicates(keep="last").
    org_codes, org_ids = pd.factorize(reports["org"].take(rows), use_na_sentinel=False)
    mea_codes, mea_ids = pd.factorize(reports["measure"].take(rows), use_na_sentinel=False)
    mnum = mons[rows]
    key = org_codes.astype(np.int64) * max(len(mea_ids), 1) + mea_codes
    order = np.lexsort((mnum, key))
    last = order[np.append(key[order][1:] != key[order][:-1], True)] if len(order) else order
    return pd.DataFrame(
        {
            "org": np.asarray(org_ids, dtype=object)[org_codes[last]],
            "measure": np.asarray(mea_ids, dtype=object)[mea_codes[last]],
            "value": reports["value"].to_numpy(dtype=float)[rows[last]],
            "mnum": mnum[last],
        }
    )


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
                "plan_target": tg.target if tg.target is not None else 1.0,
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


def _ancestor_pairs(plan: Plan) -> pd.DataFrame:
    """Pairs (org, ancestor) for every org of the plan [one row per ancestor]."""
    pairs = [(o.id, a) for o in plan.orgs for a in plan.ancestors(o.id)]
    return pd.DataFrame(pairs, columns=["org", "unit_org"], dtype=object)


def _edges(plan: Plan, orgs: np.ndarray, rollup: bool) -> pd.DataFrame:
    """Pairs (org, unit) telling which aggregate rows each reporting org counts in."""
    orgs = pd.Series(orgs, dtype=object)
    parts = [pd.DataFrame({"org": orgs, "unit_org": orgs}), pd.DataFrame({"org": orgs, "unit_org": ALL})]
    if rollup:
        anc = _ancestor_pairs(plan)
        parts.append(anc[anc["org"].isin(orgs)])
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _aggregate(values: pd.DataFrame, edges: pd.DataFrame, month: int) -> pd.DataFrame:
    """Sum (or other aggregate) target values over each unit's reporting orgs."""
    v = values.merge(edges, on="org", how="inner")
    v["is_stale"] = v["mnum"] < month
    g = v.groupby(["target", "unit_org"], sort=False)
    out = (
        g.agg(
            num_sum=("num_value", "sum"),
            den_sum=("den_value", "sum"),
            val_sum=("value", "sum"),
            val_mean=("value", "mean"),
            val_max=("value", "max"),
            val_min=("value", "min"),
            last=("mnum", "max"),
            first=("mnum", "min"),
            n_reporting=("org", "count"),
            n_stale=("is_stale", "sum"),
            n_num=("num_value", "count"),
            n_den=("den_value", "count"),
        )
        .reset_index()
        .rename(columns={"unit_org": "org"})
    )
    return out


def status(
    plan: Plan, reports: pd.DataFrame, as_of: dt.date | str, *, rollup: bool = False, lang: str = "zh"
) -> pd.DataFrame:
    """Status of every target for every reporting or allocated org and for the total (``org='all'``).

    ``rollup=True`` adds a row for every org above the reporting ones (town → county
    → city → province), each aggregating its descendants in the same pass.
    Columns are :data:`COLUMNS`; values are in each target's unit, shares in percent.
    """
    year = plan.year
    month = reporting_month(as_of, year)
    tf = _targets_frame(plan, month)
    lat = latest(reports, year, month)

    # One row per (target, org) with the target's value or its numerator / denominator.
    plain = tf[tf["kind"] != "share"][["target", "measure"]]
    vals = plain.merge(lat, on="measure", how="inner")[["target", "org", "value", "mnum"]]
    vals["num_value"] = np.nan
    vals["den_value"] = np.nan
    shares = tf[tf["kind"] == "share"][["target", "num", "den"]]
    if not shares.empty:
        n = shares.merge(lat.rename(columns={"measure": "num"}), on="num")[["target", "org", "value", "mnum"]]
        d = shares.merge(lat.rename(columns={"measure": "den"}), on="den")[["target", "org", "value", "mnum"]]
        sv = n.merge(d, on=["target", "org"], how="outer", suffixes=("_n", "_d"))
        sv = pd.DataFrame(
            {
                "target": sv["target"],
                "org": sv["org"],
                "value": np.nan,
                "mnum": np.fmin(sv["mnum_n"], sv["mnum_d"]),
                "num_value": sv["value_n"],
                "den_value": sv["value_d"],
            }
        )
        vals = pd.concat([vals, sv], ignore_index=True) if not vals.empty else sv

    edges = _edges(plan, vals["org"].unique() if not vals.empty else np.array([], dtype=object), rollup)
    agg = (
        _aggregate(vals, edges, month)
        if not vals.empty
        else pd.DataFrame(
            columns=[
                "target",
                "org",
                "num_sum",
                "den_sum",
                "val_sum",
                "val_mean",
                "val_max",
                "val_min",
                "last",
                "first",
                "n_reporting",
                "n_stale",
                "n_num",
                "n_den",
            ]
        )
    )

    # Rows: every aggregate, every allocated org, and the total for every target.
    alloc = _allocations(plan)
    # The total's allocation is the sum of what the plan hands out, counted once.
    total_alloc = alloc.groupby("target")["allocation"].sum(min_count=1).rename("alloc_total")
    if rollup and not alloc.empty:
        up = alloc.merge(_ancestor_pairs(plan), on="org")
        roll = up.groupby(["target", "unit_org"], as_index=False, sort=False)["allocation"].sum()
        roll = roll.rename(columns={"unit_org": "org"})
        roll = roll[~roll.set_index(["target", "org"]).index.isin(alloc.set_index(["target", "org"]).index)]
        alloc = pd.concat([alloc, roll], ignore_index=True)
    keys = pd.concat(
        [
            agg[["target", "org"]],
            alloc[["target", "org"]],
            pd.DataFrame({"target": tf["target"], "org": ALL}),
        ]
    ).drop_duplicates()
    s = keys.merge(tf, on="target", how="left").merge(agg, on=["target", "org"], how="left")
    s = s.merge(alloc, on=["target", "org"], how="left")
    s = s.merge(total_alloc, left_on="target", right_index=True, how="left")
    is_all = (s["org"] == ALL).to_numpy()
    # For shares, drop org rows without a denominator unless the org was allocated the share.
    share_no_den = (s["kind"] == "share") & ~is_all & (s["n_den"].fillna(0) == 0) & s["allocation"].isna()
    s = s[~share_no_den].reset_index(drop=True)
    is_all = (s["org"] == ALL).to_numpy()

    kind = s["kind"].to_numpy()
    agg_kind = s["aggregate"].to_numpy()
    actual = np.where(
        agg_kind == "mean",
        s["val_mean"],
        np.where(agg_kind == "max", s["val_max"], np.where(agg_kind == "min", s["val_min"], s["val_sum"])),
    ).astype(float)
    num, den = s["num_sum"].to_numpy(dtype=float), s["den_sum"].to_numpy(dtype=float)
    is_share = kind == "share"
    with np.errstate(divide="ignore", invalid="ignore"):
        share_val = np.where((den > 0) & (s["n_den"].fillna(0).to_numpy() > 0), num / den * 100.0, np.nan)
    actual = np.where(is_share, share_val, actual)
    has_data = s["n_reporting"].fillna(0).to_numpy() > 0
    if is_share.any():
        has_data = has_data & (~is_share | (s["n_den"].fillna(0).to_numpy() > 0))
    actual = np.where(has_data, actual, np.nan)

    allocation = s["allocation"].to_numpy(dtype=float)
    plan_target = s["plan_target"].to_numpy(dtype=float)
    # The org's own target: its allocation; for shares, levels and milestones the plan's own
    # standard applies to every org that was not allocated a figure of its own.
    own = np.where(~np.isnan(allocation), allocation, np.where(kind == "cumulative", np.nan, plan_target))
    target_value = np.where(is_all, plan_target, own)
    stretch = np.where(is_all | (kind != "cumulative"), s["plan_stretch"].to_numpy(dtype=float), np.nan)
    allocation_out = np.where(is_all, s["alloc_total"].to_numpy(dtype=float), allocation)
    baseline = s["baseline_value"].to_numpy(dtype=float)
    plan_baseline = s["target"].map({tg.id: tg.baseline for tg in plan.targets}).to_numpy(dtype=float)
    relative = (kind == "share") | (kind == "level")
    base_for = np.where(relative, baseline, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = np.where(
            kind == "milestone",
            np.where(actual >= 1 - EPS, 1.0, 0.0),
            (actual - base_for) / (target_value - base_for),
        )
    completion = np.where(np.isnan(actual), np.nan, completion)
    expected = s["expected"].to_numpy(dtype=float)
    decrease = (s["direction"] == "decrease").to_numpy()
    stretch_ok = ~np.isnan(stretch) & np.where(decrease, actual <= stretch + EPS, actual >= stretch - EPS)
    behind_band = plan.plan.bands.behind
    code = np.select(
        [
            ~has_data,
            np.isnan(target_value),
            stretch_ok,
            completion >= 1 - EPS,
            completion >= expected - EPS,
            completion >= behind_band * expected - EPS,
        ],
        ["no_data", "not_allocated", "stretch_achieved", "achieved", "on_track", "behind"],
        default="far_behind",
    )
    last = s["last"].to_numpy(dtype=float)
    n_stale = s["n_stale"].fillna(0).to_numpy(dtype=int)
    out = pd.DataFrame(
        {
            "target": s["target"].to_numpy(),
            "org": s["org"].to_numpy(),
            "kind": kind,
            "group": s["group"].to_numpy(),
            "unit": s["unit"].to_numpy(),
            "month": month_label(year, month),
            "actual": actual,
            "numerator": np.where(is_share, num, np.nan),
            "denominator": np.where(is_share, den, np.nan),
            # A cumulative target's baseline (last year's county figure) describes the total only.
            "baseline": np.where(relative, baseline, np.where(is_all, plan_baseline, np.nan)),
            "target_value": target_value,
            "stretch": stretch,
            "allocation": allocation_out,
            "completion": completion,
            "expected": expected,
            "gap_pp": (completion - expected) * 100.0,
            "status": code,
            "status_label": pd.Series(code)
            .map({c: t(f"status.{c}", lang) for c in STATUSES})
            .to_numpy(dtype=object),
            "stale": has_data & (n_stale > 0),
            "last_month": np.array([month_label(year, m) for m in range(13)], dtype=object)[
                np.nan_to_num(last, nan=0.0).astype(int)
            ],
            "n_reporting": s["n_reporting"].fillna(0).to_numpy(dtype=int),
            "n_stale": n_stale,
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
