"""Consistency: checks across the rows of one report file and the reports already stored.

* rows repeating an org, measure and month must agree (:func:`duplicates`);
* a share's numerator cannot exceed its denominator (:func:`shares`);
* a year-to-date value below an earlier month's is a warning unless noted (:func:`decreases`);
* a month far ahead of every other reporter's latest month — a clerk's slip, 2005-12 typed
  for 2005-06 — is accepted with a warning naming it (:func:`late_months`).

Each check is vectorised over the frame (a province month is ~144k rows against ~860k stored
figures) and walks in Python only the rows it reports; its findings, their messages and their
order are those of the row-by-row definition each docstring states (``tests/test_consistency_speed.py``
keeps that definition as the reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import months as month_keys
from .. import units
from ..errors import Problem
from ..i18n import t
from ..plan import Plan

EPS = 1e-9
# the columns naming one figure: an org's measure in a month
_KEYS = ["org", "measure", "month"]
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


def _tol(v: np.ndarray) -> np.ndarray:
    """``EPS * max(1, |v|)`` elementwise, as the scalar checks compute it."""
    return EPS * np.fmax(1.0, np.abs(v))


def _dict_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The rows a dict keyed by ``keys`` holds when filled row by row: each key's last row, in the
    order the keys first appear (``frame`` itself when no key repeats)."""
    last = ~frame.duplicated(keys, keep="last").to_numpy()
    if last.all():
        return frame
    first_seen = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()[last]
    return frame[last].iloc[np.argsort(first_seen, kind="stable")]


def _codes(values: pd.Series, uniques: pd.Index) -> np.ndarray:
    """The position of each of ``values`` in ``uniques`` (-1 when absent)."""
    return uniques.get_indexer(values) if len(uniques) else np.full(len(values), -1)


def duplicates(frame: pd.DataFrame, file: str, hf: dict) -> list[Problem]:
    """Each row repeating an earlier row's org, measure and month, in file order: a warning when
    its value is the first row's (within :data:`EPS`, relative), else an error naming both values."""
    out: list[Problem] = []
    if frame.empty:
        return out
    involved = frame.duplicated(_KEYS, keep=False).to_numpy()
    if not involved.any():
        return out
    part = frame[involved]
    first: dict[tuple, tuple[int, float]] = {}
    for org, measure, month, value, line in zip(
        part["org"], part["measure"], part["month"], part["value"], part["line"], strict=True
    ):
        key = (org, measure, month)
        if key not in first:
            first[key] = (line, value)
            continue
        line0, v0 = first[key]
        if abs(value - v0) <= EPS * max(1.0, abs(v0)):
            out.append(_p("io.val.duplicate_same", file, line, hf["value"], level="warning", line=line0))
        else:
            out.append(
                _p(
                    "io.val.duplicate_conflict",
                    file,
                    line,
                    hf["value"],
                    line=line0,
                    **dict(zip(("value", "other"), distinct(v0, value), strict=True)),
                )
            )
    return out


def shares(frame: pd.DataFrame, plan: Plan, file: str, hf: dict) -> list[Problem]:
    """An error on each numerator row above its denominator (same org and month, converted to the
    denominator's unit, beyond :data:`EPS` relative), share target by share target in plan order
    (one check per numerator/denominator pair; none across unit kinds), rows in file order."""
    out: list[Problem] = []
    if frame.empty:
        return out
    index = _dict_rows(frame, _KEYS)
    seen = set()
    for tg in plan.targets:
        if tg.kind != "share" or (tg.numerator, tg.denominator) in seen:
            continue
        seen.add((tg.numerator, tg.denominator))
        nu, du = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
        if units.unit_kind(nu) != units.unit_kind(du):
            continue
        num = index.loc[(index["measure"] == tg.numerator).to_numpy(), ["org", "month", "value", "line"]]
        den = index.loc[(index["measure"] == tg.denominator).to_numpy(), ["org", "month", "value", "line"]]
        if num.empty or den.empty:
            continue
        pair = num.merge(den, on=["org", "month"], how="left", suffixes=("", "_den"), sort=False)
        pair = pair[pair["line_den"].notna().to_numpy()]
        v = pair["value"].to_numpy(float)
        d = pair["value_den"].to_numpy(float)
        limit = d + _tol(d)
        # the exact conversion below differs from the float one by a few ulp: a margin of 1e-12
        # (relative) keeps every row it could flag
        approx = units.convert(v, nu, du)
        maybe = ~(approx + 1e-12 * np.abs(approx) < limit)
        for value, dv, line, dline in zip(
            v[maybe],
            d[maybe],
            pair["line"].to_numpy()[maybe],
            pair["line_den"].to_numpy()[maybe],
            strict=True,
        ):
            value, dv = float(value), float(dv)
            if units.convert(value, nu, du) > dv + EPS * max(1.0, abs(dv)):
                out.append(
                    _p(
                        "io.val.share_exceeds",
                        file,
                        int(line),
                        hf["value"],
                        num=units.format_value(value, nu),
                        den=units.format_value(dv, du),
                        line=int(dline),
                        title=tg.title,
                        title_en=tg.label("en"),
                    )
                )
    return out


def decreases(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    """A warning on each row without a note whose year-to-date value falls below an earlier
    month's, or (else) rises above a later month's already stored, for measures whose figures
    never fall (:func:`checks_decrease`).

    Per org and measure, the *series* is the stored figures of the plan year (``existing``; a
    month's last row) overlaid by the file's (a file month replaces a stored one). A row is
    compared with the largest value of the series' earlier months and, if not below it, with the
    smallest of the later months that are stored only; ties name the month first in the series
    (stored months in stored order, then the file's). Findings come org and measure by org and
    measure in file order, months in file order.
    """
    out: list[Problem] = []
    if frame.empty:
        return out
    rows = _dict_rows(frame, _KEYS)
    checked = {m: checks_decrease(plan, m) for m in pd.unique(rows["measure"])}
    rows = rows[rows["measure"].map(checked).to_numpy(bool)]
    if rows.empty:
        return out
    oc, org_u = pd.factorize(rows["org"], use_na_sentinel=False)
    mc, meas_u = pd.factorize(rows["measure"], use_na_sentinel=False)
    pair, pair_u = pd.factorize(oc.astype(np.int64) * len(meas_u) + mc)  # numbered as they first appear
    fc, f_month = pd.factorize(rows["month"], use_na_sentinel=False)
    f_month = [str(m) for m in f_month]
    f_value = rows["value"].to_numpy(float)

    s_pair, s_mcode, s_value, s_month = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), []
    if existing is not None and not existing.empty:
        ec, s_month = pd.factorize(existing["month"])
        s_month = [str(m) for m in s_month]
        in_year = np.array([m.startswith(f"{plan.year:04d}-") for m in s_month] + [False])
        eo = _codes(existing["org"], pd.Index(org_u))
        em = _codes(existing["measure"], pd.Index(meas_u))
        known = in_year[ec] & (eo >= 0) & (em >= 0)  # code -1 (no month) reads the last, False
        ep = np.full(len(existing), -1)
        ep[known] = pd.Index(pair_u).get_indexer(eo[known].astype(np.int64) * len(meas_u) + em[known])
        keep = np.flatnonzero(ep >= 0)
        s_pair, s_mcode, s_value = ep[keep], ec[keep], existing["value"].to_numpy()[keep]
        s_month = [m if y else None for m, y in zip(s_month, in_year, strict=False)]

    # months as ranks of their text, so that month order is text order
    month_u = sorted(set(f_month) | {m for m in s_month if m is not None})
    rank = {m: i for i, m in enumerate(month_u)}
    n_m = len(month_u)
    f_key = pair.astype(np.int64) * n_m + np.array([rank[m] for m in f_month], dtype=np.int64)[fc]
    s_rank = np.array([rank.get(m, -1) for m in s_month], dtype=np.int64)
    s_key_all = s_pair.astype(np.int64) * n_m + (s_rank[s_mcode] if len(s_mcode) else s_mcode)
    # the stored part of each series: a month's last row, placed where the month first appears
    s_code, s_key = pd.factorize(s_key_all)
    s_val = np.empty(len(s_key))
    last = ~pd.Series(s_code).duplicated(keep="last").to_numpy()
    s_val[s_code[last]] = np.asarray(s_value[last], dtype=float)
    s_key = np.asarray(s_key, dtype=np.int64)
    in_file = pd.Index(f_key).get_indexer(s_key) if len(s_key) else np.empty(0, dtype=np.int64)
    stored_only = in_file < 0
    f_order = len(s_key) + np.arange(len(f_key))
    f_order[in_file[~stored_only]] = np.flatnonzero(~stored_only)  # a month stored first keeps its place

    # the series, sorted by org and measure, then month
    key = np.concatenate([s_key[stored_only], f_key])
    value = np.concatenate([s_val[stored_only], f_value])
    order = np.concatenate([np.flatnonzero(stored_only), f_order])
    row = np.concatenate([np.full(stored_only.sum(), -1), np.arange(len(f_key))])  # the file row, or -1
    by = np.argsort(key, kind="stable")
    key, value, order, row = key[by], value[by], order[by], row[by]
    group = key // n_m
    earlier = pd.Series(value).groupby(group).cummax().groupby(group).shift(1).to_numpy()
    store_value = np.where(row < 0, value, np.inf)
    later = (
        pd.Series(store_value[::-1])
        .groupby(group[::-1])
        .cummin()
        .groupby(group[::-1])
        .shift(1)
        .to_numpy()[::-1]
    )
    noted = rows["note"].to_numpy().astype(bool)
    at = np.flatnonzero(row >= 0)
    at = at[~noted[row[at]]]
    ev, lv, v = earlier[at], later[at], value[at]
    fell = ~np.isnan(ev) & (v < ev - _tol(ev))
    rose = ~fell & ~np.isnan(lv) & (v > lv + _tol(lv))
    found = at[fell | rose]
    found = found[np.lexsort((row[found], pair[row[found]]))]
    starts = np.searchsorted(group, group[found], side="left")
    ends = np.searchsorted(group, group[found], side="right")
    lines, measures = rows["line"].tolist(), rows["measure"].tolist()
    for i, lo, hi in zip(found, starts, ends, strict=True):
        r = row[i]
        unit = plan.measure_unit(measures[r])
        below = value[i] < earlier[i] - EPS * max(1.0, abs(earlier[i]))  # as above, for this row
        if below:
            top = earlier[i]
            ties = [j for j in range(lo, i) if value[j] == top]
        else:
            top = later[i]
            ties = [j for j in range(i + 1, hi) if row[j] < 0 and value[j] == top]
        month = month_u[key[min(ties, key=lambda j: order[j])] % n_m]
        out.append(
            _p(
                "io.val.decrease" if below else "io.val.above_later",
                file,
                lines[r],
                hf["value"],
                level="warning",
                value=units.format_value(value[i], unit),
                month=month,
                **{"earlier" if below else "later": units.format_value(top, unit)},
            )
        )
    return out


def late_months(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    """A warning for each org and month of ``frame`` more than :data:`AHEAD_MONTHS` after the
    latest month any other org has reported (in this file or the store), on its first line.
    Nothing when no other org has reported yet. Orgs and months in sorted order."""
    out: list[Problem] = []
    if frame.empty:
        return out
    latest: dict[str, str] = {}
    # each org's latest month in the file: the largest text, found as the largest rank of the texts
    fc, f_month = pd.factorize(frame["month"])
    f_month = [str(m) for m in f_month]
    f_sorted = sorted(set(f_month))
    f_rank = np.append(pd.Index(f_sorted).get_indexer(f_month), -1)[fc]
    has = f_rank >= 0
    for org, r in pd.Series(f_rank[has]).groupby(frame["org"].to_numpy()[has]).max().items():
        if f_sorted[r] > latest.get(org, ""):
            latest[org] = f_sorted[r]
    if existing is not None and not existing.empty and {"org", "month"} <= set(existing.columns):
        # the stored months of the plan year, each org's latest; org and month as their text
        ec, emon_u = pd.factorize(existing["month"])
        emon = [str(m) for m in emon_u]
        months = sorted({m for m in emon if m.startswith(f"{plan.year:04d}-")})
        rank = pd.Index(months).get_indexer(emon) if months else np.full(len(emon), -1)
        rc = np.append(rank, -1)[ec]  # code -1 (missing): no month
        oc, org_u = pd.factorize(existing["org"])
        sc, org_text = pd.factorize(np.array([str(o) for o in org_u], dtype=object))
        keep = (rc >= 0) & (oc >= 0)
        top = pd.Series(rc[keep]).groupby(sc[oc[keep]]).max()
        for code, r in top.items():
            org, month = org_text[code], months[r]
            if month > latest.get(org, ""):
                latest[org] = month
    if len(latest) < 2:
        return out
    ranked = sorted(latest.items(), key=lambda om: om[1], reverse=True)
    first_line = frame.groupby(["org", "month"])["line"].min()
    if first_line.empty:
        return out
    orgs = first_line.index.get_level_values(0).to_numpy()
    months = first_line.index.get_level_values(1).to_numpy()
    (top_org, top_month), (_, second_month) = ranked[0], ranked[1]
    others = [second_month if org == top_org else top_month for org in orgs]
    number = {
        m: (lambda y, mm: y * 12 + mm)(*month_keys.split(m)) for m in {*months, top_month, second_month}
    }
    ahead = np.array([number[m] for m in months]) - np.array([number[m] for m in others])
    for i in np.flatnonzero(ahead > AHEAD_MONTHS):
        out.append(
            _p(
                "io.val.month_ahead",
                file,
                int(first_line.iloc[i]),
                hf["month"],
                level="warning",
                org=plan.org_name(orgs[i]),
                month=months[i],
                latest=others[i],
                n=int(ahead[i]),
            )
        )
    return out
