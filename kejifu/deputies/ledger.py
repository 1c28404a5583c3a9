"""The deputy ledger as one bundle (:class:`DeputyData`) and what it says as of a date (:func:`summary`).

The frames are shaped by the ``*_COLUMNS`` contracts of :mod:`kejifu.deputies.rules`;
:mod:`kejifu.deputies.workbook` reads them from xlsx and :mod:`kejifu.deputies.store`
keeps them in the workspace store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

import pandas as pd

from ..plan import Plan
from .assessment import end_of_term, latest_grades
from .outputs import five_ones_totals, specialists_summary
from .roster import allowance_total, empty, outside_share, roster_by, terms_ending, to_date
from .rules import (
    ASSESSMENT_COLUMNS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    OUTPUT_COLUMNS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    WRITTEN_REPORT_COLUMNS,
    DateLike,
    SettingsSource,
    settings_from,
)
from .written_reports import hearings_due, in_post_this_year, report_compliance, reports_due, yearly_reports

PARTS = ("roster", "reports", "assessments", "end_of_term", "outputs", "specialists", "events")


@dataclass(frozen=True)
class DeputyData:
    """The deputy ledger: frames shaped by the ``*_COLUMNS`` contracts."""

    roster: pd.DataFrame = field(default_factory=lambda: empty(ROSTER_COLUMNS))
    reports: pd.DataFrame = field(default_factory=lambda: empty(WRITTEN_REPORT_COLUMNS))
    assessments: pd.DataFrame = field(default_factory=lambda: empty(ASSESSMENT_COLUMNS))
    end_of_term: pd.DataFrame = field(default_factory=lambda: empty(END_OF_TERM_COLUMNS))
    outputs: pd.DataFrame = field(default_factory=lambda: empty(OUTPUT_COLUMNS))
    specialists: pd.DataFrame = field(default_factory=lambda: empty(SPECIALIST_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: empty(EVENT_COLUMNS))

    def counts(self) -> dict[str, int]:
        """Rows per part [rows]."""
        return {k: len(getattr(self, k)) for k in PARTS}


class Summary(TypedDict):
    """What :func:`summary` returns (frames unless stated)."""

    as_of: dt.date
    by_org: pd.DataFrame
    by_batch: pd.DataFrame
    outside_share: pd.DataFrame
    allowance_ytd: float
    overdue: pd.DataFrame
    reports_due: pd.DataFrame
    hearings_due: pd.DataFrame
    terms_ending: pd.DataFrame
    end_of_term: pd.DataFrame
    grades: pd.DataFrame
    five_ones: pd.DataFrame
    five_ones_county: pd.DataFrame
    specialists: pd.DataFrame


def lapses(
    roster: pd.DataFrame, reports: pd.DataFrame | None, as_of: DateLike, settings: SettingsSource = None
) -> pd.DataFrame:
    """The scheduled reports to follow up, for deputies in post this year, under the 1–2 a year rule.

    Filings sent to fewer than the three recipients (``incomplete``), and the
    missing filings (``overdue``) of years in which the deputy filed fewer than
    the minimum by the year's last due date. A year with the minimum filed (one)
    lists nothing missing: the second report is recommended, not required.
    """
    d = to_date(as_of)
    current = in_post_this_year(roster, d)
    c = report_compliance(current, reports, d, settings)
    y = yearly_reports(current, reports, d, settings)
    short = {(p, int(yr)) for p, yr, s in zip(y["person_id"], y["year"], y["status"]) if s == "overdue"}
    keep = [
        s == "incomplete" or (s == "overdue" and (p, int(yr)) in short)
        for p, yr, s in zip(c["person_id"], c["year"], c["status"])
    ]
    return c[pd.Series(keep, index=c.index, dtype=bool)].reset_index(drop=True)


def summary(
    data: DeputyData, as_of: DateLike, *, plan: Plan | None = None, settings: SettingsSource = None
) -> Summary:
    """What the CLI and the dashboard show as of a date.

    Keys: ``as_of``, ``by_org`` / ``by_batch`` (head-counts, :func:`~.roster.roster_by`),
    ``outside_share``, ``allowance_ytd`` [元] (1 January .. ``as_of``),
    ``overdue`` (:func:`lapses`), ``reports_due`` (the yearly rule's due list),
    ``hearings_due``, ``terms_ending`` (terms ending within three months),
    ``end_of_term`` (the results of deputies whose term has ended or ends within
    three months), ``grades`` (latest yearly grades), ``five_ones`` (totals by
    town for the as-of year), ``five_ones_county``, ``specialists``.
    """
    s = settings_from(settings if settings is not None else plan)
    d = to_date(as_of)
    roster = data.roster
    ending = terms_ending(roster, d)
    eot = end_of_term(roster, data.assessments, data.end_of_term, s)
    ended = {
        p
        for p, e, st in zip(roster["person_id"], roster["term_end"], roster["state"])
        if (to_date(e) is not None and to_date(e) < d) or st != "serving"
    } | set(ending["person_id"])
    return {
        "as_of": d,
        "by_org": roster_by(roster, d, "org"),
        "by_batch": roster_by(roster, d, "batch"),
        "outside_share": outside_share(roster, plan, d),
        "allowance_ytd": allowance_total(roster, dt.date(d.year, 1, 1), d, s),
        "overdue": lapses(roster, data.reports, d, s),
        "reports_due": reports_due(roster, data.reports, d, s),
        "hearings_due": hearings_due(roster, data.events, d, s),
        "terms_ending": ending,
        "end_of_term": eot[eot["person_id"].isin(ended)].reset_index(drop=True),
        "grades": latest_grades(roster, data.assessments, s),
        "five_ones": five_ones_totals(roster, data.outputs, by="org", year=d.year),
        "five_ones_county": five_ones_totals(roster, data.outputs, by="county", year=d.year, plan=plan),
        "specialists": specialists_summary(data.specialists),
    }
