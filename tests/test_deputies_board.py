"""Dashboard 05 (kejifu.web.boards.deputies): the due lists, the tracking records and the rules in force."""

from __future__ import annotations

import re

import pytest

from kejifu import config
from kejifu.deputies.demo import load_demo
from kejifu.store import Store
from kejifu.web.boards import deputies
from kejifu.workspace import open_workspace


@pytest.fixture(scope="module")
def sections(tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("board") / "ws"
    with Store.create(path, config.demo_plan()) as store:
        load_demo(store)
    with open_workspace(path) as ws:
        board = deputies.board(ws)
        board.month = "2005-04"  # as of 30 April 2005
        board.refresh()
        parts = [s.value for s in board.sections]
    out = {}
    for part in parts:
        heading = part[part.index("<h2>") + 4 : part.index("</h2>")]
        out[heading] = re.sub(r"(<[^>]+>)+", " ", part)
    return out


def section(sections: dict[str, str], start: str) -> str:
    (text,) = [v for k, v in sections.items() if k.startswith(start)]
    return text


def test_the_end_of_term_due_list_holds_the_2002_batch_but_not_its_recalled_deputy(sections):
    text = section(sections, "三个月内任期届满")
    assert re.findall(r"KF\d{6}", text) == ["KF200202", "KF200203", "KF200204"]
    assert text.count("2005-06-30") == 3 and " 61 " in text  # 61 days after 30 April


def test_the_report_and_hearing_due_lists_name_who_is_still_to_file_or_be_heard(sections):
    reports = section(sections, "书面报告待报送名单")
    assert "待报送" in reports and "KF200301" in reports  # nothing filed yet in 2005, due 31 December
    hearings = section(sections, "组织部听取汇报待办名单")
    # the demo hears every other deputy in 2005: KF200202 (heard) is not listed, KF200203 is
    assert "KF200203" in hearings and "KF200202" not in hearings and "待听取" in hearings


def test_the_board_says_which_rules_are_the_countys_settings(sections):
    rules = section(sections, "规则与本县设置")
    assert re.search(r"等次分数线 优秀 90, 称职 75, 基本称职 60 本县设置（非市里统一规定）", rules)
    assert re.search(r"生活补贴（元/月） 150 市委讲话", rules)
    assert "考核权重、等次分数线和“五个一”口径按本县办法设置" in section(sections, "考核等次分布")


def test_the_tracking_records_show_the_recall_with_its_reason_and_the_admonition_before_it(sections):
    text = section(sections, "跟踪管理记录")
    assert re.search(r"KF200201 召回（退回原单位） 2004-11-20 长期无故不在岗，退回原单位，取消各种待遇", text)
    assert re.search(r"KF200201 诫勉谈话 2004-10-06 诫勉谈话 乡镇党委书记", text)


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict[str, dict]:
    """The figures of the board as of 30 April 2005, by title."""
    import json

    path = tmp_path_factory.mktemp("board_figures") / "ws"
    with Store.create(path, config.demo_plan()) as store:
        load_demo(store)
    with open_workspace(path) as ws:
        board = deputies.board(ws)
        board.month = "2005-04"
        board.refresh()
        html = "".join(s.value for s in board.sections)
    found = re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)
    figs = [json.loads(f.replace("<\\/", "</")) for f in found]
    return {f["layout"]["title"]["text"]: f for f in figs}


def test_every_chart_of_the_board_is_titled_with_its_period_in_the_shared_template(figures):
    titles = sorted(figures)
    assert any(t.startswith("各乡镇科技副职人数（截至2005年4月30日）") for t in titles)
    # the compliance chart counts the reports the table under it follows up: back to 2002
    assert any(t.startswith("书面报告报送情况（2002年1月—2005年4月）") for t in titles)
    assert any(re.match(r"最近年度考核等次分布（\d{4}—2004年度）", t) for t in titles)
    for fig in figures.values():
        assert fig["layout"]["template"]["layout"]["font"]["family"].startswith('"Noto Sans CJK SC"')
        assert fig["layout"]["yaxis"]["tickformat"] == "d" and fig["layout"]["yaxis"]["dtick"] >= 1


def test_waiting_and_completed_posts_are_drawn_in_neutral_colours(figures):
    from kejifu.palette import series_palette, status_color

    (roster,) = [f for t, f in figures.items() if t.startswith("各乡镇科技副职人数")]
    colours = {d["name"]: d["marker"]["color"] for d in roster["data"]}
    alarms = {status_color(c) for c in ("behind", "far_behind", "overdue", "not_met")}
    assert colours["待到任"] == series_palette["light"] and colours["期满"] == series_palette["pale_grey"]
    assert not {colours["待到任"], colours["期满"], colours["在任"]} & alarms
    assert roster["layout"]["yaxis"]["dtick"] == 1  # two or three deputies a town: one tick a person
