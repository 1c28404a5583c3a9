"""The year-end assessment document (issue 14, item 7): the rubric's sheet read back from xlsx, docx
and PDF, checked against hand-computed points, and the data month stated when the data stop early.

The plan below: four towns, each allocated 100 terminals and 1,000 mu of mushrooms (linear
schedules, so 50 % is due by June). Rubric: terminals weight 60 (veto below half the expected
progress), mushrooms weight 40; points = weight × completion ÷ expected, capped at 120 %, none below
50 %; 2 points off per month missing, 1 per month late (due by the 5th of the next month).

Data through June:
* 甲镇 50 terminals (50 % ÷ 50 % → 60), 550 mu (55 % ÷ 50 % → 44): 104, its May report came on
  20 June (late: −1) → 103, 优秀, rank 1;
* 丙镇 and 丁镇 45 terminals (90 % → 54), 400 mu (80 % → 32): 86, no April report (−2) → 84 each,
  良好, sharing rank 2;
* 乙镇 20 terminals (40 % of the schedule, below half: veto), 500 mu → 0, 不合格, rank 4.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import docx
import openpyxl
import pandas as pd
import pytest

from kejifu import documents
from kejifu.documents import pdf
from kejifu.plan import parse_plan

PLAN = """
plan: {id: t, title: 测试计划, region: 测试县, year: 2005}
orgs:
  - {id: k, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: k}
  - {id: b, name: 乙镇, kind: town, parent: k}
  - {id: c, name: 丙镇, kind: town, parent: k}
  - {id: d, name: 丁镇, kind: town, parent: k}
targets:
  - {id: terminals, title: 安装信息机, unit: 台, target: 400, allocations: {a: 100, b: 100, c: 100, d: 100}}
  - {id: mushroom, title: 食用菌面积, unit: 亩, target: 4000,
     allocations: {a: 1000, b: 1000, c: 1000, d: 1000}}
assessment:
  targets: {terminals: {weight: 60, veto: true, veto_below: 0.5}, mushroom: {weight: 40}}
  rule: {cap: 1.2, floor: 0.5, stretch_bonus: 0}
  reports: {deduct_missing: 2, deduct_late: 1, deadline_day: 5, max_deduction: 10}
  grades: {excellent: 90, good: 80, pass: 60}
"""
JUNE = {"a": (50, 550), "b": (20, 500), "c": (45, 400), "d": (45, 400)}  # terminals [台], mushrooms [亩]
DATE = dt.date(2006, 1, 10)
NOTICE = "数据截至2005年6月，2005年7月至2005年12月的数据尚未报送。"
SHEET = "考核结果（数据截至2005年6月）"
HEADER = [
    "名次",
    "单位",
    "安装信息机得分（权重60）",
    "食用菌面积得分（权重40）",
    "指标得分",
    "加分",
    "缺报月数",
    "迟报月数",
    "扣分",
    "一票否决事项",
    "总分",
    "等次",
]
WANT = [
    [1, "甲镇", 60, 44, 104, 0, 0, 1, 1, "无", 103, "优秀"],
    [2, "丙镇", 54, 32, 86, 0, 1, 0, 2, "无", 84, "良好"],
    [2, "丁镇", 54, 32, 86, 0, 1, 0, 2, "无", 84, "良好"],
    [4, "乙镇", 0, 40, 40, 0, 0, 0, 0, "安装信息机", 0, "不合格"],
]


def _reports(last_month: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly cumulative figures reaching :data:`JUNE` in June (丙镇, 丁镇 skip April), then
    flat to ``last_month``; and the submissions with ``imported_at`` (甲镇's May report late)."""
    rows = []
    for org, (term, mush) in JUNE.items():
        for m in range(1, last_month + 1):
            if org in ("c", "d") and m == 4:
                continue
            f = min(m, 6) / 6
            month = f"2005-{m:02d}"
            rows += [(org, "terminals", month, round(term * f)), (org, "mushroom", month, round(mush * f))]
    r = pd.DataFrame(rows, columns=["org", "measure", "month", "value"])
    stamps = [f"{2005 + m // 12}-{m % 12 + 1:02d}-03" for m in (int(x[5:]) for x in r["month"])]
    subs = r.assign(imported_at=stamps)
    subs.loc[(subs["org"] == "a") & (subs["month"] == "2005-05"), "imported_at"] = "2005-06-20"
    return r, subs


def _review(last_month: int = 6, lang: str = "zh"):
    r, subs = _reports(last_month)
    return documents.build_review(
        parse_plan(PLAN), r, "annual", "2005", charts=False, submissions=subs, date=DATE, lang=lang
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    review = _review()
    return review, documents.write_review(review, tmp_path_factory.mktemp("annual"), charts=False)


def test_the_assessment_sheet_shows_points_per_target_deductions_veto_total_shared_rank_and_grade(written):
    _, paths = written
    wb = openpyxl.load_workbook(paths[0])
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == HEADER
    got = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(got) == len(WANT)
    for row, want in zip(got, WANT):
        assert row[:2] == want[:2] and row[9:] == [want[9], pytest.approx(want[10]), want[11]]
        assert row[2:9] == [pytest.approx(x) for x in want[2:9]]


def test_the_points_by_target_sheet_shows_how_each_score_was_reached(written):
    _, paths = written
    ws = openpyxl.load_workbook(paths[0])["分项得分"]
    header = [c.value for c in ws[1]]
    assert header == ["单位", "指标", "权重", "完成率", "序时进度", "完成率÷序时进度", "得分", "加分"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    # 甲镇's mushrooms: 550 of 1,000 mu = 55 % against 50 % due → 110 % → 40 × 1.1 = 44 points
    assert rows[("甲镇", "食用菌面积")][2:7] == pytest.approx((40, 0.55, 0.5, 1.1, 44))
    # 乙镇's terminals: 20 of 100 = 20 % → 40 % of the schedule, below the 50 % floor → 0 points
    assert rows[("乙镇", "安装信息机")][5:7] == pytest.approx((0.4, 0))


def test_data_through_june_are_said_first_in_every_document_and_in_the_sheets(written):
    review, (xlsx_path, docx_path, html_path) = written
    assert review.notice == NOTICE
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb["正文"]["A1"].value == NOTICE
    assert wb.sheetnames == ["正文", "全县汇总", SHEET, "分项得分"]
    for name in (SHEET, "分项得分"):  # the note prints at the head of every page of the sheet
        assert wb[name].oddHeader.center.text.startswith("数据截至2005年6月，2005年7月至2005年12月")
        assert "不是全年考核结论" in wb[name].oddHeader.center.text
    texts = [p.text for p in docx.Document(docx_path).paragraphs]
    assert texts[0] == NOTICE
    assert "现将2005年度乡镇科技工作目标考核阶段性测算结果（数据截至2005年6月）通报如下：" in texts
    assert texts[texts.index("附件2") + 1] == SHEET
    assert texts[texts.index("附件2") + 2].startswith("数据截至2005年6月")
    page = html_path.read_text(encoding="utf-8")
    assert page.index(NOTICE) < page.index('<div class="issuer">') and SHEET in page


def test_an_assessment_on_part_of_the_year_never_claims_the_whole_year(written):
    review, (_, docx_path, _) = written
    body = "\n".join(p.text for p in docx.Document(docx_path).paragraphs)
    # scored against June's schedule (50 %), the June reporters named, not December's
    assert "截至6月底，全县安装信息机160台，完成年度目标的40.0%，低于序时进度10个百分点" in body
    assert "12月底应完成" not in body and "12月数据" not in body.replace("待12月数据报齐", "")
    assert "本次考核数据截至2005年6月，各乡镇得分按6月底序时进度测算，为阶段性结果" in body
    assert "考核结果：优秀1个，良好2个，合格0个，不合格1个。" in body
    assert "乙镇的安装信息机完成不足序时进度的50%，实行一票否决。" in body
    assert "甲镇（迟报1个月，扣1分）、丙镇（缺报1个月，扣2分）、丁镇（缺报1个月，扣2分）" in body


def test_data_for_the_whole_year_give_the_full_assessment_without_a_notice():
    review = _review(last_month=12)
    assert review.notice is None and review.data_month == "2005-12"
    assert review.lead == "现将2005年度乡镇科技工作目标考核结果通报如下："
    table = next(tb for tb in review.tables if tb.key == "assessment")
    assert table.title == "考核结果" and table.note == ""
    rows = {r[1]: r for r in documents.table_rows(table, "zh")}
    # 50 of 100 terminals at year end: 50 % ÷ 100 % = half the weight, 30 points; 550 mu → 22 points
    assert rows["甲镇"][2:5] == ["30.0", "22.0", "52.0"] and rows["甲镇"][6:9] == ["0", "1", "1.0"]
    # 丙镇, 丁镇 skipped April only: one month missing; 乙镇: 20 % < 50 % of the schedule → vetoed
    assert rows["丙镇"][6] == "1" and rows["乙镇"][9] == "安装信息机" and rows["乙镇"][10] == "0.0"
    assert not any("阶段性" in s for s in review.summary)


def test_the_english_sheet_title_carries_the_data_month_within_excels_31_characters():
    review = _review(lang="en")
    table = next(tb for tb in review.tables if tb.key == "assessment")
    assert table.title == "Assessment (data to Jun 2005)" and len(table.title) <= 31
    assert table.note.startswith("Data through Jun 2005; Jul 2005 to Dec 2005 not yet reported.")


@pytest.mark.skipif(
    not pdf.available() or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils missing: run scripts/system-deps.sh",
)
def test_the_annual_pdf_opens_with_the_data_month_and_prints_the_sheet(written):
    _, paths = written
    xlsx_pdf, docx_pdf = pdf.convert(paths[:2])
    pages = [re.sub(r"\s+", "", p) for p in pdf.text(docx_pdf).split("\f") if p.strip()]
    assert pages[0].startswith("数据截至2005年6月")
    annex = next(p for p in pages if p.startswith("附件2"))
    assert "考核结果（数据截至2005年6月）" in annex and "不是全年考核结论" in annex
    assert "甲镇60.044.0104.0" in annex and "乙镇0.040.040.0" in annex
    sheet = re.sub(r"\s+", "", pdf.text(xlsx_pdf))
    assert sheet.startswith("数据截至2005年6月") and "得分按6月底序时进度测算" in sheet
