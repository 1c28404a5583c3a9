"""Where one target stands: bullet bars (actual, expected by now, target, stretch) and the
month-by-month trajectory against the scheduled path with a projection to December.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import display, units
from .. import schedule as schedule_mod
from ..errors import UsageError
from ..i18n import t
from ..palette import line_palette, status_color
from ..plan import Plan
from ..status import ALL
from .base import (
    as_of_text,
    closing,
    esc,
    estimate,
    figure,
    frame_month,
    integer_axis,
    month_ticks,
    named_hover,
    opening,
    org_label,
    pct,
    scatter_class,
    sep,
    series_month,
    status_label,
    status_legend,
    target_label,
    unit_name,
)

# ----- bullet -----------------------------------------------------------------------------------


def _row_labels(f: pd.DataFrame, plan: Plan, lang: str) -> list[str]:
    targets, orgs = f["target"].astype(str), f["org"].astype(str)
    if len(f) > 1 and targets.nunique() == 1:
        return [org_label(plan, o, lang) for o in orgs]
    out = []
    for tg, org in zip(targets, orgs):
        label = target_label(plan, tg, lang)
        out.append(label if org == ALL else f"{label} · {org_label(plan, org, lang)}")
    return out


def bullet(
    status: pd.Series | pd.DataFrame, plan: Plan, lang: str = "zh", *, normalise: bool | None = None
) -> go.Figure:
    """Bullet bars: actual vs expected by now vs target vs stretch, one bar per status row.

    ``status`` is a status-frame row (Series) or frame (:func:`kejifu.status.status`).
    One row is drawn in the target's unit; several rows (``normalise`` default) are
    drawn as per cent of target [%] — completion, expected, and stretch as
    (stretch − baseline)/(target − baseline) for shares and levels — so that they share an axis.
    The actual bar is coloured by status and labelled with its value and unit.
    """
    f = (status.to_frame().T if isinstance(status, pd.Series) else status).reset_index(drop=True)
    n = len(f)
    if normalise is None:
        normalise = n > 1
    num = lambda c: (
        pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float) if c in f else np.full(n, np.nan)
    )  # noqa: E731
    actual, target_value, stretch = num("actual"), num("target_value"), num("stretch")
    completion, expected, baseline = num("completion"), num("expected"), num("baseline")
    kind = f["kind"].to_numpy() if "kind" in f else np.full(n, "cumulative")
    unit = f["unit"].fillna("").astype(str).to_numpy() if "unit" in f else np.full(n, "")
    codes = (
        f["status"].where(f["status"].notna(), "no_data").to_numpy()
        if "status" in f
        else np.full(n, "no_data")
    )
    base = np.where(np.isin(kind, ["share", "level"]) & ~np.isnan(baseline), baseline, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_value = base + expected * (target_value - base)
        if normalise:
            x_actual = completion * 100.0
            x_expected = expected * 100.0
            x_target = np.where(np.isnan(target_value), np.nan, 100.0)
            x_stretch = (stretch - base) / (target_value - base) * 100.0
        else:
            x_actual, x_expected, x_target, x_stretch = actual, expected_value, target_value, stretch
    labels = _row_labels(f, plan, lang)
    y = np.arange(n)

    actual_s = [display.number(v, u, lang) for v, u in zip(actual, unit)]
    expected_s = [display.number(v, u, lang) for v, u in zip(expected_value, unit)]
    target_s = [display.number(v, u, lang) for v, u in zip(target_value, unit)]
    stretch_s = [display.number(v, u, lang) for v, u in zip(stretch, unit)]
    completion_s = [pct(v, lang) for v in completion]
    exp_pct_s = [pct(v, lang) for v in expected]
    status_s = [status_label(c, lang) for c in codes]
    stale = f["stale"].fillna(False).astype(bool).to_numpy() if "stale" in f else np.zeros(n, bool)
    status_s = [s + (t("charts.stale", lang) if st else "") for s, st in zip(status_s, stale)]
    bar_text = [
        a if not normalise or not display.is_number(c) else f"{a}（{p}）" if lang == "zh" else f"{a} ({p})"
        for a, c, p in zip(actual_s, completion, completion_s)
    ]

    title = t("charts.bullet_title", lang, as_of=as_of_text(frame_month(f), lang))
    fig = figure(title, barmode="overlay", height=max(220, 90 + 46 * n), bargap=0.35)
    if np.isfinite(x_stretch).any():
        fig.add_trace(
            go.Bar(
                name=t("charts.stretch", lang),
                orientation="h",
                y=y,
                x=x_stretch,
                width=0.8,
                marker=dict(
                    color=line_palette["background_stretch"],
                    line=dict(color=line_palette["stretch"], width=1),
                ),
                customdata=np.column_stack([labels, stretch_s]),
                hovertemplate=named_hover("charts.stretch", lang),
            )
        )
    fig.add_trace(
        go.Bar(
            name=t("charts.target", lang),
            orientation="h",
            y=y,
            x=x_target,
            width=0.8,
            marker=dict(color=line_palette["background"]),
            customdata=np.column_stack([labels, target_s]),
            hovertemplate=named_hover("charts.target", lang),
        )
    )
    hover = (
        "<br>".join(
            [
                "<b>%{customdata[0]}</b>",
                f"{t('charts.actual', lang)}{sep(lang)}%{{customdata[1]}}",
                f"{t('charts.expected', lang)}{sep(lang)}%{{customdata[2]}}"
                f"{opening(lang)}{t('charts.expected_share', lang)} %{{customdata[6]}}{closing(lang)}",
                f"{t('charts.target', lang)}{sep(lang)}%{{customdata[3]}}",
                f"{t('charts.stretch', lang)}{sep(lang)}%{{customdata[4]}}",
                f"{t('charts.completion', lang)}{sep(lang)}%{{customdata[5]}}",
                f"{t('charts.status', lang)}{sep(lang)}%{{customdata[7]}}",
            ]
        )
        + "<extra></extra>"
    )
    fig.add_trace(
        go.Bar(
            name=t("charts.actual", lang),
            orientation="h",
            y=y,
            x=x_actual,
            width=0.34,
            marker=dict(color=[status_color(c) for c in codes]),
            text=bar_text,
            textposition="outside",
            cliponaxis=False,
            textfont=dict(size=12),
            constraintext="none",
            customdata=np.column_stack(
                [labels, actual_s, expected_s, target_s, stretch_s, completion_s, exp_pct_s, status_s]
            ),
            hovertemplate=hover,
            showlegend=False,
        )
    )
    missing = ~np.isfinite(x_actual)
    if missing.any():
        # An org that reports a target it was not allocated has a figure but no completion: its
        # figure is written out and marked 未分解, not 无数据.
        notes = [
            t("charts.not_allocated_text", lang, value=a)
            if c == "not_allocated" and display.is_number(v)
            else t("charts.no_data_text", lang)
            for a, c, v in zip(actual_s, codes, actual)
        ]
        fig.add_trace(
            go.Scatter(
                name=t("charts.no_data_text", lang),
                y=y[missing],
                x=np.zeros(int(missing.sum())),
                mode="text",
                text=[x for x, m in zip(notes, missing) if m],
                textposition="middle right",
                textfont=dict(size=12, color=status_color("no_data")),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            name=t("charts.expected", lang),
            y=y,
            x=x_expected,
            mode="markers",
            marker=dict(
                symbol="line-ns",
                size=30,
                line=dict(width=3, color=line_palette["expected"]),
                color=line_palette["expected"],
            ),
            customdata=np.column_stack([labels, expected_s, exp_pct_s]),
            hovertemplate=(
                f"%{{customdata[0]}}<br>{t('charts.expected', lang)}{sep(lang)}%{{customdata[1]}}"
                f"{opening(lang)}%{{customdata[2]}}{closing(lang)}<extra></extra>"
            ),
        )
    )
    status_legend(fig, codes, lang)
    fig.update_yaxes(tickvals=list(y), ticktext=labels, autorange="reversed", showgrid=False)
    if normalise:
        fig.update_xaxes(title_text=t("charts.pct_of_target", lang), ticksuffix="%")
    else:
        u = unit[0] if n else ""
        fig.update_xaxes(title_text=t("charts.value_axis", lang, unit=unit_name(u, lang)))
    return fig


# ----- trajectory ---------------------------------------------------------------------------------


def _own_target(plan: Plan, target_id: str, org: str) -> tuple[float, float]:
    """(target, stretch) of ``org`` for ``target_id`` [target unit]: the plan's for the total,
    the allocation for a town's cumulative target."""
    tg = plan.target(target_id)
    goal = tg.target if tg.target is not None else math.nan
    stretch = tg.stretch if tg.stretch is not None else math.nan
    if org != ALL and tg.kind == "cumulative":
        return tg.allocation_values().get(org, math.nan), math.nan
    return goal, stretch


def trajectory(
    series: pd.DataFrame,
    plan: Plan,
    target_id: str,
    *,
    org: str = ALL,
    projection: pd.DataFrame | float | None = None,
    projection_method: str = "run_rate",
    lang: str = "zh",
) -> go.Figure:
    """Monthly year-to-date actual vs the scheduled path, target and stretch lines, and a dashed
    projection to December.

    ``series`` is a series frame (:func:`kejifu.series.monthly`); the scheduled path is the
    target (the allocation for a town) × the schedule's cumulative share [target unit]
    (baseline + share of the change for shares and levels). ``projection`` is a projection frame
    (:func:`kejifu.projection.project`; column ``landing_<projection_method>``) or a landing
    value [target unit].
    """
    tg = plan.target(target_id)
    unit = tg.unit
    s = series[(series["target"] == target_id) & (series["org"] == org)].sort_values("month")
    months = s["month"].to_numpy(dtype=int)
    actual = s["actual"].to_numpy(dtype=float)
    stale = s["stale"].fillna(False).astype(bool).to_numpy() if "stale" in s else np.zeros(len(s), bool)
    goal, stretch = _own_target(plan, target_id, org)
    base = (tg.baseline or 0.0) if tg.kind in ("share", "level") else 0.0
    ticks, ticktext = month_ticks(lang)

    title = t(
        "charts.trajectory_title",
        lang,
        target=esc(tg.label(lang)),
        org=org_label(plan, org, lang),
        as_of=as_of_text(series_month(s, plan.year), lang),
    )
    fig = figure(title, height=420, hovermode="closest")
    full = np.arange(1, 13)
    if tg.kind != "milestone" and display.is_number(goal):
        path = base + schedule_mod.cumulative(tg.schedule) * (goal - base)
        fig.add_trace(
            go.Scatter(
                name=t("charts.schedule_path", lang),
                x=full,
                y=path,
                mode="lines",
                line=dict(color=line_palette["expected"], width=1.5, dash="dot"),
                customdata=np.column_stack([ticktext, [display.number(v, unit, lang) for v in path]]),
                hovertemplate=named_hover("charts.schedule_path", lang),
            )
        )
    for value, key, dash in ((goal, "charts.target", "dash"), (stretch, "charts.stretch", "longdashdot")):
        if display.is_number(value):
            label = display.number(value, unit, lang)
            fig.add_trace(
                go.Scatter(
                    name=t(key, lang),
                    x=[1, 12],
                    y=[value, value],
                    mode="lines",
                    line=dict(
                        color=line_palette["target" if key == "charts.target" else "stretch"],
                        width=1.5,
                        dash=dash,
                    ),
                    hovertemplate=f"{t(key, lang)}{sep(lang)}{label}<extra></extra>",
                )
            )
    stale_note = t("charts.stale", lang)
    cls = scatter_class(len(s))
    fig.add_trace(
        cls(
            name=t("charts.actual", lang),
            x=months,
            y=actual,
            mode="lines+markers",
            line=dict(color=line_palette["actual"], width=3),
            marker=dict(
                size=8, color=line_palette["actual"], symbol=np.where(stale, "circle-open", "circle").tolist()
            ),
            customdata=np.column_stack(
                [
                    [ticktext[m - 1] for m in months],
                    [display.number(v, unit, lang) for v in actual],
                    [stale_note if x else "" for x in stale],
                ]
            )
            if len(s)
            else None,
            hovertemplate=named_hover("charts.actual", lang, "%{customdata[2]}"),
        )
    )
    finite = np.isfinite(actual)
    if finite.any():
        last_m, last_v = int(months[finite][-1]), float(actual[finite][-1])
        fig.add_annotation(
            x=last_m,
            y=last_v,
            text=display.number(last_v, unit, lang),
            showarrow=True,
            arrowhead=0,
            ax=-30,
            ay=-28,
            font=dict(color=line_palette["actual"]),
        )
        landing = _landing(projection, target_id, org, projection_method)
        if display.is_number(landing) and last_m < 12:
            name = t(f"charts.projection_{projection_method}", lang)
            fig.add_trace(
                go.Scatter(
                    name=name,
                    x=[last_m, 12],
                    y=[last_v, landing],
                    mode="lines+markers",
                    line=dict(color=line_palette["projection"], width=2, dash="dash"),
                    marker=dict(size=[0, 9], symbol="diamond-open"),
                    hovertemplate=f"{name}{sep(lang)}{estimate(landing, unit, lang)}<extra></extra>",
                )
            )
            fig.add_annotation(
                x=12,
                y=landing,
                text=estimate(landing, unit, lang),
                showarrow=False,
                xanchor="left",
                xshift=8,
                font=dict(color=line_palette["projection"]),
            )
    axis_key = "charts.cumulative_axis" if tg.kind == "cumulative" else "charts.value_axis"
    fig.update_xaxes(tickvals=ticks, ticktext=ticktext, range=[0.5, 12.9])
    fig.update_yaxes(
        title_text=t(axis_key, lang, unit=unit_name(unit, lang)),
        tickformat=",",
        rangemode="tozero" if tg.kind == "cumulative" else "normal",
    )
    if tg.kind == "cumulative" and units.is_count(unit):
        # counts of whole things (enterprises, people, items): whole-number ticks, never 0.5
        ys = [float(v) for d in fig.data if d.y is not None for v in d.y if display.is_number(v)]
        fig.update_yaxes(**{**integer_axis(max(ys, default=0.0) * 1.05), "tickformat": ",d"})
    return fig


def _landing(projection, target_id: str, org: str, method: str) -> float:
    if projection is None:
        return math.nan
    if isinstance(projection, pd.DataFrame):
        col = f"landing_{method}"
        if col not in projection:
            raise UsageError(f"投影表缺少列 {col}", f"the projection frame has no column {col}")
        row = projection[(projection["target"] == target_id) & (projection["org"] == org)]
        return float(row[col].iloc[0]) if len(row) else math.nan
    return float(projection)
