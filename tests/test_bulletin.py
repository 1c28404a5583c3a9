"""Bulletin text: sentences worded from the status frame's numbers."""

from __future__ import annotations

from kejifu import bulletin
from kejifu.plan import parse_plan
from kejifu.status import LAGGING, status
from tests.helpers import THIRD_ENTERPRISE, county_plan_text, reports

PLAN = """
plan: {id: b, title: 通报测试, region: 测试县, year: 2005,
       groups: {info: {zh: 农村信息化, en: Rural informatization}, ht: {zh: 高新技术产业, en: High-tech}}}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, name_en: Jia, kind: town, parent: c}
  - {id: b, name: 乙镇, name_en: Yi, kind: town, parent: c}
measures:
  - {id: ht, title: 高新技术企业产值, unit: 亿元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
targets:
  - {id: terminals, title: 安装信息机, title_en: Information terminals installed, group: info, unit: 台,
     target: 353, allocations: {a: 200, b: 153}}
  - {id: share, title: 高新技术企业产值占比, group: ht, unit: '%', kind: share,
     numerator: ht, denominator: ind, baseline: 30.14, target: 33}
"""


def _plan():
    return parse_plan(PLAN, file="b.yaml")


def test_the_terminal_sentence_reads_exactly_as_an_official_bulletin():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-06", 120), ("b", "terminals", "2005-06", 40)]), "2005-06-30"
    )
    paras = bulletin.paragraphs(plan, frame)
    assert paras[0].heading == "一、农村信息化"
    assert "截至6月底，全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点" in paras[0].text


def test_the_english_sentence_carries_the_same_numbers():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-06", 120), ("b", "terminals", "2005-06", 40)]), "2005-06-30"
    )
    text = bulletin.paragraphs(plan, frame, "en")[0].text
    assert text.startswith("By the end of June, Information terminals installed: 160")
    assert "45.3% of the annual target" in text and "4.7" in text and "behind" in text


def test_ahead_of_schedule_is_worded_as_above_the_expected_progress():
    plan = _plan()
    frame = status(plan, reports([("a", "terminals", "2005-03", 100)]), "2005-03-31")
    assert "完成年度目标的28.3%，高于序时进度3.3个百分点" in bulletin.paragraphs(plan, frame)[0].text


def test_a_met_target_says_so_instead_of_a_gap():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-09", 200), ("b", "terminals", "2005-09", 160)]), "2005-09-30"
    )
    assert (
        # 360 / 353 = 1.019830…: cut to one decimal by kejifu.display.pct (never rounded up)
        "全县安装信息机360台，完成年度目标的101.9%，已完成年度目标"
        in bulletin.paragraphs(plan, frame)[0].text
    )


def test_towns_far_behind_are_named_after_the_county_sentence():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-06", 150), ("b", "terminals", "2005-06", 10)]), "2005-06-30"
    )
    assert "分乡镇看，乙镇的安装信息机进度严重滞后" in bulletin.paragraphs(plan, frame)[0].text


def test_a_share_is_worded_in_points_against_the_same_month_of_last_year_and_the_target():
    plan = _plan()
    last = [("a", "ht", "2004-06", 2.7), ("a", "ind", "2004-06", 10)]  # June 2004: 27 %
    frame = status(
        plan, reports(last + [("a", "ht", "2005-06", 3.1), ("a", "ind", "2005-06", 10)]), "2005-06-30"
    )
    text = bulletin.paragraphs(plan, frame)[1].text
    # 31 % − 27 % = 4 points on the same month; 33 − 31 = 2 points to go
    assert (
        "全县高新技术企业产值占比为31%，比上年同期提高4个百分点，年度目标为33%，距年度目标尚差2个百分点"
        in text
    )


def test_a_year_to_date_share_is_never_compared_with_last_years_full_year_baseline():
    plan = _plan()
    # the baseline 30.14 % is 2004's full year, and so is a 2004-12 report: neither is June 2004
    full_year = [("a", "ht", "2004-12", 8.04), ("a", "ind", "2004-12", 26.68)]
    frame = status(
        plan, reports(full_year + [("a", "ht", "2005-06", 3.1), ("a", "ind", "2005-06", 10)]), "2005-06-30"
    )
    text = bulletin.text(plan, frame)
    assert "全县高新技术企业产值占比为31%，无上年同期数据，年度目标为33%" in text
    assert "比上年" not in text and "0.86" not in text
    assert "no figures for the same period last year" in bulletin.text(plan, frame, "en")


def test_targets_without_figures_are_listed_together():
    plan = _plan()
    frame = status(plan, reports([]), "2005-06-30")
    assert bulletin.paragraphs(plan, frame)[0].text == "截至6月底，安装信息机暂无报送数据。"


# ----- how current and how complete the figures are (issue 13, items 7 and 8) -----------------


def test_data_ending_in_march_are_dated_march_in_a_june_bulletin_and_the_first_line_says_so():
    plan = _plan()
    r = reports([("a", "terminals", "2005-03", 50), ("b", "terminals", "2005-03", 40)])
    frame = status(plan, r, "2005-06-30")
    text = bulletin.text(plan, frame)
    # 90 / 353 = 0.254957 -> 25.4 %; June's schedule (linear) expects 6/12 = 50 %
    assert "截至3月底，全县安装信息机90台，完成年度目标的25.4%，按序时进度6月底应完成50.0%" in text
    assert "截至6月底，全县" not in text
    # carried-forward figures do not make laggards; the towns are named as not having reported
    assert "严重滞后" not in text and "甲镇、乙镇未按时报送6月数据。" in text
    assert bulletin.currency_line(frame) == "数据截至2005年3月，2005年4月至2005年6月的数据尚未报送。"
    assert (
        bulletin.currency_line(frame, "en")
        == "data through Mar 2005; no figures yet for Apr 2005 to Jun 2005."
    )


def test_current_data_need_no_currency_line():
    plan = _plan()
    frame = status(plan, reports([("a", "terminals", "2005-06", 120)]), "2005-06-30")
    assert bulletin.data_month(frame) == "2005-06"
    assert bulletin.currency_line(frame) is None


def test_a_total_from_one_of_two_towns_says_so_and_the_silent_town_is_named():
    plan = _plan()
    r = reports([("a", "terminals", "2005-06", 120), ("b", "terminals", "2005-05", 40)])
    paras = bulletin.paragraphs(plan, status(plan, r, "2005-06-30"))
    # 乙镇's May figure is carried forward: the total is 120 + 40 = 160 from one fresh report of two
    assert (
        "全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点（2个乡镇中1个已报送）"
        in paras[0].text
    )
    assert paras[-1].heading == "三、报送情况"
    assert paras[-1].text == "乙镇未按时报送6月数据。"
    en = bulletin.paragraphs(plan, status(plan, r, "2005-06-30"), "en")
    assert "(1 of 2 towns reported)" in en[0].text and en[-1].text == "Yi have not reported for June."


def test_an_org_without_a_real_completion_is_never_named_as_a_laggard():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-06", 120), ("b", "terminals", "2005-06", 10)]), "2005-06-30"
    )
    assert bulletin.laggards(frame, "terminals") == ["b"]
    # the same far-behind row with a completion that is not a real figure
    broken = frame.copy()
    broken.loc[(broken["org"] == "b") & (broken["target"] == "terminals"), "completion"] = float("inf")
    assert bulletin.laggards(broken, "terminals") == []
    assert bulletin.laggard_sentence(plan, broken, "terminals") is None


def test_share_changes_are_in_whole_points_without_a_trailing_zero():
    plan = _plan()
    # 9.0 of 27 = 33.33 %, June 2004 8.1 of 27 = 30 %: 3.33 points up on the same month; 33 % is met
    last = [("a", "ht", "2004-06", 8.1), ("a", "ind", "2004-06", 27.0)]
    r = reports(last + [("a", "ht", "2005-06", 9.0), ("a", "ind", "2005-06", 27.0)])
    text = bulletin.text(plan, status(plan, r, "2005-06-30"))
    assert "比上年同期提高3.33个百分点" in text and "已完成年度目标" in text
    frame = status(plan, reports([("a", "ht", "2005-06", 3.1), ("a", "ind", "2005-06", 10.0)]), "2005-06-30")
    # 31 %: 2 points short of 33 % -> 「2个百分点」, not 「2.0个百分点」
    assert "距年度目标尚差2个百分点" in bulletin.text(plan, frame)


def test_every_output_can_open_with_the_month_its_data_run_through():
    plan = _plan()
    current = status(plan, reports([("a", "terminals", "2005-06", 120)]), "2005-06-30")
    assert bulletin.data_line(current) == "数据截至2005年6月"
    assert bulletin.data_line(current, "en") == "data through Jun 2005"
    late = status(plan, reports([("a", "terminals", "2005-03", 50)]), "2005-06-30")
    assert bulletin.data_line(late) == "数据截至2005年3月，2005年4月至2005年6月的数据尚未报送。"
    assert bulletin.data_line(status(plan, reports([]), "2005-06-30")) == "尚无报送数据"


# ----- what the engine computes, worded (issue 13: pending, 同比, floors, milestones, laggards) ------

COUNTY = county_plan_text(
    extra_orgs=THIRD_ENTERPRISE,
    more="""  - {id: industry, title: 高新技术产业产值, unit: 亿元, pending: true, baseline: 6.19}
  - {id: ht_value, title: 省级高新技术企业产值, unit: 亿元, measure: ht, stretch: 10,
     pending: 讲话只提出争取突破10亿元}
""",
)


def _county():
    return parse_plan(COUNTY, file="county.yaml")


def test_a_target_awaiting_its_value_shows_its_figure_and_yoy_never_no_data():
    plan = _county()
    # 3.918 / 3.0 = 1.306: 同比增长30.6%; the value is shown, the target is awaited, no completion
    r = reports([("kjj", "industry", "2004-06", 3.0), ("kjj", "industry", "2005-06", 3.918)])
    text = bulletin.text(plan, status(plan, r, "2005-06-30"))
    assert "全县高新技术产业产值3.92亿元，同比增长30.6%，目标值待市里下达" in text
    assert "高新技术产业产值暂无报送数据" not in text and "完成年度目标" not in text


def test_a_pending_target_gives_its_reason_and_says_when_there_is_no_yoy():
    plan = _county()
    r = reports([("e1", "ht", "2005-06", 2.5), ("e2", "ht", "2005-06", 1.5)])
    text = bulletin.text(plan, status(plan, r, "2005-06-30"))
    assert "全县省级高新技术企业产值4亿元，无上年同期数据，讲话只提出争取突破10亿元" in text
    en = bulletin.text(plan, status(plan, r, "2005-06-30"), "en")
    assert "the target value is awaited from the city" in en


def test_cumulative_yoy_is_the_growth_on_the_same_month_of_last_year():
    plan = _county()
    last = [("a", "area", "2004-06", 100), ("b", "area", "2004-06", 50), ("d", "area", "2004-06", 50)]
    now = [("a", "area", "2005-06", 130), ("b", "area", "2005-06", 70), ("d", "area", "2005-06", 61.2)]
    text = bulletin.text(plan, status(plan, reports(last + now), "2005-06-30"))
    # 261.2 / 200 = 1.306 -> 同比增长30.6%; 261.2 / 300 = 0.87066… -> 87.0 % (cut, never rounded up)
    assert "全县食用菌面积261.2亩，同比增长30.6%，完成年度目标的87.0%" in text
    down = [("a", "area", "2005-06", 90), ("b", "area", "2005-06", 50), ("d", "area", "2005-06", 50)]
    # 190 / 200 = 0.95: 同比下降5.0%
    assert "同比下降5.0%" in bulletin.text(plan, status(plan, reports(last + down), "2005-06-30"))


def test_a_floor_counts_the_enterprises_that_clear_it_and_names_those_below():
    plan = _county()
    r = reports(
        [
            ("e1", "rd", "2005-06", 600),  # 600 / 10000 = 6 %: met
            ("e1", "sales", "2005-06", 10000),
            ("e2", "rd", "2005-06", 400),  # 4 %: not met
            ("e2", "sales", "2005-06", 10000),
            ("e3", "rd", "2005-06", 500),  # 5 %: met
            ("e3", "sales", "2005-06", 10000),
        ]
    )
    frame = status(plan, r, "2005-06-30")
    text = bulletin.text(plan, frame)
    assert "研发经费占比：3家企业中2家达到5%，乙企业未达标" in text
    assert bulletin.floor_orgs(frame, "rd_floor") == (["e1", "e3"], ["e2"])
    assert bulletin.laggards(frame, "rd_floor", ("not_met",)) == ["e2"]


def test_a_milestone_shows_its_due_date_and_not_due_done_or_overdue():
    plan = _county()
    june = bulletin.text(plan, status(plan, reports([("a", "area", "2005-06", 50)]), "2005-06-30"))
    assert "十一五规划要求10月31日前完成，未到期" in june and "正在推进" not in june
    november = bulletin.text(plan, status(plan, reports([("a", "area", "2005-11", 50)]), "2005-11-30"))
    assert "十一五规划要求10月31日前完成，已逾期" in november
    done = reports([("a", "area", "2005-09", 50), ("kjj", "plan5", "2005-09", 1)])
    assert "十一五规划要求10月31日前完成，已完成" in bulletin.text(plan, status(plan, done, "2005-09-30"))


def test_laggards_are_far_behind_then_behind_and_never_an_org_without_its_own_share():
    plan = _county()
    r = reports(
        [
            ("a", "area", "2005-06", 50),  # 50 % of 100 against 50 % due: on track
            ("b", "area", "2005-06", 45),  # 45 % ≥ 0.85 × 50 %: behind
            ("d", "area", "2005-06", 10),  # 10 %: far behind
            ("e1", "ht", "2005-06", 3.0),
            ("tjj", "ind", "2005-06", 16.0),  # the statistics bureau: the denominator only
        ]
    )
    frame = status(plan, r, "2005-06-30")
    text = bulletin.text(plan, frame)
    assert "分乡镇看，丙镇的食用菌面积进度严重滞后，乙镇进度滞后" in text
    assert "县统计局" not in text and "甲镇" not in text
    assert bulletin.laggards(frame, "share", LAGGING) == []
    assert bulletin.laggards(frame, "area", LAGGING) == ["b", "d"]


def test_a_share_in_running_text_shows_one_decimal_and_the_gap_from_the_figure_shown():
    plan = _plan()
    # 3.179 of 10 亿元 = 31.79 % → 「31.8%」; 33 − 31.8 = 1.2 points to go
    frame = status(
        plan, reports([("a", "ht", "2005-06", 3.179), ("a", "ind", "2005-06", 10.0)]), "2005-06-30"
    )
    text = bulletin.text(plan, frame)
    assert "占比为31.8%，" in text and "距年度目标尚差1.2个百分点" in text
    assert "31.79" not in text and "1.21" not in text


def test_a_share_just_short_of_its_target_is_cut_not_rounded_up_to_it():
    plan = _plan()
    # 3.296 of 10 = 32.96 %: rounding would read 33.0 % (the target, not met); cut it reads 32.9 %
    frame = status(
        plan, reports([("a", "ht", "2005-06", 3.296), ("a", "ind", "2005-06", 10.0)]), "2005-06-30"
    )
    text = bulletin.text(plan, frame)
    assert "占比为32.9%，" in text and "距年度目标尚差0.1个百分点" in text
