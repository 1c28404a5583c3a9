"""The ``kejifu`` command run as a user runs it: a subprocess, exit codes, output on the terminal."""

from __future__ import annotations

import csv
import functools
import io
import json

import openpyxl
import pytest

from kejifu import config
from kejifu.plan import load_plan
from tests.helpers import REPORT_HEADER, run_in_process, run_kejifu, write_report_csv

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
JSON_KEYS = {
    "target",
    "org",
    "actual",
    "target_value",
    "stretch",
    "completion",
    "expected",
    "status",
    "stale",
    "status_label",
    "month",
    "gap_pp",
    "allocation",
    "last_month",
}


@pytest.fixture()
def kejifu(capsys):
    """Run the CLI in-process (fast): returns an object like ``subprocess.CompletedProcess``."""
    return functools.partial(run_in_process, capsys)


@pytest.fixture()
def ws(tmp_path, kejifu):
    r = kejifu("init", tmp_path / "ws", "--plan", TINY)
    assert r.returncode == 0, r.stderr
    return tmp_path / "ws"


def test_init_creates_a_workspace_with_the_plan(tmp_path, kejifu):
    r = kejifu("init", tmp_path / "w", "--plan", TINY)
    assert r.returncode == 0
    assert "测试县2005年科技目标" in r.stdout and "workspace created" in r.stdout
    assert (tmp_path / "w" / "plan.yaml").read_text(encoding="utf-8") == TINY.read_text(encoding="utf-8")


def test_init_twice_is_refused_with_exit_1_and_no_traceback(ws, kejifu):
    r = kejifu("init", ws, "--plan", TINY)
    assert r.returncode == 1
    assert "已存在" in r.stderr and "already exists" in r.stderr and "Traceback" not in r.stderr


def test_init_with_a_broken_plan_reports_the_plan_file_and_line(tmp_path, kejifu):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text(encoding="utf-8").replace("target: 353", "target: 很多"), encoding="utf-8")
    r = kejifu("init", tmp_path / "w", "--plan", bad)
    assert r.returncode == 1 and str(bad) in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "w" / "kejifu.sqlite").exists()


def test_init_refuses_demo_together_with_a_plan_as_misuse(tmp_path, kejifu):
    r = kejifu("init", tmp_path / "w", "--demo", "--plan", TINY)
    assert r.returncode == 2 and "--plan" in r.stderr


@pytest.mark.parametrize("command", ["init", "import", "status", "template", "export"])
def test_every_sub_command_help_is_bilingual(command, kejifu):
    r = kejifu(command, "--help")
    assert r.returncode == 0
    assert "工作区" in r.stdout and "workspace" in r.stdout


@pytest.mark.parametrize(
    "actual, status, label",
    [
        (180, "on_track", "超序时进度"),  # 180/353 = 51.0% ≥ 6/12 = 50%
        (160, "behind", "滞后"),  # 45.3% ≥ 0.85 × 50% = 42.5%
        (140, "far_behind", "严重滞后"),  # 39.7% < 42.5%
    ],
)
def test_a_csv_import_gives_the_hand_checked_status_at_the_end_of_june(
    tmp_path, ws, actual, status, label, kejifu
):
    f = write_report_csv(tmp_path / "county-06.csv", f"测试县,安装农村科技信息机,2005-06,{actual},台,\n")
    r = kejifu("import", ws, f, "--who", "tester")
    assert r.returncode == 0, r.stderr
    assert "新增 1 行" in r.stdout and "1 rows added" in r.stdout
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--target", "terminals", "--format", "json")
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert row["org"] == "all" and row["status"] == status and row["status_label"] == label
    assert row["actual"] == actual and row["target_value"] == 353 and row["expected"] == pytest.approx(0.5)
    assert row["completion"] == pytest.approx(actual / 353)


def test_status_json_has_the_required_keys_and_nan_becomes_null(ws, kejifu):
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--format", "json")
    rows = json.loads(r.stdout)
    assert {row["target"] for row in rows} == {
        "terminals",
        "mushroom_area",
        "tech_income",
        "ht_share",
        "patents",
    }
    for row in rows:
        assert JSON_KEYS <= set(row)
    mushroom = next(row for row in rows if row["target"] == "mushroom_area")
    assert mushroom["actual"] is None and mushroom["stretch"] == 5000 and mushroom["status"] == "no_data"


def test_status_table_is_an_aligned_chinese_table_and_by_org_lists_the_towns(tmp_path, ws, kejifu):
    f = write_report_csv(
        tmp_path / "r.csv",
        "湖头镇,新发展优质食用菌面积,2005-06,600,亩,\n界湖镇,新发展优质食用菌面积,2005-06,400,亩,\n",
    )
    assert kejifu("import", ws, f).returncode == 0
    r = kejifu("status", ws, "--as-of", "2005-06-30")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert "截至 2005-06-30" in lines[0] and "示例数据" in lines[1]
    assert "累计完成" in lines[2] and "状态" in lines[2]
    mushroom = next(line for line in lines if line.startswith("新发展优质食用菌面积"))
    assert "1,000亩" in mushroom and "3,000亩" in mushroom and "33.3%" in mushroom
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--by", "org", "--target", "mushroom_area")
    body = r.stdout.splitlines()[4:]
    assert [line.split()[1] for line in body] == ["全县合计", "湖头镇", "界湖镇"]
    assert "60.0%" in body[1] and "20.0%" in body[2]  # 600/1000 and 400/2000
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--org", "湖头镇", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["org"] for row in rows} == {"hutou"} and rows[0]["actual"] == "600.0"


def test_status_in_english(ws, kejifu):
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--lang", "en")
    assert "Information terminals installed" in r.stdout and "No data" in r.stdout


def test_status_on_a_folder_that_is_not_a_workspace_exits_1_bilingually(tmp_path, kejifu):
    r = kejifu("status", tmp_path, "--as-of", "2005-06-30")
    assert r.returncode == 1
    assert (
        "不是kejifu工作区" in r.stderr
        and "not a kejifu workspace" in r.stderr
        and "Traceback" not in r.stderr
    )


@pytest.mark.parametrize("bad", ["2005-13-01", "30/06/2005", "yesterday", "2005-02-30"])
def test_a_malformed_as_of_date_is_misuse_exit_2(ws, bad, kejifu):
    r = kejifu("status", ws, "--as-of", bad)
    assert r.returncode == 2 and "--as-of" in r.stderr and "YYYY-MM-DD" in r.stderr


def test_an_unknown_option_is_misuse_exit_2(ws, kejifu):
    r = kejifu("status", ws, "--colour")
    assert r.returncode == 2 and "用法错误" in r.stderr


def test_import_lists_every_problem_of_a_refused_file_and_imports_the_good_one(tmp_path, ws, kejifu):
    good = write_report_csv(tmp_path / "good.csv", "hutou,terminals,2005-06,10,,\n")
    bad = write_report_csv(
        tmp_path / "bad.csv",
        "hutou,terminals,2005-06,10,,\n东风镇,terminals,2005-06,1,,\nhutou,mushroom_area,2005-14,1,,\n",
    )
    r = kejifu("import", ws, good, bad)
    assert r.returncode == 1
    assert f"{bad}:3: 单位: " in r.stderr and f"{bad}:4: 月份: " in r.stderr
    assert "refused (2 errors)" in r.stdout and "2 files: 1 imported, 1 refused" in r.stdout
    r = kejifu("status", ws, "--as-of", "2005-06-30", "--target", "terminals", "--format", "json")
    assert json.loads(r.stdout)[0]["actual"] == 10  # only the good file


def test_importing_the_same_file_again_says_so(tmp_path, ws, kejifu):
    f = write_report_csv(tmp_path / "r.csv", "hutou,terminals,2005-06,10,,\n")
    kejifu("import", ws, f)
    r = kejifu("import", ws, f)
    assert r.returncode == 0 and "已导入过" in r.stdout and "imported before" in r.stdout


def test_import_warnings_are_shown_with_their_location(tmp_path, ws, kejifu):
    f = write_report_csv(tmp_path / "r.csv", "hutou,terminals,2005-05,10,,\nhutou,terminals,2005-06,8,,\n")
    r = kejifu("import", ws, f)
    assert r.returncode == 0 and f"{f}:3: 累计完成: " in r.stdout and "warning" in r.stdout


def test_many_files_show_a_progress_bar_on_stderr(tmp_path, ws, kejifu):
    files = [
        write_report_csv(tmp_path / f"{m:02d}.csv", f"hutou,terminals,2005-{m:02d},{m},,\n")
        for m in range(1, 6)
    ]
    r = kejifu("import", ws, *files)
    assert r.returncode == 0 and "5/5" in r.stderr and "5 files: 5 imported, 0 refused" in r.stdout


def test_a_missing_report_file_is_refused_not_a_traceback(tmp_path, ws, kejifu):
    r = kejifu("import", ws, tmp_path / "nope.xlsx")
    assert r.returncode == 1 and "找不到文件" in r.stderr and "Traceback" not in r.stderr


def test_template_then_fill_then_import_round_trips(tmp_path, ws, kejifu):
    out = tmp_path / "hutou-06.xlsx"
    r = kejifu("template", ws, "--org", "hutou", "--month", "2005-06", "--out", out)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    sheet = wb.active
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 2).value == "新发展优质食用菌面积")
    sheet.cell(row, 6).value = "4万平方米"  # 60 亩
    wb.save(out)
    r = kejifu("import", ws, out)
    assert r.returncode == 0, r.stderr + r.stdout
    r = kejifu(
        "status",
        ws,
        "--as-of",
        "2005-06-30",
        "--org",
        "hutou",
        "--target",
        "mushroom_area",
        "--format",
        "json",
    )
    assert json.loads(r.stdout)[0]["actual"] == 60.0


@pytest.mark.parametrize(
    "args",
    [
        ["--org", "nobody", "--month", "2005-06"],
        ["--org", "hutou", "--month", "2005-6x"],
        ["--org", "hutou", "--month", "2006-01"],
    ],
)
def test_template_arguments_that_make_no_sense_are_misuse(tmp_path, ws, args, kejifu):
    r = kejifu("template", ws, *args, "--out", tmp_path / "t.xlsx")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_export_writes_the_progress_table_as_xlsx_and_csv(tmp_path, ws, kejifu):
    f = write_report_csv(tmp_path / "r.csv", "测试县,terminals,2005-06,180,,\n")
    kejifu("import", ws, f)
    r = kejifu("export", ws, "--as-of", "2005-06-30", "--out", tmp_path / "t.xlsx")
    assert r.returncode == 0, r.stderr
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet.cell(3, 1).value == "指标"
    assert sheet.cell(4, 1).value == "安装农村科技信息机" and sheet.cell(4, 5).value == 180
    r = kejifu("export", ws, "--as-of", "2005-06-30", "--out", tmp_path / "t.csv", "--lang", "en")
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["Target"] == "Information terminals installed" and rows[0]["Status"] == "On track"


def test_export_to_an_unknown_file_type_is_misuse(tmp_path, ws, kejifu):
    r = kejifu("export", ws, "--as-of", "2005-06-30", "--out", tmp_path / "t.pdf")
    assert r.returncode == 2 and ".xlsx" in r.stderr


# ----- end to end through a real process (exit codes, encodings, no tracebacks) ---------------------


@pytest.mark.slow
def test_the_installed_command_runs_the_whole_flow_in_a_subprocess(tmp_path):
    ws = tmp_path / "ws"
    assert run_kejifu("init", ws, "--plan", TINY).returncode == 0
    help_text = run_kejifu("status", "--help")
    flat = " ".join(help_text.stdout.split())
    assert help_text.returncode == 0 and "截至日期" in flat and "as-of date" in flat
    f = tmp_path / "gbk.csv"
    f.write_bytes((REPORT_HEADER + "测试县,安装农村科技信息机,2005-06,160,台,\n").encode("gbk"))
    r = run_kejifu("import", ws, f)
    assert r.returncode == 0, r.stderr
    r = run_kejifu("status", ws, "--as-of", "2005-06-30", "--target", "terminals", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["status"] == "behind"
    bad = write_report_csv(tmp_path / "bad.csv", "hutou,terminals,2005-06,-3,,\n")
    r = run_kejifu("import", ws, bad)
    assert r.returncode == 1 and f"{bad}:2: 累计完成: " in r.stderr and "Traceback" not in r.stderr
    r = run_kejifu("status", ws, "--as-of", "June")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_kejifu("status", tmp_path / "nothing-here")
    assert r.returncode == 1 and "not a kejifu workspace" in r.stderr and "Traceback" not in r.stderr


def test_init_demo_builds_the_synthetic_workspace(tmp_path, kejifu):
    r = kejifu("init", tmp_path / "demo", "--demo")
    assert r.returncode == 0, r.stderr
    r = kejifu("status", tmp_path / "demo", "--as-of", "2005-06-30", "--format", "json")
    rows = json.loads(r.stdout)
    assert len(rows) == len(load_plan(config.demo_plan()).targets) == 20
    assert {row["target"] for row in rows} >= {"terminals", "mushroom_area", "ht_share"}
    assert (
        kejifu("status", tmp_path / "demo", "--as-of", "2005-06-30").stdout.splitlines()[1]
        == "注意：示例数据（合成，非真实统计）"
    )


def test_the_demo_quarterly_report_names_no_org_whose_completion_is_not_a_real_figure(tmp_path, kejifu):
    import math

    import docx

    from kejifu.completeness import missing_reporters
    from kejifu.workspace import open_workspace

    demo = tmp_path / "demo"
    assert kejifu("init", demo, "--demo").returncode == 0
    r = kejifu("report", demo, "quarterly", "--period", "2005Q2", "--out", tmp_path / "out", "--no-charts")
    assert r.returncode == 0, r.stderr
    with open_workspace(demo) as w:
        plan, frame, reps = w.plan, w.status("2005-06-30"), w.reports
    real = frame[(frame["org"] != "all") & frame["completion"].astype(float).map(math.isfinite)]
    with_figure = set(real["org"]) | set(missing_reporters(plan, reps, "2005-06"))
    doc = docx.Document(tmp_path / "out" / "yinan-2005_quarterly_2005Q2.docx")
    cells = [c.text for tb in doc.tables for row in tb.rows for c in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    named = {o.id for o in plan.orgs if o.kind != "county" and o.name in text}
    assert named and named <= with_figure, named - with_figure
    # the statistics bureau reports one side of the share only: never named, never a laggard
    assert "统计局" not in text and "比上年提高" not in text
    sheet = openpyxl.load_workbook(tmp_path / "out" / "yinan-2005_quarterly_2005Q2.xlsx")["严重滞后项目"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows and all(isinstance(x["完成率"], float) and -1 <= x["完成率"] < 1 for x in rows)
