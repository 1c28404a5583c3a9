"""Ranking: the one rule that ranks towns by their progress, used by every ranking (the towns
dashboard and its chart, the quarterly bulletin, the year-end assessment's order).

The rule, over a status frame (:func:`kejifu.status.status`):

* counted: each target allocated to the town (``allocation`` set) that is not a milestone, has
  something due (``expected`` > 0) and applies to the town (status not ``not_applicable``), and
  whose value is set (the total not ``pending``, 目标值待市里下达);
* a counted target's *ratio* = completion ÷ expected [ratio], capped at the plan's cap
  (``settings.ranking.cap``, default :data:`DEFAULT_CAP`) so that one early-season target cannot
  carry a town; a target the town has not reported counts 0;
* the town's ``relative`` = the mean ratio [ratio] (``score`` = relative × 100 [points]);
* ranks: best first, ties share a rank (1, 2, 2, 4), compared at :data:`TIE_DECIMALS` decimals;
* a town that reported none of its counted targets has no figure (NaN), is ranked last (all such
  towns share the last rank) and has ``reported`` = False and status ``no_data``.

The town's ``status`` is ``stretch_achieved``/``achieved`` when every counted target is, else
``on_track`` (relative ≥ 1), ``behind`` (≥ the plan's behind band) or ``far_behind``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import PlanError
from .plan import Plan
from .status import ALL

#: The ratio cap when the plan does not set ``settings.ranking.cap`` [ratio].
DEFAULT_CAP = 1.5
#: Relative values equal at this many decimals share a rank.
TIE_DECIMALS = 9
#: The org kinds ranked by default.
KINDS = ("town", "subdistrict")

COLUMNS = [
    "rank",
    "org",
    "org_name",
    "relative",
    "score",
    "n_targets",
    "n_data",
    "n_far_behind",
    "n_no_data",
    "reported",
    "status",
]


def cap(plan: Plan) -> float:
    """The ratio cap [ratio] of ``plan``: ``settings.ranking.cap`` or :data:`DEFAULT_CAP`.

    Raises :class:`~kejifu.errors.PlanError` for a cap that is not a number ≥ 1.
    """
    setting = (plan.settings or {}).get("ranking") or {}
    value = setting.get("cap", DEFAULT_CAP) if isinstance(setting, dict) else setting
    try:
        c = float(value)
    except (TypeError, ValueError):
        c = float("nan")
    if not c >= 1.0:
        raise PlanError(
            f"排名封顶值 settings.ranking.cap 应为不小于1的数：{value!r}",
            f"settings.ranking.cap must be a number of at least 1: {value!r}",
            field="settings.ranking.cap",
        )
    return c


def ratio(frame: pd.DataFrame) -> np.ndarray:
    """Completion ÷ expected per row [ratio]; NaN when nothing is due yet (expected ≤ 0)."""
    c = pd.to_numeric(frame["completion"], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(frame["expected"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, c / e, np.nan)


def shared_ranks(values, *, reported=None, ascending: bool = False) -> np.ndarray:
    """Ranks (1 = best; highest first unless ``ascending``) where equal values share a rank
    (1, 2, 2, 4); missing values, and rows whose ``reported`` is False, share the last rank."""
    v = pd.Series(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float))
    if reported is not None:
        v = v.where(np.asarray(reported, dtype=bool))
    ranks = v.round(TIE_DECIMALS).rank(method="min", ascending=ascending)
    last = int(ranks.notna().sum()) + 1
    return ranks.fillna(last).astype(int).to_numpy()


def counted_rows(frame: pd.DataFrame, orgs: list[str]) -> pd.DataFrame:
    """The status rows the rule counts for ``orgs`` (see the module docstring)."""
    f = frame[(frame["org"] != ALL) & frame["org"].isin(orgs) & frame["allocation"].notna()]
    if "kind" in f:
        f = f[f["kind"] != "milestone"]
    if "status" in f:
        f = f[~f["status"].isin(("not_applicable", "pending"))]
        pending = frame.loc[(frame["org"] == ALL) & (frame["status"] == "pending"), "target"]
        f = f[~f["target"].isin(set(pending))]  # a target whose value is awaited ranks nobody
    return f[pd.to_numeric(f["expected"], errors="coerce") > 0]


def rank_towns(frame: pd.DataFrame, plan: Plan, *, orgs=None, kinds=KINDS, lang: str = "zh") -> pd.DataFrame:
    """Towns ranked by the one rule (module docstring), best first.

    ``orgs`` (ids, in the order ties keep) defaults to the plan's orgs of ``kinds``. Returns
    :data:`COLUMNS`: ``rank``, ``org``, ``org_name``, ``relative`` [ratio], ``score`` [points],
    ``n_targets`` (counted), ``n_data`` (of them reported), ``n_far_behind``, ``n_no_data``,
    ``reported`` (False: reported none, ranked last), ``status``. A town with nothing counted
    (no allocated target due yet) is left out.
    """
    order = list(orgs) if orgs is not None else [o.id for o in plan.orgs if o.kind in kinds]
    f = counted_rows(frame, order)
    r = ratio(f)
    has = np.isfinite(pd.to_numeric(f["completion"], errors="coerce").to_numpy(dtype=float))
    codes = f["status"].to_numpy() if "status" in f else np.full(len(f), None)
    g = (
        pd.DataFrame(
            {
                "org": f["org"].to_numpy(),
                "rel": np.minimum(np.where(has, np.nan_to_num(r, nan=0.0), 0.0), cap(plan)),
                "has": has,
                "achieved": np.isin(codes, ["achieved", "stretch_achieved"]),
                "stretch": codes == "stretch_achieved",
                "far": codes == "far_behind",
                "nd": ~has,
            }
        )
        .groupby("org", sort=False)
        .agg(
            relative=("rel", "mean"),
            n_targets=("rel", "size"),
            n_data=("has", "sum"),
            n_far_behind=("far", "sum"),
            n_no_data=("nd", "sum"),
            all_achieved=("achieved", "all"),
            all_stretch=("stretch", "all"),
        )
    )
    g = g.reindex([o for o in order if o in g.index])
    reported = g["n_data"].to_numpy() > 0
    rel = np.where(reported, g["relative"].to_numpy(dtype=float), np.nan)
    band = plan.plan.bands.behind
    status = np.select(
        [
            ~reported,
            g["all_stretch"].to_numpy(dtype=bool),
            g["all_achieved"].to_numpy(dtype=bool),
            rel >= 1 - 1e-9,
            rel >= band - 1e-9,
        ],
        ["no_data", "stretch_achieved", "achieved", "on_track", "behind"],
        default="far_behind",
    )
    out = pd.DataFrame(
        {
            "rank": shared_ranks(rel, reported=reported),
            "org": g.index.to_numpy(),
            "org_name": [plan.org_name(o, lang) for o in g.index],
            "relative": rel,
            "score": rel * 100.0,
            "n_targets": g["n_targets"].to_numpy(dtype=int),
            "n_data": g["n_data"].to_numpy(dtype=int),
            "n_far_behind": g["n_far_behind"].to_numpy(dtype=int),
            "n_no_data": g["n_no_data"].to_numpy(dtype=int),
            "reported": reported,
            "status": status,
        },
        columns=COLUMNS,
    )
    return out.sort_values("rank", kind="stable").reset_index(drop=True)
