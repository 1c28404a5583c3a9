"""Next year's plan from this year's: the same targets, each baseline set to this year's actual.

:func:`next_plan` is pure (no files, no store): it takes this year's :class:`~kejifu.plan.Plan`
and the status engine's frame (:func:`kejifu.status.status`; only the totals, ``org == 'all'``,
are read) and returns the next plan as the dict a plan file holds, with findings for the
planner:

- each target's ``baseline`` is this year's actual [target unit; shares in %], and its
  ``baseline_note`` says so — 「基数为截至6月数」 when the year's data run through June only;
  without an actual the old baseline stays and a finding says so;
- the target value is the five-year plan's path for the next year when the plan has one
  (``settings.five_year``, below), else this year's; a finding where it falls below this year's
  actual (above it, for a target to cut);
- ``allocations`` of cumulative targets are carried as this year's proportions, scaled to the
  new county figure (whole numbers for counts, largest remainders first, so they add up);
  per-org levels of shares and levels are carried as they are; a note asks to adjust them;
- ``target_points`` and ``acknowledge`` (about this year's baseline) are dropped; a stretch that
  is no longer beyond the target is dropped; a milestone done this year is left out, one not
  done moves its due date a year on.

A five-year plan (e.g. 十一五, 2006–2010) is ``settings.five_year``::

    five_year:
      baseline_year: 2005     # the path starts here ...
      target_year: 2010       # ... and reaches each target's value here
      targets:
        ht_share: {baseline: 30.14, target: 40}   # or just 40: the baseline is then the
        mushroom_area: 6000                       # target's actual in the baseline year
                                                  # (when it is this plan's year), else its baseline

and each year's target is the straight path's value that year (:func:`kejifu.trajectory.linear_path`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from . import display, units
from .errors import PlanError, Problem
from .i18n import t
from .plan import Plan, Target
from .trajectory import TrajectoryError, linear_path

#: Baselines are kept to this many decimals [in the target unit].
BASELINE_DECIMALS = 4
#: Non-count targets and allocations are rounded to this many decimals [in the target unit].
AMOUNT_DECIMALS = 2
EPS = 1e-9


class _Amount:
    """An amount [unit] that a message shows in its own language (``3,000亩`` / ``3,000 mu``)."""

    def __init__(self, value: float, unit: str) -> None:
        self.value, self.unit = value, unit

    def text(self, lang: str) -> str:
        return display.number(self.value, self.unit, lang)


def _say(key: str, **fmt) -> tuple[str, str]:
    """The message ``key`` in Chinese and in English, amounts shown in each language."""

    def args(lang: str) -> dict:
        return {k: v.text(lang) if isinstance(v, _Amount) else v for k, v in fmt.items()}

    return t(key, "zh", **args("zh")), t(key, "en", **args("en"))


def _shift(text: str, prev: int, year: int) -> str:
    return text.replace(str(prev), str(year))


def _later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month(data_month: str | None, prev: int) -> int:
    """The month (1..12) this year's data run through; 12 when unknown or complete."""
    if not data_month or not str(data_month).startswith(f"{prev:04d}-"):
        return 12
    return int(str(data_month)[5:7])


def _actuals(frame: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """target → (the total's actual [unit], its status) from a status frame."""
    rows = frame[frame["org"] == "all"] if "org" in frame else frame
    return {r.target: (float(r.actual), str(getattr(r, "status", ""))) for r in rows.itertuples()}


def split(weights: list[float], total: float, step: float) -> list[float]:
    """``total`` split in proportion to ``weights`` in multiples of ``step`` that add up to
    ``total`` (largest remainders first) [the unit of ``total``]."""
    steps = round(total / step)
    whole = float(sum(weights))
    if whole <= 0 or steps <= 0:
        return [0.0 for _ in weights]
    raw = [w / whole * steps for w in weights]
    floors = [math.floor(r + EPS) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: max(0, steps - sum(floors))]:
        floors[i] += 1
    decimals = max(0, -int(math.floor(math.log10(step)))) if step < 1 else 0
    return [round(f * step, decimals) if decimals else float(f * step) for f in floors]


def _round(value: float, tg: Target) -> float:
    """A target value as a plan states it: whole numbers for counts (up for a target to raise,
    down for one to cut), else :data:`AMOUNT_DECIMALS` decimals."""
    if units.is_count(tg.unit):
        value = math.ceil(value - EPS) if tg.direction == "increase" else math.floor(value + EPS)
        return float(value)
    return round(value, AMOUNT_DECIMALS)


def path_target(plan: Plan, tg: Target, year: int, actual: float) -> tuple[float, dict] | None:
    """The five-year plan's value of ``tg`` in ``year`` [target unit] and the path's ends, or None
    when ``settings.five_year`` has no path for it. Raises
    :class:`~kejifu.trajectory.TrajectoryError` for a path that cannot be drawn (years not in
    order, a missing or non-numeric baseline or target)."""
    five = plan.settings.get("five_year") if isinstance(plan.settings, dict) else None
    if not isinstance(five, dict) or not isinstance(five.get("targets"), dict):
        return None
    spec = five["targets"].get(tg.id)
    if spec is None:
        return None
    goal = spec.get("target") if isinstance(spec, dict) else spec
    base = spec.get("baseline") if isinstance(spec, dict) else None
    start, end = five.get("baseline_year"), five.get("target_year")
    if base is None:
        base = actual if start == plan.year else tg.baseline
    try:
        base, goal = float(base), float(goal)
        value = float(linear_path(start, base, end, goal, [year]).iloc[0])
    except (TypeError, ValueError) as exc:
        if isinstance(exc, TrajectoryError):
            raise
        raise TrajectoryError(
            *_say("nextplan.bad_path", base=base, goal=goal), field="settings.five_year"
        ) from None
    if not math.isfinite(value):
        raise TrajectoryError(*_say("nextplan.bad_path", base=base, goal=goal), field="settings.five_year")
    return value, {"start": start, "end": end, "base": base, "goal": goal}


def _allocations(tg: Target, target: float | None, prev: int) -> tuple[dict[str, Any], tuple[str, str]]:
    """The next year's allocations of ``tg`` and the note about them."""
    if tg.kind != "cumulative" or target is None:
        return dict(tg.allocations), _say("nextplan.carried", prev=prev)
    values = tg.allocation_values()
    if any(math.isnan(v) for v in values.values()) or not sum(values.values()) > 0:
        return dict(tg.allocations), _say("nextplan.carried", prev=prev)
    step = 1.0 if units.is_count(tg.unit) else 10.0**-AMOUNT_DECIMALS
    parts = split(list(values.values()), target, step)
    out = {org: (int(v) if float(v).is_integer() else v) for org, v in zip(values, parts)}
    return out, _say("nextplan.scaled", prev=prev, target=_Amount(target, tg.unit))


def next_plan(
    plan: Plan, frame: pd.DataFrame, *, year: int | None = None, data_month: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The plan of ``year`` (default: the next) from ``plan`` and this year's status ``frame``
    (:func:`kejifu.status.status`), as a plan file's dict, and the findings (``warning`` where a
    target falls below this year's actual, ``note`` for what the planner should look at), each
    located at the new plan's YAML path. ``data_month`` (``YYYY-MM``) is the month this year's
    data run through (:meth:`kejifu.workspace.Workspace.data_month`)."""
    prev = plan.year
    year = prev + 1 if year is None else int(year)
    if year <= prev:
        raise PlanError(*_say("nextplan.bad_year", year=prev), field="year")
    through = _month(data_month, prev)
    actuals = _actuals(frame)
    findings: list[Problem] = []
    if through < 12:  # said once here, and in every baseline note
        findings.append(Problem(*_say("nextplan.through", month=through), field="targets", level="note"))
    targets: list[dict[str, Any]] = []

    for tg in plan.targets:
        j = len(targets)
        found: list[tuple[str, tuple[str, str], str]] = []  # (field, (zh, en), level)
        actual, state = actuals.get(tg.id, (math.nan, ""))
        d = tg.model_dump(by_alias=True, exclude_defaults=True)
        if tg.kind == "milestone":
            if state == "achieved":
                zh, en = _say("nextplan.milestone_done", prev=prev, year=year)
                findings.append(Problem(f"{tg.id}：{zh}", f"{tg.id}: {en}", level="note"))
                continue
            d["due"] = _later(tg.due, year - prev) if tg.due else tg.due
            found.append(("due", _say("nextplan.milestone_moved", prev=prev, due=d["due"]), "note"))
        d.pop("target_points", None)
        d.pop("acknowledge", None)
        if tg.target_points is not None:
            found.append(("target", _say("nextplan.points_dropped"), "note"))
        if tg.kind != "milestone":
            if math.isfinite(actual):
                d["baseline"] = round(actual, BASELINE_DECIMALS)
                note = t("nextplan.baseline_note", "zh", year=prev, value=display.number(actual, tg.unit))
                if through < 12:
                    note += f"（{t('nextplan.through', 'zh', month=through)}）"
                d["baseline_note"] = note
            else:
                found.append(("baseline", _say("nextplan.no_actual", year=prev), "note"))
        target = tg.target
        try:
            path = path_target(plan, tg, year, actual) if tg.kind != "milestone" else None
        except TrajectoryError as exc:
            path = None
            found.append(("target", (exc.zh, exc.en), "warning"))
        if path is not None:
            target = _round(path[0], tg)
            d["target"] = target
            d.pop("pending", None)
            ends = path[1]
            found.append(
                (
                    "target",
                    _say(
                        "nextplan.from_path",
                        year=year,
                        value=_Amount(target, tg.unit),
                        start=ends["start"],
                        end=ends["end"],
                        base=_Amount(ends["base"], tg.unit),
                        goal=_Amount(ends["goal"], tg.unit),
                    ),
                    "note",
                )
            )
        if target is not None and tg.stretch is not None:
            beyond = tg.stretch > target if tg.direction == "increase" else tg.stretch < target
            if not beyond:
                d.pop("stretch", None)
                found.append(
                    (
                        "stretch",
                        _say(
                            "nextplan.stretch_dropped",
                            stretch=_Amount(tg.stretch, tg.unit),
                            target=_Amount(target, tg.unit),
                        ),
                        "note",
                    )
                )
        if target is not None and math.isfinite(actual) and tg.kind != "milestone":
            args = dict(
                year=year,
                prev=prev,
                target=_Amount(target, tg.unit),
                actual=_Amount(actual, tg.unit),
            )
            if tg.direction == "increase" and target < actual - EPS * max(1.0, abs(actual)):
                found.append(("target", _say("nextplan.below_actual", **args), "warning"))
            elif tg.direction == "decrease" and target > actual + EPS * max(1.0, abs(actual)):
                found.append(("target", _say("nextplan.above_actual", **args), "warning"))
        if tg.allocations:
            d["allocations"], said = _allocations(tg, target, prev)
            found.append(("allocations", said, "note"))
        targets.append(d)
        for fld, (zh, en), level in found:
            findings.append(
                Problem(f"{tg.id}：{zh}", f"{tg.id}: {en}", field=f"targets[{j}].{fld}", level=level)
            )

    info = plan.plan.model_dump(by_alias=True, exclude_defaults=True)
    info["year"] = year
    for key in ("title", "title_en", "note"):
        if info.get(key):
            info[key] = _shift(info[key], prev, year)
    info["id"] = _shift(info["id"], prev, year) if str(prev) in info["id"] else f"{info['id']}-{year}"
    data: dict[str, Any] = {"plan": info}
    data["orgs"] = [o.model_dump(by_alias=True, exclude_defaults=True) for o in plan.orgs]
    if plan.measures:
        data["measures"] = [m.model_dump(by_alias=True, exclude_defaults=True) for m in plan.measures]
    data["targets"] = targets
    if plan.assessment:
        rubric = dict(plan.assessment)
        for key in ("title", "title_en"):
            if isinstance(rubric.get(key), str):
                rubric[key] = _shift(rubric[key], prev, year)
        data["assessment"] = rubric
    if plan.settings:
        data["settings"] = dict(plan.settings)
    return data, findings


def baselines(data: dict[str, Any]) -> pd.Series:
    """target id → baseline [target unit] of a plan dict (NaN where there is none)."""
    return pd.Series(
        {d["id"]: float(d["baseline"]) if d.get("baseline") is not None else np.nan for d in data["targets"]},
        dtype=float,
    )
