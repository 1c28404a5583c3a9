"""Cells: the one place that says what a spreadsheet cell means, whatever file it came from.

* :func:`neutralise` — text made formula-safe before it is written to a spreadsheet;
* :func:`is_blank` — ``None``, NaN, NaT or text of spaces only (full-width and no-break too);
* :func:`norm_header` / :func:`norm_text` — how header and name cells are compared;
* :func:`truthy` — the one yes/no word list (是/否, 1/0, yes/no, true/false, √/×, 对/错, 有/无 …);
* :func:`parse_date` — a date cell (a date, ``2005-06-15``, ``2005/6/15``, ``2005年6月15日``)
  → :class:`datetime.date`; an impossible date (``2005-02-30``, month 13) is refused, never
  silently moved.

Every reader of the project (reports, registers, the deputies workbook) uses these, so a word
or a date that one file accepts is accepted by all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from .. import months
from ..errors import ReportImportError
from ..i18n import t

#: Text starting with one of these is a formula to a spreadsheet (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` made formula-safe: text starting with ``= + - @`` (or tab/CR) gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing: ``None``, NaN, NaT, or text of white space only
    (including the full-width space U+3000 and the no-break space)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    if type(value).__name__ in ("NaTType", "NAType"):
        return True
    return False


def norm_text(text: Any) -> str:
    """A cell as compared with known names: NFKC, every white space removed, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


_BRACKET = re.compile(r"[(\[【].*?[)\]】]$")


def norm_header(text: Any, *, drop_remark: bool = False) -> str:
    """A header cell as compared with known column names (:func:`norm_text`); with
    ``drop_remark`` a trailing bracketed remark goes too: ``累计完成（亩）`` → ``累计完成``."""
    if is_blank(text):
        return ""
    key = norm_text(text)
    return _BRACKET.sub("", key) if drop_remark else key


#: The one yes/no word list (compared after :func:`norm_text`).
YES_WORDS = frozenset({"1", "true", "yes", "y", "t", "是", "是的", "对", "有", "真", "√", "✓", "✔", "☑"})
NO_WORDS = frozenset(
    {"0", "false", "no", "n", "f", "否", "不是", "错", "无", "没有", "假", "×", "✗", "✘", "☐"}
)


def truthy(value: Any) -> bool | None:
    """Yes (``True``), no (``False``) or neither (``None``: blank, or a word not in the list).

    Yes: 是 对 有 真 √ ✓ 1 yes y true; no: 否 不是 错 无 没有 假 × ✗ 0 no n false; a bool
    is itself; the numbers 1 and 0 are yes and no. The caller decides what a blank means.
    """
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return truthy(value.item())
    if not isinstance(value, str):
        return None
    key = norm_text(value)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


# ----- dates ------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _date_error(key: str, text: str, file, row, field, **fmt) -> ReportImportError:
    return ReportImportError(
        t(key, "zh", text=text, **fmt), t(key, "en", text=text, **fmt), file=file, row=row, field=field
    )


def check_date(
    year: int, month: int, day: int, *, text: str = "", file=None, row=None, field=None
) -> dt.date:
    """The date ``year-month-day``, or :class:`ReportImportError` naming what is impossible:
    month 13, or day 30 of February (with the number of days that month has)."""
    text = text or f"{year:04d}-{month:02d}-{day:02d}"
    if not 1 <= month <= 12:
        raise _date_error("io.cell.bad_month_number", text, file, row, field, month=month)
    days = months.month_end((year, month)).day if 1 <= year <= 9999 else 31
    if not 1 <= day <= days or not 1 <= year <= 9999:
        raise _date_error(
            "io.cell.impossible_date", text, file, row, field, year=year, month=month, days=days
        )
    return dt.date(year, month, day)


def parse_date(value: Any, *, file: str | None = None, row=None, field: str | None = None) -> dt.date | None:
    """A date cell → :class:`datetime.date`; ``None`` for a blank cell.

    Accepts dates and datetimes (pandas timestamps too), ``2005-06-15``, ``2005/6/15``,
    ``2005.6.15``, ``2005年6月15日``, ``20050615`` (a time after the date is ignored).
    Raises :class:`ReportImportError` (located by ``file``, ``row``, ``field``) for text that is
    not a date and for impossible dates such as ``2005-02-30`` or ``2005-13-01``.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    shown = text if len(text) <= 40 else text[:40] + "…"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
    m = _DATE.fullmatch(text.lower()) or _COMPACT.fullmatch(text)
    if m is None:
        raise _date_error("io.cell.bad_date", shown, file, row, field)
    y, mo, d = (int(g) for g in m.groups())
    return check_date(y, mo, d, text=shown, file=file, row=row, field=field)


__all__ = [
    "FORMULA_START",
    "NO_WORDS",
    "YES_WORDS",
    "check_date",
    "is_blank",
    "neutralise",
    "norm_header",
    "norm_text",
    "parse_date",
    "truthy",
]
