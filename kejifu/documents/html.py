"""Review pages as one self-contained HTML file: every name and text is escaped
(:func:`html.escape`), charts are inline PNG (``data:`` URIs), tables carry the
display texts of :func:`kejifu.documents.table_rows`. When the data run through an earlier month
than the period's, the page opens with that notice (:attr:`~kejifu.documents.Review.notice`).
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from ..i18n import t
from . import layout as layout_mod
from .model import Review, table_rows

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:60em;margin:2em auto;
color:#222;line-height:1.7}
.issuer{color:#c00000;text-align:center;font-size:1.8em;font-weight:bold;border-bottom:3px solid #c00000}
h1{text-align:center;font-size:1.5em} h2{font-size:1.1em;margin-top:1.2em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #bbb;padding:.2em .5em}
th{background:#dde6f0;position:sticky;top:0} td.num{text-align:right} .note{color:#666;font-size:.9em}
.sign{text-align:right} figure{text-align:center} img{max-width:100%}
.notice{color:#c00000;font-weight:bold}
"""


def render(
    review: Review, *, images: list[tuple[str, bytes]] | None = None, charts_note: str | None = None
) -> str:
    """The HTML text of ``review``."""
    lang = review.lang
    e = lambda s: escape(str(s), quote=True)  # noqa: E731
    out = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(review.title)}</title><style>{CSS}</style></head><body>",
        *([f'<p class="notice">{e(review.notice)}</p>'] if review.notice else []),
        f'<div class="issuer">{e(review.issuer)}</div>',
        f"<h1>{e(review.title)}</h1>",
        f"<p>{e(review.addressee)}</p>",
        *([f"<p>{e(review.lead)}</p>"] if review.lead else []),
    ]
    for p in review.paragraphs:
        out.append(f"<h2>{e(p.heading)}</h2><p>{e(p.text)}</p>")
    for s in review.summary:
        out.append(f"<p>{e(s)}</p>")
    for i, (heading, text) in enumerate(review.written, start=len(review.paragraphs)):
        out.append(f"<h2>{e(layout_mod.numbered(i, heading, lang))}</h2><p>{e(text)}</p>")
    for n, table in enumerate(review.tables, start=1):
        out.append(f"<h2>{e(t('reviews.doc.table_caption', lang, n=n, title=table.title))}</h2>")
        out.append(f'<p class="note">{e(table.note)}</p>' if table.note else "")
        out.append("<table><thead><tr>")
        out.append("".join(f"<th>{e(c.header)}</th>" for c in table.columns) + "</tr></thead><tbody>")
        for row in table_rows(table, lang):
            cells = "".join(
                f'<td class="{"txt" if c.fmt == "text" else "num"}">{e(v)}</td>'
                for c, v in zip(table.columns, row)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
    for n, (caption, png) in enumerate(images or [], start=1):
        data = base64.b64encode(png).decode("ascii")
        cap = e(t("reviews.doc.figure_caption", lang, n=n, title=caption))
        img = f'<img alt="{cap}" src="data:image/png;base64,{data}">'
        out.append(f"<figure>{img}<figcaption>{cap}</figcaption></figure>")
    if charts_note:
        out.append(f'<p class="note">{e(charts_note)}</p>')
    for note in review.notes:
        out.append(f'<p class="note">{e(note)}</p>')
    date = layout_mod.date_text(review.date, lang)
    out.append(f'<p class="sign">{e(review.issuer)}<br>{e(date)}</p></body></html>')
    return "\n".join(out)


def write_review(
    review: Review,
    path: str | Path,
    *,
    images: list[tuple[str, bytes]] | None = None,
    charts_note: str | None = None,
) -> Path:
    """Write ``review`` to ``path`` (.html, UTF-8); returns the path."""
    path = Path(path)
    path.write_text(render(review, images=images, charts_note=charts_note), encoding="utf-8")
    return path
