"""The review document model: a :class:`Review` (title, body paragraphs, tables, figures) whose
tables keep raw numbers with a format per column, and the one way a cell becomes text.

Formats: ``amount`` in the row's unit, ``pct`` a share shown as per cent (cut, never rounded up),
``pp`` percentage points, ``score`` points, ``int``, ``bool``, ``text``. xlsx cells hold the
numbers; docx and HTML cells hold :func:`cell_text`, written by :mod:`kejifu.display` (missing
``—``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .. import display
from ..bulletin import Paragraph
from ..i18n import t
from ..reviews import Period


@dataclass(frozen=True)
class Column:
    """A table column: frame column ``name``, its ``header`` and display ``fmt``."""

    name: str
    header: str
    fmt: str = "text"  # text | amount | pct | pp | score | int | bool


@dataclass(frozen=True)
class Table:
    """A titled table; ``unit_col`` names the column holding each row's unit (for ``amount``);
    ``note`` a line printed with the table (under its title in docx and HTML, in the sheet's page
    header in xlsx), e.g. the data month of an assessment that does not cover the whole year."""

    key: str
    title: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    unit_col: str | None = "unit"
    note: str = ""


@dataclass
class Review:
    """Everything a review document shows.

    ``data_month`` is the month ``YYYY-MM`` the figures run through; ``notice`` (or ``None``)
    is the line every document opens with when that month is earlier than the period's
    (「数据截至2005年3月，4月至6月的数据尚未报送。」).
    """

    kind: str
    period: Period
    lang: str
    title: str
    issuer: str
    date: dt.date
    addressee: str
    paragraphs: list[Paragraph]
    summary: list[str]
    tables: list[Table]
    figures: list[tuple[str, object]] = field(default_factory=list)  # (caption, plotly Figure)
    notes: list[str] = field(default_factory=list)
    plan_id: str = "plan"
    data_month: str = ""
    notice: str | None = None
    layout: object | None = None  # a :class:`kejifu.documents.layout.Layout`; None: the defaults
    written: list[tuple[str, str]] = field(default_factory=list)  # (heading, text) people write
    lead: str = ""  # 导语 after the 主送机关: 「现将…情况通报如下：」

    def stem(self) -> str:
        """File name stem: ``<plan id>_<kind>_<period>`` (plus ``_en`` for English)."""
        return f"{self.plan_id}_{self.kind}_{self.period.code}" + ("_en" if self.lang == "en" else "")


#: Fixed decimals of amounts in official style: 亿元 two (6.19亿元, 5.20亿元), per cent one (31.8%).
UNIT_DECIMALS = {"亿元": 2, "%": 1}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def cell_text(value, fmt: str, unit: str | None, lang: str) -> str:
    """The display text of one cell (docx, HTML); ``—`` for a missing number."""
    if fmt == "text":
        return "" if _blank(value) else str(value)
    if fmt == "bool":
        return "" if _blank(value) else t("reviews.yes" if bool(value) else "reviews.no", lang)
    if not display.is_number(value):
        return display.MISSING
    v = float(value)
    if fmt == "amount":
        return display.number(v, unit or "", lang, UNIT_DECIMALS.get((unit or "").strip()))
    if fmt == "pct":
        return display.pct(v, lang)
    if fmt in ("pp", "score"):
        return display.number(round(v, 1), "", lang, 1)
    if fmt == "int":
        return display.number(round(v), "", lang, 0)
    return str(value)


def table_rows(table: Table, lang: str) -> list[list[str]]:
    """The display texts of a table's rows."""
    out = []
    for _, row in table.frame.iterrows():
        unit = row[table.unit_col] if table.unit_col and table.unit_col in row else None
        out.append([cell_text(row.get(c.name), c.fmt, unit, lang) for c in table.columns])
    return out
