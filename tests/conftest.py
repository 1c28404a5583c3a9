"""Shared fixtures: the bundled 2005 plan and small hand-made plans."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu import config
from kejifu.plan import Plan, load_plan, parse_plan

TERMINALS_PLAN = """
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
#: terminals from their register.
STORE_PLAN = """\
plan: {id: tiny, title: 小计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: hutou, name: 湖头镇, kind: town, parent: c}
  - {id: jiehu, name: 界湖镇, kind: town, parent: c}
targets:
  - {id: mushroom_area, title: 食用菌, unit: 亩, target: 100, allocations: {hutou: 60, jiehu: 40}}
  - {id: terminals, title: 信息机, unit: 台, target: 12, source: register, allocations: {hutou: 6, jiehu: 6}}
"""


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The bundled 2005 沂南县 plan."""
    return load_plan(config.demo_plan())


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    """Two towns; 353 terminals on a linear schedule; mushrooms with a stretch; a share."""
    return parse_plan(TERMINALS_PLAN, file="small.yaml")


def reports(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A reports frame from (org, measure, month, value) tuples."""
    return pd.DataFrame(rows, columns=["org", "measure", "month", "value"])
