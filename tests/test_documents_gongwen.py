"""Review documents in 公文 format (GB/T 9704-2012): read back with python-docx and openpyxl."""

from __future__ import annotations

import datetime as dt
import re

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from kejifu import display, documents
from kejifu.documents import layout
from kejifu.plan import parse_plan
from kejifu.status import ALL, status
from tests.helpers import SMALL_PLAN, reports

R = [
    ("a", "terminals", "2005-05", 90),
    ("a", "terminals", "2005-06", 120),
    ("b", "terminals", "2005-06", 40),
    ("a", "mushroom", "2005-06", 966),
    ("b", "mushroom", "2005-06", 300),
    ("a", "ht", "2005-06", 3.1),
    ("a", "ind", "2005-06", 10),
]
KINDS = [("monthly", "2005-06"), ("quarterly", "2005Q2"), ("half-year", "2005H1"), ("annual", "2005")]
DATE = dt.date(2005, 7, 10)


def _write(plan, tmp_path, kind="quarterly", period="2005Q2", **kw):
    review = documents.build_review(plan, reports(R), kind, period, charts=False, date=DATE, **kw)
    return review, documents.write_review(review, tmp_path, charts=False)


def _east_asia(paragraph) -> str:
    fonts = paragraph.runs[0]._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def _bottom_rule(paragraph):
    ppr = paragraph._p.pPr
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    return None if border is None else border.find(qn("w:bottom"))


def test_no_title_repeats_a_word_and_a_repeating_one_is_caught(small_plan):
    assert layout.title_repeats("沂南县2005年上半年科技工作半年工作总结") == ["半年", "工作"]
    assert layout.title_repeats("沂南县2005年第二季度科技工作季度通报") == ["季度"]
    titles = {}
    for kind, period in KINDS:
        review = documents.build_review(small_plan, reports(R), kind, period, charts=False)
        assert layout.title_repeats(review.title) == [], review.title
        titles[kind] = review.title
    assert titles == {
        "monthly": "测试县2005年6月科技工作月调度表",
        "quarterly": "测试县2005年第二季度科技工作通报",
        "half-year": "测试县2005年上半年科技工作总结",
        "annual": "测试县2005年度乡镇科技工作目标考核结果",
    }


def test_the_addressee_follows_the_document_type(small_plan):
    got = {
        kind: documents.build_review(small_plan, reports(R), kind, period, charts=False).addressee
        for kind, period in KINDS
    }
    assert got["quarterly"] == got["monthly"] == "各乡镇人民政府，县直有关部门："
    assert got["half-year"] == "县委、县政府："


def test_the_docx_has_the_red_mark_the_number_over_the_red_line_and_the_title(small_plan, tmp_path):
    review, paths = _write(small_plan, tmp_path, doc_number="测科发〔2005〕12号")
    d = docx.Document(paths[1])
    ps = d.paragraphs
    assert ps[0].text == "测试县" and str(ps[0].runs[0].font.color.rgb) == "C00000"
    assert ps[0].alignment == 1  # centred
    number = next(p for p in ps if p.text == "测科发〔2005〕12号")
    rule = _bottom_rule(number)
    assert rule is not None and rule.get(qn("w:color")) == "C00000"
    title = next(p for p in ps if p.text == review.title)
    assert _east_asia(title) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    assert ps[ps.index(title) + 1].text == "各乡镇人民政府，县直有关部门："
    assert ps[ps.index(title) + 2].text == "现将2005年第二季度全县科技工作目标任务进展情况通报如下："


def test_the_quarterly_bulletin_reads_xian_jiang_ru_xia_exactly_once(small_plan, tmp_path):
    review, paths = _write(small_plan, tmp_path)
    texts = [p.text for p in docx.Document(paths[1]).paragraphs]
    opening = [x for x in texts if "现将" in x or "如下" in x]
    assert opening == ["现将2005年第二季度全县科技工作目标任务进展情况通报如下："]
    assert not any("现将" in p.text for p in review.paragraphs) and not any(
        "现将" in s for s in review.summary
    )


def test_body_is_fangsong_16pt_with_heiti_and_kaiti_headings(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path)
    ps = docx.Document(paths[1]).paragraphs
    level1 = [p for p in ps if re.match(r"^[一二三四五六七八九十]+、", p.text)]
    assert len(level1) >= 2 and all(_east_asia(p) == "黑体" for p in level1)
    body = next(p for p in ps if "全县安装信息机160台" in p.text)
    assert _east_asia(body) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert layout.heading_level("（一）农业") == 2 and layout.heading_level("一、农业") == 1


def test_the_kaiti_font_is_used_for_second_level_headings(small_plan, tmp_path):
    review = documents.build_review(small_plan, reports(R), "quarterly", "2005Q2", charts=False, date=DATE)
    review.summary.append("（一）信息化工作")
    path = documents.docx.write_review(review, tmp_path / "x.docx")
    p = next(p for p in docx.Document(path).paragraphs if p.text == "（一）信息化工作")
    assert _east_asia(p) == "楷体_GB2312"


def test_the_page_is_a4_with_gongwen_margins_and_annexes_turn_landscape(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path)
    sections = docx.Document(paths[1]).sections
    first = sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (first.top_margin, first.bottom_margin, first.left_margin)] == [37, 35, 28]
    assert round(first.right_margin.mm) == 26
    assert len(sections) == 3 and sections[1].page_width > sections[1].page_height
    assert abs(sections[1].page_width - Mm(297)) < Mm(1)
    assert sections[2].page_width < sections[2].page_height  # the 版记 page, portrait again


def test_the_footer_numbers_pages_with_a_page_field_between_dashes(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path)
    footer = docx.Document(paths[1]).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
    assert footer.text == "— 1 —"


def test_signature_date_annexes_and_the_record_close_the_document(small_plan, tmp_path):
    review, paths = _write(small_plan, tmp_path)
    texts = [p.text for p in docx.Document(paths[1]).paragraphs]
    i = texts.index("2005年7月10日")
    assert texts[i - 1] == "测试县"  # 落款 over the 成文日期
    annex_list = [x for x in texts[:i] if "．" in x and any(tb.title in x for tb in review.tables)]
    assert annex_list[0].startswith("附件：1．") and len(annex_list) == len(review.tables)
    for n, table in enumerate(review.tables, start=1):
        j = texts.index(f"附件{n}")
        assert j > i and texts[j + 1] == table.title
    assert texts[-2] == "抄送：县委办公室，县政府办公室。"
    assert texts[-1].startswith("测试县") and texts[-1].endswith("2005年7月10日印发")


def test_running_text_drops_thousands_separators_and_tables_keep_them(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path, kind="monthly", period="2005-06")
    d = docx.Document(paths[1])
    body = "\n".join(p.text for p in d.paragraphs)
    assert "全县食用菌面积1266亩" in body and not re.search(r"\d,\d{3}", body)
    cells = [c.text for r in d.tables[0].rows for c in r.cells]
    assert "1,266亩" in cells
    assert (
        layout.running_text("高于序时进度9.0个百分点，面积12,345,678亩")
        == "高于序时进度9个百分点，面积12345678亩"
    )
    assert layout.running_text("1,266 mu", "en") == "1,266 mu"


def test_every_figure_in_the_text_is_the_status_engines(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path, kind="monthly", period="2005-06")
    body = "\n".join(p.text for p in docx.Document(paths[1]).paragraphs)
    s = status(small_plan, reports(R), "2005-06-30").set_index(["target", "org"])
    for target, unit in (("terminals", "台"), ("mushroom", "亩")):
        row = s.loc[(target, ALL)]
        actual = display.number(row["actual"], unit).replace(",", "")
        assert f"{actual}，完成年度目标的{display.pct(row['completion'])}" in body
    assert "全县安装信息机160台，完成年度目标的45.3%" in body  # 160 / 353 = 45.33 %


def test_the_plan_settings_change_the_issuer_number_and_fonts(tmp_path):
    text = SMALL_PLAN + (
        "settings:\n  documents:\n    mark: 测试县科学技术局文件\n    issuer: 测试县科学技术局\n"
        "    number: 测科发〔{year}〕{n}号\n    number_start: 7\n    cc: 县委办\n"
        "    fonts: {body: 宋体, heading1: 微软雅黑}\n"
    )
    plan = parse_plan(text)
    review, paths = _write(plan, tmp_path)
    ps = docx.Document(paths[1]).paragraphs
    texts = [p.text for p in ps]
    assert texts[0] == "测试县科学技术局文件" and "测科发〔2005〕7号" in texts
    assert "测试县科学技术局" in texts and texts[-2] == "抄送：县委办。"
    assert _east_asia(next(p for p in ps if "全县安装信息机160台" in p.text)) == "宋体"
    assert _east_asia(next(p for p in ps if p.text.startswith("一、"))) == "微软雅黑"
    # --doc-number wins over the plan's numbering
    again = documents.build_review(plan, reports(R), "quarterly", "2005Q2", charts=False, doc_number="X〔1〕")
    assert again.layout.doc_number == "X〔1〕"


def test_the_parts_people_write_come_from_the_notes_or_say_to_be_filled(small_plan, tmp_path):
    notes = "# 主要做法\n一是抓示范，二是抓培训。\n\n# 下半年工作打算\n加快信息机安装。\n"
    review, paths = _write(small_plan, tmp_path, kind="half-year", period="2005H1", notes=notes)
    assert [h for h, _ in review.written] == ["主要做法", "存在问题", "下半年工作打算"]
    texts = [p.text for p in docx.Document(paths[1]).paragraphs]
    n = len(review.paragraphs)
    cn = "一二三四五六七八九十"
    i = texts.index(f"{cn[n]}、主要做法")
    assert texts[i + 1] == "一是抓示范，二是抓培训。"
    assert texts[texts.index(f"{cn[n + 1]}、存在问题") + 1] == "（待填写）"
    assert texts[texts.index(f"{cn[n + 2]}、下半年工作打算") + 1] == "加快信息机安装。"
    assert texts[-2] == "抄送：市科学技术局。"  # a report to 县委、县政府 is not copied back to them
    sheet = [c.value for c in openpyxl.load_workbook(paths[0])["正文"]["A"] if c.value]
    assert "一是抓示范，二是抓培训。" in sheet and "（待填写）" in sheet


@pytest.mark.parametrize("kind,period", KINDS)
def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_repeated_headers(
    small_plan, tmp_path, kind, period
):
    _, paths = _write(small_plan, tmp_path, kind=kind, period=period)
    wb = openpyxl.load_workbook(paths[0])
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.page_margins.left == 0.5 and ws.page_margins.top == 0.6
        if ws.title != "正文":
            assert ws.print_title_rows == "$1:$1"
            assert all(c.alignment.wrap_text for c in ws[2])


def test_whole_amounts_never_print_with_a_trailing_point(small_plan, tmp_path):
    _, paths = _write(small_plan, tmp_path, kind="monthly", period="2005-06")
    ws = openpyxl.load_workbook(paths[0])["全县汇总"]
    header = [c.value for c in ws[1]]
    col = header.index("累计完成") + 1
    formats = {
        ws.cell(row=r, column=col).value: ws.cell(row=r, column=col).number_format for r in range(2, 5)
    }
    assert formats[160] == "#,##0" and formats[1266] == "#,##0"
    every = {c.number_format for row in ws.iter_rows(min_row=2) for c in row}
    assert not any(f.endswith(".##") or f.endswith(".") for f in every)


def test_table_amounts_in_yi_yuan_keep_two_decimals_and_per_cents_one(small_plan, tmp_path):
    assert documents.cell_text(5.2, "amount", "亿元", "zh") == "5.20亿元"
    assert documents.cell_text(31.79, "amount", "%", "zh") == "31.8%"
    assert documents.cell_text(1266.0, "amount", "亩", "zh") == "1,266亩"
    _, paths = _write(small_plan, tmp_path, kind="monthly", period="2005-06")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in docx.Document(paths[1]).tables[0].rows}
    assert rows["高新技术产值比重"][3] == "31.0%"  # 3.1 / 10 亿元, a whole share still shows one decimal
    ws = openpyxl.load_workbook(paths[0])["全县汇总"]
    header = [c.value for c in ws[1]]
    share = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "高新技术产值比重")
    assert share[header.index("累计完成")].number_format == "#,##0.0"
