"""Reviews: the monthly table, quarterly ranking, half-year check and periods."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu import reviews
from kejifu.errors import UsageError
from kejifu.status import ALL, status
from tests.helpers import county_plan_text, reports


def rows(org, measure, values, year=2005):
    return [(org, measure, f"{year}-{m:02d}", v) for m, v in enumerate(values, start=1)]


def test_the_monthly_table_shows_this_months_increment_and_year_to_date(small_plan):
    r = reports(rows("a", "terminals", [10, 25, 40]) + rows("b", "terminals", [5, 5, 20]))
    t = reviews.monthly_table(small_plan, r, 3).set_index(["target", "org"])
    assert t.loc[("terminals", ALL), "actual"] == 60
    assert t.loc[("terminals", ALL), "increment"] == 30
    assert t.loc[("terminals", "b"), "increment"] == 15
    assert t.loc[("terminals", "a"), "completion"] == pytest.approx(40 / 200)


def test_the_monthly_table_matches_the_status_engine(small_plan):
    r = reports(rows("a", "terminals", [10, 25, 40]) + rows("b", "mushroom", [100, 300, 600]))
    t = reviews.monthly_table(small_plan, r, "2005-03")
    s = status(small_plan, r, "2005-03-31")
    merged = t.merge(s, on=["target", "org"], suffixes=("", "_s"))
    assert len(merged) == len(s)
    for col in ("actual", "completion", "expected", "status"):
        assert (
            merged[col].equals(merged[f"{col}_s"])
            or (merged[col].fillna(-1) == merged[f"{col}_s"].fillna(-1)).all()
        )


def test_year_on_year_growth_uses_last_years_reports_of_the_same_month(small_plan):
    r = reports(rows("a", "terminals", [10, 20, 50]) + rows("a", "terminals", [10, 20, 40], year=2004))
    t = reviews.monthly_table(small_plan, r, 3).set_index(["target", "org"])
    assert t.loc[("terminals", "a"), "last_year"] == 40
    assert t.loc[("terminals", "a"), "yoy_pct"] == pytest.approx(25.0)


def test_without_last_years_reports_year_on_year_is_empty(small_plan):
    t = reviews.monthly_table(small_plan, reports(rows("a", "terminals", [10])), 1)
    assert t["last_year"].isna().all() and t["yoy_pct"].isna().all()


def test_the_monthly_tables_yoy_is_the_engines_and_never_against_an_older_month(small_plan):
    # last year stopped in February: March 2005 has no same-month figure, so no 同比 (rule 10)
    r = reports(rows("a", "terminals", [10, 20, 50]) + rows("a", "terminals", [10, 20], year=2004))
    t = reviews.monthly_table(small_plan, r, 3).set_index(["target", "org"])
    assert t["last_year"].isna().all() and t["yoy_pct"].isna().all()
    # shares in points: June 2004 2.7 / 10 = 27 %, June 2005 3.1 / 10 = 31 % -> +4 points
    r = reports(
        [
            ("a", "ht", "2004-06", 2.7),
            ("a", "ind", "2004-06", 10),
            ("a", "ht", "2005-06", 3.1),
            ("a", "ind", "2005-06", 10),
        ]
    )
    t = reviews.monthly_table(small_plan, r, 6).set_index(["target", "org"])
    assert t.loc[("share", ALL), "last_year"] == pytest.approx(27.0)
    assert t.loc[("share", ALL), "yoy_pp"] == pytest.approx(4.0)
    s = status(small_plan, r, "2005-06-30").set_index(["target", "org"])
    assert t.loc[("share", ALL), "yoy_pp"] == pytest.approx(s.loc[("share", ALL), "yoy"])


def test_the_quarterly_ranking_scores_completion_against_expected_capped_at_1_5(small_plan):
    # By 30 June (linear, half due): 甲镇 terminals 100/200 -> ratio 1,
    # mushroom 1800/1800 -> ratio 2 -> capped 1.5;
    # score (1 + 1.5) / 2 × 100 = 125; 乙镇 terminals 38.25/153 -> 0.5, mushroom none -> 0: score 25.
    r = reports(
        [
            ("a", "terminals", "2005-06", 100),
            ("a", "mushroom", "2005-06", 1800),
            ("b", "terminals", "2005-06", 38),
        ]
    )
    qb = reviews.quarterly_bulletin(small_plan, r, 2)
    rank = qb.ranking.set_index("org")
    assert rank.loc["a", "score"] == pytest.approx(125.0)
    assert rank.loc["b", "score"] == pytest.approx(100 * (38 / 153 / 0.5) / 2)
    assert list(qb.ranking["org"]) == ["a", "b"]
    assert set(qb.far_behind["org"]) == {"b"}


def test_the_half_year_check_passes_at_half_and_reports_the_margin(small_plan):
    r = reports([("a", "terminals", "2005-06", 100), ("b", "terminals", "2005-06", 70)])
    h = reviews.half_year_review(small_plan, r).set_index(["target", "org"])
    assert bool(h.loc[("terminals", "a"), "half_pass"])
    assert not bool(h.loc[("terminals", "b"), "half_pass"])
    assert h.loc[("terminals", "b"), "half_margin_pp"] == pytest.approx((70 / 153 - 0.5) * 100)
    assert h.loc[("terminals", ALL), "half_margin_pp"] == pytest.approx((170 / 353 - 0.5) * 100)


@pytest.mark.parametrize(
    "kind,text,end",
    [
        ("monthly", "2005-06", 6),
        ("quarterly", "2005Q3", 9),
        ("half-year", "2005H2", 12),
        ("annual", "2005", 12),
    ],
)
def test_periods_are_read_in_their_usual_notation(kind, text, end):
    p = reviews.parse_period(kind, text, year=2005)
    assert p.end_month == end and p.code == text


@pytest.mark.parametrize(
    "kind,text,zh,en",
    [
        (
            "monthly",
            "2005-13",
            "期间格式错误：'2005-13'（月调度表应写作 2005-06）",
            "bad period '2005-13' (monthly periods look like 2005-06)",
        ),
        (
            "quarterly",
            "2005Q5",
            "期间格式错误：'2005Q5'（季度通报应写作 2005Q2）",
            "bad period '2005Q5' (quarterly periods look like 2005Q2)",
        ),
        (
            "half-year",
            "2005",
            "期间格式错误：'2005'（半年工作总结应写作 2005H1）",
            "bad period '2005' (half-year periods look like 2005H1)",
        ),
        (
            "annual",
            "05",
            "期间格式错误：'05'（年终考核应写作 2005）",
            "bad period '05' (annual periods look like 2005)",
        ),
        (
            "weekly",
            "2005",
            "未知的报告类型：'weekly'（可选 monthly、quarterly、half-year、annual）",
            "unknown report kind 'weekly' (choose monthly, quarterly, half-year or annual)",
        ),
    ],
)
def test_a_bad_period_is_a_usage_error_in_both_languages(kind, text, zh, en):
    with pytest.raises(UsageError) as exc:
        reviews.parse_period(kind, text)
    assert exc.value.zh == zh
    assert exc.value.en == en
    assert str(exc.value).endswith(f"{zh} / {en}")


def test_a_period_outside_the_plan_year_is_refused():
    with pytest.raises(UsageError):
        reviews.parse_period("monthly", "2004-06", year=2005)


def test_the_allocation_table_shows_when_a_split_does_not_add_up(demo_plan):
    t = reviews.allocation_table(demo_plan).set_index("target")
    assert t.loc["terminals", "difference"] == pytest.approx(
        sum(demo_plan.target("terminals").allocation_values().values()) - 353
    )
    assert t.loc["mushroom_area", "difference"] == 0


COUNTY = county_plan_text(
    more="  - {id: industry, title: 高新技术产业产值, unit: 亿元, pending: true,\n"
    "     allocations: {e1: 3, e2: 3}}\n",
)


def test_laggard_items_are_the_lagging_statuses_only_worst_first():
    from kejifu.plan import parse_plan
    from kejifu.status import LAGGING

    plan = parse_plan(COUNTY)
    r = reports(
        [
            ("a", "area", "2005-06", 50),  # on track
            ("b", "area", "2005-06", 45),  # 0.45 ≥ 0.85 × 0.5: behind
            ("d", "area", "2005-06", 10),  # far behind
            ("e1", "ht", "2005-06", 3.0),
            ("tjj", "ind", "2005-06", 16.0),  # one side of the share: not_applicable
            ("e1", "rd", "2005-06", 600),  # 6 %: met
            ("e1", "sales", "2005-06", 10000),
            ("e2", "rd", "2005-06", 400),  # 4 %: not met
            ("e2", "sales", "2005-06", 10000),
            ("e1", "industry", "2005-06", 0.1),  # a pending target
        ]
    )
    frame = status(plan, r, "2005-06-30")
    lag = reviews.laggard_items(plan, frame)
    assert list(zip(lag["target"], lag["org"], lag["status"])) == [
        ("area", "d", "far_behind"),
        ("rd_floor", "e2", "not_met"),
        ("area", "b", "behind"),
    ]
    assert set(lag["status"]) <= set(LAGGING) and lag.loc[0, "org_name"] == "丙镇"
    named = set(lag["org"])
    quiet = frame[frame["status"].isin(["not_applicable", "pending", "not_due", "met"])]
    assert not quiet.empty and named.isdisjoint(set(quiet["org"]) - {"e2"})
    assert list(reviews.far_behind_items(plan, frame)["org"]) == ["d"]


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory):
    from kejifu.demo import build_demo
    from kejifu.workspace import open_workspace

    with open_workspace(build_demo(tmp_path_factory.mktemp("demo") / "ws", seed=2005)) as ws:
        yield ws.plan, ws.reports


def test_the_demo_2005q2_bulletin_names_no_org_whose_completion_is_not_a_real_figure(demo_workspace):
    import math

    from kejifu import bulletin
    from kejifu.status import LAGGING

    plan, reps = demo_workspace
    qb = reviews.quarterly_bulletin(plan, reps, "2005Q2")
    for items in (qb.far_behind, qb.laggards):
        assert not items.empty
        comp = items["completion"].astype(float)
        assert comp.map(math.isfinite).all() and (comp >= -1).all()
        assert set(items["status"]) <= set(LAGGING)
    # the statistics bureau reports one side of the share: never named anywhere in the text
    bureau = [o.id for o in plan.orgs if o.kind == "department" and "统计" in o.name]
    assert bureau and (qb.frame.loc[qb.frame["org"].isin(bureau), "status"] != "far_behind").all()
    text = bulletin.text(plan, qb.frame)
    assert all(plan.org_name(o) not in text for o in bureau)
    # every org the text names as lagging has a real completion on a lagging status
    real = qb.frame[qb.frame["status"].isin(LAGGING) & qb.frame["completion"].map(math.isfinite)]
    named = {o.id for o in plan.orgs if o.kind != "county" and plan.org_name(o.id) in text}
    missing = set(bulletin.missing_orgs(plan, qb.frame))
    assert named <= set(real["org"]) | missing
    assert "比上年提高" not in text and "暂无报送数据" not in text


def test_the_half_year_check_leaves_out_floors_milestones_and_targets_awaiting_their_value():
    from kejifu.plan import parse_plan

    plan = parse_plan(COUNTY)
    r = reports(
        [
            ("a", "area", "2005-06", 60),
            ("b", "area", "2005-06", 50),
            ("d", "area", "2005-06", 40),  # 150 / 300 = 50 %: half done
            ("e1", "rd", "2005-06", 600),
            ("e1", "sales", "2005-06", 10000),
            ("e1", "industry", "2005-06", 1.0),
        ]
    )
    h = reviews.half_year_review(plan, r)
    assert set(h["target"]) == {"area", "share"}
    total = h[(h["org"] == ALL) & (h["target"] == "area")].iloc[0]
    assert bool(total["half_pass"]) and total["half_margin_pp"] == pytest.approx(0.0)


def test_the_allocation_table_sums_counts_but_not_the_per_town_levels_of_a_share():
    from kejifu.plan import parse_plan
    from tests.helpers import SMALL_PLAN

    text = SMALL_PLAN.replace(
        "baseline: 30.14, target: 33}", "baseline: 30.14, target: 33, allocations: {a: 34, b: 32}}"
    )
    table = reviews.allocation_table(parse_plan(text, file="small.yaml")).set_index("target")
    assert table.loc["terminals", "allocated"] == 353  # 200 + 153
    assert table.loc["terminals", "difference"] == 0
    # 34 % and 32 % are each town's own level: 66 would mean nothing
    assert pd.isna(table.loc["share", "allocated"]) and pd.isna(table.loc["share", "difference"])
    assert table.loc["share", "target_value"] == 33
