"""Notebook 02 (导入月报) in a real JupyterLab driven by a real headless Chromium: run every cell,
upload a town's workbook through the upload widget, type the clerk's name, commit; the store then
has the new batch under that name.

JupyterLab (the ``lab`` extra) runs on a copy of the notebooks, on a free loopback port, with a
token, no browser, ``--allow-root`` when run as root, its settings and workspaces in a temporary
folder, and ``KEJIFU_WORKSPACE`` pointing at a fresh demo workspace (reports through 2005-06).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse

import openpyxl
import pytest

from kejifu import config
from kejifu.io.template import HEADER_ROW, write_template
from kejifu.web import serve
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "02_导入月报.ipynb"
CLERK = "李文书"
#: the notebook's kernel is idle and no cell is queued or running (no ``[*]`` prompt)
KERNEL_IDLE = """() => {
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
  return ind !== null && ind.getAttribute('data-status') === 'idle' && !prompts.some(p => p.includes('*'));
}"""


def wait_until(page, script: str, timeout: float = 180) -> None:
    """Poll ``script`` in the page every half second until it is true [timeout in seconds]."""
    end = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > end:
            raise TimeoutError(f"still false after {timeout} s: {script[:80]}")
        time.sleep(0.5)


def settings(folder) -> None:
    """JupyterLab user settings for a test: every cell rendered (no windowing, so that widgets below
    the fold exist in the page) and no news popup."""
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false"},
    }.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the notebooks and a fresh demo workspace:
    ``(base URL, token, workspace)``."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is in the lab extra: pip install -e '.[lab]'")
    from kejifu.demo import build_demo

    tmp = tmp_path_factory.mktemp("lab")
    ws = build_demo(tmp / "demo")
    shutil.copytree(config.repo_root() / "notebooks", tmp / "notebooks")
    home = tmp / "jupyter"
    port, token = serve.free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "KEJIFU_WORKSPACE": str(ws),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp / 'notebooks'}",
        "--expose-app-in-browser",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    settings(home / "settings")
    log = open(tmp / "lab.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        serve.wait_ready(f"{base}/api/status?token={token}", timeout=120, proc=proc)
        yield base, token, ws
    finally:
        serve.stop(proc, 30)
        log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


STARTED = """() => [...document.querySelectorAll('.jp-InputArea-prompt')]
  .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
SESSION_READY = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
    && w.sessionContext.session.kernel.connectionStatus === 'connected');
}"""


def run_all(page, tries: int = 3) -> None:
    """Run every cell (Run ▸ Run All Cells) once the notebook's kernel is connected; asked again when
    no cell has started within 30 s (a command sent while the notebook is still settling is lost)."""
    wait_until(page, SESSION_READY)
    for _ in range(tries):
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            wait_until(page, STARTED, timeout=30)
            return
        except TimeoutError:
            continue
    raise TimeoutError("the notebook's cells never started")


def town_workbook(ws, path):
    """湖头镇's template for 2005-07 (the month after the demo's data) with its figures filled in."""
    from kejifu.workspace import open_workspace

    with open_workspace(ws) as w:
        write_template(w.plan, "hutou", "2005-07", path, w.reports)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        last = sheet.cell(row, 5).value  # 上月累计
        if sheet.cell(row, 2).value:
            sheet.cell(row, 6, (last or 0) + 5)  # 累计完成: five more than last month
    book.save(path)
    return path


def batches_by(ws, who: str):
    from kejifu.store import Store

    store = Store.open(ws, readonly=True)
    try:
        b = store.batches()
    finally:
        store.close()
    return b[b["who"] == who]


def test_notebook_02_runs_in_jupyterlab_and_commits_an_uploaded_workbook_under_the_clerks_name(
    lab, page, tmp_path
):
    base, token, ws = lab
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(f"{base}/lab/tree/{urllib.parse.quote(NOTEBOOK)}?token={token}&reset")
    wait_until(page, "() => window.jupyterapp !== undefined && window.jupyterapp.shell !== undefined")
    wait_until(page, "() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > 0")
    wait_until(page, KERNEL_IDLE)
    assert page.locator(".jp-Dialog").count() == 0  # no "Select Kernel" dialog: the notebook names it
    run_all(page)
    wait_until(page, "() => document.querySelectorAll('.widget-upload').length >= 2")
    time.sleep(1)  # the last cells are queued
    wait_until(page, KERNEL_IDLE)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0

    workbook = town_workbook(ws, tmp_path / "湖头镇_2005-07.xlsx")
    # the upload widget's <input type=file> is not in the page: it is the file chooser the button opens
    with page.expect_file_chooser() as chooser:
        page.locator(".widget-upload").first.click()
    chooser.value.set_files(str(workbook))
    output = page.locator(".jp-OutputArea-output")
    output.filter(has_text="湖头镇_2005-07.xlsx ✓").first.wait_for()  # checked on upload, no errors
    page.locator(".widget-text input").first.fill(CLERK)
    page.locator(".widget-text input").first.press("Tab")
    page.get_by_role("button", name="入库 / commit").first.click()
    output.filter(has_text="湖头镇_2005-07.xlsx 已入库").first.wait_for()

    end = time.monotonic() + 60
    while batches_by(ws, CLERK).empty and time.monotonic() < end:
        time.sleep(0.5)
    mine = batches_by(ws, CLERK)
    assert len(mine) == 1
    assert mine.iloc[0]["source_file"] == "湖头镇_2005-07.xlsx" and mine.iloc[0]["kind"] == "reports"
    assert mine.iloc[0]["rows_added"] == 2  # 湖头镇's two measures of July
    assert errors == []
