"""The deputy ledger true to the programme (issue 18): reports 1–2 a year, treatment and recall,
hearings, the end-of-term due list, county settings said to be such, commendations, the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kejifu import deputies as dep
from kejifu.deputies import demo as deputies_demo
from kejifu.deputies import workbook as deputies_io
from kejifu.errors import PlanError, ReportImportError
from kejifu.i18n import t
from kejifu.plan import parse_plan


def roster(*rows: dict) -> pd.DataFrame:
    base = {"name": "甲", "sending_org": "市农业局", "org": "jiehu", "post": "科技副镇长", "kind": "seconded"}
    return dep.normalise_roster(pd.DataFrame([base | r for r in rows]))


ONE = dict(person_id="P1", term_start="2003-07-01", term_end="2006-06-30")


def filed(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(person_id=p, year=y, seq=k, submitted=s, to_orgdept=True, to_town=True, to_sender=snd)
            for p, y, k, s, snd in rows
        ]
    )


# ----- written reports: 「每年要写1-2次」 ----------------------------------------------------------


def test_a_deputy_with_one_report_in_a_year_has_met_the_minimum():
    y = dep.yearly_reports(
        roster(ONE), filed(("P1", 2004, 1, "2004-06-20", True)), "2005-01-10", years=[2004]
    )
    assert y[["filed", "minimum", "recommended", "status"]].values.tolist() == [[1, 1, 2, "minimum"]]
    assert t(f"deputies.yearly.{y.loc[0, 'status']}") == "已报送（达到最低要求）"


def test_two_reports_reach_the_recommended_number_and_none_is_not_filed_after_the_year():
    r = roster(ONE, dict(person_id="P2", term_start="2003-07-01"))
    rep = filed(("P1", 2004, 1, "2004-06-20", True), ("P1", 2004, 2, "2004-12-01", True))
    y = dep.yearly_reports(r, rep, "2005-01-01", years=[2004]).set_index("person_id")
    assert y.loc["P1", "status"] == "recommended"
    assert (y.loc["P2", "filed"], y.loc["P2", "status"]) == (0, "overdue")
    # on 31 December the year is not over yet: still to file
    assert (
        dep.yearly_reports(r, rep, "2004-12-31", years=[2004]).set_index("person_id").loc["P2", "status"]
        == "not_due"
    )


def test_a_deputy_arriving_on_1_july_is_recommended_one_report_that_year():
    y = dep.yearly_reports(
        roster(ONE), filed(("P1", 2003, 2, "2003-12-20", True)), "2004-01-05", years=[2003]
    )
    assert y[["minimum", "recommended", "status", "due"]].values.tolist() == [
        [1, 1, "recommended", dt.date(2003, 12, 31)]
    ]


def test_the_recipients_of_a_years_filings_are_recorded():
    rep = filed(("P1", 2004, 1, "2004-06-20", False))
    y = dep.yearly_reports(roster(ONE), rep, "2005-01-10", years=[2004])
    assert (y.loc[0, "recipients"], y.loc[0, "missing"]) == ("orgdept;town", "sender")


def test_the_demo_deputy_who_filed_once_in_2003_is_not_listed_as_not_filed(demo_plan):
    data = deputies_demo.demo_data(demo_plan)
    y = dep.yearly_reports(data.roster, data.reports, "2005-06-30").set_index(["person_id", "year"])
    assert y.loc[("KF200202", 2003), "filed"] == 1
    assert y.loc[("KF200202", 2003), "status"] == "minimum"


NEW = dict(term_start="2005-01-01", term_end="2007-12-31")


def test_follow_ups_list_a_missing_report_only_below_the_yearly_minimum():
    r = roster(dict(person_id="P1", **NEW), dict(person_id="P2", **NEW))
    rep = filed(("P1", 2005, 1, "2005-06-20", True))
    lap = dep.lapses(r, rep, "2006-01-05")
    # P1 filed one in 2005: its missing second report is not a lapse; P2 filed none: both listed
    assert [(x.person_id, x.year, x.seq) for x in lap.itertuples()] == [("P2", 2005, 1), ("P2", 2005, 2)]


def test_the_reports_due_list_names_who_has_yet_to_file_this_year():
    r = roster(dict(person_id="P1", **NEW), dict(person_id="P2", **NEW))
    due = dep.reports_due(r, filed(("P1", 2005, 1, "2005-03-01", True)), "2005-04-30")
    assert due[["person_id", "year", "due", "status"]].values.tolist() == [
        ["P2", 2005, dt.date(2005, 12, 31), "not_due"]
    ]


def test_a_minimum_above_the_recommended_number_is_a_located_plan_error():
    with pytest.raises(PlanError) as exc:
        dep.settings_from({"deputies": {"reports_min": 2, "reports_recommended": 1}})
    assert exc.value.problems[0].field == "settings.deputies"
    assert "reports_min cannot exceed" in str(exc.value)


# ----- treatment and recall ---------------------------------------------------------------------


def test_a_recalled_deputys_allowance_and_treatment_stop_on_the_recall_date():
    r = roster(ONE | dict(state="recalled", state_date="2005-09-01"))
    # whole months 2005-01 .. 2005-08 are paid; September, begun on the recall date, is not
    assert dep.allowance(r, "2005-01-01", "2005-12-31").loc[0, "amount"] == 8 * 150.0
    before = dep.treatment(r, "2005-08-31").iloc[0]
    on = dep.treatment(r, "2005-09-01").iloc[0]
    assert (bool(before["treatment"]), before["grades_up"], before["rate"]) == (True, 1, 150.0)
    assert (on["state"], bool(on["treatment"]), on["grades_up"], on["rate"]) == ("recalled", False, 0, 0.0)


def test_treatment_follows_the_settings_and_not_before_the_term():
    r = roster(dict(person_id="P2", term_start="2005-07-01"))
    s = {"salary_grades_up": 2, "allowance_yuan_per_month": 200}
    assert dep.treatment(r, "2005-06-30", s).loc[0, "treatment"] == False  # noqa: E712
    assert dep.treatment(r, "2005-07-01", s).loc[0, ["grades_up", "rate"]].tolist() == [2, 200.0]


# ----- hearings and the end of term -------------------------------------------------------------


def events(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(person_id=p, kind=k, date=d, result="", by="组织部", note="") for p, k, d in rows]
    )


def test_the_hearing_due_list_names_deputies_not_yet_heard_this_year():
    r = roster(
        ONE, dict(person_id="P2", term_start="2003-07-01"), dict(person_id="P3", term_start="2005-07-01")
    )
    ev = events(
        ("P1", "hearing", "2005-03-15"), ("P2", "hearing", "2004-05-01"), ("P2", "spot_check", "2005-04-01")
    )
    due = dep.hearings_due(r, ev, "2005-06-30")
    # P1 heard in 2005; P2 only last year (a spot check is not a hearing); P3 not yet in post
    assert due[["person_id", "heard", "status", "due"]].values.tolist() == [
        ["P2", 0, "due", dt.date(2005, 12, 31)]
    ]
    late = dep.hearings_due(r, ev, "2005-12-31").set_index("person_id")
    assert late.loc["P2", "status"] == "overdue" and late.loc["P3", "status"] == "overdue"


def test_the_end_of_term_due_list_holds_the_2002_batch_from_three_months_before_30_june_2005(demo_plan):
    data = deputies_demo.demo_data(demo_plan)
    on = dep.terms_ending(data.roster, "2005-03-30")  # through 2005-06-30
    assert list(on["person_id"]) == ["KF200202", "KF200203", "KF200204"]  # KF200201 was recalled
    assert set(on["term_end"]) == {dt.date(2005, 6, 30)} and set(on["days_left"]) == {92}
    assert dep.terms_ending(data.roster, "2005-03-29").empty  # through 2005-06-29
    assert dep.terms_ending(data.roster, "2005-07-01").empty  # ended


# ----- the county's settings, said to be such ----------------------------------------------------


def test_the_settings_table_marks_weights_and_bands_as_county_settings():
    table = dep.settings_table({"deputies": {"grade_bands": {"excellent": 85, "competent": 70, "basic": 60}}})
    src = table.set_index("setting")["source"]
    assert src["grade_bands"] == "本县设置（非市里统一规定）"
    assert src["assessor_weights"] == src["five_ones"] == "本县设置（非市里统一规定）"
    assert src["allowance_yuan_per_month"] == src["reports_min"] == "市委讲话（科技副职工作要求）"
    assert table.set_index("setting").loc["grade_bands", "value"] == "优秀 85, 称职 70, 基本称职 60"


def test_check_settings_lists_problems_for_kejifu_plan_and_nothing_for_a_valid_plan(demo_plan):
    assert dep.check_settings(demo_plan) == []
    bad = parse_plan(
        """
plan: {id: p, title: 测试, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: t1, name: 甲镇, kind: town, parent: c}
targets:
  - {id: x, title: 指标, unit: 项, kind: cumulative, target: 1}
settings:
  deputies:
    assessor_weights: {town: 0.5, orgdept: 0.6}
    five_ones: {courses: 举办培训班, meetings: 开会}
""",
        file="bad.yaml",
    )
    problems = dep.check_settings(bad, "bad.yaml")
    assert [(p.file, p.field, p.level) for p in problems] == [("bad.yaml", "settings.deputies", "error")]
    assert "assessor_weights must be non-negative and add up to 1" in str(problems[0])


def test_a_county_may_rename_the_five_ones_items():
    s = {"five_ones": {"courses": "举办科技培训（期）"}}
    assert dep.five_ones_label("courses", "zh", s) == "举办科技培训（期）"
    assert dep.five_ones_label("trainees", "zh", s) == "培训人次"
    with pytest.raises(PlanError, match="five_ones renames only"):
        dep.settings_from({"five_ones": {"meetings": "开会"}})


# ----- commendation, organisations, the demo -----------------------------------------------------


def test_commendations_name_the_excellent_deputies_and_the_towns_adding_most_output():
    r = roster(
        dict(person_id="A", term_start="2003-07-01"),
        dict(person_id="B", term_start="2003-07-01", org="hutou"),
        dict(person_id="C", term_start="2003-07-01", org="sucun"),
    )
    dims = ("de", "neng", "qin", "ji", "lian")
    a = pd.DataFrame(
        [
            dict(person_id=p, year=2004, assessor=who, **dict.fromkeys(dims, s))
            for p, s in (("A", 95), ("B", 80), ("C", 92))
            for who in ("town", "orgdept")
        ]
    )
    o = pd.DataFrame(
        [
            dict(
                person_id=p, year=2004, technologies=1, courses=1, trainees=10, enterprises=0, output_added=v
            )
            for p, v in (("A", 12.0), ("B", 30.0), ("C", 5.0))
        ]
    )
    c = dep.commendations(r, o, a, 2004, towns=2)
    ind = c["individuals"]
    assert list(ind["person_id"]) == ["A", "C"]  # B (80) is 称职, not 优秀
    assert ind["score"].tolist() == pytest.approx([95.0, 92.0])
    assert ind["output_added"].tolist() == [12.0, 5.0]
    assert c["units"][["org", "output_added"]].values.tolist() == [["hutou", 30.0], ["jiehu", 12.0]]


def test_the_county_bureau_comes_from_the_plan_not_from_a_wired_id(demo_plan, tiny_plan):
    assert dep.county_bureau(demo_plan) == "yinan_kjj"
    assert dep.county_bureau(tiny_plan) == "county"  # no bureau in the plan: the county itself
    other = parse_plan(
        """
plan: {id: p, title: 测试, region: 某县, year: 2005}
orgs:
  - {id: mx, name: 某县, kind: county}
  - {id: mx_sci, name: 某县科技局, kind: department, parent: mx}
  - {id: t1, name: 甲乡, kind: town, parent: mx}
targets:
  - {id: x, title: 指标, unit: 项, kind: cumulative, target: 1}
""",
        file="other.yaml",
    )
    assert dep.county_bureau(other) == "mx_sci"
    assert dep.post_title(other, "t1") == "科技副乡长"


def test_the_demo_posts_deputy_township_heads_to_townships_and_counts_30_communities(demo_plan):
    data = deputies_demo.demo_data(demo_plan)
    posts = {(o, p) for o, p in zip(data.roster["org"], data.roster["post"])}
    assert ("mamuchi", "科技副乡长") in posts  # 马牧池乡
    assert all(p == ("科技副乡长" if o == "mamuchi" else "科技副镇长") for o, p in posts)
    sp = data.specialists
    in_2004 = sp[[d.year == 2004 for d in sp["dispatch_date"]]]
    assert len(in_2004) == 37 and int(in_2004["communities"].sum()) == 30


def test_tracking_records_read_back_from_the_workbook_and_an_unknown_kind_is_refused(tmp_path, demo_plan):
    data = deputies_demo.demo_data(demo_plan)
    path = deputies_io.write_workbook(tmp_path / "ev.xlsx", data, plan=demo_plan)
    back = deputies_io.read_workbook(path, demo_plan)
    assert back.events[["person_id", "kind", "date"]].values.tolist() == (
        data.events[["person_id", "kind", "date"]].values.tolist()
    )
    recall = back.events[back.events["kind"] == "recall"]
    assert recall[["person_id", "date"]].values.tolist() == [["KF200201", dt.date(2004, 11, 20)]]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "跟踪管理"
    ws.append(["编号", "类别", "日期", "结果"])
    ws.append(["P1", "开会", "2005-03-01", ""])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ReportImportError) as exc:
        deputies_io.read_workbook(tmp_path / "bad.xlsx", demo_plan, known_people={"P1"})
    assert [(p.row, p.field) for p in exc.value.problems] == [("跟踪管理!2", "类别")]
