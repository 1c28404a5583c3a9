"""Issue 12, plan rows: absurd plan numbers, impossible dates, deep nesting, empty org lists, huge
files, duplicate keys and names. Every attack plan is built here from the tiny example plan; each
is refused (or warned about) with ``file:line: yaml.path`` and never a traceback, and
``kejifu init`` refuses exactly what ``kejifu plan`` refuses, with the same messages."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kejifu import config, planfile
from kejifu.cli import main
from kejifu.errors import PlanError
from kejifu.plan import load_plan, parse_plan
from kejifu.plancheck import accept_plan, check_plan

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
BASE = TINY.read_text(encoding="utf-8")
TERMINALS = "    target: 353\n"  # the first target (terminals, 台), on line 23 of the tiny plan


def with_schedule(weights: str) -> str:
    return BASE.replace(TERMINALS, f"{TERMINALS}    schedule: [{weights}]\n")


ATTACKS = {
    "negative weight": (with_schedule("-1" + ", 1" * 11), 24, "targets[0].schedule", "non-negative"),
    "zero weights": (with_schedule("0" + ", 0" * 11), 24, "targets[0].schedule", "sum to zero"),
    "NaN weight": (with_schedule(".nan" + ", 1" * 11), 24, "targets[0].schedule", "non-negative"),
    "target 1e308": (BASE.replace("target: 353", "target: 1e308"), 23, "targets[0].target", "ceiling"),
    "target .nan": (BASE.replace("target: 353", "target: .nan"), 23, "targets[0].target", "not a finite"),
    "target .inf": (BASE.replace("target: 500", "target: .inf"), 35, "targets[2].target", "not a finite"),
    "negative stretch": (BASE.replace("stretch: 5000", "stretch: -5"), 29, "targets[1].stretch", "negative"),
    "allocation 1e13": (
        BASE.replace("hutou: 1000,", "hutou: 1e13,"),
        30,
        "targets[1].allocations.hutou",
        "ceiling",
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_absurd_plan_number_is_refused_with_file_line_and_yaml_path(tmp_path, name):
    text, line, path, words = ATTACKS[name]
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as exc:
        load_plan(f)
    [problem] = exc.value.problems
    assert (problem.file, problem.row, problem.field) == (str(f), line, path)
    assert words in problem.en and problem.zh


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_init_refuses_every_plan_that_plan_refuses_with_the_same_message(tmp_path, capsys, name):
    f = tmp_path / "plan.yaml"
    f.write_text(ATTACKS[name][0], encoding="utf-8")
    assert main(["plan", str(f)]) == 1
    said_by_plan = capsys.readouterr().err.strip()
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    said_by_init = capsys.readouterr().err.strip()
    assert said_by_init == said_by_plan and f"{f}:{ATTACKS[name][1]}: " in said_by_init
    assert not (tmp_path / "ws").exists()


def test_a_plan_check_error_refuses_init_with_the_message_plan_prints(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    f.write_text(BASE.replace("jiehu: 2000}", "nowhere: 2000}"), encoding="utf-8")
    assert main(["plan", str(f)]) == 1
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("[错误 / error] ")]
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    assert capsys.readouterr().err.strip() == line.removeprefix("[错误 / error] ")
    assert "allocation to unknown org 'nowhere'" in line and f"{f}:30: " in line
    assert not (tmp_path / "ws").exists()


def test_a_ceiling_in_settings_limits_admits_a_larger_figure_and_lowers_others():
    big = BASE.replace("target: 500", "target: 2e12") + "settings:\n  limits: {default: 1e13, 台: 300}\n"
    with pytest.raises(PlanError) as exc:
        parse_plan(big, "p.yaml")
    [problem] = exc.value.problems  # 2e12 万元 passes under 1e13; 353 台 is above 300 台
    assert problem.field == "targets[0].target" and "ceiling 300台" in problem.en
    plan = parse_plan(big.replace("台: 300", "台: 400"), "p.yaml")
    assert plan.target("tech_income").target == 2e12


def test_a_limit_that_is_no_positive_number_is_refused():
    with pytest.raises(PlanError) as exc:
        parse_plan(BASE + "settings:\n  limits: {万元: -1, furlongs: 5}\n", "p.yaml")
    fields = sorted(p.field for p in exc.value.problems)
    assert fields == ["settings.limits.furlongs", "settings.limits.万元"]


def test_the_largest_plausible_figure_is_accepted():
    plan = parse_plan(BASE.replace("target: 500", f"target: {planfile.DEFAULT_CEILING:.0f}"), "p.yaml")
    assert plan.target("tech_income").target == 1e12


def test_an_impossible_due_date_is_refused_with_its_line(tmp_path):
    text = BASE + "  - {id: m1, title: 节点, unit: '', kind: milestone, due: 2005-02-30}\n"
    with pytest.raises(PlanError) as exc:
        parse_plan(text, "p.yaml")
    line = (
        text.splitlines().index("  - {id: m1, title: 节点, unit: '', kind: milestone, due: 2005-02-30}") + 1
    )
    assert exc.value.row == line and "2005-02-30" in exc.value.en and "no such date" in exc.value.en


@pytest.mark.parametrize("text", ["x: " + "[" * 100_000, "x: " + "[" * 200 + "]" * 200])
def test_deeply_nested_lists_are_refused_not_a_recursion_error(text):
    with pytest.raises(PlanError, match="nested more than 64 levels"):
        parse_plan(text, "p.yaml")


def test_aliases_that_expand_to_a_billion_values_are_refused_at_once():
    text, prev = "a: &a [x, x, x, x, x, x, x, x, x]\n", "a"
    for i in range(1, 10):  # 9**10 values once expanded
        text += f"l{i}: &l{i} [{', '.join(['*' + prev] * 9)}]\n"
        prev = f"l{i}"
    nested = "".join("    " + line + "\n" for line in text.splitlines())
    with pytest.raises(PlanError, match="more than 1,000,000 values"):
        parse_plan(BASE + "settings:\n  x:\n" + nested, "p")


def test_an_alias_that_contains_itself_is_refused():
    with pytest.raises(PlanError, match="an alias refers to itself"):
        parse_plan(BASE + "settings: &s {again: *s}\n", "p.yaml")


def test_a_plan_without_orgs_is_refused_before_any_store_exists(tmp_path, capsys):
    text = re.sub(r"orgs:\n(  - .*\n)+", "orgs: []\n", BASE).replace(
        "    allocations: {hutou: 1000, jiehu: 2000}\n", ""
    )
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f}:10: orgs: 不能为空" in err and "constraint" not in err
    assert not (tmp_path / "ws").exists()


def test_a_50_mb_plan_is_refused_by_its_size_without_being_read(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    with f.open("w", encoding="utf-8") as out:
        out.write(BASE)
        out.write(("# " + "x" * 1022 + "\n") * 50 * 1024)
    assert f.stat().st_size > 50 * 2**20
    with pytest.raises(PlanError, match=r"too large \(50\.\d MB; the limit is 10 MB\)"):
        load_plan(f)
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    assert "计划文件过大" in capsys.readouterr().err


def test_a_key_given_twice_is_an_error_naming_both_lines():
    text = BASE.replace(TERMINALS, TERMINALS + "    target: 354\n")
    with pytest.raises(PlanError) as exc:
        parse_plan(text, "p.yaml")
    assert exc.value.row == 24 and "duplicate key 'target' (already on line 23)" in exc.value.en


def test_the_same_key_in_two_different_mappings_is_fine():
    plan = parse_plan(BASE, "p.yaml")  # every target has its own 'target' key
    assert len(plan.targets) == 5


def test_two_orgs_with_one_name_are_a_warning_of_the_plan_checks(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    f.write_text(BASE.replace("name: 界湖镇", "name: 湖头镇"), encoding="utf-8")
    plan, findings = accept_plan(f)
    [same] = [p for p in findings if p.field == "orgs[2].name"]
    assert same.level == "warning" and same.row == 13 and "hutou" in same.en and "ambiguous" in same.en
    assert main(["plan", str(f)]) == 0
    assert "[提示 / warning] " in capsys.readouterr().out
    assert [p.field for p in check_plan(load_plan(TINY), str(TINY))] == []


# ----- properties: arbitrary names and arbitrary text ---------------------------------------------

TINY_DATA = yaml.safe_load(BASE)


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=40))
def test_any_unicode_org_name_is_kept_verbatim_or_refused_as_a_plan_error(name):
    data = {**TINY_DATA, "orgs": [dict(o) for o in TINY_DATA["orgs"]]}
    data["orgs"][1]["name"] = name  # U+202E, emoji, NUL, lone surrogates' neighbours …
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return  # not representable in YAML at all
    try:
        plan = parse_plan(text, "p.yaml")
    except PlanError:
        return
    assert plan.org_name("hutou") == yaml.safe_load(text)["orgs"][1]["name"]
    check_plan(plan)  # the checks never raise either


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("[]{}:,- \n'\"&*!|>%@`#?abc1.e9") + ["\u202e", "中"])))
def test_arbitrary_text_is_a_plan_or_a_plan_error_never_another_exception(text):
    try:
        parse_plan(text, "p.yaml")
    except PlanError as exc:
        assert exc.problems and all(p.zh and p.en for p in exc.problems)


def test_a_device_or_a_folder_is_no_plan_file_and_is_not_read_forever(tmp_path):
    with pytest.raises(PlanError, match="not a regular file"):
        load_plan("/dev/zero")
    with pytest.raises(PlanError, match="a folder, not a plan file"):
        load_plan(tmp_path)
    (tmp_path / "gbk.yaml").write_bytes("plan: {title: 测试}".encode("gbk"))
    with pytest.raises(PlanError, match="must be UTF-8"):
        load_plan(tmp_path / "gbk.yaml")


@pytest.mark.parametrize(
    "text, said",
    [
        (BASE + "  - {id: m1, title: 节点, unit: '', kind: milestone, due: 2005-02-30}\n", "no such date"),
        (BASE + "x: " + "[" * 100_000, "nested more than 64 levels"),
        (BASE.replace(TERMINALS, TERMINALS + "    target: 354\n"), "duplicate key 'target'"),
    ],
)
def test_plan_and_init_say_the_same_about_a_plan_that_cannot_be_read(tmp_path, capsys, text, said):
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    assert main(["plan", str(f)]) == 1
    by_plan = capsys.readouterr().err
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    assert capsys.readouterr().err == by_plan and said in by_plan and by_plan.startswith(f"{f}:")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(
    "text, line, path, said",
    [
        (
            BASE.replace("parent: county}\n  - {id: jiehu", "parent: nowhere}\n  - {id: jiehu"),
            12,
            "orgs[1].parent",
            "org 'hutou': unknown parent 'nowhere'",
        ),
        (
            BASE.replace("{id: jiehu,", "{id: hutou,"),
            13,
            "orgs[2].id",
            "duplicate org id 'hutou' (already on line 12)",
        ),
        (
            BASE.replace("  - id: terminals\n", "  - id: ht_output\n"),
            19,
            "targets[0].id",
            "duplicate measure/target id 'ht_output' (already on line 16)",
        ),
    ],
)
def test_plan_and_init_name_the_line_of_a_reference_problem_not_line_1(
    tmp_path, capsys, text, line, path, said
):
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    assert main(["plan", str(f)]) == 1
    by_plan = capsys.readouterr().err
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 1
    assert capsys.readouterr().err == by_plan
    assert by_plan.startswith(f"{f}:{line}: {path}: ") and said in by_plan
    assert not (tmp_path / "ws").exists()


def test_a_plan_with_only_warnings_is_accepted_by_init_as_plan_exits_0(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    f.write_text(BASE.replace("jiehu: 2000}", "jiehu: 1999}"), encoding="utf-8")  # allocations 1 亩 short
    assert main(["plan", str(f)]) == 0
    out = capsys.readouterr().out
    assert "[提示 / warning]" in out and "[错误 / error]" not in out and f"{f}:30: " in out
    assert main(["init", str(tmp_path / "ws"), "--plan", str(f)]) == 0
    assert (tmp_path / "ws").exists()
