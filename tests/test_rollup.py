"""The vectorised status engine (with and without roll-up) equals the plain loop reference."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejifu.plan import Plan
from kejifu.scale.reference import latest_reports, reference_status
from kejifu.scale.synth import synth_plan, synth_reports
from kejifu.status import ALL, COLUMNS, status

YEAR = 2008
FLOATS = [
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
    "children_sum",
    "n_met",
    "n_orgs",
    "last_year_actual",
    "yoy",
]


def assert_same_status(fast: pd.DataFrame, ref: pd.DataFrame) -> None:
    """Every column equal: floats to 1e-9 (NaN equals NaN), everything else exactly, same row order."""
    assert list(fast.columns) == COLUMNS
    assert list(ref.columns) == COLUMNS
    keys_fast = list(zip(fast["target"], fast["org"]))
    keys_ref = list(zip(ref["target"], ref["org"]))
    assert keys_fast == keys_ref, (
        f"rows differ: only fast {set(keys_fast) - set(keys_ref)}, "
        f"only reference {set(keys_ref) - set(keys_fast)}"
    )
    for col in COLUMNS:
        a, b = fast[col].to_numpy(), ref[col].to_numpy()
        if col in FLOATS:
            a, b = a.astype(float), b.astype(float)
            ok = np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            ok = np.array([x == y for x, y in zip(a.tolist(), b.tolist())], dtype=bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise AssertionError(
                f"column {col!r} differs at target={fast['target'][i]!r} org={fast['org'][i]!r}: "
                f"fast {a[i]!r} vs reference {b[i]!r}"
            )


# ----- random small plans, trees and reports ---------------------------------------------------------

CHILD = {"province": "city", "city": "county", "county": "town"}


@st.composite
def trees(draw):
    """A random org tree: a root (province, city or county) down to towns, 1-3 children each."""
    root_kind = draw(st.sampled_from(["province", "city", "county"]))
    orgs = [{"id": "r", "name": "根", "kind": root_kind}]
    frontier = [orgs[0]]
    while frontier and frontier[0]["kind"] in CHILD:
        nxt = []
        for parent in frontier:
            for i in range(draw(st.integers(1, 3))):
                o = {
                    "id": f"{parent['id']}{i}",
                    "name": f"组织{parent['id']}{i}",
                    "kind": CHILD[parent["kind"]],
                    "parent": parent["id"],
                }
                nxt.append(o)
        orgs.extend(nxt)
        frontier = nxt
    return orgs


@st.composite
def plans(draw):
    orgs = draw(trees())
    ids = [o["id"] for o in orgs]
    towns = [o["id"] for o in orgs if o["kind"] == "town"]
    measures = [
        {"id": "num", "title": "分子", "unit": "万元"},
        {"id": "den", "title": "分母", "unit": "万元"},
    ]
    targets = []
    for k in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cumulative", "cumulative", "share", "level", "milestone"]))
        tg = {
            "id": f"g{k}",
            "title": f"指标{k}",
            "group": draw(st.sampled_from(["a", "b"])),
            "kind": kind,
            "schedule": draw(st.sampled_from(["linear", "back_loaded", "front_loaded"])),
        }
        if kind == "cumulative":
            tg.update(unit="项", target=draw(st.integers(1, 60)))
            if draw(st.booleans()):
                tg["stretch"] = tg["target"] + draw(st.integers(0, 20))
            if draw(st.booleans()):
                tg["baseline"] = draw(st.integers(0, 30))
            if draw(st.booleans()):
                tg["direction"] = "decrease"
            alloc_to = (
                draw(st.lists(st.sampled_from(ids + ["stranger"]), unique=True, max_size=len(ids)))
                if draw(st.booleans())
                else towns
            )
            tg["allocations"] = {o: draw(st.integers(0, 20)) for o in alloc_to}
            if draw(st.integers(0, 4)) == 0:  # a target value awaited (待下达)
                tg.update(target=None, stretch=None, pending=True)
        elif kind == "share":
            tg.update(
                unit="%",
                numerator="num",
                denominator="den",
                target=draw(st.integers(10, 60)),
                baseline=draw(st.integers(0, 9)),
            )
            if draw(st.booleans()):
                tg["allocations"] = {
                    o: draw(st.integers(10, 60))
                    for o in draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
                }
            tg["each"] = draw(st.booleans())
        elif kind == "level":
            tg.update(
                unit="%",
                target=draw(st.integers(20, 60)),
                baseline=draw(st.integers(0, 19)),
                aggregate=draw(st.sampled_from(["sum", "mean", "max", "min"])),
            )
            if draw(st.booleans()):
                tg["stretch"] = tg["target"] + draw(st.integers(0, 10))
            tg["each"] = draw(st.booleans())
        else:
            tg.update(unit="项", due=dt.date(YEAR, draw(st.integers(1, 12)), 28))
            if draw(st.booleans()):
                tg["owner"] = draw(st.sampled_from(ids))
        targets.append(tg)
    data = {
        "plan": {
            "id": "p",
            "title": "随机计划",
            "region": "r",
            "year": YEAR,
            "bands": {"behind": draw(st.sampled_from([0.85, 0.5, 1.0]))},
        },
        "orgs": orgs,
        "measures": measures,
        "targets": targets,
    }
    return Plan.model_validate(data)


@st.composite
def cases(draw):
    plan = draw(plans())
    orgs = [o.id for o in plan.orgs] + ["stranger"]
    ids = list(plan.reportable()) + ["unknown_measure"]
    row = st.tuples(
        st.sampled_from(orgs),
        st.sampled_from(ids),
        st.sampled_from([YEAR - 1, YEAR, YEAR, YEAR]),
        st.integers(1, 12),
        st.one_of(st.integers(0, 40), st.sampled_from([0.5, 1.0, 2.5])),
    )
    rows = draw(st.lists(row, max_size=40))
    reports = pd.DataFrame(
        {
            "org": [r[0] for r in rows],
            "measure": [r[1] for r in rows],
            "month": [f"{r[2]:04d}-{r[3]:02d}" for r in rows],
            "value": [float(r[4]) for r in rows],
        }
    )
    as_of = draw(st.dates(dt.date(YEAR - 1, 12, 1), dt.date(YEAR + 1, 1, 31)))
    return plan, reports, as_of


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_status_without_rollup_equals_the_plain_reference(case):
    plan, reports, as_of = case
    assert_same_status(status(plan, reports, as_of), reference_status(plan, reports, as_of))


@SETTINGS
@given(cases())
def test_status_with_rollup_equals_the_plain_reference(case):
    plan, reports, as_of = case
    assert_same_status(
        status(plan, reports, as_of, rollup=True), reference_status(plan, reports, as_of, rollup=True)
    )


# ----- worked examples ---------------------------------------------------------------------------------


def two_town_plan(**share_extra) -> Plan:
    return Plan.model_validate(
        {
            "plan": {"id": "p", "title": "两镇", "region": "k", "year": YEAR},
            "orgs": [
                {"id": "city", "name": "市", "kind": "city"},
                {"id": "k", "name": "县", "kind": "county", "parent": "city"},
                {"id": "a", "name": "甲镇", "kind": "town", "parent": "k"},
                {"id": "b", "name": "乙镇", "kind": "town", "parent": "k"},
            ],
            "measures": [
                {"id": "num", "title": "分子", "unit": "万元"},
                {"id": "den", "title": "分母", "unit": "万元"},
            ],
            "targets": [
                {
                    "id": "area",
                    "title": "面积",
                    "unit": "亩",
                    "target": 100,
                    "allocations": {"a": 40, "b": 60},
                },
                {
                    "id": "ratio",
                    "title": "比重",
                    "unit": "%",
                    "kind": "share",
                    "numerator": "num",
                    "denominator": "den",
                    "baseline": 10,
                    "target": 30,
                    **share_extra,
                },
            ],
        }
    )


def two_town_reports() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org": ["a", "a", "b", "a", "a", "b", "b"],
            "measure": ["area", "area", "area", "num", "den", "num", "den"],
            "month": [
                f"{YEAR}-05",
                f"{YEAR}-06",
                f"{YEAR}-06",
                f"{YEAR}-06",
                f"{YEAR}-06",
                f"{YEAR}-06",
                f"{YEAR}-06",
            ],
            "value": [10.0, 30.0, 24.0, 1.0, 10.0, 30.0, 90.0],
        }
    )


def test_rolled_up_share_is_the_ratio_of_summed_numerators_to_summed_denominators():
    s = status(two_town_plan(), two_town_reports(), f"{YEAR}-06-30", rollup=True).set_index(["target", "org"])
    # (1 + 30) / (10 + 90) = 31 %, not the mean of 10 % and 33.3 %
    assert s.loc[("ratio", "k"), "actual"] == pytest.approx(31.0)
    assert s.loc[("ratio", "city"), "actual"] == pytest.approx(31.0)
    assert s.loc[("ratio", "k"), "completion"] == pytest.approx((31 - 10) / (30 - 10))


def test_rolled_up_cumulative_sums_the_latest_town_figures_and_their_allocations():
    s = status(two_town_plan(), two_town_reports(), f"{YEAR}-06-30", rollup=True).set_index(["target", "org"])
    assert s.loc[("area", "k"), "actual"] == 54.0
    assert s.loc[("area", "k"), "allocation"] == 100.0
    assert s.loc[("area", "k"), "target_value"] == 100.0
    assert s.loc[("area", "city"), "n_reporting"] == 2


def test_without_rollup_only_reporting_and_allocated_orgs_and_the_total_have_rows():
    s = status(two_town_plan(), two_town_reports(), f"{YEAR}-06-30")
    assert set(s.loc[s["target"] == "area", "org"]) == {ALL, "a", "b"}


def test_the_reference_keeps_the_latest_month_and_the_last_row_of_a_repeated_month():
    reports = pd.DataFrame(
        {
            "org": ["a", "a", "a", "a"],
            "measure": ["m"] * 4,
            "month": [f"{YEAR}-03", f"{YEAR}-02", f"{YEAR}-03", f"{YEAR}-07"],
            "value": [3.0, 2.0, 3.5, 7.0],
        }
    )
    assert latest_reports(reports, YEAR, 6) == {("a", "m"): (3, 3.5)}
    assert latest_reports(reports, YEAR, 12) == {("a", "m"): (7, 7.0)}
    assert latest_reports(reports, YEAR + 1, 12) == {}


def test_the_totals_allocation_does_not_depend_on_rollup():
    """The total's allocation is the plan's allocations summed once, not once per level of the tree."""
    plan, reports = two_town_plan(), two_town_reports()
    plain = status(plan, reports, f"{YEAR}-06-30").set_index(["target", "org"])
    rolled = status(plan, reports, f"{YEAR}-06-30", rollup=True).set_index(["target", "org"])
    assert plain.loc[("area", ALL), "allocation"] == 100.0
    assert rolled.loc[("area", ALL), "allocation"] == 100.0


def test_fast_and_reference_agree_on_a_synthetic_city_with_stale_towns():
    plan = synth_plan("city", years=YEAR, n_targets=6, seed=3)
    reports = synth_reports(plan, seed=3, missing=0.1)
    for rollup in (False, True):
        fast = status(plan, reports, f"{YEAR}-09-30", rollup=rollup)
        assert_same_status(fast, reference_status(plan, reports, f"{YEAR}-09-30", rollup=rollup))
        assert fast["stale"].any()


def test_monthly_periods_and_text_months_give_the_same_status_in_both_engines():
    plan, reports = two_town_plan(), two_town_reports()
    periods = reports.assign(month=pd.PeriodIndex(reports["month"], freq="M"))
    for rollup in (False, True):
        fast = status(plan, periods, f"{YEAR}-06-30", rollup=rollup)
        assert_same_status(fast, status(plan, reports, f"{YEAR}-06-30", rollup=rollup))
        ref = reference_status(plan, periods, f"{YEAR}-06-30", rollup=rollup)
        assert ref["actual"].notna().all()
        assert ref.loc[(ref["target"] == "area") & (ref["org"] == "a"), "actual"].item() == 30.0
