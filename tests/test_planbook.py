"""The plan as a workbook (kejifu.io.planbook / planbook_read): yaml → xlsx → yaml gives the same
plan, the workbook is one a planner can edit, and every message of the import names its cell."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejifu import schedule as schedule_mod
from kejifu.errors import PlanError
from kejifu.io.planbook import flatten, plan_yaml, write_planbook
from kejifu.io.planbook_read import import_planbook, read_planbook
from kejifu.plan import Plan, parse_plan

NAME = "目标分解表.xlsx"


def normal(plan: Plan) -> dict:
    """A plan as plain data (what a round trip must keep)."""
    return plan.model_dump(mode="json", by_alias=True)


@pytest.fixture()
def book(tmp_path, demo_plan) -> Path:
    return write_planbook(demo_plan, tmp_path / NAME)


def _row_of(ws, target_id: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == target_id)


def _col_of(ws, key: str) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(row=2, column=c).value == key)


def _edit(path: Path, sheet: str, edit) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb[sheet])
    wb.save(path)
    return path


# ----- the round trip ---------------------------------------------------------------------------


def test_the_2005_plan_comes_back_from_its_workbook_unchanged(book, demo_plan):
    plan, findings = import_planbook(book)
    assert normal(plan) == normal(demo_plan)
    assert plan == demo_plan
    # the same findings as `kejifu plan` on the YAML: the acknowledged points note and two pending notes
    assert sorted(f.field for f in findings) == [
        "targets[6].target_points",
        "targets[7].pending",
        "targets[8].pending",
    ]
    assert all(f.level == "note" for f in findings)


def test_the_yaml_written_from_the_workbook_loads_to_the_same_plan(book, demo_plan):
    plan, _ = import_planbook(book)
    text = plan_yaml(plan, "由 目标分解表.xlsx 导入 / imported")
    assert text.startswith("# 由 目标分解表.xlsx 导入")
    assert parse_plan(text) == demo_plan


# ----- what the planner sees --------------------------------------------------------------------


def test_the_workbook_has_the_sheets_chinese_headers_with_keys_and_frozen_panes(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:6] == ["说明", "指标", "分解", "单位", "统计项", "设置"]
    assert wb["选项"].sheet_state == "hidden"
    targets = wb["指标"]
    assert [targets.cell(row=1, column=c).value for c in (1, 7, 8, 9)] == [
        "指标编号",
        "基数",
        "确保目标",
        "力争目标",
    ]
    assert [targets.cell(row=2, column=c).value for c in (1, 7, 8, 9)] == [
        "id",
        "baseline",
        "target",
        "stretch",
    ]
    assert targets.freeze_panes == "C3"
    assert targets.column_dimensions["B"].width == 30
    keys = {targets.cell(row=2, column=c).value for c in range(1, targets.max_column + 1)}
    from kejifu.plan import Target

    # every target field has a column (allocations have their own sheet)
    assert keys | {"allocations"} == {f.alias or name for name, f in Target.model_fields.items()}
    orgs = wb["单位"]
    assert [orgs.cell(row=2, column=c).value for c in range(1, 6)] == [
        "id",
        "name",
        "name_en",
        "kind",
        "parent",
    ]
    hutou = _row_of(orgs, "hutou")
    assert orgs.cell(row=hutou, column=5).value == "yinan"


def test_kinds_units_and_schedules_have_drop_downs(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["指标"]
    lists = wb["选项"]
    options = {
        lists.cell(row=1, column=c).value: [
            lists.cell(row=r, column=c).value
            for r in range(2, lists.max_row + 1)
            if lists.cell(row=r, column=c).value
        ]
        for c in range(1, lists.max_column + 1)
    }
    assert options["kind"] == ["cumulative", "share", "level", "milestone"]
    assert options["schedule"] == list(schedule_mod.PROFILES)
    assert "亩" in options["unit"] and "%" in options["unit"]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[rng.min_col] = dv.formula1
    for key in ("kind", "unit", "schedule"):
        col = _col_of(ws, key)
        letter = openpyxl.utils.get_column_letter(list(options).index(key) + 1)
        assert by_column[col] == f"'选项'!${letter}$2:${letter}${len(options[key]) + 1}"


def test_the_allocation_sheet_has_a_total_formula_and_a_check_against_the_county_figure(book, demo_plan):
    ws = openpyxl.load_workbook(book)["分解"]
    header = [ws.cell(row=2, column=c).value for c in range(1, ws.max_column + 1)]
    assert header[:4] == ["id", "title", "unit", "county"] and header[-2:] == ["total", "check"]
    assert ws.cell(row=1, column=header.index("hutou") + 1).value == "湖头镇"
    r = _row_of(ws, "mushroom_area")
    assert ws.cell(row=r, column=header.index("hutou") + 1).value == 250
    first = openpyxl.utils.get_column_letter(5)
    last = openpyxl.utils.get_column_letter(len(header) - 2)
    total = ws.cell(row=r, column=len(header) - 1).value
    assert total == f'=IF(COUNT({first}{r}:{last}{r})=0,"",SUM({first}{r}:{last}{r}))'
    check = ws.cell(row=r, column=len(header)).value
    assert check.startswith("=IF(") and f"D{r}" in check and "相符" in check
    # the county figure is looked up from the targets sheet, so an edit there shows here
    assert "'指标'!$H:$H" in ws.cell(row=r, column=4).value
    # a share's per-org levels are not summed
    share = _row_of(ws, "rd_intensity_ht")
    assert ws.cell(row=share, column=len(header) - 1).value is None


def test_text_that_looks_like_a_formula_is_written_as_text_and_read_back_as_written(tmp_path, demo_plan):
    targets = list(demo_plan.targets)
    targets[0] = targets[0].model_copy(update={"title": "=HYPERLINK(1)", "note": "'=x"})
    plan = demo_plan.model_copy(update={"targets": targets})
    path = write_planbook(plan, tmp_path / NAME)
    ws = openpyxl.load_workbook(path)["指标"]
    assert ws.cell(row=3, column=2).value == "'=HYPERLINK(1)"
    assert ws.cell(row=3, column=2).data_type == "s"
    back, _ = import_planbook(path)
    assert back.targets[0].title == "=HYPERLINK(1)" and back.targets[0].note == "'=x"


def test_every_town_and_enterprise_has_an_allocation_column_even_under_a_root_county(tmp_path, tiny_plan):
    path = write_planbook(tiny_plan, tmp_path / NAME)
    ws = openpyxl.load_workbook(path)["分解"]
    keys = [ws.cell(row=2, column=c).value for c in range(1, ws.max_column + 1)]
    assert keys == ["id", "title", "unit", "county", "hutou", "jiehu", "ent_a", "total", "check"]
    assert import_planbook(path)[0] == tiny_plan


def test_a_plan_with_more_orgs_than_a_sheet_may_have_columns_is_refused_at_export(
    tmp_path, tiny_plan, monkeypatch
):
    from kejifu.io import reading

    monkeypatch.setattr(reading, "MAX_COLS", 8)  # 4 lead columns + 3 orgs + total + check = 9
    with pytest.raises(PlanError) as exc:
        write_planbook(tiny_plan, tmp_path / NAME)
    assert "3个单位列" in exc.value.zh and "3 org columns" in exc.value.en
    assert not (tmp_path / NAME).exists()


def test_a_new_countys_plan_is_written_from_a_blank_workbook_and_imported(tmp_path):
    from kejifu.io.planbook import blank_plan

    path = write_planbook(blank_plan(2006), tmp_path / NAME)
    wb = openpyxl.load_workbook(path)
    settings_ = wb["设置"]
    for r in range(3, settings_.max_row + 1):
        key = settings_.cell(row=r, column=1).value
        if key in ("plan.title", "plan.region"):
            settings_.cell(row=r, column=2).value = {
                "plan.title": "蒙阴县2006年科技工作目标",
                "plan.region": "蒙阴县",
            }[key]
    orgs = wb["单位"]
    orgs.append(["mengyin", "蒙阴县", None, "county"])  # the placeholder county stays above: rename it
    orgs.delete_rows(3)
    orgs.append(["changlu", "常路镇", None, "town", "mengyin"])
    orgs.append(["daizhuang", "岱崮镇", None, "town", "mengyin"])
    wb["统计项"].append(["ht", "高新技术企业产值", None, "亿元"])
    wb["统计项"].append(["ind", "规模以上工业产值", None, "亿元"])
    targets = wb["指标"]
    keys = [targets.cell(row=2, column=c).value for c in range(1, targets.max_column + 1)]

    def row(**values):
        targets.append([values.get(k) for k in keys])

    row(
        id="terminals",
        title="安装信息机",
        unit="台",
        kind="cumulative",
        target=120,
        stretch=150,
        schedule="linear",
    )
    row(
        id="share",
        title="高新技术产值比重",
        unit="%",
        kind="比重",
        numerator="ht",
        denominator="ind",
        baseline=20,
        target=22,
    )
    row(id="plan2010", title="制定“十一五”规划", unit="项", kind="milestone", due=dt.date(2006, 6, 30))
    alloc = wb["分解"]
    alloc.cell(row=2, column=7).value = "changlu"
    alloc.cell(row=2, column=8).value = "daizhuang"
    alloc.append(["terminals", None, None, None, None, None, 70, 50])
    wb.save(path)
    plan, findings = import_planbook(path, name=NAME)
    assert (
        plan.plan.region == "蒙阴县"
        and plan.year == 2006
        and [o.id for o in plan.towns()] == ["changlu", "daizhuang"]
    )
    assert plan.target("terminals").allocations == {"changlu": 70, "daizhuang": 50}
    assert plan.target("share").kind == "share" and plan.target("plan2010").due == dt.date(2006, 6, 30)
    assert not [f for f in findings if f.level != "note"], findings


# ----- edits and their messages -----------------------------------------------------------------


def test_an_edited_target_and_allocation_are_read_back(book):
    def edit_targets(ws):
        r = _row_of(ws, "mushroom_area")
        ws.cell(row=r, column=_col_of(ws, "target")).value = 3500
        ws.cell(row=r, column=_col_of(ws, "kind")).value = "累计"  # a Chinese word for the kind

    def edit_allocations(ws):
        r = _row_of(ws, "mushroom_area")
        ws.cell(row=r, column=_col_of(ws, "hutou")).value = 750

    _edit(book, "指标", edit_targets)
    _edit(book, "分解", edit_allocations)
    plan, findings = import_planbook(book)
    tg = plan.target("mushroom_area")
    assert tg.target == 3500 and tg.allocations["hutou"] == 750 and tg.kind == "cumulative"
    # 3000 − 250 + 750 = 3500: the allocations add up, so no allocation finding
    assert not [f for f in findings if f.field == "targets[1].allocations"]


def test_a_bad_value_is_refused_with_file_sheet_and_cell_in_both_languages(book):
    def edit(ws):
        ws.cell(row=_row_of(ws, "mushroom_area"), column=_col_of(ws, "target")).value = "1.5.3"

    _edit(book, "指标", edit)
    with pytest.raises(PlanError) as exc:
        import_planbook(book, name=NAME)
    text = str(exc.value)
    assert f"{NAME}:指标!H4: targets[1].target" in text
    problem = exc.value.problems[0]
    assert problem.row == "指标!H4" and problem.zh and problem.en and problem.zh != problem.en


def test_allocations_that_do_not_add_up_are_a_warning_at_the_check_cell(book):
    def edit(ws):
        ws.cell(row=_row_of(ws, "mushroom_area"), column=_col_of(ws, "hutou")).value = 350

    _edit(book, "分解", edit)
    _, findings = import_planbook(book, name=NAME)
    found = next(f for f in findings if f.field == "targets[1].allocations")
    ws = openpyxl.load_workbook(book)["分解"]
    check = openpyxl.utils.get_column_letter(_col_of(ws, "check"))
    assert found.level == "warning" and found.row == f"分解!{check}4"
    assert "3,100亩" in found.zh and "100亩" in found.zh


def test_an_allocation_to_an_org_not_in_the_plan_is_an_error_at_its_cell(book):
    def edit(ws):
        col = ws.max_column + 1
        ws.cell(row=1, column=col).value = "某镇"
        ws.cell(row=2, column=col).value = "nowhere"
        ws.cell(row=_row_of(ws, "terminals"), column=col).value = 5

    _edit(book, "分解", edit)
    with pytest.raises(PlanError) as exc:
        import_planbook(book, name=NAME)
    bad = next(p for p in exc.value.problems if "nowhere" in p.en)
    col = openpyxl.utils.get_column_letter(openpyxl.load_workbook(book)["分解"].max_column)
    assert bad.row == f"分解!{col}16" and bad.field == "targets[13].allocations.nowhere"


def test_an_unknown_parent_is_located_at_the_org_row(book):
    def edit(ws):
        ws.cell(row=_row_of(ws, "hutou"), column=5).value = "atlantis"

    _edit(book, "单位", edit)
    with pytest.raises(PlanError) as exc:
        import_planbook(book, name=NAME)
    assert any(p.row and p.row.startswith("单位!") and "atlantis" in p.en for p in exc.value.problems)


def test_a_formula_without_a_value_and_a_bad_date_are_refused_at_their_cells(book):
    def edit(ws):
        ws.cell(row=_row_of(ws, "new_varieties"), column=_col_of(ws, "target")).value = "=10+10"
        ws.cell(row=_row_of(ws, "five_year_plan"), column=_col_of(ws, "due")).value = "2005-02-30"

    _edit(book, "指标", edit)
    with pytest.raises(PlanError) as exc:
        import_planbook(book, name=NAME)
    rows = {p.row: p for p in exc.value.problems}
    assert "公式" in rows["指标!H3"].zh and "formula" in rows["指标!H3"].en
    due = openpyxl.utils.get_column_letter(13)
    assert f"指标!{due}22" in rows and "2005-02-30" in rows[f"指标!{due}22"].zh


def test_an_unknown_column_is_a_warning_and_a_missing_sheet_an_error(book):
    def edit(ws):
        ws.cell(row=1, column=ws.max_column + 1).value = "负责人"

    _edit(book, "指标", edit)
    sheets = read_planbook(book, name=NAME)
    warn = [p for p in sheets.problems if p.level == "warning"]
    assert len(warn) == 1 and "负责人" in warn[0].zh and warn[0].row.startswith("指标!")
    wb = openpyxl.load_workbook(book)
    del wb["单位"]
    wb.save(book)
    with pytest.raises(PlanError) as exc:
        import_planbook(book, name=NAME)
    assert any("单位" in p.zh and p.row == "单位" for p in exc.value.problems)


def test_nested_settings_become_dotted_keys_and_lists_stay_one_value():
    rows = dict(flatten({"settings": {"a": {"b": 1, "c": [1, 2]}, "f": {}}, "g": {"d.e": {"x": 1}}}))
    # a mapping with a dotted key (or an empty one) stays one value: its keys could not be told apart
    assert rows == {"settings.a.b": 1, "settings.a.c": [1, 2], "settings.f": {}, "g": {"d.e": {"x": 1}}}


# ----- property: generated plans come back unchanged ---------------------------------------------

WORDS = (
    st.text(alphabet="甲乙丙丁镇县科技 abcXYZ019（）-=+:'[{~", min_size=1, max_size=10)
    .map(str.strip)
    .filter(bool)
)
IDS = st.text(alphabet="abcdefghij_0123456789", min_size=1, max_size=6)
AMOUNTS = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(float),
    st.integers(min_value=0, max_value=10**8).map(lambda n: n / 100),
)
WHOLE = st.integers(min_value=0, max_value=10**7).map(float)
WEIGHTS = st.lists(st.integers(min_value=1, max_value=50).map(lambda n: n / 7), min_size=12, max_size=12)
SETTING_VALUES = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    st.booleans(),
    WORDS,
    st.lists(st.integers(min_value=0, max_value=9), max_size=3),
    st.none(),
)


@st.composite
def plans(draw) -> dict:
    year = draw(st.integers(min_value=2000, max_value=2030))
    ids = draw(st.lists(IDS, min_size=4, max_size=12, unique=True))
    towns = ids[: draw(st.integers(min_value=1, max_value=3))]
    measures = ids[len(towns) : len(towns) + 2]
    target_ids = ids[len(towns) + 2 :]
    orgs = [{"id": "county", "name": draw(WORDS), "kind": "county"}]
    orgs += [{"id": o, "name": draw(WORDS), "kind": "town", "parent": "county"} for o in towns]
    if draw(st.booleans()):
        orgs.append(
            {"id": "ent", "name": draw(WORDS), "kind": "enterprise", "parent": towns[0], "name_en": "E"}
        )
    unit = draw(st.sampled_from(["亿元", "万元"]))
    data: dict = {
        "plan": {"id": draw(WORDS), "title": draw(WORDS), "region": draw(WORDS), "year": year},
        "orgs": orgs,
        "measures": [{"id": m, "title": draw(WORDS), "unit": unit} for m in measures],
        "targets": [],
    }
    if draw(st.booleans()):
        data["plan"]["groups"] = {"g1": {"zh": draw(WORDS), "en": "G"}}
        data["plan"]["bands"] = {"behind": draw(st.sampled_from([0.8, 0.85, 0.9]))}
    for tid in target_ids:
        kind = draw(st.sampled_from(["cumulative", "share", "level", "milestone"]))
        tg: dict = {"id": tid, "title": draw(WORDS), "kind": kind}
        if draw(st.booleans()):
            tg["title_en"] = draw(WORDS)
        if draw(st.booleans()):
            tg["note"] = draw(WORDS)
        if kind == "milestone":
            tg.update(unit="项", due=dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28))))
            if draw(st.booleans()):
                tg["owner"] = draw(st.sampled_from(towns))
        else:
            tg["unit"] = "%" if kind == "share" else draw(st.sampled_from(["亩", "台", "万元", "项"]))
            count = tg["unit"] in ("台", "项")
            target = draw(WHOLE if count else AMOUNTS)
            if kind != "cumulative":
                target = draw(st.integers(min_value=1, max_value=100)).__float__()
            if draw(st.integers(0, 5)) == 0:
                tg["pending"] = draw(st.one_of(st.just(True), WORDS.map(lambda w: "待定" + w)))
            else:
                tg["target"] = target
                if draw(st.booleans()):
                    tg["stretch"] = target + draw(st.integers(min_value=0, max_value=100))
            if draw(st.booleans()):
                tg["schedule"] = draw(st.one_of(st.sampled_from(list(schedule_mod.PROFILES)), WEIGHTS))
            if kind == "share":
                tg.update(numerator=measures[0], denominator=measures[1])
            if kind in ("share", "level"):
                if "target" in tg and draw(st.booleans()):
                    tg["baseline"] = max(0.0, target - draw(st.integers(min_value=0, max_value=5)))
                    tg["target_points"] = float(target - tg["baseline"])
                    tg["acknowledge"] = [{"check": "target_points", "reason": draw(WORDS)}]
                if draw(st.booleans()):
                    tg["each"] = True
                if kind == "level":
                    tg["aggregate"] = draw(st.sampled_from(["sum", "mean", "max", "min"]))
            elif draw(st.booleans()):
                tg["baseline"] = draw(AMOUNTS)
                tg["baseline_note"] = draw(WORDS)
            if kind == "cumulative" and draw(st.booleans()):
                tg["source"] = "register"
            alloc = draw(st.lists(st.sampled_from(towns), unique=True, max_size=len(towns)))
            tg["allocations"] = {
                o: draw(st.one_of(WHOLE if count else AMOUNTS, st.integers(0, 999))) for o in alloc
            }
            if alloc and kind == "cumulative" and draw(st.booleans()):
                tg["allocations"][alloc[0]] = f"{draw(st.integers(1, 99))}{tg['unit']}"
        data["targets"].append(tg)
    if draw(st.booleans()):
        data["settings"] = {
            "ranking": {"cap": draw(st.sampled_from([1.2, 1.5]))},
            "extra": {k: draw(SETTING_VALUES) for k in draw(st.lists(IDS, max_size=3, unique=True))},
        }
    if draw(st.booleans()):
        data["assessment"] = {"title": draw(WORDS), "orgs": ["town"], "rule": {"cap": 1.2}}
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plans())
def test_a_generated_plan_comes_back_from_its_workbook_unchanged(data):
    plan = Plan.model_validate(data)
    with tempfile.TemporaryDirectory() as folder:
        path = write_planbook(plan, Path(folder) / NAME)
        back, _ = import_planbook(path)
    assert normal(back) == normal(plan)
    assert parse_plan(plan_yaml(back)) == plan
