"""HTML snippets of the dashboards: escaped text, isolated names, cards, the worst-targets list,
tables, the banner and the freshness line, and the chart container the template draws.

Everything here returns a string of HTML that is safe to put into an ``ipywidgets.HTML``:

- text from the catalogue and figures are escaped (:func:`esc`);
- every *name* a person typed into a plan or a report (orgs, targets, measures, the plan title)
  is escaped **and** isolated with ``<bdi>`` (:func:`name`), so a name holding a right-to-left
  override (U+202E) or Arabic/Hebrew letters cannot reorder the text around it;
- a chart travels as JSON inside ``<script type="application/json">`` that cannot close early
  (:func:`figure_html`); the ``kejifu`` Voila template draws it, fitted to the width of its box
  (``kejifu-plots.js``: on a phone the legend goes below and long labels are shortened);
- the snippets carry the classes ``kejifu.css`` lays out for every screen size: a table in a box
  that scrolls sideways (:func:`table_html`), two cards a row on a phone, status chips with their
  count (``data-n``: a phone hides the empty ones).

Figures are formatted by :mod:`kejifu.display` (one missing marker ``—``), months by
:mod:`kejifu.months`.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from .. import display, months
from .. import status as status_mod
from ..i18n import t
from ..palette import status_color, status_text_color

#: The most town names the freshness line lists (it always gives the count).
MAX_NAMES = 30


def esc(text) -> str:
    """``text`` with ``& < > " '`` escaped (``None`` → empty)."""
    return html.escape("" if text is None else str(text), quote=True)


def name(text) -> str:
    """A user-given name as HTML: escaped and bidi-isolated (``<bdi>…</bdi>``), so that whatever
    direction its characters have stays inside it."""
    return f"<bdi>{esc(text)}</bdi>"


def label(key: str, lang: str, **parts: str) -> str:
    """The catalogue label ``key`` as HTML, its ``{placeholders}`` filled with ``parts`` that are
    already HTML (escaped text or :func:`name`); the label's own text is escaped."""
    return esc(t(key, lang)).format(**parts)


def number_html(value, unit: str, lang: str) -> str:
    """A figure with its unit [unit] as escaped text; ``—`` when missing."""
    return esc(display.number(value, unit, lang))


def pct(share, lang: str = "zh") -> str:
    """A share [1 = 100 %] as whole per cent, cut toward zero (never shows more than reached)."""
    return display.pct(share, lang, decimals=0)


# ----- figures ---------------------------------------------------------------------------------


def figure_html(fig, height: int | None = None) -> str:
    """A figure as a ``kejifu-plot`` div carrying its JSON; the template's script draws it.

    Much faster than a full HTML export: the JSON is written once, no plotly.js is inlined, and
    nothing needs to execute inside the widget. ``height`` [px] defaults to the figure's own.
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


# ----- page furniture --------------------------------------------------------------------------


def section(title: str, inner: str, *, title_is_name: bool = False) -> str:
    """A titled section; ``inner`` is HTML. A title that is a user-given name is isolated."""
    head = name(title) if title_is_name else esc(title)
    return f"<section><h2>{head}</h2>{inner}</section>"


def section_html(title_html: str, inner: str) -> str:
    """A section whose title is already HTML (built with :func:`label`)."""
    return f"<section><h2>{title_html}</h2>{inner}</section>"


def note(text_html: str) -> str:
    """A small note under a chart; ``text_html`` is already HTML."""
    return f'<p class="kejifu-note">{text_html}</p>'


def no_rows(lang: str) -> str:
    return esc(t("dash.no_rows", lang))


def banner_html(ws: Any, lang: str) -> str:
    """The synthetic-data banner 示例数据 (empty for real data)."""
    if not getattr(ws, "synthetic", False):
        return ""
    return f'<div class="kejifu-banner" role="note">{esc(t("dash.synthetic_banner", lang))}</div>'


def title_html(title_key: str, ws: Any, lang: str) -> str:
    """The board's title and the plan's title under it (the plan title isolated as a name)."""
    p = ws.plan.plan
    sub = p.title_en if lang == "en" and p.title_en else p.title
    return (
        f'<h1 class="kejifu-title">{esc(t(title_key, lang))}</h1>'
        f'<div class="kejifu-subtitle">{name(sub)}</div>'
    )


def freshness(ws: Any, month: str) -> tuple[str | None, list[str]]:
    """The newest report month [``YYYY-MM``] and the ids of towns that filed nothing for ``month``.

    Register-derived counts don't count as a filing: a town that sent no report is named even
    when its terminals were registered."""
    rep = ws.filed
    towns = [o.id for o in ws.plan.towns()]
    if rep.empty:
        return None, towns
    filed_months = rep["month"].astype(str).str.slice(0, 7)
    reported = set(rep.loc[filed_months == month, "org"])
    return ws.latest_month(), [o for o in towns if o not in reported]


def freshness_html(ws: Any, month: str, lang: str) -> str:
    """「最新报送月份：… · …未报送的乡镇（n个）：…」 with every town name isolated."""
    latest, missing = freshness(ws, month)
    plan = ws.plan
    when = esc(months.label(month, lang))
    parts = [label("dash.latest_report", lang, month=esc(months.label(latest, lang)) if latest else "—")]
    if missing:
        sep = "、" if lang == "zh" else ", "
        names = sep.join(name(plan.org_name(o, lang)) for o in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += sep + "…"
        parts.append(label("dash.not_reported", lang, month=when, n=str(len(missing)), towns=names))
    else:
        parts.append(label("dash.all_reported", lang, month=when))
    return f'<div class="kejifu-fresh">{" · ".join(parts)}</div>'


# ----- cards and tables ------------------------------------------------------------------------


def card_html(row: dict, plan: Any, lang: str, title: str | None = None) -> str:
    """One target card: value with unit, % done, time progress, status coloured by the palette; a
    milestone's card says its due date and the days left (or over) instead of percentages."""
    tg = plan.target(row["target"])
    code = row["status"]
    colour, text_colour = status_color(code), status_text_color(code)
    value = number_html(row["actual"], row["unit"], lang)
    goal = (
        number_html(row["target_value"], row["unit"], lang)
        if tg.kind != "milestone"
        else esc(t("dash.due", lang, date=str(tg.due)))
    )
    if tg.kind == "milestone":  # done or not, and the days left or over: a percentage means nothing
        from ..charts.milestone import milestone_days

        days = milestone_days(tg.due, months.month_end(row["month"]), code, lang) if tg.due else ""
        progress = f'<div class="kejifu-card-pct">{esc(days)}</div>' if days else ""
    else:
        done, due_now = pct(row["completion"], lang), pct(row["expected"], lang)
        progress = (
            f'<div class="kejifu-card-pct">{esc(t("dash.completion", lang))} {esc(done)}'
            f" · {esc(t('dash.time_progress', lang))} {esc(due_now)}</div>"
        )
    return (
        f'<div class="kejifu-card" data-status="{esc(code)}" style="border-top-color:{colour}">'
        f'<div class="kejifu-card-title">{name(title or tg.label(lang))}</div>'
        f'<div class="kejifu-card-value">{value}</div>'
        f'<div class="kejifu-card-goal">{esc(t("dash.target", lang))} {goal}</div>'
        f"{progress}"
        f'<div class="kejifu-card-status" style="background:{colour};color:{text_colour}">'
        f"{esc(t(f'status.{code}', lang))}</div></div>"
    )


def cards_html(frame: pd.DataFrame, plan: Any, lang: str) -> str:
    """A card per row of a status frame."""
    rows = [card_html(r, plan, lang) for r in frame.to_dict("records")]
    return '<div class="kejifu-cards">' + "".join(rows) + "</div>"


def counts_html(frame: pd.DataFrame, lang: str) -> str:
    """A chip per status with the number of targets in it."""
    counts = status_mod.counts_by_status(frame)
    chips = []
    for code, n in counts.items():
        if n == 0 and code == "not_allocated":
            continue
        chips.append(
            f'<span class="kejifu-chip" data-status="{esc(code)}" data-n="{int(n)}" '
            f'style="background:{status_color(code)};'
            f'color:{status_text_color(code)}">{esc(t(f"status.{code}", lang))} {int(n)}</span>'
        )
    return f'<div class="kejifu-counts">{"".join(chips)}</div>'


def attention_html(rows: pd.DataFrame, plan: Any, lang: str, more: int = 0) -> str:
    """「最需关注」: the worst targets first, one line each — status chip, name, completion [%]
    against time progress [%] (a milestone: its due date; a floor: completion only). ``rows`` is
    a status frame already in that order; ``more`` [count] lagging targets not listed are
    mentioned; no rows: a line saying so."""
    items = []
    for r in rows.to_dict("records"):
        code = r["status"]
        tg = plan.target(r["target"])
        if tg.kind == "milestone":
            figures = esc(t("dash.due", lang, date=str(tg.due)))
        else:
            figures = f"{esc(t('dash.completion', lang))} {esc(pct(r['completion'], lang))}"
            if display.is_number(r.get("expected")):  # a floor (met / not met) has no time progress
                figures += f" · {esc(t('dash.time_progress', lang))} {esc(pct(r['expected'], lang))}"
        items.append(
            f'<li data-status="{esc(code)}"><span class="kejifu-chip" style="background:{status_color(code)};'
            f'color:{status_text_color(code)}">{esc(t(f"status.{code}", lang))}</span>'
            f'<span class="kejifu-attention-name">{name(tg.label(lang))}</span>'
            f'<span class="kejifu-attention-pct">{figures}</span></li>'
        )
    if not items:
        inner = f'<p class="kejifu-note">{esc(t("layout.attention_none", lang))}</p>'
    else:
        inner = "<ol>" + "".join(items) + "</ol>"
        if more > 0:
            inner += note(esc(t("layout.attention_more", lang, n=more)))
    return f'<div class="kejifu-attention"><h3>{esc(t("layout.attention", lang))}</h3>{inner}</div>'


#: A table cell longer than this [characters] may wrap (lines about 14 characters long); shorter
#: cells never wrap, and a table wider than the screen scrolls sideways inside its box.
LONG_CELL = 16


def table_html(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """A plain escaped HTML table of ``frame[columns]`` with ``columns`` as headers, in a box that
    scrolls sideways on a narrow screen (``kejifu-table-wrap``); every cell is isolated
    (``<bdi>``), as any of them may hold a name. Cells longer than :data:`LONG_CELL` characters
    are marked ``kejifu-long`` (they wrap in lines of about 14 characters or more, never letter by letter)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in columns.values())
    body = []
    for r in frame[list(columns)].itertuples(index=False):
        cells = (
            f'<td class="kejifu-long">{name(v)}</td>' if len(str(v)) > LONG_CELL else f"<td>{name(v)}</td>"
            for v in r
        )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="kejifu-table-wrap"><table class="kejifu-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
