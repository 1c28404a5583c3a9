"""The front page at ``/`` and the navigation bar of every dashboard.

- :func:`facts`: what the front page says about a workspace, read once per data version (the
  plan's title and region, the month the data run through, who has reported, and a key count
  per dashboard from the status engine, e.g. 「2项严重滞后」);
- :func:`page_html`: the front page (pure: facts in, HTML out): a card per dashboard with its
  purpose and key count, in both languages at once; the language shown is chosen in the page
  (``kejifu-nav.js``: ``<html data-kejifu-lang>``, kept in ``localStorage`` across pages);
- :func:`nav_html`: the slim bar on every page (front page, the five boards, 中文/English);
  the ``kejifu`` Voila template carries it (see :func:`kejifu.web.serve.prepare_data_dir`);
- :func:`install`: in the server process, ``/`` answers with the front page instead of Voila's
  file list (which loads Font Awesome from a CDN) and ``/voila/tree…`` redirects there.

Every name from the plan is escaped and isolated (:func:`kejifu.web.html.name`); nothing on the
page is fetched from another machine.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .. import completeness, display, months
from .. import status as status_mod
from ..i18n import LANGS, t
from .html import esc, name

log = logging.getLogger("kejifu.serve")


@dataclass(frozen=True)
class BoardLink:
    """A dashboard notebook (``dashboards/<stem>.ipynb``) and its catalogue key part."""

    stem: str
    key: str
    title_key: str

    def url(self, base_url: str = "/") -> str:
        """The board's page [URL path], its Chinese name percent-encoded."""
        return f"{base_url}voila/render/{urllib.parse.quote(self.stem)}.ipynb"


#: The dashboards, in the order of ``dashboards/``.
BOARDS = (
    BoardLink("01_总览", "overview", "dash.overview.title"),
    BoardLink("02_指标详情", "detail", "dash.detail.title"),
    BoardLink("03_乡镇排名", "towns", "dash.towns.title"),
    BoardLink("04_高新技术产业", "hightech", "dash.hightech.title"),
    BoardLink("05_科技副职", "deputies", "deputies.title"),
)
#: The static files of the ``kejifu`` template the front page loads (served from ``/voila/static/``).
NAV_CSS, NAV_JS = "kejifu-nav.css", "kejifu-nav.js"


@dataclass(frozen=True)
class Share:
    """A share target's total: its label per language and its value [%]."""

    labels: dict[str, str]
    value: float | None


@dataclass(frozen=True)
class FrontFacts:
    """What the front page says about a workspace (numbers and names; no HTML)."""

    title: str
    title_en: str = ""
    region: str = ""
    synthetic: bool = False
    data_month: str | None = None  # ``YYYY-MM`` the data run through (None: nothing reported)
    completeness: dict[str, str] = field(default_factory=dict)  # lang -> 「15个乡镇中13个已报送；…」
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> names not reported
    targets: int = 0  # targets in the plan [targets]
    far_behind: int = 0  # totals far behind [targets]
    overdue: int = 0  # milestones overdue [targets]
    not_met: int = 0  # floors not met [targets]
    behind: int = 0  # totals behind [targets]
    towns: int = 0  # towns in the plan [towns]
    towns_lagging: int = 0  # towns with a lagging target (behind, far behind, not met, overdue) [towns]
    share: Share | None = None  # the first share target's total
    deputies_serving: int | None = None  # technology deputies serving [people] (None: no ledger)


def facts(ws, as_of: dt.date | None = None) -> FrontFacts:
    """The front page's facts for a workspace as of ``as_of`` (default: its default as-of date)."""
    plan = ws.plan
    p = plan.plan
    as_of = as_of or ws.default_as_of()
    month = ws.data_month(as_of)
    st = ws.status(as_of)
    tot = status_mod.totals(st)
    counts = status_mod.counts_by_status(tot)
    towns = [o.id for o in plan.towns()]
    lagging = st[st["org"].isin(towns) & st["status"].isin(status_mod.LAGGING)]["org"].nunique()
    share = None
    shares = [tg for tg in plan.targets if tg.kind == "share"]
    if shares:
        row = tot[tot["target"] == shares[0].id]
        value = (
            float(row["actual"].iloc[0]) if len(row) and display.is_number(row["actual"].iloc[0]) else None
        )
        share = Share({lang: shares[0].label(lang) for lang in LANGS}, value)
    text, missing = {}, {}
    if month:
        ids = completeness.missing_reporters(plan, ws.filed, month)
        for lang in LANGS:
            text[lang] = completeness.completeness_text(plan, ws.filed, month, lang)
            missing[lang] = tuple(plan.org_name(o, lang) for o in ids)
    return FrontFacts(
        title=p.title,
        title_en=p.title_en,
        region=p.region,
        synthetic=bool(ws.synthetic),
        data_month=month,
        completeness=text,
        missing=missing,
        targets=len(plan.targets),
        far_behind=int(counts.get("far_behind", 0)),
        overdue=int(counts.get("overdue", 0)),
        not_met=int(counts.get("not_met", 0)),
        behind=int(counts.get("behind", 0)),
        towns=len(towns),
        towns_lagging=int(lagging),
        share=share,
        deputies_serving=_deputies_serving(ws, as_of),
    )


def _deputies_serving(ws, as_of: dt.date) -> int | None:
    """Technology deputies serving on ``as_of`` [people]; None when the workspace has no ledger."""
    from ..deputies import roster_by
    from ..deputies import store as deputies_store

    store = getattr(ws, "store", None)
    if store is None:
        return None
    roster = deputies_store.load(store).roster
    if roster.empty:
        return None
    return int(roster_by(roster, as_of)["serving"].sum())


# ----- HTML -------------------------------------------------------------------------------------


def _counted(key: str, n: int, lang: str, **parts) -> str:
    """The label ``key.one`` / ``key.other`` for ``n`` [count] (English singular and plural)."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, n=n, **parts)


def _bilingual(render) -> str:
    """``render(lang)`` (HTML) for each language, each in its own ``lang`` span; the page's
    ``data-kejifu-lang`` shows one."""
    return "".join(f'<span class="kejifu-l" lang="{lang}">{render(lang)}</span>' for lang in LANGS)


def key_html(board: str, f: FrontFacts, lang: str) -> str:
    """A dashboard's key count (HTML), e.g. 「2项严重滞后，3项滞后」: on the overview the lagging
    statuses (:data:`kejifu.status.LAGGING`), worst first."""
    if board == "overview":
        lagging = (("far_behind", f.far_behind), ("overdue", f.overdue), ("not_met", f.not_met))
        parts = [_counted(f"front.key.{code}", n, lang) for code, n in (*lagging, ("behind", f.behind)) if n]
        return esc(t("front.key.sep", lang).join(parts) if parts else t("front.key.none_behind", lang))
    if board == "detail":
        return esc(_counted("front.key.targets", f.targets, lang))
    if board == "towns":
        return esc(_counted("front.key.towns_lagging", f.towns_lagging, lang, total=f.towns))
    if board == "hightech" and f.share is not None:
        value = esc(display.number(f.share.value, "%", lang))
        return esc(t("front.key.share", lang)).format(name=name(f.share.labels.get(lang, "")), value=value)
    if board == "deputies" and f.deputies_serving is not None:
        return esc(_counted("front.key.deputies", f.deputies_serving, lang))
    return ""


def completeness_html(f: FrontFacts, lang: str) -> str:
    """「数据截至2005年6月 · 15个乡镇中13个已报送；马牧池乡未按时报送」, every name isolated."""
    if not f.data_month:
        return esc(t("front.no_data", lang))
    line = esc(f.completeness.get(lang, ""))
    names = sorted(set(f.missing.get(lang, ())), key=len, reverse=True)  # a name may hold another
    for i, who in enumerate(names):
        line = line.replace(esc(who), f"\0{i}\0")
    for i, who in enumerate(names):
        line = line.replace(f"\0{i}\0", name(who))
    head = esc(months.through_text(f.data_month, lang))
    return f"{head} · {line}" if line else head


def nav_html(base_url: str = "/", boards=BOARDS) -> str:
    """The navigation bar: the front page, each board, and the 中文/English switch (both
    languages in the page; ``kejifu-nav.js`` marks the current page and the chosen language)."""
    home = _bilingual(lambda g: esc(t("front.home", g)))
    links = [f'<a href="{esc(base_url)}" data-kejifu-page="home">{home}</a>']
    for b in boards:
        text = _bilingual(lambda g, b=b: esc(t(f"front.nav.{b.key}", g)))
        links.append(f'<a href="{esc(b.url(base_url))}" data-kejifu-page="{esc(b.key)}">{text}</a>')
    lang = "".join(
        f'<button type="button" data-kejifu-set-lang="{code}" lang="{code}">{esc(label)}</button>'
        for label, code in (("中文", "zh"), ("English", "en"))
    )
    return (
        f'<nav class="kejifu-nav" aria-label="{esc(t("front.nav_label", "zh"))}">'
        f'<div class="kejifu-nav-links">{"".join(links)}</div>'
        f'<div class="kejifu-nav-lang" role="group" aria-label="{esc(t("front.lang_label", "zh"))}">'
        f"{lang}</div>"
        "</nav>"
    )


def card_html(b: BoardLink, f: FrontFacts | None, base_url: str = "/") -> str:
    """A dashboard's card: its title, purpose and key count, linking to it."""
    title = _bilingual(lambda g: esc(t(b.title_key, g)))
    purpose = _bilingual(lambda g: esc(t(f"front.purpose.{b.key}", g)))
    key = _bilingual(lambda g: key_html(b.key, f, g)) if f is not None else ""
    return (
        f'<a class="kejifu-front-card" href="{esc(b.url(base_url))}" data-board="{esc(b.key)}">'
        f'<span class="kejifu-front-card-title">{title}</span>'
        f'<span class="kejifu-front-card-purpose">{purpose}</span>'
        f'<span class="kejifu-front-card-key">{key}</span></a>'
    )


def page_html(f: FrontFacts | None, *, base_url: str = "/", boards=BOARDS, version: str = "") -> str:
    """The whole front page: the plan's title and region, the data month and who has reported,
    a card per dashboard. ``f`` None (the workspace could not be read): the cards only.
    ``version`` goes on the static file links so that browsers cache them."""
    v = f"?v={esc(version)}" if version else ""
    static = f"{esc(base_url)}voila/static/"
    if f is not None:
        title = _bilingual(lambda g: name(f.title_en if g == "en" and f.title_en else f.title))
        region = f'<div class="kejifu-front-region">{name(f.region)}</div>' if f.region else ""
        banner = _bilingual(lambda g: esc(t("dash.synthetic_banner", g))) if f.synthetic else ""
        banner = f'<div class="kejifu-banner" role="note">{banner}</div>' if banner else ""
        fresh = f'<div class="kejifu-fresh">{_bilingual(lambda g: completeness_html(f, g))}</div>'
    else:
        title = _bilingual(lambda g: esc(t("front.page_title", g)))
        region = banner = fresh = ""
    cards = "".join(card_html(b, f, base_url) for b in boards)
    head_title = f"{t('front.page_title', 'zh')} / {t('front.page_title', 'en')}"
    return (
        '<!DOCTYPE html><html lang="zh" data-kejifu-lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(head_title)}</title>"
        '<link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{static}{NAV_CSS}{v}">'
        f'<script src="{static}{NAV_JS}{v}"></script>'
        '</head><body class="kejifu-front">'
        f"{nav_html(base_url, boards)}"
        '<main class="kejifu-front-main">'
        f'<h1 class="kejifu-title">{title}</h1>{region}{banner}{fresh}'
        f'<h2 class="kejifu-front-h2">{_bilingual(lambda g: esc(t("front.dashboards", g)))}</h2>'
        f'<div class="kejifu-front-cards">{cards}</div>'
        "</main></body></html>"
    )


# ----- the server process -----------------------------------------------------------------------


class FrontPage:
    """The front page of a running server: facts read from the workspace (read-only) once per
    data version of its store, so an import shows on the next reload."""

    def __init__(self, boards=BOARDS, version: str = "", workspace: Path | None = None) -> None:
        self.boards, self.version, self.workspace = boards, version, workspace
        self._ws = None
        self._key = None
        self._facts: FrontFacts | None = None

    def facts(self) -> FrontFacts | None:
        """The current facts (None when the workspace cannot be read; the error is logged)."""
        try:
            if self._ws is None:
                from .. import config
                from ..workspace import open_workspace

                self._ws = open_workspace(config.workspace_dir(self.workspace), readonly=True)
            key = self._ws.store.data_version()
            if key != self._key or self._facts is None:
                self._ws.forget()
                self._facts, self._key = facts(self._ws), key
        except Exception:  # noqa: BLE001 - the front page still links the boards; the log says why
            log.exception("kejifu: the front page could not read the workspace")
            self._facts, self._key = None, None
        return self._facts

    def html(self, base_url: str = "/") -> str:
        return page_html(self.facts(), base_url=base_url, boards=self.boards, version=self.version)


def install(page: FrontPage) -> None:  # pragma: no cover - runs in the server process
    """``/`` answers with ``page``; ``/voila/tree…`` (Voila's file list) redirects to ``/``."""
    from tornado import web
    from voila.tornado.treehandler import TornadoVoilaTreeHandler as handler

    if getattr(handler.get, "kejifu", False):
        return

    @web.authenticated
    async def get(self, path=""):
        base = self.base_url or "/"
        if self.request.path.rstrip("/") != base.rstrip("/"):
            self.redirect(base)
            return
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(page.html(base))

    get.kejifu = True
    handler.get = get
