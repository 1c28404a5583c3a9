"""02 指标详情: one target's month-by-month trajectory and its orgs against their allocations.

The board opens on the target furthest behind (:func:`default_target`). An org that reports a
target it was not allocated is drawn with its figure and marked 未分解, never 无数据; a target
nobody was allocated draws each org's figure in the target's unit (:func:`kejifu.charts.org_actuals`).
A milestone gets its own card (state, due date, days left or over, who reports it) and a timeline
(:func:`kejifu.charts.milestone`) instead of a trajectory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import charts, display, months, ranking
from ... import status as status_mod
from ...i18n import t
from ...palette import status_color, status_text_color
from ...rollup import milestone_owner
from ..board import Board, BoardWorkspace, cap_orgs, open_workspace
from ..html import cards_html, esc, figure_html, name, no_rows, pct, section, table_html


def target_options(b: Board) -> list[tuple[str, str]]:
    """(label, id) of every target of the chosen group."""
    return [(tg.label(b.lang), tg.id) for tg in b.ws.plan.targets if not b.group or tg.group == b.group]


def furthest_behind(totals: pd.DataFrame, order: list[str]) -> str:
    """The target furthest behind among the total rows of a status frame: the lowest completion ÷
    time progress [ratio] among the targets with something due (time progress above zero), ties
    by plan ``order``; failing that the first lagging one (a floor not met); '' when none is due."""
    f = totals[totals["target"].isin(order)].copy()
    if f.empty:
        return ""
    f["_pos"] = [order.index(x) for x in f["target"]]
    f["_ratio"] = ranking.ratio(f)
    due = f[np.isfinite(f["_ratio"].to_numpy(dtype=float))]
    if not due.empty:
        return str(due.sort_values(["_ratio", "_pos"], kind="stable")["target"].iloc[0])
    lagging = f[f["status"].isin(status_mod.LAGGING)].sort_values("_pos", kind="stable")
    return str(lagging["target"].iloc[0]) if not lagging.empty else ""


def default_target(b: Board) -> str:
    """The target 02 opens on: :func:`furthest_behind` among the chosen group's targets as of the
    chosen month; the first target when nothing is due yet."""
    order = [v for _, v in target_options(b)]
    return furthest_behind(b.totals(), order) or (order[0] if order else "")


def milestone_card(row: dict, plan, lang: str, done: str) -> str:
    """A milestone's card: its state (未到期 / 已完成 / 逾期) coloured by the palette, the due
    date, the days left or past it (or the month it was reported done) and who reports it."""
    tg = plan.target(row["target"])
    code = row["status"] if isinstance(row["status"], str) else "no_data"
    colour, text_colour = status_color(code), status_text_color(code)
    month = row.get("data_month") or row.get("month") or ""
    as_of = months.month_end(month) if month else None
    if code == "achieved" and done:
        when = t("dash.milestone.done", lang, month=months.label(months.key(plan.year, int(done)), lang))
    elif as_of is not None and tg.due is not None:
        when = charts.milestone_days(tg.due, as_of, code, lang)
    else:
        when = ""
    owner = plan.org_name(milestone_owner(plan, tg), lang)
    return (
        f'<div class="kejifu-cards"><div class="kejifu-card kejifu-milestone" data-status="{esc(code)}"'
        f' style="border-top-color:{colour}">'
        f'<div class="kejifu-card-title">{name(tg.label(lang))}</div>'
        f'<div class="kejifu-card-value">{esc(t(f"status.{code}", lang))}</div>'
        f'<div class="kejifu-card-goal">{esc(t("dash.due", lang, date=str(tg.due)))}</div>'
        f'<div class="kejifu-card-pct">{esc(when)}</div>'
        f'<div class="kejifu-card-pct">{esc(t("dash.milestone.kind", lang))}</div>'
        f'<div class="kejifu-card-pct">{t("dash.milestone.owner", lang, org=name(owner))}</div>'
        f'<div class="kejifu-card-status" style="background:{colour};color:{text_colour}">'
        f"{esc(t(f'status.{code}', lang))}</div></div></div>"
    )


def render(b: Board) -> list[str]:
    """The detail's sections for the picked target."""
    lang, plan = b.lang, b.ws.plan
    opts = [v for _, v in target_options(b)]
    target = b.pick if b.pick in opts else (default_target(b) or plan.targets[0].id)
    tg = plan.target(target)
    st = b.org_status()
    rows = st[st["target"] == target]
    total = rows[rows["org"] == status_mod.ALL]
    per_org, note = cap_orgs(rows[rows["org"] != status_mod.ALL], lang)
    per_org = per_org.copy()
    per_org["name"] = [plan.org_name(o, lang) for o in per_org["org"]]
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
    table_section = section(
        t("dash.table", lang), table_html(table, cols) if not table.empty else no_rows(lang)
    )
    if tg.kind == "milestone":
        done = charts.done_month(b.series(target), target)
        row = total.iloc[0].to_dict() if not total.empty else {"target": target, "status": "no_data"}
        fig = charts.milestone(row, plan, target, lang, done=done)
        return [
            section(tg.label(lang), milestone_card(row, plan, lang, done), title_is_name=True),
            section(t("dash.milestone.chart", lang), figure_html(fig)),
            table_section,
        ]
    traj = charts.trajectory(b.series(target), plan, target, projection=b.projection(), lang=lang)
    out = [
        section(tg.label(lang), cards_html(total, plan, lang) if not total.empty else "", title_is_name=True),
        section(t("dash.trajectory", lang), figure_html(traj)),
    ]
    if not per_org.empty:
        allocated = per_org["allocation"].notna().any() or not (per_org["status"] == "not_allocated").any()
        if allocated:
            out.append(
                section(t("dash.by_org", lang), note + figure_html(charts.bullet(per_org, plan, lang)))
            )
        else:
            fig = charts.org_actuals(per_org, plan, lang)
            out.append(section(t("dash.by_org_unallocated", lang), note + figure_html(fig)))
    out.append(table_section)
    return out


def detail(ws: BoardWorkspace | None = None) -> Board:
    """02 指标详情: target picker (opening on the target furthest behind), trajectory or milestone
    timeline, per-town breakdown vs allocation, table."""
    return Board(
        ws or open_workspace(),
        "dash.detail.title",
        render,
        pick_options=target_options,
        pick_key="dash.pick_target",
        pick_default=default_target,
    )
