"""The assessment documents in the 公文 format of :mod:`kejifu.documents`: the yearly 双重考核
summary and the 届满考核 sheet, each as a :class:`~kejifu.documents.Review` written as docx and xlsx.

Figures come from the ledger; what the ledger does not hold (the interviews 谈话 of the
end-of-term assessment, the assessment group's opinion) is marked 「（待填写）」 for people to
fill. Every document says that its weights and grade bands are the county's settings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..bulletin import Paragraph
from ..documents import Column, Review, Table
from ..documents import docx as docx_writer
from ..documents import xlsx as xlsx_writer
from ..i18n import t
from ..plan import Plan
from ..reviews import parse_period
from .assessment import end_of_term, yearly_grades
from .export import weights_text
from .ledger import DeputyData
from .roster import to_date
from .rules import GRADES, SettingsSource, grade_label, settings_from

TO_FILL = "（待填写）"


def _issuer(plan: Plan, lang: str) -> str:
    return t("deputies.doc.issuer", lang, region=plan.plan.region)


def _named(frame: pd.DataFrame, plan: Plan, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["org"] = [plan.org_name(o, lang) if o else "" for o in out["org"]]
    out["grade"] = [grade_label(g, lang) for g in out["grade"]]
    out["batch"] = [
        str(int(b)) if b == b and b is not None else "" for b in out["batch"]
    ]  # a year, not 2,002
    return out


def _grade_sentence(grades: pd.Series, lang: str) -> str:
    counts = grades.value_counts()
    parts = [
        f"{grade_label(g, lang)} {int(counts[g])}" for g in (*GRADES, "pending", "recalled") if g in counts
    ]
    return t("deputies.doc.grade_counts", lang, n=int(len(grades)), parts="，".join(parts) or "—")


def yearly_review(
    plan: Plan, data: DeputyData, year: int, *, lang: str = "zh", settings: SettingsSource = None
) -> Review:
    """The yearly dual assessment summary (科技副职年度双重考核汇总表) of ``year``.

    One row per deputy assessed that year: the town's and the department's
    scores, the combined score [points] and the grade.
    """
    s = settings_from(settings if settings is not None else plan)
    y = yearly_grades(data.assessments, s)
    y = y[y["year"] == int(year)]
    frame = y.merge(data.roster[["person_id", "name", "org", "batch"]], on="person_id", how="left")
    codes = frame["grade"].copy()
    frame = _named(frame, plan, lang)
    cols = ("person_id", "name", "org", "batch", "town", "orgdept", "score", "grade")
    fmt = {"town": "score", "orgdept": "score", "score": "score"}
    heads = {"town": t("deputies.assessor.town", lang), "orgdept": t("deputies.assessor.orgdept", lang)}
    table = Table(
        key="deputies_yearly",
        title=t("deputies.doc.yearly_title", lang, year=year),
        frame=frame[list(cols)],
        columns=tuple(
            Column(c, heads.get(c) or t(f"deputies.col.{c}", lang), fmt.get(c, "text")) for c in cols
        ),
        unit_col=None,
    )
    w = s.assessor_weights
    return Review(
        kind="deputies_yearly",
        period=parse_period("annual", str(year)),
        lang=lang,
        title=t("deputies.doc.yearly_title", lang, year=year),
        issuer=_issuer(plan, lang),
        date=dt.date(int(year), 12, 31),
        addressee=t("deputies.doc.addressee", lang),
        paragraphs=[
            Paragraph("count", t("deputies.doc.results", lang), _grade_sentence(codes, lang)),
            Paragraph(
                "rule",
                t("deputies.doc.method", lang),
                t("deputies.doc.yearly_method", lang, town=f"{w['town']:g}", orgdept=f"{w['orgdept']:g}"),
            ),
            Paragraph("opinion", t("deputies.doc.opinion", lang), TO_FILL),
        ],
        summary=[],
        tables=[table],
        notes=[t("deputies.county_rules", lang)],
        plan_id=plan.plan.id,
    )


def end_of_term_review(
    plan: Plan,
    data: DeputyData,
    as_of: dt.date | str,
    *,
    lang: str = "zh",
    settings: SettingsSource = None,
) -> Review:
    """The end-of-term assessment sheet (挂职科技副职届满考核表) as of ``as_of``.

    Deputies whose term ended in ``as_of``'s year on or before ``as_of``, or ends
    within three months after it, with the democratic evaluation, inspection,
    mean yearly score, weighted score [points], grade, and the finding on the term
    goals (任期目标责任书, from the ``goals_review`` tracking records); the interviews and
    missing findings are left 「（待填写）」.
    """
    s = settings_from(settings if settings is not None else plan)
    d = to_date(as_of)
    until = (pd.Timestamp(d) + pd.DateOffset(months=3)).date()
    ends = {p: to_date(e) for p, e in zip(data.roster["person_id"], data.roster["term_end"])}
    who = [p for p, e in ends.items() if e is not None and dt.date(d.year, 1, 1) <= e <= until]
    r = data.roster[data.roster["person_id"].isin(who)]
    sheet = end_of_term(r, data.assessments, data.end_of_term, s)
    frame = sheet.merge(r[["person_id", "batch", "term_end"]], on="person_id", how="left")
    codes = frame["grade"].copy()
    frame = _named(frame, plan, lang)
    frame["goals_review"] = [_goals(data.events, p) for p in frame["person_id"]]
    frame["interview"] = TO_FILL
    cols = (
        "person_id",
        "name",
        "org",
        "batch",
        "democratic",
        "inspection",
        "annual",
        "score",
        "grade",
        "goals_review",
        "interview",
    )
    fmt = {c: "score" for c in ("democratic", "inspection", "annual", "score")}
    table = Table(
        key="deputies_end_of_term",
        title=t("deputies.sheet_title", lang),
        frame=frame[list(cols)],
        columns=tuple(Column(c, t(f"deputies.col.{c}", lang), fmt.get(c, "text")) for c in cols),
        unit_col=None,
    )
    return Review(
        kind="deputies_end_of_term",
        period=parse_period("annual", str(d.year)),
        lang=lang,
        title=t("deputies.sheet_title", lang),
        issuer=_issuer(plan, lang),
        date=d,
        addressee=t("deputies.doc.addressee", lang),
        paragraphs=[
            Paragraph("count", t("deputies.doc.results", lang), _grade_sentence(codes, lang)),
            Paragraph("rule", t("deputies.doc.method", lang), weights_text(s, lang)),
            Paragraph("opinion", t("deputies.doc.opinion", lang), TO_FILL),
        ],
        summary=[],
        tables=[table],
        notes=[t("deputies.county_rules", lang)],
        plan_id=plan.plan.id,
    )


def _goals(events: pd.DataFrame, person_id: str) -> str:
    """The finding on a deputy's term goals (the latest ``goals_review`` record), or 「（待填写）」."""
    if events is None or events.empty:
        return TO_FILL
    mine = events[(events["person_id"] == person_id) & (events["kind"] == "goals_review")]
    if mine.empty:
        return TO_FILL
    return str(mine.sort_values("date", kind="stable").iloc[-1]["result"]) or TO_FILL


def write_review(review: Review, folder: str | Path) -> list[Path]:
    """Write ``review`` as ``<stem>.docx`` and ``<stem>.xlsx`` in ``folder``; returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = review.stem()
    return [
        docx_writer.write_review(review, folder / f"{stem}.docx"),
        xlsx_writer.write_review(review, folder / f"{stem}.xlsx"),
    ]
