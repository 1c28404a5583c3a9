"""Building a review's content from the numbers: the status engine, the reviews, the one ranking
rule, scoring, the bulletin text and the charts; the writers (:mod:`.xlsx`, :mod:`.docx`,
:mod:`.html`) only lay it out.

What every review says about its figures (issue 13, the rules of ``docs/status-rules.md``):

* the month its data run through (:attr:`Review.data_month`) and, when that month is earlier than
  the period's, an opening line 「数据截至2005年3月，4月至6月的数据尚未报送。」 (:attr:`Review.notice`);
  the body dates each figure by its own data month, never 「截至6月底」 for older data;
* in every table a 数据说明 column marks carried-forward figures (「本月未报，沿用2005年5月数据」) and
  totals from some but not all expected reporters (「2个乡镇中1个已报送」);
* the orgs that have not reported for the month are named in the monthly summary and the text;
* an org without a real completion figure is never listed as a laggard;
* a year-end assessment whose data stop before December (:func:`.annual.partial_month`) is scored,
  worded and tabled as of its data month, provisional, and says so (:mod:`.annual`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import bulletin, display, months, ranking, reviews, scoring
from .. import status as status_mod
from ..i18n import t
from ..plan import Plan
from . import annual
from . import layout as layout_mod
from .contract import contract_rows, contract_terms, natural  # noqa: F401 - re-exported
from .model import Column, Review, Table

TO_FILL = "（待填写）"
WRITTEN = {  # the parts only people can write, by review kind (headings from the notes file)
    "half-year": ("documents.written.done", "documents.written.problems", "documents.written.plans"),
    "quarterly": ("documents.written.next",),
    "annual": ("documents.written.next",),
}


def read_notes(text: str | None) -> dict[str, str]:
    """The planner's notes file: ``# 主要做法`` (or ``## …``) starts a section, its lines are the
    text; returns heading → text (blank lines dropped)."""
    out: dict[str, list[str]] = {}
    key = None
    for line in (text or "").splitlines():
        s = line.strip()
        if s.startswith("#"):
            key = s.lstrip("#").strip()
            out.setdefault(key, [])
        elif s and key is not None:
            out[key].append(s)
    return {k: "".join(v) for k, v in out.items()}


def written_sections(kind: str, notes: dict[str, str] | None, lang: str) -> list[tuple[str, str]]:
    """(heading, text) of the parts people write for ``kind``; 「（待填写）」 where the notes are silent."""
    notes = notes or {}
    out = []
    for key in WRITTEN.get(kind, ()):
        label = t(key, lang)
        text = next((v for k, v in notes.items() if k and (k in label or label in k) and v), "")
        out.append((label, text or t("documents.written.to_fill", lang)))
    return out


def _figures(kind: str, plan: Plan, frame: pd.DataFrame, extra, lang: str) -> list[tuple[str, object]]:
    from .. import charts as charts_mod

    figs: list[tuple[str, object]] = []
    totals = status_mod.totals(frame)
    totals = totals[totals["kind"] != "milestone"]
    if kind in ("monthly", "half-year") and not totals.empty:
        figs.append((t("reviews.sheet.summary", lang), charts_mod.bullet(totals, plan, lang)))
    if kind == "quarterly" and extra is not None and not extra.empty:
        figs.append((t("reviews.sheet.ranking", lang), charts_mod.ranking(extra, plan, lang, score="score")))
    if kind == "annual" and extra is not None and not extra.empty:
        figs.append(
            (t("reviews.sheet.assessment", lang), charts_mod.ranking(extra, plan, lang, score="total"))
        )
    towns = frame[(frame["org"] != status_mod.ALL) & frame["allocation"].notna()]
    if kind in ("monthly", "quarterly") and not towns.empty:
        figs.append((t("reviews.sheet.detail", lang), charts_mod.heatmap(frame, plan, lang)))
    return figs


def _C(name: str, key: str, fmt: str, lang: str) -> Column:
    return Column(name, t(f"reviews.col.{key}", lang), fmt)


def _summary_columns(lang: str, *, monthly: bool) -> tuple[Column, ...]:
    cols = [_C("target_title", "target", "text", lang), _C("unit", "unit", "text", lang)]
    if monthly:
        cols.append(_C("increment", "increment", "amount", lang))
    cols += [
        _C("actual", "actual", "amount", lang),
        _C("target_value", "target_value", "amount", lang),
        _C("completion", "completion", "pct", lang),
        _C("expected", "expected", "pct", lang),
        _C("gap_pp", "gap_pp", "pp", lang),
        _C("status_label", "status", "text", lang),
    ]
    if monthly:
        cols += [_C("last_year", "last_year", "amount", lang), _C("yoy_pct", "yoy", "pp", lang)]
    return tuple(cols)


def _with_names(plan: Plan, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    f = frame.copy()
    if "target_title" not in f:
        f["target_title"] = [plan.target(x).label(lang) for x in f["target"]]
    if "org_name" not in f:
        f["org_name"] = [plan.org_name(o, lang) for o in f["org"]]
    return f


def build_review(
    plan: Plan,
    reports: pd.DataFrame,
    kind: str,
    period: str | reviews.Period,
    *,
    lang: str = "zh",
    charts: bool = True,
    date: dt.date | None = None,
    synthetic: bool | None = None,
    submissions: pd.DataFrame | None = None,
    doc_number: str | None = None,
    notes: dict[str, str] | str | None = None,
) -> Review:
    """Gather a review of ``kind`` (monthly, quarterly, half-year, annual) for ``period``.

    ``period`` is a :class:`~kejifu.reviews.Period` or its text (``2005-06``, ``2005Q2``,
    ``2005H1``, ``2005``); raises :class:`~kejifu.errors.UsageError` for a bad one.
    ``submissions``: the frame late/missing reports are judged from (``store.reports()``,
    with ``imported_at``), for the year-end assessment. ``date`` (issue date) defaults to
    today, but no later than 10 days after the period's end. ``doc_number``: the 发文字号
    (default: the plan's ``settings.documents.number``); ``notes``: the planner's text for the
    parts people write (a notes file's text or heading → text), 「（待填写）」 where absent.
    """
    if not isinstance(period, reviews.Period):
        period = reviews.parse_period(kind, period, year=plan.year)
    people = read_notes(notes) if isinstance(notes, str) else dict(notes or {})
    as_of = period.as_of
    frame = _with_names(plan, status_mod.status(plan, reports, as_of, lang=lang), lang)
    through = annual.partial_month(frame, period.month) if kind == "annual" else None
    if through:  # a year-end assessment on part of the year: scored as of its data month
        as_of = months.month_end(through)
        frame = _with_names(plan, status_mod.status(plan, reports, as_of, lang=lang), lang)
    tables: list[Table] = []
    summary: list[str] = []
    extra = None
    detail_cols = (
        _C("target_title", "target", "text", lang),
        _C("org_name", "org", "text", lang),
        _C("unit", "unit", "text", lang),
    )
    if kind == "monthly":
        mt = reviews.monthly_table(plan, reports, period.end_month, lang=lang)
        cols = _summary_columns(lang, monthly=True)
        tables.append(
            Table("summary", t("reviews.sheet.summary", lang), mt[mt["org"] == status_mod.ALL], cols)
        )
        towns = mt[(mt["org"] != status_mod.ALL) & mt["allocation"].notna()]
        tables.append(
            Table(
                "detail",
                t("reviews.sheet.detail", lang),
                towns,
                detail_cols + tuple(c for c in cols if c.name not in ("target_title", "unit")),
            )
        )
    else:
        cols = _summary_columns(lang, monthly=False)
        tables.append(Table("summary", t("reviews.sheet.summary", lang), status_mod.totals(frame), cols))
    if kind == "quarterly":
        qb = reviews.quarterly_bulletin(plan, reports, period.code, lang=lang)
        extra = qb.ranking
        tables.append(
            Table(
                "ranking",
                t("reviews.sheet.ranking", lang),
                qb.ranking,
                (
                    _C("rank", "rank", "int", lang),
                    _C("org_name", "org", "text", lang),
                    _C("score", "score", "score", lang),
                    _C("n_targets", "n_targets", "int", lang),
                    _C("n_far_behind", "n_far_behind", "int", lang),
                ),
                unit_col=None,
            )
        )
        tables.append(
            Table(
                "far_behind",
                t("reviews.sheet.far_behind", lang),
                qb.far_behind,
                detail_cols
                + (
                    _C("actual", "actual", "amount", lang),
                    _C("allocation", "allocation", "amount", lang),
                    _C("completion", "completion", "pct", lang),
                    _C("expected", "expected", "pct", lang),
                    _C("gap_pp", "gap_pp", "pp", lang),
                ),
            )
        )
        s = bulletin.ranking_sentence(plan, qb.ranking, lang)
        cap = display.number(ranking.cap(plan), "", lang)
        summary += [x for x in (s, t("reviews.score_note", lang, cap=cap)) if x]
    if kind == "half-year":
        half = reviews.half_year_review(plan, reports, lang=lang)
        summary.append(bulletin.half_year_sentence(half, lang))
        hcols = (
            _C("actual", "actual", "amount", lang),
            _C("target_value", "target_value", "amount", lang),
            _C("completion", "completion", "pct", lang),
            _C("half_pass", "half_pass", "bool", lang),
            _C("half_margin_pp", "half_margin", "pp", lang),
            _C("expected", "expected", "pct", lang),
            _C("status_label", "status", "text", lang),
        )
        tables.append(Table("half", t("reviews.sheet.half", lang), half, detail_cols + hcols))
    if kind == "annual":
        a = scoring.assess(plan, reports, as_of, submissions=submissions, lang=lang)
        extra = a.totals
        note = annual.partial_note(through, period.month, lang) if through else ""
        summary += annual.sentences(plan, a, lang, through=through)
        summary.append(t("reviews.rubric_note", lang))
        tables.append(annual.assessment_table(plan, a, lang, note=note, through=through))
        tables.append(annual.scores_table(plan, a, lang, note=note))
    figures = _figures(kind, plan, frame, extra, lang) if charts else []
    tables = [_marked(plan, table, lang) for table in tables]
    missing = missing_reporters(plan, reports, frame, through or period.month)
    if kind == "monthly":
        said = bulletin.missing_sentence(plan, missing, period.month, lang)
        if said:
            summary.insert(0, said + t("reviews.b.end", lang))
    notes = []
    if synthetic if synthetic is not None else plan.plan.synthetic:
        notes.append(t("reviews.synthetic_note", lang))
    region = plan.plan.region if lang == "zh" else (plan.org_name(plan.root().id, "en") or plan.plan.region)
    title = layout_mod.title(kind, region, period.label(lang), lang)
    lay = layout_mod.layout(plan, number=doc_number, lang=lang, kind=kind)
    return Review(
        kind=kind,
        period=period,
        lang=lang,
        title=title,
        issuer=lay.issuer,
        date=date or min(dt.date.today(), period.as_of + dt.timedelta(days=10)),
        addressee=layout_mod.addressee(kind, lang, lay),
        paragraphs=bulletin.paragraphs(plan, frame, lang, missing=missing),
        summary=summary,
        tables=tables,
        figures=figures,
        notes=notes,
        plan_id=plan.plan.id,
        data_month=bulletin.data_month(frame),
        notice=bulletin.currency_line(frame, lang, asked=period.month),
        layout=lay,
        written=written_sections(kind, people, lang),
        lead=(
            annual.lead(period.label(lang), through, lang)
            if kind == "annual"
            else t(f"documents.lead.{kind}", lang, period=period.label(lang))
        ),
    )


def mark_text(plan: Plan, row, lang: str) -> str:
    """The 数据说明 of one row: a carried-forward figure (「本月未报，沿用2005年5月数据」), an org with
    no figure at all, or a total from some but not all expected reporters; '' otherwise."""
    notes = []
    org = row.get("org")
    if org == status_mod.ALL:
        clause = bulletin.completeness_clause(plan, row, lang).strip().strip("（）() ")
        notes += [clause] if clause else []
        if bool(row.get("stale", False)) is True:
            notes.append(t("reviews.mark.stale_total", lang))
    elif bool(row.get("stale", False)) is True:
        last = row.get("last_month") or row.get("data_month") or ""
        label = months.label(last, lang) if isinstance(last, str) and len(last) >= 7 else display.MISSING
        notes.append(t("reviews.mark.stale", lang, month=label))
    elif row.get("status") == "no_data":
        notes.append(t("reviews.mark.no_report", lang))
    return t("reviews.b.sep", lang).join(notes)


def with_marks(plan: Plan, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with a ``note`` column of :func:`mark_text` (empty when nothing needs saying)."""
    f = frame.copy()
    f["note"] = [mark_text(plan, row, lang) for _, row in f.iterrows()] if len(f) else []
    return f


def _marked(plan: Plan, table: Table, lang: str) -> Table:
    """``table`` with the 数据说明 column when its rows can be stale, incomplete or unreported."""
    f = table.frame
    if not any(c in f for c in ("stale", "incomplete", "status")) or "note" in f:
        return table
    cols = table.columns + (Column("note", t("reviews.col.note", lang), "text"),)
    return Table(table.key, table.title, with_marks(plan, f, lang), cols, table.unit_col, table.note)


def missing_reporters(plan: Plan, reports: pd.DataFrame, frame: pd.DataFrame, month: str) -> list[str]:
    """Org ids expected to report ``month`` that have not: :func:`kejifu.status.missing_reporters`
    when the engine has it, else read from the status frame (:func:`kejifu.bulletin.missing_orgs`)."""
    engine = getattr(status_mod, "missing_reporters", None)
    if engine is not None:
        try:
            found = engine(plan, reports, month)
        except Exception:  # noqa: BLE001 - a newer engine's signature: fall back to the frame
            found = None
        if found is not None:
            ids = list(found["org"]) if isinstance(found, pd.DataFrame) else list(found)
            ids = [str(o) for o in ids]
            return [o.id for o in plan.orgs if o.id in set(ids)]
    return bulletin.missing_orgs(plan, frame)
