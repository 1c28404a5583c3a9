"""The common ground of the chart builders: the light template, labels from the catalogue,
figures as text through the one formatter (:mod:`kejifu.display`), the status legend and colour
scale, month ticks, and HTML export.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from babel.dates import get_month_names

from .. import bulletin, display, months, units
from ..i18n import t
from ..palette import status_color
from ..plan import Plan
from ..status import ALL, STATUSES

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


def pct(share, lang: str = "zh") -> str:
    """A share [1 = 100 %] as per cent through :func:`kejifu.display.pct` (cut, never rounded up):
    one decimal, none for a whole per cent (``80%``, ``136.4%``); ``—`` when missing."""
    if not display.is_number(share):
        return display.MISSING
    whole = display.truncate(float(share) * 100.0, 1) % 1 == 0
    return display.pct(share, lang, 0 if whole else 1)


def estimate(value, unit: str, lang: str = "zh") -> str:
    """An estimate [unit]: whole numbers from 100 up (``4,126亩``), else as :func:`kejifu.display.number`."""
    big = display.is_number(value) and abs(float(value)) >= 100
    return display.number(value, unit, lang, 0 if big else None)


def unit_name(unit: str, lang: str) -> str:
    """The unit for an axis title: ``亿元`` / ``100 million yuan`` (:func:`kejifu.units.unit_label`)."""
    return units.unit_label(unit or "", lang)


def sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def opening(lang: str) -> str:
    return "（" if lang == "zh" else " ("


def closing(lang: str) -> str:
    return "）" if lang == "zh" else ")"


def esc(text: str) -> str:
    """Names from plan files, escaped: plotly.js renders <a>, <b>, <span> tags in labels and hovers."""
    return html.escape(str(text), quote=False)


def named_hover(key: str, lang: str, extra: str = "") -> str:
    """A hover template: ``customdata[0]`` on the first line, then label ``key``: ``customdata[1]``."""
    return f"%{{customdata[0]}}<br>{t(key, lang)}{sep(lang)}%{{customdata[1]}}{extra}<extra></extra>"


def org_label(plan: Plan, org: str, lang: str) -> str:
    return esc(plan.org_name(org, lang))


def status_label(code, lang: str) -> str:
    return t(f"status.{code if isinstance(code, str) else 'no_data'}", lang)


def target_label(plan: Plan, target_id: str, lang: str) -> str:
    tg = plan.target_index.get(target_id)
    return esc(tg.label(lang)) if tg is not None else str(target_id)


def measure_label(plan: Plan, measure_id: str, lang: str) -> str:
    m = plan.measure_index.get(measure_id)
    if m is None:
        return target_label(plan, measure_id, lang)
    return esc((m.title_en or m.title) if lang == "en" else m.title)


def as_of_text(month: str, lang: str = "zh") -> str:
    """``截至2005年6月`` / ``to June 2005`` for a reporting month ``YYYY-MM`` ('' → none yet)."""
    if not isinstance(month, str) or len(month) < 7:
        return t("charts.not_yet", lang)
    year, mon = months.split(month)
    return t("charts.as_of", lang, year=year, month=mon, month_en=get_month_names("wide", locale="en")[mon])


def frame_month(frame: pd.DataFrame) -> str:
    """The month ``YYYY-MM`` a figure's data run through (:func:`kejifu.bulletin.data_month`), so
    that a title never says 「截至6月」 for data that end in March; '' when nothing was reported."""
    if "month" not in frame.columns or frame.empty:
        return ""
    return bulletin.data_month(frame)


def series_month(series: pd.DataFrame, year: int) -> str:
    """The month ``YYYY-MM`` the figures of a series frame (months 1..12 of ``year``) run through:
    the last month with a figure of its own (a month carried forward from the one before does not
    count); '' when there is none."""
    if series.empty:
        return ""
    actual = pd.to_numeric(series["actual"], errors="coerce").to_numpy(dtype=float)
    own = np.isfinite(actual)
    if "stale" in series:
        own &= ~series["stale"].fillna(False).astype(bool).to_numpy()
    if not own.any():
        return ""
    return months.key(year, int(series["month"].to_numpy(dtype=int)[own].max()))


def month_ticks(lang: str = "zh") -> tuple[list[int], list[str]]:
    """Tick values 1..12 and their labels (``1月`` / ``Jan``)."""
    names = get_month_names("abbreviated", locale="zh_CN" if lang == "zh" else "en")
    return list(range(1, 13)), [names[m] for m in range(1, 13)]


#: Tick steps an axis may use, per decade: 1, 2, 5, 10, 20, 50, …
_STEPS = (1, 2, 5)


def _step(span: float, max_ticks: int, smallest: float) -> float:
    """The smallest round step (1, 2, 5 × 10^k, at least ``smallest``) giving at most ``max_ticks``
    intervals over ``span``."""
    k = 0
    while True:
        for s in _STEPS:
            d = s * 10.0**k
            if d >= smallest and span / d <= max_ticks:
                return d
        k += 1


def round_ticks(values, *, max_ticks: int = 8, smallest: float = 1.0) -> dict:
    """Axis settings with round ticks covering every finite value of ``values`` [axis unit]: a step
    of 1, 2, 5, 10 … (at least ``smallest``; 1 by default, so a share axis reads 30 %, 31 %, … and
    never 30.5 %), ``tickvals`` at its multiples and a range a little wider than the outer ticks."""
    v = np.asarray([x for x in values if display.is_number(x)], dtype=float)
    if v.size == 0:
        return {}
    lo, hi = float(v.min()), float(v.max())
    d = _step(max(hi - lo, smallest), max_ticks, smallest)
    first, last = float(np.floor(lo / d) * d), float(np.ceil(hi / d) * d)
    if last == first:
        last = first + d
    ticks = [round(first + i * d, 9) for i in range(int(round((last - first) / d)) + 1)]
    return dict(tickvals=ticks, range=[first - 0.25 * d, last + 0.25 * d])


def integer_axis(top, *, max_ticks: int = 10) -> dict:
    """Axis settings for counts of whole things (people, reports) up to ``top`` [count]: ticks at
    whole numbers only (``dtick`` 1, 2, 5, 10 …, never 0.5), from zero."""
    top = float(top) if display.is_number(top) and float(top) > 0 else 1.0
    d = _step(top, max_ticks, 1.0)
    return dict(tick0=0, dtick=int(d), tickformat="d", rangemode="tozero", range=[0, max(top * 1.1, d)])


def wrap(label: str, lang: str, width: int | None = None) -> str:
    """Break a long axis label (already HTML-escaped) into lines joined by ``<br>``.

    The label is unescaped before it is cut and each line escaped again, so that a break never
    falls inside an entity (``&lt;/b&gt;`` is never shown as text)."""
    raw = html.unescape(label)
    if lang == "zh":
        width = width or 8
        lines = [raw[i : i + width] for i in range(0, len(raw), width)]
    else:
        lines = textwrap.wrap(raw, width or 18)
    return "<br>".join(html.escape(line, quote=False) for line in lines) or label


def scatter_class(n_points: int):
    """``go.Scattergl`` for long traces, ``go.Scatter`` otherwise."""
    return go.Scattergl if n_points > WEBGL_THRESHOLD else go.Scatter


def figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=dict(text=title), **layout)
    return fig


def status_legend(fig: go.Figure, codes, lang: str) -> None:
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


def town_rows(status: pd.DataFrame, plan: Plan, orgs) -> tuple[pd.DataFrame, list[str]]:
    """The non-total rows of ``orgs`` (default: the plan's towns) and those orgs present, in order."""
    order = list(orgs) if orgs is not None else [o.id for o in plan.towns()]
    f = status[(status["org"] != ALL) & status["org"].isin(order)]
    return f, [o for o in order if o in set(f["org"])]
