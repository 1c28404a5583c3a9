"""Every planner notebook executes headless (nbclient) against a fresh demo workspace, and the tables
it shows have catalogue headers and formatted numbers (no raw column id, no float like 141.866029).

The notebooks are found by listing the folder (every ``notebooks/*.ipynb``), not by a name pattern,
so a new notebook is executed as soon as it exists.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from kejifu import config, status, tables
from kejifu.demo import build_demo

FOLDER = config.repo_root() / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


def notebooks_in(folder) -> list:
    """The notebooks of a folder, as the tests here find them [sorted paths]."""
    return sorted(folder.glob("*.ipynb"))


#: A number shown with more than three decimals: a float that never went through kejifu.display.
RAW_FLOAT = re.compile(r"(?<![\d.])\d+\.\d{4,}(?![\d.])")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("nbws") / "demo")


class _Cells(HTMLParser):
    """The texts of an HTML fragment's header cells (``<th>``) and data cells (``<td>``)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.cells: list[str] = []
        self._into: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            self._into = self.headers if tag == "th" else self.cells
            self._into.append("")

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self._into = None

    def handle_data(self, data):
        if self._into is not None:
            self._into[-1] += data


def table_cells(nb) -> tuple[list[str], list[str]]:
    """The header and data cell texts of every HTML table a notebook's outputs show."""
    parser = _Cells()
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            html = o.get("data", {}).get("text/html") if o.get("output_type") != "stream" else None
            if html and "<table" in html:
                parser.feed(html if isinstance(html, str) else "".join(html))
    return [h.strip() for h in parser.headers], [x.strip() for x in parser.cells]


def internal_names(workspace) -> set[str]:
    """The column ids of the frames the package computes (status frame, tables' formats)."""
    from kejifu.workspace import open_workspace

    with open_workspace(workspace) as ws:
        frame = ws.status(ws.default_as_of())
    return set(frame.columns) | set(tables.FORMATS) | set(tables.LABELS) | {status.ALL}


def test_the_cell_parser_finds_raw_ids_and_long_floats_in_a_plain_pandas_table():
    import pandas as pd

    class Nb:
        cells = [
            nbformat.v4.new_code_cell(
                outputs=[
                    nbformat.v4.new_output(
                        "execute_result", data={"text/html": pd.DataFrame({"gap_pp": [141.866029]}).to_html()}
                    )
                ]
            )
        ]

    headers, cells = table_cells(Nb)
    assert "gap_pp" in headers and tables.is_column_id("gap_pp")
    assert RAW_FLOAT.search(" ".join(cells))
    assert not RAW_FLOAT.search("141.87 2,005 99.9% 3,000亩 2005-06-30")


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
    headers, cells = table_cells(nb)
    internal = internal_names(workspace)
    raw = [h for h in headers if h and (h in internal or tables.is_column_id(h))]
    assert not raw, f"raw column ids shown as headers: {raw}"
    floats = [x for x in cells if RAW_FLOAT.search(x)]
    assert not floats, f"unformatted numbers shown: {floats[:5]}"
