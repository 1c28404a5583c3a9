"""Bulletin text: sentences worded from the status frame's numbers."""

from __future__ import annotations

from kejifu import bulletin
from kejifu.plan import parse_plan
from kejifu.status import status
from tests.conftest import reports

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
  - {id: share, title: 高新技术企业产值占比, group: ht, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30.14, target: 33}
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
        "全县安装信息机360台，完成年度目标的102.0%，已完成年度目标"
        in bulletin.paragraphs(plan, frame)[0].text
    )


def test_towns_far_behind_are_named_after_the_county_sentence():
    plan = _plan()
    frame = status(
        plan, reports([("a", "terminals", "2005-06", 150), ("b", "terminals", "2005-06", 10)]), "2005-06-30"
    )
    assert "分乡镇看，乙镇的安装信息机进度严重滞后" in bulletin.paragraphs(plan, frame)[0].text


def test_a_share_is_worded_in_points_against_the_baseline_and_the_target():
    plan = _plan()
    frame = status(plan, reports([("a", "ht", "2005-06", 3.1), ("a", "ind", "2005-06", 10)]), "2005-06-30")
    text = bulletin.paragraphs(plan, frame)[1].text
    assert (
        "全县高新技术企业产值占比为31%，比上年提高0.86个百分点，年度目标为33%，距年度目标尚差2个百分点"
        in text
    )


def test_targets_without_figures_are_listed_together():
    plan = _plan()
    frame = status(plan, reports([]), "2005-06-30")
    assert bulletin.paragraphs(plan, frame)[0].text == "截至6月底，安装信息机暂无报送数据。"
