"""Plan files: validation with located, bilingual errors; the bundled 2005 plan."""

import pytest

from kejifu.errors import PlanError
from kejifu.plan import load_plan, parse_plan

HEAD = """plan: {id: t, title: T, region: R, year: 2005}
orgs:
  - {id: c, name: 县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
"""


def test_the_bundled_2005_plan_loads_with_every_target_of_the_speech(demo_plan):
    ids = {t.id for t in demo_plan.targets}
    assert {
        "mushroom_area",
        "terminals",
        "ht_share",
        "specialists",
        "patents",
        "research_institutions",
    } <= ids
    assert (
        demo_plan.target("mushroom_area").target == 3000 and demo_plan.target("mushroom_area").stretch == 5000
    )
    assert demo_plan.target("terminals").target == 353
    assert demo_plan.year == 2005


def test_a_baseline_written_as_340_wan_square_metres_is_stored_as_5100_mu():
    # the 2005 plan keeps 340万平方米 as context (the county's stock, rule 12), so a small plan says it
    text = HEAD + "targets:\n  - {id: m, title: 食用菌, unit: 亩, target: 3000, baseline: 340万平方米}\n"
    assert parse_plan(text).target("m").baseline == pytest.approx(5100.0)


def test_demo_allocations_add_up_to_the_county_targets(demo_plan):
    assert sum(demo_plan.target("mushroom_area").allocation_values().values()) == pytest.approx(3000)
    assert sum(demo_plan.target("terminals").allocation_values().values()) == pytest.approx(353)
    assert sum(demo_plan.target("ht_output_value").allocation_values().values()) == pytest.approx(10)


def test_a_share_target_reports_through_its_numerator_and_denominator(demo_plan):
    assert demo_plan.target("ht_share").measures == ("ht_output", "industrial_output")
    assert "ht_share" not in demo_plan.reportable()
    assert demo_plan.reportable()["ht_output"] == "亿元"


def test_an_error_names_the_file_the_line_and_the_yaml_path_in_both_languages():
    text = HEAD + "targets:\n  - {id: x, title: X, unit: 台, target: abc}\n"
    with pytest.raises(PlanError) as info:
        parse_plan(text, file="p.yaml")
    msg = str(info.value)
    assert "p.yaml:6" in msg
    assert "targets[0].target" in msg
    assert "'abc'" in msg and "无法识别" in msg and "cannot read" in msg


def test_every_problem_is_listed_not_only_the_first():
    text = HEAD + (
        "targets:\n  - {id: x, title: X, unit: 台, target: [1]}\n"
        "  - {id: y, title: Y, unit: 台, target: 1, colour: red}\n"
    )
    with pytest.raises(PlanError) as info:
        parse_plan(text, file="p.yaml")
    fields = [p.field for p in info.value.problems]
    assert "targets[0].target" in fields and "targets[1].colour" in fields
    colour = next(p for p in info.value.problems if p.field == "targets[1].colour")
    assert colour.row == 7 and "未知字段" in colour.zh


def test_an_unknown_unit_is_refused_naming_the_unit():
    with pytest.raises(PlanError) as info:
        parse_plan(HEAD + "targets:\n  - {id: x, title: X, unit: furlongs, target: 1}\n", file="p.yaml")
    assert "furlongs" in str(info.value)


def test_a_town_under_a_town_and_an_unknown_parent_are_refused():
    bad = HEAD + "  - {id: b, name: 乙镇, kind: town, parent: a}\ntargets: []\n"
    with pytest.raises(PlanError, match="cannot sit under"):
        parse_plan(bad)
    with pytest.raises(PlanError, match="unknown parent"):
        parse_plan(HEAD + "  - {id: b, name: 乙镇, kind: town, parent: zz}\ntargets: []\n")


def test_a_share_without_a_denominator_and_a_milestone_without_a_due_date_are_refused():
    with pytest.raises(PlanError, match="numerator and denominator"):
        parse_plan(
            HEAD + "measures: [{id: n, title: N, unit: 元}]\ntargets:\n"
            "  - {id: s, title: S, unit: '%', kind: share, numerator: n, target: 5}\n"
        )
    with pytest.raises(PlanError, match="due date"):
        parse_plan(HEAD + "targets:\n  - {id: m, title: M, unit: 项, kind: milestone}\n")


def test_a_missing_plan_file_is_a_plan_error_naming_the_file(tmp_path):
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value)


def test_broken_yaml_is_reported_with_its_line():
    with pytest.raises(PlanError) as info:
        parse_plan("plan: {id: t\norgs: [", file="b.yaml")
    assert info.value.file == "b.yaml" and info.value.row is not None


def test_an_allocation_on_a_share_is_that_orgs_own_target_level_in_the_status():
    from kejifu.status import status
    from tests.helpers import reports

    text = HEAD + (
        "  - {id: b, name: 乙镇, kind: town, parent: c}\n"
        "measures: [{id: n, title: N, unit: 万元}, {id: d, title: D, unit: 万元}]\n"
        "targets:\n  - {id: s, title: S, unit: '%', kind: share, numerator: n, denominator: d, target: 5,\n"
        "     allocations: {a: 3}}\n"
    )
    plan = parse_plan(text)
    # 甲镇: 6 of 200 = 3 % against its own 3 %; 乙镇 (no allocation): 8 of 200 = 4 % against the plan's 5 %
    r = reports(
        [
            ("a", "n", "2005-06", 6),
            ("a", "d", "2005-06", 200),
            ("b", "n", "2005-06", 8),
            ("b", "d", "2005-06", 200),
        ]
    )
    s = status(plan, r, "2005-06-30").set_index(["target", "org"])
    assert s.loc[("s", "a"), "target_value"] == 3 and s.loc[("s", "a"), "completion"] == pytest.approx(1.0)
    assert s.loc[("s", "b"), "target_value"] == 5 and s.loc[("s", "b"), "completion"] == pytest.approx(0.8)
    # the county: 14 of 400 = 3.5 % against 5 %, not against the allocation
    assert s.loc[("s", "all"), "target_value"] == 5 and s.loc[("s", "all"), "actual"] == pytest.approx(3.5)


def test_the_model_fields_carry_a_description_in_chinese_and_in_english():
    from kejifu.plan import Plan
    from kejifu.planfields import Acknowledgement, Bands, Group, Measure, Org, PlanInfo, Target

    for model in (Plan, PlanInfo, Bands, Group, Org, Measure, Target, Acknowledgement):
        for name, field in model.model_fields.items():
            zh, sep, en = (field.description or "").partition(" / ")
            assert sep and zh and en, f"{model.__name__}.{name} has no bilingual description"
