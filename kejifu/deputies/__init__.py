"""Technology deputies (科技副职) and specialists (科技特派员): the organisation department's ledger.

Pure functions over pandas frames (the ``*_COLUMNS`` contracts), a store and a
workbook reader around them. Modules, in flow order:

* :mod:`~kejifu.deputies.rules` — frame contracts and codes, the settings model
  (``settings.deputies``: the programme's numbers and the county's own settings,
  marked as such), the grade rule, the county's organisations;
* :mod:`~kejifu.deputies.roster` — terms, service, state on a date, treatment,
  the living allowance, head-counts, the end-of-term due list;
* :mod:`~kejifu.deputies.written_reports` — written reports 1–2 a year to three
  recipients, their schedule and due list, the organisation department's hearings;
* :mod:`~kejifu.deputies.assessment` — the yearly dual assessment and the end-of-term one;
* :mod:`~kejifu.deputies.outputs` — the "five ones", commendations, the specialists;
* :mod:`~kejifu.deputies.ledger` — the :class:`DeputyData` bundle and the summary as of a date;
* :mod:`~kejifu.deputies.sheets` — the workbook's layout and cell parsing;
* :mod:`~kejifu.deputies.workbook` — reading a workbook, all or nothing;
* :mod:`~kejifu.deputies.export` — writing the workbook and the end-of-term sheet (Word);
* :mod:`~kejifu.deputies.documents` — the yearly 双重考核 summary and the 届满考核 sheet in
  the 公文 format of :mod:`kejifu.documents` (docx and xlsx);
* :mod:`~kejifu.deputies.store` — the deputy tables in the workspace store;
* :mod:`~kejifu.deputies.demo` — the synthetic demo ledger.

The dashboard views live in :mod:`kejifu.web.boards.deputies`; this package imports
nothing from :mod:`kejifu.web` or :mod:`kejifu.cli`.
"""

from .assessment import assessor_scores, end_of_term, grade_distribution, latest_grades, yearly_grades
from .ledger import DeputyData, Summary, lapses, summary
from .outputs import (
    commendations,
    five_ones_totals,
    specialist_register_items,
    specialists_from_items,
    specialists_summary,
)
from .roster import (
    allowance,
    allowance_total,
    default_term_end,
    empty,
    last_day_served,
    months_served,
    normalise_roster,
    outside_share,
    roster_by,
    serving,
    state_as_of,
    terms_ending,
    to_date,
    treatment,
    whole_months,
)
from .rules import (
    ASSESSMENT_COLUMNS,
    ASSESSORS,
    COUNTY_SETTINGS,
    DIMENSIONS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    FIVE_ONES,
    GRADES,
    KINDS,
    LEVELS,
    OUTPUT_COLUMNS,
    RECIPIENTS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    SPECIALIST_KIND,
    STATES,
    WRITTEN_REPORT_COLUMNS,
    DeputySettings,
    check_settings,
    county_bureau,
    county_of,
    five_ones_label,
    grade,
    grade_label,
    post_title,
    settings_from,
    settings_table,
    truthy,
)
from .written_reports import (
    hearings_due,
    overdue,
    report_compliance,
    reports_due,
    reports_owed,
    yearly_reports,
)

__all__ = [
    "ASSESSMENT_COLUMNS",
    "ASSESSORS",
    "COUNTY_SETTINGS",
    "DIMENSIONS",
    "END_OF_TERM_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "FIVE_ONES",
    "GRADES",
    "KINDS",
    "LEVELS",
    "OUTPUT_COLUMNS",
    "RECIPIENTS",
    "WRITTEN_REPORT_COLUMNS",
    "ROSTER_COLUMNS",
    "SPECIALIST_COLUMNS",
    "SPECIALIST_KIND",
    "STATES",
    "DeputyData",
    "DeputySettings",
    "Summary",
    "allowance",
    "allowance_total",
    "assessor_scores",
    "check_settings",
    "commendations",
    "county_bureau",
    "county_of",
    "default_term_end",
    "empty",
    "end_of_term",
    "five_ones_label",
    "five_ones_totals",
    "grade",
    "grade_distribution",
    "grade_label",
    "hearings_due",
    "lapses",
    "last_day_served",
    "latest_grades",
    "months_served",
    "normalise_roster",
    "outside_share",
    "overdue",
    "post_title",
    "report_compliance",
    "reports_due",
    "reports_owed",
    "roster_by",
    "serving",
    "settings_from",
    "settings_table",
    "specialist_register_items",
    "specialists_from_items",
    "specialists_summary",
    "state_as_of",
    "summary",
    "terms_ending",
    "to_date",
    "treatment",
    "truthy",
    "whole_months",
    "yearly_grades",
    "yearly_reports",
]
