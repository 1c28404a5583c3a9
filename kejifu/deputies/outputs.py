"""What deputies and specialists deliver: the "five ones" (五个一) and the technology specialists.

* **Five ones**: the speech names the campaign but not its five items; the
  county's definition (a setting, ``settings.deputies.five_ones`` renames them)
  counts per deputy and year: technologies promoted [项], courses held [期],
  trainee attendances [人次], enterprises supported [家], output added [万元];
  totals by town, county and batch.
* **Commendation** (「五个一」活动先进单位和个人, per year): the advanced individuals
  are the deputies graded 优秀 in the year's dual assessment who reported five-ones
  outputs that year; the advanced units are the towns whose deputies added the
  most output [万元] (the top ``towns`` of them).
* **Specialists** are written to the workspace store as register items of kind
  ``specialists`` (org = the posted town, or the county S&T bureau found in the
  plan for county-level ones; date = dispatch date), so the plan target
  ``specialists`` (source: register) counts each by its dispatch date.
"""

from __future__ import annotations

import math

import pandas as pd

from ..plan import Plan
from .assessment import yearly_grades
from .roster import empty, to_date
from .rules import FIVE_ONES, SPECIALIST_COLUMNS, SPECIALIST_KIND, SettingsSource, county_of, truthy

REGISTER_COLUMNS = [
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


def five_ones_totals(
    roster: pd.DataFrame,
    outputs: pd.DataFrame | None,
    *,
    by: str = "org",
    year: int | None = None,
    plan: Plan | None = None,
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


def commendations(
    roster: pd.DataFrame,
    outputs: pd.DataFrame | None,
    assessments: pd.DataFrame | None,
    year: int,
    *,
    towns: int = 3,
    settings: SettingsSource = None,
) -> dict[str, pd.DataFrame]:
    """The year's 「五个一」活动先进单位和个人 candidates (see the module docstring).

    Returns ``{"individuals": person_id, name, org, score, output_added,
    "units": org, deputies, output_added}``; individuals by score, units by output [万元].
    """
    y = yearly_grades(assessments, settings)
    y = y[(y["year"] == int(year)) & (y["grade"] == "excellent")]
    by_person = five_ones_totals(roster, outputs, by="person_id", year=year)
    ind = (
        roster[["person_id", "name", "org"]]
        .merge(y[["person_id", "score"]], on="person_id")
        .merge(by_person[["person_id", "output_added"]], on="person_id")
    )
    ind = ind.sort_values(["score", "person_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    units = five_ones_totals(roster, outputs, by="org", year=year)
    units = units.sort_values(["output_added", "org"], ascending=[False, True], kind="stable").head(towns)
    return {
        "individuals": ind[["person_id", "name", "org", "score", "output_added"]],
        "units": units[["org", "deputies", "output_added"]].reset_index(drop=True),
    }


def specialist_register_items(specialists: pd.DataFrame, county_org: str = "") -> pd.DataFrame:
    """Specialists as register items of kind ``specialists`` for ``store.commit_register_items``.

    Columns ``item_key`` (the specialist id), ``org`` (the posted town, or
    ``county_org`` — the county S&T bureau, :func:`kejifu.deputies.rules.county_bureau`
    — for county-level specialists without one), ``date`` (dispatch date),
    ``title`` (the name) and, kept by the store as attributes, ``level``,
    ``outside``, ``speciality``, ``communities`` [benefit communities], ``note``,
    ``synthetic``.
    """
    rows = []
    for r in specialists.itertuples(index=False):
        org = r.org if isinstance(r.org, str) and r.org else (county_org if r.level == "county" else "")
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
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def specialists_from_items(items: pd.DataFrame | None) -> pd.DataFrame:
    """The specialist roster back from ``store.register_items('specialists')`` (attributes as columns)."""
    if items is None or items.empty:
        return empty(SPECIALIST_COLUMNS)
    if "kind" in items.columns:
        items = items[items["kind"] == SPECIALIST_KIND]

    def col(name: str, default: object) -> list[object]:
        if name not in items.columns:
            return [default] * len(items)
        return [default if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in items[name]]

    frame = pd.DataFrame(
        {
            "specialist_id": items["item_key"].astype(str).to_numpy(),
            "name": col("title", ""),
            "level": col("level", "town"),
            "outside": [truthy(v) for v in col("outside", False)],
            "org": items["org"].to_numpy(),
            "speciality": col("speciality", ""),
            "communities": [int(v) for v in col("communities", 0)],
            "dispatch_date": [to_date(v) for v in items["date"]],
            "note": col("note", ""),
            "synthetic": [truthy(v) for v in col("synthetic", False)],
        }
    )
    return frame[SPECIALIST_COLUMNS].reset_index(drop=True)


def specialists_summary(specialists: pd.DataFrame | None, year: int | None = None) -> pd.DataFrame:
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
