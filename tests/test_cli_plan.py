"""`kejifu plan FILE` validates a plan and lists the checks' findings; exit codes 0/1."""

import subprocess
import sys

from kejifu import config


def _run(*args):
    return subprocess.run([sys.executable, "-m", "kejifu", *args], capture_output=True, text=True, timeout=60)


def test_the_2005_plan_passes_with_the_points_warning():
    r = _run("plan", str(config.demo_plan()))
    assert r.returncode == 0
    assert "33.14%" in r.stdout and ":139:" in r.stdout


def test_a_plan_with_a_bad_value_exits_1_naming_file_line_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "plan: {id: t, title: T, region: R, year: 2005}\norgs:\n  - {id: c, name: 县, kind: county}\n"
        "targets:\n  - {id: x, title: X, unit: 台, target: 1.5.3}\n",
        encoding="utf-8",
    )
    r = _run("plan", str(bad))
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
    r = _run("plan", str(bad))
    assert r.returncode == 1 and "nowhere" in r.stdout


def test_misuse_exits_2():
    assert _run("plan").returncode == 2
    assert _run("no-such-command").returncode == 2


def test_output_cut_short_by_a_closed_pipe_is_not_a_traceback(tmp_path):
    import subprocess as sp

    p = sp.Popen(
        [sys.executable, "-m", "kejifu", "plan", str(config.demo_plan())], stdout=sp.PIPE, stderr=sp.PIPE
    )
    p.stdout.close()  # like `| head -0`
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0
    assert "Traceback" not in err
