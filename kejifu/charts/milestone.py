"""A milestone (done / not done by a date) on the plan year's timeline: the due-date marker, the
as-of date, and its state 未到期 / 已完成 / 逾期 as the status rules give it (issue 13, rule 5)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from .. import months
from ..i18n import t
from ..palette import line_palette, status_color
from ..plan import Plan
from ..status import ALL
from .base import as_of_text, esc, figure, month_ticks, status_label


def done_month(series: pd.DataFrame, target_id: str, org: str = ALL) -> str:
    """The first month ``YYYY-MM`` in which the milestone's figure reached 1 (reported done) in a
    series frame (:func:`kejifu.series.monthly`, months 1..12 of ``year``); '' when not yet."""
    s = series[(series["target"] == target_id) & (series["org"] == org)].sort_values("month")
    hit = s[pd.to_numeric(s["actual"], errors="coerce") >= 1 - 1e-9]
    if hit.empty:
        return ""
    return str(int(hit["month"].iloc[0]))


def milestone_days(due: dt.date, as_of: dt.date, code: str, lang: str = "zh") -> str:
    """「距完成时限还有n天」 / 「已超过完成时限n天」 for a milestone not yet done; '' once done."""
    if code == "achieved":
        return ""
    n = (due - as_of).days
    if n >= 0:
        return t("charts.milestone_day_left" if n == 1 else "charts.milestone_days_left", lang, n=n)
    return t("charts.milestone_day_over" if n == -1 else "charts.milestone_days_over", lang, n=-n)


def milestone(
    row: pd.Series | dict, plan: Plan, target_id: str, lang: str = "zh", *, done: str = ""
) -> go.Figure:
    """The plan year as a timeline [date]: a dashed marker at the due date, a dotted one at the
    end of the reporting month (the as-of date), and a diamond for the milestone coloured by its
    state (the ``status`` of ``row``, a status-frame row): at the end of the month it was reported
    done (``done``, ``YYYY-MM``) when 已完成, else at the as-of date (未到期 / 逾期).
    """
    r = dict(row)
    tg = plan.target(target_id)
    year = plan.year
    code = r.get("status") if isinstance(r.get("status"), str) else "no_data"
    month = r.get("data_month") if isinstance(r.get("data_month"), str) and r.get("data_month") else ""
    month = month or (r.get("month") if isinstance(r.get("month"), str) else "")
    as_of = months.month_end(month) if month else dt.date(year, 1, 1)
    due = tg.due or dt.date(year, 12, 31)
    title = t("charts.milestone_title", lang, target=esc(tg.label(lang)), as_of=as_of_text(month, lang))
    fig = figure(title, height=240, showlegend=False)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    fig.add_trace(
        go.Scatter(
            x=[start, end],
            y=[0, 0],
            mode="lines",
            line=dict(color=line_palette["background"], width=10),
            hoverinfo="skip",
            name=str(year),
        )
    )
    if code == "achieved" and done:
        done_key = months.key(year, int(done)) if len(done) <= 2 else done[:7]
        when = months.month_end(done_key)
        label = t("charts.milestone_done", lang, month=months.label(done_key, lang))
    else:
        when = min(max(as_of, start), end)
        label = milestone_days(due, as_of, code, lang)
    state = status_label(code, lang)
    colour = status_color(code)
    fig.add_trace(
        go.Scatter(
            x=[when],
            y=[0],
            mode="markers+text",
            marker=dict(symbol="diamond", size=22, color=colour, line=dict(color="#222222", width=1)),
            text=[f"<b>{esc(state)}</b>" + (f"<br>{esc(label)}" if label else "")],
            textposition="top center",
            textfont=dict(color="#222222"),
            customdata=[[state, label]],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            name=state,
        )
    )
    for day, key, dash, colour_line, top in (
        (due, "charts.milestone_due", "dash", line_palette["target"], 1.0),
        (as_of, "charts.milestone_today", "dot", line_palette["expected"], 0.0),  # below the label
    ):
        fig.add_shape(
            type="line",
            x0=day,
            x1=day,
            y0=-1,
            y1=top,
            line=dict(color=colour_line, width=2, dash=dash),
        )
        fig.add_annotation(
            x=day,
            y=-1,
            text=esc(t(key, lang, date=day.isoformat())),
            showarrow=False,
            yanchor="top",
            font=dict(size=12, color=colour_line),
        )
    ticks, ticktext = month_ticks(lang)
    fig.update_xaxes(
        range=[start - dt.timedelta(days=5), end + dt.timedelta(days=5)],
        tickvals=[dt.date(year, m, 1) for m in ticks],
        ticktext=ticktext,
        showgrid=False,
    )
    fig.update_yaxes(visible=False, range=[-1.6, 1.4])
    fig.update_layout(margin=dict(l=20, r=20, t=60, b=20))
    return fig
