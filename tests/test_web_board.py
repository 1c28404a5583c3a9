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
