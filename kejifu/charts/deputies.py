"""The technology deputies (科技副职) as charts: the roster by town, the written reports by standing,
and the latest yearly grades.

The builders take frames the ledger computes (:mod:`kejifu.deputies`; nothing here imports it) and
draw them in the shared template with the shared palette: a status colour only where the chart
makes a judgement (a report overdue, a grade below 称职, a recall), neutral blues and greys for
states that are not alarms (在任, 待到任, 期满). Every chart is titled with the period it covers,
the same period as the table beside it, and counts of people or reports have whole-number ticks.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import display
from ..i18n import t
from ..palette import series_palette, status_color
from ..plan import Plan
from .base import esc, figure, integer_axis, named_hover

#: The roster states in stack order and their colours: neutral for the ordinary states, a status
#: colour for a recall (the one that is an alarm).
STATE_COLOURS = {
    "serving": series_palette["primary"],
    "appointed": series_palette["light"],
    "completed": series_palette["pale_grey"],
    "recalled": status_color("far_behind"),
}
#: A written report's standing -> the status whose colour it takes.
REPORT_COLOURS = {
    "ok": status_color("achieved"),
    "late": status_color("behind"),
    "incomplete": status_color("not_met"),
    "overdue": status_color("overdue"),
    "not_due": status_color("not_due"),
}
#: A grade -> the status whose colour it takes.
GRADE_COLOURS = {
    "excellent": status_color("stretch_achieved"),
    "competent": status_color("achieved"),
    "basic": status_color("behind"),
    "incompetent": status_color("far_behind"),
    "pending": status_color("no_data"),
    "recalled": status_color("overdue"),
}


def date_text(day: dt.date, lang: str = "zh") -> str:
    """``2005年6月30日`` / ``30 June 2005``."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def period_text(first_year: int | None, as_of: dt.date, lang: str = "zh") -> str:
    """The period a chart covers: from January of ``first_year`` through ``as_of`` (``2005年1月—6月``,
    ``2002年1月—2005年6月``; ``Jan–Jun 2005``, ``Jan 2002 – Jun 2005``)."""
    first = int(first_year) if first_year is not None else as_of.year
    end_month = dt.date(as_of.year, as_of.month, 1)
    if lang == "zh":
        if first == as_of.year:
            return f"{first}年1月—{as_of.month}月"
        return f"{first}年1月—{as_of.year}年{as_of.month}月"
    if first == as_of.year:
        return f"Jan–{end_month.strftime('%b')} {first}"
    return f"Jan {first} – {end_month.strftime('%b')} {as_of.year}"


def roster_chart(
    by_org: pd.DataFrame, as_of: dt.date, plan: Plan | None = None, lang: str = "zh"
) -> go.Figure:
    """Stacked bars: deputies per town by state on ``as_of`` [people].

    ``by_org`` is :func:`kejifu.deputies.roster_by` by ``org`` (``org`` and a count per state).
    """
    names = [esc(plan.org_name(o, lang)) if plan is not None else esc(o) for o in by_org.get("org", [])]
    title = t("deputies.chart.roster", lang, date=date_text(as_of, lang))
    fig = figure(title, barmode="stack", height=380, legend=dict(traceorder="normal"))
    for state, colour in STATE_COLOURS.items():
        if len(by_org) and state in by_org and by_org[state].sum():
            label = t(f"deputies.state.{state}", lang)
            values = by_org[state].astype(int).to_numpy()
            fig.add_bar(
                x=names,
                y=values,
                name=label,
                marker=dict(color=colour),
                customdata=np.column_stack([names, [display.number(v, "人", lang) for v in values]]),
                hovertemplate=named_hover(f"deputies.state.{state}", lang),
            )
    top = int(by_org[[s for s in STATE_COLOURS if s in by_org]].sum(axis=1).max()) if len(by_org) else 0
    fig.update_yaxes(title_text=t("deputies.axis.people", lang), **integer_axis(top))
    fig.update_xaxes(tickangle=0 if len(names) <= 8 else -45)
    return fig


def compliance_chart(compliance: pd.DataFrame, as_of: dt.date, lang: str = "zh") -> go.Figure:
    """Bars: scheduled written reports per standing (on time, late, incomplete, overdue, not yet due)
    [reports], over the years the ``compliance`` frame covers
    (:func:`kejifu.deputies.report_compliance`) through ``as_of``."""
    order = list(REPORT_COLOURS)
    counts = compliance["status"].value_counts() if len(compliance) else pd.Series(dtype=int)
    first = int(compliance["year"].min()) if len(compliance) else None
    title = t("deputies.chart.compliance", lang, period=period_text(first, as_of, lang))
    fig = figure(title, height=320, showlegend=False)
    values = [int(counts.get(s, 0)) for s in order]
    labels = [t(f"deputies.report.{s}", lang) for s in order]
    fig.add_bar(
        x=labels,
        y=values,
        marker=dict(color=[REPORT_COLOURS[s] for s in order]),
        text=[str(v) for v in values],
        textposition="outside",
        cliponaxis=False,
        customdata=np.column_stack([labels, [str(v) for v in values]]),
        hovertemplate=named_hover("deputies.axis.reports", lang),
        name=t("deputies.axis.reports", lang),
    )
    fig.update_yaxes(title_text=t("deputies.axis.reports", lang), **integer_axis(max(values, default=0)))
    return fig


def grade_chart(distribution: pd.DataFrame, years: tuple[int, int] | None, lang: str = "zh") -> go.Figure:
    """Bars: deputies per latest yearly grade [people]; ``distribution`` is
    :func:`kejifu.deputies.grade_distribution` (``grade, label, count``), ``years`` the first and
    last assessment year it draws on (the title says them)."""
    if years is None:
        span = t("deputies.chart.no_years", lang)
    elif years[0] == years[1]:
        span = t("deputies.chart.year", lang, year=years[0])
    else:
        span = t("deputies.chart.years", lang, first=years[0], last=years[1])
    title = t("deputies.chart.grades", lang, years=span)
    fig = figure(title, height=320, showlegend=False)
    counts = distribution["count"].astype(int).to_numpy() if len(distribution) else np.array([], int)
    labels = list(distribution["label"]) if len(distribution) else []
    fig.add_bar(
        x=labels,
        y=counts,
        marker=dict(
            color=[GRADE_COLOURS.get(g, status_color("no_data")) for g in distribution.get("grade", [])]
        ),
        text=[str(v) for v in counts],
        textposition="outside",
        cliponaxis=False,
        customdata=np.column_stack([labels, [str(v) for v in counts]]) if len(labels) else None,
        hovertemplate=named_hover("deputies.col.deputies", lang),
        name=t("deputies.col.deputies", lang),
    )
    fig.update_yaxes(
        title_text=t("deputies.axis.people", lang), **integer_axis(int(counts.max()) if len(counts) else 0)
    )
    return fig
