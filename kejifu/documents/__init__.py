"""Review documents: one :class:`Review` (title, body paragraphs, tables, figures) written
as xlsx (:mod:`.xlsx`), docx (:mod:`.docx`) and HTML (:mod:`.html`); responsibility
contracts (责任状) as docx.

:func:`build_review` gathers a review's content from the numbers (reviews, scoring,
bulletin, charts); the writers only lay it out. Tables keep raw numbers with a
format per column (``amount`` in the row's unit, ``pct`` a share shown as per cent,
``pp`` percentage points, ``score`` points, ``int``, ``bool``, ``text``) so that
xlsx cells hold numbers and docx/HTML cells hold :func:`kejifu.units.format_value` text.

Charts are PNG images exported through kaleido (Chromium); :func:`chart_png`
returns ``None`` (and the documents say so) when the export fails or times out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import bulletin, reviews, scoring
from .. import status as status_mod
from ..i18n import t
from ..plan import Plan
from ..units import format_value

CHART_TIMEOUT = 60.0  # [s] per figure
_chart_state: dict[str, bool] = {}


@dataclass(frozen=True)
class Column:
    """A table column: frame column ``name``, its ``header`` and display ``fmt``."""

    name: str
    header: str
    fmt: str = "text"  # text | amount | pct | pp | score | int | bool


@dataclass(frozen=True)
class Table:
    """A titled table; ``unit_col`` names the column holding each row's unit (for ``amount``)."""

    key: str
    title: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    unit_col: str | None = "unit"


@dataclass
class Review:
    """Everything a review document shows."""

    kind: str
    period: reviews.Period
    lang: str
    title: str
    issuer: str
    date: dt.date
    addressee: str
    paragraphs: list[bulletin.Paragraph]
    summary: list[str]
    tables: list[Table]
    figures: list[tuple[str, object]] = field(default_factory=list)  # (caption, plotly Figure)
    notes: list[str] = field(default_factory=list)
    plan_id: str = "plan"

    def stem(self) -> str:
        """File name stem: ``<plan id>_<kind>_<period>`` (plus ``_en`` for English)."""
        return f"{self.plan_id}_{self.kind}_{self.period.code}" + ("_en" if self.lang == "en" else "")


# ----- workspace folders ---------------------------------------------------------------------------


def output_dir(name: str = "reports", workspace=None) -> Path:
    """``<workspace>/<name>/`` (created): where notebooks write reports, contracts, templates
    and uploaded files; the workspace comes from :func:`kejifu.config.workspace_dir`."""
    from .. import config

    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"无效的文件夹名 / invalid folder name: {name!r}")
    folder = config.workspace_dir(workspace) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(name: str, content: bytes, workspace=None) -> Path:
    """Save an uploaded file's bytes as ``<workspace>/uploads/<base name>``; directory parts of
    ``name`` are dropped so nothing is written outside the workspace. Returns the path."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise ValueError(f"无效的文件名 / invalid file name: {name!r}")
    path = output_dir("uploads", workspace) / base
    path.write_bytes(bytes(content))
    return path


# ----- cell formatting ---------------------------------------------------------------------------


def is_number(v) -> bool:
    if v is None or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def cell_text(value, fmt: str, unit: str | None, lang: str) -> str:
    """The display text of one cell (docx, HTML); empty for missing numbers."""
    if fmt == "text":
        return "" if value is None or (isinstance(value, float) and value != value) else str(value)
    if fmt == "bool":
        if value is None or (isinstance(value, float) and value != value):
            return ""
        return t("reviews.yes" if bool(value) else "reviews.no", lang)
    if not is_number(value):
        return "–"
    v = float(value)
    if fmt == "amount":
        return format_value(v, unit or "", lang) if unit else format_value(v, "", lang)
    if fmt == "pct":
        return format_value(round(v * 100.0, 1), "%", lang, decimals=1)
    if fmt == "pp":
        return format_value(round(v, 1), "", lang, decimals=1)
    if fmt == "score":
        return format_value(round(v, 1), "", lang, decimals=1)
    if fmt == "int":
        return format_value(round(v), "", lang, decimals=0)
    return str(value)


def table_rows(table: Table, lang: str) -> list[list[str]]:
    """The display texts of a table's rows."""
    out = []
    for _, row in table.frame.iterrows():
        unit = row[table.unit_col] if table.unit_col and table.unit_col in row else None
        out.append([cell_text(row.get(c.name), c.fmt, unit, lang) for c in table.columns])
    return out


# ----- charts ------------------------------------------------------------------------------------


def _with_timeout(fn, timeout: float):
    """Run ``fn()`` in a daemon thread; ``(True, value)`` or ``(False, None)`` on error/timeout."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result["value"] = fn()
        except Exception as exc:  # noqa: BLE001 — any exporter failure means "no chart"
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or "error" in result:
        return False, None
    return True, result.get("value")


def chart_png(
    fig, *, timeout: float = CHART_TIMEOUT, width: int = 900, height: int | None = None
) -> bytes | None:
    """PNG bytes of a plotly figure via kaleido 1.x (``fig.to_image``, which drives the
    Chromium it finds, e.g. /usr/bin/chromium), or ``None`` when the export fails or takes
    longer than ``timeout`` [s]. After one failure in a process the rest are skipped."""
    if _chart_state.get("broken"):
        return None
    h = height or int(fig.layout.height or 500)
    ok, png = _with_timeout(lambda: fig.to_image(format="png", width=width, height=h, scale=1.5), timeout)
    if not ok or not isinstance(png, (bytes, bytearray)):
        _chart_state["broken"] = True
        return None
    return bytes(png)


@contextlib.contextmanager
def chart_server(timeout: float = CHART_TIMEOUT):
    """Keep one kaleido browser open for several exports (kaleido ≥ 1.1 ``start_sync_server``)."""
    started = False
    try:
        import kaleido

        if hasattr(kaleido, "start_sync_server"):
            started, _ = _with_timeout(lambda: kaleido.start_sync_server(silence_warnings=True), timeout)
    except ImportError:
        pass
    try:
        yield
    finally:
        if started:
            import kaleido

            _with_timeout(lambda: kaleido.stop_sync_server(silence_warnings=True), timeout)


def _figures(kind: str, plan: Plan, frame: pd.DataFrame, extra, lang: str) -> list[tuple[str, object]]:
    from .. import charts

    figs: list[tuple[str, object]] = []
    totals = status_mod.totals(frame)
    totals = totals[totals["kind"] != "milestone"]
    if kind in ("monthly", "half-year") and not totals.empty:
        figs.append((t("reviews.sheet.summary", lang), charts.bullet(totals, plan, lang)))
    if kind == "quarterly" and extra is not None and not extra.empty:
        figs.append((t("reviews.sheet.ranking", lang), charts.ranking(extra, plan, lang, score="score")))
    if kind == "annual" and extra is not None and not extra.empty:
        figs.append((t("reviews.sheet.assessment", lang), charts.ranking(extra, plan, lang, score="total")))
    towns = frame[(frame["org"] != status_mod.ALL) & frame["allocation"].notna()]
    if kind in ("monthly", "quarterly") and not towns.empty:
        figs.append((t("reviews.sheet.detail", lang), charts.heatmap(frame, plan, lang)))
    return figs


# ----- review content ----------------------------------------------------------------------------


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
) -> Review:
    """Gather a review of ``kind`` (monthly, quarterly, half-year, annual) for ``period``.

    ``period`` is a :class:`~kejifu.reviews.Period` or its text (``2005-06``, ``2005Q2``,
    ``2005H1``, ``2005``); raises :class:`~kejifu.errors.UsageError` for a bad one.
    ``submissions``: the frame late/missing reports are judged from (``store.reports()``,
    with ``imported_at``), for the year-end assessment. ``date`` (issue date) defaults to
    today, but no later than 10 days after the period's end.
    """
    if not isinstance(period, reviews.Period):
        period = reviews.parse_period(kind, period, year=plan.year)
    as_of = period.as_of
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
        summary += [x for x in (s, t("reviews.score_note", lang)) if x]
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
        summary.append(bulletin.grades_sentence(a.totals, lang))
        summary.append(t("reviews.rubric_note", lang))
        tables.append(
            Table(
                "assessment",
                t("reviews.sheet.assessment", lang),
                a.totals,
                (
                    _C("rank", "rank", "int", lang),
                    _C("org_name", "org", "text", lang),
                    _C("total", "total", "score", lang),
                    _C("base", "base", "score", lang),
                    _C("bonus", "bonus", "score", lang),
                    _C("deductions", "deductions", "score", lang),
                    _C("missing_months", "missing_months", "int", lang),
                    _C("late_months", "late_months", "int", lang),
                    _C("veto_failed", "veto", "bool", lang),
                    _C("grade_label", "grade", "text", lang),
                ),
                unit_col=None,
            )
        )
        d = _with_names(plan, a.detail, lang)
        tables.append(
            Table(
                "scores",
                t("reviews.sheet.scores", lang),
                d,
                (
                    _C("org_name", "org", "text", lang),
                    _C("target_title", "target", "text", lang),
                    _C("weight", "weight", "score", lang),
                    _C("completion", "completion", "pct", lang),
                    _C("points", "points", "score", lang),
                    _C("bonus", "bonus", "score", lang),
                ),
                unit_col=None,
            )
        )
    figures = _figures(kind, plan, frame, extra, lang) if charts else []
    notes = []
    if synthetic if synthetic is not None else plan.plan.synthetic:
        notes.append(t("reviews.synthetic_note", lang))
    kind_label = t(f"reviews.kind.{kind}", lang)
    region = plan.plan.region if lang == "zh" else (plan.org_name(plan.root().id, "en") or plan.plan.region)
    title = t("reviews.doc.title", lang, region=region, period=period.label(lang), kind=kind_label)
    return Review(
        kind=kind,
        period=period,
        lang=lang,
        title=title,
        issuer=plan.plan.issuer or plan.plan.region,
        date=date or min(dt.date.today(), as_of + dt.timedelta(days=10)),
        addressee=t("reviews.doc.addressee", lang),
        paragraphs=bulletin.paragraphs(plan, frame, lang),
        summary=summary,
        tables=tables,
        figures=figures,
        notes=notes,
        plan_id=plan.plan.id,
    )


def render_figures(review: Review, *, timeout: float = CHART_TIMEOUT) -> list[tuple[str, bytes]]:
    """(caption, PNG) for every figure of ``review`` that could be exported."""
    out = []
    if not review.figures:
        return out
    with chart_server(timeout):
        for caption, fig in review.figures:
            png = chart_png(fig, timeout=timeout)
            if png is not None:
                out.append((caption, png))
    return out


def write_review(
    review: Review, out_dir: str | Path, *, charts: bool = True, timeout: float = CHART_TIMEOUT
) -> list[Path]:
    """Write ``review`` as ``<stem>.xlsx``, ``<stem>.docx`` and ``<stem>.html`` into ``out_dir``
    (created if needed); returns the paths written."""
    from . import docx as docx_mod
    from . import html as html_mod
    from . import xlsx as xlsx_mod

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    images = render_figures(review, timeout=timeout) if charts and review.figures else []
    charts_note = None if images else t("reviews.charts_missing", review.lang)
    paths = [
        xlsx_mod.write_review(review, out / f"{review.stem()}.xlsx"),
        docx_mod.write_review(review, out / f"{review.stem()}.docx", images=images, charts_note=charts_note),
        html_mod.write_review(review, out / f"{review.stem()}.html", images=images, charts_note=charts_note),
    ]
    return paths


def write_contracts(
    plan: Plan,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    kinds: tuple[str, ...] = ("town", "subdistrict"),
    date: dt.date | None = None,
) -> list[Path]:
    """One responsibility contract (责任状) docx per org of ``kinds``; returns the paths written."""
    from . import docx as docx_mod

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for org in plan.orgs:
        if org.kind not in kinds:
            continue
        suffix = "_en" if lang == "en" else ""
        paths.append(
            docx_mod.write_contract(
                plan, org.id, out / f"{plan.plan.id}_contract_{org.id}{suffix}.docx", lang=lang, date=date
            )
        )
    return paths


def contract_rows(plan: Plan, org_id: str, lang: str = "zh") -> pd.DataFrame:
    """The targets allocated to ``org_id``: ``target, title, allocation`` [target unit], ``unit``,
    ``text`` (formatted allocation) and ``schedule`` (what is due by 30 June)."""
    rows = []
    from .. import schedule as schedule_mod

    for tg in plan.targets:
        alloc = tg.allocation_values()
        if org_id not in alloc:
            continue
        v = alloc[org_id]
        half = float(schedule_mod.expected_share(tg.schedule, 6))
        sched = t("reviews.contract.half", lang, pct=format_value(round(half * 100, 1), "%", lang))
        text = format_value(v, tg.unit, lang) if is_number(v) else str(tg.allocations[org_id])
        if is_number(v) and tg.stretch is not None and tg.target and tg.kind == "cumulative":
            stretch = round(v * tg.stretch / tg.target, 2)
            text = t(
                "reviews.contract.firm_stretch", lang, firm=text, stretch=format_value(stretch, tg.unit, lang)
            )
        rows.append(
            {
                "target": tg.id,
                "title": tg.label(lang),
                "allocation": v,
                "unit": tg.unit,
                "text": text,
                "schedule": sched,
            }
        )
    return pd.DataFrame(rows, columns=["target", "title", "allocation", "unit", "text", "schedule"])
