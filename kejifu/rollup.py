"""Roll-up: which reported figures count in which status row, an org's own report first.

A row of the status frame is a *unit*: an org, or the total (``'all'``). For every measure:

* an org that reports a measure itself is authoritative for it: its row shows its own
  figure, and the figures of the orgs below it do not count in it nor above it
  (a county's own total is never added to its towns' sum);
* an org that does not report the measure stands for the orgs below it that do, the
  nearest first (its *members*);
* ``children_sum`` (下级合计) is what the level below says: the members of each child;
  for the total it is the level below the topmost reporters (or the topmost reporters
  themselves where nobody reports below them);
* a milestone's total counts its owner's own report only (default: the root org).

Everything is vectorised over the long frame of latest reports (:func:`latest`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .plan import Plan

ALL = "all"
#: The sides of a contribution: the target's own measure, a share's numerator, its denominator.
SIDES = ("v", "n", "d")
INF = 1 << 40  # "no reporting ancestor" [levels]


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


def latest(
    reports: pd.DataFrame, year: int, month: int, *, split: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.DataFrame:
    """Each org's latest report per measure through ``month`` of ``year``.

    Returns ``org, measure, value, mnum`` where ``mnum`` is the month (1..12) the
    value was reported for. ``split`` is :func:`split_months` of ``reports["month"]`` when the
    caller has it already (status reads two years from one frame).
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
    years, mons = split if split is not None else split_months(reports["month"])
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


def milestone_owner(plan: Plan, target) -> str:
    """The org whose own report says a milestone is done (``owner:``, default the root org)."""
    return target.owner or plan.root().id


def region_org(plan: Plan) -> str | None:
    """The org the plan is for (id or name equal to ``plan.region``): the one org that has the
    plan's baselines, besides the total; None when no org is the region."""
    region = plan.plan.region
    for o in plan.orgs:
        if region in (o.id, o.name):
            return o.id
    return None


def ancestor_pairs(plan: Plan) -> pd.DataFrame:
    """``org, unit_org, dist``: every org of the plan with each ancestor (parent = 1)."""
    rows = [(o.id, a, d) for o in plan.orgs for d, a in enumerate(plan.ancestors(o.id), start=1)]
    return pd.DataFrame(
        {
            "org": pd.Series([r[0] for r in rows], dtype=object),
            "unit_org": pd.Series([r[1] for r in rows], dtype=object),
            "dist": pd.Series([r[2] for r in rows], dtype=np.int64),
        }
    )


def contributions(plan: Plan, lat: pd.DataFrame) -> pd.DataFrame:
    """``target, org, side, measure, value, mnum``: each org's latest figure for each target.

    ``side`` is ``v`` (the target's own measure) or ``n`` / ``d`` (a share's numerator and
    denominator), one row per side an org reported.
    """
    rows = []
    for tg in plan.targets:
        if tg.kind == "share":
            rows += [(tg.id, "n", tg.numerator), (tg.id, "d", tg.denominator)]
        else:
            rows.append((tg.id, "v", tg.measures[0]))
    sides = pd.DataFrame(rows, columns=["target", "side", "measure"])
    out = sides.merge(lat, on="measure", how="inner")
    return out[["target", "org", "side", "measure", "value", "mnum"]]


def memberships(plan: Plan, contrib: pd.DataFrame) -> pd.DataFrame:
    """Every (contribution, unit) pair it counts in: ``member`` (the unit's figure) or
    ``child`` (the unit's children's sum), with the unit's distance above the reporter."""
    m, names, targets = _memberships(plan, contrib)
    return m.assign(
        target=targets[m["target"].to_numpy()],
        org=names[m["org"].to_numpy()],
        side=np.asarray(SIDES, dtype=object)[m["side"].to_numpy()],
        unit_org=names[m["unit_org"].to_numpy()],
    )


def _memberships(plan: Plan, contrib: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`memberships` with integer codes: ``org`` and ``unit_org`` into the returned org names
    (the total, ``'all'``, last), ``target`` into the returned target ids, ``side`` into
    :data:`SIDES`. The joins below run on integers, not on text."""
    anc = ancestor_pairs(plan)
    n_c, n_a = len(contrib), len(anc)
    org_codes, names = pd.factorize(
        np.concatenate(
            [
                contrib["org"].to_numpy(dtype=object),
                anc["org"].to_numpy(dtype=object),
                anc["unit_org"].to_numpy(dtype=object),
            ]
        )
    )
    names = np.append(np.asarray(names, dtype=object), ALL)
    all_code = len(names) - 1
    mea_codes, _ = pd.factorize(contrib["measure"].to_numpy(dtype=object))
    tgt_codes, targets = pd.factorize(contrib["target"].to_numpy(dtype=object))
    targets = np.asarray(targets, dtype=object)
    side_codes = pd.Categorical(contrib["side"].to_numpy(dtype=object), categories=list(SIDES)).codes
    anc = pd.DataFrame(
        {
            "org": org_codes[n_c : n_c + n_a],
            "unit_org": org_codes[n_c + n_a :],
            "dist": anc["dist"].to_numpy(dtype=np.int64),
        }
    )
    c = pd.DataFrame(
        {
            "target": tgt_codes,
            "org": org_codes[:n_c],
            "side": side_codes.astype(np.int64),
            "measure": mea_codes,
            "value": contrib["value"].to_numpy(dtype=float),
            "mnum": contrib["mnum"].to_numpy(),
        }
    )
    reporters = c[["measure", "org"]].drop_duplicates()
    up = reporters.merge(anc, on="org", how="inner")
    reporting_anc = up.merge(
        reporters.rename(columns={"org": "unit_org"}).assign(_r=True), on=["measure", "unit_org"], how="left"
    )
    reporting_anc = reporting_anc[reporting_anc["_r"].notna()]
    block = reporting_anc.groupby(["measure", "org"], sort=False).agg(
        blocked=("dist", "min"), nblock=("dist", "size")
    )
    has_desc = up[["measure", "unit_org"]].drop_duplicates().rename(columns={"unit_org": "org"})
    has_desc["has_desc"] = True
    info = reporters.merge(block.reset_index(), on=["measure", "org"], how="left")
    info = info.merge(has_desc, on=["measure", "org"], how="left")
    info["blocked"] = info["blocked"].fillna(INF).astype(np.int64)
    info["nblock"] = info["nblock"].fillna(0).astype(np.int64)
    info["has_desc"] = info["has_desc"].fillna(False).astype(bool)
    c = c.merge(info, on=["measure", "org"], how="left")

    own = c.assign(unit_org=c["org"], dist=0, member=True, child=False)
    ups = c.merge(anc, on="org", how="inner")
    ups["member"] = ups["dist"] < ups["blocked"]
    ups["child"] = ups["dist"] <= ups["blocked"]
    ups = ups[ups["member"] | ups["child"]]
    code_of = {name: i for i, name in enumerate(names[:-1])}
    target_code = {tg: i for i, tg in enumerate(targets)}
    owners = {
        target_code[tg.id]: code_of.get(milestone_owner(plan, tg), -2)
        for tg in plan.targets
        if tg.kind == "milestone" and tg.id in target_code
    }
    total = c.assign(unit_org=all_code, dist=-1)
    owner = total["target"].map(owners)
    is_ms = owner.notna().to_numpy()
    total["member"] = np.where(
        is_ms, (total["org"].to_numpy() == owner.fillna(-2).to_numpy()), (total["blocked"] == INF).to_numpy()
    )
    total["child"] = (total["nblock"] == 1) | ((total["nblock"] == 0) & ~total["has_desc"])
    total = total[total["member"] | total["child"]]
    cols = ["target", "org", "side", "value", "mnum", "unit_org", "dist", "member", "child"]
    return pd.concat([own[cols], ups[cols], total[cols]], ignore_index=True), names, targets


AGG_COLUMNS = [
    "target",
    "org",
    "v_sum",
    "v_mean",
    "v_max",
    "v_min",
    "v_n",
    "n_sum",
    "n_n",
    "d_sum",
    "d_n",
    "cv_sum",
    "cv_mean",
    "cv_max",
    "cv_min",
    "cv_n",
    "cn_sum",
    "cn_n",
    "cd_sum",
    "cd_n",
    "last",
    "first",
    "n_reporting",
    "n_stale",
    "own",
]


def aggregate(plan: Plan, lat: pd.DataFrame, month: int) -> pd.DataFrame:
    """Per (target, unit): the members' and children's sums (and mean, max, min for plain
    values), counts per side, newest and oldest month, reporting and stale orgs, and ``own``
    (the unit reported the target itself). Columns :data:`AGG_COLUMNS`; ``org`` is the unit."""
    contrib = contributions(plan, lat)
    if contrib.empty:
        dtypes = {"target": object, "org": object, "own": bool}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, float)) for c in AGG_COLUMNS})
    m, names, targets = _memberships(plan, contrib)
    # One integer key per (target, unit); sums and counts by bincount, extremes by an integer groupby.
    tc, tu = pd.factorize(m["target"].to_numpy())  # target codes: in the order the ids would be
    uc, uu = pd.factorize(m["unit_org"].to_numpy())  # org codes: in the order the names would be
    kc, kuniq = pd.factorize(tc.astype(np.int64) * max(len(uu), 1) + uc)
    n_keys = len(kuniq)
    value = m["value"].to_numpy(dtype=float)
    side = m["side"].to_numpy()
    flags = {"member": m["member"].to_numpy(dtype=bool), "child": m["child"].to_numpy(dtype=bool)}
    cols: dict[str, np.ndarray] = {}
    for flag, prefix in (("member", ""), ("child", "c")):
        for sd in ("v", "n", "d"):
            sel = flags[flag] & (side == SIDES.index(sd))
            k, v = kc[sel], value[sel]
            n = np.bincount(k, minlength=n_keys).astype(float)
            total = np.bincount(k, weights=v, minlength=n_keys)
            cols[f"{prefix}{sd}_sum"] = np.where(n > 0, total, np.nan)
            cols[f"{prefix}{sd}_n"] = n
            if sd == "v":
                with np.errstate(divide="ignore", invalid="ignore"):
                    cols[f"{prefix}v_mean"] = np.where(n > 0, total / n, np.nan)
                cols[f"{prefix}v_max"] = _extreme(np.fmax, k, v, n_keys)
                cols[f"{prefix}v_min"] = _extreme(np.fmin, k, v, n_keys)
    mem = flags["member"]
    oc, ou = pd.factorize(m["org"].to_numpy()[mem])
    pair, pairs = pd.factorize(kc[mem].astype(np.int64) * max(len(ou), 1) + oc)
    pmon = _extreme(np.fmin, pair, m["mnum"].to_numpy()[mem], len(pairs))  # every pair has a month
    pkey = (pairs // max(len(ou), 1)).astype(np.int64)
    cols["n_reporting"] = np.bincount(pkey, minlength=n_keys).astype(float)
    cols["n_stale"] = np.bincount(pkey, weights=(pmon < month).astype(float), minlength=n_keys)
    cols["last"] = _extreme(np.fmax, pkey, pmon, n_keys)
    cols["first"] = _extreme(np.fmin, pkey, pmon, n_keys)
    own = m["dist"].to_numpy() == 0
    cols["own"] = np.bincount(kc[own], minlength=n_keys) > 0
    out = pd.DataFrame(
        {
            "target": targets[np.asarray(tu)[kuniq // max(len(uu), 1)]],
            "org": names[np.asarray(uu)[kuniq % max(len(uu), 1)]],
            **cols,
        }
    )
    return out[AGG_COLUMNS]


def _extreme(ufunc, keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """For each key 0..n-1 the largest (``np.fmax``) or smallest (``np.fmin``) of its ``values``
    [their unit], NaN values skipped; NaN for a key without a value (as a pandas group max/min,
    without grouping again by keys that are already dense codes)."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    k, v = np.asarray(keys)[ok], values[ok]
    acc = np.full(n, -np.inf if ufunc is np.fmax else np.inf)
    ufunc.at(acc, k, v)
    return np.where(np.bincount(k, minlength=n) > 0, acc, np.nan)


def _rounding(value: float, unit_is_count: bool, is_share: bool) -> float:
    """How far an own figure and its children's sum may differ by rounding alone [target unit]."""
    if unit_is_count:
        return 0.5
    if is_share:
        return 0.05  # [percentage points]
    text = f"{abs(value):.6f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def own_vs_children(plan: Plan, reports: pd.DataFrame, as_of, lang: str = "zh") -> pd.DataFrame:
    """Every org (and the total) whose own figure differs from the sum of the level below it by
    more than rounding: ``target, org, unit, actual, children_sum, diff`` [target unit; shares in
    points] and ``message`` (「沂南县自报10.3亿元，下级合计9.8亿元，相差0.5亿元」).

    The monthly table and ``kejifu check`` list these findings; the own figure stands.
    """
    from . import display
    from .i18n import t
    from .status import status  # status builds on this module
    from .units import is_count

    s = status(plan, reports, as_of, rollup=True, lang=lang)
    s = s[
        np.isfinite(s["actual"].to_numpy(dtype=float)) & np.isfinite(s["children_sum"].to_numpy(dtype=float))
    ]
    diff = (s["actual"] - s["children_sum"]).to_numpy(dtype=float)
    tol = np.array(
        [
            _rounding(a, is_count(u), k == "share")
            for a, u, k in zip(s["actual"], s["unit"], s["kind"], strict=True)
        ]
    )
    out = s.assign(diff=diff)[np.abs(diff) > tol + 1e-12][
        ["target", "org", "unit", "actual", "children_sum", "diff"]
    ]
    out = out.reset_index(drop=True)
    out["message"] = [
        t(
            "status.own_vs_children",
            lang,
            org=plan.org_name(r.org, lang),
            own=display.number(r.actual, r.unit, lang),
            children=display.number(r.children_sum, r.unit, lang),
            diff=display.number(abs(r.diff), r.unit, lang),
        )
        for r in out.itertuples(index=False)
    ]
    return out
