"""`kejifu plan FILE` validates a plan and lists the checks' findings; exit codes 0/1."""

import sys

from kejifu import config
from tests.helpers import run_kejifu


def _line_of(path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that starts with ``text`` (after indentation)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(text))


def test_the_2005_plan_passes_with_the_points_finding_printed_as_an_acknowledged_note():
    plan = config.demo_plan()
    r = run_kejifu("plan", str(plan))
    assert r.returncode == 0
    line = _line_of(plan, "target_points:")
    assert "33.14%" in r.stdout and f":{line}:" in r.stdout
    points = next(x for x in r.stdout.splitlines() if f":{line}:" in x)
    assert points.startswith("[说明 / note]") and "已确认" in points


def test_pending_targets_of_the_2005_plan_are_notes_saying_the_value_is_awaited_not_warnings():
    r = run_kejifu("plan", str(config.demo_plan()))
    pending = [x for x in r.stdout.splitlines() if ".pending:" in x]
    assert len(pending) == 2 and all(x.startswith("[说明 / note]") for x in pending)
    assert any("目标值待市里下达" in x for x in pending)
    assert "[提示 / warning]" not in r.stdout


PLAN = (
    "plan: {id: t, title: T, region: R, year: 2005}\norgs:\n  - {id: c, name: 县, kind: county}\n"
    "targets:\n  - {id: x, title: X, unit: 台, target: 5}\n"
)


def test_an_unacknowledged_finding_is_still_a_warning(tmp_path):
    f = tmp_path / "p.yaml"
    target = "{id: s, title: S, unit: '%', kind: level, target: 33, baseline: 30.14, target_points: 3}"
    f.write_text(PLAN.replace("{id: x, title: X, unit: 台, target: 5}", target), encoding="utf-8")
    r = run_kejifu("plan", str(f))
    assert r.returncode == 0 and "[提示 / warning]" in r.stdout and "[说明 / note]" not in r.stdout


def test_invalid_deputy_settings_are_errors_of_kejifu_plan_exit_1(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(PLAN + "settings:\n  deputies: {reports_min: 2, reports_per_year: 1}\n", encoding="utf-8")
    r = run_kejifu("plan", str(f))
    assert r.returncode == 1
    assert "[错误 / error]" in r.stdout and "settings.deputies" in r.stdout and "科技副职设置无效" in r.stdout


def test_a_plan_with_a_bad_value_exits_1_naming_file_line_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "plan: {id: t, title: T, region: R, year: 2005}\norgs:\n  - {id: c, name: 县, kind: county}\n"
        "targets:\n  - {id: x, title: X, unit: 台, target: 1.5.3}\n",
        encoding="utf-8",
    )
    r = run_kejifu("plan", str(bad))
    assert r.returncode == 1
    assert f"{bad}:5: targets[0].target" in r.stderr
    assert "Traceback" not in r.stderr


def test_an_allocation_error_found_by_the_checks_exits_1(tmp_path):
    bad = tmp_path / "alloc.yaml"
    bad.write_text(
        "plan: {id: t, title: T, region: R, year: 2005}\norgs:\n  - {id: c, name: 县, kind: county}\n"
        "targets:\n  - {id: x, title: X, unit: 台, target: 5, allocations: {nowhere: 5}}\n",
        encoding="utf-8",
    )
    r = run_kejifu("plan", str(bad))
    assert r.returncode == 1 and "nowhere" in r.stdout


def test_misuse_exits_2():
    assert run_kejifu("plan").returncode == 2
    assert run_kejifu("no-such-command").returncode == 2


def test_output_cut_short_by_a_closed_pipe_is_not_a_traceback(tmp_path):
    import subprocess as sp

    p = sp.Popen(
        [sys.executable, "-m", "kejifu", "plan", str(config.demo_plan())], stdout=sp.PIPE, stderr=sp.PIPE
    )
    p.stdout.close()  # like `| head -0`
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0
    assert "Traceback" not in err


def test_warnings_and_notes_are_listed_without_stopping_and_one_error_makes_exit_1(tmp_path):
    warned = tmp_path / "warned.yaml"
    warned.write_text(
        "plan: {id: t, title: T, region: R, year: 2005}\norgs:\n  - {id: c, name: 县, kind: county}\n"
        "  - {id: a, name: 甲镇, kind: town, parent: c}\n  - {id: b, name: 甲镇, kind: town, parent: c}\n"
        "targets:\n  - {id: x, title: X, unit: 台, target: 5, allocations: {a: 2, b: 2}}\n"
        "  - {id: y, title: Y, unit: 台, pending: true}\n",
        encoding="utf-8",
    )
    r = run_kejifu("plan", str(warned))
    tags = [x.split("]")[0] + "]" for x in r.stdout.splitlines() if x.startswith("[")]
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(tags) == ["[提示 / warning]", "[提示 / warning]", "[说明 / note]"]
    assert f"{warned}:7: targets[0].allocations: x：分解合计4台，比全县目标5台少1台" in r.stdout
    errored = tmp_path / "errored.yaml"
    errored.write_text(warned.read_text(encoding="utf-8").replace("{a: 2, b: 2}", "{a: 2, b: 2, zz: 1}"))
    r = run_kejifu("plan", str(errored))
    assert r.returncode == 1 and f"[错误 / error] {errored}:7: targets[0].allocations.zz:" in r.stdout


# ----- kejifu plan export / import / next (issue 17) ----------------------------------------------


def test_export_then_import_gives_the_same_plan_and_refuses_to_overwrite_without_force(tmp_path, capsys):
    from kejifu.plan import load_plan
    from tests.helpers import run_in_process

    book, back = tmp_path / "目标分解表.xlsx", tmp_path / "plan.yaml"
    r = run_in_process(capsys, "plan", "export", config.demo_plan(), "--out", book)
    assert r.returncode == 0 and "已写入计划工作簿" in r.stdout and book.is_file()
    again = run_in_process(capsys, "plan", "export", config.demo_plan(), "--out", book)
    assert again.returncode == 2 and "--force" in again.stderr
    assert (
        run_in_process(capsys, "plan", "export", config.demo_plan(), "--out", book, "--force").returncode == 0
    )
    r = run_in_process(capsys, "plan", "import", book, "--out", back)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{book}:指标!J9: targets[6].target_points" in r.stdout
    assert load_plan(back) == load_plan(config.demo_plan())
    assert run_in_process(capsys, "plan", "import", book, "--out", back).returncode == 2
    assert run_in_process(capsys, "plan", back).returncode == 0  # the written file passes `kejifu plan`


def test_import_of_a_workbook_with_an_error_exits_1_names_the_cell_and_writes_nothing(tmp_path, capsys):
    import openpyxl

    from kejifu.io.planbook import write_planbook
    from kejifu.plan import load_plan
    from tests.helpers import run_in_process

    book = write_planbook(load_plan(config.demo_plan()), tmp_path / "目标分解表.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["单位"]["D7"] = "galaxy"  # 界湖镇's kind (row 7: the fifth org)
    wb.save(book)
    out = tmp_path / "plan.yaml"
    r = run_in_process(capsys, "plan", "import", book, "--out", out)
    assert r.returncode == 1 and not out.exists()
    line = next(x for x in r.stderr.splitlines() if "单位!D7" in x)
    assert line.startswith("[错误 / error]") and "orgs[4].kind" in line and "未写入" in r.stderr


def test_plan_next_writes_a_plan_of_next_year_that_validates_and_its_workbook(tmp_path, capsys):
    from kejifu.demo import build_demo
    from kejifu.io.planbook_read import import_planbook
    from kejifu.plan import load_plan
    from tests.helpers import run_in_process

    ws = build_demo(tmp_path / "demo")
    out, book = tmp_path / "plan-2006.yaml", tmp_path / "目标分解表-2006.xlsx"
    r = run_in_process(capsys, "plan", "next", ws, "--year", 2006, "--out", out, "--xlsx", book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "已写入2006年计划" in r.stdout and "基数为截至6月数" in r.stdout
    plan = load_plan(out)
    assert plan.year == 2006 and plan.plan.title == "沂南县2006年科技工作目标"
    assert "2005年实绩截至2005-06" in out.read_text(encoding="utf-8").splitlines()[1]
    assert import_planbook(book)[0] == plan
    assert run_in_process(capsys, "plan", "next", ws, "--out", out).returncode == 2  # exists, no --force
    assert (
        run_in_process(capsys, "plan", "next", ws, "--year", 2005, "--out", tmp_path / "x.yaml").returncode
        == 1
    )


def test_the_help_of_plan_names_its_sub_commands_in_both_languages(capsys):
    from tests.helpers import run_in_process

    r = run_in_process(capsys, "plan", "--help")
    assert r.returncode == 0
    assert all(f"kejifu plan {a}" in r.stdout for a in ("export", "import", "next"))
    r = run_in_process(capsys, "plan", "next", "--help")
    assert r.returncode == 0 and "工作区" in r.stdout and "workspace" in r.stdout and "--xlsx" in r.stdout
    assert run_in_process(capsys, "plan", "export", "--out").returncode == 2
