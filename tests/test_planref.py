"""docs/plan-fields.md cannot drift: it is what scripts/planref.py writes from the plan models today,
and it names every key, every allowed value and every default the models have."""

from __future__ import annotations

import importlib.util
import re
import sys
import typing

import pytest

from kejifu import config, planfields
from kejifu.plan import Plan

ROOT = config.repo_root()
PAGE = ROOT / "docs" / "plan-fields.md"


@pytest.fixture(scope="module")
def planref():
    spec = importlib.util.spec_from_file_location("planref_generator", ROOT / "scripts" / "planref.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """The page's text under each ``## `where` `` heading."""
    text = PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {p.split("\n", 1)[0].strip(): p for p in parts}


def test_regenerating_the_field_reference_gives_the_committed_page(planref):
    assert planref.render() == PAGE.read_text(encoding="utf-8"), "run .venv/bin/python scripts/planref.py"
    assert planref.main(["--check"]) == 0


def test_every_field_of_every_model_is_a_row_of_its_section_with_both_descriptions(planref, sections):
    for where, model, _what in planref.SECTIONS:
        body = sections[f"`{where}`"]
        for name, field in model.model_fields.items():
            key = field.alias or name
            zh, _sep, en = field.description.partition(" / ")
            row = next((line for line in body.splitlines() if line.startswith(f"| `{key}` |")), None)
            assert row is not None, f"{where}.{key} is not in the reference"
            assert zh in row and en.replace("|", "\\|") in row, f"{where}.{key}: description missing"


def test_every_model_of_a_plan_has_a_section(planref):
    covered = {model for _where, model, _what in planref.SECTIONS}
    assert covered == {
        Plan,
        planfields.PlanInfo,
        planfields.Bands,
        planfields.Group,
        planfields.Org,
        planfields.Measure,
        planfields.Target,
        planfields.Acknowledgement,
    }


def test_allowed_values_and_defaults_are_in_the_rows(sections):
    targets = sections["`targets[]`"]
    row = {line.split("|")[1].strip(): line for line in targets.splitlines() if line.startswith("| `")}
    for value in typing.get_args(planfields.TargetKind):
        assert f"`{value}`" in row["`kind`"]
    for value in typing.get_args(planfields.Aggregate):
        assert f"`{value}`" in row["`aggregate`"]
    assert "`increase`" in row["`direction`"] and "`decrease`" in row["`direction`"]
    assert "`mushroom_planting`" in row["`schedule`"] and "12 monthly weights" in row["`schedule`"]
    assert "| `cumulative` |" in row["`kind`"]  # the default
    assert "`due: 2005-10-31`" in row["`due`"] and "YYYY-MM-DD" in row["`due`"]
    assert "**required**" in row["`title`"] and "**required**" in row["`unit`"]
    bands = sections["`plan.bands`"]
    assert "> 0, ≤ 1" in bands and "`0.85`" in bands


def test_org_kinds_are_listed_with_the_parents_they_may_have(sections):
    kinds = sections["Org kinds 单位类别 (`orgs[].kind`)"]
    for kind in typing.get_args(planfields.OrgKind):
        assert f"| `{kind}` |" in kinds
    assert "| `town` | 乡镇 | `county`, `district` |" in kinds


def test_the_readme_links_the_field_reference_from_how_to_write_a_plan():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How to write a plan", 1)[1].split("\n## ", 1)[0]
    assert "docs/plan-fields.md" in section


def test_the_readme_table_of_the_most_used_keys_lists_every_allowed_value_of_the_models():
    from kejifu.schedule import PROFILES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How to write a plan", 1)[1].split("\n## ", 1)[0]
    row = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| `")}
    for key, values in [
        ("`orgs[].kind`", typing.get_args(planfields.OrgKind)),
        ("`targets[].kind`", typing.get_args(planfields.TargetKind)),
        ("`targets[].direction`", typing.get_args(planfields.Direction)),
        ("`targets[].aggregate` (levels)", typing.get_args(planfields.Aggregate)),
        ("`targets[].schedule`", tuple(PROFILES)),
    ]:
        assert all(f"`{v}`" in row[key] for v in values), key
