"""Technology deputies (科技副职) and technology specialists (科技特派员).

The organisation department's ledger of the technology-deputy programme, as pure
functions over pandas frames (the frames are described by the ``*_COLUMNS``
constants below; :mod:`kejifu.deputies.workbook` reads them from xlsx and
:mod:`kejifu.deputies.store` keeps them in the workspace store).

Definitions (the rules the functions implement):

* **Term**: ``term_start`` .. ``term_end`` inclusive; by default 3 years, i.e.
  ``term_end`` = ``term_start`` + 3 years − 1 day (2003-07-01 → 2006-06-30).
* **Service**: a deputy is in post from ``term_start`` through the *last day
  served*: ``term_end``; or, when ``state`` is ``completed`` with an earlier
  ``state_date``, that date; or, when ``state`` is ``recalled``, the day
  *before* the recall date ``state_date`` (a recall takes effect on its date).
* **Allowance** [元]: the monthly living allowance [元/month]
  (``settings.deputies.allowance_yuan_per_month``, 150 by default) is paid for
  every *whole calendar month* that lies entirely inside both the service and
  the period asked about. A month begun or ended part-way (arrival on the 15th,
  a recall on the 15th, a period ending mid-month) does not count.
  Term 2003-07-01..2006-06-30, period 2005-01-01..2006-12-31: 18 months ×
  150 = 2700 元; recalled on 2005-09-15: January–August 2005, 8 × 150 = 1200 元.
* **Written reports**: each deputy owes ``reports_per_year`` (1 or 2) reports a
  year, each to the county organisation department, the town and the sending
  organisation. Due dates: one report → 31 December; two → 30 June and
  31 December (``report_due`` overrides, as ``MM-DD``). Report *k* of a year
  covers the window from the day after the previous due date through its own due
  date; it is *owed* when the deputy served at least one whole calendar month
  of that window. It is *overdue* as of a date after its due date when no
  report for that year and number was submitted on or before the as-of date;
  *incomplete* when submitted but not to all three recipients; *late* when
  submitted after the due date.
* **Yearly dual assessment**: the town and the organisation department each
  score 德、能、勤、绩、廉 (integrity, ability, diligence, performance,
  honesty) 0–100; each assessor's score is the weighted sum of the five
  (weights 0.2 each by default); the combined score is town 40% +
  department 60% (settings). Grades: 优秀 ≥ 90, 称职 ≥ 75, 基本称职 ≥ 60,
  otherwise 不称职. A year with only one assessor's scores is ``pending``.
* **End-of-term assessment**: democratic evaluation (0–100) × 0.3 +
  inspection (0–100) × 0.3 + the mean of the yearly combined scores of the term
  × 0.4 (settings); the same grade bands. A recalled deputy gets no end-of-term
  grade (``recalled``).
* **Five ones** (五个一): per deputy and year, technologies promoted [项],
  courses held [期], trainee attendances [人次], enterprises supported [家],
  output added [万元]; totals by town, county and batch.
* **Specialists** are written to the workspace store as register items of kind
  ``specialists`` (org = the posted town, or ``yinan_kjj``—the county S&T
  bureau—for county-level ones; date = dispatch date), so the plan target
  ``specialists`` (source: register) counts each by its dispatch date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import PlanError, Problem
from ..i18n import t

# ----- frame contracts ------------------------------------------------------------------------

ROSTER_COLUMNS = [
    "person_id",
    "name",
    "sending_org",
    "org",
    "post",
    "batch",
    "kind",
    "term_start",
    "term_end",
    "state",
    "state_date",
    "note",
    "synthetic",
]
REPORT_COLUMNS = [
    "person_id",
    "year",
    "seq",
    "submitted",
    "to_orgdept",
    "to_town",
    "to_sender",
    "title",
    "note",
]
DIMENSIONS = ("de", "neng", "qin", "ji", "lian")  # 德 能 勤 绩 廉
ASSESSORS = ("town", "orgdept")
ASSESSMENT_COLUMNS = ["person_id", "year", "assessor", *DIMENSIONS, "note"]
END_OF_TERM_COLUMNS = ["person_id", "democratic", "inspection", "note"]
FIVE_ONES = ("technologies", "courses", "trainees", "enterprises", "output_added")
OUTPUT_COLUMNS = ["person_id", "year", *FIVE_ONES, "note"]
SPECIALIST_COLUMNS = [
    "specialist_id",
    "name",
    "level",
    "outside",
    "org",
    "speciality",
    "communities",
    "dispatch_date",
    "note",
    "synthetic",
]
KINDS = ("seconded", "outside", "local")  # 选派 / 外聘 / 本地
STATES = ("serving", "completed", "recalled")
LEVELS = ("county", "town")
GRADES = ("excellent", "competent", "basic", "incompetent")
RECIPIENTS = ("to_orgdept", "to_town", "to_sender")
SPECIALIST_KIND = "specialists"
COUNTY_SPECIALIST_ORG = "yinan_kjj"

DATE_COLUMNS = {
    "roster": ("term_start", "term_end", "state_date"),
    "reports": ("submitted",),
    "specialists": ("dispatch_date",),
}


# ----- settings -------------------------------------------------------------------------------


class DeputySettings(BaseModel):
    """``plan.settings['deputies']``: the programme's rules, all optional.

    ``allowance_yuan_per_month`` [元/month]; ``term_years`` [years];
    ``reports_per_year`` [reports]; ``report_due`` [``MM-DD`` each];
    weights are shares [0..1] that must add up to 1 within each group;
    ``grade_bands`` are lower score bounds [points] for 优秀, 称职, 基本称职.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowance_yuan_per_month: float = Field(150.0, ge=0)
    term_years: int = Field(3, ge=1, le=10)
    reports_per_year: int = Field(2, ge=1, le=2)
    report_due: tuple[str, ...] | None = None
    dimension_weights: dict[str, float] = Field(default_factory=lambda: {d: 0.2 for d in DIMENSIONS})
    assessor_weights: dict[str, float] = Field(default_factory=lambda: {"town": 0.4, "orgdept": 0.6})
    end_of_term_weights: dict[str, float] = Field(
        default_factory=lambda: {"democratic": 0.3, "inspection": 0.3, "annual": 0.4}
    )
    grade_bands: dict[str, float] = Field(
        default_factory=lambda: {"excellent": 90, "competent": 75, "basic": 60}
    )

    @model_validator(mode="after")
    def _check(self) -> DeputySettings:
        for name, keys in (
            ("dimension_weights", DIMENSIONS),
            ("assessor_weights", ASSESSORS),
            ("end_of_term_weights", ("democratic", "inspection", "annual")),
        ):
            w = getattr(self, name)
            if set(w) != set(keys):
                raise ValueError(f"{name} needs exactly the keys {', '.join(keys)}")
            if any(v < 0 for v in w.values()) or abs(sum(w.values()) - 1) > 1e-6:
                raise ValueError(f"{name} must be non-negative and add up to 1")
        if set(self.grade_bands) != {"excellent", "competent", "basic"}:
            raise ValueError("grade_bands needs excellent, competent, basic")
        b = self.grade_bands
        if not (b["excellent"] >= b["competent"] >= b["basic"]):
            raise ValueError("grade_bands must satisfy excellent ≥ competent ≥ basic")
        if self.report_due is not None:
            if len(self.report_due) != self.reports_per_year:
                raise ValueError("report_due needs one MM-DD per report owed a year")
            days = [_mmdd(x) for x in self.report_due]
            if days != sorted(days) or len(set(days)) != len(days):
                raise ValueError("report_due dates must be increasing")
        return self

    def due_dates(self, year: int) -> list[dt.date]:
        """The due dates of a year's reports, in order."""
        if self.report_due is not None:
            return [dt.date(year, *_mmdd(x)) for x in self.report_due]
        if self.reports_per_year == 1:
            return [dt.date(year, 12, 31)]
        return [dt.date(year, 6, 30), dt.date(year, 12, 31)]


def _mmdd(text: str) -> tuple[int, int]:
    try:
        m, d = (int(x) for x in str(text).split("-"))
        dt.date(2004, m, d)  # a leap year accepts 02-29
    except Exception:
        raise ValueError(f"{text!r} is not a MM-DD date") from None
    return m, d


def settings_from(source: Any = None) -> DeputySettings:
    """The deputy settings of a :class:`~kejifu.plan.Plan`, a settings dict or ``None`` (defaults).

    Accepts a plan (reads ``plan.settings['deputies']``), the whole settings dict
    (with a ``deputies`` key) or the ``deputies`` dict itself. Raises
    :class:`~kejifu.errors.PlanError` located at ``settings.deputies.<field>``.
    """
    if source is None:
        data: Mapping = {}
    elif isinstance(source, DeputySettings):
        return source
    elif hasattr(source, "settings"):
        data = (source.settings or {}).get("deputies") or {}
    elif isinstance(source, Mapping) and "deputies" in source:
        data = source.get("deputies") or {}
    else:
        data = source
    try:
        return DeputySettings.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(
                Problem(
                    f"科技副职设置无效：{msg}",
                    f"invalid deputy setting: {msg}",
                    field="settings.deputies" + (f".{path}" if path else ""),
                )
            )
        raise PlanError(problems=problems) from None


# ----- dates and months ----------------------------------------------------------------------


def to_date(value: Any) -> dt.date | None:
    """A date from a date, Timestamp or ``YYYY-MM-DD`` text; ``None`` for blanks."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    return ts.date()


def default_term_end(start: dt.date | str, years: int = 3) -> dt.date:
    """The last day of a term of ``years`` [years] starting ``start``: start + years − 1 day."""
    s = to_date(start)
    return (pd.Timestamp(s) + pd.DateOffset(years=years) - pd.Timedelta(days=1)).date()


def whole_months(start: dt.date | str | None, end: dt.date | str | None) -> int:
    """The number of calendar months lying entirely within ``start`` .. ``end`` (inclusive) [months]."""
    s, e = to_date(start), to_date(end)
    if s is None or e is None or e < s:
        return 0
    first = s if s.day == 1 else (pd.Timestamp(s) + pd.offsets.MonthBegin(1)).date()
    after = e + dt.timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # first day of the first month not whole
    n = (stop.year - first.year) * 12 + stop.month - first.month
    return max(n, 0)


def last_day_served(term_end: Any, state: str | None = None, state_date: Any = None) -> dt.date | None:
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
    term_start: Any,
    term_end: Any,
    period_start: Any,
    period_end: Any,
    *,
    state: str | None = None,
    state_date: Any = None,
) -> int:
    """Whole calendar months in post within ``period_start`` .. ``period_end`` [months]."""
    s = to_date(term_start)
    e = last_day_served(term_end, state, state_date)
    ps, pe = to_date(period_start), to_date(period_end)
    if None in (s, e, ps, pe):
        return 0
    return whole_months(max(s, ps), min(e, pe))


# ----- roster ----------------------------------------------------------------------------------


def empty(columns: list[str]) -> pd.DataFrame:
    """An empty frame with ``columns``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def normalise_roster(roster: pd.DataFrame, settings: DeputySettings | None = None) -> pd.DataFrame:
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


def state_as_of(roster: pd.DataFrame, as_of: Any) -> pd.Series:
    """Each deputy's state on ``as_of``: ``appointed`` (term not begun), ``serving``, ``completed`` or ``recalled``."""
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


def serving(roster: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """The deputies in post on ``as_of``."""
    return roster[state_as_of(roster, as_of) == "serving"]


def allowance(roster: pd.DataFrame, period_start: Any, period_end: Any, settings: Any = None) -> pd.DataFrame:
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


def allowance_total(roster: pd.DataFrame, period_start: Any, period_end: Any, settings: Any = None) -> float:
    """Total living allowance of the roster over the period [元]."""
    return float(allowance(roster, period_start, period_end, settings)["amount"].sum())


def county_of(plan: Any, org: str) -> str:
    """The county (or district) an org belongs to, from the plan's org tree ('' if none)."""
    if plan is None or org not in getattr(plan, "org_index", {}):
        return ""
    o = plan.org(org)
    if o.kind in ("county", "district"):
        return o.id
    for a in plan.ancestors(org):
        if plan.org(a).kind in ("county", "district"):
            return a
    return ""


def outside_share(roster: pd.DataFrame, plan: Any = None, as_of: Any = None) -> pd.DataFrame:
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


def roster_by(roster: pd.DataFrame, as_of: Any, by: str = "org") -> pd.DataFrame:
    """Head-count by ``by`` (``org``, ``batch``, ``kind``) and state on ``as_of``.

    Returns one row per ``by`` value with a column per state and ``total`` [people].
    """
    st = state_as_of(roster, as_of)
    frame = pd.DataFrame({by: roster[by].to_numpy(), "state": st.to_numpy()})
    if frame.empty:
        return pd.DataFrame(columns=[by, "appointed", "serving", "completed", "recalled", "total"])
    table = pd.crosstab(frame[by], frame["state"])
    for s in ("appointed", "serving", "completed", "recalled"):
        if s not in table.columns:
            table[s] = 0
    table = table[["appointed", "serving", "completed", "recalled"]]
    table["total"] = table.sum(axis=1)
    return table.reset_index()


# ----- written reports ------------------------------------------------------------------------


def reports_owed(roster: pd.DataFrame, years: int | list[int], settings: Any = None) -> pd.DataFrame:
    """Every report owed in ``years``: ``person_id, year, seq, window_start, due``.

    A report is owed when the deputy served at least one whole calendar month
    of its window (the day after the previous due date through its due date).
    """
    s = settings_from(settings)
    years = [years] if isinstance(years, (int, np.integer)) else list(years)
    rows = []
    for y in years:
        dues = s.due_dates(int(y))
        starts = [dt.date(int(y), 1, 1)] + [d + dt.timedelta(days=1) for d in dues[:-1]]
        for r in roster.itertuples(index=False):
            for k, (ws, due) in enumerate(zip(starts, dues), start=1):
                if (
                    months_served(r.term_start, r.term_end, ws, due, state=r.state, state_date=r.state_date)
                    > 0
                ):
                    rows.append(
                        {"person_id": r.person_id, "year": int(y), "seq": k, "window_start": ws, "due": due}
                    )
    if not rows:
        return pd.DataFrame(columns=["person_id", "year", "seq", "window_start", "due"])
    return pd.DataFrame(rows)


def _years_between(roster: pd.DataFrame, as_of: dt.date) -> list[int]:
    starts = [to_date(x) for x in roster["term_start"] if to_date(x) is not None]
    if not starts:
        return []
    return list(range(min(starts).year, as_of.year + 1))


def report_compliance(
    roster: pd.DataFrame,
    reports: pd.DataFrame,
    as_of: Any,
    settings: Any = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Each owed report's standing as of ``as_of``.

    Returns ``person_id, name, org, year, seq, due, submitted, missing`` (the
    recipients not sent to, ``;``-joined), ``status``: ``ok``, ``late``
    (submitted after the due date), ``incomplete`` (not sent to every
    recipient), ``overdue`` (due date passed, nothing submitted by ``as_of``) or
    ``not_due``. Reports submitted after ``as_of`` are ignored. ``years``
    defaults to every year from the first term start through ``as_of``.
    """
    d = to_date(as_of)
    years = years if years is not None else _years_between(roster, d)
    owed = reports_owed(roster, years, settings)
    owed = owed[owed["window_start"] <= d] if not owed.empty else owed
    rep = reports.copy() if reports is not None else empty(REPORT_COLUMNS)
    for c in REPORT_COLUMNS:
        if c not in rep.columns:
            rep[c] = None
    rep["submitted"] = rep["submitted"].map(to_date)
    rep = rep[[x is not None and x <= d for x in rep["submitted"]]]
    rows = []
    by_key = {}
    for r in rep.itertuples(index=False):
        key = (str(r.person_id), int(r.year), int(r.seq))
        prev = by_key.get(key)
        if prev is None or r.submitted < prev.submitted:  # the first submission counts
            by_key[key] = r
    names = roster.set_index("person_id")[["name", "org"]].to_dict("index")
    for o in owed.itertuples(index=False):
        r = by_key.get((str(o.person_id), int(o.year), int(o.seq)))
        info = names.get(o.person_id, {"name": "", "org": ""})
        if r is None:
            status = "overdue" if d > o.due else "not_due"
            submitted, missing = None, ""
        else:
            submitted = r.submitted
            miss = [c.removeprefix("to_") for c in RECIPIENTS if not _truthy(getattr(r, c))]
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
    cols = ["person_id", "name", "org", "year", "seq", "due", "submitted", "missing", "status"]
    return pd.DataFrame(rows, columns=cols)


def _truthy(v: Any) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "y", "是", "√", "✓", "x")
    return bool(v)


def overdue(
    roster: pd.DataFrame,
    reports: pd.DataFrame,
    as_of: Any,
    settings: Any = None,
    *,
    current_only: bool = False,
) -> pd.DataFrame:
    """Owed reports that are ``overdue`` or ``incomplete`` as of ``as_of`` (see :func:`report_compliance`).

    With ``current_only``, only deputies still in post on 1 January of the as-of
    year or later (past terms' lapses are history, not a to-do list).
    """
    r = roster
    if current_only:
        jan1 = dt.date(to_date(as_of).year, 1, 1)
        keep = [
            (last_day_served(x.term_end, x.state, x.state_date) or jan1) >= jan1
            for x in roster.itertuples(index=False)
        ]
        r = roster.loc[pd.Series(keep, index=roster.index, dtype=bool)]
    c = report_compliance(r, reports, as_of, settings)
    return c[c["status"].isin(["overdue", "incomplete"])].reset_index(drop=True)


# ----- assessments ---------------------------------------------------------------------------


def grade(score: float, settings: Any = None) -> str:
    """The grade code of a score [points]: ``excellent`` (优秀), ``competent`` (称职),
    ``basic`` (基本称职), ``incompetent`` (不称职); ``pending`` for NaN."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "pending"
    b = settings_from(settings).grade_bands
    if score >= b["excellent"] - 1e-9:
        return "excellent"
    if score >= b["competent"] - 1e-9:
        return "competent"
    if score >= b["basic"] - 1e-9:
        return "basic"
    return "incompetent"


def grade_label(code: str, lang: str = "zh") -> str:
    """The label of a grade code."""
    return t(f"deputies.grade.{code}", lang)


def assessor_scores(assessments: pd.DataFrame, settings: Any = None) -> pd.DataFrame:
    """Each assessor's weighted score: ``person_id, year, assessor, score`` [points]."""
    w = settings_from(settings).dimension_weights
    out = assessments[["person_id", "year", "assessor"]].copy()
    out["score"] = sum(assessments[d].astype(float) * w[d] for d in DIMENSIONS) if len(assessments) else []
    return out


def yearly_grades(assessments: pd.DataFrame, settings: Any = None) -> pd.DataFrame:
    """The yearly dual assessment: ``person_id, year, town, orgdept, score, grade`` [points].

    ``score`` = town weight × town score + department weight × department score;
    NaN (grade ``pending``) until both assessors have scored.
    """
    s = settings_from(settings)
    cols = ["person_id", "year", "town", "orgdept", "score", "grade"]
    if assessments is None or assessments.empty:
        return pd.DataFrame(columns=cols)
    sc = assessor_scores(assessments, s)
    wide = sc.pivot_table(index=["person_id", "year"], columns="assessor", values="score", aggfunc="last")
    for a in ASSESSORS:
        if a not in wide.columns:
            wide[a] = np.nan
    wide = wide[list(ASSESSORS)].reset_index()
    wide.columns.name = None
    aw = s.assessor_weights
    wide["score"] = wide["town"] * aw["town"] + wide["orgdept"] * aw["orgdept"]
    wide["grade"] = [grade(x, s) for x in wide["score"]]
    wide["year"] = wide["year"].astype(int)
    return wide[cols]


def latest_grades(roster: pd.DataFrame, assessments: pd.DataFrame, settings: Any = None) -> pd.DataFrame:
    """Each deputy's latest graded year: ``person_id, name, org, year, score, grade`` (blank if none)."""
    y = yearly_grades(assessments, settings)
    y = y[y["grade"] != "pending"].sort_values(["person_id", "year"]).groupby("person_id").tail(1)
    out = roster[["person_id", "name", "org"]].merge(
        y[["person_id", "year", "score", "grade"]], on="person_id", how="left"
    )
    out["year"] = out["year"].astype("Int64")
    return out


def end_of_term(
    roster: pd.DataFrame, assessments: pd.DataFrame, end_of_term_scores: pd.DataFrame, settings: Any = None
) -> pd.DataFrame:
    """The end-of-term assessment per deputy.

    Returns ``person_id, name, org, democratic, inspection, annual`` (mean of the
    yearly combined scores of the term's years), ``score`` [points] and
    ``grade`` (``recalled`` for recalled deputies, ``pending`` when a part is missing).
    """
    s = settings_from(settings)
    w = s.end_of_term_weights
    y = yearly_grades(assessments, s)
    eot = end_of_term_scores if end_of_term_scores is not None else empty(END_OF_TERM_COLUMNS)
    eot = eot.drop_duplicates("person_id", keep="last").set_index("person_id")
    rows = []
    for r in roster.itertuples(index=False):
        start, end = to_date(r.term_start), to_date(r.term_end)
        yy = y[(y["person_id"] == r.person_id) & y["score"].notna()]
        if start and end:
            yy = yy[(yy["year"] >= start.year) & (yy["year"] <= end.year)]
        annual = float(yy["score"].mean()) if len(yy) else math.nan
        dem = float(eot.loc[r.person_id, "democratic"]) if r.person_id in eot.index else math.nan
        ins = float(eot.loc[r.person_id, "inspection"]) if r.person_id in eot.index else math.nan
        score = dem * w["democratic"] + ins * w["inspection"] + annual * w["annual"]
        g = "recalled" if r.state == "recalled" else grade(score, s)
        rows.append(
            {
                "person_id": r.person_id,
                "name": r.name,
                "org": r.org,
                "democratic": dem,
                "inspection": ins,
                "annual": annual,
                "score": score,
                "grade": g,
            }
        )
    return pd.DataFrame(
        rows, columns=["person_id", "name", "org", "democratic", "inspection", "annual", "score", "grade"]
    )


def grade_distribution(grades: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Count of deputies per grade: ``grade, label, count`` in grade order."""
    order = [*GRADES, "pending"]
    counts = grades["grade"].value_counts() if len(grades) else pd.Series(dtype=int)
    return pd.DataFrame(
        {
            "grade": order,
            "label": [grade_label(g, lang) for g in order],
            "count": [int(counts.get(g, 0)) for g in order],
        }
    )


# ----- five ones ------------------------------------------------------------------------------


def five_ones_totals(
    roster: pd.DataFrame, outputs: pd.DataFrame, *, by: str = "org", year: int | None = None, plan: Any = None
) -> pd.DataFrame:
    """Totals of the "five ones" by ``org`` (town), ``batch``, ``county`` or ``person_id``.

    Columns: ``by``, ``deputies`` [people reporting], ``technologies`` [项],
    ``courses`` [期], ``trainees`` [人次], ``enterprises`` [家], ``output_added`` [万元].
    ``county`` uses the plan's org tree. Outputs of people not on the roster are dropped.
    """
    cols = [by, "deputies", *FIVE_ONES]
    if outputs is None or outputs.empty:
        return pd.DataFrame(columns=cols)
    o = outputs if year is None else outputs[outputs["year"].astype(int) == int(year)]
    m = o.merge(roster[["person_id", "org", "batch"]], on="person_id", how="inner")
    if by == "county":
        m["county"] = [county_of(plan, x) for x in m["org"]]
    for c in FIVE_ONES:
        m[c] = m[c].astype(float)
    g = (
        m.groupby(by, sort=True)
        .agg(deputies=("person_id", "nunique"), **{c: (c, "sum") for c in FIVE_ONES})
        .reset_index()
    )
    return g[cols]


# ----- specialists --------------------------------------------------------------------------


def specialist_register_items(specialists: pd.DataFrame) -> pd.DataFrame:
    """Specialists as register items of kind ``specialists`` for ``store.commit_register_items``.

    Columns ``item_key`` (the specialist id), ``org`` (the posted town, or the
    county S&T bureau for county-level specialists), ``date`` (dispatch date),
    ``title`` (the name) and, kept by the store as attributes, ``level``,
    ``outside``, ``speciality``, ``communities`` [benefit communities], ``note``,
    ``synthetic``.
    """
    cols = [
        "item_key",
        "org",
        "date",
        "title",
        "level",
        "outside",
        "speciality",
        "communities",
        "note",
        "synthetic",
    ]
    rows = []
    for r in specialists.itertuples(index=False):
        org = (
            r.org
            if isinstance(r.org, str) and r.org
            else (COUNTY_SPECIALIST_ORG if r.level == "county" else "")
        )
        rows.append(
            {
                "item_key": str(r.specialist_id),
                "org": org,
                "date": to_date(r.dispatch_date),
                "title": r.name,
                "level": r.level,
                "outside": bool(r.outside),
                "speciality": r.speciality or None,
                "communities": int(r.communities or 0),
                "note": r.note or None,
                "synthetic": bool(r.synthetic),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def specialists_from_items(items: pd.DataFrame) -> pd.DataFrame:
    """The specialist roster back from ``store.register_items('specialists')`` (attributes as columns)."""
    if items is None or items.empty:
        return empty(SPECIALIST_COLUMNS)
    if "kind" in items.columns:
        items = items[items["kind"] == SPECIALIST_KIND]

    def col(name: str, default: Any) -> list:
        if name not in items.columns:
            return [default] * len(items)
        return [default if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in items[name]]

    frame = pd.DataFrame(
        {
            "specialist_id": items["item_key"].astype(str).to_numpy(),
            "name": col("title", ""),
            "level": col("level", "town"),
            "outside": [_truthy(v) for v in col("outside", False)],
            "org": items["org"].to_numpy(),
            "speciality": col("speciality", ""),
            "communities": [int(v) for v in col("communities", 0)],
            "dispatch_date": [to_date(v) for v in items["date"]],
            "note": col("note", ""),
            "synthetic": [_truthy(v) for v in col("synthetic", False)],
        }
    )
    return frame[SPECIALIST_COLUMNS].reset_index(drop=True)


def specialists_summary(specialists: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Specialists per dispatch year and level: ``year, level, dispatched, outside, communities``."""
    cols = ["year", "level", "dispatched", "outside", "communities"]
    if specialists is None or specialists.empty:
        return pd.DataFrame(columns=cols)
    s = specialists.copy()
    s["year"] = [to_date(x).year for x in s["dispatch_date"]]
    if year is not None:
        s = s[s["year"] == int(year)]
    s["outside"] = s["outside"].astype(bool).astype(int)
    g = (
        s.groupby(["year", "level"], sort=True)
        .agg(
            dispatched=("specialist_id", "count"),
            outside=("outside", "sum"),
            communities=("communities", "sum"),
        )
        .reset_index()
    )
    return g[cols]


# ----- everything as of a date -------------------------------------------------------------


@dataclass(frozen=True)
class DeputyData:
    """The deputy ledger: frames shaped by the ``*_COLUMNS`` contracts."""

    roster: pd.DataFrame = field(default_factory=lambda: empty(ROSTER_COLUMNS))
    reports: pd.DataFrame = field(default_factory=lambda: empty(REPORT_COLUMNS))
    assessments: pd.DataFrame = field(default_factory=lambda: empty(ASSESSMENT_COLUMNS))
    end_of_term: pd.DataFrame = field(default_factory=lambda: empty(END_OF_TERM_COLUMNS))
    outputs: pd.DataFrame = field(default_factory=lambda: empty(OUTPUT_COLUMNS))
    specialists: pd.DataFrame = field(default_factory=lambda: empty(SPECIALIST_COLUMNS))

    def counts(self) -> dict[str, int]:
        return {
            k: len(getattr(self, k))
            for k in ("roster", "reports", "assessments", "end_of_term", "outputs", "specialists")
        }


def summary(data: DeputyData, as_of: Any, *, plan: Any = None, settings: Any = None) -> dict[str, Any]:
    """What the CLI and the dashboard show as of a date.

    Keys: ``as_of``, ``by_org`` / ``by_batch`` (head-counts, :func:`roster_by`),
    ``outside_share``, ``allowance_ytd`` [元] (1 January .. ``as_of``),
    ``overdue`` (:func:`overdue` of deputies in post this year), ``grades`` (:func:`latest_grades`),
    ``five_ones`` (totals by town for the as-of year), ``five_ones_county``,
    ``specialists`` (:func:`specialists_summary`).
    """
    s = settings_from(settings if settings is not None else plan)
    d = to_date(as_of)
    roster = data.roster
    return {
        "as_of": d,
        "by_org": roster_by(roster, d, "org"),
        "by_batch": roster_by(roster, d, "batch"),
        "outside_share": outside_share(roster, plan, d),
        "allowance_ytd": allowance_total(roster, dt.date(d.year, 1, 1), d, s),
        "overdue": overdue(roster, data.reports, d, s, current_only=True),
        "grades": latest_grades(roster, data.assessments, s),
        "five_ones": five_ones_totals(roster, data.outputs, by="org", year=d.year),
        "five_ones_county": five_ones_totals(roster, data.outputs, by="county", year=d.year, plan=plan),
        "specialists": specialists_summary(data.specialists),
    }


# ----- views: figures and the dashboard board ------------------------------------------------------
# (chart builders return plotly Figures and never call .show(); the board reuses kejifu.web.board)


def roster_figure(roster: pd.DataFrame, as_of: Any, plan: Any = None, lang: str = "zh"):
    """Stacked bars: deputies per town by state on ``as_of`` [people]."""
    import plotly.graph_objects as go

    table = roster_by(roster, as_of, "org")
    names = [plan.org_name(o, lang) if plan is not None else o for o in table["org"]] if len(table) else []
    fig = go.Figure()
    for state in ("serving", "appointed", "completed", "recalled"):
        if len(table) and table[state].sum():
            fig.add_bar(x=names, y=table[state], name=t(f"deputies.state.{state}", lang))
    fig.update_layout(
        barmode="stack",
        height=360,
        margin=dict(l=40, r=10, t=30, b=60),
        yaxis_title=t("deputies.col.deputies", lang),
        legend_orientation="h",
    )
    return fig


def grade_figure(grades: pd.DataFrame, lang: str = "zh"):
    """Bars: deputies per grade [people]."""
    import plotly.graph_objects as go

    dist = grade_distribution(grades.dropna(subset=["grade"]) if len(grades) else grades, lang)
    fig = go.Figure(
        go.Bar(
            x=dist["label"],
            y=dist["count"],
            marker_color=["#1a7f37", "#2f6fb5", "#d4a017", "#c0392b", "#9e9e9e"],
        )
    )
    fig.update_layout(
        height=300, margin=dict(l=40, r=10, t=30, b=40), yaxis_title=t("deputies.col.deputies", lang)
    )
    return fig


def compliance_figure(compliance: pd.DataFrame, lang: str = "zh"):
    """Bars: owed reports per standing (on time, late, incomplete, overdue, not yet due) [reports]."""
    import plotly.graph_objects as go

    order = ["ok", "late", "incomplete", "overdue", "not_due"]
    counts = compliance["status"].value_counts() if len(compliance) else pd.Series(dtype=int)
    fig = go.Figure(
        go.Bar(
            x=[t(f"deputies.report.{s}", lang) for s in order],
            y=[int(counts.get(s, 0)) for s in order],
            marker_color=["#1a7f37", "#d4a017", "#e67e22", "#c0392b", "#9e9e9e"],
        )
    )
    fig.update_layout(height=300, margin=dict(l=40, r=10, t=30, b=40))
    return fig


def _labelled_table(frame: pd.DataFrame, columns: list[str], plan: Any, lang: str) -> str:
    from ..web.board import table_html

    f = frame.copy()
    for c in columns:
        if c in ("org", "county") and plan is not None:
            f[c] = [plan.org_name(o, lang) if o else "" for o in f[c]]
        elif c == "grade":
            f[c] = [grade_label(g, lang) if isinstance(g, str) else "" for g in f[c]]
        elif c == "status":
            f[c] = [t(f"deputies.report.{s}", lang) for s in f[c]]
        elif c == "level":
            f[c] = [t(f"deputies.level.{s}", lang) for s in f[c]]
        elif c == "share":
            f[c] = [f"{x:.0%}" for x in f[c]]
        elif f[c].dtype.kind == "f":
            f[c] = [
                ("" if math.isnan(x) else (f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"))
                for x in f[c]
            ]
    heads = {
        c: (
            t(f"deputies.col.{c}", lang)
            if c not in ("appointed", "serving", "completed", "recalled")
            else t(f"deputies.state.{c}", lang)
        )
        for c in columns
    }
    if f.empty:
        return f"<p>{t('deputies.none', lang)}</p>"
    return table_html(f, heads)


def _render_board(b) -> list[str]:
    import html

    from ..web.board import figure_html
    from . import store as deputies_store

    def _section(title: str, inner: str) -> str:
        return f"<section><h2>{html.escape(title)}</h2>{inner}</section>"

    lang, plan = b.lang, b.ws.plan
    if "deputies" not in b._cache:
        b._cache["deputies"] = deputies_store.load(b.ws.store)
    data = b._cache["deputies"]
    as_of = b.as_of
    s = summary(data, as_of, plan=plan)
    comp = report_compliance(data.roster, data.reports, as_of, plan, years=[as_of.year])
    states = ["appointed", "serving", "completed", "recalled", "total"]
    banner = (
        f'<div class="kejifu-banner">{html.escape(t("deputies.synthetic", lang))}</div>'
        if len(data.roster) and data.roster["synthetic"].any()
        else ""
    )
    return [
        banner
        + _section(
            t("deputies.heading.roster", lang), figure_html(roster_figure(data.roster, as_of, plan, lang))
        ),
        _section(
            t("deputies.heading.batch", lang),
            _labelled_table(s["by_batch"], ["batch", *states], plan, lang)
            + _labelled_table(s["outside_share"], ["county", "deputies", "outside", "share"], plan, lang),
        ),
        _section(
            t("deputies.heading.compliance", lang),
            figure_html(compliance_figure(comp, lang))
            + _labelled_table(
                s["overdue"], ["person_id", "name", "org", "year", "seq", "due", "status"], plan, lang
            ),
        ),
        _section(t("deputies.heading.distribution", lang), figure_html(grade_figure(s["grades"], lang))),
        _section(
            t("deputies.heading.five_ones", lang),
            _labelled_table(s["five_ones"], ["org", "deputies", *FIVE_ONES], plan, lang),
        ),
        _section(
            t("deputies.heading.specialists", lang),
            _labelled_table(
                s["specialists"], ["year", "level", "dispatched", "outside", "communities"], plan, lang
            ),
        ),
    ]


def board(ws: Any = None):
    """The 科技副职 dashboard (``dashboards/05_科技副职``): a :class:`kejifu.web.board.Board`.

    Opens ``$KEJIFU_WORKSPACE`` read-only unless ``ws`` is given; the as-of
    month selector and the language switch come from the shared board.
    """
    from ..web import board as dashboard

    return dashboard.Board(
        ws or dashboard.open_workspace(), "deputies.title", _render_board, with_group=False
    )
