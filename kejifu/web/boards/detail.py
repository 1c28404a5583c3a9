"""02 指标详情: one target's month-by-month trajectory and its orgs against their allocations."""

from __future__ import annotations

from ... import charts, display
from ... import status as status_mod
from ...i18n import t
from ..board import Board, BoardWorkspace, cap_orgs, open_workspace
from ..html import cards_html, figure_html, no_rows, pct, section, table_html


def target_options(b: Board) -> list[tuple[str, str]]:
    """(label, id) of every target of the chosen group."""
    return [(tg.label(b.lang), tg.id) for tg in b.ws.plan.targets if not b.group or tg.group == b.group]


def render(b: Board) -> list[str]:
    """The detail's sections for the picked target."""
    lang, plan = b.lang, b.ws.plan
    opts = [v for _, v in target_options(b)]
    target = b.pick if b.pick in opts else (opts[0] if opts else plan.targets[0].id)
    tg = plan.target(target)
    st = b.org_status()
    rows = st[st["target"] == target]
    total = rows[rows["org"] == status_mod.ALL]
    per_org, note = cap_orgs(rows[rows["org"] != status_mod.ALL], lang)
    per_org = per_org.copy()
    per_org["name"] = [plan.org_name(o, lang) for o in per_org["org"]]
    traj = charts.trajectory(b.series(target), plan, target, projection=b.projection(), lang=lang)
    towns_fig = charts.bullet(per_org, plan, lang) if not per_org.empty else None
    table = per_org.assign(
        actual_f=[display.number(v, u, lang) for v, u in zip(per_org["actual"], per_org["unit"])],
        alloc_f=[display.number(v, u, lang) for v, u in zip(per_org["allocation"], per_org["unit"])],
        comp_f=[pct(v, lang) for v in per_org["completion"]],
    )
    cols = {
        "name": t("dash.org", lang),
        "actual_f": t("dash.actual", lang),
        "alloc_f": t("dash.allocation", lang),
        "comp_f": t("dash.completion", lang),
        "status_label": t("dash.status", lang),
    }
    out = [
        section(tg.label(lang), cards_html(total, plan, lang) if not total.empty else "", title_is_name=True),
        section(t("dash.trajectory", lang), figure_html(traj)),
    ]
    if towns_fig is not None:
        out.append(section(t("dash.by_org", lang), note + figure_html(towns_fig)))
    out.append(section(t("dash.table", lang), table_html(table, cols) if not table.empty else no_rows(lang)))
    return out


def detail(ws: BoardWorkspace | None = None) -> Board:
    """02 指标详情: target picker, trajectory, per-town breakdown vs allocation, table."""
    return Board(
        ws or open_workspace(),
        "dash.detail.title",
        render,
        pick_options=target_options,
        pick_key="dash.pick_target",
    )
