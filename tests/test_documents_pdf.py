"""PDF copies through LibreOffice, read back with pdftotext and pdfinfo (poppler-utils).

LibreOffice (libreoffice-writer-nogui, libreoffice-calc-nogui) and poppler-utils are installed by
``scripts/system-deps.sh``; without them these tests cannot run and say so.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from kejifu import documents
from kejifu.cli import main
from kejifu.documents import pdf
from tests.helpers import reports

pytestmark = pytest.mark.skipif(
    not pdf.available() or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils missing: run scripts/system-deps.sh",
)

R = [
    ("a", "terminals", "2005-06", 120),
    ("b", "terminals", "2005-06", 40),
    ("a", "mushroom", "2005-06", 966),
    ("b", "mushroom", "2005-06", 300),
    ("a", "ht", "2005-06", 3.1),
    ("a", "ind", "2005-06", 10),
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def converted(small_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    review = documents.build_review(
        small_plan, reports(R), "quarterly", "2005Q2", charts=False, date=dt.date(2005, 7, 10)
    )
    paths = documents.write_review(review, out, charts=False)
    return review, paths, pdf.convert(paths)


def test_the_docx_and_the_xlsx_each_convert_to_their_own_pdf(converted):
    review, paths, pdfs = converted
    assert [p.name for p in pdfs] == [f"{review.stem()}_xlsx.pdf", f"{review.stem()}.pdf"]
    assert all(p.stat().st_size > 1000 for p in pdfs)


def test_the_bulletin_pdf_has_its_title_figures_annexes_and_numbered_pages(converted):
    review, _, pdfs = converted
    bulletin = pdfs[1]
    pages = pdf.text(bulletin).split("\f")
    pages = [p for p in pages if p.strip()]
    assert pdf.pages(bulletin) == len(pages)
    # the body, then one page at least per 附件 (each starts a page), the 版记 closing the last
    assert len(pages) >= 1 + len(review.tables)
    for i, page in enumerate(pages, start=1):
        assert f"—{i}—" in _flat(page)  # the PAGE field, 「— 1 —」
    first = _flat(pages[0])
    assert first.startswith("测试县") and _flat(review.title) in first
    body = _flat("".join(pages))
    assert "全县安装信息机160台，完成年度目标的45.3%" in body  # 160 / 353
    assert "全县食用菌面积1266亩" in body  # 966 + 300, no thousands separator in the text
    for n, table in enumerate(review.tables, start=1):
        starts = [p for p in pages if _flat(p).startswith(f"附件{n}")]
        assert len(starts) == 1 and _flat(table.title) in _flat(starts[0])
    assert "抄送：" in _flat(pages[-1]) and "2005年7月10日印发" in _flat(pages[-1])


def test_the_bulletin_pdf_says_xian_jiang_ru_xia_once_after_the_addressee(converted):
    review, _, pdfs = converted
    body = _flat(pdf.text(pdfs[1]))
    assert body.count("现将") == 1 and body.count("如下") == 1
    lead = "各乡镇人民政府，县直有关部门：现将2005年第二季度全县科技工作目标任务进展情况通报如下："
    assert lead in body and body.index(lead) > body.index(_flat(review.title))


def test_the_workbook_pdf_prints_each_sheet_on_one_landscape_page(converted):
    review, _, pdfs = converted
    workbook = pdfs[0]
    assert pdf.pages(workbook) == 1 + len(review.tables)  # the text sheet and one per table
    text = _flat(pdf.text(workbook))
    assert _flat(review.title) in text and "1,266" in text and "45.3%" in text
    info = subprocess.run(["pdfinfo", str(workbook)], capture_output=True, text=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(w), round(h)) == (842, 595)  # A4 landscape [pt]


def test_report_pdf_writes_pdfs_or_says_libreoffice_is_missing(tmp_path, capsys, monkeypatch):
    from kejifu.demo import build_demo

    ws = build_demo(tmp_path / "ws")
    argv = ["report", str(ws), "half-year", "--period", "2005H1", "--no-charts", "--pdf"]
    argv += ["--date", "2005-07-10", "--doc-number", "沂科发〔2005〕12号"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    docx_pdf = tmp_path / "a" / "yinan-2005_half-year_2005H1.pdf"
    assert str(docx_pdf) in out and (tmp_path / "a" / "yinan-2005_half-year_2005H1_xlsx.pdf").exists()
    text = _flat(pdf.text(docx_pdf))
    assert "沂科发〔2005〕12号" in text and "沂南县2005年上半年科技工作总结" in text
    assert "县委、县政府：" in text and "2005年7月10日" in text
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    captured = capsys.readouterr()
    assert "LibreOffice" in captured.err and "未生成 PDF" in captured.err
    assert not list((tmp_path / "b").glob("*.pdf"))
