"""04 高新技术产业: a share target from its numerator and denominator, and who makes up the numerator."""

from __future__ import annotations

import math

from ... import charts, display
from ... import status as status_mod
from ...i18n import t
from ..board import Board, BoardWorkspace, cap_orgs, open_workspace
from ..html import (
    cards_html,
    figure_html,
    label,
    name,
    no_rows,
    note,
    number_html,
    pct,
    section,
    section_html,
    table_html,
)


def share_targets(b: Board) -> list[tuple[str, str]]:
    """(label, id) of every share target."""
    return [(tg.label(b.lang), tg.id) for tg in b.ws.plan.targets if tg.kind == "share"]


def measure_title(plan, measure_id: str, lang: str) -> str:
    """The title of a measure (or of the target that tracks it)."""
    m = plan.measure_index.get(measure_id)
    if m is None:
        return plan.target(measure_id).label(lang)
    return (m.title_en or m.title) if lang == "en" else m.title


def render(b: Board) -> list[str]:
    """The high-tech board's sections for the picked share target."""
    lang, plan = b.lang, b.ws.plan
    opts = [v for _, v in share_targets(b)]
    if not opts:
        return [no_rows(lang)]
    target = b.pick if b.pick in opts else opts[0]
    tg = plan.target(target)
    st = b.org_status()
    total = st[(st["target"] == target) & (st["org"] == status_mod.ALL)]
    num_unit, den_unit = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
    summary = ""
    if not total.empty:
        r = total.iloc[0]
        summary = label(
            "dash.share_summary",
            lang,
            num_name=name(measure_title(plan, tg.numerator, lang)),
            den_name=name(measure_title(plan, tg.denominator, lang)),
            num=number_html(r["numerator"], num_unit, lang),
            den=number_html(r["denominator"], den_unit, lang),
            share=number_html(r["actual"], "%", lang),
            target=number_html(r["target_value"], "%", lang),
            baseline=number_html(r["baseline"], "%", lang),
        )
    out = [
        section(
            tg.label(lang),
            (cards_html(total, plan, lang) if not total.empty else "") + note(summary),
            title_is_name=True,
        ),
        section(
            t("dash.share_chart", lang), figure_html(charts.share_chart(b.series(target), plan, target, lang))
        ),
    ]
    # Who makes up the numerator: the target tracking the numerator measure, per org (e.g. enterprises).
    feeders = [x.id for x in plan.targets if x.kind != "share" and x.measures[0] == tg.numerator]
    rows = st[st["target"].isin(feeders) & (st["org"] != status_mod.ALL)].copy()
    if not rows.empty:
        rows, capped = cap_orgs(rows, lang)
        rows = rows.copy()
        rows["name"] = [plan.org_name(o, lang) for o in rows["org"]]
        whole = float(total.iloc[0]["numerator"]) if not total.empty else math.nan
        table = rows.assign(
            actual_f=[display.number(v, u, lang) for v, u in zip(rows["actual"], rows["unit"])],
            alloc_f=[display.number(v, u, lang) for v, u in zip(rows["allocation"], rows["unit"])],
            part_f=[
                pct(v / whole, lang) if whole and math.isfinite(whole) else display.MISSING
                for v in rows["actual"]
            ],
            comp_f=[pct(v, lang) for v in rows["completion"]],
        )
        cols = {
            "name": t("dash.org", lang),
            "actual_f": t("dash.actual", lang),
            "alloc_f": t("dash.allocation", lang),
            "comp_f": t("dash.completion", lang),
            "part_f": t("dash.part_of_numerator", lang),
            "status_label": t("dash.status", lang),
        }
        out.append(
            section_html(
                label("dash.by_enterprise", lang, name=name(measure_title(plan, tg.numerator, lang))),
                capped + figure_html(charts.bullet(rows, plan, lang)) + table_html(table, cols),
            )
        )
    return out


def hightech(ws: BoardWorkspace | None = None) -> Board:
    """04 高新技术产业: the high-tech share from its numerator and denominator."""
    return Board(
        ws or open_workspace(),
        "dash.hightech.title",
        render,
        pick_options=share_targets,
        pick_key="dash.pick_share",
        with_group=False,
    )
