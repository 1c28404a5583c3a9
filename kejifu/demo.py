"""The demo workspace: the 2005 沂南县 plan with SYNTHETIC monthly reports and registers.

Every figure made here is invented (示例数据, marked ``synthetic`` in the store):
it exists so that notebooks, dashboards and tests have a realistic half year to
show. It is reproducible from ``seed`` (``numpy.random.default_rng``) and shaped
so that the June status is a real mix — a few targets achieved, most on track,
one behind, exactly one far behind at county level — with one town that never
sends its June report (its May figures carried forward, stale), one town whose May
report arrives after the deadline (迟报) and one June figure corrected by a second
import (revision 2, note ``更正 / correction``).

Reports go through :meth:`kejifu.store.Store.commit_reports` exactly as real
imports do: one batch per reporting org per month, named like
``demo:seed=2005:hutou-2005-06``; registers one batch per register per month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from . import schedule as schedule_mod
from .plan import Plan
from .status import reporting_month
from .store import Store, sha256_text

#: How far ahead (> 1) or behind (< 1) of the schedule each county total runs:
#: the county figure through month m is round(pace × expected share × target).
PACE = {
    "new_varieties": 1.10,
    "mushroom_area": 1.12,
    "plan_projects": 1.15,
    "achievements": 0.88,  # behind (between 85 % and 100 % of the time progress)
    "ht_groomed": 1.50,
    "new_products": 1.20,
    "ht_output": 1.04,  # output of the provincial high-tech enterprises
    "terminals": 1.10,
    "specialists": 1.10,
    "research_institutions": 0.50,  # far behind: the one county target in trouble
    "patents": 1.15,
}
#: Targets the county S&T bureau reports as event counts: month -> year-to-date count.
EVENTS = {
    "ht_ent_provincial": {4: 1},
    "ht_ent_national": {3: 1},  # achieved early
    "training_courses": {1: 1, 3: 2},  # achieved
    "countryside_events": {1: 1, 2: 2, 4: 3},  # achieved
    "five_year_plan": {},  # milestone due in October: 0 so far
}
KJJ, TJJ = "yinan_kjj", "yinan_tjj"
HT_ENTERPRISES = ("ent_ymgy", "ent_sy", "ent_a", "ent_b", "ent_c", "ent_d", "ent_e", "ent_f", "ent_g")
OTHER_ENTERPRISES = ("ent_h", "ent_i", "ent_j")
STALE_TOWN = "mamuchi"  # sends no June report
CORRECTED_TOWN = "sucun"  # June mushroom figure re-imported with a correction
LATE_TOWN = "zhuanbu"  # files the month before the last one three days after the deadline (迟报)
HT_SHARE_JUNE = (31.6, 31.9)  # county share [%] of high-tech enterprise output, drawn in this range
CORRECTION_NOTE = "更正 / correction"

PATENT_TITLES = [
    "一种食用菌菌棒自动装袋机",
    "一种香菇保鲜贮藏方法",
    "一种速冻蔬菜清洗装置",
    "一种杏鲍菇液体菌种培养方法",
    "一种农用薄膜回收机",
    "一种食品真空包装封口装置",
    "一种菌渣有机肥发酵工艺",
    "一种花生脱壳机",
    "一种蔬菜脱水烘干设备",
    "一种金针菇采收工具",
    "一种饲料颗粒冷却器",
    "一种大棚温湿度自动控制器",
    "一种食用菌保鲜膜",
    "一种果蔬分级机",
    "一种玻璃器皿退火炉",
    "一种节能烘干窑",
    "一种菌种接种箱",
    "一种冷库除湿装置",
]
INSTITUTION_TITLES = [
    "示例食用菌研究所",
    "示例果蔬加工技术中心",
    "示例农业科技服务中心",
    "示例新材料研究室",
    "示例生物技术研究所",
    "示例机械设计研究室",
    "示例畜牧技术研究中心",
    "示例有机肥研究所",
]


def _org_paths(
    rng, finals: dict[str, float], weights: np.ndarray, months: int, decimals: int
) -> dict[str, np.ndarray]:
    """Year-to-date paths through ``months`` ending at each final value, shaped by ``weights`` with noise."""
    out = {}
    for org, final in finals.items():
        w = weights[:months] * rng.uniform(0.6, 1.4, size=months)
        cum = np.cumsum(w) / w.sum() * final
        out[org] = np.round(cum, decimals)
    return out


def _county_counts(pace: float, schedule, target: float, months: int) -> np.ndarray:
    """County year-to-date counts per month: round(pace × expected share × target)."""
    exp = schedule_mod.expected_share(schedule, np.arange(1, months + 1))
    return np.round(pace * exp * target).astype(int)


def _split_counts(
    rng, totals: np.ndarray, orgs: list[str], probs: np.ndarray, skip_last: str | None = None
) -> dict[str, np.ndarray]:
    """Distribute each month's new units among ``orgs`` at random (``skip_last``: none in the last month)."""
    months = len(totals)
    inc = np.diff(np.concatenate([[0], totals]))
    per = np.zeros((len(orgs), months), dtype=int)
    for m in range(months):
        p = probs.copy()
        if skip_last is not None and m == months - 1:
            p[orgs.index(skip_last)] = 0
        p = p / p.sum()
        if inc[m] > 0:
            per[:, m] = rng.multinomial(int(inc[m]), p)
    cum = per.cumsum(axis=1)
    return {o: cum[i] for i, o in enumerate(orgs)}


def _increment_dates(rng, year: int, totals: np.ndarray) -> list[dt.date]:
    """A date in its month for every new unit of the county counts ``totals``."""
    inc = np.diff(np.concatenate([[0], totals]))
    dates = []
    for m, k in enumerate(inc, start=1):
        days = np.sort(rng.integers(1, 29, size=int(k)))
        dates += [dt.date(year, m, int(d)) for d in days]
    return dates


def demo_reports(
    plan: Plan, seed: int = 2005, months: int = 6
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The synthetic figures: a reports frame (``org, measure, month, value``) and register items by kind.

    Pure and reproducible from ``seed``; :func:`build_demo` commits them batch by batch.
    """
    rng = np.random.default_rng(seed)
    year = plan.year
    towns = [o.id for o in plan.towns()]
    rows: list[tuple[str, str, int, float]] = []

    def add(paths: dict[str, np.ndarray], measure: str) -> None:
        for org, path in paths.items():
            for m, v in enumerate(path, start=1):
                rows.append((org, measure, m, float(v)))

    # Towns: mushroom area [亩] against their allocations, new varieties [个].
    mush = plan.target("mushroom_area")
    alloc = mush.allocation_values()
    exp_m = schedule_mod.expected_share(mush.schedule, months)
    factor = {t: rng.uniform(0.55, 1.6) for t in towns}
    raw = {t: alloc.get(t, 150.0) * factor[t] for t in towns}
    total = PACE["mushroom_area"] * exp_m * mush.target
    finals = {t: raw[t] / sum(raw.values()) * total for t in towns}
    add(_org_paths(rng, finals, schedule_mod.weights(mush.schedule) + 0.01, months, 0), "mushroom_area")
    nv = plan.target("new_varieties")
    nv_totals = _county_counts(PACE["new_varieties"], nv.schedule, nv.target, months)
    add(
        _split_counts(rng, nv_totals, towns, rng.uniform(0.5, 1.5, len(towns)), skip_last=STALE_TOWN),
        "new_varieties",
    )

    # County S&T bureau: project, achievement and enterprise counts, events, the milestone.
    kjj = {}
    for tid in ("plan_projects", "achievements", "ht_groomed", "new_products"):
        tg = plan.target(tid)
        kjj[tid] = _county_counts(PACE[tid], tg.schedule, tg.target, months)
    for tid, steps in EVENTS.items():
        path, level = [], 0
        for m in range(1, months + 1):
            level = steps.get(m, level)
            path.append(level)
        kjj[tid] = np.array(path)
    for tid, path in kjj.items():
        add({KJJ: path}, tid)

    # High-tech enterprises: output [亿元] against allocations; sales and R&D [万元].
    hto = plan.target("ht_output_value")
    ent_alloc = hto.allocation_values()
    linear = schedule_mod.weights("linear")
    goal = hto.target if hto.target is not None else hto.stretch  # 争取突破10亿元: a stretch only
    ht_total = PACE["ht_output"] * schedule_mod.expected_share("linear", months) * goal
    raw = {e: ent_alloc.get(e, 1.0) * rng.uniform(0.75, 1.3) for e in HT_ENTERPRISES}
    finals = {e: raw[e] / sum(raw.values()) * ht_total for e in HT_ENTERPRISES}
    ht_paths = _org_paths(rng, finals, linear, months, 3)
    add(ht_paths, "ht_output")
    for e in HT_ENTERPRISES:
        sales = ht_paths[e] * 10000 * rng.uniform(0.85, 0.95)  # 亿元 -> 万元
        add({e: np.round(sales, 1)}, "sales")
        add({e: np.round(sales * rng.uniform(0.040, 0.060), 1)}, "rd_spend")
    for e in OTHER_ENTERPRISES:
        final = rng.uniform(3000, 8000)
        sales = _org_paths(rng, {e: final}, linear, months, 1)[e]
        add({e: sales}, "sales_other")
        add({e: np.round(sales * rng.uniform(0.006, 0.013), 1)}, "rd_spend_other")

    # Statistics bureau: above-scale industrial output [亿元], so the share ends in HT_SHARE_JUNE.
    share = rng.uniform(*HT_SHARE_JUNE)
    # Monthly shares wander a little around the June one.
    ht_month = np.sum([p for p in ht_paths.values()], axis=0)
    wobble = np.append(rng.uniform(0.985, 1.015, size=months - 1), 1.0)
    ind_paths = {TJJ: np.round(ht_month / (share / 100.0) * wobble, 3)}
    add(ind_paths, "industrial_output")
    # ... and high-tech industry output [亿元], about 24 % of it (2004: 23.2 %); its target is awaited.
    add({TJJ: np.round(ind_paths[TJJ] * rng.uniform(0.235, 0.245), 3)}, "ht_industry_output")

    reports = pd.DataFrame(rows, columns=["org", "measure", "mnum", "value"])
    reports = reports[~((reports["org"] == STALE_TOWN) & (reports["mnum"] == months) & (months > 1))]
    reports.insert(2, "month", reports["mnum"].map(lambda m: f"{year:04d}-{m:02d}"))
    reports = reports.drop(columns="mnum").reset_index(drop=True)

    # Registers.
    items: dict[str, pd.DataFrame] = {}
    term = plan.target("terminals")
    t_alloc = term.allocation_values()
    t_totals = _county_counts(PACE["terminals"], term.schedule, term.target, months)
    probs = np.array([t_alloc.get(t, 20.0) * rng.uniform(0.6, 1.5) for t in towns])
    t_rows, serial = [], 0
    per_town_village: dict[str, int] = {}
    for d in _increment_dates(rng, year, t_totals):
        town = towns[int(rng.choice(len(towns), p=probs / probs.sum()))]
        serial += 1
        per_town_village[town] = per_town_village.get(town, 0) + 1
        village = f"{plan.org(town).name.rstrip('镇乡')}示例{per_town_village[town]}村"
        t_rows.append(
            {
                "org": town,
                "village": village,
                "date": pd.Timestamp(d),
                "serial": f"XXJ-{year}-{serial:04d}",
                "title": village,
            }
        )
    items["terminals"] = pd.DataFrame(t_rows)

    enterprises = list(HT_ENTERPRISES) + list(OTHER_ENTERPRISES)
    pat = plan.target("patents")
    p_rows = []
    for i, d in enumerate(
        _increment_dates(rng, year, _county_counts(PACE["patents"], pat.schedule, pat.target, months))
    ):
        org = (
            enterprises[int(rng.integers(len(enterprises)))]
            if rng.random() < 0.75
            else towns[int(rng.integers(len(towns)))]
        )
        p_rows.append(
            {
                "org": org,
                "date": pd.Timestamp(d),
                "title": PATENT_TITLES[i % len(PATENT_TITLES)],
                "applicant": plan.org(org).name,
                "serial": f"ZL-{year}-DEMO-{i + 1:03d}",
            }
        )
    items["patents"] = pd.DataFrame(p_rows)

    ri = plan.target("research_institutions")
    r_rows = []
    for i, d in enumerate(
        _increment_dates(
            rng, year, _county_counts(PACE["research_institutions"], ri.schedule, ri.target, months)
        )
    ):
        org = enterprises[int(rng.integers(len(enterprises)))]
        r_rows.append(
            {"org": org, "date": pd.Timestamp(d), "title": INSTITUTION_TITLES[i % len(INSTITUTION_TITLES)]}
        )
    items["research_institutions"] = pd.DataFrame(r_rows)

    sp = plan.target("specialists")
    s_rows = []
    for i, d in enumerate(
        _increment_dates(rng, year, _county_counts(PACE["specialists"], sp.schedule, sp.target, months))
    ):
        town = towns[int(rng.integers(len(towns)))]
        s_rows.append(
            {
                "org": town,
                "date": pd.Timestamp(d),
                "title": f"示例特派员{i + 1:02d}",
                "level": "county" if rng.random() < 0.4 else "town",
                "outside": i == 0,
            }
        )
    items["specialists"] = pd.DataFrame(s_rows)
    return reports, items


def _sha(frame: pd.DataFrame, source: str) -> str:
    """A stand-in for the sha256 of the file a clerk would have sent: its name and rows."""
    rows = "\n".join(",".join(map(str, r)) for r in frame.itertuples(index=False))
    return sha256_text(f"{source}\n{','.join(frame.columns)}\n{rows}")


def build_demo(
    workspace: str | Path | None = None,
    seed: int = 2005,
    as_of: str | dt.date = "2005-06-30",
    *,
    overwrite: bool = False,
) -> Path:
    """Create the synthetic demo workspace at ``workspace`` (default ``data/demo``) and return its path.

    Reports run from January through the reporting month of ``as_of``. With
    ``overwrite=True`` an existing store and plan file there are removed first;
    otherwise an existing workspace raises :class:`~kejifu.errors.StoreError`.
    """
    ws = Path(workspace) if workspace is not None else config.demo_workspace()
    ws = ws.expanduser().resolve()
    if overwrite:
        for name in (config.DB_FILE, config.DB_FILE + "-wal", config.DB_FILE + "-shm", config.PLAN_FILE):
            (ws / name).unlink(missing_ok=True)
    store = Store.create(ws, config.demo_plan(), who="demo")
    try:
        plan = store.plan()
        months = max(reporting_month(as_of, plan.year), 1)
        reports, items = demo_reports(plan, seed=seed, months=months)
        store.set_meta("synthetic", "1")
        store.set_meta("demo_seed", str(seed))
        year = plan.year
        order = [o.id for o in plan.orgs]
        mnum = reports["month"].str.slice(5, 7).astype(int)
        by_org_month = {
            key: g.reset_index(drop=True) for key, g in reports.groupby([mnum, "org"], sort=False)
        }
        item_months = {
            kind: {m: g.reset_index(drop=True) for m, g in its.groupby(its["date"].dt.month)}
            for kind, its in items.items()
            if not its.empty
        }
        for m in range(1, months + 1):
            due = dt.datetime(year + (m == 12), m % 12 + 1, 5, 9, 0)  # filed early next month
            orgs = sorted({o for (mm, o) in by_org_month if mm == m}, key=order.index)
            for i, org in enumerate(orgs):
                frame = by_org_month[(m, org)]
                received = due + dt.timedelta(minutes=7 * i)
                if org == LATE_TOWN and m == months - 1:
                    received = due + dt.timedelta(days=3)  # after the 5th: late
                source = f"demo:seed={seed}:{org}-{year:04d}-{m:02d}"
                if org == CORRECTED_TOWN and m == months and months > 1:
                    frame = frame.copy()
                    frame.loc[frame["measure"] == "mushroom_area", "value"] += 30.0  # a slip, corrected below
                store.commit_reports(
                    frame,
                    source_file=source,
                    sha256=_sha(frame, source),
                    who="demo",
                    imported_at=received,
                )
            for kind, per_month in item_months.items():
                batch = per_month.get(m)
                if batch is None:
                    continue
                source = f"demo:seed={seed}:{kind}-{year:04d}-{m:02d}"
                store.commit_register_items(
                    batch,
                    kind=kind,
                    source_file=source,
                    sha256=_sha(batch, source),
                    who="demo",
                    imported_at=due + dt.timedelta(hours=3),
                )
        if months > 1:
            m = months
            fix = reports[
                (reports["org"] == CORRECTED_TOWN) & (mnum == m) & (reports["measure"] == "mushroom_area")
            ]
            fix = fix.assign(note=CORRECTION_NOTE).reset_index(drop=True)
            source = f"demo:seed={seed}:{CORRECTED_TOWN}-{year:04d}-{m:02d}-correction"
            store.commit_reports(
                fix,
                source_file=source,
                sha256=_sha(fix, source),
                who="demo",
                note=CORRECTION_NOTE,
                imported_at=dt.datetime(year + (m == 12), m % 12 + 1, 12, 15, 30),
            )
        # The organisation department's ledger of technology deputies (synthetic too).
        from .deputies.demo import load_demo

        load_demo(store, seed=seed, who="demo", recorded_at=dt.datetime(year, months, 28, 17, 0))
    finally:
        store.close()
    return ws
