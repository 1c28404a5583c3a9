"""01 总览: counts by status and the worst targets first, a card per target, completion against
time progress."""

from __future__ import annotations

import pandas as pd

from ... import charts
from ...bulletin import LAG_ORDER
from ...i18n import t
from ..board import Board, BoardWorkspace, open_workspace
from ..html import attention_html, cards_html, counts_html, figure_html, section

#: The most targets the 最需关注 list names (the rest are counted).
MAX_ATTENTION = 5


def worst_targets(totals: pd.DataFrame) -> pd.DataFrame:
    """The lagging targets of a totals frame, worst first: by status (严重滞后, 逾期, 未达标, 滞后:
    :data:`kejifu.bulletin.LAG_ORDER`), then by the gap to time progress [percentage points],
    the largest gap first; a target without a gap (a milestone) last within its status."""
    if totals.empty:
        return totals
    order = {code: i for i, code in enumerate(LAG_ORDER)}
    f = totals[totals["status"].isin(list(LAG_ORDER))].copy()
    f["_order"] = f["status"].map(order)
    f["_gap"] = pd.to_numeric(f["gap_pp"], errors="coerce")
    f = f.sort_values(["_order", "_gap"], kind="stable", na_position="last")
    return f.drop(columns=["_order", "_gap"]).reset_index(drop=True)


def render(b: Board) -> list[str]:
    """The overview's sections for the board's month, group and language: the counts by status
    with the worst targets under them (a phone's first screen), the cards, the chart."""
    lang, plan = b.lang, b.ws.plan
    tot = b.totals()
    fig = charts.bullet(tot, plan, lang) if not tot.empty else None
    worst = worst_targets(tot)
    attention = attention_html(worst.head(MAX_ATTENTION), plan, lang, more=len(worst) - MAX_ATTENTION)
    return [
        section(t("dash.counts", lang), counts_html(tot, lang) + attention),
        section(t("dash.targets", lang), cards_html(tot, plan, lang)),
        section(t("dash.progress_chart", lang), figure_html(fig)),
    ]


def overview(ws: BoardWorkspace | None = None) -> Board:
    """01 总览: a card per target, counts by status, as-of month and group filters."""
    return Board(ws or open_workspace(), "dash.overview.title", render)
