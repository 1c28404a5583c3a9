"""The rows of a report file that are plainly fine, found column by column over distinct cells.

A province month is ~144k rows repeating a few thousand orgs, a few dozen measures, one or two
months and units: each *distinct* org, measure, month and unit cell is resolved once and the
answers are broadcast to the rows by integer codes; value cells are read as plain numbers. A row
every cell of which passes — a known org, a reportable measure, a month of the plan year, no unit
or the measure's own, a plain non-negative number within the ceiling (whole for counts) — is a
clean row with no problem. Every other row goes through :func:`kejifu.io.validate`'s cell by cell
check, which names each problem as ``file:line: field``; the two give the same rows and problems
(``tests/test_import_speed.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import units
from ..errors import UnitError

#: A value within this of a whole number is whole (the cell check's tolerance for counts).
EPS = 1e-9

#: A plain decimal number as a CSV holds it (``1234``, ``56.25``): read by ``float`` directly, which
#: gives exactly what :func:`kejifu.units.parse_quantity` gives for it (both round correctly).
PLAIN_NUMBER = re.compile(r"\d{1,20}(?:\.\d{1,20})?")
_EXACT_INT = 2**53


def blank(value: Any) -> bool:
    """None or text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(raw: Any) -> str:
    """A cell as trimmed text (a whole float without its ``.0``; None as ``""``)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        return str(int(raw))
    return str(raw).strip()


def strip_apostrophe(raw: Any) -> Any:
    """A leading apostrophe is Excel's "keep as text" marker, not data: ``'2005-06`` → ``2005-06``."""
    if isinstance(raw, str):
        trimmed = raw.strip()
        if trimmed.startswith(("'", "’", "＇")):
            return trimmed[1:]
    return raw


def codes(cells: list) -> tuple[np.ndarray, list]:
    """Each cell's index into the distinct cells (by type and value: ``1``, ``1.0`` and ``'1'`` are
    three) and those cells in order of first appearance; an unhashable cell is a distinct cell of
    its own."""
    if cells and set(map(type, cells)) == {str}:  # a CSV column: texts only, hashed in C
        found, uniques = pd.factorize(np.asarray(cells, dtype=object), use_na_sentinel=False)
        return found.astype(np.int64, copy=False), list(uniques)
    seen: dict = {}
    try:
        out = [seen.setdefault((x.__class__, x), len(seen)) for x in cells]
        return np.asarray(out, dtype=np.int64), [k[1] for k in seen]
    except TypeError:
        uniques: list = []
        out = []
        seen = {}
        for x in cells:
            try:
                code = seen.setdefault((x.__class__, x), len(uniques))
            except TypeError:
                code = len(uniques)
            if code == len(uniques):
                uniques.append(x)
            out.append(code)
        return np.asarray(out, dtype=np.int64), uniques


def _mapped(cells: list, fn: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` of each distinct cell (apostrophe stripped), as an object array, and the rows' codes."""
    code, uniques = codes(cells)
    table = np.empty(len(uniques), dtype=object)
    for i, u in enumerate(uniques):
        table[i] = fn(strip_apostrophe(u))
    return code, table


def _plain_value(raw: Any) -> float:
    """A value cell as a number when it is a plain non-negative number, else NaN."""
    raw = strip_apostrophe(raw)
    kind = raw.__class__
    if kind is str:
        return float(raw) if PLAIN_NUMBER.fullmatch(raw) else math.nan
    if kind is float:
        return raw if 0 <= raw < math.inf else math.nan
    if kind is int:
        return float(raw) if 0 <= raw < _EXACT_INT else math.nan
    return math.nan


def _or_none(fn: Callable[[str], Any], unit: str | None) -> Any:
    """``fn(unit)``, or None when there is no unit or ``fn`` fails (the rows go cell by cell, where
    the failure is reported as it always was)."""
    if unit is None:
        return None
    try:
        return fn(unit)
    except Exception:  # noqa: BLE001 - the cell-by-cell check meets it again and says what it is
        return None


def clean_rows(cells: dict[str, list], ctx, parse_month: Callable[[Any, int], tuple[int, int]]) -> dict:
    """The clean rows among the columns ``cells`` (field → raw cell per row): ``{"mask": bool per
    row, "org", "measure", "month", "value" [the measure's unit], "unit", "note": per row}`` (the
    arrays are meaningful where ``mask`` holds). ``ctx`` gives ``resolver``, ``reportable``,
    ``ceiling`` and ``year`` (see :func:`kejifu.io.validate.validate_table`)."""
    n = len(cells["org"])
    resolver, reportable, year = ctx.resolver, ctx.reportable, ctx.year

    def org(raw):
        return None if blank(raw) else resolver.org(raw)

    def measure(raw):
        hit = None if blank(raw) else resolver.measure(raw)
        return hit[1] if hit is not None and hit[0] == "ok" else None

    def month(raw):
        if blank(raw):
            return None
        try:
            y, mo = parse_month(raw, year)
        except ValueError:
            return None
        return f"{y:04d}-{mo:02d}" if y == year else None

    def unit(raw):
        if blank(raw):
            return ""  # no unit written: the measure's
        try:
            return units.canonical(text(raw))
        except UnitError:
            return None

    oc, org_t = _mapped(cells["org"], org)
    mc, meas_t = _mapped(cells["measure"], measure)
    moc, month_t = _mapped(cells["month"], month)
    uc, unit_t = _mapped(cells.get("unit") or [None] * n, unit)
    target_t = np.array([reportable.get(m) if m is not None else None for m in meas_t], dtype=object)
    ceil_t = np.array([_or_none(ctx.ceiling, u) for u in target_t], dtype=float)  # NaN: cell by cell
    count_t = np.array([u is not None and _or_none(units.is_count, u) is True for u in target_t], dtype=bool)
    value = np.fromiter((_plain_value(x) for x in cells["value"]), dtype=float, count=n)
    target = target_t[mc]
    written = unit_t[uc]
    mask = (
        (org_t != None)[oc]  # noqa: E711 - elementwise on object arrays
        & (meas_t != None)[mc]  # noqa: E711
        & (month_t != None)[moc]  # noqa: E711
        & ((written == "") | (written == target))
        & ~np.isnan(value)
    )
    ceil = ceil_t[mc]
    count = count_t[mc]
    with np.errstate(invalid="ignore"):
        mask &= value <= ceil
        whole = np.round(value)
        mask &= ~(count & (np.abs(value - whole) > EPS))
    note_c, note_u = codes(cells.get("note") or [None] * n)
    note_t = np.array(["" if blank(x) else text(x) for x in note_u] or [""], dtype=object)
    return {
        "mask": mask,
        "org": org_t[oc],
        "measure": meas_t[mc],
        "month": month_t[moc],
        "value": np.where(count, whole, value),
        "unit": target,
        "note": note_t[note_c] if n else np.empty(0, dtype=object),
    }
