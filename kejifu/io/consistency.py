"""Consistency: checks across the rows of one report file and the reports already stored.

* rows repeating an org, measure and month must agree (:func:`duplicates`);
* a share's numerator cannot exceed its denominator (:func:`shares`);
* a year-to-date value below an earlier month's is a warning unless noted (:func:`decreases`);
* a month far ahead of every other reporter's latest month — a clerk's slip, 2005-12 typed
  for 2005-06 — is accepted with a warning naming it (:func:`late_months`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import months as month_keys
from .. import units
from ..errors import Problem
from ..i18n import t
from ..plan import Plan

EPS = 1e-9
#: A month more than this many months after the latest month any *other* org reported is
#: named in a warning [months].
AHEAD_MONTHS = 1


def _p(key: str, file: str, row, fld, level: str = "error", **fmt) -> Problem:
    return Problem(t(key, "zh", **fmt), t(key, "en", **fmt), file=file, row=row, field=fld, level=level)


def distinct(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` written with just enough significant digits to tell them apart
    (``130.0005`` and ``130``, never ``130`` and ``130``)."""
    for digits in range(6, 18):
        sa, sb = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if sa != sb:
            return sa, sb
    return f"{a!r}", f"{b!r}"


def checks_decrease(plan: Plan, measure: str) -> bool:
    """Whether a measure's year-to-date figures should never fall (cumulative targets, raw measures)."""
    if measure in plan.measure_index:
        return True
    tg = plan.target_index.get(measure)
    return tg is not None and tg.kind == "cumulative"


def duplicates(frame: pd.DataFrame, file: str, hf: dict) -> list[Problem]:
    out = []
    first: dict[tuple, tuple[int, float]] = {}
    for r in frame.itertuples(index=False):
        key = (r.org, r.measure, r.month)
        if key not in first:
            first[key] = (r.line, r.value)
            continue
        line0, v0 = first[key]
        if abs(r.value - v0) <= EPS * max(1.0, abs(v0)):
            out.append(_p("io.val.duplicate_same", file, r.line, hf["value"], level="warning", line=line0))
        else:
            out.append(
                _p(
                    "io.val.duplicate_conflict",
                    file,
                    r.line,
                    hf["value"],
                    line=line0,
                    **dict(zip(("value", "other"), distinct(v0, r.value))),
                )
            )
    return out


def shares(frame: pd.DataFrame, plan: Plan, file: str, hf: dict) -> list[Problem]:
    out, seen = [], set()
    index = {(r.org, r.measure, r.month): r for r in frame.itertuples(index=False)}
    for tg in plan.targets:
        if tg.kind != "share" or (tg.numerator, tg.denominator) in seen:
            continue
        seen.add((tg.numerator, tg.denominator))
        nu, du = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
        if units.unit_kind(nu) != units.unit_kind(du):
            continue
        for (org, measure, month), r in index.items():
            if measure != tg.numerator:
                continue
            d = index.get((org, tg.denominator, month))
            if d is None:
                continue
            num_in_den = units.convert(r.value, nu, du)
            if num_in_den > d.value + EPS * max(1.0, abs(d.value)):
                out.append(
                    _p(
                        "io.val.share_exceeds",
                        file,
                        r.line,
                        hf["value"],
                        num=units.format_value(r.value, nu),
                        den=units.format_value(d.value, du),
                        line=d.line,
                        title=tg.title,
                        title_en=tg.label("en"),
                    )
                )
    return out


def decreases(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    out = []
    if frame.empty:
        return out
    stored: dict[tuple, dict[str, float]] = {}
    if existing is not None and not existing.empty:
        prefix = f"{plan.year:04d}-"
        ex = existing[existing["month"].astype(str).str.startswith(prefix)]
        for r in ex.itertuples(index=False):
            stored.setdefault((r.org, r.measure), {})[str(r.month)] = float(r.value)
    from_file: dict[tuple, dict[str, Any]] = {}
    for r in frame.itertuples(index=False):
        from_file.setdefault((r.org, r.measure), {})[r.month] = r
    for key, months in from_file.items():
        if not checks_decrease(plan, key[1]):
            continue
        series = {m: (v, "store") for m, v in stored.get(key, {}).items()}
        series.update({m: (r.value, "file") for m, r in months.items()})
        unit = plan.measure_unit(key[1])
        for month, r in months.items():
            if r.note:
                continue
            earlier = [(m, v) for m, (v, _) in series.items() if m < month]
            later = [(m, v) for m, (v, src) in series.items() if m > month and src == "store"]
            top = max(earlier, key=lambda mv: mv[1], default=None)
            low = min(later, key=lambda mv: mv[1], default=None)
            if top is not None and r.value < top[1] - EPS * max(1.0, abs(top[1])):
                out.append(
                    _p(
                        "io.val.decrease",
                        file,
                        r.line,
                        hf["value"],
                        level="warning",
                        value=units.format_value(r.value, unit),
                        month=top[0],
                        earlier=units.format_value(top[1], unit),
                    )
                )
            elif low is not None and r.value > low[1] + EPS * max(1.0, abs(low[1])):
                out.append(
                    _p(
                        "io.val.above_later",
                        file,
                        r.line,
                        hf["value"],
                        level="warning",
                        value=units.format_value(r.value, unit),
                        month=low[0],
                        later=units.format_value(low[1], unit),
                    )
                )
    return out


def late_months(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    """A warning for each org and month of ``frame`` more than :data:`AHEAD_MONTHS` after the
    latest month any other org has reported (in this file or the store), on its first line.
    Nothing when no other org has reported yet."""
    out: list[Problem] = []
    if frame.empty:
        return out
    latest: dict[str, str] = {}
    sources = [frame[["org", "month"]]]
    if existing is not None and not existing.empty and {"org", "month"} <= set(existing.columns):
        ex = existing[["org", "month"]].astype(str)
        sources.append(ex[ex["month"].str.startswith(f"{plan.year:04d}-")])
    for part in sources:
        for org, month in part.groupby("org")["month"].max().items():
            if str(month) > latest.get(org, ""):
                latest[org] = str(month)
    if len(latest) < 2:
        return out
    ranked = sorted(latest.items(), key=lambda om: om[1], reverse=True)
    first_line = frame.groupby(["org", "month"])["line"].min()
    for (org, month), line in first_line.items():
        others = next((m for o, m in ranked if o != org), None)
        if others is None:
            continue
        y, m = month_keys.split(month)
        oy, om = month_keys.split(others)
        ahead = (y - oy) * 12 + (m - om)
        if ahead > AHEAD_MONTHS:
            out.append(
                _p(
                    "io.val.month_ahead",
                    file,
                    int(line),
                    hf["month"],
                    level="warning",
                    org=plan.org_name(org),
                    month=month,
                    latest=others,
                    n=ahead,
                )
            )
    return out
