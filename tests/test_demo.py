"""The demo workspace: synthetic, reproducible, and shaped into a real mix at the half year."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu.demo import CORRECTED_TOWN, LATE_TOWN, STALE_TOWN, build_demo, demo_reports
from kejifu.errors import StoreError
from kejifu.status import counts_by_status, totals
from kejifu.workspace import open_workspace


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("KEJIFU_DB_URL", raising=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = build_demo(tmp_path_factory.mktemp("demo") / "ws", seed=2005)
    ws = open_workspace(path)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def june(demo):
    return demo.status("2005-06-30")


def test_the_demo_is_marked_synthetic(demo):
    assert demo.synthetic
    assert demo.store.meta()["synthetic"] == "1"


def test_the_demo_runs_from_january_to_june(demo):
    assert sorted(demo.reports["month"].unique()) == [f"2005-{m:02d}" for m in range(1, 7)]
    assert demo.latest_month() == "2005-06"


def test_the_june_totals_are_a_real_mix(june):
    c = counts_by_status(totals(june))
    assert c["achieved"] + c["stretch_achieved"] >= 1
    # most of the targets judged against time progress (not floors, milestones or awaited targets)
    timed = totals(june)[~totals(june)["status"].isin(["met", "not_met", "not_due", "overdue", "pending"])]
    assert c["on_track"] > len(timed) / 2
    assert c["behind"] >= 1
    assert c["far_behind"] == 1
    assert c["no_data"] == 0


def test_the_one_far_behind_county_target_is_research_institutions(june):
    t = totals(june)
    assert t.loc[t.status == "far_behind", "target"].tolist() == ["research_institutions"]


def test_exactly_one_town_is_late_with_june_and_carried_forward(june):
    towns = june[(june.org != "all") & june.stale & june.target.isin(["mushroom_area", "new_varieties"])]
    assert set(towns["org"]) == {STALE_TOWN}
    assert set(towns["last_month"]) == {"2005-05"}


def test_one_june_figure_was_corrected_as_revision_two(demo):
    hist = demo.store.history()
    rev2 = hist[hist.revision > 1]
    assert len(rev2) == 1
    row = rev2.iloc[0]
    assert (row.org, row.measure, row.month, row.revision) == (CORRECTED_TOWN, "mushroom_area", "2005-06", 2)
    assert "更正" in row.note and "correction" in row.note
    first = hist[(hist.org == CORRECTED_TOWN) & (hist.measure == "mushroom_area") & (hist.month == "2005-06")]
    assert first["value"].tolist()[0] - first["value"].tolist()[1] == pytest.approx(30.0)
    latest = demo.reports
    assert (
        latest[
            (latest.org == CORRECTED_TOWN) & (latest.month == "2005-06") & (latest.measure == "mushroom_area")
        ]["value"].item()
        == row.value
    )


def test_each_town_files_one_batch_a_month(demo):
    b = demo.store.batches()
    hutou = b[b.source_file.str.startswith("demo:seed=2005:hutou-")]
    assert hutou["source_file"].tolist() == [f"demo:seed=2005:hutou-2005-{m:02d}" for m in range(1, 7)]
    assert not b.source_file.str.startswith(f"demo:seed=2005:{STALE_TOWN}-2005-06").any()


def test_the_high_tech_share_lands_between_31_and_32_percent(june):
    share = totals(june).set_index("target").loc["ht_share", "actual"]
    assert 31.0 <= share <= 32.0


def test_register_counts_reach_the_designed_june_totals(june):
    t = totals(june).set_index("target")["actual"]
    # round(pace x expected share x target): terminals 1.1 x 0.44 x 353, patents 1.15 x 0.5 x 16
    assert (t["terminals"], t["patents"], t["research_institutions"], t["specialists"]) == (171, 9, 2, 11)


def test_two_builds_with_the_same_seed_are_identical(demo, tmp_path):
    with open_workspace(build_demo(tmp_path / "again", seed=2005)) as again:
        pd.testing.assert_frame_equal(again.reports, demo.reports)
        pd.testing.assert_frame_equal(again.store.reports(), demo.store.reports())
        pd.testing.assert_frame_equal(again.store.register_items(), demo.store.register_items())


def test_another_seed_gives_other_figures(demo):
    reports, items = demo_reports(demo.plan, seed=7)
    mine, _ = demo_reports(demo.plan, seed=2005)
    assert reports[["org", "measure", "month"]].equals(mine[["org", "measure", "month"]])
    assert not reports["value"].equals(mine["value"])
    assert not items["terminals"]["org"].equals(demo.store.register_items("terminals")["org"])


def test_building_over_an_existing_demo_needs_overwrite(tmp_path):
    path = build_demo(tmp_path / "d", seed=1, as_of="2005-01-31")
    with pytest.raises(StoreError):
        build_demo(path, seed=1, as_of="2005-01-31")
    assert build_demo(path, seed=1, as_of="2005-01-31", overwrite=True) == path
    with open_workspace(path) as ws:
        assert ws.latest_month() == "2005-01"
        assert ws.store.history()["revision"].max() == 1  # one month: no correction yet


def test_the_june_statuses_follow_the_status_rules(june):
    t = totals(june).set_index("target")
    assert t.loc["five_year_plan", "status"] == "not_due"  # due in October, not done: never on track
    assert t.loc["ht_industry_output", "status"] == "pending"  # 目标值待市里下达
    assert (t.loc["rd_intensity_ht", "n_met"], t.loc["rd_intensity_ht", "n_orgs"]) == (4, 9)  # 9家中4家达到5%
    share = june[(june.target == "ht_share") & (june.org == "yinan_tjj")].iloc[0]
    assert share.status == "not_applicable"  # the statistics bureau reports the denominator only
    far = june[(june.status == "far_behind") & june.completion.isna()]
    assert far.empty  # nobody is named far behind without a real completion


def test_one_town_is_late_with_may_and_one_never_sends_june(demo):
    rec = demo.reporting_record().set_index(["org", "month"])["record"]
    assert rec[(LATE_TOWN, "2005-05")] == "late"
    assert rec[(STALE_TOWN, "2005-06")] == "missing"
    assert (rec == "late").sum() == 1 and (rec == "missing").sum() == 1
    assert demo.missing_reporters("2005-06") == [STALE_TOWN]
    assert demo.default_as_of().isoformat() == "2005-06-30"
