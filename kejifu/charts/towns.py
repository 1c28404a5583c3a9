"""Towns side by side: the towns × targets heatmap and the ranking bar. The ranking itself is
:mod:`kejifu.ranking` (the one rule); this module only draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import display
from .. import ranking as ranking_rule
from ..i18n import t
from ..palette import line_palette, readable_text, status_color
from ..plan import Plan
from ..status import ALL, STATUSES
from .base import (
    as_of_text,
    figure,
    frame_month,
    org_label,
    pct,
    sep,
    status_colorscale,
    status_label,
    status_legend,
    status_z,
    target_label,
    town_rows,
    wrap,
)


def heatmap(status: pd.DataFrame, plan: Plan, lang: str = "zh", *, orgs=None, targets=None) -> go.Figure:
    """Towns × targets: each cell shows completion ÷ expected [%] and is coloured by status.

    ``status`` is a status frame (:func:`kejifu.status.status`); rows are the plan's towns
    (or ``orgs``, in that order), columns the targets present for them (or ``targets``).
    Hover: town, target, actual with unit, completion, expected, status label.
    """
    f, org_order = town_rows(status, plan, orgs)
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
    text[ri, ci] = [pct(r, lang) for r in rel]
    org_names = [org_label(plan, o, lang) for o in org_order]
    target_names = [target_label(plan, tg, lang) for tg in targets]
    unit = f["unit"].fillna("").astype(str).to_numpy() if "unit" in f else np.full(len(f), "")
    stale = f["stale"].fillna(False).astype(bool).to_numpy() if "stale" in f else np.zeros(len(f), bool)
    cd = np.full(shape + (7,), "", dtype=object)
    cd[ri, ci, 0] = [org_names[i] for i in ri]
    cd[ri, ci, 1] = [target_names[j] for j in ci]
    cd[ri, ci, 2] = [display.number(v, u, lang) for v, u in zip(f["actual"].to_numpy(dtype=float), unit)]
    cd[ri, ci, 3] = [pct(v, lang) for v in pd.to_numeric(f["completion"], errors="coerce")]
    cd[ri, ci, 4] = [pct(v, lang) for v in pd.to_numeric(f["expected"], errors="coerce")]
    cd[ri, ci, 5] = [
        status_label(c, lang) + (t("charts.stale", lang) if s else "") for c, s in zip(codes, stale)
    ]
    cd[ri, ci, 6] = text[ri, ci]
    hover = (
        "<br>".join(
            [
                f"{t('charts.town', lang)}{sep(lang)}%{{customdata[0]}}",
                f"{t('charts.target_name', lang)}{sep(lang)}%{{customdata[1]}}",
                f"{t('charts.actual', lang)}{sep(lang)}%{{customdata[2]}}",
                f"{t('charts.completion', lang)}{sep(lang)}%{{customdata[3]}}",
                f"{t('charts.expected_share', lang)}{sep(lang)}%{{customdata[4]}}",
                f"{t('charts.relative', lang)}{sep(lang)}%{{customdata[6]}}",
                f"{t('charts.status', lang)}{sep(lang)}<b>%{{customdata[5]}}</b>",
            ]
        )
        + "<extra></extra>"
    )

    title = t("charts.heatmap_title", lang, as_of=as_of_text(frame_month(status), lang))
    fig = figure(title, height=max(260, 150 + 30 * len(org_order)))
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
            customdata=cd,
            hovertemplate=hover,
            hoverongaps=False,
            xgap=2,
            ygap=2,
            name=t("charts.relative", lang),
            showlegend=False,
        )
    )
    # Cell text as annotations: each in black or white by its cell's luminance (a heatmap's own
    # text has one colour for every cell).
    fig.update_layout(
        annotations=[
            dict(
                x=int(j),
                y=int(i),
                text=label,
                showarrow=False,
                font=dict(color=readable_text(status_color(c))),
            )
            for i, j, c, label in zip(ri, ci, codes, text[ri, ci])
        ]
    )
    status_legend(fig, codes, lang)
    width = (8 if len(targets) <= 6 else 4) if lang == "zh" else (18 if len(targets) <= 6 else 10)
    wrapped = [wrap(n, lang, width) for n in target_names]
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


def ranking(
    frame: pd.DataFrame, plan: Plan, lang: str = "zh", *, score: str | None = None, orgs=None
) -> go.Figure:
    """A ranking bar of towns, best on top, coloured by status; tied towns share a rank.

    ``frame`` is a status frame (ranked by the one rule, :func:`kejifu.ranking.rank_towns`:
    average completion ÷ expected across allocated targets [%]; a town that reported nothing is
    last and labelled so) or, with ``score``, any frame with ``org`` and the ``score`` column
    (e.g. a scoring frame [points]); its ``status`` column, if any, colours the bars.
    """
    if score is None:
        r = town_relative(frame, plan, orgs=orgs)
        values = r["relative"].to_numpy(dtype=float) * 100.0
        silent = t("charts.not_reported", lang)
        texts = [pct(v, lang) if ok else silent for v, ok in zip(r["relative"], r["reported"])]
        axis_title, hover_key = t("charts.relative", lang) + " (%)", "charts.relative"
        title = t("charts.ranking_title", lang, as_of=as_of_text(frame_month(frame), lang))
        extra = r["n_targets"].astype(str).to_numpy()
        rank = r["rank"].to_numpy(dtype=int)
    else:
        r = frame[frame["org"] != ALL]
        if orgs is not None:
            r = r[r["org"].isin(list(orgs))]
        said = r["reported"].to_numpy(dtype=bool) if "reported" in r else None
        r = r.assign(_rank=ranking_rule.shared_ranks(r[score], reported=said))
        r = r.sort_values("_rank", kind="stable").reset_index(drop=True)
        values = pd.to_numeric(r[score], errors="coerce").to_numpy(dtype=float)
        texts = [display.number(v, "", lang) for v in values]
        axis_title, hover_key = t("charts.score", lang), "charts.score"
        title = t("charts.ranking_score_title", lang)
        extra = None
        rank = r["_rank"].to_numpy(dtype=int)
    codes = r["status"].to_numpy() if "status" in r else np.full(len(r), None)
    names = [org_label(plan, o, lang) for o in r["org"]]
    y = np.arange(len(r))
    colors = [status_color(c) if isinstance(c, str) else line_palette["neutral"] for c in codes]
    status_s = [status_label(c, lang) if isinstance(c, str) else "" for c in codes]
    cd = np.column_stack([names, texts, status_s, rank] + ([extra] if extra is not None else []))
    hover = [
        "<b>%{customdata[3]}. %{customdata[0]}</b>",
        f"{t(hover_key, lang)}{sep(lang)}%{{customdata[1]}}",
    ]
    if extra is not None:
        hover.append(f"{t('charts.n_targets', lang)}{sep(lang)}%{{customdata[4]}}")
    if "status" in r:
        hover.append(f"{t('charts.status', lang)}{sep(lang)}%{{customdata[2]}}")

    fig = figure(title, height=max(240, 110 + 28 * len(r)), bargap=0.25)
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
        status_legend(fig, codes, lang)
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


def relative(frame: pd.DataFrame) -> np.ndarray:
    """Completion relative to expected (completion ÷ expected) [ratio]; NaN when nothing is due yet.

    The same as :func:`kejifu.ranking.ratio` (kept here for the dashboards)."""
    return ranking_rule.ratio(frame)


def town_relative(status: pd.DataFrame, plan: Plan, *, orgs=None) -> pd.DataFrame:
    """Each town's relative progress by the one ranking rule (:func:`kejifu.ranking.rank_towns`,
    whose cap is the plan's ``settings.ranking.cap``).

    ``orgs`` default: the plan's towns. Returns ``rank, org, relative`` [ratio], ``n_targets``,
    ``status`` and ``reported`` (False: reported nothing, ranked last), best first.
    """
    order = list(orgs) if orgs is not None else [o.id for o in plan.towns()]
    r = ranking_rule.rank_towns(status, plan, orgs=order)
    return r[["rank", "org", "relative", "n_targets", "status", "reported"]]
