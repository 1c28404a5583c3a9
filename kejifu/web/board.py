"""The board: the controller every dashboard notebook shows (controls on top, HTML sections below).

A dashboard notebook is a handful of cells: ``board = boards.overview()`` and the last expression
``board.layout``. The board opens the workspace **read-only** (``$KEJIFU_WORKSPACE``, see
:mod:`kejifu.config`), keeps the chosen language, month, group and pick, caches the frames it
computes and re-renders its sections on every change; what a section shows is built by the
dashboard's own module in :mod:`kejifu.web.boards`, from the snippets of :mod:`kejifu.web.html`.

Charts are drawn in the browser by the ``kejifu`` Voila template, which loads plotly.js once from
a local static path (see :mod:`kejifu.web.serve`): a figure is shipped as ``<div
class="kejifu-plot"><script type="application/json">…`` inside an ``ipywidgets.HTML``
(:func:`~kejifu.web.html.figure_html`); a small script in the template draws every such div that
appears. No script runs inside a widget and nothing is fetched from outside the server. When a
board is displayed its output also carries the current view as plain HTML (:data:`PRERENDER_MIME`),
which the template shows before the widgets are live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .. import charts, config, months
from .. import status as status_mod
from ..i18n import t
from ..plan import Plan
from . import html as snippets

# The snippets the deputies board and older callers import from here.
from .html import (  # noqa: F401 - re-exported
    MAX_NAMES,
    card_html,
    cards_html,
    esc,
    figure_html,
    freshness,
    freshness_html,
    table_html,
)

LANG_OPTIONS = (("中文", "zh"), ("English", "en"))
#: Mime type of a board's first view as plain HTML, shipped next to the widget view in the
#: notebook output; the ``kejifu`` Voila template shows it before the widgets are live.
PRERENDER_MIME = "application/vnd.kejifu.prerender+html"
#: The most orgs a per-org chart shows (the furthest behind); a note says how many there are.
MAX_ORGS = 30


# ----- the workspace a board reads -------------------------------------------------------------


class BoardWorkspace(Protocol):
    """What a board reads from a workspace (:class:`kejifu.workspace.Workspace` provides it; a test
    may pass any object with these members)."""

    @property
    def plan(self) -> Plan: ...

    @property
    def reports(self) -> pd.DataFrame:
        """Reports frame ``org, measure, month ('YYYY-MM'), value, note`` (registers included)."""
        ...

    @property
    def filed(self) -> pd.DataFrame:
        """Only the figures orgs filed themselves: who has reported."""
        ...

    @property
    def synthetic(self) -> bool: ...

    def status(
        self, as_of: dt.date | str | None = None, rollup: bool = False, lang: str = "zh"
    ) -> pd.DataFrame:
        """:func:`kejifu.status.status` of the workspace as of ``as_of``."""
        ...

    def latest_month(self) -> str | None:
        """``YYYY-MM`` of the newest report (None before the first)."""
        ...

    def default_as_of(self) -> dt.date:
        """The end of the latest month at least half of the expected reporters have filed."""
        ...

    def refresh(self) -> bool:
        """Pick up batches committed since the figures were read; True when anything changed."""
        ...


def open_workspace(path=None) -> BoardWorkspace:
    """The workspace at ``path`` (default ``$KEJIFU_WORKSPACE``), opened read-only."""
    from ..workspace import open_workspace as _open

    return _open(config.workspace_dir(path), readonly=True)


def report_months(ws: BoardWorkspace) -> list[str]:
    """The months of the plan year from January through the latest report [``YYYY-MM``]."""
    year = ws.plan.year
    latest = ws.latest_month()
    if not latest or months.split(latest)[0] < year:
        return [months.key(year, 1)]
    last_year, last_month = months.split(latest)
    last = 12 if last_year > year else last_month
    return [months.key(year, m) for m in range(1, last + 1)]


def default_month(ws: BoardWorkspace, choices: list[str]) -> str:
    """The month a board opens on: the workspace's default as-of month (the latest month at least
    half of the expected reporters have filed), so that one clerk's slip to a later month does not
    move every leader's view; the latest month offered when that one is not among ``choices``."""
    wanted = months.key(*months.split(ws.default_as_of().isoformat()))
    return wanted if wanted in choices else choices[-1]


# ----- the board: controls + sections ----------------------------------------------------------


@dataclass
class Board:
    """A dashboard: controls on top, HTML sections below, re-rendered on every change.

    ``render(board) -> list[str]`` builds the sections' HTML from ``board.lang``,
    ``board.month``, ``board.group`` and ``board.pick``; :attr:`layout` is the widget
    the notebook shows.
    """

    ws: BoardWorkspace
    title_key: str
    render: Callable[[Board], list[str]]
    pick_options: Callable[[Board], list[tuple[str, str]]] | None = None
    pick_key: str = ""
    #: The value the picker opens on (and falls back to when the pick leaves the options); the
    #: first option when None or when it names no option.
    pick_default: Callable[[Board], str] | None = None
    with_group: bool = True
    lang: str = "zh"
    month: str = ""
    group: str = ""
    pick: str = ""
    _cache: dict = field(default_factory=dict)

    def __post_init__(self):
        import ipywidgets as w

        self.months = report_months(self.ws)
        self.month = default_month(self.ws, self.months)
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
            self.month_w.options = [(months.label(m, lang), m) for m in self.months]
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
                    wanted = self.pick_default(self) if self.pick_default is not None else ""
                    self.pick = wanted if wanted in values else (values[0] if values else "")
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
        """The last day of the chosen month."""
        return months.month_end(self.month)

    def cached(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per ``key`` for the life of the board (frames depend on the month,
        not on the widgets' state, so a key names what they depend on)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def status(self) -> pd.DataFrame:
        """The status frame for the chosen month and language (cached)."""
        return self.cached((self.month, self.lang), lambda: self.ws.status(self.as_of, lang=self.lang))

    def series(self, target: str) -> pd.DataFrame:
        """:func:`kejifu.series.monthly` of ``target`` through the chosen month (cached)."""
        from ..series import monthly

        return self.cached(
            ("series", target, self.month),
            lambda: monthly(
                self.ws.plan, self.ws.reports, targets=[target], through=months.split(self.month)[1]
            ),
        )

    def projection(self) -> pd.DataFrame:
        """:func:`kejifu.projection.project` as of the chosen month (cached)."""
        from ..projection import project

        return self.cached(
            ("projection", self.month), lambda: project(self.ws.plan, self.ws.reports, self.as_of)
        )

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

        def build() -> pd.DataFrame:
            st = self.ws.status(self.as_of, rollup=True, lang=self.lang)
            return st[st["org"].isin([status_mod.ALL, *units])].reset_index(drop=True)

        return self.cached(("rollup", self.month, self.lang), build)

    def totals(self) -> pd.DataFrame:
        """The total row of every target (of the chosen group)."""
        f = status_mod.totals(self.status())
        if self.group:
            f = f[f["group"] == self.group]
        return f.reset_index(drop=True)

    # rendering -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-render the title, banner, freshness line and every section."""
        import ipywidgets as w

        if getattr(self.ws, "refresh", bool)():  # a batch imported since: drop frames built before it
            self._cache.clear()
            # and offer the months it brought; the chosen month stays while it is offered
            self.months = report_months(self.ws)
            if self.month not in self.months:
                self.month = default_month(self.ws, self.months)
            self._set_options()
        lang = self.lang
        self.title.value = snippets.title_html(self.title_key, self.ws, lang)
        self.banner.value = snippets.banner_html(self.ws, lang)
        self.fresh.value = snippets.freshness_html(self.ws, self.month, lang)
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
                f"<span>{snippets.name(widget.label if widget.label is not None else '')}</span>"
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


# ----- helpers the dashboards share ------------------------------------------------------------


def cap_orgs(rows: pd.DataFrame, lang: str, score: pd.Series | None = None) -> tuple[pd.DataFrame, str]:
    """At most :data:`MAX_ORGS` orgs of ``rows`` (a status frame without the total): those with the
    lowest ``score`` (default: completion ÷ time progress), and a note (HTML) when some were left out."""
    orgs = list(dict.fromkeys(rows["org"]))
    if len(orgs) <= MAX_ORGS:
        return rows, ""
    if score is None:
        score = pd.Series(charts.relative(rows), index=rows.index).groupby(rows["org"]).mean()
    keep = set(score.reindex(orgs).fillna(-np.inf).sort_values(kind="stable").index[:MAX_ORGS])
    text = esc(t("dash.capped", lang, n=len(orgs), shown=MAX_ORGS))
    return rows[rows["org"].isin(keep)], snippets.note(text)
