"""Synthetic plans and monthly reports at county, city and province scale — for tests and benchmarks.

Everything here is invented (示例数据，合成，非真实统计): the plan is marked
``plan.synthetic = True`` and its title says so, the reports frame carries
``frame.attrs["synthetic"] = True``. Both are reproducible from ``seed``.

Scales (the org tree; towns report):

* ``county``   — 1 county > 20 towns;
* ``city``     — 1 city > 10 counties > 15 towns each (150 towns);
* ``province`` — 1 province > 16 cities > 10 counties each > 15 towns each (2,400 towns).

A plan of ``n_targets`` targets mixes ``cumulative`` targets (allocated to every town),
``level`` targets (a value at a point in time, averaged across orgs) and ``share`` targets
(ratio of a numerator measure to a denominator measure). The measures are arranged so that
towns report exactly ``n_targets`` ids a month, so the province data set for 5 years has
5 × 12 × 2,400 × 30 ≈ 4.3 M rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import schedule as schedule_mod
from ..plan import Plan
from ..units import is_count

SCALES: dict[str, tuple[tuple[str, int], ...]] = {
    # (kind, children per parent) from the root down; the root itself is one org.
    "county": (("county", 1), ("town", 20)),
    "city": (("city", 1), ("county", 10), ("town", 15)),
    "province": (("province", 1), ("city", 16), ("county", 10), ("town", 15)),
}
DEFAULT_YEARS = (2006, 2007, 2008, 2009, 2010)

_ZH_KIND = {"province": "省", "city": "市", "county": "县", "town": "镇"}
_PREFIX = {"province": "p", "city": "c", "county": "k", "town": "t"}

# (unit, typical allocation per town [unit], title stem zh, title stem en)
_CUMULATIVE = [
    ("项", 3, "科技计划项目", "S&T plan projects"),
    ("亩", 200, "新发展食用菌面积", "new mushroom area"),
    ("台", 20, "农村科技信息机", "information terminals"),
    ("人", 5, "科技特派员", "technology specialists"),
    ("期", 2, "技术培训班", "training courses"),
    ("件", 2, "专利申请", "patent applications"),
    ("万元", 500, "科技投入", "S&T spending"),
    ("种", 3, "农业新品种", "new crop varieties"),
    ("次", 3, "科技下乡活动", "technology-to-countryside events"),
    ("户", 40, "科技示范户", "demonstration households"),
]
_DENOMINATORS = [
    ("万元", 20_000, "规模以上工业产值", "above-scale industrial output"),
    ("万元", 15_000, "企业销售收入", "enterprise sales"),
]
_LEVEL_UNITS = [
    ("%", 45.0, "科技进步贡献率", "S&T contribution rate"),
    ("", 60.0, "科技示范村覆盖指数", "demonstration village index"),
]
_SCHEDULES = list(schedule_mod.PROFILES)


def _years(years: int | Iterable[int] | None, default: Iterable[int]) -> tuple[int, ...]:
    if years is None:
        return tuple(default)
    if isinstance(years, (int, np.integer)):
        return (int(years),)
    out = tuple(int(y) for y in years)
    if not out:
        raise ValueError("years must not be empty")
    return out


def _tree(scale: str) -> list[dict]:
    """The orgs of ``scale`` as plan dicts, parents before children, towns last within a county."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    levels = SCALES[scale]
    root_kind = levels[0][0]
    orgs = [
        {
            "id": _PREFIX[root_kind],
            "name": f"示例{_ZH_KIND[root_kind]}",
            "name_en": f"Sample {root_kind}",
            "kind": root_kind,
        }
    ]
    frontier = [orgs[0]]
    for kind, n in levels[1:]:
        nxt = []
        for parent in frontier:
            for i in range(1, n + 1):
                suffix = parent["id"][1:] if parent["id"] != _PREFIX[root_kind] else ""
                oid = f"{_PREFIX[kind]}{suffix}{i:02d}"
                o = {
                    "id": oid,
                    "name": f"示例{_ZH_KIND[kind]}{oid[1:]}",
                    "name_en": f"Sample {kind} {oid[1:]}",
                    "kind": kind,
                    "parent": parent["id"],
                }
                nxt.append(o)
        orgs.extend(nxt)
        frontier = nxt
    return orgs


def _kinds(n_targets: int) -> tuple[int, int, int]:
    """How many cumulative, level and share targets make ``n_targets``."""
    if n_targets < 3:
        raise ValueError("n_targets must be at least 3 (one of each kind)")
    n_share = max(1, n_targets // 6)
    n_level = max(1, n_targets // 6)
    return n_targets - n_share - n_level, n_level, n_share


def synth_plan(
    scale: str = "county", *, seed: int = 0, years: int | Iterable[int] | None = None, n_targets: int = 30
) -> Plan:
    """A synthetic plan at ``scale`` (``county``, ``city`` or ``province``).

    ``years`` is one year or several (default 2006–2010); the plan's year is the last of
    them (status() evaluates one plan year at a time; ``plan.settings["synthetic_years"]``
    keeps the whole range for :func:`synth_reports`). Cumulative targets are allocated to
    every town [target unit]; the plan target is the sum of the allocations. Validated
    through :meth:`Plan.model_validate`.
    """
    yrs = _years(years, DEFAULT_YEARS)
    rng = np.random.default_rng([seed, 7])
    orgs = _tree(scale)
    towns = [o["id"] for o in orgs if o["kind"] == "town"]
    n_cum, n_level, n_share = _kinds(n_targets)
    n_den = min(len(_DENOMINATORS), n_cum)

    measures, targets = [], []
    for j in range(n_den):
        unit, _, zh, en = _DENOMINATORS[j]
        measures.append(
            {"id": f"den{j}", "title": f"{zh}（示例）", "title_en": f"{en} (synthetic)", "unit": unit}
        )
    for j in range(n_cum):
        if j < n_den:
            unit, size, zh, en = _DENOMINATORS[j]
        else:
            unit, size, zh, en = _CUMULATIVE[(j - n_den) % len(_CUMULATIVE)]
        alloc = np.maximum(1, np.round(size * rng.lognormal(0, 0.4, len(towns))))
        total = float(alloc.sum())
        tg = {
            "id": f"cum{j:02d}",
            "title": f"{zh}{j}（示例）",
            "title_en": f"{en} {j} (synthetic)",
            "group": "cumulative",
            "unit": unit,
            "kind": "cumulative",
            "target": total,
            "schedule": _SCHEDULES[j % len(_SCHEDULES)],
            "allocations": {town: float(a) for town, a in zip(towns, alloc)},
        }
        if j % 3 == 0:
            tg["stretch"] = float(np.ceil(total * 1.2))
        if j < n_den:
            tg["measure"] = f"den{j}"
        targets.append(tg)
    for j in range(n_level):
        unit, base, zh, en = _LEVEL_UNITS[j % len(_LEVEL_UNITS)]
        tg = {
            "id": f"lvl{j:02d}",
            "title": f"{zh}{j}（示例）",
            "title_en": f"{en} {j} (synthetic)",
            "group": "level",
            "unit": unit,
            "kind": "level",
            "baseline": base,
            "target": base + 3.0,
            "aggregate": "mean" if j % 2 == 0 else "max",
        }
        if j % 2 == 0:
            tg["stretch"] = base + 5.0
        targets.append(tg)
    for j in range(n_share):
        base = float(np.round(rng.uniform(10, 40), 2))
        measures.append(
            {
                "id": f"num{j}",
                "title": f"分子指标{j}（示例）",
                "title_en": f"numerator {j} (synthetic)",
                "unit": "万元",
            }
        )
        targets.append(
            {
                "id": f"shr{j:02d}",
                "title": f"比重指标{j}（示例）",
                "title_en": f"share {j} (synthetic)",
                "group": "share",
                "unit": "%",
                "kind": "share",
                "numerator": f"num{j}",
                "denominator": f"den{j % n_den}",
                "baseline": base,
                "target": base + 3.0,
            }
        )
    data = {
        "plan": {
            "id": f"synthetic-{scale}-{yrs[-1]}-s{seed}",
            "title": f"示例{_ZH_KIND[orgs[0]['kind']]}科技工作目标（合成数据）",
            "title_en": f"Synthetic {scale} technology plan (not real)",
            "region": orgs[0]["name"],
            "year": yrs[-1],
            "synthetic": True,
            "note": "合成示例数据，非真实统计 / synthetic data, not real statistics",
            "groups": {
                "cumulative": {"zh": "累计型", "en": "Cumulative"},
                "level": {"zh": "水平型", "en": "Level"},
                "share": {"zh": "比重型", "en": "Share"},
            },
        },
        "orgs": orgs,
        "measures": measures,
        "targets": targets,
        "settings": {"synthetic_years": list(yrs), "synthetic_scale": scale, "synthetic_seed": seed},
    }
    return Plan.model_validate(data)


def synth_reports(
    plan: Plan,
    *,
    seed: int = 0,
    years: int | Iterable[int] | None = None,
    months: int = 12,
    missing: float = 0.01,
) -> pd.DataFrame:
    """Monthly year-to-date reports of every town for every reportable measure of ``plan``.

    Returns ``org, measure, month ('YYYY-MM'), value`` with categorical ``org``, ``measure`` and
    ``month`` [value in the measure's unit]: cumulative figures rise month by month along the
    target's schedule; level figures drift from the baseline; share numerators are a share of
    their denominator. A fraction ``missing`` of the (year, town, measure) series stops
    reporting between June and November (stale towns). Counts are whole numbers.
    ``frame.attrs["synthetic"]`` is True. ``years`` defaults to the plan's synthetic years.
    """
    yrs = _years(years, plan.settings.get("synthetic_years", (plan.year,)))
    if not 1 <= months <= 12:
        raise ValueError("months must be 1..12")
    rng = np.random.default_rng([seed, 11])
    towns = [o.id for o in plan.towns()]
    reportable = list(plan.reportable())
    n_y, n_t, n_m, n_mo = len(yrs), len(towns), len(reportable), months
    shape = (n_y, n_t, n_m, n_mo)
    values = np.zeros(shape, dtype=float)
    perf = rng.lognormal(0.0, 0.15, (n_y, n_t, 1))  # how well each town does each year
    feeds = {}  # measure -> the target it feeds
    for tg in plan.targets:
        for m in tg.measures:
            feeds.setdefault(m, tg)
    den_of = {tg.numerator: tg for tg in plan.targets if tg.kind == "share"}
    idx = {m: i for i, m in enumerate(reportable)}
    for m, i in idx.items():
        tg = feeds.get(m)
        if tg is not None and tg.kind == "cumulative":
            alloc = tg.allocation_values()
            a = np.array([alloc.get(town, 0.0) for town in towns])
            w = schedule_mod.weights(tg.schedule)[:n_mo]
            lam = a[None, :, None] * w[None, None, :] * perf[:, :, :1] * rng.uniform(0.8, 1.15, (n_y, 1, 1))
            if is_count(tg.unit):
                inc = rng.poisson(lam)
            else:
                inc = np.round(rng.gamma(4.0, lam / 4.0), 2)
            values[:, :, i, :] = np.cumsum(inc, axis=-1)
        elif tg is not None and tg.kind == "level":
            base = tg.baseline or 0.0
            step = (tg.target - base) / 12 if tg.target is not None else 0.0
            drift = base + np.arange(1, n_mo + 1)[None, None, :] * step * perf * 1.1
            values[:, :, i, :] = np.round(drift + rng.normal(0, 1.0, (n_y, n_t, n_mo)), 2)
        elif (
            m not in den_of
        ):  # a measure no cumulative or level target reads (e.g. only a share's denominator)
            inc = rng.gamma(4.0, 1000.0 / 12 / 4.0, (n_y, n_t, n_mo)) * perf
            values[:, :, i, :] = np.round(np.cumsum(inc, axis=-1), 2)
    for num, tg in den_of.items():
        i, j = idx[num], idx[tg.denominator]
        ratio = ((tg.baseline or 0.0) + rng.normal(3.0, 2.0, (n_y, n_t, 1))) / 100.0
        values[:, :, i, :] = np.round(values[:, :, j, :] * np.clip(ratio, 0.0, 1.0), 2)

    keep = np.ones(shape, dtype=bool)
    if missing > 0:
        stops = rng.random((n_y, n_t, n_m)) < missing
        cutoff = np.where(stops, rng.integers(6, 12, (n_y, n_t, n_m)), 12)
        keep = np.arange(1, n_mo + 1)[None, None, None, :] <= cutoff[..., None]

    # codes along each axis, broadcast and flattened in (year, town, measure, month) order
    yi, ti, mi, oi = np.indices(shape, dtype=np.int32, sparse=True)
    flat_keep = keep.ravel()
    month_codes = (yi * n_mo + oi) * np.ones(shape, dtype=np.int32)
    org_codes = ti * np.ones(shape, dtype=np.int32)
    measure_codes = mi * np.ones(shape, dtype=np.int32)
    month_labels = [f"{y:04d}-{m:02d}" for y in yrs for m in range(1, n_mo + 1)]
    frame = pd.DataFrame(
        {
            "org": pd.Categorical.from_codes(org_codes.ravel()[flat_keep], categories=towns),
            "measure": pd.Categorical.from_codes(measure_codes.ravel()[flat_keep], categories=reportable),
            "month": pd.Categorical.from_codes(
                month_codes.ravel()[flat_keep], categories=month_labels, ordered=True
            ),
            "value": values.ravel()[flat_keep],
        }
    )
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = "合成示例数据，非真实统计 / synthetic data, not real statistics"
    return frame
