"""Cells: one meaning for a blank, a header, a yes/no word and a date, whatever file it came from;
and the one bounded workbook reader every file goes through (``read_sheets``)."""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pandas as pd
import pytest

from kejifu.errors import ReportImportError
from kejifu.io import reading
from kejifu.io.cells import is_blank, neutralise, norm_header, parse_date, truthy
from kejifu.io.reading import read_sheets

# ----- blanks, headers, formula-safe text --------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\xa0\t\n", math.nan, pd.NaT])
def test_nothing_and_white_space_are_blank(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", "否", "—", dt.date(2005, 1, 1)])
def test_a_zero_a_no_or_a_dash_is_not_blank(value):
    assert not is_blank(value)


def test_headers_compare_without_width_spaces_or_case_and_may_drop_a_remark():
    assert norm_header(" 累计 完成（亩） ") == "累计完成(亩)"
    assert norm_header("累计完成（亩）", drop_remark=True) == "累计完成"
    assert norm_header("ＯＲＧ") == "org"
    assert norm_header(None) == ""


def test_neutralise_keeps_its_old_import_path_and_quotes_formula_starts():
    from kejifu.io.export import neutralise as old_home

    assert old_home is neutralise
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@A1", "\t=1", "湖头镇", 5)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\t=1",
        "湖头镇",
        5,
    ]


# ----- the one yes/no list -----------------------------------------------------------------------

YES = ["是", " 是 ", "对", "有", "√", "✓", "1", 1, 1.0, True, "yes", "Y", "TRUE", "ｙｅｓ"]
NO = ["否", "错", "无", "×", "✗", "0", 0, 0.0, False, "no", "N", "false", "不是", "没有"]


@pytest.mark.parametrize("word", YES)
def test_yes_words_are_true(word):
    assert truthy(word) is True


@pytest.mark.parametrize("word", NO)
def test_no_words_are_false(word):
    assert truthy(word) is False


@pytest.mark.parametrize("word", [None, "", "  ", math.nan, "也许", "x", 2, 0.5, dt.date(2005, 1, 1)])
def test_a_blank_or_a_word_outside_the_list_is_neither(word):
    assert truthy(word) is None


# ----- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2005-06-15",
        "2005/6/15",
        "2005.6.15",
        "2005年6月15日",
        " 2005 年 6 月 15 日 ",
        "20050615",
        "2005-06-15 08:30",
        dt.date(2005, 6, 15),
        dt.datetime(2005, 6, 15, 8, 30),
        pd.Timestamp("2005-06-15"),
    ],
)
def test_dates_as_people_write_them_are_one_date(raw):
    assert parse_date(raw) == dt.date(2005, 6, 15)


def test_a_blank_date_cell_is_none():
    assert parse_date("  ") is None and parse_date(None) is None


@pytest.mark.parametrize(
    "raw, zh, en",
    [
        ("2005-02-30", "2005年2月只有28天", "2005-02 has 28 days"),
        ("2004-02-30", "2004年2月只有29天", "2004-02 has 29 days"),
        ("2005-04-31", "2005年4月只有30天", "2005-04 has 30 days"),
        ("2005-13-01", "月份13不在1–12之间", "month 13 is not 1–12"),
        ("2005-00-10", "月份0不在1–12之间", "month 0 is not 1–12"),
        ("2005年2月29日", "2005年2月只有28天", "2005-02 has 28 days"),
    ],
)
def test_an_impossible_date_is_refused_saying_why_and_where(raw, zh, en):
    with pytest.raises(ReportImportError) as err:
        parse_date(raw, file="f.csv", row=7, field="日期")
    [p] = err.value.problems
    assert (p.file, p.row, p.field) == ("f.csv", 7, "日期")
    assert zh in p.zh and en in p.en and raw in p.zh


@pytest.mark.parametrize("raw", ["六月", "2005-06", "abc", "2005-6-15-1"])
def test_text_that_is_no_date_is_refused_as_such(raw):
    with pytest.raises(ReportImportError, match="not a date"):
        parse_date(raw)


# ----- read_sheets: every visible sheet, bounded -------------------------------------------------


def workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["姓名", "派驻乡镇", "到岗日期"])
    ws.append(["张三", "湖头镇", dt.datetime(2005, 3, 1)])
    ws.append([])
    ws.append(["李四", "界湖镇", "=TODAY()"])
    ws["A9"] = " "  # a stray blank far below: not a row
    hidden = wb.create_sheet("密")
    hidden["A1"] = "不应读取"
    hidden.sheet_state = "hidden"
    other = wb.create_sheet("考核")
    other.merge_cells("A1:B1")
    other["A1"] = "合并"
    other["C2"] = 90
    path = tmp_path / "deputies.xlsx"
    wb.save(path)
    return path


def test_read_sheets_gives_every_visible_sheet_with_row_numbers_and_no_hidden_one(tmp_path):
    sheets = read_sheets(workbook(tmp_path))
    assert list(sheets) == ["名册", "考核"]
    assert sheets["名册"] == [
        (1, ["姓名", "派驻乡镇", "到岗日期"]),
        (2, ["张三", "湖头镇", dt.datetime(2005, 3, 1)]),
        (3, []),
        (4, ["李四", "界湖镇", "=TODAY()"]),  # a formula never computed is its text
    ]
    assert sheets["考核"] == [(1, ["合并"]), (2, [None, None, 90])]  # merged cells as written


def test_read_sheets_reads_a_csv_as_one_sheet_named_after_the_file(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text("姓名,派驻乡镇\n张三,湖头镇\n", encoding="gbk")
    assert read_sheets(path) == {"名册": [(1, ["姓名", "派驻乡镇"]), (2, ["张三", "湖头镇"])]}


def test_read_sheets_applies_the_same_caps_as_report_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    with pytest.raises(ReportImportError, match="文件超过3行"):
        read_sheets(workbook(tmp_path))
