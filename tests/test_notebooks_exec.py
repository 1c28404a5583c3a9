"""Every planner notebook executes headless (nbclient) against a fresh demo workspace.

The notebooks are found by listing the folder (every ``notebooks/*.ipynb``), not by a name pattern,
so a new notebook is executed as soon as it exists.
"""

from __future__ import annotations

import os

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from kejifu import config
from kejifu.demo import build_demo

FOLDER = config.repo_root() / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


def notebooks_in(folder) -> list:
    """The notebooks of a folder, as the tests here find them [sorted paths]."""
    return sorted(folder.glob("*.ipynb"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("nbws") / "demo")


def test_the_folder_listing_finds_every_notebook_whatever_its_number(tmp_path):
    for name in ["01_a.ipynb", "08_b.ipynb", "09_c.ipynb", "12_d.ipynb", "notes.txt"]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in notebooks_in(tmp_path)] == [
        "01_a.ipynb",
        "08_b.ipynb",
        "09_c.ipynb",
        "12_d.ipynb",
    ]


def test_there_are_eight_planner_notebooks_each_paired_with_a_script():
    assert NOTEBOOKS == notebooks_in(FOLDER)
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]
    for nb in NOTEBOOKS:
        assert nb.with_suffix(".py").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_is_committed_without_outputs_and_opens_with_its_purpose(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    assert "目的" in nb.cells[0].source and "输入" in nb.cells[0].source and "输出" in nb.cells[0].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    paired = jupytext.read(path.with_suffix(".py"))
    assert [c.source for c in paired.cells] == [c.source for c in nb.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_names_the_python3_kernel_so_jupyterlab_opens_it_without_asking(path):
    kernelspec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3"
    assert kernelspec.get("language") == "python"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_executes_headless(path, workspace, monkeypatch):
    monkeypatch.setenv("KEJIFU_WORKSPACE", str(workspace))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env=dict(os.environ))
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # it showed something
