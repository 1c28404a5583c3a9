"""Hostile and careless files (issue 12, reading and import side): each attack input is built in
the test, and each is accepted or refused cleanly — with a located bilingual message, within
10 s of CPU and 500 MB, and never with a traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import openpyxl
import pytest

from kejifu import config
from kejifu.errors import ReportImportError
from kejifu.io import reading
from kejifu.io.importer import import_file, import_files
from kejifu.io.registers import read_register_file
from kejifu.plan import load_plan
from kejifu.store import Store

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
HEADER = "单位,指标,月份,累计完成,计量单位,备注\n"
CPU_SECONDS = 10
PEAK_MB = 500


@pytest.fixture()
def tiny_store(tmp_path):
    """A workspace on the tiny plan where both towns have reported through May."""
    s = Store.create(tmp_path / "ws", TINY)
    seed = tmp_path / "seed.csv"
    seed.write_text(
        HEADER + "hutou,terminals,2005-05,100,,\njiehu,terminals,2005-05,40,,\n", encoding="utf-8"
    )
    assert import_file(s, seed, who="seed").ok
    yield s
    s.close()


def csv_file(tmp_path, body: str, name="town.csv") -> os.PathLike:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def first_error(outcome) -> str:
    assert not outcome.ok, [str(p) for p in outcome.problems]
    return str(outcome.errors[0])


# ----- measured in a child process: time and peak memory -----------------------------------------

MEASURE = textwrap.dedent(
    """
    import json, sys, time

    def peak_mb():
        # VmHWM: the peak resident set of this process image. (ru_maxrss is not used: on Linux it
        # keeps the high-water mark of the forked pytest process across exec.)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/self/status")
    from kejifu.io import reading
    from kejifu.i18n import catalogue
    catalogue()
    cpu, wall = time.process_time(), time.time()
    try:
        table = reading.read_table(sys.argv[1])
        outcome = "read %d rows" % len(table.rows)
    except reading.ReportImportError as exc:
        outcome = "refused: " + str(exc)
    print(json.dumps({
        "outcome": outcome,
        "cpu": time.process_time() - cpu,
        "wall": time.time() - wall,
        "peak_mb": peak_mb(),
    }))
    """
)


def measured(path) -> dict:
    """Read ``path`` with :func:`read_table` in a fresh interpreter: its outcome, CPU seconds,
    wall seconds and peak resident memory [MB] (the interpreter and pandas included)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def within_bounds(result: dict) -> None:
    assert result["cpu"] < CPU_SECONDS, result
    assert result["peak_mb"] < PEAK_MB, result


def stray_cell_workbook(tmp_path, cell: str, value=" ") -> os.PathLike:
    """A 5 KB report workbook with one stray value far away: its dimension says A1:<cell>."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "指标", "月份", "累计完成"])
    ws.append(["hutou", "terminals", "2005-06", 180])
    ws[cell] = value
    path = tmp_path / f"stray-{cell}.xlsx"
    wb.save(path)
    return path


def rewritten_sheet(tmp_path, name: str, chunks) -> os.PathLike:
    """An xlsx whose first sheet's XML is written from ``chunks`` (bytes), streamed into the zip."""
    base = io.BytesIO()
    openpyxl.Workbook().save(base)
    path = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with out.open("xl/worksheets/sheet1.xml", "w") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
            else:
                out.writestr(item, src.read(item.filename))
    return path


SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1">'
    + "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for c, h in zip("ABCD", ("单位", "指标", "月份", "累计完成"))
    )
    + "</row>"
).encode()


def million_rows():
    yield SHEET_OPEN + HEADER_ROW
    block = []
    for i in range(2, 1_000_002):
        block.append(
            f"<row><c><v>{i}</v></c><c><v>{i * 7}</v></c><c><v>200506</v></c><c><v>{i % 97}</v></c></row>"
        )
        if len(block) == 50_000:
            yield "".join(block).encode()
            block = []
    yield "".join(block).encode() + SHEET_CLOSE


def wide_rows(rows: int, cols: int, cell: bytes):
    yield SHEET_OPEN + HEADER_ROW
    row = cell * cols
    for _ in range(rows):
        yield b"<row>" + row + b"</row>"
    yield SHEET_CLOSE


# ----- bounded reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["XFD1048576", "F1048576"])
def test_a_5kb_workbook_with_one_space_in_a_far_cell_is_read_in_bounded_time_and_memory(tmp_path, cell):
    path = stray_cell_workbook(tmp_path, cell)
    assert path.stat().st_size < 10_000
    result = measured(path)
    assert result["outcome"] == "read 1 rows", result
    within_bounds(result)


def test_one_value_in_the_last_row_of_the_sheet_is_refused_as_too_many_rows(tmp_path):
    path = stray_cell_workbook(tmp_path, "F1048576", "x")
    with pytest.raises(ReportImportError) as err:
        reading.read_table(path)
    text = str(err.value)
    assert f"{path}:1048576:" in text
    assert f"文件超过{reading.MAX_ROWS}行" in text and f"more than {reading.MAX_ROWS} rows" in text


def test_one_value_in_column_xfd_is_refused_as_too_many_columns(tmp_path):
    path = stray_cell_workbook(tmp_path, "XFD3", "x")
    with pytest.raises(ReportImportError) as err:
        reading.read_table(path)
    text = str(err.value)
    assert f"{path}:3:" in text and "16384" in text
    assert f"文件超过{reading.MAX_COLS}列" in text and f"more than {reading.MAX_COLS} columns" in text


def test_a_million_row_workbook_is_refused_within_bounds(tmp_path):
    path = rewritten_sheet(tmp_path, "million.xlsx", million_rows())
    assert path.stat().st_size < reading.MAX_BYTES
    result = measured(path)
    assert result["outcome"].startswith(f"refused: {path}:{reading.MAX_ROWS + 1}: 文件超过"), result
    within_bounds(result)


def test_sixteen_thousand_columns_of_data_by_200_rows_are_refused_within_bounds(tmp_path):
    path = rewritten_sheet(tmp_path, "wide.xlsx", wide_rows(200, 16_384, b"<c><v>1</v></c>"))
    result = measured(path)
    assert result["outcome"].startswith(f"refused: {path}:2: 文件超过{reading.MAX_COLS}列"), result
    within_bounds(result)


def test_sixteen_thousand_formatted_empty_columns_by_200_rows_stay_within_bounds(tmp_path):
    path = rewritten_sheet(tmp_path, "wide-empty.xlsx", wide_rows(200, 16_384, b'<c s="0"/>'))
    result = measured(path)
    # 3.3 million empty cells: more than the cell budget, so refused, quickly
    assert result["outcome"].startswith("refused:") and "too many cells" in result["outcome"], result
    within_bounds(result)


def test_one_row_of_three_million_empty_cells_is_refused_without_holding_the_row(tmp_path):
    def one_row():
        yield SHEET_OPEN + HEADER_ROW + b"<row>"
        for _ in range(30):
            yield b"<c/>" * 100_000
        yield b"</row>" + SHEET_CLOSE

    path = rewritten_sheet(tmp_path, "one-row.xlsx", one_row())
    result = measured(path)
    assert result["outcome"].startswith(f"refused: {path}:2: 文件单元格过多"), result
    within_bounds(result)


def test_the_row_cap_counts_only_rows_with_data(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    monkeypatch.setattr(reading, "MAX_CSV_ROWS", 5)  # a CSV has its own cap
    ok = csv_file(tmp_path, "hutou,terminals,2005-06,1,,\n\n\n\n\n\n\n", "blank-tail.csv")
    assert len(reading.read_table(ok).rows) == 1
    too_many = csv_file(tmp_path, "hutou,terminals,2005-06,1,,\n" * 5, "six.csv")
    with pytest.raises(ReportImportError, match="文件超过5行"):
        reading.read_table(too_many)


def test_a_csv_may_hold_more_rows_than_a_sheet_up_to_its_own_cap(tmp_path, monkeypatch):
    """A province's month is ~144k rows of CSV: above the workbook cap, within the CSV cap."""
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    monkeypatch.setattr(reading, "MAX_CSV_ROWS", 8)
    ok = csv_file(tmp_path, "hutou,terminals,2005-06,1,,\n" * 7, "seven.csv")  # header + 7 = 8 records
    assert len(reading.read_table(ok).rows) == 7
    too_many = csv_file(tmp_path, "hutou,terminals,2005-06,1,,\n" * 8, "eight.csv")
    with pytest.raises(ReportImportError, match="文件超过8行"):
        reading.read_table(too_many)


def test_the_real_csv_cap_admits_a_province_month():
    assert reading.MAX_CSV_ROWS >= 144_000 * 2 and reading.MAX_ROWS == 50_000


def test_a_200kb_csv_cell_is_a_clean_refusal(tmp_path):
    path = csv_file(tmp_path, "hutou,terminals,2005-06,1,," + "长" * 0 + "x" * 200_000 + "\n", "long.csv")
    with pytest.raises(ReportImportError) as err:
        reading.read_table(path)
    assert f"{path}:2:" in str(err.value)
    assert f"超过{reading.MAX_FIELD_CHARS}个字符" in str(err.value) and "longer than" in str(err.value)


def test_a_pipe_or_a_folder_named_like_a_report_is_refused_without_reading_it(tmp_path, tiny_store):
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)  # reading it would block for ever
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    for path in (pipe, folder):
        text = first_error(import_file(tiny_store, path))
        assert text == f"{path}: 无法读取文件：not a regular file / cannot read the file: not a regular file"


def test_a_password_protected_workbook_is_named_so_not_badzipfile(tmp_path):
    # an encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream
    blob = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 2000
    )
    path = tmp_path / "locked.xlsx"
    path.write_bytes(blob)
    with pytest.raises(ReportImportError) as err:
        reading.read_table(path)
    text = str(err.value)
    assert "文件有密码保护" in text and "password-protected" in text and "BadZipFile" not in text


def test_a_csv_mixing_utf8_and_gbk_names_the_line_where_the_second_encoding_starts(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        HEADER.encode("utf-8")
        + "湖头镇,terminals,2005-06,1,,\n".encode()
        + "界湖镇,terminals,2005-06,2,,\n".encode("gbk")
    )
    with pytest.raises(ReportImportError) as err:
        reading.read_table(path)
    text = str(err.value)
    assert text.startswith(f"{path}:3: ")
    assert "UTF-8" in text and "GBK" in text and "no header" not in text


# ----- numbers and months ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e30", "1e308", "1e13"])
def test_an_implausibly_large_value_is_refused_with_file_row_and_field(tmp_path, tiny_store, value):
    path = csv_file(tmp_path, f"hutou,tech_income,2005-06,{value},,\n")
    text = first_error(import_file(tiny_store, path))
    assert text.startswith(f"{path}:2: 累计完成: ")
    assert value in text and "implausibly large" in text and "settings.limits" in text


def test_a_value_converted_beyond_the_float_range_is_refused_not_infinite(tmp_path, tiny_store):
    # 1e308 亿元 in 万元 is 1e312: beyond a float; refused, never stored as inf
    path = csv_file(tmp_path, "hutou,tech_income,2005-06,1e308亿元,,\n")
    assert "implausibly large" in first_error(import_file(tiny_store, path))


def test_the_ceiling_comes_from_the_plans_settings_limits(tmp_path):
    plan_file = tmp_path / "limits.yaml"
    plan_file.write_text(
        TINY.read_text(encoding="utf-8") + "settings:\n  limits: {default: 1.0e12, 万元: 1000}\n",
        encoding="utf-8",
    )
    with Store.create(tmp_path / "ws", plan_file) as store:
        assert import_file(store, csv_file(tmp_path, "hutou,tech_income,2005-06,999,,\n", "ok.csv")).ok
        text = first_error(
            import_file(store, csv_file(tmp_path, "hutou,tech_income,2005-06,1001,,\n", "big.csv"))
        )
    assert "1001" in text and "1,000万元" in text


@pytest.mark.parametrize(
    "month, words",
    [
        ("2005-02-30", ("2005年2月只有28天", "has 28 days")),
        ("2005-13-01", ("月份13不在1–12之间", "month 13")),
    ],
)
def test_an_impossible_date_in_the_month_column_is_refused(tmp_path, tiny_store, month, words):
    path = csv_file(tmp_path, f"hutou,terminals,2005-06,1,,\nhutou,tech_income,{month},1,,\n")
    text = first_error(import_file(tiny_store, path))
    assert text.startswith(f"{path}:3: 月份: ")
    for w in words:
        assert w in text


def test_a_month_far_ahead_of_every_other_reporter_is_accepted_with_a_warning_naming_it(tmp_path, tiny_store):
    # both towns are at 2005-05; 湖头镇 types 2005-12 for 2005-06
    outcome = import_file(tiny_store, csv_file(tmp_path, "hutou,terminals,2005-12,120,,\n"))
    assert outcome.ok
    [warning] = [str(p) for p in outcome.warnings]
    assert warning.startswith(f"{tmp_path / 'town.csv'}:2: 月份: ")
    assert "湖头镇" in warning and "2005-12" in warning and "2005-05" in warning and "7" in warning


def test_the_next_month_or_a_first_reporter_gives_no_month_warning(tmp_path, tiny_store):
    assert not import_file(tiny_store, csv_file(tmp_path, "hutou,terminals,2005-06,120,,\n")).warnings
    with Store.create(tmp_path / "fresh", TINY) as fresh:
        assert not import_file(fresh, csv_file(tmp_path, "hutou,terminals,2005-12,120,,\n", "b.csv")).warnings


def test_a_conflict_between_a_converted_value_and_a_plain_one_shows_the_difference(tmp_path, tiny_store):
    # 8.6667万平方米 = 86,667 m² = 130.0005 亩, not 130
    path = csv_file(
        tmp_path, "hutou,mushroom_area,2005-06,130,,\nhutou,mushroom_area,2005-06,8.6667万平方米,,\n"
    )
    text = first_error(import_file(tiny_store, path))
    assert "(same org, measure and month; 130 vs 130)" not in text and "（130 与 130）" not in text
    assert "130 vs 130.0005" in text and "130 与 130.0005" in text


def test_five_thousand_blank_value_rows_give_one_warning_per_kind_with_a_count(tmp_path, tiny_store):
    body = "hutou,terminals,2005-06,120,,\n" + "jiehu,terminals,2005-06,,,\n" * 5000
    outcome = import_file(tiny_store, csv_file(tmp_path, body))
    assert outcome.ok
    assert len(outcome.warnings) == 21
    assert "另有4980处同类提示" in str(outcome.warnings[-1]) and "4980 more of this kind" in str(
        outcome.warnings[-1]
    )


# ----- per-file outcome --------------------------------------------------------------------------


def test_an_unforeseen_error_in_one_file_is_that_files_refusal_and_the_next_file_is_tried(
    tmp_path, tiny_store, monkeypatch
):
    from kejifu.io import importer

    real = importer.validate_table

    def boom(table, plan, existing=None):
        if table.file.endswith("bad.csv"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(table, plan, existing)

    monkeypatch.setattr(importer, "validate_table", boom)
    good = csv_file(tmp_path, "hutou,terminals,2005-06,120,,\n", "good.csv")
    bad = csv_file(tmp_path, "hutou,terminals,2005-06,121,,\n", "bad.csv")
    good2 = csv_file(tmp_path, "jiehu,terminals,2005-06,60,,\n", "good2.csv")
    seen = []
    outcomes = import_files(
        tiny_store, [good, bad, good2], progress=False, on_outcome=lambda o: seen.append(o.file)
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert seen == [str(good), str(bad), str(good2)]
    assert str(outcomes[1].errors[0]) == (
        f"{bad}: 无法导入此文件（RecursionError: maximum recursion depth exceeded），本文件未导入任何数据"
        " / this file could not be imported (RecursionError: maximum recursion depth exceeded);"
        " nothing from it was imported"
    )
    r = tiny_store.reports().set_index(["org", "month"])["value"]
    assert (r[("hutou", "2005-06")], r[("jiehu", "2005-06")]) == (120.0, 60.0)


def test_kejifu_import_tries_every_file_prints_each_result_and_a_summary(tmp_path):
    ws = tmp_path / "ws"
    Store.create(ws, TINY).close()
    good = csv_file(tmp_path, "hutou,terminals,2005-06,120,,\n", "good.csv")
    long = csv_file(tmp_path, "hutou,terminals,2005-06,1,," + "x" * 200_000 + "\n", "longfield.csv")
    good2 = csv_file(tmp_path, "jiehu,terminals,2005-06,60,,\n", "good2.csv")
    done = subprocess.run(
        [sys.executable, "-m", "kejifu", "import", str(ws), str(good), str(long), str(good2)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{good}: 已导入：新增 1 行")
    assert lines[1].startswith(f"{long}: 已拒绝（1 个错误）")
    assert lines[2].startswith(f"{good2}: 已导入：新增 1 行")
    assert lines[-1].startswith("共 3 个文件：导入 2 个，拒绝 1 个")
    assert f"{long}:2: " in done.stderr and "longer than" in done.stderr


# ----- registers through the same reader ---------------------------------------------------------


def test_a_register_file_with_an_impossible_date_is_refused_saying_why(tmp_path):
    plan = load_plan(TINY)
    path = tmp_path / "patents.csv"
    path.write_text("名称,单位,日期\n一种菌种,hutou,2005-02-30\n", encoding="utf-8")
    with pytest.raises(ReportImportError) as err:
        read_register_file(path, "patents", plan)
    [p] = err.value.problems
    assert (p.row, p.field) == (2, "date")
    assert "2005年2月只有28天" in p.zh and "2005-02 has 28 days" in p.en


def test_a_register_workbook_with_a_stray_far_cell_is_read_in_bounds(tmp_path):
    plan = load_plan(TINY)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["专利名称", "单位", "申请日期"])
    ws.append(["一种菌种", "湖头镇", "2005-03-01"])
    ws["XFD1048576"] = " "
    path = tmp_path / "patents.xlsx"
    wb.save(path)
    got = read_register_file(path, "patents", plan)
    assert got[["item_key", "org"]].values.tolist() == [["一种菌种", "hutou"]]


# ----- templates ---------------------------------------------------------------------------------


def test_template_out_a_folder_writes_the_default_name_inside_it_not_folder_xlsx(tmp_path, capsys):
    from kejifu.cli import main

    ws = tmp_path / "ws"
    Store.create(ws, TINY).close()
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["template", str(ws), "--org", "hutou", "--month", "2005-06", "--out", str(folder)]) == 0
    assert [p.name for p in folder.iterdir()] == ["模板_湖头镇_2005-06.xlsx"]
    assert not (tmp_path / "out.xlsx").exists()
    assert str(folder / "模板_湖头镇_2005-06.xlsx") in capsys.readouterr().out


def test_a_template_default_name_never_leads_out_of_the_folder():
    from kejifu.cli.cmd_template import default_name

    assert default_name("../../etc/x", "2005-06") == "模板__.._etc_x_2005-06.xlsx"
    assert default_name('a\\b:c*?"<>|', "2005-06") == "模板_a_b_c" + "_" * 6 + "_2005-06.xlsx"


def test_a_register_file_of_thousands_of_bad_rows_lists_a_few_of_each_kind_and_a_count(tmp_path):
    plan = load_plan(TINY)
    path = tmp_path / "patents.csv"
    path.write_text(
        "名称,单位,日期\n" + "".join(f"专利{i},东风镇,2005-03-01\n" for i in range(3000)), encoding="utf-8"
    )
    with pytest.raises(ReportImportError) as err:
        read_register_file(path, "patents", plan)
    problems = err.value.problems
    assert len(problems) == 21
    assert [p.row for p in problems[:3]] == [2, 3, 4]
    assert "另有2980处同类提示" in problems[-1].zh and "2980 more of this kind" in problems[-1].en


def test_a_hundred_thousand_overlapping_merged_ranges_are_refused_within_bounds(tmp_path):
    def merged():
        yield SHEET_OPEN + HEADER_ROW
        yield b"".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode() for r in range(2, 12))
        yield b"</sheetData><mergeCells>"
        yield b"".join(f'<mergeCell ref="A2:GR{11 + i}"/>'.encode() for i in range(100_000))
        yield b"</mergeCells></worksheet>"

    path = rewritten_sheet(tmp_path, "merges.xlsx", merged())
    result = measured(path)
    assert result["outcome"].startswith(f"refused: {path}: 文件单元格过多"), result
    within_bounds(result)


def test_a_report_by_a_name_two_orgs_share_is_refused_and_by_id_it_lands(tmp_path):
    text = TINY.read_text(encoding="utf-8").replace(
        "{id: ent_a, name: 示例企业A,", "{id: ent_a, name: 湖头镇,"
    )
    plan_file = tmp_path / "twins.yaml"
    plan_file.write_text(text, encoding="utf-8")
    with Store.create(tmp_path / "ws", plan_file) as s:
        by_name = import_file(s, csv_file(tmp_path, "湖头镇,terminals,2005-05,100,,\n", "name.csv"), who="t")
        message = first_error(by_name)
        assert "name.csv:2" in message and "湖头镇" in message and "多个单位" in message
        assert "more than one org" in message
        assert s.reports().empty  # nothing landed on either twin
        by_id = import_file(s, csv_file(tmp_path, "hutou,terminals,2005-05,100,,\n", "id.csv"), who="t")
        assert by_id.ok and s.reports()["org"].tolist() == ["hutou"]
