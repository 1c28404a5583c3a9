"""Plan messages: every problem at its own line and YAML path, the Chinese entirely in Chinese and
the English entirely in English (issue 17, part 4)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejifu import planfields
from kejifu.errors import PlanError
from kejifu.plan import Plan, parse_plan
from kejifu.plancheck import check_plan
from kejifu.schedule import PROFILES
from kejifu.units import UNITS

HEAD = """plan: {id: t, title: T, region: R, year: 2005}
orgs:
  - {id: c, name: C, kind: county}
  - {id: a, name: A, kind: town, parent: c}
measures:
  - {id: n, title: N, unit: yuan}
  - {id: d, title: D, unit: yuan}
targets:
"""

#: Broken plans, each a plan text; every problem they raise is checked for its language.
BROKEN = {
    "share without denominator": HEAD
    + "  - {id: s, title: S, unit: '%', kind: share, numerator: n, target: 5}\n",
    "milestone without due": HEAD + "  - {id: m, title: M, unit: '', kind: milestone}\n",
    "no target value": HEAD + "  - {id: x, title: X, unit: yuan}\n",
    "each on a cumulative": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, each: true}\n",
    "owner on a cumulative": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, owner: c}\n",
    "points without baseline": HEAD
    + "  - {id: x, title: X, unit: '%', kind: level, target: 3, target_points: 1}\n",
    "eleven weights": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1, schedule: [1,1,1,1,1,1,1,1,1,1,1]}\n",
    "unknown schedule": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, schedule: autumn}\n",
    "register and measure": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1, source: register, measure: n}\n",
    "numerator on a level": HEAD
    + "  - {id: x, title: X, unit: yuan, kind: level, target: 1, numerator: n}\n",
    "unknown kind": HEAD + "  - {id: x, title: X, unit: yuan, kind: stock, target: 1}\n",
    "unknown key": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, colour: red}\n",
    "missing title": HEAD + "  - {id: x, unit: yuan, target: 1}\n",
    "text for a number": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, stretch: [2]}\n",
    "bad date": HEAD + "  - {id: m, title: M, unit: '', kind: milestone, due: soon}\n",
    "bad boolean": HEAD + "  - {id: x, title: X, unit: '%', kind: level, target: 1, each: perhaps}\n",
    "schedule of the wrong type": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, schedule: 7}\n",
    "band above one": HEAD.replace("year: 2005}", "year: 2005, bands: {behind: 2}}")
    + "  - {id: x, title: X, unit: yuan, target: 1}\n",
    "year out of range": HEAD.replace("year: 2005", "year: 1800")
    + "  - {id: x, title: X, unit: yuan, target: 1}\n",
    "unknown parent": HEAD.replace("parent: c}", "parent: zz}")
    + "  - {id: x, title: X, unit: yuan, target: 1}\n",
    "town under a town": HEAD + "  - {id: x, title: X, unit: yuan, target: 1}\n",
    "duplicate org": HEAD.replace("  - {id: a, name: A", "  - {id: c, name: A")
    + "  - {id: x, title: X, unit: yuan, target: 1}\n",
    "duplicate target": HEAD + "  - {id: n, title: X, unit: yuan, target: 1}\n",
    "unknown measure": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, measure: zz}\n",
    "unknown owner": HEAD + "  - {id: m, title: M, unit: '', kind: milestone, due: 2005-06-30, owner: zz}\n",
    "broken yaml": "plan: {id: t\norgs: [",
    "bad indentation": "plan:\n  id: t\n title: x\n",
    "duplicate key": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, target: 2}\n",
    "impossible date": HEAD + "  - {id: m, title: M, unit: '', kind: milestone, due: 2005-02-30}\n",
    "not a mapping": "- just a list\n",
    "number above the ceiling": HEAD + "  - {id: x, title: X, unit: yuan, target: 1e13}\n",
    "negative stretch": HEAD + "  - {id: x, title: X, unit: yuan, target: 1, stretch: -2}\n",
    "negative weight": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1, schedule: [-1,1,1,1,1,1,1,1,1,1,1,1]}\n",
    "limit that is no number": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1}\nsettings: {limits: lots}\n",
    # found by the plan checks
    "allocation to an unknown org": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1, allocations: {zz: 1}}\n",
    "allocation in another unit": HEAD
    + "  - {id: x, title: X, unit: yuan, target: 1, allocations: {a: 3 mu}}\n",
    "stretch below target": HEAD + "  - {id: x, title: X, unit: yuan, target: 5, stretch: 2}\n",
    "share not in percent": HEAD
    + "  - {id: s, title: S, unit: yuan, kind: share, numerator: n, denominator: d, target: 5}\n",
    "level against its direction": HEAD
    + "  - {id: x, title: X, unit: '%', kind: level, target: 2, baseline: 5}\n",
    "split of a share": HEAD.replace(
        "  - {id: a, name: A, kind: town, parent: c}\n",
        "  - {id: a, name: A, kind: town, parent: c}\n  - {id: b, name: B, kind: town, parent: c}\n",
    )
    + "  - {id: s, title: S, unit: '%', kind: share, numerator: n, denominator: d, target: 5,\n"
    "     allocations: {a: 2, b: 3}}\n",
}
BROKEN["town under a town"] = BROKEN["town under a town"].replace(
    "  - {id: a, name: A, kind: town, parent: c}\n",
    "  - {id: a, name: A, kind: town, parent: c}\n  - {id: b, name: B, kind: town, parent: a}\n",
)

#: ASCII words a Chinese message may carry besides the plan's own words (keys, ids, values) and the
#: plan's field names and allowed values: the format's name, the date pattern, YAML's yes and no.
ALLOWED = {"YAML", "YYYY", "MM", "DD", "true", "false"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _vocabulary() -> set[str]:
    """Every field name and allowed value of the plan models, the settings keys and the schedule names
    (what a message may quote)."""
    import typing

    words = set()
    for model in (Plan, planfields.PlanInfo, planfields.Org, planfields.Target, planfields.Bands):
        for name, field in model.model_fields.items():
            words |= {name, field.alias or name}
            for arg in typing.get_args(field.annotation) or ():
                words |= {a for a in typing.get_args(arg) if isinstance(a, str)}
            words |= {a for a in typing.get_args(field.annotation) if isinstance(a, str)}
    settings = {"limits", "default", "reporting", "deadline_day", "ranking", "cap", "documents", "deputies"}
    return (
        words
        | settings
        | set(planfields.OrgKind.__args__)
        | set(planfields.TargetKind.__args__)
        | set(PROFILES)
    )


def _problems(text: str, folder=None):
    """The problems of the plan ``text`` (written to ``folder/plan.yaml`` when a folder is given, so
    that the checks find their lines): its refusal, else every finding of the plan checks."""
    file = "plan.yaml"
    if folder is not None:
        file = str(folder / "plan.yaml")
        (folder / "plan.yaml").write_text(text, encoding="utf-8")
    try:
        plan = parse_plan(text, file=file)
    except PlanError as exc:
        return exc.problems
    return check_plan(plan, file=file)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_plan_is_told_in_chinese_words_and_in_english_words(name, tmp_path):
    text = BROKEN[name]
    found = _problems(text, tmp_path)
    assert found, f"{name}: no problem found"
    allowed = ALLOWED | _vocabulary() | set(re.findall(r"[A-Za-z_]+", text))
    for p in found:
        foreign = set(re.findall(r"[A-Za-z][A-Za-z_]*", p.zh)) - allowed
        assert not foreign, f"{name}: English words {foreign} in the Chinese message {p.zh!r}"
        assert CJK.search(p.zh), f"{name}: no Chinese in {p.zh!r}"
        assert not p.zh.startswith("取值无效"), f"{name}: no Chinese of its own for {p.en!r}"
        # a value quoted from the plan ('亩') is the plan's own word, as an id is in the Chinese; so is a
        # unit's symbol, which English keeps where it has no English name (万元, units.Unit.en)
        english = re.sub(r"'[^']*'", "''", p.en)
        for symbol in sorted(UNITS, key=len, reverse=True):
            english = english.replace(symbol, "") if symbol else english
        assert not CJK.search(english), f"{name}: Chinese in the English message {p.en!r}"
        assert p.file == str(tmp_path / "plan.yaml") and p.row is not None, f"{name}: {p} has no line"


def test_the_share_rule_is_said_in_chinese_at_the_missing_field():
    (p,) = _problems(BROKEN["share without denominator"])
    assert p.zh == "比重型指标需要分子和分母两个计量（numerator 和 denominator）"
    assert p.en == "share targets need numerator and denominator measures"
    assert (p.row, p.field) == (9, "targets[0].denominator")


BLOCK = """plan: {id: t, title: T, region: R, year: 2005}
orgs:
  - id: c
    name: C
    kind: county
  - id: a
    name: A
    kind: town
    parent: c
  - id: b
    name: B
    kind: town
    parent: zz
  - id: a
    name: A2
    kind: town
    parent: c
targets: []
"""


def test_an_unknown_parent_is_reported_at_the_line_of_its_parent_key():
    with pytest.raises(PlanError) as info:
        parse_plan(BLOCK, file="plan.yaml")
    parent = next(p for p in info.value.problems if "zz" in p.en)
    # hand-counted: the third org begins on line 10; its "parent: zz" is line 13
    assert (parent.row, parent.field) == (13, "orgs[2].parent")
    assert str(parent).startswith("plan.yaml:13: orgs[2].parent: 单位 'b' 的上级 'zz' 不在单位列表中 / ")


def test_a_duplicate_org_id_is_reported_at_the_second_id_naming_the_line_of_the_first():
    with pytest.raises(PlanError) as info:
        parse_plan(BLOCK, file="plan.yaml")
    dupe = next(p for p in info.value.problems if "duplicate" in p.en)
    # the second "id: a" is on line 14; the first on line 6
    assert (dupe.row, dupe.field) == (14, "orgs[3].id")
    assert (
        dupe.zh == "单位编号 'a' 重复（第6行已有）" and dupe.en == "duplicate org id 'a' (already on line 6)"
    )


def test_all_reference_problems_are_listed_in_file_order_not_only_the_first():
    with pytest.raises(PlanError) as info:
        parse_plan(BLOCK, file="plan.yaml")
    assert [p.row for p in info.value.problems] == [13, 14]


def test_a_duplicate_target_id_names_the_line_of_the_measure_it_repeats():
    (p,) = _problems(BROKEN["duplicate target"])
    assert (p.row, p.field) == (9, "targets[0].id") and "already on line 6" in p.en and "第6行" in p.zh


def test_an_unknown_measure_and_an_unknown_owner_are_at_their_own_keys():
    (m,) = _problems(BROKEN["unknown measure"])
    assert (m.row, m.field) == (9, "targets[0].measure")
    (o,) = _problems(BROKEN["unknown owner"])
    assert (o.row, o.field) == (9, "targets[0].owner") and "zz" in o.zh


def test_a_literal_lists_its_allowed_values_in_the_chinese_message():
    (p,) = _problems(BROKEN["unknown kind"])
    assert p.zh == "取值 'stock' 不在允许范围内，可选：cumulative、share、level、milestone"
    assert p.field == "targets[0].kind"


def test_a_value_of_no_type_of_a_union_is_said_once():
    (p,) = _problems(BROKEN["schedule of the wrong type"])
    assert p.field == "targets[0].schedule" and p.zh == "应为文字或列表：7"


def test_a_bad_weight_inside_a_schedule_list_is_named_by_its_position():
    text = HEAD + "  - {id: x, title: X, unit: yuan, target: 1, schedule: [1,1,x,1,1,1,1,1,1,1,1,1]}\n"
    (p,) = _problems(text)
    assert p.field == "targets[0].schedule[2]" and p.zh == "不是数字：'x'"


def test_a_yaml_syntax_error_is_told_in_chinese_with_line_and_column():
    (p,) = _problems(BROKEN["broken yaml"])
    assert p.zh == "YAML格式错误（第2行第5列附近）：花括号里的映射没有正确结束（少了逗号或右花括号？）"
    assert p.en.startswith("not valid YAML: ") and p.row == 2


def test_a_model_of_one_part_of_the_plan_is_located_under_its_prefix(tmp_path):
    from pydantic import ValidationError

    from kejifu import planfile, planmessages

    f = tmp_path / "plan.yaml"
    f.write_text("plan:\n  id: t\n  bands:\n    behind: 1.5\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        planfields.Bands.model_validate({"behind": 1.5})
    (p,) = planmessages.problems(info.value, str(f), planfile.compose(f), prefix=("plan", "bands"))
    assert (p.row, p.field) == (4, "plan.bands.behind") and p.zh == "应不大于1：1.5"
    assert planfile.compose(tmp_path / "missing.yaml") is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=8), st.lists(st.integers(0, 7), max_size=3))
def test_every_unknown_parent_and_repeated_id_is_at_the_line_of_its_own_key(unknown, repeats):
    lines = [
        "plan: {id: t, title: T, region: R, year: 2005}",
        "orgs:",
        "  - id: c",
        "    name: C",
        "    kind: county",
    ]
    ids = [f"o{i}" for i in range(len(unknown))]
    for j in repeats:  # an org may take the id of an earlier one
        if 0 < j < len(ids):
            ids[j] = ids[j - 1]
    expected = set()
    for i, (bad, oid) in enumerate(zip(unknown, ids, strict=True)):
        lines += [
            f"  - id: {oid}",
            f"    name: N{i}",
            "    kind: town",
            f"    parent: {'zz' if bad else 'c'}",
        ]
        if bad:
            expected.add((len(lines), f"orgs[{i + 1}].parent"))  # the line just written
        if oid in ids[:i]:
            expected.add((len(lines) - 3, f"orgs[{i + 1}].id"))
    lines.append("targets: []")
    if not expected:
        parse_plan("\n".join(lines) + "\n")
        return
    with pytest.raises(PlanError) as info:
        parse_plan("\n".join(lines) + "\n", file="plan.yaml")
    assert {(p.row, p.field) for p in info.value.problems} == expected
