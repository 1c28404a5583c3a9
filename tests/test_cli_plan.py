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
