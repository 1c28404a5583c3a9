"""Every dashboard notebook executes headless against a demo workspace, and the helpers behind them."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from kejifu import i18n
from kejifu import status as status_mod
from kejifu.demo import build_demo
from kejifu.errors import StoreError
from kejifu.web import board as dashboard
from kejifu.web import boards, serve
from kejifu.web import html as snippets

NAMES = ["01_总览", "02_指标详情", "03_乡镇排名", "04_高新技术产业"]
DASHBOARDS = [serve.dashboards_dir() / f"{name}.ipynb" for name in NAMES]
#: Every dashboard in dashboards/, the deputies one (05) included.
ALL_NAMES = [*NAMES, "05_科技副职"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("dash") / "ws")


@pytest.fixture(scope="module")
def ws(workspace):
    return dashboard.open_workspace(workspace)


def test_dashboards_holds_exactly_the_five_boards_each_as_a_notebook_and_a_percent_script():
    folder = serve.dashboards_dir()
    assert sorted(p.stem for p in folder.glob("*.ipynb")) == ALL_NAMES
    assert sorted(p.stem for p in folder.glob("*.py")) == ALL_NAMES


@pytest.mark.parametrize("name", ALL_NAMES)
def test_each_dashboard_script_has_the_same_cells_as_its_notebook(name):
    """The py:percent script is the notebook: same cell kinds and sources, in order, and the
    pairing is declared so that jupytext --sync keeps them so."""
    folder = serve.dashboards_dir()
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    script = jupytext.read(folder / f"{name}.py")
    assert [(c.cell_type, c.source.strip()) for c in script.cells] == [
        (c.cell_type, c.source.strip()) for c in nb.cells
    ]
    assert "py:percent" in nb.metadata["jupytext"]["formats"]


@pytest.mark.parametrize("name,builder", list(zip(NAMES, ["overview", "detail", "towns", "hightech"])))
def test_dashboards_01_to_04_build_their_board_from_kejifu_web_boards(name, builder):
    script = jupytext.read(serve.dashboards_dir() / f"{name}.py")
    code = [c.source.strip() for c in script.cells if c.cell_type == "code"]
    assert code == ["from kejifu.web import boards", f"board = boards.{builder}()", "board.layout"]


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
    [boards.overview, boards.detail, boards.towns, boards.hightech],
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
    board = boards.overview(ws)
    cards = board.sections[1].value
    assert cards.count('class="kejifu-card"') == len(ws.plan.targets)
    assert "border-top-color:#" in cards


def test_the_group_filter_keeps_only_that_groups_cards(ws):
    board = boards.overview(ws)
    board.group_w.value = "hightech"
    n = sum(1 for tg in ws.plan.targets if tg.group == "hightech")
    assert board.sections[1].value.count('class="kejifu-card"') == n


def test_the_synthetic_demo_carries_the_banner_in_both_languages(ws):
    board = boards.overview(ws)
    assert "示例数据" in board.banner.value
    board.lang_w.value = "en"
    assert "Synthetic" in board.banner.value


def test_the_freshness_line_names_the_latest_month_and_the_towns_that_have_not_reported(ws):
    latest, missing = snippets.freshness(ws, "2099-01")
    assert latest == ws.latest_month()
    assert len(missing) == len(ws.plan.towns())
    html = snippets.freshness_html(ws, ws.latest_month(), "zh")
    assert "最新报送月份" in html


def test_names_are_escaped_in_cards_and_tables(ws):
    row = status_mod.totals(ws.status(ws.default_as_of())).iloc[0].to_dict()
    html = snippets.card_html(row, ws.plan, "zh", title="<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    import pandas as pd

    table = snippets.table_html(pd.DataFrame({"a": ["<b>x</b>"]}), {"a": "A&B"})
    assert "<b>x" not in table and "A&amp;B" in table


def test_figure_html_carries_the_figure_as_json_that_cannot_close_its_script():
    import plotly.graph_objects as go

    html = snippets.figure_html(go.Figure(go.Bar(x=[1], y=[2], name="</script><b>")))
    assert html.count("</script>") == 1
    assert 'type="application/json"' in html


def test_the_dashboards_open_the_store_read_only_and_an_import_is_refused_as_such(ws):
    n = len(ws.store.history())
    with pytest.raises(StoreError, match="只读.*read-only"):
        ws.store.commit_reports(ws.reports.head(1), source_file="x.csv", sha256="0" * 64, who="test")
    assert len(ws.store.history()) == n


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
