"""Charts: plotly figures of where targets stand, for notebooks and dashboards.

Every builder takes frames that other modules compute (it never computes status
itself) and returns a :class:`plotly.graph_objects.Figure`; nothing here calls
``.show()``. Labels come from the catalogue (``charts.*``, ``status.*``), numbers
are formatted with :func:`kejifu.units.format_value` (``3,000亩``, ``6.19亿元``),
colours from :mod:`kejifu.palette`.

Input frames (see docs/internals.md):

* **status frame** — :func:`kejifu.status.status`: ``target, org, kind, unit, month,
  actual, baseline, target_value, stretch, allocation, completion, expected, status, stale…``
* **series frame** — :func:`kejifu.series.monthly`: ``target, org, month (1..12), actual,
  numerator, denominator, expected_value, stale``
* **projection frame** — :func:`kejifu.projection.project`: ``target, org,
  landing_run_rate, landing_pace…``

Figures are kept light for dashboards: a small template, per-point values passed
as ``customdata`` with one ``hovertemplate`` per trace, WebGL traces for long series.
"""

from __future__ import annotations

import html
import math
import textwrap
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from babel.dates import get_month_names

from . import schedule as schedule_mod
from . import units
from .errors import UsageError
from .i18n import t
from .palette import line_palette, status_color
from .plan import Plan
from .status import ALL, STATUSES

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)

#: plotly.js config for every figure: ``fig.show(config=FIG_CONFIG)`` / :func:`to_html`.
FIG_CONFIG = {"displaylogo": False, "responsive": True}

#: Traces with more points than this use WebGL (``Scattergl``).
WEBGL_THRESHOLD = 1000

#: A small template (the built-in ones add ~10 kB of JSON to every figure).
TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT_FAMILY, size=13, color="#222222"),
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        xaxis=dict(gridcolor="#EEEEEE", zerolinecolor="#CCCCCC", linecolor="#CCCCCC", automargin=True),
        yaxis=dict(gridcolor="#EEEEEE", zerolinecolor="#CCCCCC", linecolor="#CCCCCC", automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
        margin=dict(l=10, r=10, t=90, b=10),
        title=dict(
            x=0.01, xanchor="left", yref="container", y=1, yanchor="top", pad=dict(t=14), font=dict(size=16)
        ),
    )
)


# ----- formatting -------------------------------------------------------------------------------


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=4096)
def _fmt_cached(value: float, unit: str, lang: str, decimals: int | None = None) -> str:
    return units.format_value(value, unit, lang, decimals)


def fmt(value, unit: str, lang: str = "zh", decimals: int | None = None) -> str:
    """``value`` [unit] for display (``3,000亩``); a missing value reads ``无数据`` / ``no data``."""
    if not _finite(value):
        return t("charts.no_data_text", lang)
    return _fmt_cached(round(float(value), 6), unit or "", lang, decimals)


def fmt_estimate(value, unit: str, lang: str = "zh") -> str:
    """An estimate [unit]: whole numbers from 100 up (``4,126亩``), else as :func:`fmt`."""
    return fmt(value, unit, lang, 0 if _finite(value) and abs(float(value)) >= 100 else None)


def fmt_pct(share, lang: str = "zh") -> str:
    """A share [share, 1 = 100%] as per cent with at most one decimal (``52.3%``)."""
    if not _finite(share):
        return t("charts.no_data_text", lang)
    return _fmt_cached(round(float(share) * 100, 1) + 0.0, "%", lang)


def _unit_name(unit: str, lang: str) -> str:
    info = units.UNITS[units.canonical(unit or "")]
    return info.symbol if lang == "zh" else info.en


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _open(lang: str) -> str:
    return "（" if lang == "zh" else " ("


def _close(lang: str) -> str:
    return "）" if lang == "zh" else ")"


def _esc(text: str) -> str:
    """Names from plan files, escaped: plotly.js renders <a>, <b>, <span> tags in labels and hovers."""
    return html.escape(str(text), quote=False)


def _org_label(plan: Plan, org: str, lang: str) -> str:
    return _esc(plan.org_name(org, lang))


def _status_label(code, lang: str) -> str:
    return t(f"status.{code if isinstance(code, str) else 'no_data'}", lang)


def _target_label(plan: Plan, target_id: str, lang: str) -> str:
    tg = plan.target_index.get(target_id)
    return _esc(tg.label(lang)) if tg is not None else str(target_id)


def _measure_label(plan: Plan, measure_id: str, lang: str) -> str:
    m = plan.measure_index.get(measure_id)
    if m is None:
        return _target_label(plan, measure_id, lang)
    return _esc((m.title_en or m.title) if lang == "en" else m.title)


def as_of_text(month: str, lang: str = "zh") -> str:
    """``截至2005年6月`` / ``to June 2005`` for a reporting month ``YYYY-MM`` ('' → none yet)."""
    if not isinstance(month, str) or len(month) < 7:
        return t("charts.not_yet", lang)
    year, mon = int(month[:4]), int(month[5:7])
    return t("charts.as_of", lang, year=year, month=mon, month_en=get_month_names("wide", locale="en")[mon])


def _frame_month(frame: pd.DataFrame) -> str:
    if "month" not in frame.columns or frame.empty:
        return ""
    months = [m for m in frame["month"].astype(str).unique() if len(m) >= 7]
    return max(months) if months else ""


def month_ticks(lang: str = "zh") -> tuple[list[int], list[str]]:
    """Tick values 1..12 and their labels (``1月`` / ``Jan``)."""
    names = get_month_names("abbreviated", locale="zh_CN" if lang == "zh" else "en")
    return list(range(1, 13)), [names[m] for m in range(1, 13)]


def _wrap(label: str, lang: str, width: int | None = None) -> str:
    """Break a long axis label into lines joined by ``<br>``."""
    if lang == "zh":
        width = width or 8
        return "<br>".join(label[i : i + width] for i in range(0, len(label), width)) or label
    return "<br>".join(textwrap.wrap(label, width or 18)) or label


def scatter_class(n_points: int):
    """``go.Scattergl`` for long traces, ``go.Scatter`` otherwise."""
    return go.Scattergl if n_points > WEBGL_THRESHOLD else go.Scatter


def _figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=dict(text=title), **layout)
    return fig


def _status_legend(fig: go.Figure, codes, lang: str) -> None:
    """Legend-only entries (one square per status present) for charts coloured by status."""
    present = set(c for c in codes if isinstance(c, str))
    for code in STATUSES:
        if code in present:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=t(f"status.{code}", lang),
                    marker=dict(symbol="square", size=12, color=status_color(code)),
                    hoverinfo="skip",
                    showlegend=True,
                )
            )


def to_html(fig: go.Figure, *, div_id: str | None = None) -> str:
    """An HTML ``<div>`` for ``fig`` without plotly.js (dashboards load it once from a local file)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config=FIG_CONFIG, div_id=div_id)


# ----- bullet -----------------------------------------------------------------------------------


def _row_labels(f: pd.DataFrame, plan: Plan, lang: str) -> list[str]:
    targets, orgs = f["target"].astype(str), f["org"].astype(str)
    if len(f) > 1 and targets.nunique() == 1:
        return [_org_label(plan, o, lang) for o in orgs]
    out = []
    for tg, org in zip(targets, orgs):
        label = _target_label(plan, tg, lang)
        out.append(label if org == ALL else f"{label} · {_org_label(plan, org, lang)}")
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

    actual_s = [fmt(v, u, lang) for v, u in zip(actual, unit)]
    expected_s = [fmt(v, u, lang) for v, u in zip(expected_value, unit)]
    target_s = [fmt(v, u, lang) for v, u in zip(target_value, unit)]
    stretch_s = [fmt(v, u, lang) if _finite(v) else "—" for v, u in zip(stretch, unit)]
    completion_s = [fmt_pct(v, lang) for v in completion]
    exp_pct_s = [fmt_pct(v, lang) for v in expected]
    status_s = [_status_label(c, lang) for c in codes]
    stale = f["stale"].fillna(False).astype(bool).to_numpy() if "stale" in f else np.zeros(n, bool)
    status_s = [s + (t("charts.stale", lang) if st else "") for s, st in zip(status_s, stale)]
    bar_text = [
        a if not normalise or not _finite(c) else f"{a}（{p}）" if lang == "zh" else f"{a} ({p})"
        for a, c, p in zip(actual_s, completion, completion_s)
    ]

    title = t("charts.bullet_title", lang, as_of=as_of_text(_frame_month(f), lang))
    fig = _figure(title, barmode="overlay", height=max(220, 90 + 46 * n), bargap=0.35)
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
                hovertemplate=f"%{{customdata[0]}}<br>{t('charts.stretch', lang)}{_sep(lang)}%{{customdata[1]}}<extra></extra>",
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
            hovertemplate=f"%{{customdata[0]}}<br>{t('charts.target', lang)}{_sep(lang)}%{{customdata[1]}}<extra></extra>",
        )
    )
    hover = (
        "<br>".join(
            [
                "<b>%{customdata[0]}</b>",
                f"{t('charts.actual', lang)}{_sep(lang)}%{{customdata[1]}}",
                f"{t('charts.expected', lang)}{_sep(lang)}%{{customdata[2]}}{_open(lang)}{t('charts.expected_share', lang)} %{{customdata[6]}}{_close(lang)}",
                f"{t('charts.target', lang)}{_sep(lang)}%{{customdata[3]}}",
                f"{t('charts.stretch', lang)}{_sep(lang)}%{{customdata[4]}}",
                f"{t('charts.completion', lang)}{_sep(lang)}%{{customdata[5]}}",
                f"{t('charts.status', lang)}{_sep(lang)}%{{customdata[7]}}",
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
        fig.add_trace(
            go.Scatter(
                name=t("charts.no_data_text", lang),
                y=y[missing],
                x=np.zeros(int(missing.sum())),
                mode="text",
                text=[t("charts.no_data_text", lang)] * int(missing.sum()),
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
                f"%{{customdata[0]}}<br>{t('charts.expected', lang)}{_sep(lang)}%{{customdata[1]}}"
                f"{_open(lang)}%{{customdata[2]}}{_close(lang)}<extra></extra>"
            ),
        )
    )
    _status_legend(fig, codes, lang)
    fig.update_yaxes(tickvals=list(y), ticktext=labels, autorange="reversed", showgrid=False)
    if normalise:
        fig.update_xaxes(title_text=t("charts.pct_of_target", lang), ticksuffix="%")
    else:
        u = unit[0] if n else ""
        fig.update_xaxes(title_text=t("charts.value_axis", lang, unit=_unit_name(u, lang)))
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

    title = t("charts.trajectory_title", lang, target=_esc(tg.label(lang)), org=_org_label(plan, org, lang))
    fig = _figure(title, height=420, hovermode="closest")
    full = np.arange(1, 13)
    if tg.kind != "milestone" and _finite(goal):
        path = base + schedule_mod.cumulative(tg.schedule) * (goal - base)
        fig.add_trace(
            go.Scatter(
                name=t("charts.schedule_path", lang),
                x=full,
                y=path,
                mode="lines",
                line=dict(color=line_palette["expected"], width=1.5, dash="dot"),
                customdata=np.column_stack([ticktext, [fmt(v, unit, lang) for v in path]]),
                hovertemplate=f"%{{customdata[0]}}<br>{t('charts.schedule_path', lang)}{_sep(lang)}%{{customdata[1]}}<extra></extra>",
            )
        )
    for value, key, dash in ((goal, "charts.target", "dash"), (stretch, "charts.stretch", "longdashdot")):
        if _finite(value):
            label = fmt(value, unit, lang)
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
                    hovertemplate=f"{t(key, lang)}{_sep(lang)}{label}<extra></extra>",
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
                    [fmt(v, unit, lang) for v in actual],
                    [stale_note if x else "" for x in stale],
                ]
            )
            if len(s)
            else None,
            hovertemplate=f"%{{customdata[0]}}<br>{t('charts.actual', lang)}{_sep(lang)}%{{customdata[1]}}%{{customdata[2]}}<extra></extra>",
        )
    )
    finite = np.isfinite(actual)
    if finite.any():
        last_m, last_v = int(months[finite][-1]), float(actual[finite][-1])
        fig.add_annotation(
            x=last_m,
            y=last_v,
            text=fmt(last_v, unit, lang),
            showarrow=True,
            arrowhead=0,
            ax=-30,
            ay=-28,
            font=dict(color=line_palette["actual"]),
        )
        landing = _landing(projection, target_id, org, projection_method)
        if _finite(landing) and last_m < 12:
            name = t(f"charts.projection_{projection_method}", lang)
            fig.add_trace(
                go.Scatter(
                    name=name,
                    x=[last_m, 12],
                    y=[last_v, landing],
                    mode="lines+markers",
                    line=dict(color=line_palette["projection"], width=2, dash="dash"),
                    marker=dict(size=[0, 9], symbol="diamond-open"),
                    hovertemplate=f"{name}{_sep(lang)}{fmt_estimate(landing, unit, lang)}<extra></extra>",
                )
            )
            fig.add_annotation(
                x=12,
                y=landing,
                text=fmt_estimate(landing, unit, lang),
                showarrow=False,
                xanchor="left",
                xshift=8,
                font=dict(color=line_palette["projection"]),
            )
    axis_key = "charts.cumulative_axis" if tg.kind == "cumulative" else "charts.value_axis"
    fig.update_xaxes(tickvals=ticks, ticktext=ticktext, range=[0.5, 12.9])
    fig.update_yaxes(
        title_text=t(axis_key, lang, unit=_unit_name(unit, lang)),
        tickformat=",",
        rangemode="tozero" if tg.kind == "cumulative" else "normal",
    )
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


# ----- heatmap ----------------------------------------------------------------------------------

_STATUS_INDEX = {code: i for i, code in enumerate(STATUSES)}


def status_colorscale() -> list[list]:
    """A discrete colorscale: status ``i`` of :data:`STATUSES` fills z in [i, i+1] (zmin 0,
    zmax len(STATUSES)); plot ``status_z(code)`` to colour a cell by status."""
    n = len(STATUSES)
    scale = []
    for i, code in enumerate(STATUSES):
        scale += [[i / n, status_color(code)], [(i + 1) / n, status_color(code)]]
    return scale


def status_z(codes) -> np.ndarray:
    """The z value (index + 0.5) of each status code for :func:`status_colorscale`; NaN for none."""
    return np.array([_STATUS_INDEX[c] + 0.5 if isinstance(c, str) else np.nan for c in codes], dtype=float)


def _town_rows(status: pd.DataFrame, plan: Plan, orgs) -> tuple[pd.DataFrame, list[str]]:
    order = list(orgs) if orgs is not None else [o.id for o in plan.towns()]
    f = status[(status["org"] != ALL) & status["org"].isin(order)]
    return f, [o for o in order if o in set(f["org"])]


def relative(frame: pd.DataFrame) -> np.ndarray:
    """Completion relative to expected (completion ÷ expected) [ratio]; NaN when nothing is due yet."""
    c = pd.to_numeric(frame["completion"], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(frame["expected"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, c / e, np.nan)


def heatmap(status: pd.DataFrame, plan: Plan, lang: str = "zh", *, orgs=None, targets=None) -> go.Figure:
    """Towns × targets: each cell shows completion ÷ expected [%] and is coloured by status.

    ``status`` is a status frame (:func:`kejifu.status.status`); rows are the plan's towns
    (or ``orgs``, in that order), columns the targets present for them (or ``targets``).
    Hover: town, target, actual with unit, completion, expected, status label.
    """
    f, org_order = _town_rows(status, plan, orgs)
    if targets is None:
        present = set(f["target"])
        targets = [tg.id for tg in plan.targets if tg.id in present]
        targets += sorted(present - set(targets))
    f = f[f["target"].isin(targets)]
    ri = f["org"].map({o: i for i, o in enumerate(org_order)}).to_numpy(dtype=int)
    ci = f["target"].map({tg: j for j, tg in enumerate(targets)}).to_numpy(dtype=int)
    shape = (len(org_order), len(targets))
    codes = f["status"].where(f["status"].notna(), "no_data").to_numpy()
    rel = relative(f)

    z = np.full(shape, np.nan)
    z[ri, ci] = status_z(codes)
    text = np.full(shape, "", dtype=object)
    text[ri, ci] = [fmt_pct(r, lang) if _finite(r) else "–" for r in rel]
    org_names = [_org_label(plan, o, lang) for o in org_order]
    target_names = [_target_label(plan, tg, lang) for tg in targets]
    unit = f["unit"].fillna("").astype(str).to_numpy() if "unit" in f else np.full(len(f), "")
    stale = f["stale"].fillna(False).astype(bool).to_numpy() if "stale" in f else np.zeros(len(f), bool)
    cd = np.full(shape + (7,), "", dtype=object)
    cd[ri, ci, 0] = [org_names[i] for i in ri]
    cd[ri, ci, 1] = [target_names[j] for j in ci]
    cd[ri, ci, 2] = [fmt(v, u, lang) for v, u in zip(f["actual"].to_numpy(dtype=float), unit)]
    cd[ri, ci, 3] = [fmt_pct(v, lang) for v in pd.to_numeric(f["completion"], errors="coerce")]
    cd[ri, ci, 4] = [fmt_pct(v, lang) for v in pd.to_numeric(f["expected"], errors="coerce")]
    cd[ri, ci, 5] = [
        _status_label(c, lang) + (t("charts.stale", lang) if s else "") for c, s in zip(codes, stale)
    ]
    cd[ri, ci, 6] = text[ri, ci]
    hover = (
        "<br>".join(
            [
                f"{t('charts.town', lang)}{_sep(lang)}%{{customdata[0]}}",
                f"{t('charts.target_name', lang)}{_sep(lang)}%{{customdata[1]}}",
                f"{t('charts.actual', lang)}{_sep(lang)}%{{customdata[2]}}",
                f"{t('charts.completion', lang)}{_sep(lang)}%{{customdata[3]}}",
                f"{t('charts.expected_share', lang)}{_sep(lang)}%{{customdata[4]}}",
                f"{t('charts.relative', lang)}{_sep(lang)}%{{customdata[6]}}",
                f"{t('charts.status', lang)}{_sep(lang)}<b>%{{customdata[5]}}</b>",
            ]
        )
        + "<extra></extra>"
    )

    title = t("charts.heatmap_title", lang, as_of=as_of_text(_frame_month(status), lang))
    fig = _figure(title, height=max(260, 150 + 30 * len(org_order)))
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(range(len(targets))),
            y=list(range(len(org_order))),
            colorscale=status_colorscale(),
            zmin=0,
            zmax=len(STATUSES),
            showscale=False,
            text=text,
            texttemplate="%{text}",
            customdata=cd,
            hovertemplate=hover,
            hoverongaps=False,
            xgap=2,
            ygap=2,
            name=t("charts.relative", lang),
            showlegend=False,
        )
    )
    _status_legend(fig, codes, lang)
    width = (8 if len(targets) <= 6 else 4) if lang == "zh" else (18 if len(targets) <= 6 else 10)
    wrapped = [_wrap(n, lang, width) for n in target_names]
    fig.update_xaxes(
        tickvals=list(range(len(targets))),
        ticktext=wrapped,
        tickangle=0,
        side="top",
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        tickvals=list(range(len(org_order))),
        ticktext=org_names,
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    lines = max((w.count("<br>") + 1 for w in wrapped), default=1)
    fig.update_layout(
        margin=dict(t=60 + 18 * lines),
        legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0),
    )
    return fig


# ----- ranking ----------------------------------------------------------------------------------


def town_relative(status: pd.DataFrame, plan: Plan, *, orgs=None, cap: float = 2.0) -> pd.DataFrame:
    """Each town's average completion ÷ expected over its allocated targets [ratio].

    Only rows with an allocation and something due (expected > 0) count; a target the town
    did not report counts as 0; each ratio is capped at ``cap`` so that one early-season
    target cannot carry a town. ``status`` is ``stretch_achieved``/``achieved`` when every
    counted target is, else ``on_track`` (≥ 1), ``behind`` (≥ the plan's behind band) or
    ``far_behind``; ``no_data`` when the town reported none of them.
    Returns ``org, relative, n_targets, status`` sorted best first.
    """
    f, org_order = _town_rows(status, plan, orgs)
    f = f[f["allocation"].notna() & (pd.to_numeric(f["expected"], errors="coerce") > 0)]
    rel = relative(f)
    has = np.isfinite(rel)
    g = (
        pd.DataFrame(
            {
                "org": f["org"].to_numpy(),
                "rel": np.minimum(np.where(has, rel, 0.0), cap),
                "has": has,
                "achieved": np.isin(f["status"].to_numpy(), ["achieved", "stretch_achieved"]),
                "stretch": f["status"].to_numpy() == "stretch_achieved",
            }
        )
        .groupby("org", sort=False)
        .agg(
            relative=("rel", "mean"),
            n_targets=("rel", "size"),
            n_data=("has", "sum"),
            all_achieved=("achieved", "all"),
            all_stretch=("stretch", "all"),
        )
    )
    g = g.reindex(org_order).dropna(subset=["n_targets"])
    r = g["relative"].to_numpy(dtype=float)
    band = plan.plan.bands.behind
    code = np.select(
        [
            g["n_data"].to_numpy() == 0,
            g["all_stretch"].to_numpy(dtype=bool),
            g["all_achieved"].to_numpy(dtype=bool),
            r >= 1 - 1e-9,
            r >= band - 1e-9,
        ],
        ["no_data", "stretch_achieved", "achieved", "on_track", "behind"],
        default="far_behind",
    )
    out = pd.DataFrame(
        {
            "org": g.index.to_numpy(),
            "relative": np.where(code == "no_data", np.nan, r),
            "n_targets": g["n_targets"].to_numpy(dtype=int),
            "status": code,
        }
    )
    return out.sort_values("relative", ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def ranking(
    frame: pd.DataFrame, plan: Plan, lang: str = "zh", *, score: str | None = None, orgs=None
) -> go.Figure:
    """A ranking bar of towns, best on top, coloured by status.

    ``frame`` is a status frame (ranked by :func:`town_relative`: average completion ÷
    expected across allocated targets [%]) or, with ``score``, any frame with ``org`` and the
    ``score`` column (e.g. a scoring frame [points]); its ``status`` column, if any, colours the bars.
    """
    if score is None:
        r = town_relative(frame, plan, orgs=orgs)
        values = r["relative"].to_numpy(dtype=float) * 100.0
        texts = [fmt_pct(v, lang) for v in r["relative"]]
        axis_title, hover_key = t("charts.relative", lang) + " (%)", "charts.relative"
        title = t("charts.ranking_title", lang, as_of=as_of_text(_frame_month(frame), lang))
        extra = r["n_targets"].astype(str).to_numpy()
    else:
        r = frame[frame["org"] != ALL]
        if orgs is not None:
            r = r[r["org"].isin(list(orgs))]
        r = r.sort_values(score, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
        values = pd.to_numeric(r[score], errors="coerce").to_numpy(dtype=float)
        texts = [fmt(v, "", lang) for v in values]
        axis_title, hover_key = t("charts.score", lang), "charts.score"
        title = t("charts.ranking_score_title", lang)
        extra = None
    codes = r["status"].to_numpy() if "status" in r else np.full(len(r), None)
    names = [_org_label(plan, o, lang) for o in r["org"]]
    rank = np.arange(1, len(r) + 1)
    y = rank - 1
    colors = [status_color(c) if isinstance(c, str) else line_palette["neutral"] for c in codes]
    status_s = [_status_label(c, lang) if isinstance(c, str) else "" for c in codes]
    cd = np.column_stack([names, texts, status_s, rank] + ([extra] if extra is not None else []))
    hover = [
        "<b>%{customdata[3]}. %{customdata[0]}</b>",
        f"{t(hover_key, lang)}{_sep(lang)}%{{customdata[1]}}",
    ]
    if extra is not None:
        hover.append(f"{t('charts.n_targets', lang)}{_sep(lang)}%{{customdata[4]}}")
    if "status" in r:
        hover.append(f"{t('charts.status', lang)}{_sep(lang)}%{{customdata[2]}}")

    fig = _figure(title, height=max(240, 110 + 28 * len(r)), bargap=0.25)
    fig.add_trace(
        go.Bar(
            name=t(hover_key, lang),
            orientation="h",
            y=y,
            x=np.nan_to_num(values, nan=0.0),
            marker=dict(color=colors),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=cd,
            hovertemplate="<br>".join(hover) + "<extra></extra>",
            showlegend=False,
        )
    )
    if "status" in r:
        _status_legend(fig, codes, lang)
    if score is None:
        fig.add_vline(x=100, line=dict(color=line_palette["expected"], width=1, dash="dot"))
        top = np.nanmax(values) if np.isfinite(values).any() else 0.0
        fig.update_xaxes(range=[0, max(110.0, top * 1.15)], ticksuffix="%")
    fig.update_yaxes(
        tickvals=list(y),
        ticktext=[f"{k}. {n}" for k, n in zip(rank, names)],
        autorange="reversed",
        showgrid=False,
    )
    fig.update_xaxes(title_text=axis_title, rangemode="tozero")
    return fig


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

    title = t("charts.share_title", lang, target=_esc(tg.label(lang)))
    fig = _figure(title, height=420, barmode="group", hovermode="x unified")
    for key, values, unit, measure in (
        ("numerator", num, num_unit, tg.numerator),
        ("denominator", den, den_unit, tg.denominator),
    ):
        fig.add_trace(
            go.Bar(
                name=_measure_label(plan, measure, lang),
                x=months,
                y=values,
                marker=dict(color=line_palette[key]),
                customdata=np.column_stack([mlabels, [fmt(v, unit, lang) for v in values]])
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
            customdata=np.column_stack([mlabels, [fmt(v, "%", lang) for v in share]]) if len(s) else None,
            hovertemplate="%{customdata[1]}<extra>%{fullData.name}</extra>",
        )
    )
    for value, key, color, dash in (
        (tg.baseline, "charts.baseline", "baseline", "dot"),
        (tg.target, "charts.target_share", "target", "dash"),
    ):
        if _finite(value):
            fig.add_trace(
                go.Scatter(
                    name=f"{t(key, lang)} {fmt(value, '%', lang)}",
                    x=[1, 12],
                    y=[value, value],
                    yaxis="y2",
                    mode="lines",
                    line=dict(color=line_palette[color], width=1.5, dash=dash),
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        xaxis=dict(tickvals=ticks, ticktext=ticktext, range=[0.5, 12.5]),
        yaxis=dict(
            title_text=t("charts.value_axis", lang, unit=_unit_name(num_unit, lang)),
            rangemode="tozero",
            tickformat=",",
        ),
        yaxis2=dict(
            title_text=t("charts.share_axis", lang),
            overlaying="y",
            side="right",
            showgrid=False,
            ticksuffix="%",
            tickformat=".1f",
            automargin=True,
        ),
    )
    return fig
