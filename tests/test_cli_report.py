"""``kejifu report`` and ``kejifu contracts`` against a demo workspace."""

from __future__ import annotations

import docx
import openpyxl
import pytest

from kejifu import display
from kejifu.cli import main
from kejifu.demo import build_demo
from kejifu.status import ALL
from kejifu.workspace import open_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("ws") / "demo")


@pytest.mark.parametrize(
    "kind,period",
    [("monthly", "2005-06"), ("quarterly", "2005Q2"), ("half-year", "2005H1"), ("annual", "2005")],
)
def test_report_writes_xlsx_docx_and_html_and_prints_them(workspace, tmp_path, capsys, kind, period):
    code = main(["report", str(workspace), kind, "--period", period, "--out", str(tmp_path), "--no-charts"])
    out = capsys.readouterr().out
    assert code == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"yinan-2005_{kind}_{period}{ext}" for ext in (".docx", ".html", ".xlsx"))
    for name in written:
        assert name in out


def test_the_monthly_workbook_agrees_with_the_workspace_status(workspace, tmp_path):
    assert (
        main(
            [
                "report",
                str(workspace),
                "monthly",
                "--period",
                "2005-06",
                "--out",
                str(tmp_path),
                "--no-charts",
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(tmp_path / "yinan-2005_monthly_2005-06.xlsx")["全县汇总"]
    header = [c.value for c in ws[1]]
    got = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    with open_workspace(workspace) as w:
        s = w.status("2005-06-30")
        plan = w.plan
    totals = s[s["org"] == ALL].set_index("target")
    for tid in ("mushroom_area", "terminals", "patents"):
        row = got[plan.target(tid).title]
        assert row["累计完成"] == pytest.approx(totals.loc[tid, "actual"])
        assert row["完成率"] == pytest.approx(totals.loc[tid, "completion"])


def test_english_reports_get_an_en_suffix_and_english_figures_of_the_workspace(workspace, tmp_path, capsys):
    argv = [
        "report",
        str(workspace),
        "quarterly",
        "--period",
        "2005Q2",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    ]
    assert main([*argv, "--no-charts"]) == 0
    stem = "yinan-2005_quarterly_2005Q2_en"
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == sorted(
        f"wrote: {tmp_path / (stem + ext)}" for ext in (".docx", ".html", ".xlsx")
    )
    doc = docx.Document(tmp_path / f"{stem}.docx")
    assert "Quarterly bulletin, Q2 2005" in "\n".join(p.text for p in doc.paragraphs)
    summary = doc.tables[0]
    assert [c.text for c in summary.rows[0].cells][:5] == [
        "Target",
        "Measure unit",
        "Year to date",
        "Annual target",
        "Completion",
    ]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in summary.rows[1:]}
    with open_workspace(workspace) as w:
        s = w.status("2005-06-30", lang="en")
        plan = w.plan
    for tid in ("terminals", "mushroom_area"):
        target = plan.target(tid)
        total = s[(s["org"] == ALL) & (s["target"] == tid)].iloc[0]
        row = rows[target.label("en")]
        assert row[2] == display.number(total["actual"], target.unit, "en")
        assert row[3] == display.number(target.target, target.unit, "en")
        assert row[4] == display.pct(total["completion"], "en")


@pytest.mark.parametrize(
    "kind,period",
    [("monthly", "2005-13"), ("quarterly", "2005-06"), ("half-year", "2005H3"), ("annual", "2004")],
)
def test_a_bad_period_exits_2_with_a_bilingual_message(workspace, tmp_path, capsys, kind, period):
    code = main(["report", str(workspace), kind, "--period", period, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "期间" in err and "period" in err
    assert not any(tmp_path.iterdir())


def test_an_unknown_report_kind_is_misuse(workspace, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["report", str(workspace), "weekly", "--period", "2005", "--out", str(tmp_path)])
    assert exc.value.code == 2


def test_a_folder_that_is_no_workspace_exits_1(tmp_path, capsys):
    code = main(["report", str(tmp_path / "none"), "monthly", "--period", "2005-06", "--out", str(tmp_path)])
    assert code == 1
    assert "workspace" in capsys.readouterr().err


def test_contracts_writes_one_docx_per_town(workspace, tmp_path, capsys):
    assert main(["contracts", str(workspace), "--out", str(tmp_path)]) == 0
    with open_workspace(workspace) as w:
        towns = [o.id for o in w.plan.towns()]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"yinan-2005_contract_{t}.docx" for t in towns
    )
    assert capsys.readouterr().out.count(".docx") == len(towns)
