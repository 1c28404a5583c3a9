"""Hostile names in a plan never run: every HTML that reaches a user escapes them (dashboard
blocks, review documents, chart JSON), spreadsheet exports neutralise formula-like text, and
uploaded file names cannot leave the workspace.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json

import openpyxl
import pytest
import yaml

from kejifu import charts, config
from kejifu import status as status_mod
from kejifu.documents import build_review, save_upload
from kejifu.documents import html as doc_html
from kejifu.io.export import export_status_csv, export_status_xlsx
from kejifu.io.importer import import_file
from kejifu.io.template import write_template
from kejifu.plan import load_plan
from kejifu.store import Store
from kejifu.web import boards
from kejifu.web import html as dashboard
from kejifu.workspace import open_workspace

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x", "alert(1)</script>")  # the payloads as live markup
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]


def hostile_plan(tmp_path, names: dict[str, str], titles: dict[str, str], name="plan.yaml"):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    for org in data["orgs"]:
        if org["id"] in names:
            org["name"] = org["name_en"] = names[org["id"]]
    for tg in data["targets"]:
        if tg["id"] in titles:
            tg["title"] = tg["title_en"] = titles[tg["id"]]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
def xss_workspace(tmp_path):
    """A workspace whose town 湖头镇 is named <script>… and whose terminals target is titled "><img…;
    only 界湖镇 reported, so the freshness line names the hostile town as missing."""
    plan = hostile_plan(
        tmp_path, {"hutou": SCRIPT + "镇", "ent_a": IMG}, {"terminals": IMG, "mushroom_area": SCRIPT}
    )
    with Store.create(tmp_path / "ws", plan) as store:
        report = tmp_path / "r.csv"
        report.write_text(
            "单位,指标,月份,累计完成\njiehu,terminals,2005-06,80\njiehu,mushroom_area,2005-06,500\n"
            "ent_a,tech_income,2005-06,100\n",
            encoding="utf-8",
        )
        assert import_file(store, report).ok
    ws = open_workspace(tmp_path / "ws")
    yield ws
    ws.close()


def assert_escaped(text: str, *payloads: str):
    for raw in RAW:
        assert raw not in text, text[max(0, text.find(raw) - 200) : text.find(raw) + 200]
    for p in payloads:
        assert html.escape(p, quote=True) in text or json.dumps(p)[1:-1].replace("<", "\\u003c") in text, p


# ----- dashboards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_cards_escape_a_hostile_target_title(xss_workspace, lang):
    ws = xss_workspace
    tot = status_mod.totals(ws.status(dt.date(2005, 6, 30), lang=lang))
    out = dashboard.cards_html(tot, ws.plan, lang)
    assert_escaped(out, IMG, SCRIPT)


def test_dashboard_tables_escape_hostile_cells():
    import pandas as pd

    frame = pd.DataFrame({"name": [SCRIPT, IMG], "v": ["1", "2"]})
    out = dashboard.table_html(frame, {"name": IMG, "v": SCRIPT})
    assert_escaped(out, SCRIPT, IMG)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_freshness_line_escapes_a_hostile_town_name(xss_workspace, lang):
    out = dashboard.freshness_html(xss_workspace, "2005-06", lang)
    assert_escaped(out, SCRIPT + "镇")


def test_every_section_of_every_dashboard_escapes_hostile_names(xss_workspace):
    pytest.importorskip("ipywidgets")
    seen = ""
    for build in (boards.overview, boards.detail, boards.towns):
        board = build(xss_workspace)
        picks = [v for _, v in board.pick_options(board)] if board.pick_options else [""]
        for pick in picks:
            board.pick_w.value = pick or None
            for lang in ("zh", "en"):
                board.lang_w.value = lang
                parts = [board.title.value, board.fresh.value, board.banner.value] + [
                    s.value for s in board.sections
                ]
                page = "\n".join(parts)
                assert_escaped(page)
                seen += page
    # the names were shown (escaped), not dropped
    assert html.escape(SCRIPT) in seen and html.escape(IMG, quote=True) in seen


def test_chart_json_in_a_dashboard_cannot_close_its_script_element(xss_workspace):
    tot = status_mod.totals(xss_workspace.status(dt.date(2005, 6, 30)))
    out = dashboard.figure_html(charts.bullet(tot, xss_workspace.plan, "zh"))
    body = out.split('<script type="application/json">', 1)[1].rsplit("</script></div>", 1)[0]
    assert "<" not in body  # not even <!-- or </script
    assert "alert(1)" in body  # the name travelled inside the JSON


def plotly_texts(fig) -> list[str]:
    """Every string plotly renders as (pseudo-)HTML: titles, tick texts, trace names, text and customdata."""
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)

    spec = fig.to_plotly_json()
    for trace in spec["data"]:
        for key in ("name", "text", "customdata", "hovertext", "y", "x"):
            walk(trace.get(key))
    walk(spec["layout"])
    return out


def test_chart_labels_escape_names_for_plotly_pseudo_html(xss_workspace):
    st = xss_workspace.status(dt.date(2005, 6, 30))
    per_org = st[(st["target"] == "terminals") & (st["org"] != status_mod.ALL)]
    for fig in (
        charts.bullet(status_mod.totals(st), xss_workspace.plan, "zh"),
        charts.bullet(per_org, xss_workspace.plan, "zh"),
    ):
        texts = plotly_texts(fig)
        assert not [s for s in texts if "<img" in s or "<script" in s]


# ----- review documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind, period", [("monthly", "2005-06"), ("quarterly", "2005Q2")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_review_html_escapes_hostile_names_everywhere(xss_workspace, kind, period, lang):
    review = build_review(xss_workspace.plan, xss_workspace.reports, kind, period, lang=lang, charts=False)
    page = doc_html.render(review, charts_note=IMG)
    assert_escaped(page, IMG)
    assert html.escape(SCRIPT) in page


# ----- spreadsheets -------------------------------------------------------------------------------


@pytest.fixture()
def formula_plan(tmp_path):
    return load_plan(
        hostile_plan(
            tmp_path,
            {"hutou": FORMULAS[0], "jiehu": FORMULAS[1], "ent_a": FORMULAS[2]},
            {"terminals": FORMULAS[3], "mushroom_area": FORMULAS[0]},
            name="formula.yaml",
        )
    )


def formula_status(plan):
    import pandas as pd

    rep = pd.DataFrame(
        [
            ("hutou", "terminals", "2005-06", 100.0),
            ("jiehu", "mushroom_area", "2005-06", 300.0),
            ("ent_a", "tech_income", "2005-06", 50.0),
        ],
        columns=["org", "measure", "month", "value"],
    )
    return status_mod.status(plan, rep, dt.date(2005, 6, 30))


def assert_neutral(cells: list[str]):
    texts = [c for c in cells if isinstance(c, str)]
    for f in FORMULAS:
        assert "'" + f in texts, f  # the name is there, with Excel's text marker
        assert f not in texts, f
    assert not [c for c in texts if c.startswith(("=", "+", "-", "@")) and not is_number(c)]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_progress_table_csv_neutralises_formula_like_names(tmp_path, formula_plan):
    path = export_status_csv(formula_status(formula_plan), formula_plan, tmp_path / "t.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert_neutral(cells)


def xlsx_cells(path):
    wb = openpyxl.load_workbook(path)
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                cells.append(c.value)
    return cells


def test_the_progress_table_xlsx_holds_no_formula_and_neutralises_names(tmp_path, formula_plan):
    assert_neutral(
        xlsx_cells(export_status_xlsx(formula_status(formula_plan), formula_plan, tmp_path / "t.xlsx"))
    )


def test_a_fill_in_template_for_a_formula_named_town_holds_no_formula(tmp_path, formula_plan):
    path = write_template(formula_plan, "hutou", "2005-06", tmp_path / "tpl.xlsx")
    cells = [c for c in xlsx_cells(path) if isinstance(c, str)]
    assert any(c.startswith("'" + FORMULAS[0]) for c in cells)
    assert not [c for c in cells if c.startswith(("=", "@"))]


def test_the_review_workbook_holds_no_formula_for_formula_like_names(tmp_path, formula_plan):
    import pandas as pd

    from kejifu.documents import xlsx as doc_xlsx

    rep = pd.DataFrame(
        [("hutou", "terminals", "2005-06", 100.0)], columns=["org", "measure", "month", "value"]
    )
    review = build_review(formula_plan, rep, "monthly", "2005-06", charts=False)
    path = doc_xlsx.write_review(review, tmp_path / "review.xlsx")
    texts = [c for c in xlsx_cells(path) if isinstance(c, str)]
    # the rows it must hold: the terminals row (titled "@SUM(1)") with its 100 of 353, and both towns
    rows = [r for ws in openpyxl.load_workbook(path).worksheets for r in ws.iter_rows(values_only=True)]
    terminals = [r for r in rows if r and r[0] == "'" + FORMULAS[3]]
    assert terminals, rows
    assert 100 in terminals[0] and 353 in terminals[0], terminals[0]
    assert "'" + FORMULAS[0] in texts and "'" + FORMULAS[1] in texts  # 湖头镇 and 界湖镇, as text
    assert FORMULAS[0] not in texts and FORMULAS[1] not in texts
    assert not [c for c in texts if c.startswith(("=", "+", "-", "@")) and not is_number(c)]


# ----- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, base",
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\x\\湖头镇6月.xlsx", "湖头镇6月.xlsx"),
        ("sub/dir/../../r.csv", "r.csv"),
        ("  r.csv  ", "r.csv"),
    ],
)
def test_an_upload_is_saved_inside_the_workspace_whatever_its_name(tmp_path, name, base):
    ws = tmp_path / "ws"
    ws.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    path = save_upload(name, b"data", workspace=ws)
    assert path.resolve() == (ws / "uploads" / base).resolve()
    assert path.read_bytes() == b"data"
    new = {p for p in tmp_path.rglob("*")} - before
    assert all(p.resolve().is_relative_to(ws.resolve()) for p in new), new


@pytest.mark.parametrize("name", ["", "..", ".", "../..", "/", "a/.."])
def test_an_upload_name_without_a_file_name_is_refused(tmp_path, name):
    with pytest.raises(ValueError):
        save_upload(name, b"x", workspace=tmp_path)
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
