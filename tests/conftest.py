"""Shared fixtures: one name per plan.

- ``demo_plan``: the bundled 2005 沂南县 plan (``data/plans/yinan-2005.yaml``);
- ``tiny_plan``: ``data/examples/tiny-plan.yaml`` (测试县: two towns, an enterprise, a share, patents);
- ``small_plan``: two towns, 353 terminals, mushrooms with a stretch, a share (``helpers.SMALL_PLAN``);
- ``two_town_plan``: the store's two-town plan, mushrooms and register terminals
  (``helpers.TWO_TOWN_PLAN``).

A plan used by one test file only stays in that file under its own name (``scoring_plan``, ...).
Plain helpers live in ``tests/helpers.py``.
"""

from __future__ import annotations

import pytest

from kejifu import config
from kejifu.plan import Plan, load_plan, parse_plan
from tests.helpers import SMALL_PLAN, TINY_PLAN_FILE, TWO_TOWN_PLAN


@pytest.fixture(scope="session")
def demo_plan() -> Plan:
    """The bundled 2005 沂南县 plan."""
    return load_plan(config.demo_plan())


@pytest.fixture(scope="session")
def tiny_plan() -> Plan:
    """data/examples/tiny-plan.yaml."""
    return load_plan(TINY_PLAN_FILE)


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    """Two towns; 353 terminals on a linear schedule; mushrooms with a stretch; a share."""
    return parse_plan(SMALL_PLAN, file="small.yaml")


@pytest.fixture(scope="session")
def two_town_plan() -> Plan:
    """Two towns; mushrooms from reports, terminals from their register."""
    return parse_plan(TWO_TOWN_PLAN, file="tiny.yaml")
