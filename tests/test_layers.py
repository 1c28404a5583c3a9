"""The layers and the style are checked by the tools, not by memory.

import-linter holds the package to the contracts in ``pyproject.toml`` (the core imports no store, io,
documents, web, deputies, cli or scale; ...), ruff lints and formats at 110 columns, and no module in
``kejifu/`` is over 500 lines. Each check fails with the tool's own output. The checks themselves are
tried on toy trees first, so a passing run means something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kejifu import config

ROOT = config.repo_root()
MAX_LINES = 500
#: what ruff reads: the package, tests, benchmarks, scripts and the paired scripts of the notebooks
NOTEBOOK_SCRIPTS = sorted(
    str(p.relative_to(ROOT)) for p in [*ROOT.glob("dashboards/*.py"), *ROOT.glob("notebooks/*.py")]
)
RUFF_PATHS = ["kejifu", "tests", "bench", "scripts", *NOTEBOOK_SCRIPTS]


def tool(name: str) -> str:
    """The console script installed beside this Python (the venv), else the one on PATH [path]."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def failure(result: subprocess.CompletedProcess) -> str:
    """The tool's output as the message of a failed assertion."""
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def oversized(package: Path, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """Modules of a package longer than ``limit`` lines [(path relative to the package's parent, lines)]."""
    found = []
    for path in sorted(package.rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            found.append((str(path.relative_to(package.parent)), n))
    return found


# ----- the checks, tried on toy trees ---------------------------------------------------------------


def test_the_line_count_names_exactly_the_modules_over_the_limit(tmp_path):
    pkg = tmp_path / "toy"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "short.py").write_text("x = 1\n" * 500, encoding="utf-8")
    (pkg / "sub" / "long.py").write_text("x = 1\n" * 501, encoding="utf-8")
    (pkg / "notes.txt").write_text("x\n" * 900, encoding="utf-8")
    assert oversized(pkg) == [("toy/sub/long.py", 501)]


def test_ruff_check_and_format_fail_on_a_toy_file_with_an_unused_import_and_bad_spacing(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx=  1\n", encoding="utf-8")
    lint = run(tool("ruff"), "check", "--isolated", str(bad), cwd=tmp_path)
    assert lint.returncode == 1 and "F401" in lint.stdout
    fmt = run(tool("ruff"), "format", "--isolated", "--check", str(bad), cwd=tmp_path)
    assert fmt.returncode == 1 and "bad.py" in fmt.stdout
    bad.write_text("x = 1\n", encoding="utf-8")
    assert run(tool("ruff"), "check", "--isolated", str(bad), cwd=tmp_path).returncode == 0
    assert run(tool("ruff"), "format", "--isolated", "--check", str(bad), cwd=tmp_path).returncode == 0


def test_lint_imports_fails_when_a_toy_core_module_imports_the_web(tmp_path):
    pkg = tmp_path / "toy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "web.py").write_text("", encoding="utf-8")
    (pkg / "core.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.importlinter]
            root_package = "toy"

            [[tool.importlinter.contracts]]
            name = "The core imports no web"
            type = "forbidden"
            source_modules = ["toy.core"]
            forbidden_modules = ["toy.web"]
            """
        ),
        encoding="utf-8",
    )
    env = {"PYTHONPATH": str(tmp_path)}
    kept = run(tool("lint-imports"), "--no-cache", cwd=tmp_path, env=env)
    assert kept.returncode == 0, failure(kept)
    (pkg / "core.py").write_text("from toy import web\n", encoding="utf-8")
    broken = run(tool("lint-imports"), "--no-cache", cwd=tmp_path, env=env)
    assert broken.returncode == 1
    assert "The core imports no web BROKEN" in broken.stdout
    assert "toy.core -> toy.web" in broken.stdout


# ----- the checks, on the project --------------------------------------------------------------------


def test_the_import_contracts_in_pyproject_are_kept():
    result = run(tool("lint-imports"), "--no-cache", env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, failure(result)


def test_ruff_finds_nothing_to_lint():
    result = run(tool("ruff"), "check", *RUFF_PATHS)
    assert result.returncode == 0, failure(result)


def test_ruff_finds_nothing_to_reformat():
    result = run(tool("ruff"), "format", "--check", *RUFF_PATHS)
    assert result.returncode == 0, failure(result)


def test_no_module_in_the_package_is_over_500_lines():
    too_long = oversized(ROOT / "kejifu")
    assert not too_long, "modules over 500 lines: " + ", ".join(f"{p} ({n})" for p, n in too_long)
