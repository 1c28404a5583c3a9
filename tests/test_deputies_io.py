"""kejifu.deputies.workbook: xlsx workbooks refused whole with located problems; export reads back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kejifu import deputies as dep
from kejifu.deputies import demo as deputies_demo
from kejifu.deputies import workbook as deputies_io
from kejifu.errors import ReportImportError
from tests.helpers import workbook

ROSTER_HEAD = [
    "编号",
    "姓名",
    "派出单位",
    "挂职乡镇",
    "挂职职务",
    "批次",
    "类别",
    "任期开始",
    "任期结束",
    "状态",
    "状态日期",
]
ASSESS_HEAD = ["编号", "年度", "考核主体", "德", "能", "勤", "绩", "廉"]


GOOD_ROSTER = [
    ROSTER_HEAD,
    [
        "P1",
        "示例甲",
        "市农业局",
        "界湖镇",
        "科技副镇长",
        2003,
        "选派",
        dt.date(2003, 7, 1),
        dt.date(2006, 6, 30),
        "在任",
        None,
    ],
    ["P2", "示例乙", "（外聘）", "hutou", "科技副镇长", 2005, "外聘", "2005-07-01", None, None, None],
]


def test_a_clean_workbook_reads_into_frames_with_codes_and_default_term(tmp_path, demo_plan):
    path = workbook(
        tmp_path / "ok.xlsx",
        {
            "科技副职名册": GOOD_ROSTER,
            "年度考核": [
                ASSESS_HEAD,
                ["P1", 2004, "乡镇", 90, 80, 85, 95, 100],
                ["P1", 2004, "组织部", 80, 70, 75, 85, 90],
            ],
            "书面报告": [
                ["编号", "年度", "第几次", "报送日期", "报组织部", "报乡镇党委", "报派出单位"],
                ["P1", 2004, 1, "2004-06-20", "是", "是", "否"],
            ],
        },
    )
    data = deputies_io.read_workbook(path, demo_plan)
    assert list(data.roster["org"]) == ["jiehu", "hutou"]
    assert list(data.roster["kind"]) == ["seconded", "outside"]
    assert data.roster.loc[1, "term_end"] == dt.date(2008, 6, 30)
    assert dep.yearly_grades(data.assessments).loc[0, "score"] == pytest.approx(84)
    assert data.reports.loc[0, "to_sender"] is False or data.reports.loc[0, "to_sender"] == False  # noqa: E712


def test_a_bad_workbook_is_refused_whole_with_every_problem_located(tmp_path, demo_plan):
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "科技副职名册": [
                ROSTER_HEAD,
                [
                    "P1",
                    "示例甲",
                    "市农业局",
                    "界湖镇",
                    "科技副镇长",
                    2003,
                    "选派",
                    "2003-07-01",
                    "2002-06-30",
                    "在任",
                    None,
                ],
                [
                    "P2",
                    "示例乙",
                    "市农业局",
                    "火星镇",
                    "科技副镇长",
                    2003,
                    "选派",
                    "2003-07-01",
                    None,
                    None,
                    None,
                ],
                [
                    "P2",
                    "示例丙",
                    "市农业局",
                    "湖头镇",
                    "科技副镇长",
                    2003,
                    "选派",
                    "2003-07-01",
                    None,
                    None,
                    None,
                ],
            ],
            "年度考核": [
                ASSESS_HEAD,
                ["P2", 2004, "乡镇", 90, 80, 185, 95, 100],
                ["P9", 2004, "组织部", 80, 70, 75, 85, 90],
            ],
        },
    )
    with pytest.raises(ReportImportError) as exc:
        deputies_io.read_workbook(path, demo_plan)
    msgs = [str(p) for p in exc.value.problems]
    text = "\n".join(msgs)
    assert "bad.xlsx:科技副职名册!2: 任期结束: 任期结束（2002-06-30）早于开始（2003-07-01）" in text
    assert "bad.xlsx:科技副职名册!3: 挂职乡镇: 未知乡镇：火星镇 / unknown town: 火星镇" in text
    assert "bad.xlsx:科技副职名册!4: 编号: 人员重复：P2" in text
    assert "bad.xlsx:年度考核!2: 勤: 数值超出范围（0–100）：185" in text
    assert "bad.xlsx:年度考核!3: 编号: 名册中没有此人：P9" in text
    assert len(msgs) == 5


def test_a_recall_without_a_date_and_a_missing_column_are_refused(tmp_path, demo_plan):
    path = workbook(
        tmp_path / "bad2.xlsx",
        {
            "科技副职名册": [
                ROSTER_HEAD,
                ["P1", "示例甲", "", "界湖镇", "", 2003, "选派", "2003-07-01", None, "召回", None],
            ],
            "五个一": [["编号", "推广新技术"], ["P1", 2]],
        },
    )
    with pytest.raises(ReportImportError) as exc:
        deputies_io.read_workbook(path, demo_plan)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "召回须填写召回日期" in text
    assert "五个一!1: year: 缺少必填列：年度" in text


def test_reports_may_name_people_already_on_the_stored_roster(tmp_path, demo_plan):
    path = workbook(
        tmp_path / "r.xlsx",
        {"书面报告": [["编号", "年度", "第几次", "报送日期"], ["P7", 2005, 3, "2005-06-01"]]},
    )
    with pytest.raises(ReportImportError) as exc:
        deputies_io.read_workbook(path, demo_plan, known_people={"P7"})
    assert [p.field for p in exc.value.problems] == ["第几次"]  # only 2 reports are owed a year


def test_town_level_specialists_need_a_known_town(tmp_path, demo_plan):
    head = ["编号", "姓名", "派出层级", "县外", "挂职乡镇", "派出日期"]
    path = workbook(
        tmp_path / "s.xlsx",
        {
            "科技特派员": [
                head,
                ["T1", "示例甲", "乡镇派", "否", "", "2005-03-01"],
                ["T2", "示例乙", "县派", "是", "", "2005-04-01"],
            ]
        },
    )
    with pytest.raises(ReportImportError) as exc:
        deputies_io.read_workbook(path, demo_plan)
    assert [p.row for p in exc.value.problems] == ["科技特派员!2"]


def test_an_exported_ledger_reads_back_unchanged(tmp_path, demo_plan):
    data = deputies_demo.demo_data(demo_plan)
    path = deputies_io.write_workbook(tmp_path / "out.xlsx", data, plan=demo_plan)
    back = deputies_io.read_workbook(path, demo_plan)
    assert back.counts() == data.counts()
    pd.testing.assert_frame_equal(
        back.roster[dep.ROSTER_COLUMNS], data.roster[dep.ROSTER_COLUMNS], check_dtype=False
    )
    assert (
        dep.yearly_grades(back.assessments)["score"].round(6).tolist()
        == dep.yearly_grades(data.assessments)["score"].round(6).tolist()
    )
    assert list(back.specialists["org"]) == list(data.specialists["org"])


def test_an_english_template_is_read_as_an_empty_ledger(tmp_path, demo_plan):
    path = deputies_io.write_workbook(tmp_path / "t.xlsx", dep.DeputyData(), lang="en")
    assert deputies_io.read_workbook(path, demo_plan).counts() == {k: 0 for k in dep.DeputyData().counts()}


def test_a_workbook_without_known_sheets_is_refused(tmp_path, demo_plan):
    path = workbook(tmp_path / "x.xlsx", {"Sheet9": [["a"]]})
    with pytest.raises(ReportImportError, match="没有可识别的工作表"):
        deputies_io.read_workbook(path, demo_plan)


def test_the_end_of_term_sheet_is_a_word_table_with_one_row_per_deputy(tmp_path, demo_plan):
    from docx import Document

    data = deputies_demo.demo_data(demo_plan)
    sheet = dep.end_of_term(data.roster, data.assessments, data.end_of_term)
    done = sheet[sheet["grade"].isin(dep.GRADES)]
    path = deputies_io.end_of_term_docx(
        tmp_path / "eot.docx", done, data.roster, plan=demo_plan, synthetic=True
    )
    doc = Document(path)
    assert doc.paragraphs[0].text == "挂职科技副职任期考核表"
    assert any("示例名册" in p.text for p in doc.paragraphs)
    rows = doc.tables[0].rows
    assert len(rows) == len(done) + 1
    assert rows[0].cells[9].text == "等次"
    assert "考核权重、等次分数线" in "\n".join(
        p.text for p in doc.paragraphs
    )  # the county's settings, said so


def test_the_end_of_term_sheet_shows_the_hand_computed_score_and_grade(tmp_path, demo_plan):
    from docx import Document

    roster = dep.normalise_roster(
        pd.DataFrame(
            [
                dict(
                    person_id="P1",
                    name="示例甲",
                    sending_org="市农业局",
                    org="hutou",
                    term_start="2003-07-01",
                ),
                dict(
                    person_id="P2",
                    name="示例乙",
                    sending_org="市科技局",
                    org="jiehu",
                    term_start="2003-07-01",
                ),
            ]
        )
    )
    dims = ("de", "neng", "qin", "ji", "lian")
    a = pd.DataFrame(
        [
            dict(person_id="P1", year=2004, assessor="town", **dict.fromkeys(dims, 90)),
            dict(person_id="P1", year=2004, assessor="orgdept", **dict.fromkeys(dims, 80)),
            dict(person_id="P1", year=2005, assessor="town", **dict.fromkeys(dims, 70)),
            dict(person_id="P1", year=2005, assessor="orgdept", **dict.fromkeys(dims, 70)),
            dict(person_id="P2", year=2004, assessor="town", **dict.fromkeys(dims, 95)),
            dict(person_id="P2", year=2004, assessor="orgdept", **dict.fromkeys(dims, 95)),
        ]
    )
    eot = pd.DataFrame(
        [
            dict(person_id="P1", democratic=80, inspection=90),
            dict(person_id="P2", democratic=90, inspection=85),
        ]
    )
    sheet = dep.end_of_term(roster, a, eot)
    path = deputies_io.end_of_term_docx(tmp_path / "eot.docx", sheet, roster, plan=demo_plan)
    rows = Document(path).tables[0].rows
    # P1: yearly 2004 = 0.4*90 + 0.6*80 = 84, 2005 = 70, mean 77; 0.3*80 + 0.3*90 + 0.4*77 = 81.8 → 称职
    assert [c.text for c in rows[1].cells] == [
        "P1", "示例甲", "市农业局", "湖头镇", "2003", "80.0", "90.0", "77.0", "81.8", "称职"
    ]  # fmt: skip
    # P2: 0.3*90 + 0.3*85 + 0.4*95 = 90.5 → 优秀
    assert (rows[2].cells[8].text, rows[2].cells[9].text) == ("90.5", "优秀")


def test_a_person_named_like_a_formula_is_written_as_text_and_read_back_unchanged(tmp_path):
    import openpyxl

    from kejifu import deputies as dep
    from kejifu.config import demo_plan
    from kejifu.deputies import workbook as deputies_io
    from kejifu.plan import load_plan

    plan = load_plan(demo_plan())
    roster = dep.normalise_roster(
        pd.DataFrame(
            [
                {
                    "person_id": "P1",
                    "name": '=HYPERLINK("http://x")',
                    "sending_org": "市科技局",
                    "org": "hutou",
                    "post": "科技副镇长",
                    "batch": 2005,
                    "kind": "seconded",
                    "term_start": dt.date(2005, 7, 1),
                }
            ]
        )
    )
    path = deputies_io.write_workbook(tmp_path / "d.xlsx", dep.DeputyData(roster=roster), plan=plan)
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.data_type == "f" for c in cells)
    back = deputies_io.read_workbook(path, plan)
    assert back.roster["name"].tolist() == ['=HYPERLINK("http://x")']
