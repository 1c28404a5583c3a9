"""Bulletin text: the body of a progress circular written from the numbers.

Plain official Chinese (English as the second language), one paragraph per target
group (``plan.plan.groups`` order), e.g.

    截至6月底，全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点。

Every number is read from a status frame (:func:`kejifu.status.status`) and written by the one
formatter :mod:`kejifu.display`: completion [%] cut to one decimal (never rounded across a
status line), gaps and share changes in 个百分点 (``9个百分点``, not ``9.0个百分点``), amounts
in the target's unit. Nothing here computes a status; it only words one, and says how current
and complete the figures are:

* each sentence is dated by the month its data run through (``data_month``), never by a later
  month: data through March read 「截至3月底」 even in a June bulletin, and
  :func:`currency_line` says 「数据截至2005年3月」 for the document's first line;
* a total from some but not all expected reporters says so (「2个乡镇中1个已报送」);
* the orgs that have not reported for the month are named (「乙镇未按时报送6月数据」);
* an org without a real completion figure (one side of a share, ``not_applicable``) is never
  named as a laggard: laggards are the statuses of :data:`kejifu.status.LAGGING` (严重滞后, 滞后,
  未达标, 逾期), never ``not_applicable``, ``pending``, ``not_due`` or ``met``;
* 同比 is the engine's ``yoy`` against the same month of last year (「同比增长30.6%」, shares
  「比上年同期提高1.2个百分点」), 「无上年同期数据」 without it: never a year-to-date share against last
  year's full-year baseline;
* a target whose value is awaited (``pending``) shows its figure and 同比 with the reason
  (「目标值待市里下达」), a floor (``each: true``) the count that meets it (「9家企业中4家达到5%」)
  and who does not, a milestone its due date and 未到期 / 已完成 / 逾期.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import pandas as pd

from . import display, months
from . import status as status_mod
from .i18n import t
from .plan import Plan, Target

CN_NUMERALS = "一二三四五六七八九十"
GAP_DECIMALS = 1
SHARE_DECIMALS = 2  # 同比 of a share [points] (「比上年同期提高3.33个百分点」)
PCT_DECIMALS = 1  # a share and its gap to the target in running text (「31.8%」, 「尚差1.2个百分点」)
#: Statuses of an org that say nothing about its own progress (no figure to word).
NO_OWN_STATUS = ("not_applicable", "not_allocated", "pending")
#: The order laggards are named in, worst first (the statuses of :data:`kejifu.status.LAGGING`).
LAG_ORDER = ("far_behind", "overdue", "not_met", "behind")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: a numbered ``heading`` (the group) and its ``text``; ``group`` is the id."""

    group: str
    heading: str
    text: str


def _num(x) -> float | None:
    return float(x) if display.is_number(x) else None


def _valid_month(m) -> str:
    """``m`` when it is a month key ``YYYY-MM`` with a month 1..12 (the engine writes ``YYYY-00``
    for "no data yet"), else ''."""
    ok = isinstance(m, str) and len(m) >= 7 and m[:4].isdigit() and m[5:7].isdigit()
    return m if ok and 1 <= int(m[5:7]) <= 12 else ""


def row_data_month(row) -> str:
    """The month ``YYYY-MM`` the row's figures run through: its ``data_month`` when the frame
    has one, else its reporting ``month``; never later than the reporting month."""
    month = _valid_month(row.get("month", ""))
    dm = _valid_month(row.get("data_month", ""))
    if not dm:
        return month
    return min(dm, month) if month else dm


def data_month(frame: pd.DataFrame) -> str:
    """The month the frame's figures run through: the latest ``data_month`` of its totals (of all
    its rows when it has no total), ``''`` when nothing has been reported; the reporting
    ``month`` for a frame without data months. Never later than the reporting month."""
    rows = frame[frame["org"] == status_mod.ALL] if "org" in frame else frame
    rows = frame if rows.empty else rows
    asked = asked_month(rows)
    if "data_month" in rows and rows["data_month"].notna().any():
        found = [m for m in rows["data_month"].astype(str) if _valid_month(m)]
        latest = max(found) if found else ""
        return min(latest, asked) if latest and asked else latest
    return asked


def asked_month(frame: pd.DataFrame) -> str:
    """The reporting month the frame was asked for (``month`` column)."""
    found = [m for m in frame["month"].astype(str) if _valid_month(m)] if "month" in frame else []
    return max(found) if found else ""


def currency_line(frame: pd.DataFrame, lang: str = "zh", *, asked: str | None = None) -> str | None:
    """「数据截至2005年3月，4月至6月的数据尚未报送。」 when the data run through an earlier month than
    the one asked (``asked`` default: the frame's reporting month); ``None`` when they are current."""
    asked = asked or asked_month(frame)
    dm = data_month(frame)
    if not asked or dm >= asked:
        return None
    if not dm:
        return t("reviews.b.data_none", lang)
    through = months.through_text(dm, lang)
    first = months.add(dm, 1) if dm[:4] == asked[:4] else asked[:4] + "-01"
    span = months.label(asked, lang)
    if first != asked:
        span = t("reviews.b.month_span", lang, start=months.label(first, lang), end=span)
    return t("reviews.b.data_behind", lang, through=through, span=span)


def data_line(frame: pd.DataFrame, lang: str = "zh", *, asked: str | None = None) -> str:
    """The line every output opens with: :func:`currency_line` when the data are older than the
    month asked, else 「数据截至2005年6月」 (「尚无报送数据」 when nothing has been reported)."""
    behind = currency_line(frame, lang, asked=asked)
    if behind:
        return behind
    dm = data_month(frame)
    return months.through_text(dm, lang) if dm else t("reviews.b.data_none", lang)


def _as_of_phrase(month_text: str, lang: str) -> str:
    if not month_text:
        return t("reviews.b.as_of_none", lang)
    _, m = months.split(month_text)
    return t("reviews.b.as_of", lang, month=m, month_name=calendar.month_name[m])


def _pct(share: float, lang: str) -> str:
    return display.pct(share, lang, decimals=1)


def _points(pp: float, lang: str, decimals: int = GAP_DECIMALS) -> str:
    return display.points(abs(pp), lang, decimals)


def _noun_key(plan: Plan, orgs) -> str:
    kinds = {plan.org_index[o].kind for o in orgs if o in plan.org_index}
    if kinds and kinds <= {"town", "subdistrict"}:
        return "town"
    return "enterprise" if kinds == {"enterprise"} else "org"


def _noun(plan: Plan, orgs, lang: str) -> str:
    return t(f"reviews.b.noun_{_noun_key(plan, orgs)}", lang)


def yoy_clause(row, lang: str = "zh") -> str:
    """同比 of a total row from the engine's ``yoy``: 「同比增长30.6%」 (``yoy`` 0.306), for a share
    「比上年同期提高1.2个百分点」 (``yoy`` in points); 「无上年同期数据」 when ``yoy`` is missing."""
    yoy = _num(row.get("yoy"))
    if yoy is None:
        return t("reviews.b.yoy_none", lang)
    if row.get("kind") == "share":
        pp = round(yoy, SHARE_DECIMALS)
        key = "up_pp" if pp > 0 else "down_pp" if pp < 0 else "flat"
        return t(f"reviews.b.yoy_{key}", lang, pp=_points(pp, lang, SHARE_DECIMALS))
    cut = display.truncate(yoy, 3)  # one decimal of a per cent, cut toward zero
    key = "up" if cut > 0 else "down" if cut < 0 else "flat"
    return t(f"reviews.b.yoy_{key}", lang, pct=_pct(abs(yoy), lang))


def completeness_clause(plan: Plan, row, lang: str = "zh", frame: pd.DataFrame | None = None) -> str:
    """「（2个乡镇中1个已报送）」 for a total made from some but not all expected reporters; ''.

    The noun (乡镇, 企业, 单位) comes from the target's allocations, else from the orgs that have
    rows of the target in ``frame`` (the status frame) when it is given."""
    n_expected = _num(row.get("n_expected"))
    if not n_expected or not bool(row.get("incomplete", False)):
        return ""
    fresh = (_num(row.get("n_reporting")) or 0) - (_num(row.get("n_stale")) or 0)
    fresh = int(min(max(fresh, 0), n_expected - 1))
    tg = plan.target_index.get(row.get("target"))
    orgs = list(tg.allocations) if tg is not None else []
    if not orgs and frame is not None and tg is not None:
        orgs = list(frame.loc[(frame["target"] == tg.id) & (frame["org"] != status_mod.ALL), "org"])
    return t("reviews.b.incomplete", lang, n=int(n_expected), k=fresh, noun=_noun(plan, orgs, lang))


def target_sentence(
    plan: Plan, row: pd.Series, lang: str = "zh", *, as_of: bool = True, yoy: bool = False, frame=None
) -> str:
    """One sentence (no final full stop) for a target's total row of a status frame.

    ``as_of`` prefixes ``截至6月底，`` — the month the row's data run through. Shares and pending
    targets always say 同比 (:func:`yoy_clause`); other targets when the row has a ``yoy`` or
    ``yoy`` is true (the frame holds last year's figures: then 「无上年同期数据」 where it is missing).
    ``frame`` (the status frame) lets a floor name the orgs below it.
    """
    tg = plan.target(row["target"])
    prefix = t("reviews.b.prefix", lang, as_of=_as_of_phrase(row_data_month(row), lang)) if as_of else ""
    body = _body(plan, tg, row, lang, yoy=yoy, frame=frame)
    return prefix + body + completeness_clause(plan, row, lang, frame)


def due_text(plan: Plan, row, lang: str = "zh") -> str:
    """A milestone's due date as written in a bulletin (「10月31日」, ``2005-10-31``), '' without one:
    the row's ``due`` when the frame has it, else the target's."""
    tg = plan.target_index.get(row.get("target"))
    due = row.get("due") or (tg.due if tg is not None else None)
    if not due or (isinstance(due, float) and due != due):
        return ""
    d = pd.Timestamp(due).date()
    return f"{d.month}月{d.day}日" if lang == "zh" else d.isoformat()


def floor_orgs(frame: pd.DataFrame, target_id: str) -> tuple[list[str], list[str]]:
    """``(met, not_met)``: the orgs (ids, frame order) that clear a floor (``each: true``) and those
    that do not, from their ``met`` / ``not_met`` rows."""
    f = frame[(frame["target"] == target_id) & (frame["org"] != status_mod.ALL)]
    return list(f.loc[f["status"] == "met", "org"]), list(f.loc[f["status"] == "not_met", "org"])


def _floor(plan: Plan, tg: Target, row, lang: str, frame) -> str:
    target = display.number(_num(row["target_value"]), tg.unit, lang)
    met, below = floor_orgs(frame, tg.id) if frame is not None else ([], [])
    key = _noun_key(plan, met + below or list(tg.allocations))
    n, k = int(_num(row["n_orgs"])), int(_num(row.get("n_met")) or 0)
    text = t(f"reviews.b.floor_{key}", lang, title=tg.label(lang), n=n, k=k, target=target)
    if below:
        names = t("reviews.b.list_sep", lang).join(plan.org_name(o, lang) for o in below)
        text += t("reviews.b.clause_sep", lang) + t("reviews.b.floor_below", lang, names=names)
    return text


def _share_shown(actual: float, target: float | None, met: bool) -> float:
    """A share [%] as running text shows it, to :data:`PCT_DECIMALS` (31.79 → 31.8): rounded, but cut
    when rounding would reach a target not met (32.96 of 33 reads 32.9, never 33.0)."""
    shown = round(actual, PCT_DECIMALS)
    if not met and target is not None and actual < target <= shown:
        shown = display.truncate(actual, PCT_DECIMALS)
    return shown


def _pending(tg: Target, row, lang: str) -> str:
    actual = float(row["actual"])
    unit = "%" if tg.kind == "share" else tg.unit
    share = tg.kind == "share"
    value = display.number(
        round(actual, PCT_DECIMALS) if share else actual, unit, lang, PCT_DECIMALS if share else None
    )
    why = tg.pending if isinstance(tg.pending, str) and lang == "zh" else t("status.pending_target", lang)
    return t("reviews.b.pending", lang, title=tg.label(lang), value=value, yoy=yoy_clause(row, lang), why=why)


def _body(plan: Plan, tg: Target, row, lang: str, *, yoy: bool = False, frame=None) -> str:
    title = tg.label(lang)
    sep = t("reviews.b.clause_sep", lang)
    code = row["status"]
    if tg.kind == "milestone":
        due = due_text(plan, row, lang)
        if code == "achieved":
            return t("reviews.b.milestone_done", lang, title=title, due=due)
        key = "reviews.b.milestone_overdue" if code == "overdue" else "reviews.b.milestone_open"
        return t(key, lang, title=title, due=due)
    if code == "pending":
        return _pending(tg, row, lang)
    if tg.each and _num(row.get("n_orgs")):
        return _floor(plan, tg, row, lang, frame)
    actual = float(row["actual"])
    if tg.kind == "share":
        met = code in ("achieved", "stretch_achieved")
        shown = _share_shown(actual, _num(row["target_value"]), met)
        value = display.number(shown, "%", lang)
        target_text = display.number(_num(row["target_value"]), "%", lang)
        fmt = dict(title=title, value=value, target=target_text, yoy=yoy_clause(row, lang))
        text = t("reviews.b.share", lang, **fmt)
        if met:
            return text + sep + t("reviews.b.achieved", lang)
        short = round(float(row["target_value"]) - shown, PCT_DECIMALS)  # the gap the reader can check
        return text + sep + t("reviews.b.share_short", lang, gap=_points(short, lang, PCT_DECIMALS))
    value = display.number(actual, tg.unit, lang)
    pct = _pct(float(row["completion"]), lang)
    if yoy or _num(row.get("yoy")) is not None:
        text = t("reviews.b.cum_yoy", lang, title=title, value=value, pct=pct, yoy=yoy_clause(row, lang))
    else:
        text = t("reviews.b.cum", lang, title=title, value=value, pct=pct)
    if code == "stretch_achieved":
        stretch = display.number(_num(row["stretch"]), tg.unit, lang)
        return text + sep + t("reviews.b.stretch", lang, stretch=stretch)
    if code == "achieved":
        return text + sep + t("reviews.b.achieved", lang)
    asked = _valid_month(row.get("month", ""))
    if asked and row_data_month(row) < asked:
        # older data against this month's schedule: state both figures, not a gap "as of" the old month
        _, m = months.split(asked)
        due = _pct(float(row["expected"]), lang)
        return (
            text
            + sep
            + t("reviews.b.stale_expected", lang, month=m, month_name=calendar.month_name[m], pct=due)
        )
    gap = round(float(row["gap_pp"]), GAP_DECIMALS)  # a distance, rounded; only completion is cut
    if gap < 0:
        return text + sep + t("reviews.b.below", lang, gap=_points(gap, lang))
    if gap > 0:
        return text + sep + t("reviews.b.above", lang, gap=_points(gap, lang))
    return text + sep + t("reviews.b.level", lang)


def laggards(frame: pd.DataFrame, target_id: str, statuses=("far_behind",)) -> list[str]:
    """Orgs (not the total) of ``target_id`` whose status is one of ``statuses`` (default far behind;
    only statuses of :data:`kejifu.status.LAGGING` count), in frame order: only with a real
    completion figure of the reporting month (a carried-forward figure names the org under 报送情况)."""
    lagging = [s for s in statuses if s in status_mod.LAGGING]
    f = frame[
        (frame["target"] == target_id) & (frame["org"] != status_mod.ALL) & frame["status"].isin(lagging)
    ]
    real = pd.to_numeric(f["completion"], errors="coerce").map(display.is_number).astype(bool)
    real &= pd.to_numeric(f["completion"], errors="coerce").fillna(-2) >= -1
    if "stale" in f:
        real &= ~f["stale"].fillna(False).astype(bool)
    return list(f.loc[real, "org"])


def _by(plan: Plan, orgs, lang: str) -> str:
    kinds = {plan.org_index[o].kind if o in plan.org_index else "" for o in orgs}
    if kinds <= {"town", "subdistrict"}:
        return t("reviews.b.by_town", lang)
    return t("reviews.b.by_enterprise" if kinds == {"enterprise"} else "reviews.b.by_org", lang)


def laggard_sentence(plan: Plan, frame: pd.DataFrame, target_id: str, lang: str = "zh") -> str | None:
    """``分乡镇看，甲镇、乙镇的…进度严重滞后，丙镇进度滞后`` for the orgs lagging on ``target_id``
    (:data:`LAG_ORDER`, worst first), or ``None``."""
    groups = [(code, laggards(frame, target_id, (code,))) for code in LAG_ORDER]
    groups = [(code, orgs) for code, orgs in groups if orgs]
    if not groups:
        return None
    sep = t("reviews.b.list_sep", lang)
    every = [o for _, orgs in groups for o in orgs]
    title = plan.target(target_id).label(lang)
    parts = []
    for i, (code, orgs) in enumerate(groups):
        names = sep.join(plan.org_name(o, lang) for o in orgs)
        what = t(f"reviews.b.lag.{code}", lang)
        if i == 0:
            parts.append(
                t("reviews.b.laggards", lang, by=_by(plan, every, lang), names=names, title=title, what=what)
            )
        else:
            parts.append(t("reviews.b.laggards_more", lang, names=names, what=what))
    return t("reviews.b.clause_sep", lang).join(parts)


def missing_orgs(plan: Plan, frame: pd.DataFrame) -> list[str]:
    """Orgs expected to report that have no figure for the reporting month, in plan order: an org
    whose row for an allocated target is ``no_data`` or carried forward (``stale``)."""
    f = frame[(frame["org"] != status_mod.ALL) & frame["allocation"].notna()]
    if "kind" in f:
        f = f[f["kind"] != "milestone"]
    stale = f["stale"].fillna(False).astype(bool) if "stale" in f else False
    gone = set(f.loc[(f["status"] == "no_data") | stale, "org"])
    return [o.id for o in plan.orgs if o.id in gone]


def missing_sentence(plan: Plan, orgs, month: str, lang: str = "zh") -> str | None:
    """「马牧池乡、苏村镇未按时报送6月数据」 for ``orgs`` (ids), or ``None`` when everyone reported."""
    orgs = list(orgs)
    if not orgs or not month:
        return None
    names = t("reviews.b.list_sep", lang).join(plan.org_name(o, lang) for o in orgs)
    _, m = months.split(month)
    return t("reviews.b.missing", lang, names=names, month=m, month_name=calendar.month_name[m])


def _heading(i: int, label: str, lang: str) -> str:
    if lang == "zh":
        num = CN_NUMERALS[i] if i < len(CN_NUMERALS) else str(i + 1)
        return f"{num}、{label}"
    return f"{i + 1}. {label}"


def paragraphs(
    plan: Plan, frame: pd.DataFrame, lang: str = "zh", *, laggards: bool = True, missing=None
) -> list[Paragraph]:
    """The bulletin body: one :class:`Paragraph` per target group, from a status frame, then a
    paragraph on reporting (who has not reported for the month).

    Groups follow ``plan.plan.groups``; targets without a declared group come last.
    ``laggards`` adds the names of orgs far behind on allocated targets; ``missing`` (org ids)
    defaults to :func:`missing_orgs` of the frame.
    """
    totals = status_mod.totals(frame).set_index("target")
    with_yoy = "last_year_actual" in frame and bool(frame["last_year_actual"].notna().any())
    order = list(plan.plan.groups)
    for tg in plan.targets:
        if tg.group not in order:
            order.append(tg.group)
    out: list[Paragraph] = []
    for g in order:
        sentences: list[str] = []
        no_data: list[str] = []
        month = ""
        for tg in plan.targets:
            if tg.group != g or tg.id not in totals.index:
                continue
            row = totals.loc[tg.id].copy()
            row["target"] = tg.id
            month = row_data_month(row)
            if tg.kind != "milestone" and (row["status"] == "no_data" or _num(row["actual"]) is None):
                no_data.append(tg.label(lang))
                continue
            sentences.append(target_sentence(plan, row, lang, as_of=not sentences, yoy=with_yoy, frame=frame))
            # a floor names its orgs below it itself; a pending target's split awaits its value
            if laggards and tg.allocations and not tg.each and row["status"] != "pending":
                lag = laggard_sentence(plan, frame, tg.id, lang)
                if lag:
                    sentences.append(lag)
        if no_data:
            titles = t("reviews.b.list_sep", lang).join(no_data)
            prefix = "" if sentences else t("reviews.b.prefix", lang, as_of=_as_of_phrase(month, lang))
            sentences.append(prefix + t("reviews.b.no_data", lang, titles=titles))
        if not sentences:
            continue
        label = plan.group_label(g, lang) if g else t("reviews.section.body", lang)
        out.append(Paragraph(group=g, heading=_heading(len(out), label, lang), text=_join(sentences, lang)))
    gone = missing_orgs(plan, frame) if missing is None else list(missing)
    sentence = missing_sentence(plan, gone, asked_month(frame), lang)
    if sentence:
        heading = _heading(len(out), t("reviews.b.reporting_heading", lang), lang)
        out.append(Paragraph(group="_reporting", heading=heading, text=_join([sentence], lang)))
    return out


def _join(sentences: list[str], lang: str) -> str:
    end = t("reviews.b.end", lang)
    if lang == "zh":
        return "".join(s + end for s in sentences)
    return " ".join((s[:1].upper() + s[1:]) + end for s in sentences)


def ranking_sentence(plan: Plan, ranking: pd.DataFrame, lang: str = "zh", n: int = 3) -> str | None:
    """Top and bottom ``n`` orgs of a ranking frame (``org`` column, best first), or ``None``.

    Orgs that reported nothing (``reported`` False) are not among the bottom ``n`` of the
    scored: they are named apart (「乙镇未报送数据，不参与排名」)."""
    sep = t("reviews.b.list_sep", lang)
    silent = ranking[~ranking["reported"].astype(bool)] if "reported" in ranking else ranking.iloc[0:0]
    scored = ranking.drop(index=silent.index)
    parts = []
    if len(scored) >= 2 * n:
        top = sep.join(plan.org_name(o, lang) for o in scored["org"].head(n))
        bottom = sep.join(plan.org_name(o, lang) for o in scored["org"].tail(n))
        parts.append(t("reviews.b.ranking", lang, top=top, bottom=bottom))
    if len(silent):
        names = sep.join(plan.org_name(o, lang) for o in silent["org"])
        parts.append(t("reviews.b.not_ranked", lang, names=names))
    if not parts:
        return None
    return "".join(parts) if lang == "zh" else " ".join(parts)


def half_year_sentence(half: pd.DataFrame, lang: str = "zh") -> str:
    """How many county totals passed 时间过半、任务过半 (from :func:`kejifu.reviews.half_year_review`)."""
    tot = half[half["org"] == status_mod.ALL]
    return t("reviews.b.half_summary", lang, n=len(tot), k=int(tot["half_pass"].sum()))


def grades_sentence(totals: pd.DataFrame, lang: str = "zh") -> str:
    """Counts of orgs per grade (from :func:`kejifu.scoring.assess` totals)."""
    vc = totals["grade"].value_counts()
    return t(
        "reviews.b.grades",
        lang,
        excellent=int(vc.get("excellent", 0)),
        good=int(vc.get("good", 0)),
        pass_=int(vc.get("pass", 0)),
        fail=int(vc.get("fail", 0)),
    )


def text(plan: Plan, frame: pd.DataFrame, lang: str = "zh") -> str:
    """The whole body as plain text: headings and paragraphs separated by blank lines."""
    return "\n\n".join(f"{p.heading}\n{p.text}" for p in paragraphs(plan, frame, lang))
