"""Word documents (python-docx) in the official style: an issuing-body header in red
with a red rule, a centred title (小标宋/宋体 22 pt), the addressee, body text in
仿宋 16 pt with 黑体 group headings, numbered tables and figures, the issuer and date
at the foot; responsibility contracts (责任状) with signature lines.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..i18n import t
from ..plan import Plan
from . import Review, contract_rows, table_rows

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xC0, 0x00, 0x00)


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


def _red_rule(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", "C00000")):
        bottom.set(qn(f"w:{k}"), v)
    borders.append(bottom)
    ppr.append(borders)


def _page(doc) -> None:
    s = doc.sections[0]
    s.page_height, s.page_width = Cm(29.7), Cm(21.0)
    s.top_margin, s.bottom_margin = Cm(3.7), Cm(3.5)
    s.left_margin, s.right_margin = Cm(2.8), Cm(2.6)


def _date_text(d: dt.date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.strftime("%d %B %Y")


def _table(doc, headers: list[str], rows: list[list[str]], *, size: float = 10.5):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, h in zip(table.rows[0].cells, headers):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(h), HEADING_FONT, size, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for r in rows:
        cells = table.add_row().cells
        for cell, v in zip(cells, r):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(v), BODY_FONT, size)
    return table


def write_review(
    review: Review,
    path: str | Path,
    *,
    images: list[tuple[str, bytes]] | None = None,
    charts_note: str | None = None,
) -> Path:
    """Write ``review`` as an official-style bulletin (.docx); ``images`` are (caption, PNG)."""
    lang = review.lang
    doc = Document()
    _page(doc)
    header = _para(
        doc,
        review.issuer,
        font=TITLE_FONT,
        size=26,
        bold=True,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=6,
    )
    _red_rule(header)
    _para(doc, "", size=12)
    _para(doc, review.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, review.addressee)
    for p in review.paragraphs:
        _para(doc, p.heading, font=HEADING_FONT, indent=True)
        _para(doc, p.text, indent=True)
    for s in review.summary:
        _para(doc, s, indent=True)
    for n, table in enumerate(review.tables, start=1):
        _para(
            doc,
            t("reviews.doc.table_caption", lang, n=n, title=table.title),
            font=HEADING_FONT,
            size=12,
            space_after=4,
        )
        _table(doc, [c.header for c in table.columns], table_rows(table, lang))
        _para(doc, "", size=10)
    for n, (caption, png) in enumerate(images or [], start=1):
        doc.add_picture(io.BytesIO(png), width=Cm(15.5))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(
            doc,
            t("reviews.doc.figure_caption", lang, n=n, title=caption),
            size=12,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
    if charts_note:
        _para(doc, charts_note, size=12)
    for note in review.notes:
        _para(doc, note, size=12)
    _para(doc, "")
    _para(doc, review.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _date_text(review.date, lang), align=WD_ALIGN_PARAGRAPH.RIGHT)
    path = Path(path)
    doc.save(path)
    return path


def write_contract(
    plan: Plan, org_id: str, path: str | Path, *, lang: str = "zh", date: dt.date | None = None
) -> Path:
    """Write the responsibility contract (责任状) of ``org_id``: its allocated targets and
    signature lines for the issuer and the org."""
    doc = Document()
    _page(doc)
    issuer = plan.plan.issuer or plan.plan.region
    org = plan.org_name(org_id, lang)
    _para(
        doc,
        t("reviews.contract.title", lang, year=plan.year),
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    _para(doc, t("reviews.contract.intro", lang, year=plan.year, issuer=issuer, org=org), indent=True)
    rows = contract_rows(plan, org_id, lang)
    if rows.empty:
        _para(doc, t("reviews.contract.none", lang), indent=True)
    else:
        headers = [
            t("reviews.contract.col.no", lang),
            t("reviews.col.target", lang),
            t("reviews.col.target_value", lang),
            t("reviews.contract.col.schedule", lang),
        ]
        body = [[str(i), r.title, r.text, r.schedule] for i, r in enumerate(rows.itertuples(), start=1)]
        _table(doc, headers, body, size=12)
    _para(doc, "")
    _para(doc, t("reviews.contract.terms", lang), indent=True)
    if plan.plan.synthetic:
        _para(doc, t("reviews.synthetic_note", lang), size=10.5)
    if plan.plan.note:
        _para(doc, plan.plan.note, size=10.5)
    _para(doc, "")
    sig = doc.add_table(rows=3, cols=2)
    lines = [
        (
            t("reviews.contract.sign_issuer", lang, issuer=issuer),
            t("reviews.contract.sign_org", lang, org=org),
        ),
        (t("reviews.contract.sign_person", lang), t("reviews.contract.sign_person", lang)),
        (t("reviews.contract.sign_date", lang), t("reviews.contract.sign_date", lang)),
    ]
    for row, (a, b) in zip(sig.rows, lines):
        for cell, text in zip(row.cells, (a, b)):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 14)
            cell.paragraphs[0].paragraph_format.space_after = Pt(18)
    path = Path(path)
    doc.save(path)
    return path
