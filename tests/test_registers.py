"""Registers (台帐): items counted into monthly year-to-date reports; register files read all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from kejifu.errors import ReportImportError
from kejifu.io.registers import read_register_file
from kejifu.plan import parse_plan
from kejifu.registers import register_reports
from kejifu.store import Store
from kejifu.workspace import open_workspace
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures: every test on both back-ends)

TINY = """\
plan: {id: tiny, title: 小计划, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: hutou, name: 湖头镇, kind: town, parent: c}
  - {id: jiehu, name: 界湖镇, kind: town, parent: c}
  - {id: ent_a, name: 示例企业A, kind: enterprise, parent: c}
targets:
  - {id: terminals, title: 信息机, unit: 台, target: 10, source: register, allocations: {hutou: 6, jiehu: 4}}
  - {id: patents, title: 专利, unit: 件, target: 4, source: register}
  - {id: ledger_people, title: 特派员, unit: 名, target: 2, source: register, register: specialists}
"""


@pytest.fixture(autouse=True)
def _db(db_url):
    """Every test runs on SQLite and on PostgreSQL (a fresh database; KEJIFU_DB_URL points at it)."""
    return db_url


@pytest.fixture
def register_plan():
    return parse_plan(TINY, "tiny.yaml")


def items(kind, org, dates, **extra):
    return pd.DataFrame({"kind": kind, "org": org, "date": pd.to_datetime(dates), **extra})


def test_three_terminals_give_hand_computed_monthly_counts(register_plan):
    its = items("terminals", "hutou", ["2005-02-10", "2005-02-20", "2005-04-01"])
    rep = register_reports(register_plan, its)
    hutou = rep[(rep.org == "hutou") & (rep.measure == "terminals")]
    assert hutou["month"].tolist() == ["2005-01", "2005-02", "2005-03", "2005-04"]
    assert hutou["value"].tolist() == [0.0, 2.0, 2.0, 3.0]


def test_an_allocated_org_without_items_counts_zero_for_the_same_months(register_plan):
    rep = register_reports(register_plan, items("terminals", "hutou", ["2005-02-10", "2005-04-01"]))
    jiehu = rep[rep.org == "jiehu"]
    assert jiehu["value"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert set(rep["org"]) == {"hutou", "jiehu"}


def test_counting_through_a_later_month_carries_the_count_on(register_plan):
    rep = register_reports(
        register_plan, items("terminals", "hutou", ["2005-02-10", "2005-04-01"]), through="2005-06"
    )
    hutou = rep[(rep.org == "hutou") & (rep.measure == "terminals")]
    assert hutou["value"].tolist() == [0.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    # an empty register without allocations has no org to count for: no rows (no data)
    assert set(rep["measure"]) == {"terminals"}


def test_items_outside_the_plan_year_and_withdrawn_items_are_not_counted(register_plan):
    its = items(
        "terminals", "hutou", ["2004-12-30", "2005-01-05", "2005-01-06"], withdrawn=[False, False, True]
    )
    rep = register_reports(register_plan, its)
    assert rep[rep.org == "hutou"]["value"].tolist() == [1.0]


def test_a_target_can_name_its_register(register_plan):
    rep = register_reports(register_plan, items("specialists", "jiehu", ["2005-03-01"]))
    assert rep[rep.measure == "ledger_people"]["value"].tolist() == [0.0, 0.0, 1.0]


def test_a_plan_without_register_targets_gives_an_empty_frame():
    p = parse_plan(TINY.split("targets:")[0] + "targets:\n  - {id: x, title: x, unit: 个, target: 1}\n")
    rep = register_reports(p, items("terminals", "hutou", ["2005-01-01"]))
    assert rep.empty and list(rep.columns) == ["org", "measure", "month", "value", "note"]


def test_a_register_file_with_chinese_headers_is_read(tmp_path, register_plan):
    f = tmp_path / "terminals.csv"
    f.write_text(
        "乡镇,村,日期,编号\n湖头镇,东村,2005-02-10,T1\nhutou,西村,2005/2/20,T2\njiehu,南村,2005年4月1日,T3\n",
        encoding="utf-8",
    )
    got = read_register_file(f, "terminals", register_plan)
    assert got["org"].tolist() == ["hutou", "hutou", "jiehu"]
    assert got["item_key"].tolist() == ["T1", "T2", "T3"]
    assert got["date"].dt.strftime("%Y-%m-%d").tolist() == ["2005-02-10", "2005-02-20", "2005-04-01"]
    assert got["village"].tolist() == ["东村", "西村", "南村"]


def test_a_specialists_file_in_xlsx_reads_levels_and_outside_hires(tmp_path, register_plan):
    f = tmp_path / "sp.xlsx"
    pd.DataFrame(
        {
            "姓名": ["甲", "乙"],
            "单位": ["hutou", "jiehu"],
            "日期": ["2005-03-01", "2005-03-02"],
            "级别": ["县级", "乡镇级"],
            "县外": ["是", "否"],
        }
    ).to_excel(f, index=False)
    got = read_register_file(f, "specialists", register_plan)
    assert got["level"].tolist() == ["county", "town"]
    assert got["outside"].tolist() == [True, False]
    assert got["item_key"].tolist() == ["甲", "乙"]


def test_every_problem_in_a_register_file_is_located_and_nothing_is_returned(tmp_path, register_plan):
    f = tmp_path / "bad.csv"
    f.write_text(
        "org,village,date,serial\n"
        "nowhere,东村,2005-02-10,T1\n"  # line 2: unknown org
        "hutou,西村,2005-13-40,T2\n"  # line 3: bad date
        "hutou,北村,2004-12-01,T3\n"  # line 4: outside the plan year
        "hutou,南村,2005-04-01,T2\n",  # line 5: duplicate serial
        encoding="utf-8",
    )
    with pytest.raises(ReportImportError) as exc:
        read_register_file(f, "terminals", register_plan)
    found = [(p.row, p.field) for p in exc.value.problems]
    assert found == [(2, "org"), (3, "date"), (4, "date"), (5, "serial")]
    text = str(exc.value)
    assert "未知单位" in text and "unknown org" in text and f"{f}:2" in text


def test_a_missing_column_is_reported_on_the_header_line(tmp_path, register_plan):
    f = tmp_path / "nocol.csv"
    f.write_text("乡镇,日期,编号\nhutou,2005-02-10,T1\n", encoding="utf-8")
    with pytest.raises(ReportImportError) as exc:
        read_register_file(f, "terminals", register_plan)
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, "village")]


def test_the_terminals_status_moves_when_an_item_is_added(tmp_path, register_plan):
    pf = tmp_path / "tiny.yaml"
    pf.write_text(TINY, encoding="utf-8")
    store = Store.create(tmp_path / "ws", pf)
    store.commit_register_items(
        items("terminals", "hutou", ["2005-01-10"]).assign(serial="T1"),
        kind="terminals",
        source_file="a",
        sha256="a",
    )
    with open_workspace(tmp_path / "ws") as ws:
        before = ws.status("2005-01-31").set_index(["target", "org"]).loc[("terminals", "hutou")]
    store.commit_register_items(
        items("terminals", "hutou", ["2005-01-20"]).assign(serial="T2"),
        kind="terminals",
        source_file="b",
        sha256="b",
    )
    store.close()
    with open_workspace(tmp_path / "ws") as ws:
        after = ws.status("2005-01-31").set_index(["target", "org"]).loc[("terminals", "hutou")]
    assert (before["actual"], after["actual"]) == (1.0, 2.0)
    assert after["completion"] == pytest.approx(2 / 6)
    assert before["completion"] == pytest.approx(1 / 6)
