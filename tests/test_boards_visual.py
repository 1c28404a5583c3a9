"""One visual language and sensible defaults (issue 15, parts 3 and 4): the palette's text colours,
the share line and its round ticks, the heatmap's readable cell text, dashboard 05's charts in the
shared palette with titled periods and whole-number axes, 02 opening on the target furthest behind,
未分解 towns drawn, and milestones on a timeline with their state."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from kejifu import charts, months
from kejifu.charts import deputies as deputy_charts
from kejifu.palette import (
    contrast,
    line_palette,
    luminance,
    readable_text,
    series_palette,
    status_color,
    status_palette,
    status_text_color,
)
from kejifu.plan import parse_plan
from kejifu.status import ALL, status
from kejifu.web.boards.detail import detail, furthest_behind
from tests.helpers import reports, share_series

ALARMS = {status_color(c) for c in ("behind", "far_behind", "overdue", "not_met")}


# ----- palette -----------------------------------------------------------------------------------


def test_luminance_is_zero_for_black_one_for_white_and_contrast_is_twenty_one_to_one():
    assert luminance("#000000") == 0.0 and luminance("#FFFFFF") == pytest.approx(1.0)
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    # Okabe–Ito vermillion #D55E00: R 0.8353 → 0.4678, G 0.3686 → 0.1119, B 0 → L = 0.1795
    assert luminance("#D55E00") == pytest.approx(0.2126 * 0.6654 + 0.7152 * 0.1119, abs=1e-3)


def test_text_on_every_status_colour_is_the_more_readable_of_black_and_white():
    for code, colour in status_palette.items():
        text = status_text_color(code)
        other = "#FFFFFF" if text == "#000000" else "#000000"
        assert contrast(colour, text) >= contrast(colour, other), code
        assert contrast(colour, text) >= 4.0, code
    assert readable_text("#0072B2") == "#FFFFFF" and readable_text("#F0E442") == "#000000"


def test_neutral_series_colours_are_never_status_colours():
    assert not set(series_palette.values()) & set(status_palette.values())
    assert line_palette["share"] not in set(status_palette.values())


# ----- 04: the share chart and the heatmap -------------------------------------------------------


def test_the_share_line_takes_a_neutral_series_colour_not_a_status_colour(demo_plan):
    fig = charts.share_chart(share_series(), demo_plan, "ht_share", "zh")
    line = [d for d in fig.data if d.name == "比重"][0]
    assert line.line.color == series_palette["primary"]
    assert line.line.color not in set(status_palette.values())


def test_the_share_axis_ticks_are_whole_per_cents(demo_plan):
    # shares 31.1 … 31.8 %, baseline 30.14 %, target 33 %: ticks 30, 31, 32, 33, nothing between
    fig = charts.share_chart(share_series(), demo_plan, "ht_share", "zh")
    ticks = list(fig.layout.yaxis2.tickvals)
    assert ticks == [30.0, 31.0, 32.0, 33.0]
    assert list(fig.layout.yaxis2.ticktext) == ["30%", "31%", "32%", "33%"]
    low, high = fig.layout.yaxis2.range
    assert low < 30.14 and high > 33.0 and fig.layout.yaxis2.ticksuffix == "%"


def test_round_ticks_widen_the_step_to_keep_a_handful_of_ticks():
    assert charts.round_ticks([0.0, 100.0])["tickvals"] == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    assert charts.round_ticks([4.98, 5.0])["tickvals"] == [4.0, 5.0]
    assert charts.round_ticks([np.nan]) == {}


def test_heatmap_cell_text_is_black_or_white_by_the_cells_luminance(demo_plan):
    rows = pd.DataFrame(
        [
            dict(target="mushroom_area", org="jiehu", unit="亩", actual=300.0, allocation=100.0,
                 completion=3.0, expected=0.38, status="stretch_achieved", month="2005-06"),
            dict(target="mushroom_area", org="hutou", unit="亩", actual=30.0, allocation=100.0,
                 completion=0.3, expected=0.38, status="behind", month="2005-06"),
            dict(target="mushroom_area", org="sucun", unit="亩", actual=9.0, allocation=100.0,
                 completion=0.09, expected=0.38, status="overdue", month="2005-06"),
        ]
    )  # fmt: skip
    fig = charts.heatmap(rows, demo_plan, "zh")
    by_row = {int(a.y): a for a in fig.layout.annotations}
    assert by_row[0].font.color == "#FFFFFF"  # on Okabe–Ito blue
    assert by_row[1].font.color == "#000000"  # on orange
    assert by_row[2].font.color == "#FFFFFF"  # on the dark vermillion of overdue
    assert by_row[1].text == "78.9%"  # 0.3 / 0.38 = 0.78947…, cut
    assert not fig.data[0].texttemplate  # the heatmap's own one-colour text is off


# ----- 05: the deputies' charts ------------------------------------------------------------------

BY_ORG = pd.DataFrame(
    {
        "org": ["jiehu", "hutou", "sucun"],
        "appointed": [0, 1, 1],
        "serving": [1, 0, 1],
        "completed": [1, 1, 0],
        "recalled": [0, 0, 1],
        "total": [2, 2, 3],
    }
)


def test_the_roster_chart_colours_waiting_and_completed_posts_neutral_and_a_recall_as_an_alarm(demo_plan):
    fig = deputy_charts.roster_chart(BY_ORG, dt.date(2005, 4, 30), demo_plan, "zh")
    colours = {d.name: d.marker.color for d in fig.data}
    assert colours["待到任"] not in ALARMS and colours["期满"] not in ALARMS
    assert colours["待到任"] in series_palette.values() and colours["期满"] in series_palette.values()
    assert colours["在任"] == series_palette["primary"]
    assert colours["召回"] == status_color("far_behind")
    assert fig.layout.template.layout.font.family.startswith('"Noto Sans CJK SC"')  # the shared template


def test_the_roster_chart_is_titled_with_its_date_and_counts_people_in_whole_numbers(demo_plan):
    fig = deputy_charts.roster_chart(BY_ORG, dt.date(2005, 4, 30), demo_plan, "zh")
    assert "截至2005年4月30日" in fig.layout.title.text
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tick0 == 0 and fig.layout.yaxis.tickformat == "d"
    en = deputy_charts.roster_chart(BY_ORG, dt.date(2005, 4, 30), demo_plan, "en")
    assert "30 April 2005" in en.layout.title.text
    assert [d.customdata[0][1] for d in en.data if d.name == "Serving"] == ["1 person"]


def test_an_axis_of_forty_people_ticks_every_five_never_at_half_a_person():
    axis = charts.integer_axis(40)
    assert axis["dtick"] == 5 and axis["tickformat"] == "d"
    assert charts.integer_axis(3)["dtick"] == 1 and charts.integer_axis(0)["dtick"] == 1


def test_the_compliance_chart_covers_the_years_of_its_frame_and_uses_status_colours():
    comp = pd.DataFrame({"year": [2002, 2004, 2005, 2005], "status": ["overdue", "ok", "ok", "late"]})
    fig = deputy_charts.compliance_chart(comp, dt.date(2005, 4, 30), "zh")
    assert "2002年1月—2005年4月" in fig.layout.title.text
    bar = fig.data[0]
    assert list(bar.y) == [2, 1, 0, 1, 0]  # ok, late, incomplete, overdue, not yet due
    assert list(bar.marker.color)[:2] == [status_color("achieved"), status_color("behind")]
    assert fig.layout.yaxis.dtick == 1
    this_year = deputy_charts.compliance_chart(comp[comp["year"] == 2005], dt.date(2005, 4, 30), "en")
    assert "Jan–Apr 2005" in this_year.layout.title.text


def test_the_grade_chart_names_the_years_assessed():
    dist = pd.DataFrame(
        {"grade": ["excellent", "competent", "basic", "incompetent", "pending"], "count": [1, 12, 2, 0, 0]}
    )
    dist["label"] = dist["grade"]
    fig = deputy_charts.grade_chart(dist, (1999, 2004), "zh")
    assert "1999—2004年度" in fig.layout.title.text
    assert fig.layout.yaxis.dtick == 2 and fig.layout.yaxis.tickformat == "d"  # 12 people: 0, 2, 4 …
    assert list(fig.data[0].marker.color)[:2] == [status_color("stretch_achieved"), status_color("achieved")]


# ----- 02: the default target, 未分解, milestones -----------------------------------------------

PLAN = parse_plan(
    """
plan: {id: k, title: 测试计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: kjj, name: 县科技局, kind: department, parent: c}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
targets:
  - {id: t1, title: 一号指标, unit: 项, target: 10}
  - {id: t2, title: 二号指标, unit: 项, target: 20}
  - {id: t3, title: 三号指标, unit: 项, target: 10}
  - {id: t4, title: 四号指标, unit: 项, target: 10, allocations: {a: 10}}
  - {id: m1, title: 节点任务, unit: 项, kind: milestone, due: 2005-10-31, owner: kjj}
"""
)
# June, linear schedules (expected 50 %): t1 5/10 → 100 %; t2 4/20 = 20 % → 40 %; t3 2/10 = 20 % →
# 40 % (tied with t2, later in the plan); t4 4/10 = 40 % → 80 %; the milestone is not due.
JUNE = reports(
    [
        ("a", "t1", "2005-06", 5.0),
        ("a", "t2", "2005-06", 3.0),
        ("b", "t2", "2005-06", 1.0),
        ("a", "t3", "2005-06", 2.0),
        ("a", "t4", "2005-06", 3.0),
        ("b", "t4", "2005-06", 1.0),
        ("kjj", "m1", "2005-06", 0.0),
    ]
)


class Workspace:
    """The members a board reads, over a plan and a reports frame."""

    def __init__(self, plan, frame):
        self.plan, self.reports, self.filed, self.synthetic = plan, frame, frame, False

    def status(self, as_of=None, rollup=False, lang="zh"):
        return status(self.plan, self.reports, as_of or self.default_as_of(), rollup=rollup, lang=lang)

    def latest_month(self):
        return str(self.reports["month"].max())

    def refresh(self):
        """Nothing new was imported since the last render."""
        return False

    def default_as_of(self):
        return months.month_end(self.latest_month())


def _decoded(value):
    """Arrays as plotly writes them (``{'dtype': 'f8', 'bdata': …}``) back to lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def plots(html: str) -> list[dict]:
    """The figures a board's HTML carries, as plain dicts and lists."""
    return [
        _decoded(json.loads(m.replace("<\\/", "</")))
        for m in re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)
    ]


def test_the_furthest_behind_is_the_lowest_completion_against_schedule_ties_by_plan_order():
    st = status(PLAN, JUNE, "2005-06-30")
    totals = st[st["org"] == ALL]
    assert furthest_behind(totals, ["t1", "t2", "t3", "t4", "m1"]) == "t2"
    assert furthest_behind(totals, ["t1", "t3", "t2", "t4"]) == "t3"  # the order breaks the tie
    assert furthest_behind(totals, ["t1", "m1"]) == "t1"  # 100 %: the only one due


def test_detail_opens_on_the_target_furthest_behind():
    board = detail(Workspace(PLAN, JUNE))
    assert board.pick == "t2" and board.pick_w.value == "t2"


def test_an_overdue_milestone_is_furthest_behind():
    late = pd.concat([JUNE, reports([("kjj", "m1", "2005-11", 0.0), ("a", "t2", "2005-11", 20.0)])])
    st = status(PLAN, late, "2005-11-30")
    assert furthest_behind(st[st["org"] == ALL], ["t1", "t2", "t3", "t4", "m1"]) == "m1"


def test_towns_reporting_a_target_nobody_was_allocated_are_drawn_and_marked_not_allocated():
    board = detail(Workspace(PLAN, JUNE))
    board.pick_w.value = "t2"
    html = "".join(s.value for s in board.sections)
    fig = [f for f in plots(html) if f["data"] and f["data"][0].get("orientation") == "h"][0]
    bar = fig["data"][0]
    assert bar["x"] == [3.0, 1.0] and bar["text"] == ["未分解（3项）", "未分解（1项）"]
    assert [d["name"] for d in fig["data"][1:]] == ["未分解"]
    assert "无数据" not in json.dumps(fig, ensure_ascii=False)


def test_a_town_reporting_beside_allocated_towns_is_marked_not_allocated_in_the_bullet():
    board = detail(Workspace(PLAN, JUNE))
    board.pick_w.value = "t4"  # a has 10 allocated, b reports 1 without an allocation
    html = "".join(s.value for s in board.sections)
    notes = [d for f in plots(html) for d in f["data"] if d.get("mode") == "text"]
    assert notes and notes[0]["text"] == ["未分解（1项）"]


@pytest.mark.parametrize(
    "rows, as_of, code, words",
    [
        ([("kjj", "m1", "2005-06", 0.0)], "2005-06-30", "not_due", "距完成时限还有123天"),  # 31+31+30+31
        ([("kjj", "m1", "2005-11", 0.0)], "2005-11-30", "overdue", "已超过完成时限30天"),
        (
            [("kjj", "m1", "2005-09", 1.0), ("kjj", "m1", "2005-11", 1.0)],
            "2005-11-30",
            "achieved",
            "2005年9月报告完成",
        ),
    ],
)
def test_a_milestone_is_drawn_on_the_year_with_its_due_date_and_state(rows, as_of, code, words):
    frame = reports(rows)
    st = status(PLAN, frame, as_of)
    row = st[(st["target"] == "m1") & (st["org"] == ALL)].iloc[0]
    assert row["status"] == code
    from kejifu.series import monthly

    done = charts.done_month(monthly(PLAN, frame, targets=["m1"], through=11), "m1")
    fig = charts.milestone(row, PLAN, "m1", "zh", done=done)
    diamond = fig.data[1]
    assert diamond.marker.color == status_color(code)
    assert diamond.text[0].startswith(
        f"<b>{ {'not_due': '未到期', 'overdue': '逾期', 'achieved': '已完成'}[code] }</b>"
    )
    assert words in diamond.text[0]
    due = [s for s in fig.layout.shapes if s.line.dash == "dash"][0]
    assert str(due.x0)[:10] == "2005-10-31"
    if code == "achieved":
        assert str(diamond.x[0])[:10] == "2005-09-30"
    else:
        assert str(diamond.x[0])[:10] == as_of


def test_a_milestone_gets_its_own_card_and_timeline_on_the_detail_board():
    board = detail(Workspace(PLAN, JUNE))
    board.pick_w.value = "m1"
    html = "".join(s.value for s in board.sections)
    assert 'class="kejifu-card kejifu-milestone" data-status="not_due"' in html
    assert "完成时限 2005-10-31" in html and "距完成时限还有123天" in html and "县科技局" in html
    (fig,) = plots(html)
    assert "节点任务" in fig["layout"]["title"]["text"] and "截至2005年6月" in fig["layout"]["title"]["text"]


def test_the_share_chart_and_the_trajectory_are_titled_with_the_month_their_figures_run_through(demo_plan):
    fig = charts.share_chart(share_series(), demo_plan, "ht_share", "zh")
    assert fig.layout.title.text.endswith("（截至2005年6月）")
    bars = [d.marker.color for d in fig.data[:2]]
    assert not set(bars) & set(status_palette.values())  # numerator and denominator are series, not statuses
    carried = share_series().assign(stale=[False] * 4 + [True] * 2)  # May and June carried forward
    assert "截至2005年4月" in charts.share_chart(carried, demo_plan, "ht_share", "zh").layout.title.text
    traj = share_series().assign(target="mushroom_area", actual=[10.0, 20, 30, 40, 50, 60])
    assert "to June 2005" in charts.trajectory(traj, demo_plan, "mushroom_area", lang="en").layout.title.text


def test_a_trajectory_of_a_count_has_whole_number_ticks(demo_plan):
    # one national high-tech enterprise is the target: ticks 0, 1 — never 0.2, 0.4 …
    s = share_series().assign(target="ht_ent_national", actual=[0.0, 0, 0, 1, 1, 1])
    fig = charts.trajectory(s, demo_plan, "ht_ent_national", lang="en")
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
    area = charts.trajectory(s.assign(target="mushroom_area"), demo_plan, "mushroom_area", lang="en")
    assert area.layout.yaxis.dtick is None  # mu are not counted in whole numbers
