"""Tables for people: a frame with catalogue column labels and every value formatted by
:mod:`kejifu.display` — the one way a notebook shows a table.

:func:`labelled` maps column ids (``completion``, ``gap_pp``, ``n_far_behind``) to their labels
(完成率, 进度差（百分点）, 严重滞后项) and values to text: shares as per cent cut toward zero
(``99.9%``), percentage points with one decimal, amounts in the row's unit (``3,000亩``), counts
whole, yes/no words, dates ``YYYY-MM-DD``, missing ``—``. No raw id and no float such as
``141.866029`` reaches the screen; a column id without a label is an error (``KeyError``), so a
new column fails in the tests, not on a planner's screen.

Labels are looked up in the catalogue under ``notebooks.col.<id>``, then ``<area>.col.<id>``
(``area`` defaults to ``reviews``); :data:`LABELS` names the ids whose label has another key.
A column whose name is not an id (already a label, 「指标」) is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from . import display
from .i18n import catalogue, t

#: Column id -> catalogue key, where the key is not ``notebooks.col.<id>`` or ``<area>.col.<id>``.
LABELS: dict[str, str] = {
    "target_title": "reviews.col.target",
    "org_name": "reviews.col.org",
    "status_label": "reviews.col.status",
    "yoy_pct": "reviews.col.yoy",
    "half_margin_pp": "reviews.col.half_margin",
    "veto_failed": "notebooks.col.veto_failed",
    "kind": "notebooks.col.batch_kind",
}

#: Column id -> display format: ``pct`` (a share [1 = 100 %]), ``pp`` (percentage points),
#: ``growth`` (a change [%]), ``amount`` (in the row's ``unit``), ``score`` (points, one decimal),
#: ``int``, ``year`` (2005, no thousands separator), ``bool``, ``date``, ``text``. Other columns are
#: formatted by their values' type.
FORMATS: dict[str, str] = {
    "completion": "pct",
    "expected": "pct",
    "share": "pct",
    "floor": "pct",
    "veto_below": "pct",
    "progress": "pct",
    "gap_pp": "pp",
    "half_margin_pp": "pp",
    "yoy_pct": "growth",
    "actual": "amount",
    "target_value": "amount",
    "allocation": "amount",
    "increment": "amount",
    "last_year": "amount",
    "baseline": "amount",
    "score": "score",
    "total": "score",
    "base": "score",
    "bonus": "score",
    "deductions": "score",
    "points": "score",
    "rank": "int",
    "n_targets": "int",
    "n_far_behind": "int",
    "missing_months": "int",
    "late_months": "int",
    "rows_added": "int",
    "rows_unchanged": "int",
    "year": "year",
    "imported_at": "date",
    "expected_completion": "pct",
    "opensdg_score": "score",
    "weight": "score",
}

#: Column id -> catalogue prefix of its coded values (``moderate_progress`` → 进展一般).
CODES: dict[str, str] = {"opensdg_status": "notebooks.opensdg", "problem_level": "notebooks.level"}


def code_label(column: str, value: object, lang: str = "zh", prefix: str | None = None) -> str | None:
    """The label of a coded ``value`` of ``column`` (an Open SDG status, a batch kind such as
    ``register:terminals`` → 农村科技信息机台帐; ``prefix``: the catalogue prefix of this table's
    codes), or ``None`` when the column is not coded."""
    if prefix is not None:  # ``a;b`` (several codes) → 「甲、乙」; a prefix ending in ``_`` takes no dot
        if not isinstance(value, str):
            return None
        sep = "" if prefix.endswith("_") else "."
        keys = [f"{prefix}{sep}{v}" for v in value.split(";") if v]
        if not keys or any(k not in catalogue() for k in keys):
            return None
        return "、".join(t(k, lang) for k in keys)
    if column == "kind" and isinstance(value, str):
        if value == "reports":
            return t("notebooks.kind.reports", lang)
        if value.startswith("register:"):
            key = f"store.kind.{value.split(':', 1)[1]}"
            return t(key, lang) if key in catalogue() else value
        return value
    prefix = CODES.get(column)
    if prefix is None or not isinstance(value, str):
        return None
    key = f"{prefix}.{value}"
    return t(key, lang) if key in catalogue() else value


_ID = re.compile(r"[a-z][a-z0-9_]*")


def is_column_id(name: object) -> bool:
    """True for a name that looks like an internal column id (``gap_pp``, ``score``), which a
    person should never read as a header."""
    return isinstance(name, str) and _ID.fullmatch(name) is not None


def label(column: str, lang: str = "zh", area: str = "reviews") -> str:
    """The header of ``column``: its catalogue label (see the module docstring); a name that is not
    an id is returned as it is. Raises ``KeyError`` for an id without a label."""
    if not is_column_id(column):
        return str(column)
    known = catalogue()
    for key in (LABELS.get(column), f"notebooks.col.{column}", f"{area}.col.{column}"):
        if key and key in known:
            return t(key, lang)
    raise KeyError(f"no label for column {column!r}: add notebooks.col.{column} to the catalogue")


def _blank(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and v != v)


def cell(value, fmt: str | None, unit: str = "", lang: str = "zh") -> str:
    """One value as text in format ``fmt`` (see :data:`FORMATS`; ``None``: by the value's type);
    missing → ``—`` (blank text stays blank)."""
    if isinstance(value, str) and not (fmt == "date" and value.strip()):
        return value
    if _blank(value):
        return display.MISSING
    if fmt == "bool" or isinstance(value, bool) or type(value).__name__ == "bool_":
        return t("reviews.yes" if bool(value) else "reviews.no", lang)
    if fmt == "date" or isinstance(value, (dt.date, pd.Timestamp)):
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError):
            return str(value)
        return ts.strftime("%Y-%m-%d %H:%M") if (ts.hour or ts.minute) else ts.strftime("%Y-%m-%d")
    if not display.is_number(value):
        return str(value)
    v = float(value)
    if fmt == "pct":
        return display.pct(v, lang)
    if fmt == "pp":  # the header says 百分点
        return display.number(round(v, 1), "", lang, 1)
    if fmt == "growth":
        return display.number(round(v, 1), "%", lang, 1)
    if fmt == "score":
        return display.number(round(v, 1), "", lang, 1)
    if fmt == "int":
        return display.number(round(v), "", lang, 0)
    if fmt == "year":
        return str(int(v))
    if fmt == "amount":
        return display.number(v, unit or "", lang)
    return display.number(v, "", lang, None if v == int(v) else 2)


def labelled(
    frame: pd.DataFrame,
    lang: str = "zh",
    *,
    columns: Iterable[str] | None = None,
    area: str = "reviews",
    formats: dict[str, str] | None = None,
    codes: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    plan=None,
) -> pd.DataFrame:
    """``frame`` (or its ``columns``, in that order) for people: catalogue headers, every value text.

    Amounts are shown in the row's ``unit`` when the frame has a ``unit`` column; ``formats``
    overrides :data:`FORMATS` for this table; ``codes`` maps a column to the catalogue prefix of
    its coded values (``{"grade": "deputies.grade"}``), ``headers`` a column to the catalogue key
    of its header; with ``plan`` the org ids of ``org`` and ``county`` become names. Rows are
    numbered from 1.
    """
    cols = list(columns) if columns is not None else list(frame.columns)
    fmts = {**FORMATS, **(formats or {})}
    units = frame["unit"] if "unit" in frame.columns else pd.Series([""] * len(frame), index=frame.index)
    out = {}
    for c in cols:
        fmt = fmts.get(c)
        texts = []
        for v, u in zip(frame[c], units):
            coded = code_label(c, v, lang, (codes or {}).get(c))
            if coded is None and plan is not None and c in ("org", "county") and isinstance(v, str):
                coded = plan.org_name(v, lang) if v in plan.org_index else v
            texts.append(coded if coded is not None else cell(v, fmt, u if isinstance(u, str) else "", lang))
        head = t(headers[c], lang) if headers and c in headers else label(c, lang, area)
        while head in out:  # two ids with one label (target and target_title): keep both
            head += " "
        out[head] = texts
    shown = pd.DataFrame(out, columns=list(out))
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    return shown
