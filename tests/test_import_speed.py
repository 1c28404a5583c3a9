"""Importing a province month fast: the column-by-column path of validation gives exactly the rows
and problems of the cell-by-cell check (kejifu.io.fastrows, kejifu.io.validate), on hand-made and
random rows with bad cells of every kind."""

from __future__ import annotations

import datetime as dt
import importlib
import random

import numpy as np
import pandas as pd
import pytest

from kejifu.io import fastrows
from kejifu.io.reading import RawRow, RawTable, read_table
from tests.helpers import TINY_PLAN_FILE
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures: the store tests on both back-ends)

validate = importlib.import_module("kejifu.io.validate")  # the module, not the function of kejifu.io

HEADERS = {
    "org": "单位",
    "measure": "指标",
    "month": "月份",
    "value": "累计完成",
    "unit": "计量单位",
    "note": "备注",
}

POOLS = {
    "org": [
        "hutou",
        "湖头镇",
        "Hutou",
        "界湖",
        "jiehu",
        "'hutou",
        " hutou ",
        "nowhere",
        "",
        None,
        5,
        "ent_a",
    ],
    "measure": [
        "terminals",
        "安装农村科技信息机",
        "mushroom_area",
        "tech_income",
        "ht_output",
        "industrial_output",
        "ht_share",
        "patents",
        "nothing",
        "",
        None,
        "'terminals",
    ],
    "month": [
        "2005-06",
        "2005-07",
        "2005/6",
        "2005年8月",
        "6月",
        "200509",
        "2004-06",
        "2005-13",
        "2005-02-30",
    ]
    + ["2005.1", "", None, dt.date(2005, 5, 31), 200510, 2005.5, "'2005-06", "junk"],
    "value": ["12", "180", "3.5", "0", "1,234", "2.5万", "'42", " 7 ", "-3", "abc", "", None, "1e99", "nan"]
    + [12, 3.25, -1.0, float("nan"), True, 10**30, "30.14%", "2亿元", "100亩", "1.5", "7.0000000001"],
    "unit": ["", None, "台", "亩", "万元", "亿元", "公顷", "km", "'亩", "%", "个"],
    "note": ["", None, "调减", "  ", 3.0, "'=x"],
}


def tiny_table(rows: list[dict], file: str = "town.csv") -> RawTable:
    return RawTable(
        file=file,
        header_line=1,
        columns={f: i for i, f in enumerate(HEADERS)},
        headers=dict(HEADERS),
        rows=[RawRow(line, values) for line, values in rows],
    )


def both(monkeypatch, table, plan, existing=None):
    """(column by column, cell by cell) validation of ``table``."""
    fast = validate.validate_table(table, plan, existing)
    monkeypatch.setattr(validate, "FAST_ROWS", False)
    slow = validate.validate_table(table, plan, existing)
    monkeypatch.setattr(validate, "FAST_ROWS", True)
    return fast, slow


def assert_same(fast, slow):
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert [(str(p), p.level, p.row, p.field) for p in fast.problems] == [
        (str(p), p.level, p.row, p.field) for p in slow.problems
    ]


def test_clean_rows_are_found_and_converted_like_the_cell_by_cell_check(monkeypatch, tiny_plan):
    table = tiny_table(
        [
            (2, {"org": "hutou", "measure": "terminals", "month": "2005-06", "value": "180", "unit": "台"}),
            (3, {"org": "湖头镇", "measure": "mushroom_area", "month": "2005/6", "value": "2.5", "unit": ""}),
            (5, {"org": "jiehu", "measure": "tech_income", "month": "6月", "value": "'12.5", "note": "调减"}),
            (
                6,
                {
                    "org": "jiehu",
                    "measure": "mushroom_area",
                    "month": "2005-06",
                    "value": "1",
                    "unit": "公顷",
                },
            ),
            (7, {"org": "jiehu", "measure": "terminals", "month": "2005-06", "value": "3.5"}),
        ]
    )
    found = fastrows.clean_rows(
        {f: [r.values.get(f) for r in table.rows] for f in HEADERS},
        validate._Context(
            "f",
            {},
            tiny_plan,
            validate.Resolver(tiny_plan),
            tiny_plan.reportable(),
            validate.ceiling_of(tiny_plan),
            validate._Memo(),
            2005,
            [],
        ),
        validate.parse_month,
    )
    # a unit other than the measure's (公顷 → 亩) and a fraction of a count go cell by cell
    assert found["mask"].tolist() == [True, True, True, False, False]
    assert found["value"][:3].tolist() == [180.0, 2.5, 12.5]
    assert found["month"][:3].tolist() == ["2005-06"] * 3
    assert found["note"][:3].tolist() == ["", "", "调减"]
    fast, slow = both(monkeypatch, table, tiny_plan)
    assert_same(fast, slow)
    # 1 公顷 = 15 亩; 3.5 terminals is refused at its line
    assert fast.frame["value"].tolist() == [180.0, 2.5, 12.5, 15.0]
    assert [(p.row, p.field) for p in fast.errors] == [(7, "累计完成")]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_rows_with_bad_cells_give_the_same_rows_and_problems_both_ways(monkeypatch, tiny_plan, seed):
    rng = random.Random(seed)
    rows = []
    for line in range(2, 1202):
        cells = {f: rng.choice(pool) for f, pool in POOLS.items()}
        if rng.random() < 0.5:  # most rows of a real file are clean
            cells.update(org=rng.choice(["hutou", "jiehu"]), measure=rng.choice(["terminals", "tech_income"]))
            cells.update(month=f"2005-{rng.randint(1, 12):02d}", value=str(rng.randint(0, 999)), unit="")
        rows.append((line, cells))
    table = tiny_table(rows)
    existing = pd.DataFrame(
        {
            "org": pd.Categorical(["hutou", "jiehu", "hutou"]),
            "measure": pd.Categorical(["terminals", "terminals", "tech_income"]),
            "month": pd.Categorical(["2005-03", "2005-04", "2005-05"], ordered=True),
            "value": [500.0, 20.0, 700.0],
            "note": ["", "", ""],
        }
    )
    fast, slow = both(monkeypatch, table, tiny_plan, existing)
    assert_same(fast, slow)
    assert 0 < len(fast.frame) < len(rows) and fast.errors and fast.warnings


def test_a_csv_file_gives_the_same_rows_and_problems_both_ways(monkeypatch, tmp_path, tiny_plan):
    lines = ["单位,指标,月份,累计完成,计量单位,备注"]
    rng = random.Random(7)
    for _ in range(600):
        cells = [rng.choice([c for c in POOLS[f] if isinstance(c, str)]) for f in HEADERS]
        lines.append(",".join(f'"{c}"' for c in cells))
    path = tmp_path / "town.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = both(monkeypatch, read_table(path), tiny_plan)
    assert_same(fast, slow)


def test_distinct_codes_keep_types_apart_and_number_cells_in_order_of_first_appearance():
    code, uniques = fastrows.codes(["1", 1, 1.0, "1", None, 1, [1]])
    assert code.tolist() == [0, 1, 2, 0, 3, 1, 4]
    assert uniques[:4] == ["1", 1, 1.0, None] and [type(u) for u in uniques[:3]] == [str, int, float]
    assert np.isnan(fastrows._plain_value("1,234")) and fastrows._plain_value("'56.25") == 56.25


# ----- the stored figures an import reads ----------------------------------------------------------


def _commit(store, rows, name):
    frame = pd.DataFrame(rows, columns=["org", "measure", "month", "value"]).assign(unit="", note="")
    store.commit_reports(frame, source_file=name, sha256=name * 8, who="tester")


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_a_small_file_checked_against_its_own_stored_figures_gets_the_findings_of_all_of_them(
    tmp_path, tiny_plan, seed, db_url
):
    from kejifu.io.importer import check_file, stored_figures
    from kejifu.store import Store

    rng = random.Random(seed)
    orgs, measures = ["hutou", "jiehu", "ent_a"], ["terminals", "tech_income", "mushroom_area"]
    with Store.create(tmp_path / "ws", TINY_PLAN_FILE, url=db_url) as store:
        last = {o: rng.randint(3, 9) for o in orgs}  # each org's latest stored month
        rows = [
            (o, m, f"2005-{mo:02d}", float(rng.randint(0, 50) * mo))
            for o in orgs
            for m in measures
            for mo in range(1, last[o] + 1)
            if rng.random() < 0.8
        ]
        _commit(store, rows, "a")
        _commit(store, [(o, m, mon, v + rng.choice([-40.0, 5.0])) for o, m, mon, v in rows[::3]], "b")
        full = store.reports(years=(2005, 2005), figures_only=True)
        town = rng.choice(orgs)
        lines = [
            f"{town},{rng.choice(measures[:2])},2005-{rng.randint(1, 12):02d},{rng.randint(0, 400)},,"
            + rng.choice(["", "调减"])
            for _ in range(8)
        ]
        path = tmp_path / "town.csv"
        path.write_text("单位,指标,月份,累计完成,计量单位,备注\n" + "\n".join(lines) + "\n", encoding="utf-8")
        want, _ = check_file(path, tiny_plan, full)
        got, _ = check_file(path, tiny_plan, lambda frame: stored_figures(store, tiny_plan, frame))
        part = stored_figures(store, tiny_plan, want.frame)
    assert [str(p) for p in got.problems] == [str(p) for p in want.problems]
    assert set(part["org"]) <= set(orgs) and len(part) < len(full) + 3


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "单位,指标,月份,累计完成\nhutou,terminals,2005-06,12\n\n , ,\njiehu,terminals,2005-06,3,, \n",
            [1, 2, 5],
        ),
        ("单位;指标;月份;累计完成\r\nhutou;terminals;2005-06;12\r\n\r\njiehu;terminals;2005-07;4", [1, 2, 4]),
        ("单位\t指标\t月份\t累计完成\rhutou\tterminals\t2005-06\t12\r\t\t\t\r", [1, 2]),
        (
            '单位,指标,月份,累计完成,备注\nhutou,terminals,2005-06,12,"two\nlines"\njiehu,terminals,2005-06,3,\n',
            [1, 2, 4],
        ),
    ],
)
def test_a_csv_read_in_one_go_has_the_records_and_lines_of_the_record_by_record_reading(
    monkeypatch, text, lines
):
    from kejifu.io import reading

    data = text.encode("utf-8")
    fast = reading._csv_grid(data, "x.csv")
    monkeypatch.setattr(reading, "_one_line_records", lambda *a: None)
    assert fast == reading._csv_grid(data, "x.csv")
    # the blank records are left out and each record keeps its first line
    assert [line for line, _ in fast] == lines
