"""Names are text in the dashboards' HTML: every name a person typed (orgs, targets, measures, the
plan title) is escaped and bidi-isolated in a ``<bdi>``, so a right-to-left override (U+202E)
in a town's name cannot reverse the rest of the freshness line, a heading or a table row; the
catalogue's labels are filled without double escaping."""

from __future__ import annotations

import datetime as dt
import html as stdlib_html
import re

import pandas as pd
import pytest
import yaml

from kejifu import config
from kejifu import status as status_mod
from kejifu.io.importer import import_file
from kejifu.store import Store
from kejifu.web import boards
from kejifu.web import html as snippets
from kejifu.workspace import open_workspace

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting
#: Every character that changes the direction of the text after it.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f"
EVIL_TOWN = "湖头" + RLO + "镇abc"  # shows as 湖头cba镇 …and, unisolated, everything after it
EVIL_TARGET = RLO + "<b>终端</b>"
EVIL_MEASURE = RLO + "高新产值"
SCRIPT_JSON = re.compile(r'<script type="application/json">.*?</script>', re.S)
BDI = re.compile(r"<bdi>(.*?)</bdi>", re.S)


def outside_bdi(text: str) -> str:
    """``text`` without its chart JSON and without the content of its ``<bdi>`` elements."""
    text = SCRIPT_JSON.sub("", text)
    assert "<bdi><bdi>" not in text  # not nested (the regex would cut a nested one short)
    return BDI.sub("", text)


def assert_isolated(text: str) -> None:
    rest = outside_bdi(text)
    leaked = [hex(ord(c)) for c in rest if c in BIDI_CONTROLS]
    assert leaked == [], rest[:500]


@pytest.fixture()
def rlo_workspace(tmp_path):
    """The tiny plan with 湖头镇 renamed to a name holding U+202E, the terminals target and the
    high-tech output measure too; only 界湖镇 reported, so the freshness line names 湖头镇."""
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    for org in data["orgs"]:
        if org["id"] == "hutou":
            org["name"] = org["name_en"] = EVIL_TOWN
    for tg in data["targets"]:
        if tg["id"] == "terminals":
            tg["title"] = tg["title_en"] = EVIL_TARGET
    for m in data["measures"]:
        if m["id"] == "ht_output":
            m["title"] = m["title_en"] = EVIL_MEASURE
    data["plan"]["title"] = RLO + "测试县科技计划"
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with Store.create(tmp_path / "ws", plan) as store:
        report = tmp_path / "r.csv"
        report.write_text(
            "单位,指标,月份,累计完成\njiehu,terminals,2005-06,80\njiehu,mushroom_area,2005-06,500\n"
            "ent_a,tech_income,2005-06,100\nent_a,ht_output,2005-06,100\n"
            "county,industrial_output,2005-06,5\n",
            encoding="utf-8",
        )
        assert import_file(store, report).ok
    ws = open_workspace(tmp_path / "ws")
    yield ws
    ws.close()


def test_a_name_is_escaped_and_wrapped_in_bdi():
    assert snippets.name("A&<b>" + RLO) == "<bdi>A&amp;&lt;b&gt;" + RLO + "</bdi>"


def test_a_catalogue_label_is_escaped_once_and_its_placeholders_are_filled_with_html():
    out = snippets.label("dash.scorecard", "zh", town=snippets.name("<x>"))
    assert out == "<bdi>&lt;x&gt;</bdi>各项任务"
    out = snippets.label("dash.latest_report", "en", month="Jun 2005")
    assert out == "Latest report: Jun 2005"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_rlo_in_a_town_name_stays_inside_its_bdi_on_the_freshness_line(rlo_workspace, lang):
    out = snippets.freshness_html(rlo_workspace, "2005-06", lang)
    assert_isolated(out)
    assert f"<bdi>{stdlib_html.escape(EVIL_TOWN)}</bdi>" in out
    # the text after the name (the separator, the count) is outside the isolate
    head = (
        "最新报送月份：2005年6月 · 2005年6月未报送的乡镇（1个）："
        if lang == "zh"
        else "Latest report: Jun 2005"
    )
    assert outside_bdi(out).startswith(f'<div class="kejifu-fresh">{head}')


def test_the_freshness_line_isolates_each_of_many_names_separately():
    class Plan:
        def towns(self):
            return [type("Org", (), {"id": i}) for i in ("a", "b")]

        def org_name(self, org, lang):
            return {"a": RLO + "甲", "b": "乙"}[org]

    class Ws:
        plan = Plan()
        filed = pd.DataFrame({"org": ["x"], "month": ["2005-06"]})

        def latest_month(self):
            return "2005-06"

    out = snippets.freshness_html(Ws(), "2005-06", "zh")
    assert "<bdi>" + RLO + "甲</bdi>、<bdi>乙</bdi>" in out


def test_cards_tables_and_headings_of_every_board_keep_each_rlo_inside_a_bdi(rlo_workspace):
    pytest.importorskip("ipywidgets")
    seen = ""
    for build in (boards.overview, boards.detail, boards.towns, boards.hightech):
        board = build(rlo_workspace)
        picks = [v for _, v in board.pick_options(board)] if board.pick_options else [""]
        for pick in picks:
            board.pick_w.value = pick or None
            for lang in ("zh", "en"):
                board.lang_w.value = lang
                page = board.static_html()
                assert_isolated(page)
                seen += page
    # the names were shown, inside their isolates
    for shown in (EVIL_TOWN, EVIL_TARGET, EVIL_MEASURE, RLO + "测试县科技计划"):
        assert f"<bdi>{stdlib_html.escape(shown)}</bdi>" in seen, shown
    # the town's scorecard heading: the name isolated, the label's own words outside it
    assert f"<h2><bdi>{stdlib_html.escape(EVIL_TOWN)}</bdi>各项任务</h2>" in seen


def test_a_card_title_is_isolated_and_its_figures_are_formatted_by_display(rlo_workspace):
    tot = status_mod.totals(rlo_workspace.status(dt.date(2005, 6, 30)))
    row = tot[tot["target"] == "terminals"].iloc[0].to_dict()
    out = snippets.card_html(row, rlo_workspace.plan, "zh")
    assert f'<div class="kejifu-card-title"><bdi>{stdlib_html.escape(EVIL_TARGET)}</bdi></div>' in out
    assert_isolated(out)


def test_a_missing_figure_shows_the_one_missing_marker_and_shares_are_cut_not_rounded():
    assert snippets.number_html(None, "亩", "zh") == "—"
    assert snippets.number_html(float("nan"), "亩", "zh") == "—"
    assert snippets.number_html(3000, "亩", "zh") == "3,000亩"
    assert snippets.pct(0.996) == "99%"  # never 100% before it is reached
    assert snippets.pct(None) == "—"


def test_every_table_cell_is_isolated():
    frame = pd.DataFrame({"name": [RLO + "甲", "乙"], "v": ["1", "2"]})
    out = snippets.table_html(frame, {"name": "单位", "v": "值"})
    assert out.count("<td><bdi>") == 4
    assert_isolated(out)


# ----- layout on every screen size: tables, chips, the worst targets first ----------------------


def test_a_table_sits_in_a_box_that_scrolls_sideways_and_only_its_long_cells_may_wrap():
    long_text = "推广新技术（项）、举办培训班（期）"  # 17 characters: more than LONG_CELL
    assert len(long_text) == snippets.LONG_CELL + 1
    frame = pd.DataFrame({"name": ["界湖镇", "湖头镇"], "v": [long_text, "1"]})
    out = snippets.table_html(frame, {"name": "单位", "v": "值"})
    assert out.startswith('<div class="kejifu-table-wrap"><table class="kejifu-table">')
    assert out.endswith("</table></div>")
    assert out.count('<td class="kejifu-long">') == 1
    assert f'<td class="kejifu-long"><bdi>{long_text}</bdi></td>' in out
    assert out.count("<td><bdi>") == 3


def test_each_status_chip_carries_its_count_so_a_phone_can_hide_the_empty_ones():
    frame = pd.DataFrame({"status": ["on_track", "on_track", "behind"]})
    out = snippets.counts_html(frame, "zh")
    assert 'data-status="on_track" data-n="2"' in out
    assert 'data-status="behind" data-n="1"' in out
    assert 'data-status="far_behind" data-n="0"' in out
    assert "超序时进度 2" in out


def test_the_worst_targets_come_first_by_status_then_by_the_largest_gap():
    from kejifu.web.boards.overview import worst_targets

    frame = pd.DataFrame(
        {
            "target": ["a", "b", "c", "d", "e", "f", "g"],
            "status": ["on_track", "behind", "far_behind", "far_behind", "overdue", "not_met", "no_data"],
            "gap_pp": [5.0, -4.0, -10.0, -25.0, None, None, None],
        }
    )
    # 严重滞后 (the larger gap first), 逾期, 未达标, 滞后; on track and no data are not listed
    assert list(worst_targets(frame)["target"]) == ["d", "c", "e", "f", "b"]
    assert worst_targets(frame.iloc[:0]).empty


class _Target:
    def __init__(self, title: str, kind: str = "cumulative", due: str = ""):
        self.title, self.kind, self.due = title, kind, due

    def label(self, lang: str) -> str:
        return self.title


class _Plan:
    targets = {
        "inst": _Target(RLO + "新建科研机构"),
        "rd": _Target("研发经费占比"),
        "plan": _Target("编制规划", kind="milestone", due="2005-10-31"),
    }

    def target(self, tid: str) -> _Target:
        return self.targets[tid]


def test_the_attention_list_gives_each_worst_target_its_figures_and_counts_the_rest():
    rows = pd.DataFrame(
        {
            "target": ["inst", "rd", "plan"],
            "status": ["far_behind", "not_met", "overdue"],
            "completion": [0.25, 0.4449, 0.0],
            "expected": [0.5, None, None],
        }
    )
    out = snippets.attention_html(rows, _Plan(), "zh", more=2)
    assert out.startswith('<div class="kejifu-attention"><h3>最需关注</h3><ol>')
    items = re.findall(r"<li.*?</li>", out)
    assert len(items) == 3
    assert 'data-status="far_behind"' in items[0] and "完成 25% · 序时进度 50%" in items[0]
    assert "完成 44%" in items[1] and "序时进度" not in items[1]  # a floor has no time progress
    assert "完成时限 2005-10-31" in items[2]  # a milestone: its due date
    assert "另有2项" in out
    assert_isolated(out)
    assert f"<bdi>{RLO}新建科研机构</bdi>" in out


def test_an_empty_attention_list_says_that_no_target_is_behind():
    out = snippets.attention_html(pd.DataFrame(columns=["target", "status"]), _Plan(), "en")
    assert "No target is behind or overdue" in out and "<ol>" not in out


def test_a_milestone_card_says_the_days_left_to_its_due_date_not_percentages(demo_plan):
    tg = next(t for t in demo_plan.targets if t.kind == "milestone")
    row = {"target": tg.id, "status": "not_due", "actual": 0.0, "unit": tg.unit, "target_value": None,
           "completion": 0.0, "expected": 0.0, "month": "2005-06"}  # fmt: skip
    card = snippets.card_html(row, demo_plan, "zh")
    assert tg.due == dt.date(2005, 10, 31)
    assert "还有123天" in card and "序时进度" not in card  # 31 + 31 + 30 + 31 days after June 30
    english = snippets.card_html(row, demo_plan, "en")
    assert "123 days to the due date" in english and "%" not in english
