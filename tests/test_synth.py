"""Synthetic plans and reports: the shape of each scale, reproducibility, realism, and the bench table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejifu.cli import main
from kejifu.plan import Plan
from kejifu.scale import bench
from kejifu.scale.synth import synth_plan, synth_reports
from kejifu.status import status


def test_a_county_plan_has_one_county_over_twenty_towns_and_is_marked_synthetic():
    plan = synth_plan("county")
    assert isinstance(plan, Plan)
    assert plan.root().kind == "county"
    assert len(plan.towns()) == 20
    assert all(o.parent == plan.root().id for o in plan.towns())
    assert plan.plan.synthetic is True
    assert "合成" in plan.plan.title


def test_a_province_has_sixteen_cities_of_ten_counties_of_fifteen_towns():
    plan = synth_plan("province", n_targets=3)
    kinds = pd.Series([o.kind for o in plan.orgs]).value_counts()
    assert kinds.to_dict() == {"town": 2400, "county": 160, "city": 16, "province": 1}
    town = plan.towns()[-1]
    assert [plan.org(a).kind for a in plan.ancestors(town.id)] == ["county", "city", "province"]


def test_a_city_has_ten_counties():
    plan = synth_plan("city", n_targets=3)
    assert sum(o.kind == "county" for o in plan.orgs) == 10
    assert len(plan.towns()) == 150


def test_an_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        synth_plan("galaxy")


@settings(max_examples=15, deadline=None)
@given(st.integers(3, 40))
def test_towns_report_exactly_n_targets_ids_and_every_kind_is_present(n):
    plan = synth_plan("county", n_targets=n, years=2007)
    assert len(plan.targets) == n
    assert len(plan.reportable()) == n
    assert {t.kind for t in plan.targets} == {"cumulative", "share", "level"}
    for tg in plan.targets:
        if tg.kind == "cumulative":
            alloc = tg.allocation_values()
            assert set(alloc) == {o.id for o in plan.towns()}
            assert sum(alloc.values()) == pytest.approx(tg.target)


def test_the_plan_year_is_the_last_of_the_years_and_a_single_year_works():
    assert synth_plan("county", years=range(2006, 2011)).year == 2010
    assert synth_plan("county", years=2008).year == 2008


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(seed):
    plan = synth_plan("county", seed=seed, years=2009, n_targets=6)
    a = synth_reports(plan, seed=seed, missing=0.0)
    b = synth_reports(synth_plan("county", seed=seed, years=2009, n_targets=6), seed=seed, missing=0.0)
    pd.testing.assert_frame_equal(a, b)
    c = synth_reports(plan, seed=seed + 1, missing=0.0)
    assert not np.array_equal(a["value"].to_numpy(), c["value"].to_numpy())


def test_reports_have_one_row_per_town_measure_and_month_with_categorical_columns():
    plan = synth_plan("county", years=(2006, 2007), n_targets=6)
    r = synth_reports(plan, missing=0.0)
    assert list(r.columns) == ["org", "measure", "month", "value"]
    assert all(isinstance(r[c].dtype, pd.CategoricalDtype) for c in ("org", "measure", "month"))
    assert len(r) == 2 * 12 * 20 * 6
    assert not r.duplicated(["org", "measure", "month"]).any()
    assert r["month"].astype(str).str.fullmatch(r"200[67]-(0[1-9]|1[0-2])").all()
    assert r.attrs["synthetic"] is True


def test_province_reports_for_five_years_number_about_four_point_three_million():
    # the count follows from the shape alone; a city stands in for the province (×16)
    plan = synth_plan("city")
    r = synth_reports(plan)
    assert 0.98 * 5 * 12 * 150 * 30 <= len(r) <= 5 * 12 * 150 * 30
    assert 4_200_000 <= len(r) * 16 <= 4_320_000


def test_cumulative_figures_never_fall_within_a_year_and_counts_are_whole():
    plan = synth_plan("county", years=2008, n_targets=12)
    r = synth_reports(plan, missing=0.0)
    kinds = {
        m: (plan.target_index.get(m).kind if m in plan.target_index else "measure") for m in plan.reportable()
    }
    cum = r[r["measure"].map(kinds).astype(str) == "cumulative"].sort_values(["org", "measure", "month"])
    steps = cum.groupby(["org", "measure"], observed=True)["value"].diff().dropna()
    assert (steps >= 0).all()
    counts = [
        tg.id
        for tg in plan.targets
        if tg.kind == "cumulative" and tg.unit in ("项", "台", "人", "期", "件", "种", "次", "户")
    ]
    v = r[r["measure"].isin(counts)]["value"]
    assert len(v) > 0 and (v == np.round(v)).all()


def test_share_numerators_stay_below_their_denominators():
    plan = synth_plan("county", years=2008, n_targets=12)
    r = synth_reports(plan, missing=0.0)
    wide = r.pivot_table(index=["org", "month"], columns="measure", values="value", observed=True)
    for tg in (t for t in plan.targets if t.kind == "share"):
        assert (wide[tg.numerator] <= wide[tg.denominator]).all()


def test_some_towns_stop_reporting_so_status_finds_stale_rows():
    plan = synth_plan("city", years=2008, n_targets=6)
    r = synth_reports(plan, missing=0.2)
    s = status(plan, r, "2008-12-31")
    assert s["stale"].any()
    assert len(r) < 12 * 150 * 6


def test_status_of_synthetic_data_is_mostly_on_track_or_close_to_it():
    plan = synth_plan("city", years=2008, n_targets=12)
    s = status(plan, synth_reports(plan), "2008-06-30", rollup=True)
    totals = s[s["org"] == "all"]
    assert totals["status"].isin(["on_track", "behind", "far_behind", "achieved", "stretch_achieved"]).all()
    assert s["status"].eq("no_data").sum() == 0
    assert 0.3 < totals.loc[totals["kind"] == "cumulative", "completion"].median() < 0.8


def test_the_bench_table_lists_goals_and_machine_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = main(
        [
            "bench",
            "--scale",
            "county",
            "--repeat",
            "1",
            "--no-dashboard",
            "--no-store",
            "--files",
            "2",
            "--json",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "SYNTHETIC" in text and "cores" in text and "pandas" in text
    assert "status + roll-up" in text and "naive loop" in text and "≤ 0.2 s" in text
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scale"] == "county" and data["machine"]["synthetic"] is True
    names = [r["name"] for r in data["rows"]]
    assert any(n.startswith("import 2 town xlsx files") for n in names)


def test_bench_refuses_a_repeat_below_one():
    assert main(["bench", "--repeat", "0", "--no-dashboard"]) == 2


def test_the_million_row_sample_takes_the_plan_year_and_tops_up_from_the_year_before():
    plan = synth_plan("county", years=(2009, 2010), n_targets=6)
    r = synth_reports(plan, missing=0.0)
    old = bench.ONE_MILLION
    try:
        bench.ONE_MILLION = 2000
        m = bench.million_rows(r, 2010)
    finally:
        bench.ONE_MILLION = old
    months = m["month"].astype(str)
    assert len(m) == 2000
    assert months.str.startswith("2010").sum() == 20 * 6 * 12
    assert months.str.startswith("2009").sum() == 2000 - 20 * 6 * 12


def test_reports_can_be_made_up_for_the_real_2005_plan_and_every_value_is_finite():
    from kejifu.plan import load_plan

    plan = load_plan("data/plans/yinan-2005.yaml")
    r = synth_reports(plan, years=2005, missing=0.0)
    assert set(r["org"].astype(str)) == {o.id for o in plan.towns()}
    assert set(r["measure"].astype(str)) == set(plan.reportable())
    assert np.isfinite(r["value"]).all()
    wide = r.pivot_table(index=["org", "month"], columns="measure", values="value", observed=True)
    assert (wide["ht_output"] <= wide["industrial_output"]).all()
