"""A five-year plan's paths: each target's yearly actuals against its straight path."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..i18n import t
from .base import esc, figure


def five_year(paths: pd.DataFrame, lang: str = "zh", *, synthetic: bool = False) -> go.Figure:
    """Yearly actuals (lines with markers) and the straight path (dotted) of every target in
    ``paths`` — the frame of :func:`kejifu.reviews.five_year` (``target, target_title, year,
    actual, path`` [target unit]). ``synthetic`` marks the title as demo data."""
    title = t("charts.five_year_title", lang)
    if synthetic:
        title += t("charts.synthetic_suffix", lang)
    fig = figure(title, height=460, hovermode="x unified")
    if paths is None or paths.empty:
        return fig
    for _, p in paths.groupby("target", sort=False):
        name = esc(p["target_title"].iloc[0])
        fig.add_scatter(x=p["year"], y=p["actual"], mode="lines+markers", name=name)
        fig.add_scatter(
            x=p["year"],
            y=p["path"],
            mode="lines",
            line=dict(dash="dot"),
            name=t("charts.path_of", lang, target=name),
        )
    fig.update_xaxes(dtick=1, title_text=t("charts.year", lang))
    return fig
