"""Completeness and currency: who was expected to report, who has, and how current the data are.

* *expected reporters*: every org allocated a target that orgs report (not a register), and
  every org that has reported a reportable measure in the plan year (through the month asked);
* :func:`missing_reporters`: the expected reporters with no figure for a month (「未按时报送」);
* :func:`current_month`: the latest month that at least half of the expected reporters have
  reported, so that one clerk's slip (2005-12 while everyone is at 2005-06) moves nothing;
* :func:`completeness_text`: 「15个乡镇中13个已报送；马牧池乡、苏村镇未按时报送」;
* :func:`reporting_record`: per org and month 按时 / 迟报 / 未报 from the time each figure was
  received, against the deadline (``settings.reporting.deadline_day``, default the 5th of the
  next month: 次月5日前报送).

Pure functions over the reports frame (``org, measure, month, value`` and, for the record,
``imported_at``).
"""

from __future__ import annotations

import datetime as dt
import weakref

import numpy as np
import pandas as pd

from . import months as months_mod
from .i18n import t
from .plan import Plan
from .rollup import split_months

#: The default reporting deadline: the day of the next month by which a month's figures are due.
DEADLINE_DAY = 5
RECORDS = ("on_time", "late", "missing")
RECORD_COLUMNS = ["org", "month", "received", "deadline", "record", "record_label"]


def deadline_day(plan: Plan) -> int:
    """``settings.reporting.deadline_day`` (else the rubric's ``reports.deadline_day``, else 5) [day]."""
    reporting = (plan.settings or {}).get("reporting") or {}
    if reporting.get("deadline_day") is not None:
        return int(reporting["deadline_day"])
    rubric = ((plan.assessment or {}).get("reports") or {}) if isinstance(plan.assessment, dict) else {}
    return int(rubric.get("deadline_day", DEADLINE_DAY))


def deadline(month: str, day: int) -> dt.datetime:
    """The end of day ``day`` of the month after ``month`` (``YYYY-MM``): when its figures are due."""
    y, m = months_mod.split(months_mod.add(month, 1))
    return dt.datetime(y, m, 1) + dt.timedelta(days=day)  # the first instant after that day


#: :func:`_filed` of the frames asked about lately: id(frame) -> (a weak reference to the frame,
#: what else the answer depends on, the answer). An entry leaves when its frame is collected.
_FILED: dict[int, tuple[weakref.ref, tuple, pd.DataFrame]] = {}
_FILED_KEEP = 8


def _filed(plan: Plan, reports: pd.DataFrame, year: int) -> pd.DataFrame:
    """``org, mnum``: each org and month (1..12) of ``year`` with a figure filed for a reportable
    measure (no register counts), once.

    Computed once per frame: a status, a header and a dashboard ask several questions of the same
    reports frame (1.7 M rows at a province), and each would split every month again. The answer
    is kept while the frame lives, keyed by the frame itself (not a copy or a slice of it), the
    year, the reportable measures and the frame's length and columns: a reports frame is a value
    that no function changes in place (a new batch makes a new frame, :meth:`Workspace.refresh`).
    """
    if reports.empty:
        return pd.DataFrame({"org": pd.Series(dtype=object), "mnum": pd.Series(dtype=int)})
    measures = tuple(plan.reportable())
    depends = (year, measures, len(reports), tuple(reports.columns))
    hit = _FILED.get(id(reports))
    if hit is not None and hit[0]() is reports and hit[1] == depends:
        return hit[2]
    years, mons = split_months(reports["month"])
    keep = (years == year) & reports["measure"].isin(list(measures)).to_numpy()
    filed = pd.DataFrame({"org": reports["org"].to_numpy()[keep], "mnum": mons[keep]})
    filed = filed.drop_duplicates(ignore_index=True)
    _remember(reports, depends, filed)
    return filed


def _remember(reports: pd.DataFrame, depends: tuple, filed: pd.DataFrame) -> None:
    key = id(reports)
    known = _FILED.pop(key, None)
    if known is not None and known[0]() is reports:
        ref = known[0]
    else:
        ref = weakref.ref(reports)
        weakref.finalize(reports, _forget, key, ref)
    while len(_FILED) >= _FILED_KEEP:
        _FILED.pop(next(iter(_FILED)))
    _FILED[key] = (ref, depends, filed)


def _forget(key: int, ref: weakref.ref) -> None:
    if key in _FILED and _FILED[key][0] is ref:
        del _FILED[key]


def _month_number(plan: Plan, month: str | int) -> int:
    return int(month) if isinstance(month, (int, np.integer)) else months_mod.split(str(month))[1]


def expected_reporters(plan: Plan, reports: pd.DataFrame, month: str | int = 12) -> list[str]:
    """Org ids expected to report by ``month`` of the plan year, in plan order (unknown orgs last)."""
    m = _month_number(plan, month)
    allocated = {
        org
        for tg in plan.targets
        if tg.source == "reports" and tg.kind != "milestone"
        for org in tg.allocations
        if org in plan.org_index
    }
    filed = _filed(plan, reports, plan.year)
    orgs = allocated | set(filed.loc[filed["mnum"] <= m, "org"])
    order = {o.id: i for i, o in enumerate(plan.orgs)}
    return sorted(orgs, key=lambda o: (order.get(o, len(order)), str(o)))


def missing_reporters(plan: Plan, reports: pd.DataFrame, month: str | int) -> list[str]:
    """The expected reporters with no figure filed for ``month`` (``YYYY-MM`` or 1..12), in plan order."""
    m = _month_number(plan, month)
    filed = _filed(plan, reports, plan.year)
    done = set(filed.loc[filed["mnum"] == m, "org"])
    return [o for o in expected_reporters(plan, reports, m) if o not in done]


def current_month(plan: Plan, reports: pd.DataFrame, through: int = 12) -> str | None:
    """``YYYY-MM``: the latest month (≤ ``through``) that at least half of the year's expected
    reporters have filed; None when nothing is filed in the plan year."""
    filed = _filed(plan, reports, plan.year)
    filed = filed[filed["mnum"] <= through]
    if filed.empty:
        return None
    expected = len(expected_reporters(plan, reports, through))
    per_month = filed.groupby("mnum")["org"].size()  # each org once a month
    enough = per_month[per_month * 2 >= max(expected, 1)]
    m = int(enough.index.max()) if len(enough) else int(per_month.index.max())
    return months_mod.key(plan.year, m)


def _kind_word(kind: str) -> str:
    if kind in ("town", "subdistrict"):
        return "town"
    return kind if kind in ("enterprise", "department") else "other"


def completeness_text(plan: Plan, reports: pd.DataFrame, month: str | int, lang: str = "zh") -> str:
    """「15个乡镇中13个已报送；马牧池乡、苏村镇未按时报送」 for ``month``: the towns' count (else every
    expected reporter's) and the names of every expected reporter that has not reported."""
    m = _month_number(plan, month)
    expected = expected_reporters(plan, reports, m)
    missing = missing_reporters(plan, reports, m)
    if not expected:
        return ""
    towns = [o for o in expected if o in plan.org_index and _kind_word(plan.org(o).kind) == "town"]
    counted = towns or expected
    word = "town" if towns else "other"
    n = len([o for o in counted if o not in missing])
    parts = [t("reporting.reported", lang, total=len(counted), kind=t(f"reporting.kind.{word}", lang), n=n)]
    if missing:
        names = t("reporting.name_sep", lang).join(plan.org_name(o, lang) for o in missing)
        parts.append(t("reporting.missing_names", lang, names=names))
    else:
        parts.append(t("reporting.all_reported", lang))
    return t("reporting.header_sep", lang).join(parts)


def reporting_record(
    plan: Plan,
    batches_or_reports: pd.DataFrame,
    year: int | None = None,
    *,
    through: int | None = None,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """Per expected reporter and month of ``year`` (default the plan year): 按时 ``on_time``,
    迟报 ``late`` or 未报 ``missing``.

    ``batches_or_reports`` has ``org, month, imported_at`` (one row per figure received, every
    revision or only the latest); a month's figures count as received when the first of them
    arrived. Months run 1..``through`` (default: the latest month anyone filed). A month whose
    deadline has not passed by ``now`` and nothing received yet is left out. Columns
    :data:`RECORD_COLUMNS`; ``received`` and ``deadline`` are datetimes.
    """
    year = plan.year if year is None else year
    f = batches_or_reports
    if "measure" in f:
        f = f[f["measure"].isin(list(plan.reportable()))]
    if f.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
    years, mons = split_months(f["month"])
    keep = years == year
    got = pd.DataFrame(
        {
            "org": f["org"].to_numpy()[keep],
            "mnum": mons[keep],
            "received": pd.to_datetime(f["imported_at"]).to_numpy()[keep],
        }
    )
    first = got.groupby(["org", "mnum"])["received"].min()
    last = through if through is not None else (int(got["mnum"].max()) if len(got) else 0)
    day = deadline_day(plan)
    in_year = plan.model_copy(update={"plan": plan.plan.model_copy(update={"year": year})})
    orgs = expected_reporters(in_year, f, last)
    rows = []
    for m in range(1, last + 1):
        key = months_mod.key(year, m)
        due = deadline(key, day)
        for org in orgs:
            received = first.get((org, m))
            if received is None or pd.isna(received):
                if now is not None and now < due:
                    continue
                record, received = "missing", pd.NaT
            else:
                record = "on_time" if pd.Timestamp(received) < pd.Timestamp(due) else "late"
            rows.append((org, key, received, due, record, t(f"reporting.{record}", lang)))
    out = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    out["received"] = pd.to_datetime(out["received"])
    out["deadline"] = pd.to_datetime(out["deadline"])
    return out
