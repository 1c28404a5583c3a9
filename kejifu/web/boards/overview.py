"""01 总览: counts by status, a card per target, completion against time progress."""

from __future__ import annotations

from ... import charts
from ...i18n import t
from ..board import Board, BoardWorkspace, open_workspace
from ..html import cards_html, counts_html, figure_html, section


def render(b: Board) -> list[str]:
    """The overview's sections for the board's month, group and language."""
    lang, plan = b.lang, b.ws.plan
    tot = b.totals()
    fig = charts.bullet(tot, plan, lang) if not tot.empty else None
    return [
        section(t("dash.counts", lang), counts_html(tot, lang)),
        section(t("dash.targets", lang), cards_html(tot, plan, lang)),
        section(t("dash.progress_chart", lang), figure_html(fig)),
    ]


def overview(ws: BoardWorkspace | None = None) -> Board:
    """01 总览: a card per target, counts by status, as-of month and group filters."""
    return Board(ws or open_workspace(), "dash.overview.title", render)
