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
