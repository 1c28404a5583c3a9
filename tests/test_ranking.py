"""Ranking: the one rule every ranking uses (towns dashboard, quarterly bulletin, assessment)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kejifu import charts, ranking, reviews
from kejifu.errors import PlanError
from kejifu.plan import parse_plan

PLAN = """
plan: {id: r, title: 排名测试, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
  - {id: d, name: 丙镇, kind: town, parent: c}
  - {id: e, name: 丁镇, kind: town, parent: c}
targets:
  - {id: t1, title: 安装信息机, unit: 台, target: 400, allocations: {a: 100, b: 100, d: 100, e: 100}}
  - {id: t2, title: 食用菌面积, unit: 亩, target: 400, allocations: {a: 100, b: 100, d: 100, e: 100}}
"""


def plan_with(**settings):
    return parse_plan(PLAN, file="r.yaml").model_copy(update={"settings": settings})


def frame(rows):
    """Status rows (target, org, completion, expected, status); allocated, cumulative."""
    f = pd.DataFrame(rows, columns=["target", "org", "completion", "expected", "status"])
    return f.assign(kind="cumulative", allocation=100.0, month="2005-06")


# 甲 and 乙 are tied at (0.5/0.5 + 0.25/0.5)/2 = 0.75; 丙 has t1 at 3.0/0.5 = 6 -> capped at 1.5,
# t2 not reported -> 0: (1.5 + 0)/2 = 0.75 as well; 丁 reported nothing.
TIED = [
    ("t1", "a", 0.5, 0.5, "on_track"),
    ("t2", "a", 0.25, 0.5, "far_behind"),
    ("t1", "b", 0.25, 0.5, "far_behind"),
    ("t2", "b", 0.5, 0.5, "on_track"),
    ("t1", "d", 3.0, 0.5, "achieved"),
    ("t2", "d", np.nan, 0.5, "no_data"),
    ("t1", "e", np.nan, 0.5, "no_data"),
    ("t2", "e", np.nan, 0.5, "no_data"),
]


def test_tied_towns_share_a_rank_and_a_town_that_reported_nothing_is_last():
    r = ranking.rank_towns(frame(TIED), plan_with())
    assert list(r["org"]) == ["a", "b", "d", "e"]
    assert list(r["rank"]) == [1, 1, 1, 4]
    assert r["relative"][:3].tolist() == pytest.approx([0.75, 0.75, 0.75])
    assert r["score"][:3].tolist() == pytest.approx([75.0, 75.0, 75.0])
    assert math.isnan(r["relative"][3]) and r["status"][3] == "no_data"
    assert list(r["reported"]) == [True, True, True, False]
    assert list(r["n_no_data"]) == [0, 0, 1, 2]
    # 0.75 is below the behind band (0.85 × expected): far behind
    assert list(r["status"][:3]) == ["far_behind"] * 3


def test_the_cap_comes_from_the_plan_and_is_one_and_a_half_by_default():
    assert ranking.cap(plan_with()) == ranking.DEFAULT_CAP == 1.5
    capped = ranking.rank_towns(frame(TIED), plan_with(ranking={"cap": 3.0})).set_index("org")
    # 丙: min(6, 3) = 3 and 0 -> 1.5, now alone at the top; 甲 and 乙 share rank 2
    assert capped.loc["d", "relative"] == pytest.approx(1.5)
    assert capped.loc["d", "rank"] == 1 and capped.loc["a", "rank"] == capped.loc["b", "rank"] == 2
    assert capped.loc["e", "rank"] == 4


@pytest.mark.parametrize("bad", [0.5, "two", None])
def test_a_cap_below_one_or_not_a_number_is_a_plan_error(bad):
    with pytest.raises(PlanError) as exc:
        ranking.cap(plan_with(ranking={"cap": bad}))
    assert "settings.ranking.cap" in exc.value.zh and "at least 1" in exc.value.en


def test_targets_not_due_milestones_and_rows_without_own_status_do_not_count():
    f = frame(
        [
            ("t1", "a", 0.4, 0.5, "behind"),  # counted: 0.8
            ("t2", "a", 0.0, 0.0, "on_track"),  # nothing due yet: left out
            ("t1", "b", 0.6, 0.5, "on_track"),  # counted: 1.2
            ("t2", "b", np.nan, 0.5, "not_applicable"),  # one side of a share: left out
        ]
    )
    f.loc[len(f)] = ["t2", "b", 0.0, 0.5, "overdue", "milestone", 100.0, "2005-06"]
    r = ranking.rank_towns(f, plan_with()).set_index("org")
    assert r.loc["a", "relative"] == pytest.approx(0.8) and r.loc["a", "n_targets"] == 1
    assert r.loc["b", "relative"] == pytest.approx(1.2) and r.loc["b", "n_targets"] == 1
    assert list(r["rank"]) == [1, 2] and list(r.index) == ["b", "a"]


def test_a_target_whose_value_is_awaited_ranks_nobody():
    # t2's county value is pending (目标值待市里下达): its provisional split counts for no town
    f = frame(
        [
            ("t1", "a", 0.4, 0.5, "behind"),  # counted: 0.8
            ("t2", "a", 0.1, 0.5, "far_behind"),  # of a pending target: left out
            ("t1", "b", 0.6, 0.5, "on_track"),  # counted: 1.2
            ("t2", "b", 0.9, 0.5, "on_track"),  # of a pending target: left out
        ]
    )
    f.loc[len(f)] = ["t2", "all", np.nan, 0.5, "pending", "cumulative", np.nan, "2005-06"]
    r = ranking.rank_towns(f, plan_with()).set_index("org")
    assert r.loc["a", "relative"] == pytest.approx(0.8) and r.loc["a", "n_targets"] == 1
    assert r.loc["a", "n_far_behind"] == 0
    assert r.loc["b", "relative"] == pytest.approx(1.2) and list(r.index) == ["b", "a"]


def test_shared_ranks_give_one_two_two_four_and_put_the_silent_last():
    assert ranking.shared_ranks([9.0, 7.0, 7.0, 5.0]).tolist() == [1, 2, 2, 4]
    assert ranking.shared_ranks([9.0, np.nan, 7.0]).tolist() == [1, 3, 2]
    assert ranking.shared_ranks([9.0, 8.0, 7.0], reported=[True, False, True]).tolist() == [1, 3, 2]
    # equal within float noise is a tie
    assert ranking.shared_ranks([0.1 + 0.2, 0.3]).tolist() == [1, 1]


def test_the_dashboard_and_the_bulletin_rank_towns_by_the_same_rule():
    plan, f = plan_with(), frame(TIED)
    bulletin = reviews.progress_scores(plan, f)
    dashboard = charts.town_relative(f, plan)
    assert list(bulletin["org"]) == list(dashboard["org"])
    assert list(bulletin["rank"]) == list(dashboard["rank"]) == [1, 1, 1, 4]
    np.testing.assert_allclose(bulletin["score"][:3], dashboard["relative"][:3] * 100)
