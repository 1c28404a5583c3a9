"""The roster (名册): terms, service, state on a date, head-counts, treatment and the living allowance.

* **Term**: ``term_start`` .. ``term_end`` inclusive; by default 3 years, i.e.
  ``term_end`` = ``term_start`` + 3 years − 1 day (2003-07-01 → 2006-06-30).
* **Service**: a deputy is in post from ``term_start`` through the *last day
  served*: ``term_end``; or, when ``state`` is ``completed`` with an earlier
  ``state_date``, that date; or, when ``state`` is ``recalled``, the day
  *before* the recall date ``state_date`` (a recall takes effect on its date).
* **Treatment** (the programme's rule): while in post a deputy has 副科级政治生活待遇
  and one salary grade up (``settings.deputies.salary_grades_up``); a recall
  cancels both from the recall date, like the allowance.
* **Allowance** [元]: the monthly living allowance [元/month]
  (``settings.deputies.allowance_yuan_per_month``, 150 by default) is paid for
  every *whole calendar month* that lies entirely inside both the service and
  the period asked about. A month begun or ended part-way (arrival on the 15th,
  a recall on the 15th, a period ending mid-month) does not count.
  Term 2003-07-01..2006-06-30, period 2005-01-01..2006-12-31: 18 months ×
  150 = 2700 元; recalled on 2005-09-15: January–August 2005, 8 × 150 = 1200 元.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..plan import Plan
from .rules import DATE_COLUMNS, ROSTER_COLUMNS, DateLike, SettingsSource, county_of, settings_from

STATE_ORDER = ("appointed", "serving", "completed", "recalled")


def to_date(value: DateLike | float) -> dt.date | None:
    """A date from a date, Timestamp or ``YYYY-MM-DD`` text; ``None`` for blanks."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    return ts.date()


def default_term_end(start: DateLike, years: int = 3) -> dt.date:
    """The last day of a term of ``years`` [years] starting ``start``: start + years − 1 day."""
    s = to_date(start)
    return (pd.Timestamp(s) + pd.DateOffset(years=years) - pd.Timedelta(days=1)).date()


def whole_months(start: DateLike, end: DateLike) -> int:
    """The number of calendar months lying entirely within ``start`` .. ``end`` (inclusive) [months]."""
    s, e = to_date(start), to_date(end)
    if s is None or e is None or e < s:
        return 0
    first = s if s.day == 1 else (pd.Timestamp(s) + pd.offsets.MonthBegin(1)).date()
    after = e + dt.timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # first day of the first month not whole
    n = (stop.year - first.year) * 12 + stop.month - first.month
    return max(n, 0)


def last_day_served(
    term_end: DateLike, state: str | None = None, state_date: DateLike = None
) -> dt.date | None:
    """The last day in post: the term end, an earlier completion date, or the day before a recall."""
    end = to_date(term_end)
    sd = to_date(state_date)
    if state == "recalled" and sd is not None:
        cut = sd - dt.timedelta(days=1)
        return cut if end is None else min(end, cut)
    if state == "completed" and sd is not None and end is not None:
        return min(end, sd)
    return end


def months_served(
    term_start: DateLike,
    term_end: DateLike,
    period_start: DateLike,
    period_end: DateLike,
    *,
    state: str | None = None,
    state_date: DateLike = None,
) -> int:
    """Whole calendar months in post within ``period_start`` .. ``period_end`` [months]."""
    s = to_date(term_start)
    e = last_day_served(term_end, state, state_date)
    ps, pe = to_date(period_start), to_date(period_end)
    if s is None or e is None or ps is None or pe is None:
        return 0
    return whole_months(max(s, ps), min(e, pe))


def empty(columns: list[str]) -> pd.DataFrame:
    """An empty frame with ``columns``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def normalise_roster(roster: pd.DataFrame, settings: SettingsSource = None) -> pd.DataFrame:
    """The roster with every column present, dates as ``datetime.date``, defaults filled in.

    A missing ``term_end`` becomes the default term end; a missing ``state`` is
    ``serving``; ``kind`` defaults to ``seconded``; ``batch`` to the start year.
    """
    settings = settings_from(settings)
    out = roster.copy()
    for c in ROSTER_COLUMNS:
        if c not in out.columns:
            out[c] = None
    for c in DATE_COLUMNS["roster"]:
        out[c] = out[c].map(to_date).astype(object)
    out["term_end"] = [
        e if e is not None else (default_term_end(s, settings.term_years) if s else None)
        for s, e in zip(out["term_start"], out["term_end"])
    ]
    out["state"] = out["state"].where(out["state"].notna() & (out["state"] != ""), "serving")
    out["kind"] = out["kind"].where(out["kind"].notna() & (out["kind"] != ""), "seconded")
    out["batch"] = [
        int(b) if b is not None and not (isinstance(b, float) and math.isnan(b)) else (s.year if s else None)
        for b, s in zip(out["batch"], out["term_start"])
    ]
    out["synthetic"] = out["synthetic"].fillna(False).astype(bool)
    for c in ("name", "sending_org", "org", "post", "note"):
        out[c] = out[c].fillna("").astype(str)
    out["person_id"] = out["person_id"].astype(str)
    return out[ROSTER_COLUMNS + [c for c in out.columns if c not in ROSTER_COLUMNS]].reset_index(drop=True)


def state_as_of(roster: pd.DataFrame, as_of: DateLike) -> pd.Series:
    """Each deputy's state on ``as_of``: ``appointed`` (term not begun), ``serving``, ``completed``
    or ``recalled``."""
    d = to_date(as_of)
    out = []
    for r in roster.itertuples(index=False):
        start = to_date(r.term_start)
        sd = to_date(r.state_date)
        if r.state == "recalled" and sd is not None and d >= sd:
            out.append("recalled")
        elif start is not None and d < start:
            out.append("appointed")
        elif d > (last_day_served(r.term_end, r.state, r.state_date) or d):
            out.append("completed")
        else:
            out.append("serving")
    return pd.Series(out, index=roster.index, dtype=object)


def serving(roster: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """The deputies in post on ``as_of``."""
    return roster[state_as_of(roster, as_of) == "serving"]


def treatment(roster: pd.DataFrame, as_of: DateLike, settings: SettingsSource = None) -> pd.DataFrame:
    """Each deputy's treatment on ``as_of`` (the programme's rule, stopped by a recall).

    Returns ``person_id, name, org, state, treatment`` (副科级政治生活待遇, bool),
    ``grades_up`` [salary grades] and ``rate`` [元/month]: the settings' values
    while ``serving``, ``False`` / 0 / 0 otherwise (before the term, after it, and
    from the recall date on).
    """
    s = settings_from(settings)
    st = state_as_of(roster, as_of)
    on = (st == "serving").to_numpy()
    out = roster[["person_id", "name", "org"]].copy().reset_index(drop=True)
    out["state"] = st.to_numpy()
    out["treatment"] = on
    out["grades_up"] = np.where(on, s.salary_grades_up, 0).astype(int)
    out["rate"] = np.where(on, float(s.allowance_yuan_per_month), 0.0)
    return out


def allowance(
    roster: pd.DataFrame, period_start: DateLike, period_end: DateLike, settings: SettingsSource = None
) -> pd.DataFrame:
    """Living allowance per deputy for ``period_start`` .. ``period_end`` (inclusive).

    Returns ``person_id, name, org, batch, months`` [months], ``rate`` [元/month],
    ``amount`` [元] — whole calendar months served within the period and the
    term, stopped by a recall (see the module docstring).
    """
    s = settings_from(settings)
    rate = float(s.allowance_yuan_per_month)
    months = [
        months_served(
            r.term_start, r.term_end, period_start, period_end, state=r.state, state_date=r.state_date
        )
        for r in roster.itertuples(index=False)
    ]
    out = roster[["person_id", "name", "org", "batch"]].copy()
    out["months"] = np.array(months, dtype=int)
    out["rate"] = rate
    out["amount"] = out["months"] * rate
    return out.reset_index(drop=True)


def allowance_total(
    roster: pd.DataFrame, period_start: DateLike, period_end: DateLike, settings: SettingsSource = None
) -> float:
    """Total living allowance of the roster over the period [元]."""
    return float(allowance(roster, period_start, period_end, settings)["amount"].sum())


def outside_share(roster: pd.DataFrame, plan: Plan | None = None, as_of: DateLike = None) -> pd.DataFrame:
    """Share of deputies hired from outside (外聘) per county [share 0..1].

    Counts deputies in post on ``as_of`` (all deputies when ``as_of`` is None).
    Returns ``county, deputies, outside, share``.
    """
    r = roster if as_of is None else serving(roster, as_of)
    counties = [county_of(plan, o) for o in r["org"]]
    frame = pd.DataFrame({"county": counties, "outside": (r["kind"] == "outside").to_numpy()})
    if frame.empty:
        return pd.DataFrame({"county": [], "deputies": [], "outside": [], "share": []})
    g = frame.groupby("county", sort=True)["outside"].agg(["count", "sum"]).reset_index()
    g.columns = ["county", "deputies", "outside"]
    g["outside"] = g["outside"].astype(int)
    g["share"] = g["outside"] / g["deputies"]
    return g


def roster_by(roster: pd.DataFrame, as_of: DateLike, by: str = "org") -> pd.DataFrame:
    """Head-count by ``by`` (``org``, ``batch``, ``kind``) and state on ``as_of``.

    Returns one row per ``by`` value with a column per state and ``total`` [people].
    """
    st = state_as_of(roster, as_of)
    frame = pd.DataFrame({by: roster[by].to_numpy(), "state": st.to_numpy()})
    if frame.empty:
        return pd.DataFrame(columns=[by, *STATE_ORDER, "total"])
    table = pd.crosstab(frame[by], frame["state"])
    for s in STATE_ORDER:
        if s not in table.columns:
            table[s] = 0
    table = table[list(STATE_ORDER)]
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def terms_ending(roster: pd.DataFrame, as_of: DateLike, months: int = 3) -> pd.DataFrame:
    """The end-of-term due list: deputies in post whose term ends within ``months`` [months] of ``as_of``.

    A term ending on or after ``as_of`` and on or before the same day ``months``
    later is due (2005-04-01 + 3 months → through 2005-07-01). Recalled deputies
    are never due. Returns ``person_id, name, org, batch, term_start, term_end,
    days_left`` [days], by term end.
    """
    d = to_date(as_of)
    until = (pd.Timestamp(d) + pd.DateOffset(months=months)).date()
    st = state_as_of(roster, d)
    ends = [to_date(e) for e in roster["term_end"]]
    keep = [s == "serving" and e is not None and d <= e <= until for s, e in zip(st, ends)]
    out = roster.loc[pd.Series(keep, index=roster.index, dtype=bool)]
    out = out[["person_id", "name", "org", "batch", "term_start", "term_end"]].copy()
    out["days_left"] = [(to_date(e) - d).days for e in out["term_end"]]
    return out.sort_values(["term_end", "person_id"], kind="stable").reset_index(drop=True)
