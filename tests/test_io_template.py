"""The fill-in template: what a town clerk receives, and that a filled one imports unchanged."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from kejifu import config
from kejifu.errors import UsageError
from kejifu.io.importer import check_file
from kejifu.io.template import HEADER_ROW, make_template, template_rows, write_template
from kejifu.plan import parse_plan

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
REPORTS = pd.DataFrame(
    {
        "org": ["hutou", "hutou", "hutou", "jiehu"],
        "measure": ["mushroom_area", "mushroom_area", "tech_income", "mushroom_area"],
        "month": ["2005-04", "2005-05", "2005-05", "2005-05"],
        "value": [100.0, 240.0, 12.0, 999.0],
    }
)


def test_a_town_gets_its_allocated_targets_and_what_it_reported_before(tiny_plan):
    rows = template_rows(tiny_plan, "hutou", "2005-06", REPORTS)
    assert rows["measure"].tolist() == ["mushroom_area", "tech_income"]
    assert rows["allocation"].tolist()[0] == 1000.0 and pd.isna(rows["allocation"].tolist()[1])
    assert rows["last_month"].tolist() == [240.0, 12.0]  # May, not April, and not jiehu's


def test_register_targets_are_never_in_a_template(tiny_plan):
    rows = template_rows(tiny_plan, "county", "2005-06")
    assert "patents" not in rows["measure"].tolist()
    assert set(rows["measure"]) == set(
        tiny_plan.reportable()
    )  # nothing allocated or reported: everything reportable


def test_january_has_no_last_month(tiny_plan):
    assert template_rows(tiny_plan, "hutou", "2005-01", REPORTS)["last_month"].isna().all()


def test_the_workbook_has_title_rows_a_locked_header_and_unlocked_input_cells(tiny_plan):
    wb = make_template(tiny_plan, "湖头镇", "2005-06", REPORTS)
    ws = wb.active
    assert "测试县2005年科技目标" in ws["A1"].value and "示例数据" in ws["A1"].value
    assert "湖头镇" in ws["A2"].value and "2005-06" in ws["A2"].value
    assert "填报说明" in ws["A3"].value
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["单位", "指标", "月份", "分解任务", "上月累计", "累计完成", "计量单位", "备注"]
    first = [c.value for c in ws[HEADER_ROW + 1]]
    assert first == ["湖头镇", "新发展优质食用菌面积", "2005-06", 1000, 240, None, "亩", None]
    assert ws.protection.sheet and not ws.protection.password
    assert ws["A5"].protection.locked and ws["F4"].protection.locked
    assert (
        not ws["F5"].protection.locked and not ws["G5"].protection.locked and not ws["H5"].protection.locked
    )
    assert ws.freeze_panes == "A5"


def test_the_month_is_a_one_value_dropdown_and_units_offer_only_their_kind(tiny_plan):
    ws = make_template(tiny_plan, "hutou", "2005-06", REPORTS).active
    by_cell = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert by_cell["C5 C6"] == '"2005-06"'
    assert by_cell["G5"] == '"平方米,亩,公顷,万平方米,万亩"'
    assert by_cell["G6"] == '"元,千元,万元,亿元"'


def test_a_filled_template_imports_with_conversion_and_notes(tmp_path, tiny_plan):
    path = write_template(tiny_plan, "hutou", "2005-06", tmp_path / "hutou-06.xlsx", REPORTS)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["F5"], ws["F6"], ws["G6"], ws["H6"] = "２万平方米", 1.5, "亿元", "含技术转让"
    wb.save(path)
    checked, _ = check_file(path, tiny_plan, REPORTS)
    assert checked.ok, [str(p) for p in checked.problems]
    assert checked.frame[["org", "measure", "month", "value", "note"]].values.tolist() == [
        ["hutou", "mushroom_area", "2005-06", 30.0, ""],  # 20000 m² = 30 亩
        ["hutou", "tech_income", "2005-06", 15000.0, "含技术转让"],  # 1.5 亿元 = 15000 万元
    ]
    # 30 亩 is below May's 240 亩 and has no note: a warning on that row
    assert [p.row for p in checked.warnings] == [5]


def test_an_unfilled_row_is_skipped_and_an_empty_template_has_no_data(tmp_path, tiny_plan):
    path = write_template(tiny_plan, "hutou", "2005-06", tmp_path / "t.xlsx", REPORTS)
    checked, _ = check_file(path, tiny_plan)
    assert not checked.ok and "没有数据行" in checked.errors[0].zh


@pytest.mark.parametrize("org, month", [("东风镇", "2005-06"), ("hutou", "2005-13"), ("hutou", "2004-12")])
def test_an_unknown_org_or_a_bad_month_is_misuse(tiny_plan, org, month):
    with pytest.raises(UsageError):
        make_template(tiny_plan, org, month)


def test_an_org_name_that_looks_like_a_formula_is_written_as_text_and_still_reads_back(tmp_path):
    evil = parse_plan(
        TINY.read_text(encoding="utf-8").replace("name: 湖头镇", """name: '=HYPERLINK("http://x","点我")'""")
    )
    path = write_template(evil, "hutou", "2005-06", tmp_path / "evil.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A5"].value == '\'=HYPERLINK("http://x","点我")' and ws["A5"].data_type == "s"
    wb = openpyxl.load_workbook(path)
    wb.active["F5"] = 10
    wb.save(path)
    checked, _ = check_file(path, evil)
    assert checked.ok and checked.frame["org"].tolist() == ["hutou"]
