"""The board a leader opens: which month it opens on (issue 12 item 6, issue 13 rule 7)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kejifu.demo import build_demo
from kejifu.web import boards
from kejifu.web.board import default_month
from kejifu.workspace import open_workspace

YEAR = [f"2005-{m:02d}" for m in range(1, 13)]


class _At:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def default_as_of(self) -> dt.date:
        return self.day


def test_a_board_opens_on_the_workspaces_default_month_not_the_latest_offered():
    assert default_month(_At(dt.date(2005, 6, 30)), YEAR) == "2005-06"


def test_a_default_month_outside_the_choices_falls_back_to_the_latest_choice():
    assert default_month(_At(dt.date(2004, 12, 31)), YEAR[:6]) == "2005-06"


def test_one_clerks_slip_to_december_does_not_move_the_overview_off_june(tmp_path):
    build_demo(tmp_path / "ws")
    with open_workspace(tmp_path / "ws", readonly=False) as ws:
        town = ws.plan.towns()[0].id
        ws.store.commit_reports(
            pd.DataFrame({"org": [town], "measure": ["terminals"], "month": ["2005-12"], "value": [30.0]}),
            source_file="slip.csv",
            sha256="slip",
        )
    with open_workspace(tmp_path / "ws") as ws:
        assert ws.latest_month() == "2005-12"
        board = boards.overview(ws)
        assert board.months[-1] == "2005-12"  # December can still be picked…
        assert board.month == "2005-06"  # …but the board opens on June


def test_the_detail_board_opens_on_the_demos_target_furthest_behind(tmp_path):
    # June 2005 in the demo: research institutions 2 of 8 = 25 % against 50 % due → 0.5; achievements
    # 7 of 25 = 28 % against 32 % → 0.875; every other target with something due is at or ahead of it
    build_demo(tmp_path / "ws")
    with open_workspace(tmp_path / "ws") as ws:
        board = boards.detail(ws)
        assert board.month == "2005-06"
        assert board.pick == "research_institutions"
        html = "".join(s.value for s in board.sections)
        assert ws.plan.target("research_institutions").title in html
        # new varieties were allocated to nobody: the towns reporting them are drawn, marked 未分解
        board.pick_w.value = "new_varieties"
        html = "".join(s.value for s in board.sections)
        assert "未分解" in html and "\\u65e0\\u6570\\u636e" not in html and "无数据" not in html


def test_a_month_imported_while_a_board_is_open_is_offered_after_a_refresh(tmp_path):
    from kejifu.io.importer import import_file

    build_demo(tmp_path / "ws")  # reports January through June 2005
    with open_workspace(tmp_path / "ws") as ws:
        board = boards.overview(ws)
        assert board.months[-1] == "2005-06"
        assert "2005-07" not in [v for _, v in board.month_w.options]
        town, measure = ws.plan.towns()[0].id, next(iter(ws.plan.reportable()))
        csv = tmp_path / "july.csv"
        csv.write_text(f"org,measure,month,value\n{town},{measure},2005-07,300\n", encoding="utf-8")
        with open_workspace(tmp_path / "ws", readonly=False) as writer:  # an import from another session
            assert import_file(writer.store, csv, who="clerk").ok
        board.refresh()
        assert board.months[-1] == "2005-07"
        assert [v for _, v in board.month_w.options][-2:] == ["2005-06", "2005-07"]
        assert board.month == board.month_w.value == "2005-06"  # the leader's choice stays put
