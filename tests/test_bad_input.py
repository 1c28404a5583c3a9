"""Bad report files, one per rule of docs/import-rules.md: each is refused or accepted exactly as
documented, every message is located (``file:line: field: 中文 / English``), and a refused file
leaves the store unchanged (history and batches compared before and after).

Files are generated in the test; the plan is data/examples/tiny-plan.yaml.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest

from kejifu import config
from kejifu.io import reading
from kejifu.io.importer import import_file
from kejifu.store import Store
from tests.helpers import run_kejifu

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
HEADER = "单位,指标,月份,累计完成,计量单位,备注\n"


@pytest.fixture()
def store(tmp_path):
    s = Store.create(tmp_path / "ws", TINY)
    # one earlier file, so "unchanged" means more than "still empty"
    seed = tmp_path / "seed.csv"
    seed.write_text(
        HEADER + "hutou,terminals,2005-05,100,,\njiehu,mushroom_area,2005-05,40,,\n", encoding="utf-8"
    )
    assert import_file(s, seed, who="seed").ok
    yield s
    s.close()


def snapshot(store):
    return store.history().copy(), store.batches().copy()


def write_csv(tmp_path, body: str, name="town.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def write_xlsx(
    tmp_path,
    rows,
    name="town.xlsx",
    header=("单位", "指标", "月份", "累计完成", "计量单位", "备注"),
    edit=None,
):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    if edit is not None:
        edit(wb, ws)
    path = tmp_path / name
    wb.save(path)
    return path


def refused(store, path, line, field, *words):
    """Import ``path``: refused, the first error located at ``path:line: field:``, the store unchanged."""
    hist, batches = snapshot(store)
    outcome = import_file(store, path, who="tester")
    assert not outcome.ok, [str(p) for p in outcome.problems]
    assert outcome.errors, outcome.problems
    text = str(outcome.errors[0])
    prefix = str(path)
    if line is not None:
        prefix += f":{line}"
    if field is not None:
        prefix += f": {field}"
    assert text.startswith(prefix + ": "), text
    assert " / " in text, text  # Chinese / English
    for w in words:
        assert w in text, text
    pd.testing.assert_frame_equal(store.history(), hist)
    pd.testing.assert_frame_equal(store.batches(), batches)
    return outcome


def accepted(store, path):
    outcome = import_file(store, path, who="tester")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def stored(store, org, measure, month="2005-06"):
    r = store.reports()
    hit = r[(r["org"] == org) & (r["measure"] == measure) & (r["month"] == month)]
    assert len(hit) == 1, r
    return hit.iloc[0]


# ----- every per-row rule ------------------------------------------------------------------------

ROW_RULES = [
    # body, line, field, words
    ("东风镇,terminals,2005-06,1,,\n", 2, "单位", ("东风镇", "unknown org")),
    ("hutou,修路里程,2005-06,1,,\n", 2, "指标", ("修路里程", "unknown measure")),
    ("hutou,terminals,2005-13,1,,\n", 2, "月份", ("2005-13", "malformed month")),
    ("hutou,terminals,June,1,,\n", 2, "月份", ("June", "malformed month")),
    ("hutou,terminals,2004-12,1,,\n", 2, "月份", ("2004-12", "outside the plan year 2005")),
    ("hutou,tech_income,2005-06,很多,,\n", 2, "累计完成", ("很多", "not a number")),
    ("hutou,tech_income,2005-06,-5,,\n", 2, "累计完成", ("-5", "negative")),
    ("hutou,tech_income,2005-06,NaN,,\n", 2, "累计完成", ("NaN", "not a number")),
    ("hutou,tech_income,2005-06,inf,,\n", 2, "累计完成", ("inf", "not a number")),
    ("hutou,tech_income,2005-06,1e400,,\n", 2, "累计完成", ("1e400", "not a finite number")),
    ("hutou,terminals,2005-06,12.5,,\n", 2, "累计完成", ("12.5", "whole numbers")),
    ("hutou,tech_income,2005-06,300亩,,\n", 2, "累计完成", ("亩", "area", "money")),
    ("hutou,mushroom_area,2005-06,30,万元,\n", 2, "计量单位", ("万元", "money", "area")),
    ("hutou,tech_income,2005-06,3,斤,\n", 2, "计量单位", ("斤", "unknown unit")),
    ("hutou,terminals,2005-06,10,,\nhutou,terminals,2005-06,12,,\n", 3, "累计完成", ("line 3", "10", "12")),
    (
        "ent_a,ht_output,2005-06,5000,,\nent_a,industrial_output,2005-06,0.4,,\n",
        2,
        "累计完成",
        ("5,000万元", "0.4亿元", "exceeds"),
    ),
    ("hutou,申请专利,2005-06,3,,\n", 2, "指标", ("台帐", "register")),
    ("ent_a,ht_share,2005-06,31,,\n", 2, "指标", ("ht_output", "industrial_output")),
    (",terminals,2005-06,3,,\n", 2, "单位", ("required",)),
    # unquoted thousands separator splits the row: the "234" lands in the unit column
    ("hutou,tech_income,2005-06,1,234,\n", 2, "计量单位", ("234", "unknown unit")),
]


@pytest.mark.parametrize("body, line, field, words", ROW_RULES, ids=[f"{r[2]}-{r[3][0]}" for r in ROW_RULES])
def test_a_row_breaking_a_rule_refuses_the_file_with_a_located_message_and_leaves_the_store_unchanged(
    tmp_path, store, body, line, field, words
):
    refused(store, write_csv(tmp_path, "jiehu,terminals,2005-06,80,,\n" + body), line + 1, field, *words)


def test_a_bad_row_among_good_ones_refuses_the_good_ones_too(tmp_path, store):
    path = write_csv(tmp_path, "hutou,terminals,2005-06,180,,\njiehu,terminals,2005-06,x,,\n")
    refused(store, path, 3, "累计完成")
    assert set(store.reports()["month"]) == {"2005-05"}


def test_a_falling_cumulative_value_without_a_note_is_accepted_with_a_located_warning(tmp_path, store):
    outcome = accepted(store, write_csv(tmp_path, "hutou,terminals,2005-06,90,,\n"))
    assert [p.level for p in outcome.problems] == ["warning"]
    text = str(outcome.warnings[0])
    assert text.startswith(f"{tmp_path / 'town.csv'}:2: 累计完成: ") and "2005-05" in text and "100台" in text
    assert stored(store, "hutou", "terminals")["value"] == 90.0


def test_a_falling_cumulative_value_with_a_note_is_accepted_silently(tmp_path, store):
    outcome = accepted(store, write_csv(tmp_path, "hutou,terminals,2005-06,90,,拆除10台\n"))
    assert outcome.problems == []


def test_every_problem_of_a_file_is_listed_each_on_its_own_line(tmp_path, store):
    path = write_csv(
        tmp_path, "东风镇,terminals,2005-06,1,,\nhutou,terminals,2005-13,1,,\nhutou,terminals,2005-06,x,,\n"
    )
    outcome = refused(store, path, 2, "单位")
    assert [p.row for p in outcome.errors] == [2, 3, 4]


# ----- encodings ---------------------------------------------------------------------------------

ROW = "湖头镇,安装农村科技信息机,2005-06,180,台,老系统导出\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_gbk_and_utf8_with_or_without_bom_import_the_same_row(tmp_path, store, encoding):
    accepted(store, write_csv(tmp_path, ROW, encoding=encoding))
    row = stored(store, "hutou", "terminals")
    assert (row["value"], row["note"]) == (180.0, "老系统导出")


@pytest.mark.parametrize("encoding, sep", [("utf-16", "\t"), ("utf-16", ","), ("utf-32", ",")])
def test_utf16_with_a_bom_as_excel_saves_unicode_text_is_accepted(tmp_path, store, encoding, sep):
    path = tmp_path / "unicode.csv"
    path.write_bytes((HEADER + ROW).replace(",", sep).encode(encoding))
    accepted(store, path)
    assert stored(store, "hutou", "terminals")["value"] == 180.0


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_refused_as_an_unreadable_encoding(tmp_path, store, encoding):
    refused(store, write_csv(tmp_path, ROW, encoding=encoding), None, None, "encoding", "UTF-8", "GBK")


def test_a_binary_file_named_csv_is_refused_not_a_traceback(tmp_path, store):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 8)
    refused(store, path, None, None, "encoding")


# ----- Excel specifics ----------------------------------------------------------------------------


def test_real_excel_dates_in_the_month_column_are_their_month(tmp_path, store):
    path = write_xlsx(
        tmp_path,
        [
            ("湖头镇", "terminals", dt.datetime(2005, 6, 1), 180),
            ("界湖镇", "terminals", dt.date(2005, 6, 30), 80),
        ],
    )
    accepted(store, path)
    assert stored(store, "jiehu", "terminals")["value"] == 80.0


def test_a_real_excel_date_outside_the_plan_year_is_refused(tmp_path, store):
    path = write_xlsx(
        tmp_path,
        [
            ("湖头镇", "terminals", dt.datetime(2005, 6, 1), 180),
            ("界湖镇", "terminals", dt.datetime(2004, 6, 1), 80),
        ],
    )
    refused(store, path, 3, "月份", "2004-06", "outside the plan year")


def test_a_town_name_merged_over_several_data_rows_is_read_on_every_row(tmp_path, store):
    def merge(wb, ws):
        ws.merge_cells("A2:A3")

    path = write_xlsx(
        tmp_path,
        [("湖头镇", "terminals", "2005-06", 180), (None, "mushroom_area", "2005-06", 55)],
        edit=merge,
    )
    accepted(store, path)
    assert stored(store, "hutou", "mushroom_area")["value"] == 55.0


def test_a_value_cell_merged_over_several_data_rows_is_refused_on_the_covered_row(tmp_path, store):
    def merge(wb, ws):
        ws.merge_cells("D2:D3")

    path = write_xlsx(
        tmp_path,
        [("湖头镇", "terminals", "2005-06", 180), ("界湖镇", "terminals", "2005-06", None)],
        edit=merge,
    )
    refused(store, path, 3, "累计完成", "merged")


def hidden_workbook(tmp_path, *, visible_data: bool):
    def edit(wb, ws):
        ws.title = "说明"
        ws.delete_rows(1, ws.max_row)
        ws.append(["请在“数据”页填写"])
        hidden = wb.create_sheet("旧数据")
        hidden.append(["单位", "指标", "月份", "累计完成"])
        hidden.append(["湖头镇", "terminals", "2005-06", 999])
        hidden.sheet_state = "hidden"
        if visible_data:
            data = wb.create_sheet("数据")
            data.append(["单位", "指标", "月份", "累计完成"])
            data.append(["湖头镇", "terminals", "2005-06", 180])
        wb.active = 0

    return write_xlsx(tmp_path, [], edit=edit)


def test_a_hidden_sheet_is_never_read_the_first_visible_sheet_with_a_header_is(tmp_path, store):
    path = hidden_workbook(tmp_path, visible_data=True)
    assert reading.read_table(path).sheet == "数据"
    accepted(store, path)
    assert stored(store, "hutou", "terminals")["value"] == 180.0


def test_a_workbook_whose_only_table_is_on_a_hidden_sheet_is_refused(tmp_path, store):
    refused(store, hidden_workbook(tmp_path, visible_data=False), None, None, "header")


def test_the_active_sheet_wins_over_an_earlier_sheet(tmp_path, store):
    def edit(wb, ws):
        other = wb.create_sheet("六月")
        other.append(["单位", "指标", "月份", "累计完成"])
        other.append(["湖头镇", "terminals", "2005-06", 180])
        wb.active = 1

    path = write_xlsx(tmp_path, [("湖头镇", "terminals", "2005-06", 1)], edit=edit)
    accepted(store, path)
    assert stored(store, "hutou", "terminals")["value"] == 180.0


def test_a_formula_without_a_cached_value_is_refused_naming_the_formula(tmp_path, store):
    path = write_xlsx(tmp_path, [("湖头镇", "tech_income", "2005-06", "=1+1")])
    refused(store, path, 2, "累计完成", "=1+1", "not a number")


def with_cached_value(path, cell: str, value: str):
    """Rewrite ``path`` as Excel saves it: the formula in ``cell`` keeps its computed value."""
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start)
                assert "<f>" in text[start:end] and text[start:end].endswith("<v></v>")
                text = text[: end - len("<v></v>")] + f"<v>{value}</v>" + text[end:]
                data = text.encode("utf-8")
            dst.writestr(item, data)
    src.close()
    path.write_bytes(buf.getvalue())
    return path


def test_a_formula_saved_by_excel_is_read_by_its_computed_value(tmp_path, store):
    path = with_cached_value(write_xlsx(tmp_path, [("湖头镇", "tech_income", "2005-06", "=1+1")]), "D2", "2")
    accepted(store, path)
    assert stored(store, "hutou", "tech_income")["value"] == 2.0


# ----- empty, header-only, total-only, wrong kind of file -----------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_an_empty_file_is_refused_as_empty(tmp_path, store, name):
    path = tmp_path / name
    path.write_bytes(b"")
    refused(store, path, None, None, "文件为空", "empty")


def test_a_csv_of_blank_lines_is_refused_as_empty(tmp_path, store):
    path = tmp_path / "blank.csv"
    path.write_text("\n \n,,,\n", encoding="utf-8")
    refused(store, path, None, None, "empty")


def test_a_header_only_file_is_refused_at_the_header_line(tmp_path, store):
    refused(store, write_csv(tmp_path, ""), 1, None, "没有数据行", "no data rows")


def test_a_header_only_workbook_is_refused_at_the_header_line(tmp_path, store):
    refused(store, write_xlsx(tmp_path, []), 1, None, "no data rows")


def test_a_file_with_only_a_total_row_is_refused_as_having_no_data(tmp_path, store):
    refused(store, write_csv(tmp_path, "合计,,,100,,\n"), 1, None, "no data rows")


def test_a_total_row_under_data_is_skipped_with_a_warning(tmp_path, store):
    outcome = accepted(store, write_csv(tmp_path, "hutou,terminals,2005-06,180,,\n全县合计,,,180,,\n"))
    assert [(p.level, p.row) for p in outcome.problems] == [("warning", 3)]


def test_a_file_without_the_required_columns_is_refused_at_its_header(tmp_path, store):
    path = tmp_path / "cols.csv"
    path.write_text("单位,备注\nhutou,x\n", encoding="utf-8")
    refused(store, path, None, None, "no header row")
    path.write_text("单位,指标,月份,备注\nhutou,terminals,2005-06,x\n", encoding="utf-8")
    refused(store, path, 1, "value", "lacks this column")


def test_a_binary_file_renamed_xlsx_is_refused_as_not_a_workbook(tmp_path, store):
    path = tmp_path / "report.xlsx"
    path.write_bytes(os.urandom(4096))
    refused(store, path, None, None, "not a valid Excel")


def test_an_old_xls_file_is_refused_asking_for_xlsx(tmp_path, store):
    path = tmp_path / "report.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    refused(store, path, None, None, ".xls", "save as .xlsx")


@pytest.mark.parametrize("name", ["report.txt", "report.docx", "report"])
def test_other_file_types_are_refused_by_their_suffix(tmp_path, store, name):
    path = tmp_path / name
    path.write_text(HEADER + ROW, encoding="utf-8")
    refused(store, path, None, None, "unsupported file type")


def test_a_missing_file_is_refused_as_not_found(tmp_path, store):
    refused(store, tmp_path / "nowhere.csv", None, None, "not found")


# ----- size -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_50_mb_csv_is_refused_by_its_size_quickly_and_without_reading_it(tmp_path, store):
    path = tmp_path / "huge.csv"
    line = "hutou,terminals,2005-06,180,台,备注备注备注备注\n".encode()
    with path.open("wb") as f:
        f.write(HEADER.encode("utf-8"))
        block = line * 20_000
        while f.tell() < 50 * 1024 * 1024:
            f.write(block)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = refused(store, path, None, None, "too large", "MB", "20.0 MB")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 30  # generous: CI machines are busy
    assert peak < 20 * 1024 * 1024  # the 50 MB were never read into memory
    assert "50." in str(outcome.errors[0])


def test_the_size_limit_applies_to_bytes_handed_to_read_table_too(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    path = write_csv(tmp_path, ROW * 5)
    with pytest.raises(reading.ReportImportError) as err:
        reading.read_table(path, data=path.read_bytes())
    assert "too large" in str(err.value)


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused(tmp_path, store, monkeypatch):
    monkeypatch.setattr(reading, "MAX_XLSX_UNPACKED", 1000)
    refused(store, write_xlsx(tmp_path, [("湖头镇", "terminals", "2005-06", 180)]), None, None, "too large")


# ----- text as people type it ---------------------------------------------------------------------


def test_very_long_note_text_is_accepted_and_kept_whole(tmp_path, store):
    note = "说明" * 20_000
    accepted(store, write_csv(tmp_path, f"hutou,terminals,2005-06,180,,{note}\n"))
    assert stored(store, "hutou", "terminals")["note"] == note


def test_a_very_long_unknown_name_is_quoted_cut_short_in_the_message(tmp_path, store):
    outcome = refused(store, write_csv(tmp_path, "x" * 100_000 + ",terminals,2005-06,1,,\n"), 2, "单位", "…")
    assert len(str(outcome.errors[0])) < 400


def test_leading_apostrophes_are_excel_text_markers_and_are_dropped(tmp_path, store):
    accepted(store, write_csv(tmp_path, "'hutou,'terminals,'2005-06,'180,'台,'注\n"))
    row = stored(store, "hutou", "terminals")
    assert (row["value"], row["note"]) == (180.0, "'注")  # the note is kept as written


@pytest.mark.parametrize("cell", ['"1,234"', "1，234", "１２３４", "１，２３４", " 1234 ", "1234.0"])
def test_thousands_separators_and_full_width_digits_are_read_as_numbers(tmp_path, store, cell):
    accepted(store, write_csv(tmp_path, f"hutou,tech_income,2005-06,{cell},,\n"))
    assert stored(store, "hutou", "tech_income")["value"] == 1234.0


def test_full_width_months_and_spaces_around_ids_are_accepted(tmp_path, store):
    accepted(
        store,
        write_csv(
            tmp_path,
            "  hutou  , terminals ,２００５－０６, 180 ,,\n\u3000界湖镇\u3000,terminals,2005年6月,80,,\n",
        ),
    )
    assert stored(store, "hutou", "terminals")["value"] == 180.0
    assert stored(store, "jiehu", "terminals")["value"] == 80.0


def test_a_malformed_number_with_misplaced_separators_is_refused(tmp_path, store):
    refused(store, write_csv(tmp_path, 'hutou,tech_income,2005-06,"1,23",,\n'), 2, "累计完成", "1,23")


# ----- the command line ----------------------------------------------------------------------------


def test_kejifu_import_refuses_bad_files_with_exit_1_located_messages_and_no_traceback(tmp_path, store):
    files = {
        "org.csv": (HEADER + "东风镇,terminals,2005-06,1,,\n").encode("utf-8"),
        "empty.csv": b"",
        "utf16.csv": (HEADER + ROW).encode("utf-16-le"),
        "binary.xlsx": os.urandom(2048),
        "old.xls": b"\xd0\xcf\x11\xe0" + bytes(100),
        "formula.xlsx": None,
    }
    for name, data in files.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
    write_xlsx(tmp_path, [("湖头镇", "tech_income", "2005-06", "=1+1")], name="formula.xlsx")
    paths = [tmp_path / n for n in files]
    hist, batches = snapshot(store)
    store.close()
    res = run_kejifu("import", tmp_path / "ws", *paths)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    lines = res.stderr.splitlines()
    assert any(line.startswith(f"{tmp_path / 'org.csv'}:2: 单位: ") and "东风镇" in line for line in lines), (
        lines
    )
    assert any(
        line.startswith(f"{tmp_path / 'formula.xlsx'}:2: 累计完成: ") and "=1+1" in line for line in lines
    ), lines
    for name in ("empty.csv", "utf16.csv", "binary.xlsx", "old.xls"):
        assert any(line.startswith(f"{tmp_path / name}: ") and " / " in line for line in lines), (name, lines)
    with Store.open(tmp_path / "ws") as again:
        pd.testing.assert_frame_equal(again.history(), hist)
        pd.testing.assert_frame_equal(again.batches(), batches)


def test_kejifu_import_accepts_a_gbk_file_with_exit_0(tmp_path, store):
    store.close()
    res = run_kejifu("import", tmp_path / "ws", write_csv(tmp_path, ROW, encoding="gbk"))
    assert res.returncode == 0, res.stderr
    with Store.open(tmp_path / "ws") as again:
        assert len(again.batches()) == 2
