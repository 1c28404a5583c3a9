"""Next year's plan (kejifu.nextplan): baselines are this year's actuals, allocations keep their
proportions, the five-year path sets the target, and the planner is told what to look at."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kejifu.demo import build_demo
from kejifu.errors import PlanError
from kejifu.nextplan import baselines, next_plan, split
from kejifu.plan import Plan, parse_plan
from kejifu.plancheck import check_plan, errors
from kejifu.workspace import open_workspace

PLAN = """
plan: {id: t-2005, title: 测试县2005年科技目标, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
measures:
  - {id: ht, title: 高新技术企业产值, unit: 亿元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
targets:
  - {id: terminals, title: 安装信息机, unit: 台, target: 353, stretch: 380, allocations: {a: 200, b: 153}}
  - {id: share, title: 高新技术产值比重, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30.14, target: 33, target_points: 3,
     acknowledge: [{check: target_points, reason: 以33%为准}]}
  - {id: area, title: 食用菌面积, unit: 亩, target: 3000, allocations: {a: 1000, b: 2000.5}}
  - {id: draft, title: 制定规划, kind: milestone, unit: 项, due: 2005-10-31}
  - {id: done, title: 建成平台, kind: milestone, unit: 项, due: 2005-06-30}
settings:
  five_year:
    baseline_year: 2005
    target_year: 2010
    targets:
      share: {baseline: 30, target: 40}
"""


def frame(rows: dict[str, tuple[float, str]]) -> pd.DataFrame:
    """A status frame's totals: target → (actual, status)."""
    return pd.DataFrame(
        [{"target": k, "org": "all", "actual": v, "status": s} for k, (v, s) in rows.items()]
        + [{"target": "terminals", "org": "a", "actual": 999.0, "status": "achieved"}]
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN)


@pytest.fixture(scope="module")
def drafted(plan):
    actuals = {
        "terminals": (400.0, "achieved"),
        "share": (31.5, "behind"),
        "area": (float("nan"), "no_data"),
        "draft": (0.0, "overdue"),
        "done": (1.0, "achieved"),
    }
    return next_plan(plan, frame(actuals), data_month="2005-09")


def test_a_split_in_whole_numbers_keeps_the_proportions_and_adds_up():
    # 200/353 × 400 = 226.63, 153/353 × 400 = 173.37: floors 226 + 173 = 399, the larger remainder gets 1
    assert split([200, 153], 400, 1) == [227.0, 173.0]
    assert split([1, 1, 1], 100, 1) == [34.0, 33.0, 33.0]
    assert split([1000, 2000], 3001, 0.01) == [1000.33, 2000.67]


def test_baselines_are_this_years_actuals_and_say_the_data_month(drafted):
    data, findings = drafted
    base = baselines(data)
    assert base["terminals"] == 400 and base["share"] == 31.5
    tg = next(t for t in data["targets"] if t["id"] == "terminals")
    assert tg["baseline_note"] == "2005年实绩400台（基数为截至9月数）"
    assert any(f.field == "targets" and "基数为截至9月数" in f.zh for f in findings)


def test_a_target_without_an_actual_keeps_its_old_baseline_and_says_so(drafted):
    data, findings = drafted
    assert "baseline" not in next(t for t in data["targets"] if t["id"] == "area")
    assert any(f.field == "targets[2].baseline" and "没有实绩" in f.zh for f in findings)


def test_a_target_below_this_years_actual_is_a_warning(drafted):
    _, findings = drafted
    below = [f for f in findings if f.level == "warning"]
    assert [f.field for f in below] == ["targets[0].target"]
    assert "2006年目标353台低于2005年实绩400台" in below[0].zh


def test_the_five_year_path_sets_a_shares_target(drafted):
    data, findings = drafted
    share = next(t for t in data["targets"] if t["id"] == "share")
    # from 30 % in 2005 to 40 % in 2010: 2 points a year, 32 % in 2006
    assert share["target"] == 32.0
    assert "target_points" not in share and "acknowledge" not in share
    assert any(f.field == "targets[1].target" and "五年规划路径" in f.zh for f in findings)


def test_cumulative_allocations_are_scaled_to_the_new_target_and_levels_carried(plan, drafted):
    data, _ = drafted
    terminals = next(t for t in data["targets"] if t["id"] == "terminals")
    assert terminals["allocations"] == {"a": 200, "b": 153}  # the same target: the same split
    area = next(t for t in data["targets"] if t["id"] == "area")
    # 1000 : 2000.5 of 3000 亩 → 999.83 and 2000.17 (two decimals, adding up to 3000)
    assert area["allocations"] == {"a": 999.83, "b": 2000.17}
    assert sum(area["allocations"].values()) == pytest.approx(3000)


def test_allocations_follow_a_five_year_path_target_in_proportion():
    text = PLAN.replace("share: {baseline: 30, target: 40}", "terminals: {baseline: 353, target: 753}")
    data, _ = next_plan(parse_plan(text), frame({"terminals": (300.0, "behind")}), data_month="2005-12")
    terminals = next(t for t in data["targets"] if t["id"] == "terminals")
    # 353 → 753 over five years: 80 a year, 433 in 2006; 200:153 of 433 = 245.33 : 187.67
    assert terminals["target"] == 433
    assert terminals["allocations"] == {"a": 245, "b": 188}
    assert terminals["baseline_note"] == "2005年实绩300台"


def test_a_five_year_path_that_cannot_be_drawn_is_a_warning_and_the_target_is_kept():
    text = PLAN.replace("baseline_year: 2005", "baseline_year: 2011")  # after the target year 2010
    data, findings = next_plan(parse_plan(text), frame({"share": (31.5, "behind")}), data_month="2005-12")
    assert next(t for t in data["targets"] if t["id"] == "share")["target"] == 33
    bad = [f for f in findings if f.field == "targets[1].target" and f.level == "warning"]
    assert len(bad) == 1 and "2010" in bad[0].zh and "2011" in bad[0].zh


def test_milestones_done_are_left_out_and_the_others_move_a_year_on(drafted):
    data, findings = drafted
    ids = [t["id"] for t in data["targets"]]
    assert "done" not in ids
    draft = next(t for t in data["targets"] if t["id"] == "draft")
    assert draft["due"] == dt.date(2006, 10, 31)
    assert any("已于2005年完成" in f.zh for f in findings)


def test_the_drafted_plan_is_next_years_and_validates(drafted):
    data, _ = drafted
    plan = Plan.model_validate(data)
    assert plan.year == 2006 and plan.plan.id == "t-2006" and plan.plan.title == "测试县2006年科技目标"
    assert not errors(check_plan(plan))


def test_a_year_not_after_the_plan_year_is_refused(plan):
    with pytest.raises(PlanError):
        next_plan(plan, frame({}), year=2005)


# ----- on the demo workspace --------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = build_demo(tmp_path_factory.mktemp("ws") / "demo")
    with open_workspace(path) as ws:
        as_of = dt.date(2005, 12, 31)
        status = ws.status(as_of)
        yield ws.plan, status, ws.data_month(as_of), ws.reports.copy()


def _latest(reports: pd.DataFrame, measure: str) -> pd.Series:
    """Each org's latest 2005 figure of ``measure`` (its year-to-date value)."""
    rows = reports[(reports["measure"] == measure) & reports["month"].str.startswith("2005-")]
    return rows.sort_values("month").groupby("org")["value"].last()


def test_next_year_baselines_on_the_demo_equal_this_years_actuals_by_hand(demo):
    plan, status, month, reports = demo
    data, findings = next_plan(plan, status, year=2006, data_month=month)
    assert month == "2005-06"
    base = baselines(data)
    # a count: each town's latest new mushroom area (马牧池乡's May figure carried), summed
    area = _latest(reports, "mushroom_area")
    assert len(area) == 15
    assert base["mushroom_area"] == pytest.approx(area.sum())
    # a share: the enterprises' high-tech output over the statistics bureau's industrial output
    share = _latest(reports, "ht_output").sum() / _latest(reports, "industrial_output").sum() * 100
    assert base["ht_share"] == pytest.approx(share, abs=1e-4)
    totals = status[status["org"] == "all"].set_index("target")["actual"]
    for tid, value in base.dropna().items():
        assert value == pytest.approx(totals[tid], abs=1e-4), tid
    assert (
        "（基数为截至6月数）" in next(t for t in data["targets"] if t["id"] == "terminals")["baseline_note"]
    )


def test_the_demos_next_plan_loads_and_validates(demo):
    plan, status, month, _ = demo
    data, _ = next_plan(plan, status, data_month=month)
    import yaml

    new = parse_plan(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert new.year == 2006 and len(new.targets) == len(plan.targets)  # the milestone was not done
    assert not errors(check_plan(new))
    terminals = new.target("terminals")
    assert sum(terminals.allocation_values().values()) == terminals.target == 353
