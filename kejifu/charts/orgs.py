"""One target's orgs by their year-to-date figure, for a target nobody was allocated: each org that
reported it is drawn in the target's unit and marked 未分解 (not allocated), never 无数据."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import display, units
from ..i18n import t
from ..palette import line_palette, status_color
from ..plan import Plan
from .base import (
    as_of_text,
    figure,
    frame_month,
    integer_axis,
    named_hover,
    org_label,
    status_label,
    status_legend,
    unit_name,
)


def org_actuals(status: pd.DataFrame, plan: Plan, lang: str = "zh") -> go.Figure:
    """Horizontal bars: each org's year-to-date actual [the target's unit], coloured by status
    (``not_allocated`` for an org that reports a target it was not given a share of), labelled
    with the figure and its unit.

    ``status`` is the org rows of one target of a status frame (:func:`kejifu.status.status`).
    """
    f = status.reset_index(drop=True)
    n = len(f)
    actual = pd.to_numeric(f["actual"], errors="coerce").to_numpy(dtype=float)
    unit = str(f["unit"].iloc[0]) if n and isinstance(f["unit"].iloc[0], str) else ""
    codes = f["status"].where(f["status"].notna(), "no_data").to_numpy() if n else np.array([])
    names = [org_label(plan, o, lang) for o in f["org"]]
    values = [display.number(v, unit, lang) for v in actual]
    texts = [
        t("charts.not_allocated_text", lang, value=v) if c == "not_allocated" else v
        for v, c in zip(values, codes)
    ]
    title = t("charts.org_actuals_title", lang, as_of=as_of_text(frame_month(f), lang))
    fig = figure(title, height=max(220, 110 + 28 * n), bargap=0.3)
    y = np.arange(n)
    fig.add_trace(
        go.Bar(
            name=t("charts.actual", lang),
            orientation="h",
            y=y,
            x=np.nan_to_num(actual, nan=0.0),
            marker=dict(
                color=[status_color(c) for c in codes],
                line=dict(color=line_palette["baseline"], width=1),
            ),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=np.column_stack([names, values, [status_label(c, lang) for c in codes]])
            if n
            else None,
            hovertemplate=named_hover("charts.actual", lang, "<br>%{customdata[2]}"),
            showlegend=False,
        )
    )
    status_legend(fig, codes, lang)
    fig.update_yaxes(tickvals=list(y), ticktext=names, autorange="reversed", showgrid=False)
    top = float(np.nanmax(actual)) if np.isfinite(actual).any() else 0.0
    fig.update_xaxes(
        title_text=t("charts.cumulative_axis", lang, unit=unit_name(unit, lang)),
        rangemode="tozero",
        range=[0, max(top * 1.3, 1.0)],
        tickformat=",",
    )
    if unit and units.is_count(unit):  # whole things: whole-number ticks, room for the labels
        fig.update_xaxes(**{**integer_axis(top), "range": [0, max(top * 1.3, 1.0)], "tickformat": ",d"})
    return fig
