"""Every dashboard notebook executes headless against a demo workspace, and the helpers behind them."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kejifu import i18n
from kejifu.demo import build_demo
from kejifu.web import board as dashboard
from kejifu.web import serve

NAMES = ["01_总览", "02_指标详情", "03_乡镇排名", "04_高新技术产业"]
DASHBOARDS = [serve.dashboards_dir() / f"{name}.ipynb" for name in NAMES]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("dash") / "ws")


@pytest.fixture(scope="module")
def ws(workspace):
    return dashboard.open_workspace(workspace)


def test_the_four_dashboards_are_each_paired_with_a_percent_script():
    for nb_path in DASHBOARDS:
        assert nb_path.exists()
        assert nb_path.with_suffix(".py").read_text(encoding="utf-8").count("# %%") >= 3


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_notebooks_are_thin_and_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.cells[0].cell_type == "markdown"
    assert len(code) <= 4
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert code[-1].source.strip() == "board.layout"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_each_dashboard_executes_headless_against_the_demo_workspace(path, workspace, monkeypatch):
    monkeypatch.setenv("KEJIFU_WORKSPACE", str(workspace))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in last.outputs)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize(
    "build",
    [dashboard.overview, dashboard.detail, dashboard.towns, dashboard.hightech],
    ids=lambda f: f.__name__,
)
def test_every_board_draws_a_chart_and_survives_every_filter(build, ws):
    board = build(ws)
    assert "kejifu-plot" in "".join(s.value for s in board.sections)
    before = [s.value for s in board.sections]
    board.month_w.value = board.months[0]
    if board.with_group:
        board.group_w.value = board.group_w.options[-1][1]
    if board.pick_options is not None:
        board.pick_w.value = board.pick_w.options[-1][1]
    assert [s.value for s in board.sections] != before
    board.lang_w.value = "en"
    assert i18n.t(board.title_key, "en") in board.title.value


def test_the_overview_has_a_card_per_target_coloured_by_status(ws):
    board = dashboard.overview(ws)
    cards = board.sections[1].value
    assert cards.count('class="kejifu-card"') == len(ws.plan.targets)
    assert "border-top-color:#" in cards


def test_the_group_filter_keeps_only_that_groups_cards(ws):
    board = dashboard.overview(ws)
    board.group_w.value = "hightech"
    n = sum(1 for tg in ws.plan.targets if tg.group == "hightech")
    assert board.sections[1].value.count('class="kejifu-card"') == n


def test_the_synthetic_demo_carries_the_banner_in_both_languages(ws):
    board = dashboard.overview(ws)
    assert "示例数据" in board.banner.value
    board.lang_w.value = "en"
    assert "Synthetic" in board.banner.value


def test_the_freshness_line_names_the_latest_month_and_the_towns_that_have_not_reported(ws):
    latest, missing = dashboard.freshness(ws, "2099-01")
    assert latest == ws.latest_month()
    assert len(missing) == len(ws.plan.towns())
    html = dashboard.freshness_html(ws, ws.latest_month(), "zh")
    assert "最新报送月份" in html


def test_names_are_escaped_in_cards_and_tables(ws):
    row = dashboard.status_mod.totals(ws.status(ws.default_as_of())).iloc[0].to_dict()
    html = dashboard.card_html(row, ws.plan, "zh", title="<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    import pandas as pd

    table = dashboard.table_html(pd.DataFrame({"a": ["<b>x</b>"]}), {"a": "A&B"})
    assert "<b>x" not in table and "A&amp;B" in table


def test_figure_html_carries_the_figure_as_json_that_cannot_close_its_script():
    import plotly.graph_objects as go

    html = dashboard.figure_html(go.Figure(go.Bar(x=[1], y=[2], name="</script><b>")))
    assert html.count("</script>") == 1
    assert 'type="application/json"' in html


def test_the_dashboards_open_the_store_read_only(ws):
    with pytest.raises(Exception):
        ws.store.commit_reports(ws.reports.head(1), source_file="x.csv", sha256="0" * 64, who="test")


def test_every_dashboard_label_has_both_languages():
    labels = {k: v for k, v in i18n.catalogue().items() if k.startswith("dash.")}
    assert len(labels) > 30
    assert all(v.get("zh") and v.get("en") for v in labels.values())


def test_the_voila_command_preheats_culls_strips_sources_and_listens_on_loopback(tmp_path):
    cmd = serve.voila_command(tmp_path, serve.ServeOptions(port=9999))
    text = " ".join(cmd)
    for flag in (
        "--preheat_kernel=True",
        "--strip_sources=True",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "cull_idle_timeout=",
        "cull_interval=",
        "cull_connected=False",
        "--template=kejifu",
        "--port=9999",
    ):
        assert flag in text
    env = serve.voila_env(tmp_path, tmp_path / "data")
    assert env["KEJIFU_WORKSPACE"] == str(tmp_path.resolve())
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(tmp_path / "data")


def test_the_served_template_fetches_nothing_from_the_internet(tmp_path):
    data = serve.prepare_data_dir(tmp_path)
    tdir = data / "voila" / "templates" / "kejifu"
    assert (tdir / "static" / "plotly.min.js").stat().st_size > 1_000_000
    for f in tdir.rglob("*"):
        if f.is_file() and f.suffix in (".j2", ".css", ".js") and f.name != "plotly.min.js":
            assert "https://" not in f.read_text(encoding="utf-8"), f
