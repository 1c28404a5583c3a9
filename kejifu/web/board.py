"""Dashboards: the widgets and HTML that the Voila notebooks in ``dashboards/`` show.

A dashboard notebook is a handful of cells: ``board = dashboard.overview()`` and
the last expression ``board.layout``. Everything it shows is built here, from the
workspace opened **read-only** (``$KEJIFU_WORKSPACE``, see :mod:`kejifu.config`).

Charts are drawn in the browser by the ``kejifu`` Voila template, which loads
plotly.js once from a local static path (see :mod:`kejifu.web.serve`): a
figure is shipped as ``<div class="kejifu-plot"><script type="application/json">…``
inside an ``ipywidgets.HTML``; a small script in the template draws every such div
that appears (also when a filter change replaces it). No script runs inside a
widget and nothing is fetched from outside the server. When a board is displayed its
output also carries the current view as plain HTML (:data:`PRERENDER_MIME`), which the
template shows before the widgets are live.

Every label comes from :func:`kejifu.i18n.t` (``dash.*`` keys in
``catalogue/dashboard.yaml``); every name from the plan or the store is escaped
with :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import charts, config, units
from .. import status as status_mod
from ..i18n import t
from ..palette import status_color, status_text_color

LANG_OPTIONS = (("中文", "zh"), ("English", "en"))
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
#: Mime type of a board's first view as plain HTML, shipped next to the widget view in the
#: notebook output; the ``kejifu`` Voila template shows it before the widgets are live.
PRERENDER_MIME = "application/vnd.kejifu.prerender+html"
#: The most orgs a per-org chart shows (the furthest behind); a note says how many there are.
MAX_ORGS = 30
#: The most town names the freshness line lists (it always gives the count).
MAX_NAMES = 30


# ----- the workspace -----------------------------------------------------------------------------


class _FileWorkspace:
    """Fallback read-only workspace: ``plan.yaml`` and ``reports.csv`` in a folder.

    Used only when :mod:`kejifu.workspace` is not available; it offers the part of
    the ``Workspace`` API the dashboards use.
    """

    def __init__(self, path: Path):
        from ..plan import load_plan

        self.path = Path(path)
        self.plan = load_plan(self.path / config.PLAN_FILE)
        csv = self.path / "reports.csv"
        self.reports = (
            pd.read_csv(csv, dtype={"org": str, "measure": str, "month": str})
            if csv.exists()
            else pd.DataFrame(columns=["org", "measure", "month", "value"])
        )
        self.synthetic = bool(self.plan.plan.synthetic or (self.path / "SYNTHETIC").exists())

    def status(self, as_of, rollup: bool = False, lang: str = "zh") -> pd.DataFrame:
        return status_mod.status(self.plan, self.reports, as_of, rollup=rollup, lang=lang)

    def latest_month(self) -> str | None:
        if self.reports.empty:
            return None
        return str(self.reports["month"].astype(str).max())

    def default_as_of(self) -> dt.date:
        m = self.latest_month()
        if m is None:
            return dt.date(self.plan.year, 1, 1)
        return month_end(m)

    def close(self) -> None:
        pass


def open_workspace(path=None):
    """The workspace at ``path`` (default ``$KEJIFU_WORKSPACE``), opened read-only."""
    folder = config.workspace_dir(path)
    try:
        from ..workspace import open_workspace as _open
    except ImportError:  # pragma: no cover - until kejifu.workspace lands
        return _FileWorkspace(folder)
    return _open(folder, readonly=True)


# ----- small pure helpers ------------------------------------------------------------------------


def month_end(month: str) -> dt.date:
    """The last day of ``YYYY-MM``."""
    p = pd.Period(month, freq="M")
    return p.end_time.date()


def month_label(month: str, lang: str = "zh") -> str:
    """``2005年6月`` / ``Jun 2005`` for ``2005-06``."""
    y, m = int(month[:4]), int(month[5:7])
    if lang == "en":
        return dt.date(y, m, 1).strftime("%b %Y")
    return t("dash.month", "zh", year=y, month=m)


def report_months(ws) -> list[str]:
    """The months of the plan year from January through the latest report [``YYYY-MM``]."""
    year = ws.plan.year
    latest = ws.latest_month()
    if not latest or int(latest[:4]) < year:
        return [f"{year}-01"]
    last = 12 if int(latest[:4]) > year else int(latest[5:7])
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def freshness(ws, month: str) -> tuple[str | None, list[str]]:
    """The newest report month and the ids of towns that filed nothing for ``month``.

    Register-derived counts don't count as a filing: a town that sent no report is
    named even when its terminals were registered."""
    rep = ws.filed
    towns = [o.id for o in ws.plan.towns()]
    if rep.empty:
        return None, towns
    months = rep["month"].astype(str).str.slice(0, 7)
    reported = set(rep.loc[months == month, "org"])
    return ws.latest_month(), [o for o in towns if o not in reported]


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def fmt(value, unit: str, lang: str) -> str:
    """A value with its unit, or an em dash when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    try:
        return units.format_value(value, unit, lang)
    except Exception:  # noqa: BLE001 - display must not fail on an odd unit
        return f"{value:,.2f} {unit}"


def pct(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x * 100:.0f}%"


# ----- figures -----------------------------------------------------------------------------------


def figure_html(fig, height: int | None = None) -> str:
    """A figure as a ``kejifu-plot`` div carrying its JSON; the template's script draws it.

    Much faster than a full HTML export: the JSON is written once, no plotly.js is
    inlined, and nothing needs to execute inside the widget.
    """
    if fig is None:
        return ""
    import plotly.io as pio

    spec = pio.to_json(fig, validate=False, remove_uids=True)
    spec = spec.replace("</", "<\\/")  # never close the script element early
    h = height or (fig.layout.height if fig.layout.height else 420)
    return (
        f'<div class="kejifu-plot" style="height:{int(h)}px">'
        f'<script type="application/json">{spec}</script></div>'
    )


FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"


# ----- HTML blocks -------------------------------------------------------------------------------


def banner_html(ws, lang: str) -> str:
    """The synthetic-data banner 示例数据 (empty for real data)."""
    if not getattr(ws, "synthetic", False):
        return ""
    return f'<div class="kejifu-banner" role="note">{esc(t("dash.synthetic_banner", lang))}</div>'


def freshness_html(ws, month: str, lang: str) -> str:
    latest, missing = freshness(ws, month)
    plan = ws.plan
    parts = [t("dash.latest_report", lang, month=month_label(latest, lang) if latest else "—")]
    if missing:
        sep = "、" if lang == "zh" else ", "
        names = sep.join(plan.org_name(o, lang) for o in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += sep + "…"
        parts.append(
            t("dash.not_reported", lang, month=month_label(month, lang), n=len(missing), towns=names)
        )
    else:
        parts.append(t("dash.all_reported", lang, month=month_label(month, lang)))
    return f'<div class="kejifu-fresh">{" · ".join(esc(p) for p in parts)}</div>'


def card_html(row, plan, lang: str, title: str | None = None) -> str:
    """One target card: value with unit, % done, time progress, status coloured by the palette."""
    tg = plan.target(row["target"])
    code = row["status"]
    colour, text_colour = status_color(code), status_text_color(code)
    value = fmt(row["actual"], row["unit"], lang)
    goal = (
        fmt(row["target_value"], row["unit"], lang)
        if tg.kind != "milestone"
        else (t("dash.due", lang, date=str(tg.due)))
    )
    label = title or tg.label(lang)
    return (
        f'<div class="kejifu-card" data-status="{esc(code)}" style="border-top-color:{colour}">'
        f'<div class="kejifu-card-title">{esc(label)}</div>'
        f'<div class="kejifu-card-value">{esc(value)}</div>'
        f'<div class="kejifu-card-goal">{esc(t("dash.target", lang))} {esc(goal)}</div>'
        f'<div class="kejifu-card-pct">{esc(t("dash.completion", lang))} {esc(pct(row["completion"]))}'
        f" · {esc(t('dash.time_progress', lang))} {esc(pct(row['expected']))}</div>"
        f'<div class="kejifu-card-status" style="background:{colour};color:{text_colour}">'
        f"{esc(t(f'status.{code}', lang))}</div></div>"
    )


def cards_html(frame: pd.DataFrame, plan, lang: str) -> str:
    rows = [card_html(r, plan, lang) for r in frame.to_dict("records")]
    return '<div class="kejifu-cards">' + "".join(rows) + "</div>"


def counts_html(frame: pd.DataFrame, lang: str) -> str:
    counts = status_mod.counts_by_status(frame)
    chips = []
    for code, n in counts.items():
        if n == 0 and code == "not_allocated":
            continue
        chips.append(
            f'<span class="kejifu-chip" data-status="{esc(code)}" style="background:{status_color(code)};'
            f'color:{status_text_color(code)}">{esc(t(f"status.{code}", lang))} {int(n)}</span>'
        )
    return f'<div class="kejifu-counts">{"".join(chips)}</div>'


def table_html(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """A plain escaped HTML table of ``frame[columns]`` with ``columns`` as headers."""
    head = "".join(f"<th>{esc(h)}</th>" for h in columns.values())
    body = []
    for r in frame[list(columns)].itertuples(index=False):
        body.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>")
    return f'<table class="kejifu-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


# ----- the board: controls + sections ------------------------------------------------------------


@dataclass
class Board:
    """A dashboard: controls on top, HTML sections below, re-rendered on every change.

    ``render(board) -> list[str]`` builds the sections' HTML from ``board.lang``,
    ``board.month``, ``board.group`` and ``board.pick``; :attr:`layout` is the widget
    the notebook shows.
    """

    ws: object
    title_key: str
    render: Callable[[Board], list[str]]
    pick_options: Callable[[Board], list[tuple[str, str]]] | None = None
    pick_key: str = ""
    with_group: bool = True
    lang: str = "zh"
    month: str = ""
    group: str = ""
    pick: str = ""
    _cache: dict = field(default_factory=dict)

    def __post_init__(self):
        import ipywidgets as w

        self.months = report_months(self.ws)
        self.month = self.months[-1]
        self.title = w.HTML()
        self.banner = w.HTML()
        self.fresh = w.HTML()
        self.lang_w = w.ToggleButtons(
            options=list(LANG_OPTIONS), value=self.lang, style={"button_width": "72px"}
        )
        self.lang_w.add_class("kejifu-lang")
        self.month_w = w.Dropdown(value=None)
        self.month_w.add_class("kejifu-month")
        self.group_w = w.Dropdown(value=None)
        self.group_w.add_class("kejifu-group")
        self.pick_w = w.Dropdown(value=None)
        self.pick_w.add_class("kejifu-pick")
        self.sections: list = []
        self._updating = False
        self._set_options()
        controls = [self.lang_w, self.month_w]
        if self.with_group:
            controls.append(self.group_w)
        if self.pick_options is not None:
            controls.append(self.pick_w)
        self.controls = w.HBox(controls)
        self.controls.add_class("kejifu-controls")
        self.body = w.VBox([])
        self._parts: list[str] = []
        self.layout = _board_box()([self.title, self.banner, self.controls, self.fresh, self.body])
        self.layout.kejifu_board = self
        self.layout.add_class("kejifu-board")
        for widget in (self.lang_w, self.month_w, self.group_w, self.pick_w):
            widget.observe(self._changed, names="value")
        self.refresh()

    # state ---------------------------------------------------------------------------------
    def _set_options(self) -> None:
        lang, plan = self.lang, self.ws.plan
        self._updating = True
        try:
            self.month_w.description = t("dash.as_of", lang)
            self.month_w.options = [(month_label(m, lang), m) for m in self.months]
            self.month_w.value = self.month
            groups = [g for g in dict.fromkeys(tg.group for tg in plan.targets) if g]
            self.group_w.description = t("dash.group", lang)
            self.group_w.options = [(t("dash.all_groups", lang), "")] + [
                (plan.group_label(g, lang), g) for g in groups
            ]
            self.group_w.value = self.group
            if self.pick_options is not None:
                opts = self.pick_options(self)
                self.pick_w.description = t(self.pick_key, lang)
                self.pick_w.options = opts
                values = [v for _, v in opts]
                if self.pick not in values:
                    self.pick = values[0] if values else ""
                self.pick_w.value = self.pick or None
        finally:
            self._updating = False

    def _changed(self, change) -> None:
        if self._updating:
            return
        self.lang = self.lang_w.value or "zh"
        self.month = self.month_w.value or self.months[-1]
        self.group = self.group_w.value or ""
        self.pick = self.pick_w.value or ""
        if change["owner"] is self.lang_w or change["owner"] is self.group_w:
            self._set_options()
        self.refresh()

    @property
    def as_of(self) -> dt.date:
        return month_end(self.month)

    def status(self) -> pd.DataFrame:
        """The status frame for the chosen month and language (cached)."""
        key = (self.month, self.lang)
        if key not in self._cache:
            self._cache[key] = self.ws.status(self.as_of, lang=self.lang)
        return self._cache[key]

    def units(self) -> list[str] | None:
        """The orgs a per-org chart lists: the level below the plan's root when that level is
        not the reporting one (the cities of a province plan, the counties of a city plan);
        None for a county plan, whose charts list every reporting org as before. A root with a
        single child (a city plan for one county) is looked through."""
        plan = self.ws.plan
        kids = plan.children(plan.root().id)
        while len(kids) == 1:
            kids = plan.children(kids[0].id)
        if not any(plan.children(o.id) for o in kids):
            return None
        return [o.id for o in kids]

    def org_status(self) -> pd.DataFrame:
        """The status frame the per-org charts use: :meth:`status` for a county plan; for a plan
        with levels between the root and the towns, the total and the :meth:`units`, rolled up
        from the towns (:func:`kejifu.status.status` with ``rollup=True``) — not every town."""
        units = self.units()
        if units is None:
            return self.status()
        key = ("rollup", self.month, self.lang)
        if key not in self._cache:
            st = self.ws.status(self.as_of, rollup=True, lang=self.lang)
            self._cache[key] = st[st["org"].isin([status_mod.ALL, *units])].reset_index(drop=True)
        return self._cache[key]

    def totals(self) -> pd.DataFrame:
        f = status_mod.totals(self.status())
        if self.group:
            f = f[f["group"] == self.group]
        return f.reset_index(drop=True)

    # rendering -----------------------------------------------------------------------------
    def refresh(self) -> None:
        import ipywidgets as w

        lang = self.lang
        self.title.value = (
            f'<h1 class="kejifu-title">{esc(t(self.title_key, lang))}</h1>'
            f'<div class="kejifu-subtitle">{esc(self.ws.plan.plan.title_en if lang == "en" and self.ws.plan.plan.title_en else self.ws.plan.plan.title)}</div>'
        )
        self.banner.value = banner_html(self.ws, lang)
        self.fresh.value = freshness_html(self.ws, self.month, lang)
        parts = self._parts = self.render(self)
        while len(self.sections) < len(parts):
            sec = w.HTML()
            sec.add_class("kejifu-section")
            self.sections.append(sec)
        for sec, part in zip(self.sections, parts):
            if sec.value != part:
                sec.value = part
        if len(self.body.children) != len(parts):
            self.body.children = tuple(self.sections[: len(parts)])

    def static_html(self) -> str:
        """The current view as plain HTML (no widgets): the same title, banner, freshness line
        and sections as the live board, and the controls drawn as inert labels. The template
        shows it while the page's widget front end starts (see ``kejifu-plots.js``)."""

        def pick(widget) -> str:
            return (
                f"<label>{esc(widget.description)}</label>"
                f"<span>{esc(widget.label if widget.label is not None else '')}</span>"
            )

        toggle = "".join(
            f'<span class="{"on" if code == self.lang else ""}">{esc(label)}</span>'
            for label, code in LANG_OPTIONS
        )
        controls = [toggle, pick(self.month_w)]
        if self.with_group:
            controls.append(pick(self.group_w))
        if self.pick_options is not None:
            controls.append(pick(self.pick_w))
        sections = "".join(f'<div class="kejifu-section">{part}</div>' for part in self._parts)
        return (
            f'<div class="kejifu-pre" data-sections="{len(self._parts)}" aria-busy="true">'
            f"{self.title.value}{self.banner.value}"
            f'<div class="kejifu-pre-controls">{"".join(controls)}</div>'
            f"{self.fresh.value}{sections}</div>"
        )


_BOARD_BOX = None


def _board_box():
    """``ipywidgets.VBox`` whose display also carries the board's view as plain HTML
    (:data:`PRERENDER_MIME`); the browser renders it as an ordinary VBox."""
    global _BOARD_BOX
    if _BOARD_BOX is None:
        import ipywidgets as w

        class BoardBox(w.VBox):
            kejifu_board = None

            def _repr_mimebundle_(self, **kwargs):
                bundle = super()._repr_mimebundle_(**kwargs)
                if bundle is not None and self.kejifu_board is not None:
                    bundle = {
                        **bundle,
                        "text/plain": f"<kejifu board {self.kejifu_board.title_key}>",
                        PRERENDER_MIME: self.kejifu_board.static_html(),
                    }
                return bundle

        _BOARD_BOX = BoardBox
    return _BOARD_BOX


def _section(title: str, inner: str) -> str:
    return f"<section><h2>{esc(title)}</h2>{inner}</section>"


def _cap(rows: pd.DataFrame, lang: str, score: pd.Series | None = None) -> tuple[pd.DataFrame, str]:
    """At most :data:`MAX_ORGS` orgs of ``rows`` (a status frame without the total): those with the
    lowest ``score`` (default: completion ÷ time progress), and a note when some were left out."""
    orgs = list(dict.fromkeys(rows["org"]))
    if len(orgs) <= MAX_ORGS:
        return rows, ""
    if score is None:
        score = pd.Series(charts.relative(rows), index=rows.index).groupby(rows["org"]).mean()
    keep = set(score.reindex(orgs).fillna(-np.inf).sort_values(kind="stable").index[:MAX_ORGS])
    note = f'<p class="kejifu-note">{esc(t("dash.capped", lang, n=len(orgs), shown=MAX_ORGS))}</p>'
    return rows[rows["org"].isin(keep)], note


# ----- the four dashboards -----------------------------------------------------------------------


def _render_overview(b: Board) -> list[str]:
    lang, plan = b.lang, b.ws.plan
    tot = b.totals()
    fig = charts.bullet(tot, plan, lang) if not tot.empty else None
    return [
        _section(t("dash.counts", lang), counts_html(tot, lang)),
        _section(t("dash.targets", lang), cards_html(tot, plan, lang)),
        _section(t("dash.progress_chart", lang), figure_html(fig)),
    ]


def overview(ws=None) -> Board:
    """01 总览: a card per target, counts by status, as-of month and group filters."""
    return Board(ws or open_workspace(), "dash.overview.title", _render_overview)


def _series(b: Board, target: str) -> pd.DataFrame:
    from ..series import monthly

    key = ("series", target, b.month)
    if key not in b._cache:
        b._cache[key] = monthly(b.ws.plan, b.ws.reports, targets=[target], through=int(b.month[5:7]))
    return b._cache[key]


def _projection(b: Board) -> pd.DataFrame | None:
    from ..projection import project

    key = ("projection", b.month)
    if key not in b._cache:
        b._cache[key] = project(b.ws.plan, b.ws.reports, b.as_of)
    return b._cache[key]


def _target_options(b: Board) -> list[tuple[str, str]]:
    return [(tg.label(b.lang), tg.id) for tg in b.ws.plan.targets if not b.group or tg.group == b.group]


def _render_detail(b: Board) -> list[str]:
    lang, plan = b.lang, b.ws.plan
    opts = [v for _, v in _target_options(b)]
    target = b.pick if b.pick in opts else (opts[0] if opts else plan.targets[0].id)
    tg = plan.target(target)
    st = b.org_status()
    rows = st[st["target"] == target]
    total = rows[rows["org"] == status_mod.ALL]
    per_org, note = _cap(rows[rows["org"] != status_mod.ALL], lang)
    per_org = per_org.copy()
    per_org["name"] = [plan.org_name(o, lang) for o in per_org["org"]]
    series = _series(b, target)
    traj = charts.trajectory(series, plan, target, projection=_projection(b), lang=lang)
    towns_fig = charts.bullet(per_org, plan, lang) if not per_org.empty else None
    table = per_org.assign(
        actual_f=[fmt(v, u, lang) for v, u in zip(per_org["actual"], per_org["unit"])],
        alloc_f=[fmt(v, u, lang) for v, u in zip(per_org["allocation"], per_org["unit"])],
        comp_f=[pct(v) for v in per_org["completion"]],
    )
    cols = {
        "name": t("dash.org", lang),
        "actual_f": t("dash.actual", lang),
        "alloc_f": t("dash.allocation", lang),
        "comp_f": t("dash.completion", lang),
        "status_label": t("dash.status", lang),
    }
    out = [
        _section(tg.label(lang), cards_html(total, plan, lang) if not total.empty else ""),
        _section(t("dash.trajectory", lang), figure_html(traj)),
    ]
    if towns_fig is not None:
        out.append(_section(t("dash.by_org", lang), note + figure_html(towns_fig)))
    out.append(
        _section(
            t("dash.table", lang),
            table_html(table, cols) if not table.empty else esc(t("dash.no_rows", lang)),
        )
    )
    return out


def detail(ws=None) -> Board:
    """02 指标详情: target picker, trajectory, per-town breakdown vs allocation, table."""
    return Board(
        ws or open_workspace(),
        "dash.detail.title",
        _render_detail,
        pick_options=_target_options,
        pick_key="dash.pick_target",
    )


# towns -----------------------------------------------------------------------------------------


def _group_targets(b: Board) -> list[str] | None:
    if not b.group:
        return None
    return [tg.id for tg in b.ws.plan.targets if tg.group == b.group]


def _town_options(b: Board) -> list[tuple[str, str]]:
    units = b.units()
    ids = units if units is not None else [o.id for o in b.ws.plan.towns()]
    return [(b.ws.plan.org_name(o, b.lang), o) for o in ids]


def _render_towns(b: Board) -> list[str]:
    lang, plan = b.lang, b.ws.plan
    st = b.org_status()
    units = b.units()
    targets = _group_targets(b)
    alloc = st[st["allocation"].notna() & (st["org"] != status_mod.ALL)]
    if targets is not None:
        alloc = alloc[alloc["target"].isin(targets)]
    note = ""
    if not alloc.empty:
        alloc, note = _cap(
            alloc, lang, charts.town_relative(alloc, plan, orgs=units).set_index("org")["relative"]
        )
    heat = charts.heatmap(alloc, plan, lang, orgs=units) if not alloc.empty else None
    rank = charts.ranking(alloc, plan, lang, orgs=units) if not alloc.empty else None
    town = b.pick or (_town_options(b)[0][1] if _town_options(b) else "")
    mine = st[(st["org"] == town) & st["allocation"].notna()]
    if b.group:
        mine = mine[mine["group"] == b.group]
    return [
        _section(
            t("dash.heatmap", lang),
            note + figure_html(heat) if heat is not None else esc(t("dash.no_rows", lang)),
        ),
        _section(
            t("dash.ranking", lang),
            note + figure_html(rank) if rank is not None else esc(t("dash.no_rows", lang)),
        ),
        _section(
            t("dash.scorecard", lang, town=plan.org_name(town, lang)),
            cards_html(mine, plan, lang) if not mine.empty else esc(t("dash.no_rows", lang)),
        ),
    ]


def towns(ws=None) -> Board:
    """03 乡镇排名: heatmap of towns × targets, ranking, one town's scorecard."""
    return Board(
        ws or open_workspace(),
        "dash.towns.title",
        _render_towns,
        pick_options=_town_options,
        pick_key="dash.pick_town",
    )


# high-tech share -------------------------------------------------------------------------------


def _share_targets(b: Board) -> list[tuple[str, str]]:
    return [(tg.label(b.lang), tg.id) for tg in b.ws.plan.targets if tg.kind == "share"]


def _render_hightech(b: Board) -> list[str]:
    lang, plan = b.lang, b.ws.plan
    opts = [v for _, v in _share_targets(b)]
    if not opts:
        return [esc(t("dash.no_rows", lang))]
    target = b.pick if b.pick in opts else opts[0]
    tg = plan.target(target)
    st = b.org_status()
    total = st[(st["target"] == target) & (st["org"] == status_mod.ALL)]
    num_unit, den_unit = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
    summary = ""
    if not total.empty:
        r = total.iloc[0]
        summary = esc(
            t(
                "dash.share_summary",
                lang,
                num_name=_measure_title(plan, tg.numerator, lang),
                den_name=_measure_title(plan, tg.denominator, lang),
                num=fmt(r["numerator"], num_unit, lang),
                den=fmt(r["denominator"], den_unit, lang),
                share=fmt(r["actual"], "%", lang),
                target=fmt(r["target_value"], "%", lang),
                baseline=fmt(r["baseline"], "%", lang),
            )
        )
    series = _series(b, target)
    out = [
        _section(
            tg.label(lang),
            (cards_html(total, plan, lang) if not total.empty else "")
            + f'<p class="kejifu-note">{summary}</p>',
        ),
        _section(t("dash.share_chart", lang), figure_html(charts.share_chart(series, plan, target, lang))),
    ]
    # Who makes up the numerator: the target tracking the numerator measure, per org (e.g. enterprises).
    feeders = [x.id for x in plan.targets if x.kind != "share" and x.measures[0] == tg.numerator]
    rows = st[st["target"].isin(feeders) & (st["org"] != status_mod.ALL)].copy()
    note = ""
    if not rows.empty:
        rows, note = _cap(rows, lang)
        rows = rows.copy()
        rows["name"] = [plan.org_name(o, lang) for o in rows["org"]]
        whole = float(total.iloc[0]["numerator"]) if not total.empty else math.nan
        table = rows.assign(
            actual_f=[fmt(v, u, lang) for v, u in zip(rows["actual"], rows["unit"])],
            alloc_f=[fmt(v, u, lang) for v, u in zip(rows["allocation"], rows["unit"])],
            part_f=[pct(v / whole) if whole and math.isfinite(whole) else "—" for v in rows["actual"]],
            comp_f=[pct(v) for v in rows["completion"]],
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
            _section(
                t("dash.by_enterprise", lang, name=_measure_title(plan, tg.numerator, lang)),
                note + figure_html(charts.bullet(rows, plan, lang)) + table_html(table, cols),
            )
        )
    return out


def _measure_title(plan, measure_id: str, lang: str) -> str:
    m = plan.measure_index.get(measure_id)
    if m is None:
        return plan.target(measure_id).label(lang)
    return (m.title_en or m.title) if lang == "en" else m.title


def hightech(ws=None) -> Board:
    """04 高新技术产业: the high-tech share from its numerator and denominator."""
    board = Board(
        ws or open_workspace(),
        "dash.hightech.title",
        _render_hightech,
        pick_options=_share_targets,
        pick_key="dash.pick_share",
        with_group=False,
    )
    return board
