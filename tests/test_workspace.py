"""The workspace facade: plan, the one reports frame, status, dates, read-only by default."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kejifu.errors import StoreError
from kejifu.store import Store
from kejifu.workspace import open_workspace
from tests.helpers import TWO_TOWN_PLAN as TINY
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures: every test on both back-ends)


@pytest.fixture(autouse=True)
def _db(db_url):
    """Every test runs on SQLite and on PostgreSQL (a fresh database; KEJIFU_DB_URL points at it)."""
    return db_url


@pytest.fixture
def ws_path(tmp_path):
    pf = tmp_path / "tiny.yaml"
    pf.write_text(TINY, encoding="utf-8")
    store = Store.create(tmp_path / "ws", pf)
    store.commit_reports(
        pd.DataFrame(
            {
                "org": ["hutou", "jiehu", "hutou"],
                "measure": "mushroom_area",
                "month": ["2005-01", "2005-01", "2005-02"],
                "value": [20.0, 10.0, 35.0],
            }
        ),
        source_file="r.csv",
        sha256="r",
    )
    store.commit_register_items(
        pd.DataFrame(
            {"org": ["jiehu"], "date": pd.to_datetime(["2005-01-15"]), "serial": ["T1"], "village": ["东村"]}
        ),
        kind="terminals",
        source_file="t.csv",
        sha256="t",
    )
    store.close()
    return tmp_path / "ws"


def test_reports_join_stored_figures_and_register_counts(ws_path):
    with open_workspace(ws_path) as ws:
        rep = ws.reports
        assert list(rep.columns) == ["org", "measure", "month", "value", "note"]
        mush = rep[rep.measure == "mushroom_area"]
        assert mush["value"].sum() == 65.0
        term = rep[rep.measure == "terminals"].set_index(["org", "month"])["value"]
        # registers are counted through the newest month of any figure (February)
        assert term.to_dict() == {
            ("hutou", "2005-01"): 0.0,
            ("hutou", "2005-02"): 0.0,
            ("jiehu", "2005-01"): 1.0,
            ("jiehu", "2005-02"): 1.0,
        }


def test_latest_month_and_default_as_of_follow_the_newest_report(ws_path):
    with open_workspace(ws_path) as ws:
        assert ws.latest_month() == "2005-02"
        assert ws.default_as_of() == dt.date(2005, 2, 28)


def test_status_uses_the_workspace_figures(ws_path):
    with open_workspace(ws_path) as ws:
        st = ws.status("2005-02-28").set_index(["target", "org"])
    # jiehu sent January only: carried forward and stale; total 35 + 10 = 45 of 100
    assert st.loc[("mushroom_area", "all"), "actual"] == 45.0
    assert st.loc[("mushroom_area", "jiehu"), "stale"]
    assert st.loc[("terminals", "all"), "actual"] == 1.0
    assert st.loc[("terminals", "all"), "completion"] == pytest.approx(1 / 12)


def test_status_defaults_to_the_end_of_the_latest_month(ws_path):
    with open_workspace(ws_path) as ws:
        assert (ws.status()["month"] == "2005-02").all()


def test_the_workspace_opens_read_only_by_default(ws_path):
    with open_workspace(ws_path) as ws:
        assert ws.store.readonly
        with pytest.raises(StoreError):
            ws.store.commit_reports(
                pd.DataFrame(
                    {"org": ["hutou"], "measure": "mushroom_area", "month": "2005-03", "value": [50.0]}
                ),
                source_file="x",
                sha256="x",
            )
    with open_workspace(ws_path, readonly=False) as ws:
        assert not ws.store.readonly


def test_refresh_picks_up_a_new_import(ws_path):
    with open_workspace(ws_path, readonly=False) as ws:
        assert ws.latest_month() == "2005-02"
        ws.store.commit_reports(
            pd.DataFrame({"org": ["hutou"], "measure": "mushroom_area", "month": "2005-03", "value": [50.0]}),
            source_file="m.csv",
            sha256="m",
        )
        assert ws.latest_month() == "2005-02"  # cached
        ws.refresh()
        assert ws.latest_month() == "2005-03"


def test_an_ordinary_workspace_is_not_synthetic(ws_path):
    with open_workspace(ws_path) as ws:
        assert ws.synthetic is False
        assert ws.plan.plan.id == "tiny"


def test_the_workspace_comes_from_the_environment_when_no_path_is_given(ws_path, monkeypatch):
    monkeypatch.setenv("KEJIFU_WORKSPACE", str(ws_path))
    with open_workspace() as ws:
        assert ws.path == ws_path.resolve()


def test_a_folder_that_is_not_a_workspace_is_refused(tmp_path):
    with pytest.raises(StoreError, match="not a kejifu workspace"):
        open_workspace(tmp_path)


def test_a_workspace_without_reports_defaults_to_a_date_in_the_plan_year(tmp_path):
    pf = tmp_path / "tiny.yaml"
    pf.write_text(TINY, encoding="utf-8")
    Store.create(tmp_path / "ws", pf).close()
    with open_workspace(tmp_path / "ws") as ws:
        assert ws.latest_month() is None
        assert ws.default_as_of().year == 2005
        assert (ws.status()["status"] == "no_data").all()


def test_filed_reports_leave_out_register_counts_so_a_silent_town_is_seen(ws_path):
    from kejifu.web.board import freshness

    with open_workspace(ws_path) as ws:
        assert set(ws.filed["measure"]) == {"mushroom_area"}
        assert ("jiehu", "2005-02") in set(zip(ws.reports["org"], ws.reports["month"]))  # via its register
        latest, missing = freshness(ws, "2005-02")
        assert latest == "2005-02" and "jiehu" in missing and "hutou" not in missing


def test_the_workspace_reads_only_the_plan_year_and_the_year_before(ws_path):
    store = Store.open(ws_path)
    store.commit_reports(
        pd.DataFrame(
            {
                "org": ["hutou"] * 3,
                "measure": "mushroom_area",
                "month": ["2003-12", "2004-06", "2006-01"],
                "value": [1.0, 2.0, 3.0],
            }
        ),
        source_file="other-years.csv",
        sha256="oy",
    )
    assert len(store.reports()) == 6 and len(store.reports(years=(2004, 2005))) == 4
    store.close()
    with open_workspace(ws_path) as ws:
        assert set(ws.filed["month"]) == {"2004-06", "2005-01", "2005-02"}


def test_the_default_as_of_is_the_latest_month_at_least_half_the_reporters_have_filed(ws_path):
    with open_workspace(ws_path, readonly=False) as ws:
        ws.store.commit_reports(
            pd.DataFrame(
                {
                    "org": ["jiehu", "hutou"],
                    "measure": "mushroom_area",
                    "month": ["2005-02", "2005-12"],
                    "value": [15.0, 36.0],
                }
            ),
            source_file="slip.csv",
            sha256="slip",
        )
        ws.refresh()
        assert ws.latest_month() == "2005-12"
        # both towns filed February, one of two filed December: one of two is half, so December
        # (with three or more reporters one slip is not: tests/test_status_rules.py)
        assert ws.default_as_of() == dt.date(2005, 12, 31)
        ws.store.commit_reports(
            pd.DataFrame(
                {"org": ["jiehu"], "measure": "mushroom_area", "month": ["2005-03"], "value": [20.0]}
            ),
            source_file="mar.csv",
            sha256="mar",
        )
        ws.refresh()
        assert ws.missing_reporters("2005-03") == ["hutou"]
        assert ws.data_month("2005-03-31") == "2005-03"


def test_reading_through_an_as_of_date_reads_only_its_months_and_gives_the_same_status(ws_path):
    """``kejifu status --as-of`` reads the months up to the reporting month only (of the plan year
    and the year before): January here, not February; the status as of January is unchanged."""
    with open_workspace(ws_path) as whole, open_workspace(ws_path) as part:
        part.read_through("2005-01-31")
        assert sorted(part.filed["month"].unique()) == ["2005-01"]
        assert sorted(whole.filed["month"].unique()) == ["2005-01", "2005-02"]
        a, b = whole.status("2005-01-31"), part.status("2005-01-31")
        pd.testing.assert_frame_equal(a, b)
        total = b[(b["target"] == "mushroom_area") & (b["org"] == "all")]
        assert total["actual"].iloc[0] == 30.0  # hutou 20 + jiehu 10 in January


def test_a_workspace_read_through_january_ignores_a_later_batch_on_refresh(ws_path):
    with open_workspace(ws_path) as ws:
        ws.read_through("2005-01-31")
        assert len(ws.filed) == 2
        with Store.open(ws_path) as store:
            store.commit_reports(
                pd.DataFrame(
                    {"org": ["jiehu"], "measure": "mushroom_area", "month": ["2005-03"], "value": [15.0]}
                ),
                source_file="m.csv",
                sha256="m",
            )
        assert ws.refresh() is True  # the store changed ...
        assert sorted(ws.filed["month"].unique()) == ["2005-01"]  # ... but not a month read
        assert len(ws.filed) == 2


def test_a_new_plan_version_is_noticed_when_only_the_plan_was_read(ws_path, tmp_path):
    with open_workspace(ws_path) as ws:
        assert ws.plan.plan.title == "小计划"
        new = tmp_path / "v2.yaml"
        new.write_text(TINY.replace("title: 小计划", "title: 新计划"), encoding="utf-8")
        with Store.open(ws_path) as store:
            store.add_plan_version(new)
        assert ws.refresh() is True
        assert ws.plan.plan.title == "新计划"
