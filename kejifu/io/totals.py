"""Total rows in a report table: 合计/总计/小计 (全县合计, 合计:, Total …) are not data.

A total row is named by one of the first three cells or the org or measure cell; a file is
searched once for any such text (:func:`any_total`, each distinct cell looked at once) before
its rows are looked at one by one (:func:`is_total`).
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any

from .cells import norm_text
from .sheets import Grid

TOTAL_WORDS = ("合计", "总计", "小计", "total", "subtotal")


@functools.lru_cache(maxsize=65_536)  # a file repeats its org, measure and month cells: each read once
def total_text(cell: str) -> bool:
    """Whether the text ``cell`` names a total (合计, 全县合计, Total: …)."""
    key = re.sub(r"[\W_]+", "", norm_text(cell))
    return key in TOTAL_WORDS or (len(key) <= 6 and key.endswith(TOTAL_WORDS[:3]))


def is_total(values: dict[str, Any], cells: list[Any]) -> bool:
    """A 合计/总计/小计 row (全县合计, 合计:, Total …) in the first cells or the org/measure cell."""
    for cell in (*cells[:3], values.get("org"), values.get("measure")):  # a loop: once per data row
        if isinstance(cell, str) and total_text(cell):
            return True
    return False


def any_total(body: Grid, columns: dict[str, int]) -> bool:
    """Whether any of the first three cells or the org and measure cells of the rows of ``body``
    is a 合计/总计/小计 text (each distinct cell looked at once)."""
    seen: set = set()
    rows = [cells for _, cells in body]
    for c in sorted({0, 1, 2, columns["org"], columns["measure"]}):
        try:
            seen.update(map(operator.itemgetter(c), rows))  # in C: every row is that wide (a CSV's rows are)
        except IndexError:
            seen.update(cells[c] for cells in rows if len(cells) > c)
    return any(isinstance(x, str) and total_text(x) for x in seen)
