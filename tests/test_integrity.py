"""Integrity checks (kejifu check): a clean store passes; each kind of corruption is found and named."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from kejifu import config
from kejifu.cli import main
from kejifu.errors import StoreError
from kejifu.store import Store
from kejifu.store.integrity import MAX_PER_CHECK, check_store, check_workspace
from tests.helpers import TWO_TOWN_PLAN as TINY
from tests.helpers import reports
from tests.pg import backend, db_url, pg_server, raw_sql  # noqa: F401  (fixtures)


@pytest.fixture
def ws(tmp_path, db_url):
    """A workspace with two report batches (one a revision) and a register batch."""
    pf = tmp_path / "tiny.yaml"
    pf.write_text(TINY, encoding="utf-8")
    store = Store.create(tmp_path / "ws", pf, url=db_url)
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-01", 10.0), ("jiehu", "mushroom_area", "2005-01", 5.0)]),
        source_file="jan.csv",
        sha256="s1",
        who="clerk",
    )
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-01", 12.0)]), source_file="jan-fix.csv", sha256="s2"
    )
    store.commit_register_items(
        pd.DataFrame(
            {"org": ["hutou"], "date": pd.to_datetime(["2005-01-10"]), "serial": ["T1"], "village": ["东村"]}
        ),
        kind="terminals",
        source_file="t.csv",
        sha256="t1",
    )
    store.close()
    return tmp_path / "ws"


def url_of(ws) -> str:
    return config.db_url(ws)  # KEJIFU_DB_URL (postgresql run) or the folder's SQLite file


def series_of(org: str, measure: str) -> str:
    """SQL for the id of the ``series`` row of ``org`` × ``measure`` (schema 2 keys reports by it)."""
    return f"(SELECT id FROM series WHERE org = '{org}' AND measure = '{measure}')"


def insert_report(series: str, month: int, value: float, revision: int, batch: int) -> str:
    """A raw ``INSERT`` of one report row in schema 2 columns (``month`` as the integer YYYYMM)."""
    return (
        "INSERT INTO reports (series_id, month, value, revision, batch_id) "
        f"VALUES ({series}, {month}, {value}, {revision}, {batch})"
    )


def checks_with_findings(report):
    return sorted({f.check for f in report.findings})


def test_a_freshly_filled_store_passes_every_check(ws, backend):
    report = check_workspace(ws)
    assert report.ok and report.findings == []
    assert report.counts == {
        "reports": 3,
        "series": 2,
        "register_items": 1,
        "import_batches": 3,
        "plan_versions": 1,
    }
    assert (
        "rows: reports 3, series 2, register_items 1, import_batches 3, plan_versions 1" in report.lines()[-2]
    )
    expected = [
        "tables",
        "orphans",
        "revisions",
        "batch_rows",
        "batch_match",
        "plan_versions",
        "plan_refs",
        "values",
        "items",
        "pages",
    ]
    assert report.checks == (["sqlite_integrity"] if backend == "sqlite" else []) + expected


def test_a_revision_gap_is_found_with_its_key_and_the_revisions_present(ws):
    raw_sql(url_of(ws), insert_report(series_of("jiehu", "mushroom_area"), 200501, 7, 3, 1))
    report = check_workspace(ws)
    assert not report.ok
    [gap] = report.of("revisions")
    assert gap.table == "reports" and gap.key == "jiehu mushroom_area 2005-01"
    assert (
        "1,3" in gap.zh and "1..2" in gap.zh and "revisions of jiehu mushroom_area 2005-01 are 1,3" in gap.en
    )
    # the extra row also makes batch 1 carry more rows than it recorded
    [rows] = report.of("batch_rows")
    assert "记录新增2行，实有3行" in rows.zh and "records 2 rows added but 3 rows carry it" in rows.en


def test_an_orphan_row_names_its_table_row_and_missing_batch(ws):
    raw_sql(url_of(ws), insert_report(series_of("hutou", "mushroom_area"), 200502, 20, 1, 999))
    report = check_workspace(ws)
    [orphan] = report.of("orphans")
    assert orphan.table == "reports" and "import batch 999, which does not exist" in orphan.en
    assert "不存在的导入批次999" in orphan.zh
    # written past the store, the row is not in its month's page of latest figures either
    assert checks_with_findings(report) == ["orphans", "pages"]
    assert [f.key for f in report.of("pages")] == ["2005-02"]


def test_a_report_row_whose_series_does_not_exist_is_an_orphan_named_by_row_and_series(ws):
    raw_sql(  # foreign keys are off for raw_sql (SQLite: a plain connection; PostgreSQL: replica role)
        url_of(ws),
        insert_report("999", 200502, 20, 1, 2),
        "UPDATE import_batches SET rows_added = 2 WHERE id = 2",
    )
    report = check_workspace(ws)
    [orphan] = report.of("orphans")
    assert orphan.table == "reports" and orphan.key == "4"
    assert orphan.en == "reports row 4 refers to series 999 (an org × measure), which does not exist"
    assert orphan.zh == "reports第4行引用不存在的序列999（单位×指标）"
    assert checks_with_findings(report) == ["orphans", "pages"] and not report.ok


def test_a_batch_whose_rows_added_disagrees_with_its_rows_is_found(ws):
    raw_sql(url_of(ws), "UPDATE import_batches SET rows_added = 5 WHERE id = 2")
    report = check_workspace(ws)
    assert checks_with_findings(report) == ["batch_rows"]
    assert report.of("batch_rows")[0].key == "2"
    assert (
        "import batch 2 (jan-fix.csv) records 5 rows added but 1 rows carry it"
        in report.of("batch_rows")[0].en
    )


def test_a_row_that_disagrees_with_its_batch_is_found(ws):
    # schema 2: a report row's file and sha256 are its batch's, so only its batch's kind can disagree
    raw_sql(
        url_of(ws),
        "UPDATE reports SET batch_id = 3 WHERE batch_id = 2",  # batch 3 is the register batch
        "UPDATE register_items SET batch_id = 1",
    )
    report = check_workspace(ws)
    found = {
        (f.table, f.en.split(": ")[-1].split(" differs")[0] if "differs" in f.en else "kind")
        for f in report.of("batch_match")
    }
    assert found == {
        ("reports", "kind"),
        ("register_items", "kind"),
        ("register_items", "source_file"),
        ("register_items", "sha256"),
    }
    [moved] = [f for f in report.of("batch_match") if f.table == "reports"]
    assert (
        moved.key == "3" and moved.en == "reports row 3 belongs to import batch 3 of kind register:terminals"
    )


def test_a_plan_version_whose_text_was_edited_fails_its_sha256(ws):
    raw_sql(url_of(ws), "UPDATE plan_versions SET yaml = yaml || '# edited' WHERE version = 1")
    report = check_workspace(ws)
    assert "plan version 1: its sha256 does not match its text" in [f.en for f in report.of("plan_versions")]
    assert not report.ok


def test_an_org_unknown_to_the_latest_plan_is_a_warning_that_strict_turns_into_failure(ws, capsys):
    raw_sql(
        url_of(ws),
        "INSERT INTO series (org, measure) VALUES ('nowhere', 'nothing')",
        insert_report(series_of("nowhere", "nothing"), 200501, 1, 1, 2),
        "UPDATE import_batches SET rows_added = 2 WHERE id = 2",
    )
    assert [f.key for f in check_workspace(ws).of("pages")] == ["2005-01"]  # the row went past the store
    assert main(["upgrade", str(ws), "--rebuild-pages"]) == 0
    assert "rebuilt the pages of latest figures of 1 months" in capsys.readouterr().out
    report = check_workspace(ws)
    assert report.ok and [f.level for f in report.findings] == ["warning", "warning"]
    assert [f.key for f in report.of("plan_refs")] == ["nowhere", "nothing"]
    assert main(["check", str(ws)]) == 0
    assert main(["check", str(ws), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "[警告/warning] plan_refs: reports: reports中有1行的单位“nowhere”不在最新计划中" in out


def test_register_items_with_broken_attributes_or_gaps_are_found(ws):
    raw_sql(
        url_of(ws), "UPDATE register_items SET attrs = 'not json'", "UPDATE register_items SET revision = 2"
    )
    report = check_workspace(ws)
    assert [f.key for f in report.of("items")] == ["1"]
    [gap] = report.of("revisions")
    assert gap.table == "register_items" and gap.key == "terminals T1"


def test_a_missing_table_is_reported_and_the_other_checks_are_not_run(ws):
    raw_sql(url_of(ws), "DROP TABLE register_items")
    report = check_workspace(ws)
    assert [f.en for f in report.findings] == ["table register_items is missing"]
    assert "orphans" not in report.checks


def test_findings_are_capped_per_check_with_a_line_for_the_rest(ws):
    pairs = ", ".join(f"('hutou', 'x{i}')" for i in range(MAX_PER_CHECK + 5))
    raw_sql(
        url_of(ws),
        f"INSERT INTO series (org, measure) VALUES {pairs}",
        "INSERT INTO reports (series_id, month, value, revision, batch_id) "
        "SELECT id, 200501, 1, 2, 1 FROM series WHERE measure <> 'mushroom_area'",  # the x* series
    )
    gaps = check_workspace(ws).of("revisions")
    assert len(gaps) == MAX_PER_CHECK + 1
    assert gaps[-1].en == "(5 more like this not listed)"


@pytest.mark.parametrize("backend", ["sqlite"])  # PRAGMA integrity_check exists on SQLite only
def test_sqlite_integrity_check_finds_an_index_that_no_longer_matches_its_table(tmp_path, ws, backend):
    copy = tmp_path / "copy"
    shutil.copytree(ws, copy)
    raw_sql(
        url_of(copy),
        "PRAGMA writable_schema = ON",
        "UPDATE sqlite_master SET sql = replace(sql, '(revision)', '(month)') "
        "WHERE name = 'ix_reports_revised'",
    )
    report = check_workspace(copy)
    assert report.of("sqlite_integrity") and not report.ok
    assert all(
        f.zh.startswith("SQLite报告：") and f.en.startswith("SQLite reports: ")
        for f in report.of("sqlite_integrity")
    )
    assert check_workspace(ws).ok  # the original is untouched


def test_the_check_command_exits_zero_when_clean_and_one_with_bilingual_findings(ws, capsys):
    assert main(["check", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "完整性检查通过" in out and "integrity check passed" in out
    raw_sql(url_of(ws), "UPDATE import_batches SET rows_added = 0 WHERE id = 1")
    assert main(["check", str(ws)]) == 1
    out = capsys.readouterr().out
    assert (
        "[错误/error] batch_rows: import_batches: 导入批次1（jan.csv）记录新增0行，实有2行 / "
        "import batch 1 (jan.csv) records 0 rows added but 2 rows carry it" in out
    )
    assert "完整性检查发现1个错误、0个警告 / integrity check found 1 errors and 0 warnings" in out
    assert main(["check", str(ws), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and [f["check"] for f in data["findings"]] == ["batch_rows"]


def test_checking_a_folder_that_is_not_a_workspace_is_bad_input(tmp_path, capsys, db_url):
    assert main(["check", str(tmp_path / "nothing")]) == 1
    assert "not a kejifu workspace" in capsys.readouterr().err


def test_check_store_reads_only(ws):
    store = Store.open(ws, readonly=True)
    try:
        assert check_store(store).ok
    finally:
        store.close()


@pytest.mark.parametrize("value", [1e30, float("inf"), -5.0])
def test_an_implausible_stored_value_is_found_even_when_it_bypassed_the_import(ws, value):
    with Store.open(ws) as store:  # written straight into the store, as an old version or a hand edit could
        store.commit_reports(
            reports([("jiehu", "mushroom_area", "2005-02", value)]), source_file="odd.csv", sha256="odd"
        )
    report = check_workspace(ws)
    found = report.of("values")
    assert not report.ok and len(found) == 1
    assert found[0].key == "jiehu mushroom_area 2005-02" and "不合理" in found[0].zh
    assert "implausible value" in found[0].en and "1e+12" in found[0].en


def test_a_page_of_latest_figures_that_disagrees_with_the_rows_is_found_and_rebuilt(ws, capsys):
    raw_sql(
        url_of(ws),
        f"UPDATE reports SET value = 13 WHERE series_id = {series_of('hutou', 'mushroom_area')}"
        " AND revision = 2",
    )
    [page] = check_workspace(ws).of("pages")
    assert page.key == "2005-01" and "(value)" in page.en and "kejifu upgrade --rebuild-pages" in page.en
    assert "2005-01的最新数据页与报表记录不符" in page.zh
    with Store.open(ws, readonly=True) as store:  # what readers read until it is rebuilt
        assert store.reports()["value"].tolist() == [12.0, 5.0]
    assert main(["upgrade", str(ws), "--rebuild-pages"]) == 0
    assert check_workspace(ws).ok
    with Store.open(ws, readonly=True) as store:
        assert store.reports()["value"].tolist() == [13.0, 5.0]


def test_a_damaged_page_is_refused_by_readers_with_its_month_and_found_by_the_check(ws):
    raw_sql(
        url_of(ws), "UPDATE latest_pages SET data = " + ("x'00'" if "sqlite" in url_of(ws) else "'\\x00'")
    )
    [page] = check_workspace(ws).of("pages")
    assert page.key == "2005-01" and "no page header" in page.en
    with Store.open(ws, readonly=True) as store, pytest.raises(StoreError) as exc:
        store.reports()
    assert "the latest-figures page of 2005-01 is damaged" in str(exc.value)
    assert "2005-01的最新数据页已损坏" in str(exc.value)
