"""Months: the one helper for month keys, month ends and month labels.

A *month key* is the text ``YYYY-MM`` used in every frame and file (``2005-06``); a *month
number* is 1..12 within a plan year. Nothing else in the package does month arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt

from .i18n import t


def split(month: str) -> tuple[int, int]:
    """``(year, month number)`` of a month key ``YYYY-MM`` (or a longer ISO date text)."""
    text = str(month)
    return int(text[:4]), int(text[5:7])


def key(year: int, month: int) -> str:
    """The month key ``YYYY-MM`` of ``month`` (1..12) in ``year``."""
    return f"{int(year):04d}-{int(month):02d}"


def month_end(month: str | tuple[int, int] | dt.date) -> dt.date:
    """The last day of a month given as ``YYYY-MM``, ``(year, month)`` or any date inside it."""
    if isinstance(month, dt.date):
        y, m = month.year, month.month
    elif isinstance(month, tuple):
        y, m = month
    else:
        y, m = split(month)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def add(month: str, n: int) -> str:
    """The month key ``n`` months after (negative: before) ``month``."""
    y, m = split(month)
    total = y * 12 + (m - 1) + n
    return key(total // 12, total % 12 + 1)


def label(month: str, lang: str = "zh") -> str:
    """``2005年6月`` / ``Jun 2005`` for ``2005-06``; empty for an empty key."""
    if not month:
        return ""
    y, m = split(month)
    if lang == "en":
        return dt.date(y, m, 1).strftime("%b %Y")
    return t("dash.month", "zh", year=y, month=m)


def through_text(month: str, lang: str = "zh") -> str:
    """「数据截至2005年3月」 / ``data through Mar 2005``: the data month every output states."""
    return t("months.data_through", lang, month=label(month, lang))
