"""A share target month by month: numerator and denominator bars and the share line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import display, units
from ..errors import UsageError
from ..i18n import t
from ..palette import line_palette
from ..plan import Plan
from ..status import ALL
from .base import as_of_text, esc, figure, measure_label, month_ticks, round_ticks, series_month, unit_name

# ----- share ------------------------------------------------------------------------------------


def share_chart(
    series: pd.DataFrame, plan: Plan, target_id: str, lang: str = "zh", *, org: str = ALL
) -> go.Figure:
    """A share target month by month: numerator and denominator as bars [their unit, e.g. 亿元]
    and the share as a line [%] on a second axis, with the baseline and target share lines.

    ``series`` is a series frame (:func:`kejifu.series.monthly`) with ``numerator`` and
    ``denominator`` year-to-date values in the measures' units.
    """
    tg = plan.target(target_id)
    if tg.kind != "share":
        raise UsageError(f"{target_id} 不是比重型指标", f"{target_id} is not a share target")
    s = series[(series["target"] == target_id) & (series["org"] == org)].sort_values("month")
    months = s["month"].to_numpy(dtype=int)
    num_unit, den_unit = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
    num = s["numerator"].to_numpy(dtype=float)
    den = s["denominator"].to_numpy(dtype=float)
    if den_unit != num_unit and units.unit_kind(den_unit) == units.unit_kind(num_unit):
        den, den_unit = np.asarray(units.convert(den, den_unit, num_unit), dtype=float), num_unit
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = np.where(den > 0, num / den * 100.0, np.nan)
    share = s["actual"].to_numpy(dtype=float) if "actual" in s else computed
    share = np.where(np.isnan(share), computed, share)
    ticks, ticktext = month_ticks(lang)
    mlabels = [ticktext[m - 1] for m in months]

    title = t(
        "charts.share_title",
        lang,
        target=esc(tg.label(lang)),
        as_of=as_of_text(series_month(s, plan.year), lang),
    )
    fig = figure(title, height=420, barmode="group", hovermode="x unified")
    for key, values, unit, measure in (
        ("numerator", num, num_unit, tg.numerator),
        ("denominator", den, den_unit, tg.denominator),
    ):
        fig.add_trace(
            go.Bar(
                name=measure_label(plan, measure, lang),
                x=months,
                y=values,
                marker=dict(color=line_palette[key]),
                customdata=np.column_stack([mlabels, [display.number(v, unit, lang) for v in values]])
                if len(s)
                else None,
                hovertemplate="%{customdata[1]}<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            name=t("charts.share", lang),
            x=months,
            y=share,
            yaxis="y2",
            mode="lines+markers",
            line=dict(color=line_palette["share"], width=3),
            marker=dict(size=8),
            customdata=np.column_stack([mlabels, [display.number(v, "%", lang) for v in share]])
            if len(s)
            else None,
            hovertemplate="%{customdata[1]}<extra>%{fullData.name}</extra>",
        )
    )
    for value, key, color, dash in (
        (tg.baseline, "charts.baseline", "baseline", "dot"),
        (tg.target, "charts.target_share", "target", "dash"),
    ):
        if display.is_number(value):
            fig.add_trace(
                go.Scatter(
                    name=f"{t(key, lang)} {display.number(value, '%', lang)}",
                    x=[1, 12],
                    y=[value, value],
                    yaxis="y2",
                    mode="lines",
                    line=dict(color=line_palette[color], width=1.5, dash=dash),
                    hoverinfo="skip",
                )
            )
    share_ticks = round_ticks([*share, tg.baseline, tg.target])
    if share_ticks:
        share_ticks["ticktext"] = [display.number(v, "%", lang, 0) for v in share_ticks["tickvals"]]
    fig.update_layout(
        xaxis=dict(tickvals=ticks, ticktext=ticktext, range=[0.5, 12.5]),
        yaxis=dict(
            title_text=t("charts.value_axis", lang, unit=unit_name(num_unit, lang)),
            rangemode="tozero",
            tickformat=",",
        ),
        yaxis2=dict(
            title_text=t("charts.share_axis", lang),
            overlaying="y",
            side="right",
            showgrid=False,
            ticksuffix="%",
            tickformat="d",
            automargin=True,
            **share_ticks,
        ),
    )
    return fig
