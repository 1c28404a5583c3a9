"""Bulletin text: the body of a progress circular written from the numbers.

Plain official Chinese (English as the second language), one paragraph per target
group (``plan.plan.groups`` order), e.g.

    截至6月底，全县安装信息机160台，完成年度目标的45.3%，低于序时进度4.7个百分点。

Every number is read from a status frame (:func:`kejifu.status.status`) and
formatted with :func:`kejifu.units.format_value`: completion [%] with one decimal,
gaps [percentage points] with one decimal, amounts in the target's unit.
Nothing here computes a status; it only words one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import pandas as pd

from . import status as status_mod
from .i18n import t
from .plan import Plan, Target
from .units import format_value

CN_NUMERALS = "一二三四五六七八九十"
GAP_DECIMALS = 1
PCT_DECIMALS = 1


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: a numbered ``heading`` (the group) and its ``text``; ``group`` is the id."""

    group: str
    heading: str
    text: str


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def _as_of_phrase(month_text: str, lang: str) -> str:
    if not month_text:
        return t("reviews.b.as_of_none", lang)
    m = int(month_text[5:7])
    return t("reviews.b.as_of", lang, month=m, month_name=calendar.month_name[m])


def _pct(share: float, lang: str) -> str:
    return format_value(round(share * 100.0, PCT_DECIMALS), "%", lang, decimals=PCT_DECIMALS)


def _points(pp: float, lang: str) -> str:
    return format_value(round(abs(pp), GAP_DECIMALS), "百分点", lang, decimals=GAP_DECIMALS)


def _title(tg: Target, lang: str) -> str:
    return tg.label(lang)


def target_sentence(plan: Plan, row: pd.Series, lang: str = "zh", *, as_of: bool = True) -> str:
    """One sentence (no final full stop) for a target's total row of a status frame.

    ``as_of`` prefixes ``截至6月底，`` (the frame's reporting month).
    """
    tg = plan.target(row["target"])
    prefix = t("reviews.b.prefix", lang, as_of=_as_of_phrase(row["month"], lang)) if as_of else ""
    title = _title(tg, lang)
    sep = t("reviews.b.clause_sep", lang)
    if tg.kind == "milestone":
        actual = _num(row["actual"])
        if actual is not None and actual >= 1 - 1e-9:
            return prefix + t("reviews.b.milestone_done", lang, title=title)
        due = tg.due
        due_text = (f"{due.month}月{due.day}日" if lang == "zh" else due.isoformat()) if due else ""
        return prefix + t("reviews.b.milestone_open", lang, title=title, due=due_text)
    if row["status"] == "no_data" or _num(row["actual"]) is None:
        return prefix + t("reviews.b.no_data", lang, titles=title)
    actual = float(row["actual"])
    code = row["status"]
    if tg.kind == "share":
        value = format_value(round(actual, 2), "%", lang)
        target_text = format_value(float(row["target_value"]), "%", lang)
        base = _num(row["baseline"]) if tg.baseline is not None else None
        if base is not None:
            diff = round(actual - base, 2)
            key = "reviews.b.share" if diff >= 0 else "reviews.b.share_down"
            text = t(
                key,
                lang,
                title=title,
                value=value,
                diff=format_value(abs(diff), "百分点", lang),
                target=target_text,
            )
        else:
            text = t("reviews.b.share_plain", lang, title=title, value=value, target=target_text)
        if code in ("achieved", "stretch_achieved"):
            return prefix + text + sep + t("reviews.b.achieved", lang)
        short = float(row["target_value"]) - actual
        return (
            prefix
            + text
            + sep
            + t("reviews.b.share_short", lang, gap=format_value(round(abs(short), 2), "百分点", lang))
        )
    value = format_value(actual, tg.unit, lang)
    completion = float(row["completion"])
    text = t("reviews.b.cum", lang, title=title, value=value, pct=_pct(completion, lang))
    if code == "stretch_achieved":
        clause = t("reviews.b.stretch", lang, stretch=format_value(float(row["stretch"]), tg.unit, lang))
    elif code == "achieved":
        clause = t("reviews.b.achieved", lang)
    else:
        gap = round(float(row["gap_pp"]), GAP_DECIMALS)
        if gap < 0:
            clause = t("reviews.b.below", lang, gap=_points(gap, lang))
        elif gap > 0:
            clause = t("reviews.b.above", lang, gap=_points(gap, lang))
        else:
            clause = t("reviews.b.level", lang)
    return prefix + text + sep + clause


def laggard_sentence(plan: Plan, frame: pd.DataFrame, target_id: str, lang: str = "zh") -> str | None:
    """``分乡镇看，甲镇、乙镇的…进度严重滞后`` for the orgs far behind on ``target_id``, or ``None``."""
    f = frame[
        (frame["target"] == target_id) & (frame["org"] != status_mod.ALL) & (frame["status"] == "far_behind")
    ]
    if f.empty:
        return None
    names = t("reviews.b.list_sep", lang).join(plan.org_name(o, lang) for o in f["org"])
    kinds = {plan.org_index[o].kind if o in plan.org_index else "" for o in f["org"]}
    by = (
        "reviews.b.by_town"
        if kinds <= {"town", "subdistrict"}
        else "reviews.b.by_enterprise"
        if kinds == {"enterprise"}
        else "reviews.b.by_org"
    )
    return t(
        "reviews.b.laggards", lang, by=t(by, lang), names=names, title=plan.target(target_id).label(lang)
    )


def _heading(i: int, label: str, lang: str) -> str:
    if lang == "zh":
        num = CN_NUMERALS[i] if i < len(CN_NUMERALS) else str(i + 1)
        return f"{num}、{label}"
    return f"{i + 1}. {label}"


def paragraphs(
    plan: Plan, frame: pd.DataFrame, lang: str = "zh", *, laggards: bool = True
) -> list[Paragraph]:
    """The bulletin body: one :class:`Paragraph` per target group, from a status frame.

    Groups follow ``plan.plan.groups``; targets without a declared group come last.
    ``laggards`` adds the names of towns far behind on allocated targets.
    """
    totals = status_mod.totals(frame).set_index("target")
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
            month = row["month"]
            if tg.kind != "milestone" and (row["status"] == "no_data" or _num(row["actual"]) is None):
                no_data.append(tg.label(lang))
                continue
            sentences.append(target_sentence(plan, row, lang, as_of=not sentences))
            if laggards and tg.allocations:
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
        text = _join(sentences, lang)
        out.append(Paragraph(group=g, heading=_heading(len(out), label, lang), text=text))
    return out


def _join(sentences: list[str], lang: str) -> str:
    end = t("reviews.b.end", lang)
    if lang == "zh":
        return "".join(s + end for s in sentences)
    return " ".join((s[:1].upper() + s[1:]) + end for s in sentences)


def ranking_sentence(plan: Plan, ranking: pd.DataFrame, lang: str = "zh", n: int = 3) -> str | None:
    """Top and bottom ``n`` orgs of a ranking frame (``org`` column, best first), or ``None``."""
    if len(ranking) < 2 * n:
        return None
    sep = t("reviews.b.list_sep", lang)
    top = sep.join(plan.org_name(o, lang) for o in ranking["org"].head(n))
    bottom = sep.join(plan.org_name(o, lang) for o in ranking["org"].tail(n))
    return t("reviews.b.ranking", lang, top=top, bottom=bottom)


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
