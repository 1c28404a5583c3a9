"""Assessments: the yearly dual assessment (双重考核) and the end-of-term assessment (届满考核).

* **Yearly dual assessment** (the programme's rule: the town and the county
  organisation department each assess 德、能、勤、绩、廉 every year): each
  assessor scores the five 0–100; each assessor's score is the weighted sum of
  the five, and the combined score is town × weight + department × weight.
  The weights (0.2 each; 40 % / 60 %) and the grade bands (优秀 ≥ 90, 称职 ≥ 75,
  基本称职 ≥ 60, otherwise 不称职) are the county's settings, not the programme's
  (「考核权重按本县办法设置」). A year with only one assessor's scores is ``pending``.
* **End-of-term assessment** (the programme's rule: 民主测评、考察、谈话, combined
  with the yearly results): democratic evaluation (0–100) × 0.3 + inspection
  (0–100) × 0.3 + the mean of the term's yearly combined scores × 0.4 (county
  settings); the same grade bands. A recalled deputy gets no end-of-term grade
  (``recalled``). :func:`kejifu.deputies.roster.terms_ending` is the due list.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..i18n import t
from .roster import empty, to_date
from .rules import ASSESSORS, DIMENSIONS, END_OF_TERM_COLUMNS, GRADES, SettingsSource, grade, settings_from

YEARLY_COLUMNS = ["person_id", "year", "town", "orgdept", "score", "grade"]
END_OF_TERM_RESULT_COLUMNS = [
    "person_id",
    "name",
    "org",
    "democratic",
    "inspection",
    "annual",
    "score",
    "grade",
]


def assessor_scores(assessments: pd.DataFrame, settings: SettingsSource = None) -> pd.DataFrame:
    """Each assessor's weighted score: ``person_id, year, assessor, score`` [points]."""
    w = settings_from(settings).dimension_weights
    out = assessments[["person_id", "year", "assessor"]].copy()
    out["score"] = sum(assessments[d].astype(float) * w[d] for d in DIMENSIONS) if len(assessments) else []
    return out


def yearly_grades(assessments: pd.DataFrame | None, settings: SettingsSource = None) -> pd.DataFrame:
    """The yearly dual assessment: ``person_id, year, town, orgdept, score, grade`` [points].

    ``score`` = town weight × town score + department weight × department score;
    NaN (grade ``pending``) until both assessors have scored.
    """
    s = settings_from(settings)
    if assessments is None or assessments.empty:
        return pd.DataFrame(columns=YEARLY_COLUMNS)
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
    return wide[YEARLY_COLUMNS]


def latest_grades(
    roster: pd.DataFrame, assessments: pd.DataFrame | None, settings: SettingsSource = None
) -> pd.DataFrame:
    """Each deputy's latest graded year: ``person_id, name, org, year, score, grade`` (blank if none)."""
    y = yearly_grades(assessments, settings)
    y = y[y["grade"] != "pending"].sort_values(["person_id", "year"]).groupby("person_id").tail(1)
    out = roster[["person_id", "name", "org"]].merge(
        y[["person_id", "year", "score", "grade"]], on="person_id", how="left"
    )
    out["year"] = out["year"].astype("Int64")
    return out


def end_of_term(
    roster: pd.DataFrame,
    assessments: pd.DataFrame | None,
    end_of_term_scores: pd.DataFrame | None,
    settings: SettingsSource = None,
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
    return pd.DataFrame(rows, columns=END_OF_TERM_RESULT_COLUMNS)


def grade_distribution(grades: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Count of deputies per grade: ``grade, label, count`` in grade order."""
    order = [*GRADES, "pending"]
    counts = grades["grade"].value_counts() if len(grades) else pd.Series(dtype=int)
    return pd.DataFrame(
        {
            "grade": order,
            "label": [t(f"deputies.grade.{g}", lang) for g in order],
            "count": [int(counts.get(g, 0)) for g in order],
        }
    )
