"""Plan checks return findings instead of crashing."""

from kejifu import config
from kejifu.plan import parse_plan
from kejifu.plancheck import check_plan, errors
from tests.helpers import SMALL_PLAN


def _plan(extra_targets: str):
    head = SMALL_PLAN.split("targets:")[0]
    return parse_plan(head + "targets:\n" + extra_targets, file="c.yaml")


def test_the_2005_plan_is_flagged_for_30_14_plus_3_points_not_being_33(demo_plan):
    plan_file = str(config.demo_plan())
    found = check_plan(demo_plan, plan_file)
    msgs = [str(p) for p in found]
    assert any("33.14%" in m and "ht_share" in m and "targets[6].target_points" in m for m in msgs)
    (f,) = [p for p in found if "33.14%" in p.en]
    text = open(plan_file, encoding="utf-8").read().splitlines()
    assert "target_points" in text[f.row - 1]  # the line named is the line to fix
    assert not errors(found)


def test_allocations_that_do_not_add_up_say_by_how_much():
    p = _plan("  - {id: t, title: T, unit: 台, target: 353, allocations: {a: 200, b: 150}}\n")
    (f,) = check_plan(p, "c.yaml")
    assert "少3台" in f.zh and "3 sets less" in f.en and f.field == "targets[0].allocations"


def test_allocations_to_unknown_orgs_and_in_wrong_units_are_errors():
    p = _plan("  - {id: t, title: T, unit: 亩, target: 10, allocations: {a: 5, zz: 5, b: '3万元'}}\n")
    found = errors(check_plan(p))
    assert any("zz" in f.en for f in found)
    assert any("万元" in f.en and "亩" in f.en for f in found)


def test_a_stretch_below_the_target_is_an_error():
    p = _plan("  - {id: t, title: T, unit: 亩, target: 3000, stretch: 2000}\n")
    (f,) = check_plan(p)
    assert f.level == "error" and "力争目标2000低于确保目标3000" in f.zh


def test_schedule_weights_that_do_not_sum_to_one_are_a_warning():
    p = _plan("  - {id: t, title: T, unit: 台, target: 12, schedule: [2,2,2,2,2,2,2,2,2,2,2,2]}\n")
    (f,) = check_plan(p)
    assert f.level == "warning" and f.field == "targets[0].schedule"


def test_a_share_with_numerator_and_denominator_in_different_kinds_of_unit_is_an_error():
    head = SMALL_PLAN.split("measures:")[0]
    p = parse_plan(
        head + "measures:\n  - {id: n, title: N, unit: 亩}\n  - {id: d, title: D, unit: 元}\n"
        "targets:\n  - {id: s, title: S, unit: '%', kind: share, numerator: n, denominator: d, target: 5}\n"
    )
    assert any("亩" in f.en and "元" in f.en for f in errors(check_plan(p)))


def test_a_clean_plan_has_no_findings():
    assert (
        check_plan(_plan("  - {id: t, title: T, unit: 台, target: 353, allocations: {a: 200, b: 153}}\n"))
        == []
    )


def test_allocations_on_a_share_that_add_up_to_the_county_target_are_a_warning_they_are_levels():
    head = SMALL_PLAN.split("targets:")[0]
    p = parse_plan(
        head + "targets:\n  - {id: s, title: S, unit: '%', kind: share, numerator: ht, denominator: ind,\n"
        "     target: 33, allocations: {a: 13, b: 20}}\n"
    )
    (f,) = check_plan(p)
    assert f.level == "warning" and f.field == "targets[0].allocations"
    assert "分解值合计33%恰好等于全县目标33%" in f.zh and "own target level" in f.en


def test_allocations_on_a_share_that_are_levels_pass_without_a_finding():
    head = SMALL_PLAN.split("targets:")[0]
    p = parse_plan(
        head + "targets:\n  - {id: s, title: S, unit: '%', kind: share, numerator: ht, denominator: ind,\n"
        "     target: 33, allocations: {a: 30, b: 35}}\n"
    )
    assert check_plan(p) == []


def test_a_level_against_its_direction_names_the_direction_in_chinese():
    p = _plan("  - {id: t, title: T, unit: '%', kind: level, target: 20, baseline: 30}\n")
    (f,) = check_plan(p)
    assert f.zh == "t：目标20与方向（增加）和基数30不一致"
    assert f.en == "t: target 20 contradicts direction increase from baseline 30"
