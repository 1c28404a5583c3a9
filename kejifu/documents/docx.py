"""Word documents (python-docx) in 公文 format after GB/T 9704-2012, laid out by
:mod:`.layout`: the red 发文机关标志 and 发文字号 over the red line, a centred title (小标宋 2号),
the 主送机关, body text in 仿宋 3号 with 「一、」 headings in 黑体 and 「（一）」 in 楷体, the 附件
list, 落款 and 成文日期, the tables as 附件 on their own pages with their own titles, 版记
(抄送, 印发机关 and 印发日期) at the end and 页码 「— 1 —」 in the footer; A4 with 公文 margins.
Responsibility contracts (责任状) with signature lines. A review whose data run through an
earlier month than its period opens with that notice, in red.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from ..i18n import t
from ..plan import Plan
from . import contract as contract_mod
from . import layout as layout_mod
from .contract import contract_rows
from .model import Review, table_rows

TITLE_FONT = layout_mod.FONTS["title"]
BODY_FONT = layout_mod.FONTS["body"]
HEADING_FONT = layout_mod.FONTS["heading1"]
HEADING2_FONT = layout_mod.FONTS["heading2"]
LATIN_FONT = layout_mod.FONTS["latin"]
RED = RGBColor.from_string(layout_mod.RED)


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _para(
    doc,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align=None,
    indent: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.line_spacing = Pt(size * 1.75) if size >= 14 else None
    _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _border(paragraph, side: str = "bottom", *, color: str = layout_mod.RED, size: int = 18) -> None:
    """A rule under (or over) ``paragraph``: the red line, the 版记 lines."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(size)), ("space", "4"), ("color", color)):
        line.set(qn(f"w:{k}"), v)
    borders.append(line)


def _red_rule(paragraph) -> None:
    _border(paragraph, "bottom")


def _page(doc, lay: layout_mod.Layout | None = None, section=None, *, landscape: bool = False) -> None:
    """A4 with 公文 margins [mm]; ``landscape`` for the 附件 tables (same margins, turned)."""
    m = lay.margins_mm if lay else layout_mod.MARGINS_MM
    w, h = Mm(layout_mod.PAGE_MM[0]), Mm(layout_mod.PAGE_MM[1])
    for s in [section] if section is not None else doc.sections:
        s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = (h, w) if landscape else (w, h)
        s.top_margin, s.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        s.left_margin, s.right_margin = Mm(m["left"]), Mm(m["right"])
    _chinese(doc)


def _chinese(doc) -> None:
    """Mark the text as Simplified Chinese, so a missing 公文 font falls back to an SC face."""
    rpr = doc.styles.element.find(qn("w:docDefaults"))
    rpr = rpr.find(qn("w:rPrDefault")).find(qn("w:rPr")) if rpr is not None else None
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _field(run, instr: str) -> None:
    """A Word field (``PAGE``) in ``run``: begin, instruction, a shown value, end."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _page_numbers(doc, lay: layout_mod.Layout, lang: str) -> None:
    """页码 「— 1 —」 centred in the footer (4号 半角宋体 in GB/T 9704), a PAGE field."""
    before, after = t("documents.page", lang, page="\0").split("\0")
    for s in doc.sections[:1]:  # later sections link to this footer
        p = s.footer.paragraphs[0] if s.footer.paragraphs else s.footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(before), "宋体", 14)
        run = p.add_run()
        _font(run, "宋体", 14)
        _field(run, "PAGE")
        _font(p.add_run(after), "宋体", 14)


def _date_text(d: dt.date, lang: str) -> str:
    return layout_mod.date_text(d, lang)


def _table(doc, headers: list[str], rows: list[list[str]], *, size: float = 10.5, font: str = BODY_FONT):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, h in zip(table.rows[0].cells, headers):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(h), HEADING_FONT, size, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(table.rows[0])
    for r in rows:
        cells = table.add_row().cells
        for cell, v in zip(cells, r):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(v), font, size)
    return table


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _masthead(doc, review: Review, lay: layout_mod.Layout) -> None:
    """Notice (when the data are old), 发文机关标志 in red, 发文字号, the red line."""
    if review.notice:  # data older than the period: the first line says so
        _para(doc, review.notice, font=HEADING_FONT, size=14, bold=True, color=RED, space_after=6)
    red = RGBColor.from_string(lay.red)
    mark = _para(
        doc,
        lay.mark,
        font=lay.font("title"),
        size=lay.sizes.get("mark", 26),
        color=red,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=6,
    )
    ruled = mark
    if lay.doc_number:
        _para(doc, "", size=12)
        ruled = _para(
            doc, lay.doc_number, font=lay.font("body"), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=4
        )
    _border(ruled, "bottom", color=lay.red)
    _para(doc, "", size=12)


def _body_paragraph(doc, text: str, lay: layout_mod.Layout, lang: str) -> None:
    level = layout_mod.heading_level(text)
    font = {1: lay.font("heading1"), 2: lay.font("heading2")}.get(level, lay.font("body"))
    _para(doc, layout_mod.running_text(text, lang), font=font, indent=True)


def _record(doc, review: Review, lay: layout_mod.Layout) -> None:
    """版记: 抄送 and 印发机关 + 印发日期 between rules, at the end (4号 仿宋)."""
    lang = review.lang
    size = lay.sizes.get("record", 14)
    last = doc.sections[-1]
    if last.page_width > last.page_height:  # after landscape 附件: the 版记 page is portrait again
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(doc, lay, section)
        valign = OxmlElement("w:vAlign")  # 版记 at the foot of the last page (GB/T 9704 §7.4)
        valign.set(qn("w:val"), "bottom")
        section._sectPr.append(valign)
    else:
        _para(doc, "", size=size)
    first = None
    if lay.cc:
        first = _para(doc, t("documents.cc", lang, cc=lay.cc), size=size)
        first.paragraph_format.keep_with_next = True
    printed = doc.add_paragraph()
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(layout_mod.PAGE_MM[0] - 28 - 26 - 2), alignment=2)
    _font(printed.add_run(t("documents.printed", lang, printer=lay.printer)), lay.font("body"), size)
    _font(printed.add_run("\t"), lay.font("body"), size)
    _font(
        printed.add_run(t("documents.printed_on", lang, date=_date_text(review.date, lang))),
        lay.font("body"),
        size,
    )
    _border(first if first is not None else printed, "top", color="000000", size=8)
    if first is not None:
        _border(first, "bottom", color="000000", size=4)
    _border(printed, "bottom", color="000000", size=8)


def write_review(
    review: Review,
    path: str | Path,
    *,
    images: list[tuple[str, bytes]] | None = None,
    charts_note: str | None = None,
    lay: layout_mod.Layout | None = None,
) -> Path:
    """Write ``review`` as a 公文 (.docx) after GB/T 9704-2012; ``images`` are (caption, PNG);
    ``lay`` the layout (default: the review's issuer with the standard fonts and margins)."""
    lang = review.lang
    lay = lay or review.layout or layout_mod.for_review(review)
    doc = Document()
    _page(doc, lay)
    _masthead(doc, review, lay)
    _para(
        doc,
        review.title,
        font=lay.font("title"),
        size=lay.sizes.get("title", 22),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    _para(doc, review.addressee)
    if review.lead:
        _para(doc, review.lead, font=lay.font("body"), indent=True)
    for p in review.paragraphs:
        _body_paragraph(doc, p.heading, lay, lang)
        _para(doc, layout_mod.running_text(p.text, lang), font=lay.font("body"), indent=True)
    for s in review.summary:
        _body_paragraph(doc, s, lay, lang)
    for i, (heading, text) in enumerate(review.written, start=len(review.paragraphs)):
        _body_paragraph(doc, layout_mod.numbered(i, heading, lang), lay, lang)
        _para(doc, text, font=lay.font("body"), indent=True)
    if charts_note and not images:
        _para(doc, charts_note, size=12)
    for note in review.notes:
        _para(doc, note, size=12)
    if review.tables:  # 附件说明: under the body, before the 落款
        _para(doc, "")
        for n, table in enumerate(review.tables, start=1):
            head = t("documents.annex_list", lang) if n == 1 else ""
            p = _para(doc, head + t("documents.annex_item", lang, n=n, title=table.title), indent=True)
            if n > 1:
                p.paragraph_format.first_line_indent = Pt(16 * 5)
    _para(doc, "").paragraph_format.keep_with_next = True
    _para(doc, lay.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.keep_with_next = True
    _para(doc, _date_text(review.date, lang), align=WD_ALIGN_PARAGRAPH.RIGHT)
    for n, table in enumerate(review.tables, start=1):  # 附件: each on its own page, with its title
        if n == 1:
            _page(doc, lay, doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
        label = _para(doc, t("documents.annex_label", lang, n=n), font=lay.font("heading1"))
        label.paragraph_format.page_break_before = n > 1
        _para(
            doc,
            table.title,
            font=lay.font("title"),
            size=18,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=6,
        )
        if table.note:
            _para(doc, table.note, size=12, space_after=6)
        _table(doc, [c.header for c in table.columns], table_rows(table, lang), font=lay.font("body"))
    for n, (caption, png) in enumerate(images or [], start=1):
        doc.add_picture(io.BytesIO(png), width=Cm(15.5))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(
            doc,
            t("reviews.doc.figure_caption", lang, n=n, title=caption),
            size=12,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
    _record(doc, review, lay)
    _page_numbers(doc, lay, lang)
    path = Path(path)
    doc.save(path)
    return path


def write_contract(
    plan: Plan, org_id: str, path: str | Path, *, lang: str = "zh", date: dt.date | None = None
) -> Path:
    """Write the responsibility contract (责任状) between 县人民政府 (甲方) and the town (乙方, signed
    by its 乡镇长): each allocated target with 确保 and 力争 amounts, its quarterly checkpoints,
    the clauses from the assessment rubric and the signature and date lines of both parties."""
    lay = layout_mod.layout(plan, lang=lang)
    doc = Document()
    _page(doc, lay)
    region = plan.plan.region
    county = t("documents.contract.county_gov", lang, region=region)
    org = plan.org_name(org_id, lang)
    kind = next((o.kind for o in plan.orgs if o.id == org_id), "town")
    head = t(contract_mod.head_key(plan.org_name(org_id, "zh"), kind), lang)
    _para(
        doc,
        t(
            "documents.task.title" if kind == "enterprise" else "documents.contract.title",
            lang,
            region=region,
            year=plan.year,
        ),
        font=lay.font("title"),
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    _para(doc, t("documents.contract.party_a", lang, name=county))
    firm = kind == "enterprise"
    _para(
        doc, t("documents.task.party_b" if firm else "documents.contract.party_b", lang, name=org, head=head)
    )
    _para(
        doc,
        t("documents.task.intro" if firm else "documents.contract.intro", lang, year=plan.year),
        indent=True,
    )
    rows = contract_rows(plan, org_id, lang)
    if rows.empty:
        _para(doc, t("reviews.contract.none", lang), indent=True)
    else:
        headers = [
            t("reviews.contract.col.no", lang),
            t("reviews.col.target", lang),
            t("reviews.col.target_value", lang),
            t("documents.contract.col.checkpoints", lang),
        ]
        body = [[str(i), r.title, r.text, r.schedule] for i, r in enumerate(rows.itertuples(), start=1)]
        _table(doc, headers, body, size=12, font=lay.font("body"))
    _para(doc, "")
    _para(
        doc,
        layout_mod.numbered(0, t("documents.contract.terms_heading", lang), lang),
        font=lay.font("heading1"),
    )
    clauses = contract_mod.contract_terms(plan, lang)
    for clause in clauses[:1] if firm else clauses:  # the rubric scores towns, not enterprises
        _para(doc, clause, indent=True)
    if plan.plan.synthetic:
        _para(doc, t("reviews.synthetic_note", lang), size=10.5)
    if plan.plan.note:
        _para(doc, plan.plan.note, size=10.5)
    _para(doc, "")
    when = _date_text(date, lang) if date else t("documents.contract.blank_date", lang)
    sig = doc.add_table(rows=3, cols=2)
    lines = [
        (t("documents.contract.sign_a", lang, name=county), t("documents.contract.sign_b", lang, name=org)),
        (t("documents.contract.sign_head_a", lang), t("documents.contract.sign_head_b", lang, head=head)),
        (when, when),
    ]
    for row, (a, b) in zip(sig.rows, lines):
        for cell, text in zip(row.cells, (a, b)):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), lay.font("body"), 14)
            cell.paragraphs[0].paragraph_format.space_after = Pt(18)
    _page_numbers(doc, lay, lang)
    path = Path(path)
    doc.save(path)
    return path
