"""Charts and the status palette: hand-built frames from the 2005 沂南县 plan."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from kejifu import charts, display, schedule
from kejifu.errors import UsageError
from kejifu.palette import status_color, status_palette, status_text_color
from kejifu.plan import parse_plan
from kejifu.status import COLUMNS, STATUSES, status
from tests.helpers import share_series


def status_frame(*rows: dict) -> pd.DataFrame:
    """A status frame with every column of the contract; unspecified numbers are NaN."""
    base = {c: np.nan for c in COLUMNS}
    base.update(
        kind="cumulative",
        group="",
        month="2005-06",
        stale=False,
        last_month="2005-06",
        n_reporting=1,
        n_stale=0,
        status_label="",
    )
    return pd.DataFrame([{**base, **r} for r in rows], columns=COLUMNS)


MUSHROOM_ALL = dict(
    target="mushroom_area",
    org="all",
    unit="亩",
    actual=1500.0,
    target_value=3000.0,
    stretch=5000.0,
    allocation=3000.0,
    completion=0.5,
    expected=0.38,
    status="on_track",
)
SHARE_ALL = dict(
    target="ht_share",
    org="all",
    kind="share",
    unit="%",
    actual=31.25,
    baseline=30.14,
    target_value=33.0,
    completion=(31.25 - 30.14) / (33 - 30.14),
    expected=0.5,
    status="far_behind",
)
NO_DATA = dict(target="patents", org="all", unit="件", target_value=16.0, expected=0.5, status="no_data")


def trace(fig: go.Figure, name: str):
    found = [d for d in fig.data if d.name == name]
    assert len(found) == 1, [d.name for d in fig.data]
    return found[0]


def hover_strings(tr) -> str:
    return " ".join(str(x) for x in np.asarray(tr.customdata, dtype=object).ravel())


# ----- palette ---------------------------------------------------------------------------------


def test_the_palette_gives_every_status_its_own_colour():
    assert set(status_palette) == set(STATUSES)
    assert len(set(status_palette.values())) == len(STATUSES)


def test_the_palette_uses_okabe_ito_blue_green_orange_and_vermillion():
    assert status_color("stretch_achieved") == "#0072B2"
    assert status_color("achieved") == "#009E73"
    assert status_color("behind") == "#E69F00"
    assert status_color("far_behind") == "#D55E00"


def test_a_missing_status_is_coloured_as_no_data_and_a_typo_raises():
    assert status_color(None) == status_color(float("nan")) == status_palette["no_data"]
    assert status_text_color(None) == "#000000"
    with pytest.raises(KeyError):
        status_color("on-track")


def test_the_palette_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        status_palette["behind"] = "#FF0000"  # type: ignore[index]


# ----- bullet ----------------------------------------------------------------------------------


def test_a_single_bullet_shows_the_status_row_numbers_in_the_target_unit(demo_plan):
    row = status_frame(MUSHROOM_ALL).iloc[0]
    fig = charts.bullet(row, demo_plan, "zh")
    assert isinstance(fig, go.Figure)
    assert list(trace(fig, "实际完成").x) == [1500.0]
    assert list(trace(fig, "序时进度应完成").x) == pytest.approx([0.38 * 3000])
    assert list(trace(fig, "目标").x) == [3000.0]
    assert list(trace(fig, "力争目标").x) == [5000.0]
    assert trace(fig, "实际完成").text == ("1,500亩",)


def test_the_bullet_legend_explains_the_status_colours_of_the_bars(demo_plan):
    fig = charts.bullet(status_frame(MUSHROOM_ALL, SHARE_ALL), demo_plan, "zh")
    assert trace(fig, "实际完成").showlegend is False
    assert trace(fig, "超序时进度").marker.color == status_color("on_track")
    assert trace(fig, "严重滞后").marker.color == status_color("far_behind")


def test_the_bullet_hover_carries_formatted_units_and_the_chinese_status_label(demo_plan):
    fig = charts.bullet(
        status_frame({**MUSHROOM_ALL, "actual": 3000.0, "completion": 1.0, "status": "achieved"}),
        demo_plan,
        "zh",
    )
    hover = hover_strings(trace(fig, "实际完成"))
    assert "3,000亩" in hover and "5,000亩" in hover
    assert "已完成" in hover
    assert trace(fig, "实际完成").marker.color == (status_color("achieved"),)


def test_several_bullets_share_a_per_cent_of_target_axis(demo_plan):
    f = status_frame(MUSHROOM_ALL, SHARE_ALL, NO_DATA)
    fig = charts.bullet(f, demo_plan, "zh")
    actual = np.array(trace(fig, "实际完成").x, dtype=float)
    np.testing.assert_allclose(actual, f["completion"].to_numpy() * 100)
    np.testing.assert_allclose(trace(fig, "序时进度应完成").x, f["expected"].to_numpy() * 100)
    assert list(trace(fig, "目标").x) == [100.0, 100.0, 100.0]
    assert trace(fig, "力争目标").x[0] == pytest.approx(5000 / 3000 * 100)
    assert list(fig.layout.yaxis.ticktext) == [
        "新发展优质食用菌面积",
        "高新技术企业产值占规模以上工业产值比重",
        "申请专利",
    ]
    assert fig.layout.xaxis.ticksuffix == "%"


def test_a_no_data_row_draws_no_bar_but_says_so(demo_plan):
    fig = charts.bullet(status_frame(NO_DATA, MUSHROOM_ALL), demo_plan, "zh")
    bar = trace(fig, "实际完成")
    assert math.isnan(bar.x[0])
    [note] = [d for d in fig.data if isinstance(d, go.Scatter) and d.mode == "text"]
    assert list(note.y) == [0] and list(note.x) == [0] and note.text == ("无数据",)
    # the missing actual is the one missing marker of kejifu.display; the status label says 无数据
    assert bar.customdata[0][1] == display.MISSING == "—" and bar.customdata[0][7] == "无数据"
    assert bar.marker.color[0] == status_color("no_data")


def test_bullet_labels_are_english_with_lang_en(demo_plan):
    fig = charts.bullet(status_frame(MUSHROOM_ALL), demo_plan, "en")
    assert [d.name for d in fig.data] == ["Stretch target", "Target", "Actual", "Expected by now", "On track"]
    assert "1,500 mu" in hover_strings(trace(fig, "Actual"))
    assert "On track" in hover_strings(trace(fig, "Actual"))
    assert "June 2005" in fig.layout.title.text
    assert "Actual: " in trace(fig, "Actual").hovertemplate and "：" not in trace(fig, "Actual").hovertemplate


def test_bullets_of_one_target_are_labelled_by_town(demo_plan):
    f = status_frame(
        {**MUSHROOM_ALL, "org": "jiehu", "target_value": 150.0, "stretch": np.nan},
        {**MUSHROOM_ALL, "org": "hutou", "target_value": 250.0, "stretch": np.nan},
    )
    fig = charts.bullet(f, demo_plan, "zh")
    assert list(fig.layout.yaxis.ticktext) == ["界湖镇", "湖头镇"]
    assert not any(d.name == "力争目标" for d in fig.data)


# ----- trajectory ------------------------------------------------------------------------------


def series_frame(target="mushroom_area", org="all", values=(200, 450, 750, 900, 1150, 1568), **extra):
    n = len(values)
    f = pd.DataFrame(
        {
            "target": target,
            "org": org,
            "month": np.arange(1, n + 1),
            "actual": values,
            "numerator": np.nan,
            "denominator": np.nan,
            "expected_value": np.nan,
            "stale": [False] * (n - 1) + [True],
        }
    )
    for k, v in extra.items():
        f[k] = v
    return f


def test_the_trajectory_draws_actual_schedule_target_stretch_and_projection(demo_plan):
    proj = pd.DataFrame(
        {"target": ["mushroom_area"], "org": ["all"], "landing_run_rate": [4126.3], "landing_pace": [3600.0]}
    )
    fig = charts.trajectory(series_frame(), demo_plan, "mushroom_area", projection=proj, lang="zh")
    assert [d.name for d in fig.data] == [
        "序时进度线",
        "目标",
        "力争目标",
        "实际完成",
        "预计全年（按序时折算）",
    ]
    np.testing.assert_allclose(trace(fig, "序时进度线").y, 3000 * schedule.cumulative("mushroom_planting"))
    assert list(trace(fig, "目标").y) == [3000, 3000]
    assert list(trace(fig, "力争目标").y) == [5000, 5000]
    assert list(trace(fig, "实际完成").y) == [200, 450, 750, 900, 1150, 1568]
    assert list(trace(fig, "预计全年（按序时折算）").x) == [6, 12]
    assert list(trace(fig, "预计全年（按序时折算）").y) == [1568, 4126.3]
    assert trace(fig, "预计全年（按序时折算）").line.dash == "dash"
    notes = [a.text for a in fig.layout.annotations]
    assert "1,568亩" in notes and "4,126亩" in notes


def test_the_trajectory_marks_a_carried_forward_month_as_stale(demo_plan):
    fig = charts.trajectory(series_frame(), demo_plan, "mushroom_area", lang="zh")
    actual = trace(fig, "实际完成")
    assert list(actual.marker.symbol) == ["circle"] * 5 + ["circle-open"]
    assert "沿用上月" in actual.customdata[-1][2] and actual.customdata[0][2] == ""


def test_a_town_trajectory_follows_its_allocation_and_has_no_stretch(demo_plan):
    s = pd.concat([series_frame(), series_frame(org="jiehu", values=(10, 20, 40))])
    fig = charts.trajectory(s, demo_plan, "mushroom_area", org="jiehu", projection=99.0, lang="en")
    assert list(trace(fig, "Target").y) == [150, 150]
    assert not any(d.name == "Stretch target" for d in fig.data)
    assert list(trace(fig, "Actual").y) == [10, 20, 40]
    assert list(trace(fig, "Projection (schedule run rate)").y) == [40, 99.0]
    assert "Jiehu" in fig.layout.title.text


def test_a_trajectory_without_any_data_still_draws_the_plan(demo_plan):
    empty = series_frame().iloc[0:0]
    fig = charts.trajectory(empty, demo_plan, "terminals", lang="zh")
    assert len(trace(fig, "实际完成").x) == 0
    assert trace(fig, "序时进度线").y[-1] == pytest.approx(353)


def test_a_projection_frame_without_the_chosen_method_is_a_usage_error(demo_plan):
    with pytest.raises(UsageError):
        charts.trajectory(
            series_frame(),
            demo_plan,
            "mushroom_area",
            projection=pd.DataFrame({"target": [], "org": []}),
            lang="zh",
        )


def test_long_series_switch_to_webgl():
    assert charts.scatter_class(12) is go.Scatter
    assert charts.scatter_class(charts.WEBGL_THRESHOLD + 1) is go.Scattergl


# ----- heatmap ---------------------------------------------------------------------------------

TOWN_ROWS = [
    dict(
        target="mushroom_area",
        org="jiehu",
        unit="亩",
        actual=1200.0,
        target_value=150.0,
        allocation=150.0,
        completion=8.0,
        expected=0.38,
        status="achieved",
    ),
    dict(
        target="mushroom_area",
        org="hutou",
        unit="亩",
        actual=76.0,
        target_value=250.0,
        allocation=250.0,
        completion=0.304,
        expected=0.38,
        status="behind",
    ),
    dict(
        target="mushroom_area",
        org="sucun",
        unit="亩",
        actual=np.nan,
        target_value=250.0,
        allocation=250.0,
        expected=0.38,
        status="no_data",
    ),
    dict(
        target="terminals",
        org="jiehu",
        unit="台",
        actual=2.0,
        target_value=20.0,
        allocation=20.0,
        completion=0.1,
        expected=0.44,
        status="far_behind",
    ),
    dict(
        target="terminals",
        org="hutou",
        unit="台",
        actual=9.0,
        target_value=15.0,
        allocation=15.0,
        completion=0.6,
        expected=0.44,
        status="on_track",
        stale=True,
    ),
    dict(
        target="new_varieties",
        org="jiehu",
        unit="个",
        actual=3.0,
        completion=np.nan,
        expected=0.66,
        status="not_allocated",
    ),
]


def cell_colour(fig: go.Figure, i: int, j: int) -> str:
    hm = fig.data[0]
    z = hm.z[i][j]
    return hm.colorscale[2 * int(z)][1]


def test_heatmap_cells_take_the_palette_colour_of_their_status(demo_plan):
    f = status_frame(MUSHROOM_ALL, *TOWN_ROWS)
    fig = charts.heatmap(f, demo_plan, "zh")
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap)
    assert list(fig.layout.yaxis.ticktext) == ["界湖镇", "湖头镇", "苏村镇"]
    assert [x.replace("<br>", "") for x in fig.layout.xaxis.ticktext] == [
        "引进推广农业新品种",
        "新发展优质食用菌面积",
        "安装农村科技信息机",
    ]
    expected = {
        (0, 0): "not_allocated",
        (0, 1): "achieved",
        (0, 2): "far_behind",
        (1, 1): "behind",
        (1, 2): "on_track",
        (2, 1): "no_data",
    }
    for (i, j), code in expected.items():
        assert cell_colour(fig, i, j) == status_color(code), (i, j, code)
    assert hm.z[2][0] is None or math.isnan(hm.z[2][0])  # sucun has no terminals row: a gap


def test_heatmap_cells_show_completion_relative_to_expected(demo_plan):
    fig = charts.heatmap(status_frame(*TOWN_ROWS), demo_plan, "zh")
    text = fig.data[0].text
    assert text[1][1] == "80%"  # 0.304 / 0.38
    assert text[1][2] == "136.3%"  # 0.6 / 0.44 = 1.36363…, cut (not rounded up) by kejifu.display.pct
    assert text[2][1] == display.MISSING  # no data


def test_heatmap_hover_names_town_target_actual_with_unit_completion_expected_and_status(demo_plan):
    fig = charts.heatmap(status_frame(*TOWN_ROWS), demo_plan, "zh")
    cell = list(fig.data[0].customdata[0][1])
    assert cell[:6] == ["界湖镇", "新发展优质食用菌面积", "1,200亩", "800%", "38%", "已完成"]
    stale = list(fig.data[0].customdata[1][2])
    assert stale[2] == "9台" and stale[5].startswith("超序时进度") and "沿用上月" in stale[5]
    assert "乡镇" in fig.data[0].hovertemplate and "状态" in fig.data[0].hovertemplate


def test_heatmap_legend_lists_the_statuses_present_in_their_colours(demo_plan):
    fig = charts.heatmap(status_frame(*TOWN_ROWS), demo_plan, "en")
    legend = {d.name: d.marker.color for d in fig.data[1:]}
    assert legend == {
        "Achieved": status_color("achieved"),
        "On track": status_color("on_track"),
        "Behind": status_color("behind"),
        "Far behind": status_color("far_behind"),
        "No data": status_color("no_data"),
        "Not allocated": status_color("not_allocated"),
    }


def test_a_heatmap_of_no_towns_is_an_empty_figure_not_an_error(demo_plan):
    fig = charts.heatmap(status_frame(MUSHROOM_ALL), demo_plan, "zh")
    assert np.asarray(fig.data[0].z).size == 0


def big_plan(n_towns=20, n_targets=20):
    towns = "\n".join(f"  - {{id: t{i}, name: 示例{i}镇, kind: town, parent: c}}" for i in range(n_towns))
    targets = "\n".join(
        f"  - {{id: g{j}, title: 示例指标{j}号很长的名称, unit: 亩, target: {100 * n_towns}, allocations: {{"
        + ", ".join(f"t{i}: 100" for i in range(n_towns))
        + "}}"
        for j in range(n_targets)
    )
    text = (
        f"plan: {{id: big, title: 示例, region: 示例县, year: 2005}}\norgs:\n"
        f"  - {{id: c, name: 示例县, kind: county}}\n{towns}\ntargets:\n{targets}\n"
    )
    return parse_plan(text)


def test_a_twenty_by_twenty_heatmap_stays_small(demo_plan):
    bp = big_plan()
    rng = np.random.default_rng(5)
    rows = []
    for j in range(20):
        for i in range(20):
            c = rng.uniform(0, 1.2)
            rows.append(
                dict(
                    target=f"g{j}",
                    org=f"t{i}",
                    unit="亩",
                    actual=100 * c,
                    target_value=100.0,
                    allocation=100.0,
                    completion=c,
                    expected=0.5,
                    status=rng.choice(["on_track", "behind", "far_behind", "achieved"]),
                )
            )
    fig = charts.heatmap(status_frame(*rows), bp, "zh")
    assert np.asarray(fig.data[0].z).shape == (20, 20)
    size = len(fig.to_json().encode("utf-8"))
    assert size < 200_000, size


# ----- ranking ---------------------------------------------------------------------------------


def with_ranking_cap(plan, cap):
    return plan.model_copy(update={"settings": {**plan.settings, "ranking": {"cap": cap}}})


def test_towns_rank_by_average_completion_relative_to_expected(demo_plan):
    # the plan sets the ranking cap to 2 (settings.ranking.cap): the towns dashboard's old cap
    rel = charts.town_relative(status_frame(*TOWN_ROWS), with_ranking_cap(demo_plan, 2.0))
    assert list(rel["org"]) == ["jiehu", "hutou", "sucun"]
    # jiehu: min(8/0.38, 2) and 0.1/0.44; new_varieties is not allocated and does not count
    assert rel["relative"][0] == pytest.approx((2.0 + 0.1 / 0.44) / 2)
    assert rel["relative"][1] == pytest.approx((0.304 / 0.38 + 0.6 / 0.44) / 2)
    assert math.isnan(rel["relative"][2]) and rel["status"][2] == "no_data"
    assert list(rel["status"][:2]) == ["on_track", "on_track"]
    assert list(rel["n_targets"]) == [2, 2, 1]


def test_towns_rank_by_the_one_rule_capped_at_1_5_by_default_as_the_bulletin_does(demo_plan):
    rel = charts.town_relative(status_frame(*TOWN_ROWS), demo_plan)
    # hutou: (0.304/0.38 + 0.6/0.44)/2 = (0.8 + 1.363636)/2 = 1.081818 -> on track
    # jiehu: (min(8/0.38, 1.5) + 0.1/0.44)/2 = (1.5 + 0.227273)/2 = 0.863636 -> behind (band 0.85)
    assert list(rel["org"]) == ["hutou", "jiehu", "sucun"]
    assert rel["relative"][0] == pytest.approx(1.0818181818)
    assert rel["relative"][1] == pytest.approx(0.8636363636)
    assert list(rel["status"]) == ["on_track", "behind", "no_data"]
    # sucun reported nothing: ranked last and marked so
    assert list(rel["rank"]) == [1, 2, 3] and list(rel["reported"]) == [True, True, False]


def test_the_ranking_bar_labels_a_town_that_reported_nothing_and_shares_tied_ranks(demo_plan):
    rows = [
        dict(
            target="mushroom_area",
            org=o,
            unit="亩",
            actual=a,
            target_value=200.0,
            allocation=200.0,
            completion=a / 200 if a == a else np.nan,
            expected=0.5,
            status=s,
        )
        for o, a, s in [("sucun", np.nan, "no_data"), ("jiehu", 90.0, "behind"), ("hutou", 90.0, "behind")]
    ]
    fig = charts.ranking(status_frame(*rows), demo_plan, "zh")
    # jiehu and hutou both 90/200 ÷ 0.5 = 90 %: they share rank 1; sucun is third and says why
    assert list(fig.layout.yaxis.ticktext) == ["1. 界湖镇", "1. 湖头镇", "3. 苏村镇"]
    assert list(fig.data[0].text) == ["90%", "90%", "未报送"]


def test_the_ranking_bar_puts_the_best_town_on_top_in_its_status_colour(demo_plan):
    rows = [
        dict(
            target="mushroom_area",
            org=o,
            unit="亩",
            actual=a,
            target_value=200.0,
            allocation=200.0,
            completion=a / 200,
            expected=0.5,
            status=s,
        )
        for o, a, s in [
            ("sucun", 40.0, "far_behind"),
            ("jiehu", 120.0, "on_track"),
            ("hutou", 90.0, "behind"),
        ]
    ]
    fig = charts.ranking(status_frame(*rows), demo_plan, "zh")
    bar = fig.data[0]
    assert list(fig.layout.yaxis.ticktext) == ["1. 界湖镇", "2. 湖头镇", "3. 苏村镇"]
    np.testing.assert_allclose(bar.x, [120.0, 90.0, 40.0])
    assert list(bar.marker.color) == [
        status_color("on_track"),
        status_color("behind"),
        status_color("far_behind"),
    ]
    assert list(bar.text) == ["120%", "90%", "40%"]
    assert "滞后" in hover_strings(bar)


def test_the_ranking_can_use_a_given_score_column(demo_plan):
    scores = pd.DataFrame({"org": ["jiehu", "hutou", "all"], "score": [71.5, 88.0, 0.0]})
    fig = charts.ranking(scores, demo_plan, "en", score="score")
    assert list(fig.layout.yaxis.ticktext) == ["1. Hutou", "2. Jiehu"]
    assert list(fig.data[0].x) == [88.0, 71.5]
    assert fig.data[0].marker.color == (charts.line_palette["neutral"],) * 2


# ----- share -----------------------------------------------------------------------------------


def test_the_share_chart_shows_numerator_and_denominator_bars_and_the_share_line(demo_plan):
    fig = charts.share_chart(share_series(), demo_plan, "ht_share", "zh")
    assert [d.name for d in fig.data] == [
        "高新技术企业产值",
        "规模以上工业产值",
        "比重",
        "上年基数 30.14%",
        "目标比重 33%",
    ]
    assert isinstance(fig.data[0], go.Bar) and isinstance(fig.data[2], go.Scatter)
    assert fig.data[2].yaxis == "y2" and fig.data[0].yaxis in (None, "y")
    np.testing.assert_allclose(fig.data[2].y, share_series()["actual"])
    assert list(fig.data[4].y) == [33.0, 33.0]
    assert fig.data[0].customdata[5][1] == "4.2亿元"
    assert fig.layout.yaxis.title.text == "数值（亿元）"


def test_the_share_chart_in_english(demo_plan):
    fig = charts.share_chart(share_series(), demo_plan, "ht_share", "en")
    assert fig.data[2].name == "Share"
    assert fig.data[1].name == "Above-scale industrial output"
    # issue 15: English mode writes no Chinese unit (it said "0.7 亿元"): 0.7亿元 is 70 million yuan
    assert fig.data[0].customdata[0][1] == "70 million yuan"
    assert fig.layout.yaxis.title.text == "Value (100 million yuan)"


def test_a_share_chart_of_a_non_share_target_is_a_usage_error(demo_plan):
    with pytest.raises(UsageError):
        charts.share_chart(share_series(), demo_plan, "mushroom_area", "zh")


# ----- figures for dashboards ------------------------------------------------------------------


def test_to_html_gives_a_div_without_plotly_js_and_without_the_logo(demo_plan):
    html = charts.to_html(charts.bullet(status_frame(MUSHROOM_ALL), demo_plan), div_id="bullet-1")
    assert 'id="bullet-1"' in html
    assert "<html" not in html and "plotly.js v" not in html
    assert '"displaylogo": false' in html and '"responsive": true' in html


def test_figures_use_the_light_template_with_noto_sans_cjk_first(demo_plan):
    fig = charts.bullet(status_frame(MUSHROOM_ALL), demo_plan)
    assert fig.layout.template.layout.font.family.startswith('"Noto Sans CJK SC"')
    assert fig.layout.template.data.scatter == ()  # no per-trace defaults shipped with every figure


def test_every_builder_runs_on_a_real_status_frame_in_both_languages(demo_plan):
    rows = []
    for m in range(1, 7):
        rows += [
            ("jiehu", "mushroom_area", f"2005-{m:02d}", 20.0 * m),
            ("hutou", "mushroom_area", f"2005-{m:02d}", 30.0 * m),
            ("ent_a", "ht_output", f"2005-{m:02d}", 0.5 * m),
            ("ent_a", "industrial_output", f"2005-{m:02d}", 1.6 * m),
        ]
    reports = pd.DataFrame(rows, columns=["org", "measure", "month", "value"])
    st = status(demo_plan, reports, "2005-06-30")
    total = st[st["org"] == "all"]
    series = series_frame(values=(20, 50, 80, 100, 200, 300))
    for lang in ("zh", "en"):
        figs = [
            charts.bullet(total, demo_plan, lang),
            charts.heatmap(st, demo_plan, lang),
            charts.ranking(st, demo_plan, lang),
            charts.trajectory(series, demo_plan, "mushroom_area", lang=lang),
            charts.share_chart(share_series(), demo_plan, "ht_share", lang),
        ]
        assert all(isinstance(f, go.Figure) for f in figs)
    bar = trace(charts.bullet(total, demo_plan, "zh"), "实际完成")
    mush = total["target"].tolist().index("mushroom_area")
    assert bar.x[mush] == pytest.approx(total["completion"].iloc[mush] * 100)
    assert bar.customdata[mush][1] == "300亩"


def test_a_chart_title_gives_the_month_the_data_run_through_not_the_month_asked(demo_plan):
    # asked for June, but the figures end in March: the title must not say June
    late = dict(MUSHROOM_ALL, month="2005-06", data_month="2005-03", stale=True)
    fig = charts.bullet(status_frame(late), demo_plan, "zh")
    assert "截至2005年3月" in fig.layout.title.text and "6月" not in fig.layout.title.text
    current = dict(MUSHROOM_ALL, month="2005-06", data_month="2005-06")
    assert "截至2005年6月" in charts.bullet(status_frame(current), demo_plan, "zh").layout.title.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wrapped_label_never_splits_an_html_entity(lang):
    title = "</b>" * 10 + " <script>"
    wrapped = charts.base.wrap(charts.base.esc(title), lang, width=3)
    for line in wrapped.split("<br>"):
        # every '&' in a line starts a whole entity: the line is valid escaped text on its own
        assert "<" not in line and ">" not in line
        for i, ch in enumerate(line):
            if ch == "&":
                assert any(line.startswith(ent, i) for ent in ("&lt;", "&gt;", "&amp;")), line
    assert "".join(wrapped.split("<br>")).replace(" ", "") == charts.base.esc(title).replace(" ", "")
