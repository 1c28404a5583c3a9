"""Reading report files: finding the table in the CSV and Excel files towns really send."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kejifu.errors import ReportImportError
from kejifu.io.reading import decode_csv, header_field, read_table


def messy_workbook(path):
    """A town's workbook: two title rows, a header merged over two rows, blank rows, a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "湖头镇2005年6月科技工作进度表"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位（盖章）：湖头镇            填报日期：2005年7月3日"
    ws.merge_cells("A2:F2")
    # header over rows 3-4: 单位/指标/月份 merged vertically, 完成情况 split into 本月 and 本年累计
    ws["A3"], ws["B3"], ws["C3"], ws["D3"], ws["F3"] = "单位", "指标名称", "月份", "完成情况", "备注"
    for col in "ABCF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:E3")
    ws["D4"], ws["E4"] = "本月", "本年累计"
    ws.append(["湖头镇", "新发展优质食用菌面积", dt.datetime(2005, 6, 1), "20", "３００亩", None])  # row 5
    ws.append([None] * 6)  # row 6 blank
    ws.append(["湖头镇", "技术合同成交额", "2005-06", None, "12.5", "示例"])  # row 7
    ws.append([])  # row 8 blank
    ws.append(["合计", None, None, None, "312.5", None])  # row 9
    wb.save(path)
    return path


def test_the_header_row_is_found_below_title_rows_and_merged_header_cells(tmp_path):
    table = read_table(messy_workbook(tmp_path / "湖头镇6月.xlsx"))
    assert table.header_line == 4
    assert table.headers["value"] == "本年累计"
    assert table.headers["org"] == "单位"
    assert table.columns["value"] == 4


def test_data_rows_keep_their_spreadsheet_row_numbers_and_blank_rows_are_skipped(tmp_path):
    table = read_table(messy_workbook(tmp_path / "t.xlsx"))
    assert [r.line for r in table.rows] == [5, 7]
    assert table.rows[0].values["value"] == "３００亩"
    assert table.rows[0].values["month"] == dt.datetime(2005, 6, 1)
    assert table.rows[1].values["note"] == "示例"


def test_a_trailing_total_row_is_ignored_with_a_located_warning(tmp_path):
    table = read_table(messy_workbook(tmp_path / "t.xlsx"))
    assert len(table.warnings) == 1
    w = table.warnings[0]
    assert w.level == "warning" and w.row == 9 and "合计" in w.zh and "total" in w.en


def test_a_town_name_merged_over_several_data_rows_is_read_on_every_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乡镇", "指标", "月份", "累计完成"])
    ws.append(["湖头镇", "terminals", "2005-06", 5])
    ws.append([None, "mushroom_area", "2005-06", 7])
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "m.xlsx")
    table = read_table(tmp_path / "m.xlsx")
    assert [r.values["org"] for r in table.rows] == ["湖头镇", "湖头镇"]


def test_csv_in_utf8_with_bom_and_without_and_in_gbk_all_read_the_same(tmp_path):
    text = "单位,指标,月份,累计完成,计量单位,备注\n湖头镇,安装农村科技信息机,2005-06,180,台,\n"
    files = {
        "bom.csv": text.encode("utf-8-sig"),
        "plain.csv": text.encode("utf-8"),
        "gbk.csv": text.encode("gbk"),
        "gb18030.csv": text.encode("gb18030"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        table = read_table(tmp_path / name)
        assert table.headers["org"] == "单位", name
        assert table.rows[0].values == {
            "org": "湖头镇",
            "measure": "安装农村科技信息机",
            "month": "2005-06",
            "value": "180",
            "unit": "台",
            "note": "",
        }, name
        assert table.rows[0].line == 2


def test_gbk_bytes_are_not_valid_utf8_so_the_fallback_is_what_reads_them():
    data = "湖头镇".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_csv(data) == "湖头镇"


def test_csv_line_numbers_count_title_lines_and_multi_line_notes(tmp_path):
    text = (
        "沂南县科技进度月报\n\n"
        "org,measure,month,value,note\n"
        'hutou,terminals,2005-05,100,"two\nlines"\n'
        "hutou,terminals,2005-06,180,\n"
    )
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    table = read_table(tmp_path / "r.csv")
    assert table.header_line == 3
    assert [r.line for r in table.rows] == [4, 6]


def test_alternative_chinese_header_names_are_accepted(tmp_path):
    text = "填报单位,指标名称,月份,数值\n湖头镇,terminals,2005-06,1\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    assert set(read_table(tmp_path / "a.csv").columns) == {"org", "measure", "month", "value"}
    assert header_field("累计完成（亩）") == ("value", 1)
    assert header_field("乡 镇") == ("org", 3)


@pytest.mark.parametrize(
    "content, key",
    [
        (b"", "空"),
        (b"   \n\n", "空"),
        ("说明文字\n没有表头\n".encode(), "表头"),
        ("单位,指标,月份,累计完成\n".encode(), "没有数据行"),
        ("单位,指标,月份,累计完成\n,,,\n".encode(), "没有数据行"),
    ],
)
def test_an_empty_file_or_one_without_header_or_data_rows_is_an_error_naming_the_file(tmp_path, content, key):
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(ReportImportError) as err:
        read_table(tmp_path / "x.csv")
    assert key in err.value.zh
    assert str(err.value).startswith(str(tmp_path / "x.csv"))


def test_a_header_missing_the_value_column_names_that_field(tmp_path):
    (tmp_path / "x.csv").write_text("单位,指标,月份,备注\n湖头镇,terminals,2005-06,\n", encoding="utf-8")
    with pytest.raises(ReportImportError) as err:
        read_table(tmp_path / "x.csv")
    p = err.value.problems[0]
    assert (p.row, p.field) == (1, "value") and "累计完成" in p.zh


def test_old_xls_files_and_other_types_are_refused_with_advice(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReportImportError) as err:
        read_table(tmp_path / "old.xls")
    assert ".xlsx" in err.value.zh and "save as .xlsx" in err.value.en
    (tmp_path / "r.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ReportImportError):
        read_table(tmp_path / "r.txt")


def test_a_corrupt_xlsx_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(ReportImportError) as err:
        read_table(tmp_path / "bad.xlsx")
    assert "Excel" in err.value.zh and err.value.file.endswith("bad.xlsx")


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ReportImportError) as err:
        read_table(tmp_path / "nope.csv")
    assert "找不到" in err.value.zh
