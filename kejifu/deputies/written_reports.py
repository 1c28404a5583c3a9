"""Written reports (书面报告): 「每年要写1-2次思想和工作汇报」, and the organisation department's hearings.

* **The yearly rule** (the programme's): a deputy in post during a year writes at
  least ``reports_min`` (1) and is recommended ``reports_per_year`` (2) reports,
  each to the county organisation department, the town party committee and the
  sending organisation (each filing records which of the three received it).
  :func:`yearly_reports`: one filed is 已报送（达到最低要求）, the recommended number
  is 已报送（达到建议次数）, none is 未报送 once the year's last due date has passed.
* **The schedule of filings** (:func:`reports_owed`, :func:`report_compliance`):
  the recommended reports' due dates — one report → 31 December; two → 30 June
  and 31 December (``report_due`` overrides, as ``MM-DD``, a county setting).
  Report *k* covers the window from the day after the previous due date through
  its own; it is *owed* when the deputy served at least one whole calendar month
  of that window; *overdue* after its due date with nothing submitted by the
  as-of date; *incomplete* when not sent to all three recipients; *late* when
  submitted after the due date.
* **Hearings** (听取汇报): the organisation department hears each deputy at least
  ``hearings_per_year`` (1) times a year; :func:`hearings_due` lists who is
  due or overdue, from the ``hearing`` tracking events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .roster import empty, last_day_served, months_served, to_date
from .rules import (
    EVENT_COLUMNS,
    RECIPIENTS,
    WRITTEN_REPORT_COLUMNS,
    DateLike,
    SettingsSource,
    settings_from,
    truthy,
)

OWED_COLUMNS = ["person_id", "year", "seq", "window_start", "due"]
COMPLIANCE_COLUMNS = ["person_id", "name", "org", "year", "seq", "due", "submitted", "missing", "status"]
YEARLY_COLUMNS = [
    "person_id",
    "name",
    "org",
    "year",
    "due",
    "filed",
    "minimum",
    "recommended",
    "recipients",
    "missing",
    "status",
]
HEARING_COLUMNS = ["person_id", "name", "org", "year", "due", "heard", "last_heard", "status"]


def _years(years: int | Iterable[int]) -> list[int]:
    return [int(years)] if isinstance(years, (int, np.integer)) else [int(y) for y in years]


def reports_owed(
    roster: pd.DataFrame, years: int | Iterable[int], settings: SettingsSource = None
) -> pd.DataFrame:
    """Every recommended report owed in ``years``: ``person_id, year, seq, window_start, due``.

    A report is owed when the deputy served at least one whole calendar month
    of its window (the day after the previous due date through its due date).
    """
    s = settings_from(settings)
    rows = []
    for y in _years(years):
        dues = s.due_dates(y)
        starts = [dt.date(y, 1, 1)] + [d + dt.timedelta(days=1) for d in dues[:-1]]
        for r in roster.itertuples(index=False):
            for k, (ws, due) in enumerate(zip(starts, dues), start=1):
                served = months_served(
                    r.term_start, r.term_end, ws, due, state=r.state, state_date=r.state_date
                )
                if served > 0:
                    rows.append(
                        {"person_id": r.person_id, "year": y, "seq": k, "window_start": ws, "due": due}
                    )
    if not rows:
        return pd.DataFrame(columns=OWED_COLUMNS)
    return pd.DataFrame(rows, columns=OWED_COLUMNS)


def years_between(roster: pd.DataFrame, as_of: dt.date) -> list[int]:
    """Every year from the first term start through ``as_of``'s year."""
    starts = [d for d in (to_date(x) for x in roster["term_start"]) if d is not None]
    if not starts:
        return []
    return list(range(min(starts).year, as_of.year + 1))


def _filed(reports: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """The filings submitted on or before ``as_of``, every contract column present."""
    rep = reports.copy() if reports is not None else empty(WRITTEN_REPORT_COLUMNS)
    for c in WRITTEN_REPORT_COLUMNS:
        if c not in rep.columns:
            rep[c] = None
    rep["submitted"] = rep["submitted"].map(to_date)
    keep = pd.Series([x is not None and x <= as_of for x in rep["submitted"]], index=rep.index, dtype=bool)
    rep = rep[keep].copy()
    rep["person_id"] = rep["person_id"].astype(str)
    return rep


def _names(roster: pd.DataFrame) -> dict[str, dict[str, str]]:
    return roster.set_index("person_id")[["name", "org"]].to_dict("index")


def report_compliance(
    roster: pd.DataFrame,
    reports: pd.DataFrame | None,
    as_of: DateLike,
    settings: SettingsSource = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Each scheduled report's standing as of ``as_of``.

    Returns ``person_id, name, org, year, seq, due, submitted, missing`` (the
    recipients not sent to, ``;``-joined), ``status``: ``ok``, ``late``
    (submitted after the due date), ``incomplete`` (not sent to every
    recipient), ``overdue`` (due date passed, nothing submitted by ``as_of``) or
    ``not_due``. Reports submitted after ``as_of`` are ignored. ``years``
    defaults to every year from the first term start through ``as_of``.
    """
    d = to_date(as_of)
    years = years if years is not None else years_between(roster, d)
    owed = reports_owed(roster, years, settings)
    owed = owed[owed["window_start"] <= d] if not owed.empty else owed
    by_key: dict[tuple[str, int, int], object] = {}
    for r in _filed(reports, d).itertuples(index=False):
        key = (str(r.person_id), int(r.year), int(r.seq))
        prev = by_key.get(key)
        if prev is None or r.submitted < prev.submitted:  # the first submission counts
            by_key[key] = r
    names = _names(roster)
    rows = []
    for o in owed.itertuples(index=False):
        r = by_key.get((str(o.person_id), int(o.year), int(o.seq)))
        info = names.get(o.person_id, {"name": "", "org": ""})
        if r is None:
            status = "overdue" if d > o.due else "not_due"
            submitted, missing = None, ""
        else:
            submitted = r.submitted
            miss = [c.removeprefix("to_") for c in RECIPIENTS if not truthy(getattr(r, c))]
            missing = ";".join(miss)
            status = "incomplete" if miss else ("late" if submitted > o.due else "ok")
        rows.append(
            {
                "person_id": o.person_id,
                "name": info["name"],
                "org": info["org"],
                "year": o.year,
                "seq": o.seq,
                "due": o.due,
                "submitted": submitted,
                "missing": missing,
                "status": status,
            }
        )
    return pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)


def in_post_this_year(roster: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """The deputies still in post on 1 January of ``as_of``'s year or later."""
    jan1 = dt.date(to_date(as_of).year, 1, 1)
    keep = [
        (last_day_served(x.term_end, x.state, x.state_date) or jan1) >= jan1
        for x in roster.itertuples(index=False)
    ]
    return roster.loc[pd.Series(keep, index=roster.index, dtype=bool)]


def overdue(
    roster: pd.DataFrame,
    reports: pd.DataFrame | None,
    as_of: DateLike,
    settings: SettingsSource = None,
    *,
    current_only: bool = False,
) -> pd.DataFrame:
    """Scheduled reports ``overdue`` or ``incomplete`` as of ``as_of`` (see :func:`report_compliance`).

    With ``current_only``, only deputies still in post on 1 January of the as-of
    year or later (past terms' lapses are history, not a to-do list).
    """
    r = in_post_this_year(roster, as_of) if current_only else roster
    c = report_compliance(r, reports, as_of, settings)
    return c[c["status"].isin(["overdue", "incomplete"])].reset_index(drop=True)


def yearly_reports(
    roster: pd.DataFrame,
    reports: pd.DataFrame | None,
    as_of: DateLike,
    settings: SettingsSource = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """The yearly rule per deputy and year in post, as of ``as_of``.

    Returns ``person_id, name, org, year, due`` (the year's last due date),
    ``filed`` [reports submitted by ``as_of``], ``minimum`` and ``recommended``
    [reports] (capped by the scheduled reports the deputy owes that year: a
    deputy arriving on 1 July owes one), ``recipients`` (who received at least
    one filing: ``orgdept;town;sender``), ``missing`` (who received none) and
    ``status``: ``recommended`` (已报送，达到建议次数), ``minimum`` (已报送，达到最低要求),
    ``overdue`` (未报送: fewer than the minimum and the due date has passed) or
    ``not_due`` (fewer than the minimum, the year still running).
    """
    s = settings_from(settings)
    d = to_date(as_of)
    years = years if years is not None else years_between(roster, d)
    owed = reports_owed(roster, years, s)
    filed = _filed(reports, d)
    names = _names(roster)
    rows = []
    for (pid, year), grp in owed.groupby(["person_id", "year"], sort=True):
        if min(grp["window_start"]) > d:
            continue  # nothing of that year has begun yet
        mine = filed[(filed["person_id"] == str(pid)) & (filed["year"].astype(int) == int(year))]
        n = int(mine["seq"].nunique()) if len(mine) else 0
        recommended = min(s.reports_per_year, len(grp))
        minimum = min(s.reports_min, recommended)
        got = [c.removeprefix("to_") for c in RECIPIENTS if any(truthy(v) for v in mine[c])]
        due = max(grp["due"])
        if n >= recommended:
            status = "recommended"
        elif n >= minimum:
            status = "minimum"
        else:
            status = "overdue" if d > due else "not_due"
        info = names.get(pid, {"name": "", "org": ""})
        rows.append(
            {
                "person_id": pid,
                "name": info["name"],
                "org": info["org"],
                "year": int(year),
                "due": due,
                "filed": n,
                "minimum": minimum,
                "recommended": recommended,
                "recipients": ";".join(got),
                "missing": ";".join(
                    c.removeprefix("to_") for c in RECIPIENTS if c.removeprefix("to_") not in got
                )
                if n
                else "",
                "status": status,
            }
        )
    return pd.DataFrame(rows, columns=YEARLY_COLUMNS)


def reports_due(
    roster: pd.DataFrame, reports: pd.DataFrame | None, as_of: DateLike, settings: SettingsSource = None
) -> pd.DataFrame:
    """The reports due list: deputies in post this year who have not yet filed the minimum.

    Rows of :func:`yearly_reports` for ``as_of``'s year with status ``not_due``
    (still to file by ``due``) or ``overdue``, and earlier years' ``overdue`` rows
    of deputies still in post this year.
    """
    d = to_date(as_of)
    current = in_post_this_year(roster, d)
    y = yearly_reports(current, reports, d, settings)
    return y[y["status"].isin(["overdue", "not_due"])].reset_index(drop=True)


def hearings_due(
    roster: pd.DataFrame, events: pd.DataFrame | None, as_of: DateLike, settings: SettingsSource = None
) -> pd.DataFrame:
    """The hearing due list for ``as_of``'s year: who the organisation department has yet to hear.

    A deputy in post for at least one whole month of the year owes
    ``hearings_per_year`` hearings (events of kind ``hearing`` dated in the year,
    on or before ``as_of``). Returns ``person_id, name, org, year, due`` (31
    December), ``heard`` [hearings], ``last_heard`` and ``status``: ``heard``,
    ``due`` (not yet heard, the year running) or ``overdue`` (the year is over:
    only when ``as_of`` is 31 December). Only ``due`` and ``overdue`` rows are returned.
    """
    s = settings_from(settings)
    d = to_date(as_of)
    year = d.year
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ev = events if events is not None else empty(EVENT_COLUMNS)
    ev = ev[ev["kind"] == "hearing"] if len(ev) else ev
    dates = [to_date(x) for x in ev["date"]] if len(ev) else []
    names = _names(roster)
    rows = []
    for r in roster.itertuples(index=False):
        served = months_served(r.term_start, r.term_end, jan1, dec31, state=r.state, state_date=r.state_date)
        start = to_date(r.term_start)
        if served == 0 or start is None or start > d:
            continue
        mine = sorted(
            x for pid, x in zip(ev["person_id"] if len(ev) else [], dates) if str(pid) == r.person_id and x
        )
        mine = [x for x in mine if jan1 <= x <= d]
        n = len(mine)
        status = "heard" if n >= s.hearings_per_year else ("overdue" if d >= dec31 else "due")
        info = names.get(r.person_id, {"name": "", "org": ""})
        rows.append(
            {
                "person_id": r.person_id,
                "name": info["name"],
                "org": info["org"],
                "year": year,
                "due": dec31,
                "heard": n,
                "last_heard": mine[-1] if mine else None,
                "status": status,
            }
        )
    out = pd.DataFrame(rows, columns=HEARING_COLUMNS)
    return out[out["status"] != "heard"].reset_index(drop=True)
