"""03 乡镇排名: the towns × targets heatmap, the ranking and one town's scorecard."""

from __future__ import annotations

from ... import charts
from ... import status as status_mod
from ...i18n import t
from ..board import Board, BoardWorkspace, cap_orgs, open_workspace
from ..html import cards_html, figure_html, label, name, no_rows, section, section_html


def group_targets(b: Board) -> list[str] | None:
    """Ids of the chosen group's targets (None: every target)."""
    if not b.group:
        return None
    return [tg.id for tg in b.ws.plan.targets if tg.group == b.group]


def town_options(b: Board) -> list[tuple[str, str]]:
    """(name, id) of the orgs a town can be picked from (the units of a province or city plan)."""
    units = b.units()
    ids = units if units is not None else [o.id for o in b.ws.plan.towns()]
    return [(b.ws.plan.org_name(o, b.lang), o) for o in ids]


def render(b: Board) -> list[str]:
    """The towns board's sections: heatmap, ranking, the picked town's cards."""
    lang, plan = b.lang, b.ws.plan
    st = b.org_status()
    units = b.units()
    targets = group_targets(b)
    alloc = st[st["allocation"].notna() & (st["org"] != status_mod.ALL)]
    if targets is not None:
        alloc = alloc[alloc["target"].isin(targets)]
    note = ""
    if not alloc.empty:
        alloc, note = cap_orgs(
            alloc, lang, charts.town_relative(alloc, plan, orgs=units).set_index("org")["relative"]
        )
    heat = charts.heatmap(alloc, plan, lang, orgs=units) if not alloc.empty else None
    rank = charts.ranking(alloc, plan, lang, orgs=units) if not alloc.empty else None
    options = town_options(b)
    town = b.pick or (options[0][1] if options else "")
    mine = st[(st["org"] == town) & st["allocation"].notna()]
    if b.group:
        mine = mine[mine["group"] == b.group]
    return [
        section(t("dash.heatmap", lang), note + figure_html(heat) if heat is not None else no_rows(lang)),
        section(t("dash.ranking", lang), note + figure_html(rank) if rank is not None else no_rows(lang)),
        section_html(
            label("dash.scorecard", lang, town=name(plan.org_name(town, lang))),
            cards_html(mine, plan, lang) if not mine.empty else no_rows(lang),
        ),
    ]


def towns(ws: BoardWorkspace | None = None) -> Board:
    """03 乡镇排名: heatmap of towns × targets, ranking, one town's scorecard."""
    return Board(
        ws or open_workspace(),
        "dash.towns.title",
        render,
        pick_options=town_options,
        pick_key="dash.pick_town",
    )
