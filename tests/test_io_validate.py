"""Validating report rows and importing files whole or not at all (data/examples/tiny-plan.yaml)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from kejifu import config
from kejifu.errors import ReportImportError
from kejifu.io.importer import check_file, import_file, import_files
from kejifu.io.reading import read_table
from kejifu.io.validate import parse_month, validate, validate_table

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
HEADER = "单位,指标,月份,累计完成,计量单位,备注\n"


def check(tmp_path, plan, body, *, name="town.csv", existing=None):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return validate_table(read_table(path), plan, existing)


def only_error(checked):
    assert len(checked.errors) == 1, [str(p) for p in checked.problems]
    return checked.errors[0]


def assert_located(problem, tmp_path, line, field, *words):
    text = str(problem)
    assert text.startswith(f"{tmp_path / 'town.csv'}:{line}: {field}: "), text
    for w in words:
        assert w in text, text


# ----- clean rows --------------------------------------------------------------------------------


def test_names_instead_of_ids_map_to_the_plan_ids(tmp_path, tiny_plan):
    c = check(
        tmp_path,
        tiny_plan,
        "湖头镇,安装农村科技信息机,2005-06,180,,\nHutou,New edible-mushroom area,2005-06,10,,\n"
        "界湖,terminals,2005-06,3,,\n",
    )
    assert c.ok
    assert c.frame[["org", "measure"]].values.tolist() == [
        ["hutou", "terminals"],
        ["hutou", "mushroom_area"],
        ["jiehu", "terminals"],
    ]


def test_text_numbers_full_width_digits_thousands_and_units_in_cells_are_converted(tmp_path, tiny_plan):
    c = check(
        tmp_path,
        tiny_plan,
        "hutou,mushroom_area,2005-06,2.5万平方米,,\n"  # 25000 m² = 37.5 亩
        "jiehu,mushroom_area,2005-06,１，２００,,\n"  # full-width 1,200
        "hutou,tech_income,2005-06,1.2,亿元,\n"  # unit column: 12000 万元
        "jiehu,tech_income,2005-06,3000元,,\n",
    )  # 0.3 万元
    assert c.ok, [str(p) for p in c.problems]
    assert c.frame["value"].tolist() == [37.5, 1200.0, 12000.0, 0.3]
    assert set(c.frame["unit"]) == {"亩", "万元"}


def test_an_area_in_square_metres_is_converted_to_mu(tmp_path, tiny_plan):
    c = check(tmp_path, tiny_plan, "hutou,mushroom_area,2005-06,6667,平方米,\n")
    assert c.frame["value"].iloc[0] == pytest.approx(10.0005)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2005-06", (2005, 6)),
        ("2005/6", (2005, 6)),
        ("2005.06", (2005, 6)),
        ("2005年6月", (2005, 6)),
        ("200506", (2005, 6)),
        ("6月", (2005, 6)),
        ("６", (2005, 6)),
        (6, (2005, 6)),
        (200510, (2005, 10)),
        (dt.datetime(2005, 6, 15, 0, 0), (2005, 6)),
        (dt.date(2005, 12, 31), (2005, 12)),
        ("2005-06-30", (2005, 6)),
        ("2005-06-01 00:00:00", (2005, 6)),
        ("2005.10", (2005, 10)),
    ],
)
def test_months_are_read_in_the_forms_people_type(raw, expected):
    assert parse_month(raw, 2005) == expected


@pytest.mark.parametrize("raw", ["2005-13", "June", "2005", 2005.1, "", "13月", "05-2005"])
def test_malformed_months_are_refused(raw):
    with pytest.raises(ValueError):
        parse_month(raw, 2005)


def test_an_excel_date_in_the_month_column_is_that_month(tmp_path, tiny_plan):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "指标", "月份", "累计完成"])
    ws.append(["湖头镇", "terminals", dt.datetime(2005, 6, 1), 180])
    wb.save(tmp_path / "d.xlsx")
    c = validate_table(read_table(tmp_path / "d.xlsx"), tiny_plan)
    assert c.frame["month"].tolist() == ["2005-06"] and c.frame["value"].tolist() == [180.0]


# ----- every per-row rule, located ---------------------------------------------------------------


def test_an_unknown_org_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,terminals,2005-06,1,,\n东风镇,terminals,2005-06,1,,\n"))
    assert_located(p, tmp_path, 3, "单位", "东风镇", "unknown org")


def test_an_unknown_measure_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,修路里程,2005-06,1,,\n"))
    assert_located(p, tmp_path, 2, "指标", "修路里程", "unknown measure")


def test_a_malformed_month_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,terminals,2005-13,1,,\n"))
    assert_located(p, tmp_path, 2, "月份", "2005-13", "malformed month")


def test_a_month_outside_the_plan_year_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,terminals,2004-12,1,,\n"))
    assert_located(p, tmp_path, 2, "月份", "2004-12", "outside the plan year 2005")


@pytest.mark.parametrize(
    "value, words",
    [
        ("很多", ("很多", "not a number")),
        ("-5", ("不能为负", "negative")),
        ("nan", ("nan", "not a number")),
        ("inf", ("inf", "not a number")),
        ("1e400", ("1e400", "not a finite number")),
    ],
)
def test_non_numeric_negative_and_non_finite_values_are_located(tmp_path, tiny_plan, value, words):
    p = only_error(check(tmp_path, tiny_plan, f"hutou,tech_income,2005-06,{value},,\n"))
    assert_located(p, tmp_path, 2, "累计完成", *words)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinite_cell_values_are_not_finite(tiny_plan, value):
    from kejifu.io.reading import RawRow, RawTable

    table = RawTable(
        "x.xlsx",
        1,
        {},
        {"value": "累计完成"},
        [RawRow(2, {"org": "hutou", "measure": "tech_income", "month": "2005-06", "value": value})],
    )
    c = validate_table(table, tiny_plan)
    assert (
        len(c.errors) == 1
        and str(c.errors[0]).startswith("x.xlsx:2: 累计完成: ")
        and "finite" in c.errors[0].en
    )


def test_a_fractional_count_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,terminals,2005-06,12.5,,\n"))
    assert_located(p, tmp_path, 2, "累计完成", "整数", "whole")


def test_a_unit_of_the_wrong_kind_is_located_in_the_column_that_carries_it(tmp_path, tiny_plan):
    c = check(
        tmp_path, tiny_plan, "hutou,tech_income,2005-06,300亩,,\nhutou,mushroom_area,2005-06,30,万元,\n"
    )
    first, second = c.errors
    assert_located(first, tmp_path, 2, "累计完成", "亩", "area", "money")
    assert_located(second, tmp_path, 3, "计量单位", "万元", "money", "area")


def test_an_unknown_unit_is_located(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,tech_income,2005-06,3,斤,\n"))
    assert_located(p, tmp_path, 2, "计量单位", "斤")


def test_conflicting_duplicate_rows_are_an_error_naming_both_lines(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,terminals,2005-06,10,,\nhutou,terminals,2005-06,12,,\n"))
    assert_located(p, tmp_path, 3, "累计完成", "第2行", "line 2", "10", "12")


def test_equal_duplicate_rows_are_a_warning_and_counted_once(tmp_path, tiny_plan):
    c = check(tmp_path, tiny_plan, "hutou,terminals,2005-06,10,,\n湖头镇,安装农村科技信息机,2005-6,10台,,\n")
    assert c.ok and len(c.frame) == 1
    assert c.warnings[0].row == 3 and "line 2" in c.warnings[0].en


def test_a_share_numerator_above_its_denominator_is_compared_after_unit_conversion(tmp_path, tiny_plan):
    # ht_output is in 万元, industrial_output in 亿元: 3000万元 < 0.4亿元 is fine, 5000万元 > 0.4亿元 is not
    ok = check(tmp_path, tiny_plan, "ent_a,ht_output,2005-06,3000,,\nent_a,industrial_output,2005-06,0.4,,\n")
    assert ok.ok
    p = only_error(
        check(tmp_path, tiny_plan, "ent_a,ht_output,2005-06,5000,,\nent_a,industrial_output,2005-06,0.4,,\n")
    )
    assert_located(p, tmp_path, 2, "累计完成", "5,000万元", "0.4亿元", "line 3")


def test_a_row_for_a_register_target_is_refused(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "hutou,申请专利,2005-06,3,,\n"))
    assert_located(p, tmp_path, 2, "指标", "台帐", "register")


def test_a_row_for_a_share_target_asks_for_numerator_and_denominator(tmp_path, tiny_plan):
    p = only_error(check(tmp_path, tiny_plan, "ent_a,ht_share,2005-06,31,,\n"))
    assert_located(p, tmp_path, 2, "指标", "ht_output", "industrial_output")


def test_a_falling_cumulative_value_is_a_warning_unless_noted(tmp_path, tiny_plan):
    c = check(tmp_path, tiny_plan, "hutou,terminals,2005-05,20,,\nhutou,terminals,2005-06,18,,\n")
    assert c.ok and len(c.warnings) == 1
    assert_located(c.warnings[0], tmp_path, 3, "累计完成", "2005-05", "below")
    noted = check(tmp_path, tiny_plan, "hutou,terminals,2005-05,20,,\nhutou,terminals,2005-06,18,,拆除2台\n")
    assert noted.ok and noted.warnings == []


def test_a_value_below_the_stored_earlier_month_is_a_warning(tmp_path, tiny_plan):
    stored = pd.DataFrame({"org": ["hutou"], "measure": ["terminals"], "month": ["2005-05"], "value": [20.0]})
    c = check(tmp_path, tiny_plan, "hutou,terminals,2005-06,18,,\n", existing=stored)
    assert c.ok and "20台" in c.warnings[0].zh and c.warnings[0].row == 2
    higher = check(tmp_path, tiny_plan, "hutou,terminals,2005-06,21,,\n", existing=stored)
    assert higher.warnings == []


def test_every_problem_is_collected_not_just_the_first(tmp_path, tiny_plan):
    c = check(
        tmp_path,
        tiny_plan,
        "东风镇,terminals,2005-06,1,,\nhutou,terminals,2005-13,1,,\nhutou,terminals,2005-06,x,,\n",
    )
    assert [p.row for p in c.errors] == [2, 3, 4]
    with pytest.raises(ReportImportError) as err:
        validate(read_table(tmp_path / "town.csv"), tiny_plan)
    assert len(err.value.problems) == 3


def test_a_blank_value_cell_skips_the_row_with_a_warning(tmp_path, tiny_plan):
    c = check(tmp_path, tiny_plan, "hutou,terminals,2005-06,,,\nhutou,mushroom_area,2005-06,5,,\n")
    assert c.ok and c.frame["measure"].tolist() == ["mushroom_area"]
    assert c.warnings[0].row == 2


def test_a_file_whose_only_rows_are_blank_values_has_no_data(tmp_path, tiny_plan):
    c = check(tmp_path, tiny_plan, "hutou,terminals,2005-06,,,\n")
    assert not c.ok and "没有数据行" in c.errors[0].zh


# ----- importing whole files into a store ---------------------------------------------------------


@pytest.fixture()
def store(tmp_path):
    from kejifu.store import Store

    s = Store.create(tmp_path / "ws", TINY)
    yield s
    s.close()


def test_a_file_with_one_bad_row_among_good_ones_is_refused_whole_and_the_store_is_unchanged(tmp_path, store):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "hutou,terminals,2005-05,100,,\n", encoding="utf-8")
    assert import_file(store, good, who="tester").ok
    before = store.reports()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "hutou,terminals,2005-06,180,,\njiehu,terminals,2005-06,80,,\n"
        "jiehu,mushroom_area,2005-06,三百,,\n",
        encoding="utf-8",
    )
    outcome = import_file(store, bad, who="tester")
    assert not outcome.ok
    assert [str(p).split(": ")[0] for p in outcome.errors] == [f"{bad}:4"]
    pd.testing.assert_frame_equal(store.reports(), before)
    assert len(store.batches()) == 1


def test_an_imported_file_lands_in_the_store_with_its_hash_and_who(tmp_path, store):
    f = tmp_path / "hutou-06.csv"
    f.write_text(
        HEADER + "湖头镇,安装农村科技信息机,2005-06,180,,\n湖头镇,新发展优质食用菌面积,2005-06,3万平方米,,\n",
        encoding="utf-8",
    )
    outcome = import_file(store, f, who="王科员")
    assert outcome.ok and outcome.result.rows_added == 2
    reports = store.reports().set_index("measure")
    assert reports.loc["mushroom_area", "value"] == 45.0  # 30000 m² = 45 亩
    assert reports.loc["terminals", "imported_by"] == "王科员"
    import hashlib

    assert store.batches()["sha256"].tolist() == [hashlib.sha256(f.read_bytes()).hexdigest()]


def test_importing_the_same_file_twice_adds_nothing(tmp_path, store):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "hutou,terminals,2005-06,180,,\n", encoding="utf-8")
    import_file(store, f)
    again = import_file(store, f)
    assert again.ok and again.result.duplicate_file and again.result.rows_added == 0
    assert len(store.reports()) == 1


def test_a_gbk_csv_imports(tmp_path, store):
    f = tmp_path / "gbk.csv"
    f.write_bytes((HEADER + "湖头镇,安装农村科技信息机,2005-06,180,台,老系统导出\n").encode("gbk"))
    outcome = import_file(store, f)
    assert outcome.ok
    assert store.reports()[["org", "measure", "value", "note"]].values.tolist() == [
        ["hutou", "terminals", 180.0, "老系统导出"]
    ]


def test_several_files_are_each_all_or_nothing(tmp_path, store):
    paths = []
    for i, body in enumerate(
        [
            "hutou,terminals,2005-06,1,,\n",
            "hutou,terminals,2005-06,x,,\n",
            "jiehu,terminals,2005-06,2,,\n",
            "jiehu,mushroom_area,2005-06,3,,\n",
        ]
    ):
        paths.append(tmp_path / f"f{i}.csv")
        paths[-1].write_text(HEADER + body, encoding="utf-8")
    outcomes = import_files(store, paths, progress=False)
    assert [o.ok for o in outcomes] == [True, False, True, True]
    assert sorted(store.reports()["org"] + ":" + store.reports()["measure"]) == [
        "hutou:terminals",
        "jiehu:mushroom_area",
        "jiehu:terminals",
    ]


def test_the_stored_months_feed_the_falling_value_warning_on_import(tmp_path, store):
    (tmp_path / "may.csv").write_text(HEADER + "hutou,terminals,2005-05,20,,\n", encoding="utf-8")
    (tmp_path / "jun.csv").write_text(HEADER + "hutou,terminals,2005-06,18,,\n", encoding="utf-8")
    import_file(store, tmp_path / "may.csv")
    outcome = import_file(store, tmp_path / "jun.csv")
    assert outcome.ok and len(outcome.warnings) == 1 and "2005-05" in outcome.warnings[0].en


def test_check_file_validates_without_a_store(tmp_path, tiny_plan):
    (tmp_path / "r.csv").write_text(HEADER + "hutou,terminals,2005-06,180,,\n", encoding="utf-8")
    checked, digest = check_file(tmp_path / "r.csv", tiny_plan)
    assert checked.ok and len(digest) == 64


def test_the_bundled_example_files_import_into_the_2005_plan(tmp_path):
    from kejifu.store import Store

    examples = config.data_dir() / "examples"
    with Store.create(tmp_path / "ws", config.demo_plan()) as s:
        messy = import_file(s, examples / "hutou-2005-06-messy.xlsx")
        assert messy.ok and [p.row for p in messy.warnings] == [10]  # the 合计 row
        gbk = import_file(s, examples / "enterprises-2005-06-gbk.csv")
        assert gbk.ok and gbk.result.rows_added == 6
        blank = import_file(s, examples / "hutou-2005-06-template.xlsx")
        assert not blank.ok  # an unfilled template has no data
        r = s.reports().set_index(["org", "measure"])["value"]
    assert r[("hutou", "mushroom_area")] == 120.0  # ８万平方米 = 120 亩
    assert r[("hutou", "new_varieties")] == 3.0  # full-width text '３'
    assert r[("ent_a", "industrial_output")] == 3.2  # 32000万元 = 3.2 亿元


# ----- a province file: each distinct cell resolved once -----------------------------------------


def test_a_name_repeated_on_many_rows_is_refused_on_each_of_its_lines(tmp_path, tiny_plan):
    """Cells are resolved once per distinct text: a repeated unknown org is still located on every line."""
    body = "东风镇,terminals,2005-06,1,,\nhutou,terminals,2005-06,1,,\n东风镇,mushroom_area,2005-06,2,,\n"
    c = check(tmp_path, tiny_plan, body + "东风镇,terminals,2005-05,1,,\n")
    assert [p.row for p in c.errors] == [2, 4, 5]
    assert all("东风镇" in str(p) and "unknown org" in str(p) for p in c.errors)


@pytest.mark.parametrize("text", ["0", "7", "1234", "56.25", "0.1", "0.3", "00012.50", "123456789012345678"])
def test_a_plain_number_is_read_as_the_unit_parser_reads_it(text):
    from kejifu import units
    from kejifu.io.validate import _quantity

    assert _quantity(text) == units.parse_quantity(text)
    assert _quantity(text).value == float(text)


def test_plain_numbers_in_a_csv_keep_their_exact_values_and_units(tmp_path, tiny_plan):
    c = check(
        tmp_path, tiny_plan, "hutou,mushroom_area,2005-06,0.1,,\njiehu,mushroom_area,2005-06,2.5万平方米,,\n"
    )
    assert c.ok, [str(p) for p in c.problems]
    # 0.1 亩 as written; 25,000 m² = 25,000 × 15 / 10,000 亩 = 37.5 亩
    assert c.frame["value"].tolist() == [0.1, 37.5]
