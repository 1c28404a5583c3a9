"""kejifu.deputies: allowances, reports owed, dual assessments, five ones, specialists; the store tables."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import sqlalchemy as sa

from kejifu import deputies as dep
from kejifu.deputies import demo as deputies_demo
from kejifu.deputies import store as deputies_store
from kejifu.errors import PlanError, StoreError


def roster(*rows: dict) -> pd.DataFrame:
    base = {"name": "甲", "sending_org": "市农业局", "org": "jiehu", "post": "科技副镇长", "kind": "seconded"}
    return dep.normalise_roster(pd.DataFrame([base | r for r in rows]))


ONE = dict(person_id="P1", term_start="2003-07-01", term_end="2006-06-30")


# ----- allowance -----------------------------------------------------------------------------


def test_default_term_is_three_years_less_a_day():
    assert dep.default_term_end("2003-07-01") == dt.date(2006, 6, 30)
    assert roster(dict(person_id="P1", term_start="2005-07-01")).loc[0, "term_end"] == dt.date(2008, 6, 30)


def test_allowance_counts_eighteen_whole_months_of_a_term_ending_mid_period():
    a = dep.allowance(roster(ONE), "2005-01-01", "2006-12-31")
    assert a.loc[0, "months"] == 18
    assert a.loc[0, "amount"] == 2700.0


def test_a_recall_on_15_september_stops_the_allowance_after_august():
    r = roster(ONE | dict(state="recalled", state_date="2005-09-15"))
    assert dep.allowance_total(r, "2005-01-01", "2006-12-31") == 8 * 150.0


def test_a_recall_on_the_first_of_a_month_pays_the_month_before_in_full():
    r = roster(ONE | dict(state="recalled", state_date="2005-10-01"))
    assert dep.allowance(r, "2005-01-01", "2005-12-31").loc[0, "months"] == 9


def test_a_term_starting_mid_month_earns_from_the_first_whole_month():
    r = roster(dict(person_id="P2", term_start="2005-03-15", term_end="2008-03-14"))
    assert dep.allowance(r, "2005-01-01", "2005-12-31").loc[0, "months"] == 9  # April..December
    assert dep.allowance(r, "2005-01-01", "2005-03-31").loc[0, "months"] == 0


def test_a_period_before_the_term_pays_nothing_and_the_rate_is_a_plan_setting():
    r = roster(ONE)
    assert dep.allowance_total(r, "2002-01-01", "2003-06-30") == 0
    s = dep.settings_from({"deputies": {"allowance_yuan_per_month": 200}})
    assert dep.allowance_total(r, "2004-01-01", "2004-12-31", s) == 2400.0


def test_outside_share_counts_serving_deputies_per_county(demo_plan):
    r = roster(
        dict(person_id="A", term_start="2005-07-01", kind="outside"),
        dict(person_id="B", term_start="2005-07-01", org="hutou"),
        dict(person_id="C", term_start="2005-07-01", kind="outside", org="sucun"),
        dict(person_id="D", term_start="1999-07-01", kind="outside"),
    )
    share = dep.outside_share(r, demo_plan, "2005-09-30")
    assert share.loc[0, "county"] == "yinan"
    assert (share.loc[0, "deputies"], share.loc[0, "outside"]) == (3, 2)
    assert share.loc[0, "share"] == pytest.approx(2 / 3)


def test_state_as_of_distinguishes_appointed_serving_completed_recalled():
    r = roster(ONE, dict(person_id="P2", term_start="2003-07-01", state="recalled", state_date="2005-09-15"))
    assert list(dep.state_as_of(r, "2003-06-30")) == ["appointed", "appointed"]
    assert list(dep.state_as_of(r, "2005-09-15")) == ["serving", "recalled"]
    assert list(dep.state_as_of(r, "2006-07-01")) == ["completed", "recalled"]


# ----- reports ----------------------------------------------------------------------------------


def reports(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(person_id=p, year=y, seq=k, submitted=s, to_orgdept=True, to_town=True, to_sender=snd)
            for p, y, k, s, snd in rows
        ]
    )


def test_two_reports_a_year_are_due_on_30_june_and_31_december():
    owed = dep.reports_owed(roster(ONE), [2003, 2006])
    got = [(r.year, r.seq, r.due) for r in owed.itertuples()]
    # 2003: the term starts 1 July, so only the second-half report; 2006: it ends 30 June
    assert got == [(2003, 2, dt.date(2003, 12, 31)), (2006, 1, dt.date(2006, 6, 30))]


def test_one_report_a_year_is_due_on_31_december():
    owed = dep.reports_owed(roster(ONE), 2004, {"reports_per_year": 1})
    assert [(r.seq, r.due) for r in owed.itertuples()] == [(1, dt.date(2004, 12, 31))]


def test_a_missing_report_is_overdue_the_day_after_its_due_date_not_on_it():
    r = roster(ONE)
    rep = reports(("P1", 2003, 2, "2003-12-20", True))
    on_due = dep.report_compliance(r, rep, "2004-06-30")
    assert on_due.set_index(["year", "seq"]).loc[(2004, 1), "status"] == "not_due"
    after = dep.overdue(r, rep, "2004-07-01")
    assert [(x.year, x.seq) for x in after.itertuples()] == [(2004, 1)]


def test_a_report_submitted_after_the_as_of_date_does_not_count_yet():
    r = roster(ONE)
    rep = reports(("P1", 2003, 2, "2004-01-10", True))
    assert dep.overdue(r, rep, "2004-01-05").loc[0, "status"] == "overdue"
    c = dep.report_compliance(r, rep, "2004-01-20")
    assert c.loc[0, "status"] == "late"


def test_a_report_not_sent_to_the_sending_organisation_is_incomplete():
    c = dep.report_compliance(roster(ONE), reports(("P1", 2003, 2, "2003-12-01", False)), "2004-01-02")
    assert (c.loc[0, "status"], c.loc[0, "missing"]) == ("incomplete", "sender")


def test_a_recalled_deputy_owes_no_report_for_the_half_after_the_recall():
    r = roster(ONE | dict(state="recalled", state_date="2005-06-15"))
    owed = dep.reports_owed(r, 2005)
    assert [(x.year, x.seq) for x in owed.itertuples()] == [(2005, 1)]  # Jan-May served


# ----- assessments -----------------------------------------------------------------------------


def scores(pid, year, assessor, de, neng, qin, ji, lian):
    return dict(person_id=pid, year=year, assessor=assessor, de=de, neng=neng, qin=qin, ji=ji, lian=lian)


def test_yearly_dual_assessment_combines_town_40_and_department_60_per_cent():
    a = pd.DataFrame(
        [
            scores("P1", 2004, "town", 90, 80, 85, 95, 100),  # mean 90
            scores("P1", 2004, "orgdept", 80, 70, 75, 85, 90),
        ]
    )  # mean 80
    y = dep.yearly_grades(a)
    assert y.loc[0, "town"] == pytest.approx(90)
    assert y.loc[0, "orgdept"] == pytest.approx(80)
    assert y.loc[0, "score"] == pytest.approx(0.4 * 90 + 0.6 * 80)  # 84
    assert y.loc[0, "grade"] == "competent"


def test_grade_bands_are_90_75_60_inclusive():
    assert [dep.grade(x) for x in (90, 89.99, 75, 60, 59.9)] == [
        "excellent",
        "competent",
        "competent",
        "basic",
        "incompetent",
    ]
    assert dep.grade_label("basic") == "基本称职"


def test_dimension_weights_from_settings_change_the_score():
    s = {"dimension_weights": {"de": 0.1, "neng": 0.2, "qin": 0.2, "ji": 0.4, "lian": 0.1}}
    a = pd.DataFrame(
        [
            scores("P1", 2004, "town", 100, 50, 50, 100, 100),
            scores("P1", 2004, "orgdept", 100, 50, 50, 100, 100),
        ]
    )
    assert dep.yearly_grades(a, s).loc[0, "score"] == pytest.approx(10 + 10 + 10 + 40 + 10)


def test_a_year_scored_by_one_assessor_only_is_pending():
    y = dep.yearly_grades(pd.DataFrame([scores("P1", 2004, "town", 90, 90, 90, 90, 90)]))
    assert math.isnan(y.loc[0, "score"]) and y.loc[0, "grade"] == "pending"


def test_end_of_term_combines_democratic_inspection_and_the_mean_yearly_score():
    a = pd.DataFrame(
        [
            scores("P1", 2004, "town", 90, 90, 90, 90, 90),
            scores("P1", 2004, "orgdept", 80, 80, 80, 80, 80),
            scores("P1", 2005, "town", 70, 70, 70, 70, 70),
            scores("P1", 2005, "orgdept", 70, 70, 70, 70, 70),
        ]
    )
    eot = pd.DataFrame([dict(person_id="P1", democratic=80, inspection=90)])
    e = dep.end_of_term(roster(ONE), a, eot)
    # yearly: 2004 = 0.4*90+0.6*80 = 84; 2005 = 70; mean 77; 0.3*80 + 0.3*90 + 0.4*77 = 81.8
    assert e.loc[0, "annual"] == pytest.approx(77)
    assert e.loc[0, "score"] == pytest.approx(81.8)
    assert e.loc[0, "grade"] == "competent"


def test_a_recalled_deputy_gets_no_end_of_term_grade():
    eot = pd.DataFrame([dict(person_id="P1", democratic=95, inspection=95)])
    r = roster(ONE | dict(state="recalled", state_date="2005-09-15"))
    assert dep.end_of_term(r, dep.empty(dep.ASSESSMENT_COLUMNS), eot).loc[0, "grade"] == "recalled"


def test_weights_that_do_not_add_up_to_one_are_a_located_plan_error():
    with pytest.raises(PlanError) as exc:
        dep.settings_from({"deputies": {"assessor_weights": {"town": 0.5, "orgdept": 0.6}}})
    assert exc.value.problems[0].field.startswith("settings.deputies")
    assert "add up to 1" in str(exc.value)


# ----- five ones -------------------------------------------------------------------------------


def test_five_ones_totals_add_up_by_town_batch_and_county(demo_plan):
    r = roster(
        dict(person_id="A", term_start="2003-07-01"),
        dict(person_id="B", term_start="2005-07-01"),
        dict(person_id="C", term_start="2005-07-01", org="hutou"),
    )
    o = pd.DataFrame(
        [
            dict(
                person_id="A",
                year=2005,
                technologies=3,
                courses=2,
                trainees=100,
                enterprises=1,
                output_added=12.5,
            ),
            dict(
                person_id="B",
                year=2005,
                technologies=1,
                courses=1,
                trainees=50,
                enterprises=0,
                output_added=2.5,
            ),
            dict(
                person_id="C",
                year=2005,
                technologies=2,
                courses=0,
                trainees=30,
                enterprises=2,
                output_added=5,
            ),
            dict(
                person_id="A", year=2004, technologies=9, courses=9, trainees=9, enterprises=9, output_added=9
            ),
        ]
    )
    town = dep.five_ones_totals(r, o, by="org", year=2005).set_index("org")
    assert town.loc["jiehu", "technologies"] == 4 and town.loc["jiehu", "deputies"] == 2
    assert town.loc["jiehu", "output_added"] == pytest.approx(15.0)
    batch = dep.five_ones_totals(r, o, by="batch", year=2005).set_index("batch")
    assert batch.loc[2005, "trainees"] == 80
    county = dep.five_ones_totals(r, o, by="county", year=2005, plan=demo_plan)
    assert list(county["county"]) == ["yinan"] and county.loc[0, "enterprises"] == 3


# ----- specialists -----------------------------------------------------------------------------


def test_specialists_become_register_items_under_their_town_or_the_county_bureau(demo_plan):
    s = pd.DataFrame(
        [
            dict(
                specialist_id="T1",
                name="甲",
                level="town",
                outside=False,
                org="hutou",
                speciality="",
                communities=2,
                dispatch_date="2005-03-10",
                note="",
                synthetic=False,
            ),
            dict(
                specialist_id="T2",
                name="乙",
                level="county",
                outside=True,
                org="",
                speciality="果树",
                communities=0,
                dispatch_date="2005-04-01",
                note="",
                synthetic=False,
            ),
        ]
    )
    items = dep.specialist_register_items(s, dep.county_bureau(demo_plan))
    assert list(items["org"]) == ["hutou", "yinan_kjj"]
    assert list(items["date"]) == [dt.date(2005, 3, 10), dt.date(2005, 4, 1)]
    back = dep.specialists_from_items(items.assign(kind="specialists"))
    assert list(back["outside"]) == [False, True] and list(back["communities"]) == [2, 0]


# ----- the demo --------------------------------------------------------------------------------


def test_the_demo_has_the_county_specialists_of_2004_and_every_row_is_synthetic(demo_plan):
    d = deputies_demo.demo_data(demo_plan)
    s = dep.specialists_summary(d.specialists, 2004).set_index("level")
    assert (s.loc["county", "dispatched"], s.loc["county", "outside"], s.loc["town", "dispatched"]) == (
        11,
        1,
        26,
    )
    assert d.roster["synthetic"].all() and d.specialists["synthetic"].all()
    assert d.roster["name"].str.startswith("示例").all()
    b = deputies_demo.city_batches()
    assert b.loc[b["batch"] == 2005, "dispatched_citywide"].item() == 51
    assert b.loc[b["batch"] < 2005, "dispatched_citywide"].sum() >= 350 and (b["batch"] < 2005).sum() == 6


# ----- the store tables ------------------------------------------------------------------------


@pytest.fixture
def engine():
    return sa.create_engine("sqlite://")


def test_the_deputy_tables_are_append_only_and_a_correction_is_a_new_revision(engine):
    st = deputies_store.DeputyStore(engine)
    data = dep.DeputyData(roster=roster(ONE))
    assert st.commit(data, who="a")["roster"] == 1
    assert st.commit(data, who="a")["roster"] == 0  # unchanged: nothing added
    fixed = dep.DeputyData(roster=roster(ONE | dict(state="recalled", state_date="2005-09-15")))
    assert st.commit(fixed, who="b")["roster"] == 1
    assert st.roster().loc[0, "state"] == "recalled"
    assert list(st.history("roster")["revision"]) == [1, 2]


def test_end_of_term_scores_round_trip_beside_yearly_ones(engine):
    st = deputies_store.DeputyStore(engine)
    a = pd.DataFrame([scores("P1", 2004, "town", 90, 80, 85, 95, 100)])
    eot = pd.DataFrame([dict(person_id="P1", democratic=80.0, inspection=90.0, note="")])
    st.commit(dep.DeputyData(roster=roster(ONE), assessments=a, end_of_term=eot))
    assert len(st.assessments()) == 1 and st.assessments().loc[0, "lian"] == 100
    assert st.end_of_term().loc[0, "inspection"] == 90


def test_a_read_only_deputy_store_refuses_to_write(engine):
    deputies_store.DeputyStore(engine)
    ro = deputies_store.DeputyStore(engine, readonly=True)
    with pytest.raises(StoreError):
        ro.commit(dep.DeputyData(roster=roster(ONE)))


def test_every_deputy_label_has_chinese_and_english_and_keeps_its_commas():
    from importlib import resources

    import yaml

    text = (resources.files("kejifu") / "catalogue" / "deputies.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    assert all(k.startswith("deputies.") and set(v) == {"zh", "en"} for k, v in entries.items())
    assert entries["deputies.synthetic"]["en"] == "Demo roster (synthetic, not real people)"
