"""Every notebook and dashboard is committed without outputs and paired with its py:percent script."""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from kejifu import config

ROOT = config.repo_root()
ALL = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("dashboards/*.ipynb")])


def test_there_are_eight_notebooks_and_five_dashboards():
    names = [p.name[:2] for p in ALL if p.parent.name == "notebooks"]
    assert names == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert [p.name[:2] for p in ALL if p.parent.name == "dashboards"] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_notebook_has_no_outputs_and_matches_its_script(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    script = path.with_suffix(".py")
    assert "format_name: percent" in script.read_text(encoding="utf-8")
    paired = jupytext.read(script)
    assert [(c.cell_type, c.source) for c in paired.cells] == [(c.cell_type, c.source) for c in nb.cells]
    assert nb.cells[0].cell_type == "markdown"  # opens with its purpose, inputs and outputs


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_notebook_opens_on_the_python3_kernel_without_asking(path):
    kernelspec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
    assert (kernelspec.get("name"), kernelspec.get("language")) == ("python3", "python")
