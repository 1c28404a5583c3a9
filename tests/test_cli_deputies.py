"""``kejifu deputies``: summary, import (all or nothing), export, demo; specialists move the 2005 target."""

from __future__ import annotations

import json

import pytest

from kejifu import config
from kejifu.cli import main
from kejifu.deputies import store as deputies_store
from kejifu.store import Store
from kejifu.workspace import open_workspace
from tests.helpers import make_workspace
from tests.helpers import workbook as write_workbook


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path, config.demo_plan())


def workbook(path, sheets):
    """The workbook's path as text, as the command line takes it."""
    return str(write_workbook(path, sheets))


SPEC_HEAD = ["编号", "姓名", "派出层级", "县外", "挂职乡镇", "派出日期", "利益共同体"]


def specialists_total(path, as_of="2005-06-30"):
    with open_workspace(path) as w:
        st = w.status(as_of)
    row = st[(st["target"] == "specialists") & (st["org"] == "all")]
    return None if row.empty else row["actual"].item()


def test_adding_a_specialist_moves_the_2005_specialists_target(ws, tmp_path, capsys):
    first = workbook(
        tmp_path / "s1.xlsx",
        {
            "科技特派员": [
                SPEC_HEAD,
                ["T1", "示例甲", "乡镇派", "否", "湖头镇", "2005-03-10", 1],
                ["T2", "示例乙", "县派", "是", "", "2005-04-02", 0],
                [
                    "T0",
                    "示例旧",
                    "县派",
                    "否",
                    "",
                    "2004-05-01",
                    0,
                ],  # 2004: the baseline year, not counted in 2005
            ]
        },
    )
    assert main(["deputies", str(ws), "--import", first]) == 0
    assert specialists_total(ws) == 2
    second = workbook(
        tmp_path / "s2.xlsx",
        {"科技特派员": [SPEC_HEAD, ["T3", "示例丙", "乡镇派", "否", "苏村镇", "2005-05-20", 2]]},
    )
    assert main(["deputies", str(ws), "--import", second]) == 0
    assert specialists_total(ws) == 3
    assert specialists_total(ws, "2005-04-30") == 2  # counted by dispatch date
    with open_workspace(ws) as w:
        st = w.status("2005-06-30")
    by_org = st[st["target"] == "specialists"].set_index("org")["actual"]
    assert by_org["hutou"] == 1 and by_org["yinan_kjj"] == 1


def test_a_bad_workbook_exits_1_lists_every_problem_and_stores_nothing(ws, tmp_path, capsys):
    bad = workbook(
        tmp_path / "bad.xlsx",
        {
            "科技副职名册": [
                ["编号", "姓名", "挂职乡镇", "任期开始", "任期结束"],
                ["P1", "示例甲", "界湖镇", "2003-07-01", "2006-06-30"],
                ["P1", "示例乙", "界湖镇", "2003-07-01", "2001-06-30"],
            ]
        },
    )
    assert main(["deputies", str(ws), "--import", bad]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "bad.xlsx:科技副职名册!3: 编号: 人员重复：P1（已见于第2行） / "
        "duplicate person: P1 (already on row 2)",
        "bad.xlsx:科技副职名册!3: 任期结束: 任期结束（2001-06-30）早于开始（2003-07-01） / "
        "term ends (2001-06-30) before it starts (2003-07-01)",
    ]
    with Store.open(ws, readonly=True) as store:
        assert len(deputies_store.DeputyStore.from_store(store).roster()) == 0


def test_the_demo_then_the_summary_as_json(ws, capsys):
    assert main(["deputies", str(ws), "--demo"]) == 0
    capsys.readouterr()
    assert main(["deputies", str(ws), "--as-of", "2005-09-30", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"] is True
    assert out["as_of"] == "2005-09-30"
    assert sum(r["serving"] for r in out["by_batch"]) == 11
    assert {r["year"] for r in out["specialists"]} == {2004, 2005}
    assert all(r["status"] in ("overdue", "incomplete") for r in out["overdue"])
    assert specialists_total(ws, "2005-09-30") == 9


def test_the_table_summary_is_chinese_and_marks_synthetic_data(ws, capsys):
    main(["deputies", str(ws), "--demo"])
    capsys.readouterr()
    assert main(["deputies", str(ws), "--as-of", "2005-09-30"]) == 0
    out = capsys.readouterr().out
    assert "科技副职情况（截至2005-09-30）" in out and "示例名册（合成数据" in out
    assert "== 未按时报送书面报告 ==" in out and "本年生活补贴" in out


def test_export_then_reimport_adds_nothing(ws, tmp_path, capsys):
    main(["deputies", str(ws), "--demo"])
    out = str(tmp_path / "ledger.xlsx")
    assert main(["deputies", str(ws), "--export", out]) == 0
    capsys.readouterr()
    assert main(["deputies", str(ws), "--import", out, "--lang", "en"]) == 0
    assert "imported: roster 0, reports 0, assessments 0" in capsys.readouterr().out


def test_two_actions_at_once_or_a_bad_date_are_misuse(ws, tmp_path):
    assert main(["deputies", str(ws), "--demo", "--export", str(tmp_path / "x.xlsx")]) == 2
    assert main(["deputies", str(ws), "--as-of", "yesterday"]) == 2


def test_a_folder_that_is_not_a_workspace_is_bad_input(tmp_path, capsys):
    assert main(["deputies", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip()


@pytest.mark.slow
@pytest.mark.parametrize("notebook", ["notebooks/08_科技副职管理.ipynb", "dashboards/05_科技副职.ipynb"])
def test_the_deputy_notebooks_run_against_a_demo_workspace(ws, monkeypatch, notebook):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    main(["deputies", str(ws), "--demo"])
    monkeypatch.setenv("KEJIFU_WORKSPACE", str(ws))
    monkeypatch.setenv("KEJIFU_AS_OF", "2005-09-30")
    nb = nbformat.read(config.repo_root() / notebook, as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed without outputs
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    if notebook.startswith("notebooks"):
        assert (ws / "exports" / "任期考核表.docx").is_file()


@pytest.mark.slow
def test_the_deputy_demo_on_top_of_the_demo_workspace_counts_no_specialist_twice(tmp_path, capsys):
    from kejifu.demo import build_demo

    path = build_demo(tmp_path / "demo")
    before = specialists_total(path)
    assert before is not None and before > 0
    assert main(["deputies", str(path), "--demo"]) == 0
    assert specialists_total(path) == before
    with Store.open(path, readonly=True) as store:
        years = deputies_store.load(store).specialists["dispatch_date"].map(lambda d: d.year)
    assert (years == 2004).sum() == 37


def test_an_empty_ledger_prints_empty_sections_not_a_traceback(ws, capsys):
    assert main(["deputies", str(ws), "--as-of", "2005-06"]) == 0
    out = capsys.readouterr().out
    assert "名册共0人" in out and "（无）" in out
    from kejifu.web.boards import deputies

    with open_workspace(ws) as w:
        board = deputies.board(w)
        parts = {p[p.index("<h2>") + 4 : p.index("</h2>")]: p for p in (s.value for s in board.sections)}
    for heading in ("书面报告待报送名单", "组织部听取汇报待办名单", "三个月内任期届满", "届满考核结果"):
        (part,) = [p for h, p in parts.items() if h.startswith(heading)]
        assert "（无）" in part  # an empty ledger owes nothing
    (rules,) = [p for h, p in parts.items() if h == "规则与本县设置"]
    assert "本县设置（非市里统一规定）" in rules and "市委讲话" in rules


def test_the_table_summary_shows_the_due_lists_and_the_end_of_term_results(ws, capsys):
    main(["deputies", str(ws), "--demo"])
    capsys.readouterr()
    assert main(["deputies", str(ws), "--as-of", "2005-04-30"]) == 0
    out = capsys.readouterr().out
    section = out.split("== 三个月内任期届满（届满考核待办） ==")[1].split("==")[0]
    # the 2002 batch ends 2005-06-30, 61 days after 2005-04-30; KF200201 was recalled in 2004
    rows = [line.split() for line in section.strip().splitlines()[1:]]
    assert [(r[0], r[-2], r[-1]) for r in rows] == [
        ("KF200202", "2005-06-30", "61"),
        ("KF200203", "2005-06-30", "61"),
        ("KF200204", "2005-06-30", "61"),
    ]
    results = out.split("== 届满考核结果（届满及三个月内届满者） ==")[1].split("==")[0]
    assert "KF200201" in results and "已召回" in results  # recalled: no end-of-term grade
    assert "考核权重、等次分数线和“五个一”口径按本县办法设置" in results
    hearings = out.split("== 组织部听取汇报待办名单（每年至少1次） ==")[1].split("==")[0]
    assert "待听取" in hearings and "KF200202" not in hearings  # heard in 2005 (even-numbered in the demo)
