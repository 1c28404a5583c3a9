"""Documents: xlsx, docx and HTML read back and compared with the status engine."""

from __future__ import annotations

import datetime as dt
import shutil

import docx
import openpyxl
import pytest

from kejifu import documents
from kejifu.plan import parse_plan
from kejifu.status import ALL, status
from kejifu.units import format_value
from tests.helpers import SMALL_PLAN, reports

R = [
    ("a", "terminals", "2005-05", 90),
    ("a", "terminals", "2005-06", 120),
    ("b", "terminals", "2005-06", 40),
    ("a", "mushroom", "2005-06", 700),
    ("b", "mushroom", "2005-06", 300),
    ("a", "ht", "2005-06", 3.1),
    ("a", "ind", "2005-06", 10),
]


@pytest.fixture()
def written(small_plan, tmp_path):
    review = documents.build_review(
        small_plan, reports(R), "monthly", "2005-06", charts=False, date=dt.date(2005, 7, 5)
    )
    return review, documents.write_review(review, tmp_path, charts=False)


def test_a_review_is_written_as_xlsx_docx_and_html_that_read_back_with_its_title_and_figures(written):
    review, paths = written
    assert [p.suffix for p in paths] == [".xlsx", ".docx", ".html"]
    assert review.title == "测试县2005年6月科技工作月调度表"
    text_sheet = openpyxl.load_workbook(paths[0])["正文"]
    assert text_sheet["A1"].value == review.title
    body = [c.value for c in text_sheet["A"] if c.value]
    assert any("全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点" in x for x in body)
    texts = [p.text for p in docx.Document(paths[1]).paragraphs]
    assert review.title in texts
    assert any("全县安装信息机160台" in x for x in texts)
    page = paths[2].read_text(encoding="utf-8")
    assert f"<h1>{review.title}</h1>" in page
    assert '<td class="num">160台</td>' in page and '<td class="num">45.3%</td>' in page


def test_the_workbook_holds_the_status_engines_numbers(written, small_plan):
    _, paths = written
    wb = openpyxl.load_workbook(paths[0])
    ws = wb["全县汇总"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    s = status(small_plan, reports(R), "2005-06-30").set_index(["target", "org"])
    term = rows["安装信息机"]
    assert term["累计完成"] == s.loc[("terminals", ALL), "actual"] == 160
    assert term["完成率"] == pytest.approx(s.loc[("terminals", ALL), "completion"])
    assert term["序时进度"] == pytest.approx(s.loc[("terminals", ALL), "expected"])
    assert term["本月完成"] == 70
    col = header.index("完成率") + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"


def test_the_workbook_by_town_sheet_lists_every_allocated_town(written, small_plan):
    _, paths = written
    ws = openpyxl.load_workbook(paths[0])["分乡镇明细"]
    header = [c.value for c in ws[1]]
    got = {(r[0], r[1]): dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert got[("安装信息机", "乙镇")]["累计完成"] == 40
    assert got[("食用菌面积", "甲镇")]["完成率"] == pytest.approx(700 / 1800)


def test_the_docx_bulletin_has_title_issuer_body_and_the_engines_numbers(written, small_plan):
    review, paths = written
    d = docx.Document(paths[1])
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == small_plan.plan.region  # no issuer in the small plan: the region issues
    assert review.title in texts
    assert "2005年7月5日" in texts
    assert any("全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点" in x for x in texts)
    table = d.tables[0]
    header = [c.text for c in table.rows[0].cells]
    row = next(r for r in table.rows[1:] if r.cells[0].text == "安装信息机")
    cells = dict(zip(header, (c.text for c in row.cells)))
    s = status(small_plan, reports(R), "2005-06-30").set_index(["target", "org"]).loc[("terminals", ALL)]
    assert cells["累计完成"] == format_value(s["actual"], "台") == "160台"
    assert cells["年度目标"] == format_value(s["target_value"], "台")
    assert cells["完成率"] == "45.3%"
    assert cells["进度状态"] == s["status_label"]


def test_without_charts_the_documents_say_so(written):
    _, paths = written
    texts = [p.text for p in docx.Document(paths[1]).paragraphs]
    assert any("未附图表" in x for x in texts)
    assert "未附图表" in paths[2].read_text(encoding="utf-8")


def test_html_escapes_every_name(tmp_path):
    text = SMALL_PLAN.replace("name: 甲镇", 'name: "<b>甲&镇</b>"').replace(
        "title: 安装信息机", 'title: "<script>x</script>"'
    )
    plan = parse_plan(text)
    review = documents.build_review(plan, reports(R), "quarterly", "2005Q2", charts=False)
    html = documents.write_review(review, tmp_path, charts=False)[2].read_text(encoding="utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>甲" not in html and "&lt;b&gt;甲&amp;镇&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "kind,period", [("quarterly", "2005Q2"), ("half-year", "2005H1"), ("annual", "2005")]
)
def test_every_review_kind_writes_each_table_as_a_sheet_holding_its_numbers(
    small_plan, tmp_path, kind, period
):
    review = documents.build_review(small_plan, reports(R), kind, period, charts=False, lang="en")
    paths = documents.write_review(review, tmp_path, charts=False)
    assert paths[0].name.endswith("_en.xlsx")
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames == ["Text"] + [table.title for table in review.tables]
    for table in review.tables:
        ws = wb[table.title]
        assert [c.value for c in ws[1]] == [c.header for c in table.columns]
        got = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(got) == len(table.frame)
        for row, (_, want) in zip(got, table.frame.iterrows()):
            for cell, col in zip(row, table.columns):
                value = want.get(col.name)
                if col.fmt in ("amount", "pct", "pp", "score", "int"):
                    assert cell == (pytest.approx(float(value)) if value == value else None)
                elif col.fmt == "text":
                    assert (cell or "") == ("" if value != value or value is None else str(value))


def test_a_contract_lists_the_towns_allocated_targets_and_signature_lines(small_plan, tmp_path):
    paths = documents.write_contracts(small_plan, tmp_path)
    assert [p.name for p in paths] == ["t_contract_a.docx", "t_contract_b.docx"]
    d = docx.Document(paths[0])
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[1][1:3] == ["安装信息机", "200台"]
    assert rows[2][1:3] == ["食用菌面积", "确保1,800亩，力争3,000亩"]
    sig = " ".join(c.text for r in d.tables[1].rows for c in r.cells)
    assert "甲镇" in sig and "签字" in sig


def test_uploads_are_saved_inside_the_workspace_only(tmp_path):
    path = documents.save_upload("../../etc/evil.csv", b"x", workspace=tmp_path)
    assert path == tmp_path.resolve() / "uploads" / "evil.csv"
    with pytest.raises(ValueError):
        documents.save_upload("..", b"x", workspace=tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium for kaleido")
def test_charts_are_embedded_as_png_when_chromium_is_present(small_plan, tmp_path):
    review = documents.build_review(small_plan, reports(R), "quarterly", "2005Q2")
    paths = documents.write_review(review, tmp_path)
    assert len(docx.Document(paths[1]).inline_shapes) == len(review.figures) >= 1
    assert "data:image/png;base64," in paths[2].read_text(encoding="utf-8")


def test_a_failing_chart_export_leaves_the_chart_out_with_a_note(small_plan, tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "chart_png", lambda fig, **kw: None)
    review = documents.build_review(small_plan, reports(R), "quarterly", "2005Q2")
    paths = documents.write_review(review, tmp_path)
    assert len(docx.Document(paths[1]).inline_shapes) == 0
    assert any("未附图表" in p.text for p in docx.Document(paths[1]).paragraphs)


# ----- how current and how complete the figures are (issue 13, items 7 and 8) -----------------

LATE = [
    ("a", "terminals", "2005-02", 50),
    ("a", "terminals", "2005-03", 60),
    ("b", "terminals", "2005-03", 40),
    ("a", "mushroom", "2005-03", 300),
]
NOTICE = "数据截至2005年3月，2005年4月至2005年6月的数据尚未报送。"


def test_data_ending_before_the_period_is_said_in_the_first_line_of_every_document(small_plan, tmp_path):
    review = documents.build_review(small_plan, reports(LATE), "half-year", "2005H1", charts=False)
    assert review.data_month == "2005-03" and review.notice == NOTICE
    xlsx_path, docx_path, html_path = documents.write_review(review, tmp_path, charts=False)
    assert openpyxl.load_workbook(xlsx_path)["正文"]["A1"].value == NOTICE
    assert docx.Document(docx_path).paragraphs[0].text == NOTICE
    page = html_path.read_text(encoding="utf-8")
    assert page.index(NOTICE) < page.index('<div class="issuer">')
    # the figures are dated by their own month: 60 + 40 = 100 terminals through March
    texts = " ".join(p.text for p in review.paragraphs)
    assert "截至3月底，全县安装信息机100台" in texts and "截至6月底" not in texts


def test_current_data_open_with_the_issuer_not_a_notice(written):
    review, paths = written
    assert review.notice is None and review.data_month == "2005-06"
    assert docx.Document(paths[1]).paragraphs[0].text == "测试县"


def test_carried_forward_figures_are_marked_in_every_table_of_every_document(small_plan, tmp_path):
    r = reports(R[:1] + R[2:])  # 甲镇's terminals only through May; everything else for June
    review = documents.build_review(small_plan, r, "monthly", "2005-06", charts=False)
    mark = "本月未报，沿用2005年5月数据"
    for table in review.tables:
        assert table.columns[-1].header == "数据说明"
        rows = documents.table_rows(table, "zh")
        stale = [row for row, (_, want) in zip(rows, table.frame.iterrows()) if bool(want.get("stale"))]
        assert stale and all("沿用" in row[-1] for row in stale)
        assert any(mark in row[-1] for row in stale) or table.key == "summary"
    xlsx_path, docx_path, html_path = documents.write_review(review, tmp_path, charts=False)
    by_town = openpyxl.load_workbook(xlsx_path)["分乡镇明细"]
    header = [c.value for c in by_town[1]]
    notes = {
        (r[0], r[1]): r[header.index("数据说明")] for r in by_town.iter_rows(min_row=2, values_only=True)
    }
    assert notes[("安装信息机", "甲镇")] == mark and not notes[("安装信息机", "乙镇")]
    d = docx.Document(docx_path)
    assert all(any("沿用" in c.text for row in tb.rows for c in row.cells) for tb in d.tables)
    assert any(mark in c.text for tb in d.tables for row in tb.rows for c in row.cells)
    page = html_path.read_text(encoding="utf-8")
    assert page.count("<table>") == len(review.tables) and page.count("沿用") >= len(review.tables)
    assert mark in page


def test_a_monthly_table_names_who_has_not_reported_and_marks_the_total_incomplete(small_plan):
    r = reports([row for row in R if not (row[0] == "b" and row[1] == "terminals")])
    review = documents.build_review(small_plan, r, "monthly", "2005-06", charts=False)
    assert review.summary[0] == "乙镇未按时报送6月数据。"
    summary = next(tb for tb in review.tables if tb.key == "summary")
    notes = dict(zip(summary.frame["target"], summary.frame["note"]))
    assert notes["terminals"] == "2个乡镇中1个已报送"  # 乙镇 never reported terminals: no figure carried
    assert notes["mushroom"] == ""
