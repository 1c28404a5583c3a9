"""The year-end assessment (年终考核) of a review: the rubric's sheet and the sentences with it.

The sheet (:func:`assessment_table`) shows, per scored org, its points per rubric target, its base
(指标得分), bonus, the months missing and late (from :func:`kejifu.completeness.reporting_record`
through :func:`kejifu.scoring.report_discipline`) and their deductions, the veto items that failed
(一票否决事项), the total, the rank (ties share a rank: :func:`kejifu.ranking.shared_ranks`) and the
grade; :func:`scores_table` the points per org and target with how they were reached
(completion ÷ expected progress, capped) [points].

When the data do not cover the whole year (:func:`partial_month`: the county's figures run through
June, say), the assessment is scored as of the end of that month against the schedule due by then
(序时进度) and the missing and late months are counted through it: the sheets' titles and notes say
「数据截至2005年6月」 and the text calls the result provisional (阶段性测算), never a full year's.
"""

from __future__ import annotations

import calendar

import pandas as pd

from .. import bulletin, display, months, scoring
from ..i18n import t
from ..plan import Plan
from .model import Column, Table


def partial_month(frame: pd.DataFrame, period_month: str) -> str | None:
    """The data month ``YYYY-MM`` of a status frame when it is earlier than ``period_month`` (the
    year's last month): the assessment then covers only part of the year; ``None`` when the data
    cover the whole period or nothing has been reported."""
    dm = bulletin.data_month(frame)
    return dm if dm and dm < period_month else None


def _month_end(month: str, lang: str) -> str:
    _, m = months.split(month)
    return t("documents.annual.month_end", lang, m=m, month_name=calendar.month_name[m])


def _span(first: str, last: str, lang: str) -> str:
    if first == last:
        return months.label(first, lang)
    return t("reviews.b.month_span", lang, start=months.label(first, lang), end=months.label(last, lang))


def partial_note(through: str, period_month: str, lang: str) -> str:
    """「数据截至2005年6月，2005年7月至2005年12月的数据尚未报送；得分按6月底序时进度测算，…不是全年
    考核结论。」 for an assessment whose data run through ``through`` of a year ending ``period_month``."""
    year = through[:4]
    return t(
        "documents.annual.partial_note",
        lang,
        month=months.label(through, lang),
        span=_span(months.add(through, 1), period_month, lang),
        month_end=_month_end(through, lang),
        months=_span(f"{year}-01", through, lang),
    )


def partial_sentence(through: str, lang: str) -> str:
    """The sentence that says the result is provisional (「本次考核数据截至2005年6月，…」)."""
    return t(
        "documents.annual.partial_sentence",
        lang,
        month=months.label(through, lang),
        month_end=_month_end(through, lang),
    )


def lead(period_label: str, through: str | None, lang: str) -> str:
    """The 导语: 「现将2005年度乡镇科技工作目标考核结果通报如下：」, or its provisional form naming the
    data month when ``through`` is given."""
    if not through:
        return t("documents.lead.annual", lang, period=period_label)
    short = t("documents.annual.through_short", lang, month=months.label(through, lang))
    return t("documents.lead.annual_partial", lang, period=period_label, through=short)


def _weight(w: float, lang: str) -> str:
    return display.number(w, "", lang, 0 if float(w) == int(w) else 1)


def veto_items(plan: Plan, a: scoring.Assessment, lang: str) -> dict[str, list[str]]:
    """Org id → titles of the veto targets (一票否决) it failed, in rubric order."""
    d = a.detail
    out: dict[str, list[str]] = {}
    for tid in a.rubric.targets:
        for org in d.loc[(d["target"] == tid) & d["veto_failed"].astype(bool), "org"]:
            out.setdefault(org, []).append(plan.target(tid).label(lang))
    return out


def assessment_frame(plan: Plan, a: scoring.Assessment, lang: str) -> pd.DataFrame:
    """:attr:`~kejifu.scoring.Assessment.totals` with ``points_<target>`` [points] per rubric target
    (missing where the target is not allocated to the org) and ``veto_items`` (text)."""
    f = a.totals.copy()
    d = a.detail
    for tid in a.rubric.targets:
        pts = d[d["target"] == tid].set_index("org")["points"]
        f[f"points_{tid}"] = f["org"].map(pts).astype(float)
    vetoes = veto_items(plan, a, lang)
    sep = t("reviews.b.list_sep", lang)
    none = t("documents.annual.veto_none", lang)
    f["veto_items"] = [sep.join(vetoes[o]) if o in vetoes else none for o in f["org"]]
    return f


def _C(name: str, key: str, fmt: str, lang: str) -> Column:
    return Column(name, t(f"reviews.col.{key}", lang), fmt)


def assessment_table(plan: Plan, a: scoring.Assessment, lang: str, *, note: str = "", through=None) -> Table:
    """The rubric's sheet: rank, org, points per target, base, bonus, months missing and late,
    deductions, veto items, total and grade (one row per scored org, best first)."""
    per_target = tuple(
        Column(
            f"points_{tid}",
            t(
                "documents.annual.col_points",
                lang,
                title=plan.target(tid).label(lang),
                weight=_weight(r.weight, lang),
            ),
            "score",
        )
        for tid, r in a.rubric.targets.items()
    )
    cols = (
        (_C("rank", "rank", "int", lang), _C("org_name", "org", "text", lang))
        + per_target
        + (
            _C("base", "base", "score", lang),
            _C("bonus", "bonus", "score", lang),
            _C("missing_months", "missing_months", "int", lang),
            _C("late_months", "late_months", "int", lang),
            _C("deductions", "deductions", "score", lang),
            Column("veto_items", t("documents.annual.col_veto", lang), "text"),
            _C("total", "total", "score", lang),
            _C("grade_label", "grade", "text", lang),
        )
    )
    title = t("reviews.sheet.assessment", lang)
    if through:
        short = t("documents.annual.through_short", lang, month=months.label(through, lang))
        title = t("documents.annual.title_through", lang, title=title, through=short)
    return Table("assessment", title, assessment_frame(plan, a, lang), cols, unit_col=None, note=note)


def scores_table(plan: Plan, a: scoring.Assessment, lang: str, *, note: str = "") -> Table:
    """Points per org and target: weight, completion, expected progress, completion ÷ expected,
    points (weight × that ratio, capped; 0 below the floor) and bonus [points]."""
    d = a.detail.copy()
    d["org_name"] = [plan.org_name(o, lang) for o in d["org"]]
    d["target_title"] = [plan.target(x).label(lang) for x in d["target"]]
    cols = (
        _C("org_name", "org", "text", lang),
        _C("target_title", "target", "text", lang),
        _C("weight", "weight", "score", lang),
        _C("completion", "completion", "pct", lang),
        _C("expected", "expected", "pct", lang),
        Column("progress", t("documents.annual.col_progress", lang), "pct"),
        _C("points", "points", "score", lang),
        _C("bonus", "bonus", "score", lang),
    )
    return Table("scores", t("reviews.sheet.scores", lang), d, cols, unit_col=None, note=note)


def sentences(plan: Plan, a: scoring.Assessment, lang: str, *, through: str | None = None) -> list[str]:
    """The text on the assessment: provisional (when ``through``), the grades, the best and worst,
    the veto items by org and the deductions for missing and late reports."""
    out = [partial_sentence(through, lang)] if through else []
    out.append(bulletin.grades_sentence(a.totals, lang))
    ranked = bulletin.ranking_sentence(plan, a.totals, lang)
    if ranked:
        out.append(ranked)
    sep = t("reviews.b.list_sep", lang)
    end = t("reviews.b.end", lang)
    failed = a.detail[a.detail["veto_failed"].astype(bool)]
    for tid, r in a.rubric.targets.items():
        orgs = list(failed.loc[failed["target"] == tid, "org"])
        if orgs:
            names = sep.join(plan.org_name(o, lang) for o in orgs)
            below = display.pct(r.veto_below, lang).replace(".0%", "%")
            out.append(
                t("documents.annual.veto", lang, names=names, title=plan.target(tid).label(lang), below=below)
                + end
            )
    items = []
    for row in a.totals.itertuples():
        what = []
        if row.missing_months:
            what.append(t("documents.annual.missing", lang, n=int(row.missing_months)))
        if row.late_months:
            what.append(t("documents.annual.late", lang, n=int(row.late_months)))
        if what and row.deductions > 0:
            pts = display.number(row.deductions, "", lang, 0 if row.deductions == int(row.deductions) else 1)
            items.append(
                t("documents.annual.deduction", lang, name=row.org_name, what=sep.join(what), points=pts)
            )
    if items:
        out.append(t("documents.annual.deductions", lang, items=sep.join(items)) + end)
    else:
        out.append(t("documents.annual.no_deductions", lang) + end)
    return out
