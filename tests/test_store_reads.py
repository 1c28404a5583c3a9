"""Fast store paths: the latest revision chosen in SQL, bulk writes, the parsed-plan cache, the data
version and a workspace refresh that re-reads only what changed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from kejifu.store import Store, plan_versions
from kejifu.workspace import open_workspace
from tests.helpers import TWO_TOWN_PLAN as TINY
from tests.helpers import reports, write_plan
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures: every test on both back-ends)


@pytest.fixture(autouse=True)
def _db(db_url):
    """Every test runs on SQLite and on PostgreSQL (a fresh database; KEJIFU_DB_URL points at it)."""
    return db_url


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "ws", write_plan(tmp_path, TINY, "tiny.yaml"))
    yield s
    s.close()


def test_the_latest_of_three_revisions_is_read_and_other_keys_keep_their_first(store):
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-01", 10.0), ("jiehu", "mushroom_area", "2005-01", 5.0)]),
        source_file="a.csv",
        sha256="a",
    )
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-01", 11.0)]), source_file="b.csv", sha256="b"
    )
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-01", 12.5)]), source_file="c.csv", sha256="c"
    )
    got = store.reports().set_index("org")
    assert got["value"].to_dict() == {"hutou": 12.5, "jiehu": 5.0}
    assert got["revision"].to_dict() == {"hutou": 3, "jiehu": 1}
    assert got.loc["hutou", "source_file"] == "c.csv" and got.loc["jiehu", "source_file"] == "a.csv"
    assert len(store.history()) == 4  # append-only: every revision is still there


#: Five figures of three months, out of order (org, measure, month, value [the measure's unit]).
FIVE_ROWS = [
    ("jiehu", "terminals", "2005-02", 1.0),
    ("hutou", "mushroom_area", "2005-03", 30.0),
    ("jiehu", "mushroom_area", "2005-02", 8.0),
    ("hutou", "mushroom_area", "2005-02", 20.0),
    ("hutou", "mushroom_area", "2005-01", 10.0),
]


def test_a_month_selection_reads_only_those_months_ordered_by_measure_org_month(store):
    store.commit_reports(reports(FIVE_ROWS), source_file="r.csv", sha256="r")
    got = store.reports(months=["2005-02", "2005-03"])
    assert list(zip(got["measure"], got["org"], got["month"])) == [
        ("mushroom_area", "hutou", "2005-02"),
        ("mushroom_area", "hutou", "2005-03"),
        ("mushroom_area", "jiehu", "2005-02"),
        ("terminals", "jiehu", "2005-02"),
    ]
    assert store.reports(months=[]).empty
    assert store.reports(years=(2006, 2006)).empty


def test_a_figures_only_read_gives_the_same_figures_with_categorical_text(store):
    """What ``kejifu status --as-of`` reads: the same latest figures, in the same order, with org,
    measure and month as categoricals (month ordered by date) and no batch columns."""
    store.commit_reports(reports(FIVE_ROWS), source_file="r.csv", sha256="r")
    store.commit_reports(
        reports([("hutou", "mushroom_area", "2005-02", 21.5)]).assign(note="更正"),
        source_file="s.csv",
        sha256="s",
    )
    full = store.reports(months=["2005-02", "2005-03"])
    got = store.reports(months=["2005-02", "2005-03"], figures_only=True)
    assert list(got.columns) == ["org", "measure", "month", "value", "note"]
    assert all(isinstance(got[c].dtype, pd.CategoricalDtype) for c in ("org", "measure", "month"))
    assert got["month"].cat.ordered and got["month"].max() == "2005-03"
    assert got["value"].tolist() == [21.5, 30.0, 8.0, 1.0]  # the revised 20 → 21.5 in February
    assert got["note"].tolist() == ["更正", None, None, None]
    pd.testing.assert_frame_equal(
        got.astype({c: object for c in ("org", "measure", "month")}), full[got.columns.tolist()]
    )


def test_bulk_written_rows_read_back_exactly_with_their_batch_facts(store):
    at = dt.datetime(2005, 3, 5, 9, 30, 15)
    value = 0.1 + 0.2  # 0.30000000000000004: every digit must survive
    res = store.commit_reports(
        reports(
            [("hutou", "mushroom_area", "2005-02", value), ("jiehu", "mushroom_area", "2005-02", 1e-9)]
        ).assign(unit="亩", note=["补报 / late", None]),
        source_file="feb.csv",
        sha256="f",
        who="王科员",
        imported_at=at,
    )
    got = store.reports().set_index("org")
    assert got.loc["hutou", "value"] == value and got.loc["jiehu", "value"] == 1e-9
    assert got.loc["hutou", "note"] == "补报 / late" and got.loc["jiehu", "note"] is None
    assert set(got["unit"]) == {"亩"} and set(got["batch_id"]) == {res.batch_id}
    assert set(got["imported_by"]) == {"王科员"} and set(got["source_file"]) == {"feb.csv"}
    assert set(pd.to_datetime(got["imported_at"])) == {pd.Timestamp(at)}
    # the rows' own columns (read through SQLAlchemy) say the same as the batch
    hist = store.history()
    assert set(pd.to_datetime(hist["imported_at"])) == {pd.Timestamp(at)} and set(hist["sha256"]) == {"f"}


def test_a_plan_is_parsed_once_and_later_read_from_the_cache(tmp_path, store, monkeypatch):
    store.close()

    def no_yaml(_text):
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(plan_versions, "load_yaml", no_yaml)
    with Store.open(tmp_path / "ws", readonly=True) as again:
        plan = again.plan()
        assert plan.target("mushroom_area").allocation_values() == {"hutou": 60.0, "jiehu": 40.0}
        assert not any(k.startswith("plan_cache:") for k in again.meta())  # kept out of the settings


def test_a_store_without_the_cache_parses_the_yaml_and_keeps_the_parse(tmp_path, store):
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM meta WHERE key LIKE 'plan%cache:%'"))
    store.close()
    with Store.open(tmp_path / "ws") as rw:
        assert rw.plan().plan.id == "tiny"
        with rw.engine.connect() as conn:
            n = conn.execute(sa.text("SELECT count(*) FROM meta WHERE key LIKE 'plan%cache:%'")).scalar_one()
        assert n == 1


def test_tagged_json_gives_back_dates_and_keys_that_are_not_text():
    data = {
        "due": dt.date(2005, 6, 30),
        "at": [dt.datetime(2005, 1, 2, 3, 4, 5)],
        "weights": {1: 0.5, 2: 0.5},
        "$odd": {"nested": [1, 2.5, None, True]},
    }
    back = plan_versions.from_json(plan_versions.to_json(data))
    assert back == data
    assert type(back["due"]) is dt.date and list(back["weights"]) == [1, 2]


def test_the_data_version_moves_with_every_commit_and_only_then(store):
    v0 = store.data_version()
    assert store.data_version() == v0
    store.commit_reports(reports([("hutou", "mushroom_area", "2005-01", 10.0)]), source_file="a", sha256="a")
    v1 = store.data_version()
    assert v1[1] == v0[1] + 1 and v1[2] > v0[2]
    store.commit_reports(reports([("hutou", "mushroom_area", "2005-01", 10.0)]), source_file="a", sha256="a")
    assert store.data_version() == v1  # the same file again adds nothing
    assert store.changes_since(v0) == (["2005-01"], [])


def test_refresh_rereads_only_the_month_a_new_batch_touched(tmp_path, store):
    rows = [(o, "mushroom_area", f"2005-0{m}", 10.0 * m) for o in ("hutou", "jiehu") for m in (1, 2, 3)]
    store.commit_reports(reports(rows), source_file="q1.csv", sha256="q1")
    with open_workspace(tmp_path / "ws") as ws:
        before = ws.reports.copy()
        assert ws.refresh() is False  # nothing new: nothing read
        store.commit_reports(
            reports([("jiehu", "mushroom_area", "2005-02", 25.0)]), source_file="fix.csv", sha256="fix"
        )
        calls = []
        real = ws.store.reports
        ws.store.reports = lambda *a, **kw: calls.append(kw) or real(*a, **kw)
        assert ws.refresh() is True
        assert calls == [{"months": ["2005-02"]}]
        got = ws.reports.set_index(["measure", "org", "month"])["value"]
        assert got[("mushroom_area", "jiehu", "2005-02")] == 25.0
        assert got.sum() == before["value"].sum() + 5.0
        with open_workspace(tmp_path / "ws") as fresh:
            pd.testing.assert_frame_equal(ws.filed, fresh.filed)


def test_refresh_after_a_new_plan_version_reads_the_new_plan(tmp_path, store):
    with open_workspace(tmp_path / "ws") as ws:
        assert ws.plan.target("mushroom_area").target == 100
        ws.filed  # noqa: B018 - read once
        store.add_plan_version(write_plan(tmp_path, TINY.replace("target: 100", "target: 120"), "v2.yaml"))
        assert ws.refresh() is True
        assert ws.plan.target("mushroom_area").target == 120


@pytest.mark.parametrize(
    "batch",
    [
        [("hutou", "mushroom_area", "2005-02", 21.0), ("jiehu", "mushroom_area", "2005-02", 22.0)],  # revised
        [("hutou", "mushroom_area", "2005-04", 44.0)],  # a new month, one town
        [("jiehu", "terminals", "2005-02", 3.0)],  # a new measure in a month read before
    ],
    ids=["every figure of a month revised", "a new month", "a new key in a month read before"],
)
def test_a_refreshed_workspace_equals_a_fresh_read_whether_a_batch_revises_or_adds(tmp_path, store, batch):
    rows = [(o, "mushroom_area", f"2005-0{m}", 10.0 * m) for o in ("hutou", "jiehu") for m in (1, 2, 3)]
    store.commit_reports(reports(rows), source_file="q1.csv", sha256="q1")
    with open_workspace(tmp_path / "ws") as ws:
        before = ws.filed.copy()
        store.commit_reports(reports(batch), source_file="b.csv", sha256="b")
        assert ws.refresh() is True
        got = ws.filed.set_index(["org", "measure", "month"])["value"]
        for org, measure, month, value in batch:  # the new figures, as hand-given
            assert got[(org, measure, month)] == value
        assert len(ws.filed) == len(before) + sum(m != "2005-02" or s == "terminals" for _, s, m, _ in batch)
        with open_workspace(tmp_path / "ws") as fresh:
            pd.testing.assert_frame_equal(ws.filed, fresh.filed)
            pd.testing.assert_frame_equal(ws.reports, fresh.reports)
