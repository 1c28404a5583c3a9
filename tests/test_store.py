"""The workspace store: plan versions, append-only reports, revisions, atomic and read-only use."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from kejifu.errors import PlanError, StoreError
from kejifu.store import ImportResult, Store, sha256_file
from kejifu.store.schema import SCHEMA_VERSION
from tests.helpers import TWO_TOWN_PLAN as TINY
from tests.helpers import reports
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures: every test on both back-ends)


@pytest.fixture(autouse=True)
def _db(db_url):
    """Every test runs on SQLite and on PostgreSQL (a fresh database; KEJIFU_DB_URL points at it)."""
    return db_url


@pytest.fixture
def plan_file(tmp_path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return p


@pytest.fixture
def store(tmp_path, plan_file):
    s = Store.create(tmp_path / "ws", plan_file)
    yield s
    s.close()


JAN = reports([("hutou", "mushroom_area", "2005-01", 10.0), ("jiehu", "mushroom_area", "2005-01", 5.0)])


def test_create_copies_the_plan_and_stores_version_one(store, tmp_path, plan_file, backend):
    ws = tmp_path / "ws"
    assert (ws / "plan.yaml").read_text(encoding="utf-8") == TINY
    assert (ws / "kejifu.sqlite").is_file() == (backend == "sqlite")
    assert store.engine.dialect.name == backend
    assert store.plan_version() == 1
    assert [t.id for t in store.plan().targets] == ["mushroom_area", "terminals"]
    assert store.meta()["schema_version"] == str(SCHEMA_VERSION)
    assert store.synthetic is False


def test_create_writes_a_snapshot_of_orgs_targets_and_allocations(store):
    with store.engine.connect() as conn:
        orgs = conn.execute(sa.text("select id from orgs order by position")).scalars().all()
        alloc = conn.execute(
            sa.text("select sum(allocation) from allocations where target = 'terminals'")
        ).scalar()
    assert orgs == ["c", "hutou", "jiehu"]
    assert alloc == 12.0


def test_creating_over_an_existing_store_is_refused_in_both_languages(store, tmp_path, plan_file):
    with pytest.raises(StoreError) as exc:
        Store.create(tmp_path / "ws", plan_file)
    assert "已存在" in str(exc.value) and "already exists" in str(exc.value)


def test_a_bad_plan_creates_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("target: 100", "target: lots"), encoding="utf-8")
    with pytest.raises(PlanError):
        Store.create(tmp_path / "nope", bad)
    assert not (tmp_path / "nope").exists()


def test_opening_a_folder_without_a_store_names_the_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError) as exc:
        Store.open(tmp_path / "empty")
    msg = str(exc.value)
    assert "不是kejifu工作区" in msg and "not a kejifu workspace" in msg and "kejifu init" in msg
    assert str(tmp_path / "empty") in msg
    assert not (tmp_path / "empty" / "kejifu.sqlite").exists()


def test_reports_round_trip_with_the_documented_columns(store):
    res = store.commit_reports(JAN, source_file="jan.csv", sha256="s1", who="clerk")
    assert res == ImportResult(res.batch_id, 2, 0, False, 0, "jan.csv", "reports")
    got = store.reports()
    assert list(got.columns) == [
        "org",
        "measure",
        "month",
        "value",
        "unit",
        "note",
        "revision",
        "batch_id",
        "source_file",
        "imported_at",
        "imported_by",
    ]
    assert got.set_index("org")["value"].to_dict() == {"hutou": 10.0, "jiehu": 5.0}
    assert set(got["revision"]) == {1}
    assert set(got["imported_by"]) == {"clerk"}


def test_a_changed_value_becomes_revision_two_and_the_latest_wins(store):
    store.commit_reports(JAN, source_file="jan.csv", sha256="s1", who="clerk")
    fixed = JAN.copy()
    fixed.loc[0, "value"] = 12.5
    res = store.commit_reports(fixed, source_file="jan-fixed.csv", sha256="s2", who="clerk")
    assert (res.rows_added, res.rows_unchanged, res.revised) == (1, 1, 1)
    latest = store.reports().set_index("org")
    assert latest.loc["hutou", "value"] == 12.5 and latest.loc["hutou", "revision"] == 2
    assert latest.loc["jiehu", "revision"] == 1
    hist = store.history(org="hutou")
    assert hist["value"].tolist() == [10.0, 12.5]
    assert hist["revision"].tolist() == [1, 2]
    assert hist["source_file"].tolist() == ["jan.csv", "jan-fixed.csv"]


def test_a_changed_note_alone_is_a_revision(store):
    store.commit_reports(JAN, source_file="a", sha256="a")
    noted = JAN.assign(note=["更正 / correction", None])
    res = store.commit_reports(noted, source_file="b", sha256="b")
    assert (res.rows_added, res.revised) == (1, 1)
    assert store.reports().set_index("org").loc["hutou", "note"] == "更正 / correction"


def test_reimporting_the_same_file_adds_nothing(store):
    first = store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
    again = store.commit_reports(JAN.assign(value=[99.0, 99.0]), source_file="jan.csv", sha256="s1")
    assert again.duplicate_file and again.rows_added == 0 and again.batch_id == first.batch_id
    assert len(store.history()) == 2 and len(store.batches()) == 1
    assert store.reports()["value"].tolist() == [10.0, 5.0]


def test_the_same_values_in_a_new_file_add_no_rows_but_record_the_batch(store):
    store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
    res = store.commit_reports(JAN, source_file="jan-copy.csv", sha256="s2")
    assert (res.rows_added, res.rows_unchanged, res.duplicate_file) == (0, 2, False)
    assert len(store.history()) == 2
    b = store.batches()
    assert b["source_file"].tolist() == ["jan.csv", "jan-copy.csv"]
    assert b["rows_added"].tolist() == [2, 0]


def test_a_commit_that_fails_midway_leaves_the_store_unchanged(store):
    store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
    before_hist, before_batches = store.history(), store.batches()
    bad = reports(
        [
            ("hutou", "mushroom_area", "2005-02", 20.0),
            ("jiehu", "mushroom_area", "2005-02", 8.0),
            (None, "mushroom_area", "2005-02", 1.0),
        ]
    )
    with pytest.raises(StoreError) as exc:
        store.commit_reports(bad, source_file="feb.csv", sha256="s2")
    assert "撤销" in str(exc.value) and "rolled back" in str(exc.value)
    pd.testing.assert_frame_equal(store.history(), before_hist)
    pd.testing.assert_frame_equal(store.batches(), before_batches)
    # the same file, fixed, can then be imported (its sha256 was not recorded)
    assert store.commit_reports(bad.iloc[:2], source_file="feb.csv", sha256="s2").rows_added == 2


def test_a_duplicate_row_in_one_batch_is_refused(store):
    dup = pd.concat([JAN, JAN.iloc[:1]], ignore_index=True)
    with pytest.raises(StoreError) as exc:
        store.commit_reports(dup, source_file="dup.csv", sha256="d")
    assert exc.value.row == 3
    assert store.history().empty


def test_a_readonly_store_refuses_writes_and_the_data_is_unchanged(store, tmp_path, backend):
    store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
    store.close()
    ro = Store.open(tmp_path / "ws", readonly=True)
    # the database itself refuses too: SQLite opened mode=ro, PostgreSQL in a read-only transaction
    refusal = (
        (OperationalError, "readonly")
        if backend == "sqlite"
        else (sa.exc.InternalError, "read-only transaction")
    )
    try:
        with pytest.raises(StoreError):
            ro.commit_reports(JAN.assign(value=1.0), source_file="x", sha256="x")
        with pytest.raises(refusal[0], match=refusal[1]):
            with ro.engine.begin() as conn:
                conn.execute(sa.text("update reports set value = 0"))
        assert ro.reports()["value"].tolist() == [10.0, 5.0]
    finally:
        ro.close()
    rw = Store.open(tmp_path / "ws")
    assert rw.reports()["value"].tolist() == [10.0, 5.0]
    rw.close()


def test_months_may_be_given_as_periods(store):
    jan = JAN.assign(month=pd.Period("2005-01", "M"))
    store.commit_reports(jan, source_file="p", sha256="p")
    assert store.reports()["month"].tolist() == ["2005-01", "2005-01"]


def test_ten_thousand_rows_land_in_one_batch_and_read_back(store):
    # speed is measured by `kejifu bench`, not here; this checks the batched insert is whole
    big = pd.DataFrame(
        {"org": "hutou", "measure": [f"m{i}" for i in range(10_000)], "month": "2005-03", "value": 1.0}
    )
    res = store.commit_reports(big, source_file="big", sha256="big")
    assert res.rows_added == 10_000
    back = store.reports()
    assert len(back) == 10_000 and set(back["batch_id"]) == {res.batch_id}


def test_a_new_plan_version_keeps_the_reports(store, tmp_path, plan_file):
    store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
    v2 = tmp_path / "v2.yaml"
    v2.write_text(TINY.replace("target: 100", "target: 120"), encoding="utf-8")
    assert store.add_plan_version(v2) == 2
    assert store.plan().target("mushroom_area").target == 120
    assert store.plan(1).target("mushroom_area").target == 100
    assert len(store.reports()) == 2
    assert "target: 120" in (tmp_path / "ws" / "plan.yaml").read_text(encoding="utf-8")
    assert store.add_plan_version(v2) == 2  # the same text is not a new version
    assert store.plan_versions()["version"].tolist() == [1, 2]


def test_register_items_are_append_only_with_revisions_and_withdrawals(store):
    items = pd.DataFrame(
        {
            "org": ["hutou", "hutou"],
            "date": pd.to_datetime(["2005-02-10", "2005-02-20"]),
            "serial": ["T1", "T2"],
            "village": ["东村", "西村"],
        }
    )
    r1 = store.commit_register_items(items, kind="terminals", source_file="t1.csv", sha256="t1")
    assert (r1.rows_added, r1.kind) == (2, "register:terminals")
    moved = items.iloc[:1].assign(org="jiehu")
    r2 = store.commit_register_items(moved, kind="terminals", source_file="t2.csv", sha256="t2")
    assert (r2.rows_added, r2.revised) == (1, 1)
    got = store.register_items("terminals").set_index("item_key")
    assert got.loc["T1", "org"] == "jiehu" and got.loc["T1", "revision"] == 2
    assert got.loc["T2", "village"] == "西村"
    gone = items.iloc[1:].assign(withdrawn=True)
    store.commit_register_items(gone, kind="terminals", source_file="t3.csv", sha256="t3")
    assert store.register_items("terminals")["item_key"].tolist() == ["T1"]
    assert len(store.item_history("terminals")) == 4
    dup = store.commit_register_items(gone, kind="terminals", source_file="t3.csv", sha256="t3")
    assert dup.duplicate_file and dup.rows_added == 0


def test_sha256_file_matches_a_known_digest(tmp_path):
    p = tmp_path / "abc.txt"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_store_runs_on_postgresql_in_a_schema_of_its_own(tmp_path, plan_file, db_url, backend):
    """The deployment model (docs/deployment.md): one database, a schema per county workspace."""
    schema = f"kejifu_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(db_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"create schema {schema}"))
    url = (
        sa.make_url(db_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    )
    try:
        store = Store.create(tmp_path / "ws", plan_file, url=url)
        store.commit_reports(JAN, source_file="jan.csv", sha256="s1")
        store.commit_reports(JAN.assign(value=[11.0, 5.0]), source_file="jan2.csv", sha256="s2")
        assert store.reports()["value"].tolist() == [11.0, 5.0]
        assert store.history(org="hutou")["revision"].tolist() == [1, 2]
        items = pd.DataFrame(
            {"org": ["hutou"], "date": pd.to_datetime(["2005-02-10"]), "serial": ["T1"], "village": ["东村"]}
        )
        store.commit_register_items(items, kind="terminals", source_file="t", sha256="t")
        assert store.register_items()["item_key"].tolist() == ["T1"]
        with pytest.raises(StoreError):
            Store.create(tmp_path / "ws2", plan_file, url=url)
        store.close()
        ro = Store.open(tmp_path / "ws", readonly=True, url=url)
        with pytest.raises(StoreError):
            ro.commit_reports(JAN, source_file="x", sha256="x")
        with pytest.raises(sa.exc.SQLAlchemyError):  # a read-only transaction in the database too
            with ro.engine.begin() as conn:
                conn.execute(sa.text("update reports set value = 0"))
        assert ro.reports()["value"].tolist() == [11.0, 5.0]
        ro.close()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"drop schema {schema} cascade"))
        admin.dispose()


def test_concurrent_writers_each_land_whole_batches(store, tmp_path):
    import threading

    errors = []

    def writer(k):
        s = Store.open(tmp_path / "ws")
        try:
            for i in range(5):
                f = reports(
                    [
                        ("hutou", "mushroom_area", "2005-01", float(10 * k + i)),
                        ("jiehu", f"w{k}", "2005-01", float(i)),
                    ]
                )
                s.commit_reports(f, source_file=f"w{k}-{i}", sha256=f"w{k}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    hist = store.history(org="hutou")
    assert hist["revision"].tolist() == list(range(1, 21))  # 20 batches, 20 revisions, no gaps or clashes
    assert len(store.batches()) == 20


def test_a_bulk_write_keeps_the_rows_order_and_gives_each_row_the_batch_facts(store):
    """Rows go in through a staging table and one INSERT … SELECT: ids follow the frame's order,
    every row carries the batch's file, sha256 and importer, and no staging table is left behind."""
    frame = reports(
        [
            ("jiehu", "mushroom_area", "2005-02", 7.25),
            ("hutou", "mushroom_area", "2005-01", 1.0),
            ("hutou", "mushroom_area", "2005-02", 2.5),
        ]
    ).assign(note=[None, "补报", None])
    res = store.commit_reports(frame, source_file="b.csv", sha256="bulk", who="王五")
    assert res.rows_added == 3
    h = store.history().sort_values("id")
    assert h[["org", "month", "value"]].values.tolist() == [
        ["jiehu", "2005-02", 7.25],
        ["hutou", "2005-01", 1.0],
        ["hutou", "2005-02", 2.5],
    ]
    assert h["note"].isna().tolist() == [True, False, True] and h["note"].iloc[1] == "补报"
    assert set(h["source_file"]) == {"b.csv"} and set(h["sha256"]) == {"bulk"}
    assert set(h["imported_by"]) == {"王五"} and set(h["batch_id"]) == {res.batch_id}
    assert h["revision"].tolist() == [1, 1, 1]
    with store.engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
    assert not any("stage" in n for n in names)
