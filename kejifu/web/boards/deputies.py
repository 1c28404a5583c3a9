"""05 科技副职: the technology deputies' ledger as a dashboard, and its figures.

Sections: the roster by town and by batch; the due lists (written reports under the
1–2 a year rule, the organisation department's hearings, terms ending within three
months); report compliance; grades; the end-of-term results; the five ones; the
specialists; and the rules in force, each marked as the programme's or the county's
setting. Chart builders return plotly Figures and never call ``.show()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, cast

import pandas as pd
import plotly.graph_objects as go

from ... import display
from ...charts import deputies as deputy_charts
from ...deputies import (
    FIVE_ONES,
    DeputyData,
    five_ones_label,
    grade_distribution,
    grade_label,
    report_compliance,
    roster_by,
    settings_from,
    settings_table,
    summary,
)
from ...deputies import store as deputies_store
from ...deputies.rules import DateLike, SettingsSource
from ...deputies.store import WorkspaceStore
from ...deputies.written_reports import in_post_this_year
from ...i18n import t
from ...plan import Plan
from ..board import Board, BoardWorkspace, open_workspace
from ..html import esc, figure_html, note, section, table_html

STATES = ("appointed", "serving", "completed", "recalled")
#: Columns holding a code, and the catalogue prefix of its labels.
CODED = {
    "grade": "deputies.grade",
    "level": "deputies.level",
    "kind": "deputies.event",
}


class DeputiesWorkspace(BoardWorkspace, Protocol):
    """A board's workspace with its store (the deputy tables live there)."""

    @property
    def store(self) -> WorkspaceStore: ...


# ----- figures ---------------------------------------------------------------------------------
# The figures are drawn by :mod:`kejifu.charts.deputies` (shared template and palette, titled with
# their period); these wrappers compute the frames they draw from the ledger.


def roster_figure(
    roster: pd.DataFrame, as_of: DateLike, plan: Plan | None = None, lang: str = "zh"
) -> go.Figure:
    """Stacked bars: deputies per town by state on ``as_of`` [people]."""
    day = pd.Timestamp(as_of).date()
    return deputy_charts.roster_chart(roster_by(roster, day, "org"), day, plan, lang)


def grade_figure(grades: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Bars: deputies per latest yearly grade [people], titled with the years assessed."""
    graded = grades.dropna(subset=["grade"]) if len(grades) else grades
    years = pd.to_numeric(graded["year"], errors="coerce").dropna() if len(graded) else pd.Series(dtype=float)
    span = (int(years.min()), int(years.max())) if len(years) else None
    return deputy_charts.grade_chart(grade_distribution(graded, lang), span, lang)


def compliance_figure(compliance: pd.DataFrame, lang: str = "zh", as_of: DateLike | None = None) -> go.Figure:
    """Bars: scheduled reports per standing (on time, late, incomplete, overdue, not yet due)
    [reports], over the years of ``compliance`` through ``as_of`` (default: today)."""
    day = pd.Timestamp(as_of).date() if as_of is not None else dt.date.today()
    return deputy_charts.compliance_chart(compliance, day, lang)


# ----- tables ----------------------------------------------------------------------------------


def _cell(col: str, value: object, plan: Plan | None, lang: str, status_key: str) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return display.MISSING if col not in ("missing", "recipients", "last_heard") else ""
    if col in ("org", "county") and plan is not None:
        return plan.org_name(str(value), lang) if value else ""
    if col == "grade":
        return grade_label(str(value), lang)
    if col == "status":
        return t(f"{status_key}.{value}", lang)
    if col in CODED:
        return t(f"{CODED[col]}.{value}", lang)
    if col in ("missing", "recipients"):
        return t("reporting.name_sep", lang).join(
            t(f"deputies.col.to_{x}", lang) for x in str(value).split(";") if x
        )
    if col == "share":
        return display.pct(value, lang, decimals=0)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float):
        return display.number(value, "", lang, decimals=None if value.is_integer() else 1)
    return str(value)


def labelled_table(
    frame: pd.DataFrame,
    columns: list[str],
    plan: Plan | None,
    lang: str,
    *,
    status_key: str = "deputies.report",
    settings: SettingsSource = None,
) -> str:
    """``frame[columns]`` as an escaped HTML table with catalogue headers and labelled codes."""
    if frame.empty:
        return f"<p>{esc(t('deputies.none', lang))}</p>"
    f = pd.DataFrame(
        {c: [_cell(c, v, plan, lang, status_key) for v in frame[c]] for c in columns}, index=frame.index
    )
    heads = {}
    for c in columns:
        if c in STATES:
            heads[c] = t(f"deputies.state.{c}", lang)
        elif c in FIVE_ONES:
            heads[c] = five_ones_label(c, lang, settings)
        else:
            heads[c] = t(f"deputies.col.{c}", lang)
    return table_html(f, heads)


# ----- the board -------------------------------------------------------------------------------


def tracking(events: pd.DataFrame, as_of: dt.date, n: int = 20) -> pd.DataFrame:
    """The latest ``n`` tracking records on or before ``as_of`` other than hearings and term goals
    (inspections, spot checks, criticism, admonition, recalls), newest first."""
    if events is None or events.empty:
        return events
    keep = events[~events["kind"].isin(["hearing", "goals"])]
    dates = [pd.Timestamp(x).date() for x in keep["date"]]
    keep = keep[pd.Series([x <= as_of for x in dates], index=keep.index, dtype=bool)]
    return keep.sort_values(["date", "person_id"], ascending=[False, True], kind="stable").head(n)


def rules_in_force(rules, lang: str) -> pd.DataFrame:
    """:func:`kejifu.deputies.settings_table` with lists joined by the language's separator
    (``、`` in Chinese, ``, `` in English)."""
    table = settings_table(rules, lang)
    if lang != "zh" and len(table):
        sep = t("reporting.name_sep", lang)
        table = table.assign(
            value=[v.replace("、", sep) if isinstance(v, str) else v for v in table["value"]]
        )
    return table


def ledger(b: Board) -> DeputyData:
    """The deputy ledger of the board's workspace, read once per board."""
    ws = cast(DeputiesWorkspace, b.ws)
    return b.cached(("deputies",), lambda: deputies_store.load(ws.store))


def render(b: Board) -> list[str]:
    """The sections of the deputies board as of the chosen month."""
    lang, plan = b.lang, b.ws.plan
    data = ledger(b)
    as_of = b.as_of
    rules = settings_from(plan)
    s = summary(data, as_of, plan=plan, settings=rules)
    # The chart counts the same reports the table below it follows up: those of the deputies in
    # post this year, every year of their terms through the as-of date.
    comp = report_compliance(in_post_this_year(data.roster, as_of), data.reports, as_of, rules)
    states = [*STATES, "total"]
    banner = (
        f'<div class="kejifu-banner">{esc(t("deputies.synthetic", lang))}</div>'
        if len(data.roster) and data.roster["synthetic"].any()
        else ""
    )
    county = note(esc(t("deputies.county_rules", lang)))
    return [
        banner
        + section(
            t("deputies.heading.roster", lang), figure_html(roster_figure(data.roster, as_of, plan, lang))
        ),
        section(
            t("deputies.heading.batch", lang),
            labelled_table(s["by_batch"], ["batch", *states], plan, lang)
            + labelled_table(s["outside_share"], ["county", "deputies", "outside", "share"], plan, lang),
        ),
        section(
            t("deputies.heading.reports_due", lang),
            labelled_table(
                s["reports_due"],
                ["person_id", "name", "org", "year", "due", "filed", "recipients", "status"],
                plan,
                lang,
                status_key="deputies.yearly",
            ),
        ),
        section(
            t("deputies.heading.hearings_due", lang),
            labelled_table(
                s["hearings_due"],
                ["person_id", "name", "org", "year", "due", "heard", "status"],
                plan,
                lang,
                status_key="deputies.hearing",
            ),
        ),
        section(
            t("deputies.heading.terms_ending", lang),
            labelled_table(
                s["terms_ending"], ["person_id", "name", "org", "batch", "term_end", "days_left"], plan, lang
            ),
        ),
        section(
            t("deputies.heading.compliance", lang),
            figure_html(compliance_figure(comp, lang, as_of))
            + labelled_table(
                s["overdue"], ["person_id", "name", "org", "year", "seq", "due", "status"], plan, lang
            ),
        ),
        section(
            t("deputies.heading.events", lang),
            labelled_table(
                tracking(data.events, as_of), ["person_id", "kind", "date", "result", "by"], plan, lang
            ),
        ),
        section(
            t("deputies.heading.distribution", lang), figure_html(grade_figure(s["grades"], lang)) + county
        ),
        section(
            t("deputies.heading.end_of_term", lang),
            labelled_table(
                s["end_of_term"],
                ["person_id", "name", "org", "democratic", "inspection", "annual", "score", "grade"],
                plan,
                lang,
            )
            + county,
        ),
        section(
            t("deputies.heading.five_ones", lang),
            labelled_table(s["five_ones"], ["org", "deputies", *FIVE_ONES], plan, lang, settings=rules),
        ),
        section(
            t("deputies.heading.specialists", lang),
            labelled_table(
                s["specialists"], ["year", "level", "dispatched", "outside", "communities"], plan, lang
            ),
        ),
        section(
            t("deputies.heading.settings", lang),
            labelled_table(rules_in_force(rules, lang), ["label", "value", "source"], plan, lang) + county,
        ),
    ]


def board(ws: DeputiesWorkspace | None = None) -> Board:
    """The 科技副职 dashboard (``dashboards/05_科技副职``): a :class:`kejifu.web.board.Board`.

    Opens ``$KEJIFU_WORKSPACE`` read-only unless ``ws`` is given; the as-of
    month selector and the language switch come from the shared board.
    """
    return Board(ws or open_workspace(), "deputies.title", render, with_group=False)
