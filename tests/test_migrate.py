"""Upgrading a schema 1 store (kejifu before issue 16) to schema 2: once, all or nothing, nothing lost.

A real schema 1 store is made here: a fresh store whose ``reports`` and ``series`` tables are
replaced by the schema 1 ``reports`` table (its DDL frozen below, as ``git show`` gives it for the
last schema 1 commit) and schema 1 rows, ``meta.schema_version`` set back to ``1``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from kejifu import config
from kejifu.errors import StoreError
from kejifu.store import Store, migrate
from kejifu.store.backup import dump, read_manifest, read_tables, restore
from kejifu.store.integrity import check_workspace
from kejifu.store.schema import batches_t, meta_t
from tests.helpers import TWO_TOWN_PLAN, make_workspace, run_in_process
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures)

#: the two-town plan with terminals reported monthly (schema 1 stores kept them as report rows)
PLAN = TWO_TOWN_PLAN.replace(", source: register", "").replace("id: tiny", "id: mig")

# ----- schema 1, frozen (kejifu/store/schema.py before schema 2) ---------------------------------
V1 = sa.MetaData()
sa.Table("import_batches", V1, sa.Column("id", sa.Integer, primary_key=True))  # only for the foreign key
V1_REPORTS = sa.Table(
    "reports",
    V1,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(100), nullable=False),
    sa.Column("measure", sa.String(100), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("unit", sa.String(32)),
    sa.Column("note", sa.Text),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.UniqueConstraint("org", "measure", "month", "revision", name="uq_report_revision"),
)
sa.Index("ix_reports_month", V1_REPORTS.c.month)
sa.Index(
    "ix_reports_revised",
    V1_REPORTS.c.revision,
    sqlite_where=V1_REPORTS.c.revision > 1,
    postgresql_where=V1_REPORTS.c.revision > 1,
)

JAN_MAR = ("jan-mar.csv", "a" * 64, dt.datetime(2005, 4, 5, 9, 0), "张三")
MAR_FIX = ("mar-fix.csv", "b" * 64, dt.datetime(2005, 4, 20, 16, 30), "李四")
#: (org, measure, [Jan, Feb, Mar] year-to-date) of the first batch: 2 orgs × 2 measures × 3 months.
FIGURES = [
    ("hutou", "mushroom_area", [10.0, 20.0, 30.0]),
    ("hutou", "terminals", [1.0, 2.0, 3.0]),
    ("jiehu", "mushroom_area", [5.0, 12.0, 18.0]),
    ("jiehu", "terminals", [0.0, 1.0, 4.0]),
]
MONTHS = ["2005-01", "2005-02", "2005-03"]


def v1_rows() -> list[dict]:
    """The schema 1 rows, ids 1..13 in this order: 12 of batch 1, then hutou's March mushrooms
    revised to 35 (revision 2, batch 2, id 13)."""
    rows = []
    for org, measure, values in FIGURES:
        for month, value in zip(MONTHS, values):
            rows.append(_row(org, measure, month, value, 1, 1, JAN_MAR))
    rows.append(_row("hutou", "mushroom_area", "2005-03", 35.0, 2, 2, MAR_FIX, note="补报"))
    return rows


def _row(org, measure, month, value, revision, batch_id, batch, note=None) -> dict:
    source_file, sha256, at, who = batch
    unit = "亩" if measure == "mushroom_area" else "台"
    return {
        "org": org,
        "measure": measure,
        "month": month,
        "value": value,
        "unit": unit,
        "note": note,
        "revision": revision,
        "batch_id": batch_id,
        "imported_at": at,
        "imported_by": who,
        "source_file": source_file,
        "sha256": sha256,
    }


def _engine(ws, url):
    return sa.create_engine(url or config.db_url(ws), poolclass=sa.pool.NullPool)


def make_v1_store(folder, url=None, *, forge: int | None = None):
    """A schema 1 workspace ``folder/ws`` holding :func:`v1_rows` (row ``forge``'s sha256 not its
    batch's); its path."""
    ws = make_workspace(folder, PLAN, url=url)
    engine = _engine(ws, url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE reports"))
            conn.execute(sa.text("DROP TABLE series"))
            V1.create_all(conn, tables=[V1_REPORTS])
            for (source_file, sha256, at, who), n in ((JAN_MAR, 12), (MAR_FIX, 1)):
                conn.execute(
                    sa.insert(batches_t).values(
                        kind="reports",
                        source_file=source_file,
                        sha256=sha256,
                        who=who,
                        imported_at=at,
                        rows_added=n,
                        rows_unchanged=0,
                    )
                )
            rows = v1_rows()
            if forge is not None:
                rows[forge - 1]["sha256"] = "f" * 64
            for row in rows:  # one by one: ids 1..13 in order
                conn.execute(sa.insert(V1_REPORTS).values(**row))
            conn.execute(sa.update(meta_t).where(meta_t.c.key == "schema_version").values(value="1"))
    finally:
        engine.dispose()
    return ws


def tables(ws, url=None) -> dict[str, list[dict]]:
    engine = _engine(ws, url)
    try:
        return read_tables(engine)
    finally:
        engine.dispose()


def expected_latest() -> pd.DataFrame:
    """The latest figures by hand: every first-batch figure but hutou's March mushrooms, 35 (rev. 2)."""
    rows = []
    for org, measure, values in FIGURES:
        for month, value in zip(MONTHS, values):
            revised = (org, measure, month) == ("hutou", "mushroom_area", "2005-03")
            rows.append((org, measure, month, 35.0 if revised else value, 2 if revised else 1))
    frame = pd.DataFrame(rows, columns=["org", "measure", "month", "value", "revision"])
    return frame.sort_values(["measure", "org", "month"]).reset_index(drop=True)


# ----- the upgrade -------------------------------------------------------------------------------


def test_a_schema_1_store_upgrades_on_a_writable_open_and_keeps_every_figure(tmp_path, db_url):
    ws = make_v1_store(tmp_path, db_url)
    batches_before = tables(ws, db_url)["import_batches"]
    with Store.open(ws) as store:
        done = migrate.upgraded(store)
        assert done == migrate.Upgrade(from_version=1, to_version=2, reports=13, series=4)
        latest = store.reports()
        got = latest[["org", "measure", "month", "value", "revision"]].reset_index(drop=True)
        got["revision"] = got["revision"].astype(int)
        pd.testing.assert_frame_equal(got, expected_latest(), check_dtype=False)
        fixed = latest[(latest["org"] == "hutou") & (latest["measure"] == "mushroom_area")]
        assert fixed["month"].tolist() == MONTHS and fixed["value"].tolist() == [10.0, 20.0, 35.0]
        assert fixed.iloc[-1]["source_file"] == "mar-fix.csv" and fixed.iloc[-1]["imported_by"] == "李四"

        hist = store.history("hutou", "mushroom_area")
        march = hist[hist["month"] == "2005-03"]
        assert march["revision"].tolist() == [1, 2] and march["value"].tolist() == [30.0, 35.0]
        assert march["id"].tolist() == [3, 13]  # ids kept
        assert march["sha256"].tolist() == ["a" * 64, "b" * 64]
        assert march["note"].tolist()[1] == "补报"
        assert len(store.history()) == 13
        meta = store.meta()
        assert meta["schema_version"] == "2"
        assert dt.datetime.fromisoformat(meta["upgraded_at"]).year >= 2026 - 1
    after = tables(ws, db_url)
    assert after["import_batches"] == batches_before  # batches unchanged
    assert "reports_v1" not in after
    assert [(s["id"], s["org"], s["measure"]) for s in after["series"]] == [
        (1, "hutou", "mushroom_area"),
        (2, "hutou", "terminals"),
        (3, "jiehu", "mushroom_area"),
        (4, "jiehu", "terminals"),
    ]
    row13 = after["reports"][-1]
    assert row13 == {
        "id": 13,
        "series_id": 1,
        "month": 200503,
        "value": 35.0,
        "unit": "亩",
        "note": "补报",
        "revision": 2,
        "batch_id": 2,
    }
    engine = _engine(ws, db_url)
    try:
        insp = sa.inspect(engine)
        assert {c["name"] for c in insp.get_columns("reports")} == {
            "id", "series_id", "month", "value", "unit", "note", "revision", "batch_id"
        }  # fmt: skip
        assert "ix_reports_revised" in {ix["name"] for ix in insp.get_indexes("reports")}
    finally:
        engine.dispose()
    report = check_workspace(ws)
    assert report.clean(strict=True), report.lines()


def test_the_upgraded_store_takes_new_figures_after_the_kept_ids(tmp_path, db_url):
    ws = make_v1_store(tmp_path, db_url)
    with Store.open(ws) as store:
        res = store.commit_reports(
            pd.DataFrame({"org": ["jiehu"], "measure": ["terminals"], "month": ["2005-04"], "value": [6.0]}),
            source_file="apr.csv",
            sha256="c" * 64,
        )
        assert res.batch_id == 3 and res.rows_added == 1
        hist = store.history("jiehu", "terminals")
        assert hist["id"].tolist() == [10, 11, 12, 14]  # the sequence moved past 13 (PostgreSQL)
        assert hist["value"].tolist() == [0.0, 1.0, 4.0, 6.0]


def test_a_schema_1_store_without_reports_upgrades_to_an_empty_schema_2_store(tmp_path):
    ws = make_v1_store(tmp_path)
    engine = _engine(ws, None)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports"))
    engine.dispose()
    with Store.open(ws) as store:
        assert migrate.upgraded(store) == migrate.Upgrade(1, 2, 0, 0)
        assert store.reports().empty and store.meta()["schema_version"] == "2"


def test_opening_an_upgraded_store_again_upgrades_nothing(tmp_path):
    ws = make_v1_store(tmp_path)
    Store.open(ws).close()
    before = tables(ws)
    with Store.open(ws) as store:
        assert migrate.upgraded(store) is None
    assert tables(ws) == before


def test_a_read_only_open_of_a_schema_1_store_asks_for_kejifu_upgrade_in_both_languages(tmp_path):
    ws = make_v1_store(tmp_path)
    before = tables(ws)
    with pytest.raises(StoreError) as exc:
        Store.open(ws, readonly=True)
    err = exc.value
    assert "旧版kejifu" in err.zh and f"kejifu upgrade {ws}" in err.zh
    assert "older kejifu (schema 1)" in err.en and f"kejifu upgrade {ws}" in err.en
    assert err.file == str(ws)
    assert tables(ws) == before


def test_a_row_whose_sha256_is_not_its_batchs_is_refused_and_nothing_changes(tmp_path):
    ws = make_v1_store(tmp_path, forge=7)
    before = tables(ws)
    with pytest.raises(StoreError) as exc:
        Store.open(ws)
    assert exc.value.row == 7 and exc.value.field == "sha256"
    assert "report row 7" in exc.value.en and "报表第7行" in exc.value.zh
    assert tables(ws) == before
    assert before["meta"][[m["key"] for m in before["meta"]].index("schema_version")]["value"] == "1"


def test_a_month_that_is_not_yyyy_mm_is_refused_and_nothing_changes(tmp_path):
    ws = make_v1_store(tmp_path)
    engine = _engine(ws, None)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET month = '2005-13' WHERE id = 5"))
    engine.dispose()
    before = tables(ws)
    with pytest.raises(StoreError) as exc:
        Store.open(ws)
    assert exc.value.row == 5 and exc.value.field == "month" and "'2005-13'" in exc.value.en
    assert tables(ws) == before


@pytest.mark.parametrize("version", ["0", "one"])
def test_a_store_of_a_schema_it_cannot_upgrade_is_refused_by_its_version(tmp_path, version):
    ws = make_v1_store(tmp_path)
    engine = _engine(ws, None)
    with engine.begin() as conn:
        conn.execute(sa.update(meta_t).where(meta_t.c.key == "schema_version").values(value=version))
    engine.dispose()
    before = tables(ws)
    for readonly in (False, True):
        with pytest.raises(StoreError) as exc:
            Store.open(ws, readonly=readonly)
        assert (
            f"unknown store schema version: {version}" in exc.value.en and exc.value.field == "schema_version"
        )
    assert tables(ws) == before


# ----- kejifu upgrade ----------------------------------------------------------------------------


def test_kejifu_upgrade_help_is_bilingual(capsys):
    res = run_in_process(capsys, "upgrade", "--help")
    assert res.returncode == 0 and "旧版kejifu" in res.stdout and "older kejifu" in res.stdout
    assert "工作区" in res.stdout and "workspace" in res.stdout


def test_kejifu_upgrade_says_what_it_did_then_that_there_is_nothing_to_do(tmp_path, capsys):
    ws = make_v1_store(tmp_path)
    first = run_in_process(capsys, "upgrade", ws)
    assert first.returncode == 0, first.stderr
    assert "upgraded schema 1 → 2: 13 report rows, 4 series" in first.stdout
    assert "已把数据库从版本1升级到版本2：13行报表，4个" in first.stdout
    second = run_in_process(capsys, "upgrade", ws)
    assert (
        second.returncode == 0 and "already schema 2" in second.stdout and "数据库已是版本2" in second.stdout
    )
    assert run_in_process(capsys, "check", ws).returncode == 0


def test_kejifu_upgrade_of_a_folder_that_is_no_workspace_exits_1(tmp_path, capsys):
    res = run_in_process(capsys, "upgrade", tmp_path / "nowhere")
    assert res.returncode == 1 and "not a kejifu workspace" in res.stderr


def test_kejifu_upgrade_of_a_forged_store_exits_1_naming_the_row(tmp_path, capsys):
    ws = make_v1_store(tmp_path, forge=2)
    res = run_in_process(capsys, "upgrade", ws)
    assert res.returncode == 1 and ":2: sha256:" in res.stderr and "report row 2" in res.stderr


# ----- restore -----------------------------------------------------------------------------------


def schema_1_dump(ws, file, monkeypatch):
    """A dump as the previous kejifu made it: the same dump, by a kejifu that did not upgrade."""
    with monkeypatch.context() as m:
        m.setattr(migrate, "upgrade_if_needed", lambda store: None)
        dump(ws, file)
    return file


def test_a_schema_1_dump_restores_upgraded(tmp_path, db_url, monkeypatch, request):
    ws = make_v1_store(tmp_path, db_url)
    file = schema_1_dump(ws, tmp_path / "v1.zip", monkeypatch)
    manifest = read_manifest(file)
    assert manifest["schema_version"] == "1" and "series" not in {e["name"] for e in manifest["tables"]}
    target = None if db_url is None else request.getfixturevalue("pg_server").create_database()
    result = restore(file, tmp_path / "copy", url=target)
    assert result.upgraded == migrate.Upgrade(1, 2, 13, 4)
    assert result.report.ok, result.report.lines()
    with Store.open(tmp_path / "copy", readonly=True, url=target) as store:
        got = store.reports()[["org", "measure", "month", "value", "revision"]].reset_index(drop=True)
        got["revision"] = got["revision"].astype(int)
        pd.testing.assert_frame_equal(got, expected_latest(), check_dtype=False)
        assert store.meta()["schema_version"] == "2" and len(store.history()) == 13
    with Store.open(tmp_path / "copy", url=target) as store:  # and takes new figures after the kept ids
        store.commit_reports(
            pd.DataFrame({"org": ["hutou"], "measure": ["terminals"], "month": ["2005-04"], "value": [5.0]}),
            source_file="apr.csv",
            sha256="d" * 64,
        )
        assert store.history("hutou", "terminals")["id"].tolist() == [4, 5, 6, 14]


def test_a_schema_1_dump_with_a_forged_row_restores_nothing(tmp_path, monkeypatch):
    ws = make_v1_store(tmp_path, forge=13)
    file = schema_1_dump(ws, tmp_path / "v1.zip", monkeypatch)
    with pytest.raises(StoreError) as exc:
        restore(file, tmp_path / "copy")
    assert exc.value.row == 13
    assert not (tmp_path / "copy").exists()
