"""Reviews: the monthly table (月调度表), quarterly bulletin (季通报), half-year review
(半年总结, 时间过半、任务过半) and year-end assessment (年终考核).

Every function is pure over a plan and a reports frame (``org, measure, month,
value`` with year-to-date cumulative values in each measure's unit); all figures
come from :func:`kejifu.status.status`.

Town score in the quarterly bulletin (``score="progress"``, the default): the one ranking
rule of :mod:`kejifu.ranking` — the mean over a town's allocated targets due so far of
``min(completion / expected, cap)`` times 100 [points] (``cap`` = the plan's
``settings.ranking.cap``, default 1.5); a target without data counts 0; ties share a rank; a
town that reported nothing has no score and is ranked last. ``score="rubric"`` ranks by
:func:`kejifu.scoring.assess` as of the quarter's end instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import bulletin as bulletin_mod
from . import display, months, opensdg, ranking, scoring
from . import status as status_mod
from .errors import UsageError
from .i18n import t
from .plan import Plan

KINDS = ("monthly", "quarterly", "half-year", "annual")
_EXAMPLES = {"monthly": "2005-06", "quarterly": "2005Q2", "half-year": "2005H1", "annual": "2005"}
_PATTERNS = {
    "monthly": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarterly": re.compile(r"^(\d{4})-?[Qq]([1-4])$"),
    "half-year": re.compile(r"^(\d{4})-?[Hh]([12])$"),
    "annual": re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True)
class Period:
    """A review period: ``kind``, ``year``, its last month ``end_month`` (1..12) and a ``code``."""

    kind: str
    year: int
    end_month: int
    code: str  # 2005-06, 2005Q2, 2005H1, 2005

    @property
    def as_of(self) -> dt.date:
        """The last day of the period."""
        return months.month_end((self.year, self.end_month))

    @property
    def month(self) -> str:
        """The period's last month ``YYYY-MM``."""
        return months.key(self.year, self.end_month)

    def label(self, lang: str = "zh") -> str:
        if self.kind == "monthly":
            return t(
                "reviews.period.monthly",
                lang,
                year=self.year,
                month=self.end_month,
                month_name=calendar.month_name[self.end_month],
            )
        if self.kind == "quarterly":
            q = self.end_month // 3
            return t("reviews.period.quarterly", lang, year=self.year, q=q, q_cn="一二三四"[q - 1])
        if self.kind == "half-year":
            key = "reviews.period.half-year" if self.end_month == 6 else "reviews.period.half-year2"
            return t(key, lang, year=self.year)
        return t("reviews.period.annual", lang, year=self.year)


def parse_period(kind: str, text: str, *, year: int | None = None) -> Period:
    """Read ``text`` as a period of ``kind`` (``2005-06``, ``2005Q2``, ``2005H1``, ``2005``).

    Raises :class:`~kejifu.errors.UsageError` (bilingual) for an unknown kind, a
    malformed period or — when ``year`` is given — a period outside the plan year.
    """
    if kind not in KINDS:
        raise UsageError(
            t("reviews.period.kind_bad", "zh", text=kind),
            t("reviews.period.kind_bad", "en", text=kind),
            field="kind",
        )
    text = str(text).strip()
    m = _PATTERNS[kind].match(text)

    def bad() -> UsageError:
        fmt = dict(text=text, example=_EXAMPLES[kind])
        return UsageError(
            t("reviews.period.bad", "zh", kind=t(f"reviews.kind.{kind}", "zh"), **fmt),
            t("reviews.period.bad", "en", kind=kind, **fmt),
            field="period",
        )

    if m is None:
        raise bad()
    y = int(m.group(1))
    if kind == "monthly":
        mon = int(m.group(2))
        if not 1 <= mon <= 12:
            raise bad()
        end, code = mon, f"{y:04d}-{mon:02d}"
    elif kind == "quarterly":
        q = int(m.group(2))
        end, code = 3 * q, f"{y:04d}Q{q}"
    elif kind == "half-year":
        h = int(m.group(2))
        end, code = 6 * h, f"{y:04d}H{h}"
    else:
        end, code = 12, f"{y:04d}"
    if year is not None and y != year:
        raise UsageError(
            t("reviews.period.year_bad", "zh", text=text, year=year),
            t("reviews.period.year_bad", "en", text=text, year=year),
            field="period",
        )
    return Period(kind=kind, year=y, end_month=end, code=code)


def has_last_year(plan: Plan, reports: pd.DataFrame) -> bool:
    """Whether ``reports`` holds any row of ``plan.year − 1``."""
    if reports is None or reports.empty:
        return False
    years, _ = status_mod.split_months(reports["month"])
    return bool((years == plan.year - 1).any())


def monthly_table(
    plan: Plan, reports: pd.DataFrame, month: int | str | dt.date, *, lang: str = "zh"
) -> pd.DataFrame:
    """The monthly progress table (月调度表) for ``month`` (1..12, ``YYYY-MM`` or a date in it).

    One row per target and org (``org='all'`` = county total first), the columns of
    :func:`kejifu.status.status` plus ``org_name, target_title, increment`` (this
    month's addition: year-to-date now minus last month [target unit]; for shares
    the change [percentage points]), ``last_year`` (the same month of last year,
    when the frame has reports of that month of ``plan.year − 1``: the engine's
    ``last_year_actual``), ``yoy_pct`` (year-on-year growth [%], cumulative and level targets:
    the engine's ``yoy`` × 100) and ``yoy_pp`` (shares [percentage points]); all NaN
    (「无上年同期数据」) without last year's figures of the same month.
    """
    mon = _month_number(plan, month)
    now = status_mod.status(plan, reports, months.month_end((plan.year, mon)), lang=lang)
    key = ["target", "org"]
    if mon > 1:
        prev = status_mod.status(plan, reports, months.month_end((plan.year, mon - 1)), lang=lang)[
            key + ["actual"]
        ]
        prev = prev.rename(columns={"actual": "_prev"})
        out = now.merge(prev, on=key, how="left")
        prev_actual = out["_prev"].to_numpy(dtype=float)
        is_share = (out["kind"] == "share").to_numpy()
        prev_actual = np.where(np.isnan(prev_actual) & ~is_share, 0.0, prev_actual)
        out["increment"] = out["actual"].to_numpy(dtype=float) - prev_actual
        out = out.drop(columns="_prev")
    else:
        out = now.copy()
        out["increment"] = np.where(out["kind"] == "share", np.nan, out["actual"])
    out.loc[out["kind"] == "milestone", "increment"] = np.nan
    # 同比 is the engine's: the same month of last year only (rule 10), never a full-year figure
    yoy = pd.to_numeric(out["yoy"], errors="coerce").to_numpy(dtype=float)
    is_share = (out["kind"] == "share").to_numpy()
    out["last_year"] = pd.to_numeric(out["last_year_actual"], errors="coerce")
    out["yoy_pct"] = np.where(is_share, np.nan, yoy * 100.0)
    out["yoy_pp"] = np.where(is_share, yoy, np.nan)
    out.insert(2, "org_name", [plan.org_name(o, lang) for o in out["org"]])
    out.insert(1, "target_title", [plan.target(x).label(lang) for x in out["target"]])
    return out.reset_index(drop=True)


def _month_number(plan: Plan, month) -> int:
    if isinstance(month, (int, np.integer)):
        m = int(month)
    elif isinstance(month, str) and re.fullmatch(r"\d{4}-\d{1,2}", month.strip()):
        y, m = (int(x) for x in month.strip().split("-"))
        if y != plan.year:
            raise UsageError(
                t("reviews.period.year_bad", "zh", text=month, year=plan.year),
                t("reviews.period.year_bad", "en", text=month, year=plan.year),
                field="month",
            )
    else:
        d = pd.Timestamp(month).date()
        m = d.month if d.year == plan.year else (12 if d.year > plan.year else 1)
    if not 1 <= m <= 12:
        raise UsageError(f"月份无效：{month}", f"invalid month: {month}", field="month")
    return m


def progress_scores(
    plan: Plan, frame: pd.DataFrame, *, kinds: tuple[str, ...] = ranking.KINDS, lang: str = "zh"
) -> pd.DataFrame:
    """Rank orgs of ``kinds`` by the progress score (module docstring) from a status frame:
    :func:`kejifu.ranking.rank_towns` (the one rule).

    Columns ``rank, org, org_name, score`` [points], ``n_targets, n_far_behind, n_no_data``,
    ``reported`` (False: reported nothing, no score, ranked last), ``status``.
    """
    r = ranking.rank_towns(frame, plan, kinds=kinds, lang=lang)
    cols = [
        "rank",
        "org",
        "org_name",
        "score",
        "n_targets",
        "n_far_behind",
        "n_no_data",
        "reported",
        "status",
    ]
    return r[cols]


@dataclass(frozen=True)
class QuarterlyBulletin:
    """Data of a quarterly bulletin: the status ``frame`` at the quarter's end, the
    county ``totals``, the town ``ranking``, the ``far_behind`` items (target × org) and every
    ``laggards`` item (:func:`laggard_items`: far behind, behind, below a floor, overdue)."""

    period: Period
    frame: pd.DataFrame
    totals: pd.DataFrame
    ranking: pd.DataFrame
    far_behind: pd.DataFrame
    score_method: str
    laggards: pd.DataFrame | None = None


def quarterly_bulletin(
    plan: Plan, reports: pd.DataFrame, quarter: int | str, *, score: str = "progress", lang: str = "zh"
) -> QuarterlyBulletin:
    """The quarterly bulletin data for ``quarter`` (1..4 or ``2005Q2``).

    ``score``: ``progress`` (module docstring) or ``rubric`` (the year-end rubric as of the
    quarter's end; columns of :func:`kejifu.scoring.assess` totals with ``score`` = total).
    """
    period = parse_period(
        "quarterly", f"{plan.year}Q{quarter}" if isinstance(quarter, int) else quarter, year=plan.year
    )
    frame = status_mod.status(plan, reports, period.as_of, lang=lang)
    if score == "progress":
        ranking = progress_scores(plan, frame, lang=lang)
    elif score == "rubric":
        a = scoring.assess(plan, reports, period.as_of, lang=lang)
        ranking = a.totals.rename(columns={"total": "score"})
    else:
        raise UsageError(f"未知的评分方法：{score}", f"unknown score method: {score}", field="score")
    far = far_behind_items(plan, frame, lang=lang)
    return QuarterlyBulletin(
        period=period,
        frame=frame,
        totals=status_mod.totals(frame),
        ranking=ranking,
        far_behind=far,
        score_method=score,
        laggards=laggard_items(plan, frame, lang=lang),
    )


def laggard_items(
    plan: Plan, frame: pd.DataFrame, *, statuses=status_mod.LAGGING, lang: str = "zh"
) -> pd.DataFrame:
    """The rows of an org (not the total) whose status is one of ``statuses`` (only those of
    :data:`kejifu.status.LAGGING`: never ``not_applicable``, ``pending``, ``not_due`` or ``met``),
    worst first (:data:`kejifu.bulletin.LAG_ORDER`, then the gap), with names added.

    Only rows whose completion is a real figure (finite, ≥ −100 %) of the reporting month: an org
    without its own status (one side of a share) or with a carried-forward figure is never named,
    nor an org of a target whose value is awaited (its total ``pending``)."""
    codes = [c for c in bulletin_mod.LAG_ORDER if c in statuses and c in status_mod.LAGGING]
    comp = pd.to_numeric(frame["completion"], errors="coerce")
    real = comp.map(display.is_number).astype(bool) & (comp.fillna(-2) >= -1)
    if "stale" in frame:
        real &= ~frame["stale"].fillna(False).astype(bool)
    # a target whose value is awaited (pending) has a provisional split: none of its orgs is named
    pending = frame.loc[(frame["org"] == status_mod.ALL) & (frame["status"] == "pending"), "target"]
    real &= ~frame["target"].isin(set(pending))
    f = frame[frame["status"].isin(codes) & (frame["org"] != status_mod.ALL) & real].copy()
    f.insert(1, "target_title", [plan.target(x).label(lang) for x in f["target"]])
    f.insert(3, "org_name", [plan.org_name(o, lang) for o in f["org"]])
    f["_order"] = f["status"].map({c: i for i, c in enumerate(codes)})
    f = f.sort_values(["_order", "gap_pp"], kind="stable", na_position="last")
    return f.drop(columns="_order").reset_index(drop=True)


def far_behind_items(plan: Plan, frame: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """The ``far_behind`` rows of an org (not the total), worst gap first, with names added:
    :func:`laggard_items` of that one status (real completion figures only)."""
    return laggard_items(plan, frame, statuses=("far_behind",), lang=lang)


def half_year_review(plan: Plan, reports: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """The 时间过半、任务过半 check as of 30 June, per target and org (total first).

    Columns: those of the status frame plus ``target_title, org_name``, ``half_pass``
    (completion ≥ 50%; NaN-safe: no data fails) and ``half_margin_pp`` = (completion − 0.5) × 100
    [percentage points]. Milestones are left out (they are due on a date, not by half), and so are
    floors (``each: true``: met / not met) and targets whose value is awaited (``pending``).
    """
    frame = status_mod.status(plan, reports, dt.date(plan.year, 6, 30), lang=lang)
    # floors (each org must clear them: met / not met) and targets whose value is awaited have no
    # time progress to be half through
    untimed = {tg.id for tg in plan.targets if tg.each}
    untimed |= set(frame.loc[(frame["org"] == status_mod.ALL) & (frame["status"] == "pending"), "target"])
    f = frame[
        (frame["kind"] != "milestone")
        & ~frame["target"].isin(untimed)
        & ((frame["org"] == status_mod.ALL) | frame["allocation"].notna())
    ].copy()
    comp = f["completion"].to_numpy(dtype=float)
    f["half_pass"] = np.where(np.isnan(comp), False, comp >= 0.5 - 1e-9)
    f["half_margin_pp"] = (comp - 0.5) * 100.0
    f.insert(1, "target_title", [plan.target(x).label(lang) for x in f["target"]])
    f.insert(3, "org_name", [plan.org_name(o, lang) for o in f["org"]])
    return f.reset_index(drop=True)


def year_end_assessment(
    plan: Plan,
    reports: pd.DataFrame,
    *,
    lang: str = "zh",
    rubric: scoring.Rubric | None = None,
    submissions: pd.DataFrame | None = None,
) -> scoring.Assessment:
    """The year-end assessment: :func:`kejifu.scoring.assess` as of 31 December
    (``submissions``: the frame with ``imported_at`` that late reports are judged from)."""
    return scoring.assess(
        plan, reports, dt.date(plan.year, 12, 31), rubric=rubric, submissions=submissions, lang=lang
    )


def grade_counts(totals: pd.DataFrame) -> dict[str, int]:
    """How many orgs got each grade (``excellent, good, pass, fail``)."""
    vc = totals["grade"].value_counts()
    return {g: int(vc.get(g, 0)) for g in scoring.GRADES}


def year_end_values(plan: Plan, reports: pd.DataFrame, years, *, targets=None) -> pd.DataFrame:
    """County totals at each year's end: ``target, year, actual`` [target unit; shares %].

    Evaluates :func:`kejifu.status.status` once per year with the plan moved to that year
    (reports of other years are ignored by the engine); ``targets`` defaults to the plan's
    ``level`` and ``share`` targets (the ones a five-year path is drawn for).
    """
    ids = (
        list(targets)
        if targets is not None
        else [tg.id for tg in plan.targets if tg.kind in ("level", "share")]
    )
    rows = []
    for y in years:
        info = plan.plan.model_copy(update={"year": int(y)})
        frame = status_mod.totals(
            status_mod.status(plan.model_copy(update={"plan": info}), reports, dt.date(int(y), 12, 31))
        )
        frame = frame[frame["target"].isin(ids)]
        rows += [{"target": r.target, "year": int(y), "actual": float(r.actual)} for r in frame.itertuples()]
    return pd.DataFrame(rows, columns=["target", "year", "actual"])


def five_year(
    plan: Plan,
    reports: pd.DataFrame,
    *,
    years=None,
    baseline_year: int | None = None,
    targets=None,
    lang: str = "zh",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five-year plan trajectories (e.g. 2006–2010), our path status beside Open SDG's.

    ``years`` default: ``plan.settings['synthetic_years']`` or the five years ending in the
    plan year; ``baseline_year`` default: the year before the first. The plan's ``baseline``
    is the baseline-year value and its ``target`` the value due in the last year.
    Returns ``(paths, summary)``: ``paths`` = :func:`kejifu.opensdg.plan_trajectory`
    rows with ``target, target_title``; ``summary`` one row per target with the latest
    year's ``actual, path, completion, expected_completion, gap_pp, on_track`` (ours:
    completion ≥ the straight-line share of the period) and ``opensdg_status, opensdg_score``.
    """
    yrs = (
        list(years)
        if years is not None
        else list(plan.settings.get("synthetic_years") or range(plan.year - 4, plan.year + 1))
    )
    by = baseline_year if baseline_year is not None else min(yrs) - 1
    values = year_end_values(plan, reports, yrs, targets=targets)
    paths, summary = [], []
    for tid, v in values.groupby("target", sort=False):
        tg = plan.target(tid)
        if tg.baseline is None or tg.target is None:
            continue
        v = v.dropna(subset=["actual"])
        p = opensdg.plan_trajectory(
            v["year"],
            v["actual"],
            baseline_year=by,
            baseline=tg.baseline,
            target_year=max(yrs),
            target=tg.target,
            direction=tg.direction,
        )
        p.insert(0, "target", tid)
        p.insert(1, "target_title", tg.label(lang))
        paths.append(p)
        last = p.dropna(subset=["actual"])
        last = last[last["year"] > by]
        if last.empty:
            continue
        r = last.iloc[-1]
        summary.append(
            {
                "target": tid,
                "target_title": tg.label(lang),
                "unit": tg.unit,
                "year": int(r["year"]),
                "actual": r["actual"],
                "path": r["path"],
                "completion": r["completion"],
                "expected_completion": r["expected_completion"],
                "gap_pp": r["gap_pp"],
                "on_track": bool(r["completion"] >= r["expected_completion"] - 1e-9),
                "opensdg_status": r["opensdg_status"],
                "opensdg_score": r["opensdg_score"],
            }
        )
    paths_df = pd.concat(paths, ignore_index=True) if paths else pd.DataFrame()
    return paths_df, pd.DataFrame(summary)


def last_complete_period(kind: str, year: int, month: int | str | None) -> Period:
    """The latest period of ``kind`` fully reported through ``month`` (1..12 or ``YYYY-MM``);
    the first period of the year when none is complete yet; the year itself for ``annual``."""
    if isinstance(month, str):
        month = int(month[5:7]) if month[:4] == f"{year:04d}" else (12 if month[:4] > f"{year:04d}" else 0)
    m = int(month or 0)
    if kind == "monthly":
        return parse_period(kind, f"{year:04d}-{max(m, 1):02d}")
    if kind == "quarterly":
        return parse_period(kind, f"{year:04d}Q{max(m // 3, 1)}")
    if kind == "half-year":
        return parse_period(kind, f"{year:04d}H{max(m // 6, 1)}")
    return parse_period("annual", f"{year:04d}")


def allocation_table(plan: Plan, *, lang: str = "zh") -> pd.DataFrame:
    """Targets × orgs: each allocated amount [target unit], with the sum of allocations,
    the plan target and their difference (``allocated − target``; ≠ 0 means the split
    does not add up). One row per target that has allocations. On a share or level target an
    allocation is that org's own target level, so there is no sum: ``allocated`` and
    ``difference`` are NaN."""
    rows = []
    for tg in plan.targets:
        alloc = tg.allocation_values()
        if not alloc:
            continue
        summed = tg.kind not in ("share", "level")
        total = float(np.nansum(list(alloc.values()))) if summed else np.nan
        row = {"target": tg.id, "target_title": tg.label(lang), "unit": tg.unit}
        row.update({plan.org_name(o, lang): v for o, v in alloc.items()})
        row.update(
            {
                "allocated": total,
                "target_value": tg.target,
                "difference": total - tg.target if summed and tg.target is not None else np.nan,
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)
