"""Monthly series: each target's year-to-date actual month by month, per org and in total.

Used by trajectory charts, projections and the monthly table. A month with no
new report carries the org's previous value forward (``stale`` is true for it);
months before an org's first report are missing (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schedule as schedule_mod
from .plan import Plan
from .rollup import milestone_owner
from .status import ALL, split_months

COLUMNS = ["target", "org", "month", "actual", "numerator", "denominator", "expected_value", "stale"]


def _grid(reports: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    """Carried-forward value of every (org, measure) for months 1..through of ``year``."""
    years, months = split_months(reports["month"])
    keep = (years == year) & (months <= through)
    r = pd.DataFrame(
        {
            "org": reports["org"].to_numpy()[keep],
            "measure": reports["measure"].to_numpy()[keep],
            "mnum": months[keep],
            "value": reports["value"].to_numpy(dtype=float)[keep],
        }
    )
    if r.empty:
        return pd.DataFrame(columns=["org", "measure", "mnum", "value", "stale"])
    r = r.drop_duplicates(["org", "measure", "mnum"], keep="last")
    wide = r.pivot(index=["org", "measure"], columns="mnum", values="value")
    wide = wide.reindex(columns=range(1, through + 1))
    reported = wide.notna()
    filled = wide.ffill(axis=1)
    long = filled.stack(future_stack=True).rename("value").reset_index()
    long["stale"] = ~reported.stack(future_stack=True).to_numpy() & long["value"].notna().to_numpy()
    long = long.rename(columns={"mnum": "mnum"})
    long.columns = ["org", "measure", "mnum", "value", "stale"]
    return long.dropna(subset=["value"])


def monthly(
    plan: Plan,
    reports: pd.DataFrame,
    *,
    targets: list[str] | None = None,
    orgs: list[str] | None = None,
    through: int | None = None,
) -> pd.DataFrame:
    """Month-by-month year-to-date actuals [target unit; shares in %].

    Returns :data:`COLUMNS`: one row per target, org (and ``'all'``) and month
    1..``through`` (default: the latest month reported in the plan year) that has a value;
    ``expected_value`` is the plan target times the schedule's share due through that
    month (for shares and levels: baseline + that share of the change). ``orgs`` restricts
    the org rows (the total counts every org not below an org reporting the same measure).
    """
    if through is None:
        years, months = split_months(reports["month"]) if len(reports) else (np.array([]), np.array([]))
        in_year = months[years == plan.year]
        through = int(in_year.max()) if in_year.size else 0
    grid = _grid(reports, plan.year, through)
    # An org's own figure is authoritative: the orgs below one that reports a measure itself do
    # not count again in the total (kejifu.rollup); a milestone's total is its owner's.
    reporters = grid[["org", "measure"]].drop_duplicates()
    by_measure = reporters.groupby("measure")["org"].agg(set).to_dict()
    shadowed = {
        (o, m)
        for m, orgs in by_measure.items()
        for o in orgs
        if o in plan.org_index and any(a in orgs for a in plan.ancestors(o))
    }
    top = ~pd.Series(
        [(o, m) in shadowed for o, m in zip(grid["org"], grid["measure"], strict=True)], dtype=bool
    )
    top = top.to_numpy() if len(grid) else np.array([], dtype=bool)
    grid = grid.assign(top=top)
    chosen = [tg for tg in plan.targets if targets is None or tg.id in targets]
    frames = []
    for tg in chosen:
        cum = np.concatenate([[0.0], schedule_mod.cumulative(tg.schedule)])
        if tg.kind == "share":
            n = grid[grid["measure"] == tg.numerator][["org", "mnum", "value", "stale"]]
            d = grid[grid["measure"] == tg.denominator][["org", "mnum", "value", "stale"]]
            both = n.merge(d, on=["org", "mnum"], suffixes=("_n", "_d"))
            per_org = pd.DataFrame(
                {
                    "org": both["org"],
                    "month": both["mnum"],
                    "numerator": both["value_n"],
                    "denominator": both["value_d"],
                    "stale": both["stale_n"] | both["stale_d"],
                }
            )
            n, d = n[grid.loc[n.index, "top"]], d[grid.loc[d.index, "top"]]
            nt = n.groupby("mnum").agg(numerator=("value", "sum"), stale_n=("stale", "any"))
            dt_ = d.groupby("mnum").agg(denominator=("value", "sum"), stale_d=("stale", "any"))
            tot = nt.join(dt_, how="inner").reset_index().rename(columns={"mnum": "month"})
            tot["stale"] = tot.pop("stale_n") | tot.pop("stale_d")
            tot["org"] = ALL
            f = pd.concat([tot, per_org], ignore_index=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                f["actual"] = np.where(f["denominator"] > 0, f["numerator"] / f["denominator"] * 100, np.nan)
        else:
            g = grid[grid["measure"] == tg.measures[0]]
            per_org = pd.DataFrame(
                {"org": g["org"], "month": g["mnum"], "actual": g["value"], "stale": g["stale"]}
            )
            how = {"sum": "sum", "mean": "mean", "max": "max", "min": "min"}[tg.aggregate]
            counted = g["top"].to_numpy()
            if tg.kind == "milestone":
                counted = (g["org"] == milestone_owner(plan, tg)).to_numpy()
            tot = (
                per_org[counted]
                .groupby("month", as_index=False)
                .agg(actual=("actual", how), stale=("stale", "any"))
            )
            tot["org"] = ALL
            f = pd.concat([tot, per_org], ignore_index=True)
            f["numerator"] = np.nan
            f["denominator"] = np.nan
        if f.empty:
            continue
        f["target"] = tg.id
        base = tg.baseline or 0.0
        goal = tg.target if tg.target is not None else (1.0 if tg.kind == "milestone" else np.nan)
        share_due = cum[f["month"].to_numpy(dtype=int)]
        if tg.kind in ("share", "level"):
            expected = base + (goal - base) * share_due
        elif tg.kind == "milestone":
            expected = np.full(len(f), np.nan)
        else:
            alloc = tg.allocation_values()
            own = f["org"].map(lambda o, goal=goal, alloc=alloc: goal if o == ALL else alloc.get(o, np.nan))
            own = own.to_numpy(dtype=float)
            expected = own * share_due
        f["expected_value"] = expected
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    if orgs is not None:
        out = out[(out["org"] == ALL) | out["org"].isin(orgs)]
    out["month"] = out["month"].astype(int)
    out["stale"] = out["stale"].astype(bool)
    return out.sort_values(["target", "org", "month"], kind="stable").reset_index(drop=True)[COLUMNS]
