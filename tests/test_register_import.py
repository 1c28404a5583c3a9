"""Registers (台帐) from files: the blank template, ``kejifu import DIR --register KIND FILE``, all or
nothing, corrections as new revisions, the batch recorded with the clerk's name."""

from __future__ import annotations

import datetime as dt
import functools

import openpyxl
import pytest

from kejifu.io.registers import (
    HEADERS,
    TEMPLATE_HEADER_ROW,
    field_of,
    import_register_file,
    make_register_template,
    template_fields,
)
from kejifu.plan import parse_plan
from kejifu.registers import KINDS
from kejifu.store import Store
from kejifu.workspace import open_workspace
from tests.helpers import make_workspace, run_in_process

PLAN = """\
plan: {id: reg, title: 台帐测试计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: hutou, name: 湖头镇, kind: town, parent: c}
  - {id: jiehu, name: 界湖镇, kind: town, parent: c}
targets:
  - {id: terminals, title: 信息机, unit: 台, target: 10, source: register, allocations: {hutou: 6, jiehu: 4}}
  - {id: patents, title: 专利, unit: 项, target: 4, source: register}
  - {id: specialists, title: 特派员, unit: 名, target: 2, source: register}
"""
FIRST = TEMPLATE_HEADER_ROW + 1  # the sheet row of the first item


@pytest.fixture
def kejifu(capsys):
    return functools.partial(run_in_process, capsys)


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path, PLAN)


@pytest.fixture
def plan():
    return parse_plan(PLAN, "reg.yaml")


def filled(path, kind, rows, plan):
    """The blank template of ``kind`` with ``rows`` (dicts field -> value) filled in from its first
    item row, as a clerk fills it; its path."""
    wb = make_register_template(plan, kind)
    sheet = wb.worksheets[0]
    fields = template_fields(kind)
    for i, row in enumerate(rows):
        for f, value in row.items():
            sheet.cell(FIRST + i, fields.index(f) + 1, value)
    wb.save(path)
    return path


def T(serial, village, day, org="湖头镇", **more):
    return {"org": org, "village": village, "date": day, "serial": serial, **more}


def test_the_blank_terminals_template_has_chinese_headers_and_dropdowns(plan):
    wb = make_register_template(plan, "terminals")
    sheet = wb.worksheets[0]
    headers = [c.value for c in sheet[TEMPLATE_HEADER_ROW]]
    assert headers == ["乡镇 *", "村 *", "安装日期 *", "设备编号 *", "名称", "备注", "撤销"]
    lists = wb.worksheets[1]
    assert lists.sheet_state == "hidden"
    assert [r[0].value for r in lists.iter_rows()] == ["测试县", "湖头镇", "界湖镇"]
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    last = TEMPLATE_HEADER_ROW + 500
    assert rules[f"A{FIRST}:A{last}"].formula1 == f"'{lists.title}'!$A$1:$A$3"
    assert rules[f"G{FIRST}:G{last}"].formula1 == '"是,否"'
    date_rule = rules[f"C{FIRST}:C{last}"]
    # Excel's day numbers of 2005-01-01 and 2005-12-31 (days since 1899-12-30)
    assert (date_rule.type, date_rule.formula1, date_rule.formula2) == ("date", "38353", "38717")


def test_the_specialists_template_offers_the_two_levels(plan):
    sheet = make_register_template(plan, "specialists").worksheets[0]
    headers = [c.value for c in sheet[TEMPLATE_HEADER_ROW]]
    assert headers[:5] == ["姓名 *", "派驻单位 *", "派出日期 *", "级别", "县外聘请"]
    level_col = openpyxl.utils.get_column_letter(headers.index("级别") + 1)
    rule = next(dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(level_col))
    assert rule.formula1 == '"县级,乡镇级"'


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_template_header_reads_back_as_its_field(kind, lang, plan):
    sheet = make_register_template(plan, kind, lang=lang).worksheets[0]
    headers = [c.value for c in sheet[TEMPLATE_HEADER_ROW]]
    assert [field_of(h) for h in headers] == list(template_fields(kind))
    assert set(template_fields(kind)) <= set(HEADERS.values())


def test_a_good_file_lands_as_one_batch_under_the_clerks_name(tmp_path, ws, plan, kejifu):
    f = filled(
        tmp_path / "信息机台帐.xlsx",
        "terminals",
        [
            T("T1", "东村", dt.datetime(2005, 2, 10)),
            T("T2", "西村", "2005-02-20"),
            T("T3", "南村", dt.datetime(2005, 4, 1), org="界湖镇"),
        ],
        plan,
    )
    r = kejifu("import", ws, "--register", "terminals", f, "--who", "王小红")
    assert r.returncode == 0, r.stderr
    assert "新增 3 行" in r.stdout
    store = Store.open(ws)
    try:
        items = store.register_items("terminals").set_index("item_key")
        batch = store.batches().iloc[-1]
    finally:
        store.close()
    assert sorted(items.index) == ["T1", "T2", "T3"]
    assert items.loc["T3", "org"] == "jiehu" and items.loc["T1", "village"] == "东村"
    assert items.loc["T2", "date"] == dt.datetime(2005, 2, 20)
    assert (batch["kind"], batch["who"], batch["source_file"]) == ("register:terminals", "王小红", str(f))
    assert batch["rows_added"] == 3
    with open_workspace(ws) as w:
        hutou = w.status("2005-04-30").set_index(["target", "org"]).loc[("terminals", "hutou")]
    assert hutou["actual"] == 2.0 and hutou["completion"] == pytest.approx(2 / 6)


def test_a_file_with_one_bad_row_writes_nothing_and_names_the_row_and_field(tmp_path, ws, plan, kejifu):
    f = filled(
        tmp_path / "bad.xlsx",
        "terminals",
        [
            T("T1", "东村", "2005-02-10"),
            T("T2", "西村", "2005-02-20"),
            T("T3", "北村", "2005-03-01", org="不存在镇"),  # sheet row FIRST + 2: unknown org
            T("T4", "南村", "2005-04-01"),
        ],
        plan,
    )
    r = kejifu("import", ws, "--register", "terminals", f)
    assert r.returncode == 1
    assert f"{f}:{FIRST + 2}: org: 未知单位“不存在镇” / unknown org '不存在镇'" in r.stderr
    assert r.stderr.count("未知单位") == 1  # the good rows are not blamed
    store = Store.open(ws)
    try:
        assert store.register_items("terminals").empty
        assert store.batches().empty
    finally:
        store.close()


def test_an_empty_required_cell_is_named_by_its_header_in_both_languages(tmp_path, ws, plan):
    f = filled(tmp_path / "gap.xlsx", "terminals", [T("T1", None, "2005-02-10")], plan)
    store = Store.open(ws)
    try:
        outcome = import_register_file(store, f, "terminals", who="clerk")
        assert not outcome.ok and store.register_items().empty
    finally:
        store.close()
    [p] = outcome.errors
    assert (p.row, p.field) == (FIRST, "village")
    assert p.zh == "必填项“村”为空" and p.en == "required value 'village' is empty"


def test_a_second_import_of_a_corrected_item_is_a_new_revision_with_the_old_one_kept(tmp_path, ws, plan):
    first = filled(
        tmp_path / "a.xlsx", "terminals", [T("T1", "东村", "2005-02-10"), T("T2", "西村", "2005-02-20")], plan
    )
    fixed = filled(
        tmp_path / "b.xlsx",
        "terminals",
        [T("T1", "东村二组", "2005-03-05"), T("T2", "西村", "2005-02-20")],
        plan,
    )
    store = Store.open(ws)
    try:
        a = import_register_file(store, first, "terminals", who="甲")
        b = import_register_file(store, fixed, "terminals", who="乙")
        latest = store.register_items("terminals").set_index("item_key")
        history = store.item_history("terminals")
        batches = store.batches()
    finally:
        store.close()
    assert a.ok and b.ok
    assert (b.result.rows_added, b.result.rows_unchanged, b.result.revised) == (1, 1, 1)
    t1 = history[history["item_key"] == "T1"]
    assert t1["revision"].tolist() == [1, 2]
    assert t1["date"].dt.strftime("%Y-%m-%d").tolist() == ["2005-02-10", "2005-03-05"]
    assert ['"village": "东村"' in x for x in t1["attrs"]] == [True, False]
    assert latest.loc["T1", "village"] == "东村二组" and latest.loc["T1", "revision"] == 2
    assert latest.loc["T2", "revision"] == 1
    assert batches["who"].tolist() == ["甲", "乙"]


def test_the_same_file_imported_twice_adds_nothing(tmp_path, ws, plan, kejifu):
    f = filled(tmp_path / "a.xlsx", "terminals", [T("T1", "东村", "2005-02-10")], plan)
    assert kejifu("import", ws, "--register", "terminals", f).returncode == 0
    r = kejifu("import", ws, "--register", "terminals", f)
    assert r.returncode == 0 and "已导入过" in r.stdout
    store = Store.open(ws)
    try:
        assert len(store.batches()) == 1 and len(store.item_history("terminals")) == 1
    finally:
        store.close()


def test_a_withdrawn_item_stops_counting_and_keeps_its_history(tmp_path, ws, plan):
    store = Store.open(ws)
    try:
        import_register_file(
            store,
            filled(tmp_path / "a.xlsx", "terminals", [T("T1", "东村", "2005-02-10")], plan),
            "terminals",
        )
        gone = filled(tmp_path / "b.xlsx", "terminals", [T("T1", "东村", "2005-02-10", withdrawn="是")], plan)
        assert import_register_file(store, gone, "terminals").ok
        assert store.register_items("terminals").empty
        assert store.item_history("terminals")["withdrawn"].astype(bool).tolist() == [False, True]
    finally:
        store.close()


def test_a_specialists_file_keeps_levels_and_outside_hires(tmp_path, ws, plan, kejifu):
    f = filled(
        tmp_path / "sp.xlsx",
        "specialists",
        [
            {"title": "张三", "org": "湖头镇", "date": "2005-03-01", "level": "县级", "outside": "是"},
            {"title": "李四", "org": "界湖镇", "date": "2005-03-02", "level": "乡镇级", "outside": "否"},
        ],
        plan,
    )
    assert kejifu("import", ws, "--register", "specialists", f).returncode == 0
    store = Store.open(ws)
    try:
        got = store.register_items("specialists").set_index("item_key")
    finally:
        store.close()
    assert got.loc["张三", "level"] == "county" and bool(got.loc["张三", "outside"]) is True
    assert got.loc["李四", "level"] == "town" and bool(got.loc["李四", "outside"]) is False


def test_the_template_command_writes_the_blank_register(tmp_path, ws, kejifu):
    r = kejifu("template", ws, "--register", "patents", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "台帐_专利申请台帐_2005.xlsx"
    headers = [c.value for c in openpyxl.load_workbook(out).worksheets[0][TEMPLATE_HEADER_ROW]]
    assert headers[:4] == ["专利名称 *", "申请人", "所属单位 *", "申请日期 *"]


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{ws}", "--register", "bicycles", "{f}"],
        ["template", "{ws}", "--register", "bicycles"],
        ["template", "{ws}"],  # neither a town and month nor a register
    ],
)
def test_an_unknown_register_kind_or_a_template_without_a_subject_is_misuse(tmp_path, ws, kejifu, args):
    f = tmp_path / "x.csv"
    f.write_text("乡镇,村,日期,编号\n湖头镇,东村,2005-02-10,T1\n", encoding="utf-8")
    r = kejifu(
        *[a.format(ws=ws, f=f) for a in args],
        "--out" if args[0] == "template" else "--who",
        tmp_path / "o.xlsx",
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not (tmp_path / "o.xlsx").exists()
