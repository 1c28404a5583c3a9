"""The 公文 layout after GB/T 9704-2012 (党政机关公文格式), in one place: page and margins [mm],
fonts and sizes [pt], the red 发文机关标志, 发文字号, 主送机关, 落款, 版记 and the running-text
number style.

A county changes it in the plan's ``settings.documents`` (every key optional)::

    settings:
      documents:
        mark: 沂南县科学技术局文件        # 发文机关标志 (default: the plan's issuer)
        issuer: 沂南县科学技术局          # 落款 (default: the plan's issuer)
        number: 沂科发〔{year}〕{n}号      # 发文字号 pattern; {n} from number_start (or --doc-number)
        number_start: 1
        cc: 县委办公室，县政府办公室       # 抄送
        printer: 沂南县科学技术局办公室    # 印发机关 (default: the issuer)
        addressee: {half-year: 县委、县政府：}
        fonts: {title: 方正小标宋简体, body: 仿宋_GB2312, heading1: 黑体, heading2: 楷体_GB2312}

The docx names the 公文 fonts, which an office PC has; where they are missing (LibreOffice on a
Linux server) fontconfig substitutes an installed CJK font — with ``fonts-noto-cjk`` that is
Noto Serif CJK SC for 仿宋/宋体/楷体 and Noto Sans CJK SC for 黑体 (:data:`FALLBACK_FONTS`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from ..i18n import t

FONTS = {
    "title": "方正小标宋简体",  # 2号 (22 pt)
    "body": "仿宋_GB2312",  # 3号 (16 pt)
    "heading1": "黑体",  # 「一、」
    "heading2": "楷体_GB2312",  # 「（一）」
    "latin": "Times New Roman",
}
FALLBACK_FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}
#: The 公文 fonts an office PC has and the installed face LibreOffice takes in their place.
SUBSTITUTES = {
    "方正小标宋简体": "serif",
    "方正小标宋_GBK": "serif",
    "小标宋": "serif",
    "仿宋_GB2312": "serif",
    "仿宋": "serif",
    "FangSong": "serif",
    "楷体_GB2312": "serif",
    "楷体": "serif",
    "KaiTi": "serif",
    "宋体": "serif",
    "SimSun": "serif",
    "黑体": "sans",
    "SimHei": "sans",
}
SIZES = {"mark": 26.0, "title": 22.0, "body": 16.0, "number": 16.0, "table": 10.5, "record": 14.0}  # [pt]
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}  # [mm] GB/T 9704 §5.2.1
PAGE_MM = (210.0, 297.0)  # A4 width, height [mm]
RED = "C00000"
LINES_PER_PAGE = 22  # GB/T 9704: 22 lines of 28 characters


@dataclass(frozen=True)
class Layout:
    """Everything a 公文 docx needs besides its content."""

    mark: str  # 发文机关标志 (red, centred)
    issuer: str  # 落款
    doc_number: str = ""  # 发文字号, '' for none
    cc: str = ""  # 抄送
    printer: str = ""  # 印发机关
    addressee: dict[str, str] = field(default_factory=dict)  # by review kind
    fonts: dict[str, str] = field(default_factory=lambda: dict(FONTS))
    sizes: dict[str, float] = field(default_factory=lambda: dict(SIZES))
    margins_mm: dict[str, float] = field(default_factory=lambda: dict(MARGINS_MM))
    red: str = RED

    def font(self, role: str) -> str:
        return self.fonts.get(role) or FONTS[role]


def _settings(plan) -> dict:
    s = getattr(plan, "settings", None) or {}
    d = s.get("documents") if isinstance(s, dict) else None
    return d if isinstance(d, dict) else {}


def doc_number(pattern: str, year: int, n) -> str:
    """``沂科发〔{year}〕{n}号`` filled in; a pattern without ``{`` is taken as written."""
    if not pattern:
        return ""
    try:
        return pattern.format(year=year, n=n)
    except (KeyError, IndexError, ValueError):
        return pattern


def layout(
    plan, *, issuer: str | None = None, number: str | None = None, lang: str = "zh", kind: str = ""
) -> Layout:
    """The layout of ``plan``'s documents: defaults overridden by ``settings.documents``;
    ``number`` (``--doc-number``) wins over the plan's numbering pattern; ``kind`` (a review
    kind) picks the default 抄送 (a report to 县委、县政府 is copied to the city's bureau)."""
    cfg = _settings(plan)
    info = getattr(plan, "plan", None)
    default_issuer = issuer or (getattr(info, "issuer", "") or getattr(info, "region", "") if info else "")
    who = str(cfg.get("issuer") or default_issuer)
    year = getattr(plan, "year", None) or dt.date.today().year
    if number is None:
        pattern = str(cfg.get("number") or "")
        number = doc_number(pattern, year, cfg.get("number_start", 1)) if "{n}" in pattern or pattern else ""
    fonts = dict(FONTS)
    fonts.update({k: str(v) for k, v in (cfg.get("fonts") or {}).items() if v})
    addressee = {k: str(v) for k, v in (cfg.get("addressee") or {}).items() if v}
    return Layout(
        mark=str(cfg.get("mark") or who),
        issuer=who,
        doc_number=number,
        cc=str(cfg.get("cc") or (t(_cc_key(kind), lang) if lang == "zh" else "")),
        printer=str(cfg.get("printer") or who),
        addressee=addressee,
        fonts=fonts,
    )


def _cc_key(kind: str) -> str:
    return "documents.cc_report" if kind == "half-year" else "documents.cc_default"


def for_review(review, plan=None, *, number: str | None = None) -> Layout:
    """The layout of one review: the plan's (when given) or the review's issuer, default fonts."""
    if plan is not None:
        lay = layout(plan, issuer=review.issuer, number=number, lang=review.lang)
        return replace(lay, mark=lay.mark or review.issuer)
    return Layout(mark=review.issuer, issuer=review.issuer, doc_number=number or "", printer=review.issuer)


def date_text(d: dt.date, lang: str = "zh") -> str:
    """成文日期 in full Arabic numerals: 2005年7月10日 (``10 July 2005`` in English)."""
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d.strftime('%B')} {d.year}"


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_WHOLE_POINTS = re.compile(r"(\d+)\.0(个百分点)")


def running_text(text: str, lang: str = "zh") -> str:
    """A sentence in 公文 number style: no thousands separator in Chinese running text (1266亩,
    tables keep 1,266亩) and whole percentage points without ``.0`` (9个百分点)."""
    if lang != "zh" or not text:
        return text
    out = text
    while True:
        nxt = _THOUSANDS.sub("", out)
        if nxt == out:
            break
        out = nxt
    return _WHOLE_POINTS.sub(r"\1\2", out)


HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


def heading_level(text: str) -> int:
    """1 for 「一、…」, 2 for 「（一）…」, 0 otherwise."""
    if HEADING1.match(text or ""):
        return 1
    if HEADING2.match(text or ""):
        return 2
    return 0


def title_repeats(title: str) -> list[str]:
    """The two-character Chinese words a title says twice (「半年…半年」): should be empty."""
    han = [title[i : i + 2] for i in range(len(title) - 1)]
    han = [w for w in han if all("\u4e00" <= ch <= "\u9fff" for ch in w)]
    return sorted({w for w in han if han.count(w) > 1})


def title(kind: str, region: str, period_label: str, lang: str = "zh") -> str:
    """The document title for a review ``kind``, built so no word repeats."""
    key = f"documents.title.{kind}"
    return t(key, lang, region=region, period=period_label)


def addressee(kind: str, lang: str = "zh", lay: Layout | None = None) -> str:
    """主送机关 by document type (bulletin: 各乡镇人民政府、县直有关部门; half-year: 县委、县政府)."""
    if lay is not None and kind in lay.addressee:
        return lay.addressee[kind]
    return t(f"documents.addressee.{kind}", lang)


CN_NUMERALS = "一二三四五六七八九十"


def numbered(i: int, label: str, lang: str = "zh") -> str:
    """A level-1 heading: 「三、主要做法」 for ``i`` = 2 (``3. …`` in English)."""
    if lang == "zh" and i < len(CN_NUMERALS):
        return f"{CN_NUMERALS[i]}、{label}"
    return f"{i + 1}. {label}"
