"""The yearly 双重考核 summary and the 届满考核 sheet as 公文 documents (docx and xlsx)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from kejifu import deputies as dep
from kejifu.deputies import documents as deputies_docs

DIMS = ("de", "neng", "qin", "ji", "lian")


@pytest.fixture
def ledger() -> dep.DeputyData:
    roster = dep.normalise_roster(
        pd.DataFrame(
            [
                dict(person_id="P1", name="示例甲", org="hutou", term_start="2002-07-01", batch=2002),
                dict(person_id="P2", name="示例乙", org="jiehu", term_start="2002-07-01", batch=2002),
                dict(person_id="P3", name="示例丙", org="sucun", term_start="2003-07-01", batch=2003),
            ]
        )
    )
    a = pd.DataFrame(
        [
            dict(person_id="P1", year=2004, assessor="town", **dict.fromkeys(DIMS, 90)),
            dict(person_id="P1", year=2004, assessor="orgdept", **dict.fromkeys(DIMS, 80)),
            dict(person_id="P2", year=2004, assessor="town", **dict.fromkeys(DIMS, 95)),
            dict(person_id="P2", year=2004, assessor="orgdept", **dict.fromkeys(DIMS, 92)),
            dict(person_id="P3", year=2004, assessor="town", **dict.fromkeys(DIMS, 60)),
        ]
    )
    eot = pd.DataFrame([dict(person_id="P1", democratic=80, inspection=90)])
    return dep.DeputyData(roster=roster, assessments=a, end_of_term=eot)


def test_the_yearly_summary_lists_hand_computed_scores_and_counts_the_grades(demo_plan, ledger, tmp_path):
    from docx import Document

    review = deputies_docs.yearly_review(demo_plan, ledger, 2004)
    docx_path, xlsx_path = deputies_docs.write_review(review, tmp_path)
    text = "\n".join(p.text for p in Document(docx_path).paragraphs)
    assert "2004年度挂职科技副职双重考核汇总表" in text and "中共沂南县委组织部" in text
    # P1: 0.4*90 + 0.6*80 = 84 → 称职; P2: 0.4*95 + 0.6*92 = 93.2 → 优秀; P3: the department has not scored
    assert "共考核3人：优秀 1，称职 1，待评定 1。" in text
    assert "乡镇考核得分×0.4 + 组织部考核得分×0.6" in text
    assert "三、考核组意见" in text and "（待填写）" in text
    assert "并非市里统一规定" in text
    rows = [[c.text for c in r.cells] for r in Document(docx_path).tables[0].rows]
    assert rows[1] == ["P1", "示例甲", "湖头镇", "2002", "90.0", "80.0", "84.0", "称职"]
    assert rows[2][-2:] == ["93.2", "优秀"] and rows[3][-3:] == ["—", "—", "待评定"]
    wb = openpyxl.load_workbook(xlsx_path)
    table = wb.worksheets[1]
    assert [c.value for c in table[2]][:3] == ["P1", "示例甲", "湖头镇"]
    assert table.cell(row=2, column=7).value == pytest.approx(84.0)  # a number, not text


def test_the_end_of_term_sheet_holds_the_terms_ending_and_leaves_the_interviews_to_fill(
    demo_plan, ledger, tmp_path
):
    from docx import Document

    review = deputies_docs.end_of_term_review(demo_plan, ledger, "2005-06-30")
    frame = review.tables[0].frame
    assert list(frame["person_id"]) == ["P1", "P2"]  # P3's term ends 2006-06-30
    # P1: annual = 84 (2004 only); 0.3*80 + 0.3*90 + 0.4*84 = 84.6 → 称职; P2 has no end-of-term scores
    assert frame.loc[0, "score"] == pytest.approx(84.6) and frame.loc[0, "grade"] == "称职"
    assert frame.loc[1, "grade"] == "待评定"
    assert set(frame["interview"]) == {"（待填写）"}
    assert list(frame["goals_review"]) == ["（待填写）", "（待填写）"]  # no finding recorded yet
    events = pd.DataFrame(
        [
            dict(
                person_id="P1",
                kind="goals_review",
                date="2005-06-20",
                result="目标全部完成",
                by="组织部",
                note="",
            )
        ]
    )
    with_goals = dep.DeputyData(**{**{k: getattr(ledger, k) for k in ledger.counts()}, "events": events})
    again = deputies_docs.end_of_term_review(demo_plan, with_goals, "2005-06-30").tables[0].frame
    assert list(again["goals_review"]) == ["目标全部完成", "（待填写）"]
    docx_path, _ = deputies_docs.write_review(review, tmp_path)
    text = "\n".join(p.text for p in Document(docx_path).paragraphs)
    assert "民主测评 × 0.3 + 考察 × 0.3 + 年度考核平均 × 0.4" in text
    assert "共考核2人：称职 1，待评定 1。" in text
