"""Helpers the test files share: the small plans as text, report frames and files, workbooks,
workspaces, and the ``kejifu`` command run in-process or as a user runs it.

Fixtures that load these plans (``demo_plan``, ``two_town_plan``, ``small_plan``, ``tiny_plan``) are in
``tests/conftest.py``; import plain functions and constants from here, never from conftest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from kejifu import config

#: data/examples/tiny-plan.yaml: 测试县, two towns and an enterprise, terminals, mushrooms, a share, patents
TINY_PLAN_FILE = config.data_dir() / "examples" / "tiny-plan.yaml"

#: Two towns; 353 terminals on a linear schedule; mushrooms with a stretch; a share (fixture ``small_plan``).
SMALL_PLAN = """
plan: {id: t, title: 测试计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
measures:
  - {id: ht, title: 高新技术企业产值, unit: 亿元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
targets:
  - {id: terminals, title: 安装信息机, unit: 台, target: 353, allocations: {a: 200, b: 153}}
  - {id: mushroom, title: 食用菌面积, unit: 亩, target: 3000, stretch: 5000, allocations: {a: 1800, b: 1200}}
  - {id: share, title: 高新技术产值比重, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30.14, target: 33}
"""

#: A two-town plan for the store, workspace and integrity tests: mushrooms from reports,
#: terminals from their register (fixture ``two_town_plan``).
TWO_TOWN_PLAN = """\
plan: {id: tiny, title: 小计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: hutou, name: 湖头镇, kind: town, parent: c}
  - {id: jiehu, name: 界湖镇, kind: town, parent: c}
targets:
  - {id: mushroom_area, title: 食用菌, unit: 亩, target: 100, allocations: {hutou: 60, jiehu: 40}}
  - {id: terminals, title: 信息机, unit: 台, target: 12, source: register, allocations: {hutou: 6, jiehu: 6}}
"""

#: The Chinese header row of a report file (单位/指标/月份/累计完成/计量单位/备注), with its newline.
REPORT_HEADER = "单位,指标,月份,累计完成,计量单位,备注\n"

#: Headless Chromium for the browser tests.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def reports(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A reports frame from (org, measure, month, value) tuples [value in the measure's unit]."""
    return pd.DataFrame(rows, columns=["org", "measure", "month", "value"])


def write_plan(folder: Path, text: str, name: str = "plan.yaml") -> Path:
    """Write a plan's YAML text into ``folder`` (created if needed) and return the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_workspace(folder: Path, plan: str | Path, *, url: str | None = None, name: str = "ws") -> Path:
    """A new, empty workspace ``folder/name`` for a plan given as YAML text or as a file; its path.

    ``url`` is the database (``KEJIFU_DB_URL`` style; None: the workspace's SQLite file).
    """
    from kejifu.store import Store

    plan_file = plan if isinstance(plan, Path) else write_plan(folder, plan)
    Store.create(folder / name, plan_file, url=url).close()
    return folder / name


def write_report_csv(path: Path, body: str, *, encoding: str = "utf-8") -> Path:
    """A report CSV: the Chinese header row, then ``body`` (rows with their newlines), in ``encoding``."""
    path.write_bytes((REPORT_HEADER + body).encode(encoding))
    return path


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An xlsx file with one sheet per entry {sheet name: rows}, in order; its path."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    wb.save(path)
    return path


def run_kejifu(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m kejifu ARGS`` as a user would (exit code, stdout and stderr as text)."""
    return subprocess.run(
        [sys.executable, "-m", "kejifu", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def run_in_process(capsys, *args) -> subprocess.CompletedProcess:
    """Run the CLI in this process (fast), captured by pytest's ``capsys``: like ``run_kejifu``."""
    from kejifu.cli import main

    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse: --help (0) and misuse (2)
        code = exc.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


# ----- the small county plan of the status-rules tests (issue 13) --------------------------------

_COUNTY_HEAD = """
plan: {id: k, title: 测试计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: tjj, name: 县统计局, kind: department, parent: c}
  - {id: kjj, name: 县科技局, kind: department, parent: c}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
  - {id: d, name: 丙镇, kind: town, parent: c}
  - {id: e1, name: 甲企业, kind: enterprise, parent: c}
  - {id: e2, name: 乙企业, kind: enterprise, parent: c}
"""
_COUNTY_MEASURES = """measures:
  - {id: ht, title: 高新技术企业产值, unit: 亿元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
  - {id: rd, title: 研发经费, unit: 万元}
  - {id: sales, title: 销售收入, unit: 万元}
targets:
  - {id: area, title: 食用菌面积, unit: 亩, target: 300, allocations: {a: 100, b: 100, d: 100}}
  - {id: share, title: 高新技术产值比重, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30, target: 33}
  - {id: rd_floor, title: 研发经费占比, unit: '%', kind: share, numerator: rd, denominator: sales,
     target: 5, each: true}
  - {id: plan5, title: 十一五规划, unit: 项, kind: milestone, due: 2005-10-31, owner: kjj}
"""
#: the third enterprise some of the county tests add
THIRD_ENTERPRISE = "  - {id: e3, name: 丙企业, kind: enterprise, parent: c}\n"


def county_plan_text(*, extra_orgs: str = "", more: str = "") -> str:
    """A county with a statistics bureau, a S&T bureau, three towns and enterprises, the four
    measures of two shares, and four targets (an allocated area, a share, a floor, a milestone owned
    by the bureau); ``extra_orgs`` are added to the orgs, ``more`` after the targets (more targets,
    settings)."""
    return _COUNTY_HEAD + extra_orgs + _COUNTY_MEASURES + more


def kernel_message(msg_type: str, content: dict, channel: str = "shell") -> dict:
    """A Jupyter message as a browser sends it on the kernel websocket (the serve tests)."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "x",
            "session": "s",
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def share_series() -> pd.DataFrame:
    """The demo plan's high-tech share month by month, January–June 2005: numerator and
    denominator [亿元] and their share [%], as a status series for the share chart."""
    num = np.array([0.7, 1.4, 2.1, 2.8, 3.5, 4.2])
    den = np.array([2.2, 4.5, 6.8, 9.0, 11.3, 13.5])
    return pd.DataFrame(
        {
            "target": "ht_share",
            "org": "all",
            "month": np.arange(1, 7),
            "actual": num / den * 100,
            "numerator": num,
            "denominator": den,
            "expected_value": np.nan,
            "stale": False,
        }
    )
