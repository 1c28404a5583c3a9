"""Plan checks: findings about a valid plan that a planner should look at.

Unlike validation (:mod:`kejifu.plan`), checks never raise: they return a list of
:class:`~kejifu.errors.Problem` with ``level`` ``error`` or ``warning`` (``note`` for
what the plan acknowledges or awaits) and the YAML path of the target concerned, e.g.
allocations that don't add up to the county target, a stretch below the target, or "30.14% + 3 points ≠ 33%".
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from . import schedule as schedule_mod
from . import units
from .errors import PlanError, Problem, UnitError
from .plan import Plan, _line_of, load_plan

TOLERANCE = 1e-6


def _line_finder(file: str | None):
    """A function from a YAML path tuple to its 1-based line in ``file`` (None if unknown)."""
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # ten times faster on a province plan
        root = yaml.compose(Path(file).read_text(encoding="utf-8"), Loader=loader) if file else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        root = None
    return lambda loc: _line_of(root, loc) if root is not None else None


def check_plan(plan: Plan, file: str | None = None) -> list[Problem]:
    """Every finding about ``plan`` (empty when all is well).

    Each finding is located as ``file:line: targets[i].field`` when ``file`` is given.
    """
    found: list[Problem] = []
    org_ids = set(plan.org_index)
    line_of = _line_finder(file)
    for i, tg in enumerate(plan.targets):
        where = f"targets[{i}]"

        def add(zh: str, en: str, field: str, level: str = "warning", i=i, tg=tg, where=where) -> None:
            loc = ("targets", i, *field.split("."))
            # A warning the plan acknowledges (acknowledge: [{check: <field>, reason: ...}]) is a note.
            ack = next((a for a in tg.acknowledge if a.check == field.split(".")[0]), None)
            if ack is not None and level == "warning":
                level = "note"
                zh, en = f"{zh}（已确认：{ack.reason}）", f"{en} (acknowledged: {ack.reason})"
            found.append(
                Problem(
                    f"{tg.id}：{zh}",
                    f"{tg.id}: {en}",
                    file=file,
                    row=line_of(loc),
                    field=f"{where}.{field}",
                    level=level,
                )
            )

        # Allocations: unknown orgs, unconvertible units, totals that don't add up.
        total = 0.0
        for org, raw in tg.allocations.items():
            if org not in org_ids:
                add(
                    f"分解到未知单位 {org!r}",
                    f"allocation to unknown org {org!r}",
                    f"allocations.{org}",
                    "error",
                )
            try:
                total += units.to_unit(raw, tg.unit)
            except UnitError as exc:
                add(
                    f"分解值无法换算为{tg.unit}：{exc.zh}",
                    f"allocation cannot be converted to {tg.unit}: {exc.en}",
                    f"allocations.{org}",
                    "error",
                )
                total = math.nan
        if tg.allocations and tg.kind == "cumulative" and tg.target is not None and not math.isnan(total):
            diff = total - tg.target
            if abs(diff) > TOLERANCE * max(1.0, abs(tg.target)):
                more_zh = "多" if diff > 0 else "少"
                more_en = "more" if diff > 0 else "less"
                d = units.format_value(abs(diff), tg.unit)
                d_en = units.format_value(abs(diff), tg.unit, lang="en")
                sum_zh = units.format_value(total, tg.unit)
                sum_en = units.format_value(total, tg.unit, lang="en")
                goal_zh = units.format_value(tg.target, tg.unit)
                goal_en = units.format_value(tg.target, tg.unit, lang="en")
                add(
                    f"分解合计{sum_zh}，比全县目标{goal_zh}{more_zh}{d}",
                    f"allocations add up to {sum_en}, {d_en} {more_en} than the county target {goal_en}",
                    "allocations",
                )

        # Stretch on the wrong side of the target.
        if tg.stretch is not None and tg.target is not None:
            wrong = tg.stretch < tg.target if tg.direction == "increase" else tg.stretch > tg.target
            if wrong:
                add(
                    f"力争目标{tg.stretch:g}低于确保目标{tg.target:g}"
                    if tg.direction == "increase"
                    else f"力争目标{tg.stretch:g}高于确保目标{tg.target:g}（减少型指标）",
                    f"stretch {tg.stretch:g} is on the wrong side of the target {tg.target:g}",
                    "stretch",
                    "error",
                )

        # Target on the wrong side of the baseline for shares and levels.
        if tg.kind in ("share", "level") and tg.baseline is not None and tg.target is not None:
            if (tg.direction == "increase" and tg.target < tg.baseline) or (
                tg.direction == "decrease" and tg.target > tg.baseline
            ):
                add(
                    f"目标{tg.target:g}与方向（{tg.direction}）和基数{tg.baseline:g}不一致",
                    f"target {tg.target:g} contradicts direction {tg.direction} "
                    f"from baseline {tg.baseline:g}",
                    "target",
                )

        # "Raise by N points to X%": baseline + N must equal X.
        if tg.target_points is not None and tg.baseline is not None and tg.target is not None:
            implied = tg.baseline + tg.target_points
            if abs(implied - tg.target) > 0.005:
                add(
                    f"基数{tg.baseline:g}%提高{tg.target_points:g}个百分点应为{implied:.2f}%，与目标{tg.target:g}%不一致"
                    f"（相差{implied - tg.target:+.2f}个百分点），请确认以哪个为准",
                    f"baseline {tg.baseline:g}% + {tg.target_points:g} points = {implied:.2f}%, "
                    f"not the stated target {tg.target:g}% (off by {implied - tg.target:+.2f} points); "
                    "say which one is meant",
                    "target_points",
                )

        # A target value awaited (e.g. from the city): said, so that nobody reads a completion.
        if tg.pending and tg.target is None:
            given = tg.pending if isinstance(tg.pending, str) else None
            reason = given or "目标值待市里下达"
            reason_en = given or "the target value is awaited from the city"
            add(reason, reason_en, "pending", "note")

        # Share measures must be convertible into each other (numerator and denominator alike).
        if tg.kind == "share":
            nu, du = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
            if units.unit_kind(nu) != units.unit_kind(du):
                add(
                    f"分子单位{nu}与分母单位{du}无法换算",
                    f"numerator unit {nu} cannot be converted to denominator unit {du}",
                    "numerator",
                    "error",
                )
            if units.unit_kind(tg.unit) != "percent":
                add(
                    f"比重指标的单位应为%，而不是{tg.unit}",
                    f"a share target is in %, not {tg.unit}",
                    "unit",
                    "error",
                )

        # Schedules: weights that had to be normalised, or that are unusable.
        for p in schedule_mod.check(tg.schedule, where=f"{where}.schedule"):
            add(p.zh, p.en, "schedule", p.level)

        # Milestones due outside the plan year.
        if tg.kind == "milestone" and tg.due is not None and tg.due.year != plan.year:
            add(
                f"节点日期{tg.due}不在计划年度{plan.year}内",
                f"due date {tg.due} is outside the plan year {plan.year}",
                "due",
            )

        if tg.group and plan.plan.groups and tg.group not in plan.plan.groups:
            add(f"未定义的指标分组 {tg.group!r}", f"undefined target group {tg.group!r}", "group")
    found.extend(_same_names(plan, file, line_of))
    return found


def _same_names(plan: Plan, file: str | None, line_of) -> list[Problem]:
    """A warning for each org whose name an earlier org already has (a report by name is ambiguous)."""
    first: dict[str, str] = {}
    found = []
    for i, org in enumerate(plan.orgs):
        name = " ".join(org.name.split())
        if name in first:
            found.append(
                Problem(
                    f"单位名称“{org.name}”与 {first[name]} 重复，按名称报送时无法区分",
                    f"org name {org.name!r} is also the name of {first[name]}; a report by name is ambiguous",
                    file=file,
                    row=line_of(("orgs", i, "name")),
                    field=f"orgs[{i}].name",
                    level="warning",
                )
            )
        else:
            first[name] = org.id
    return found


def accept_plan(path: str | Path) -> tuple[Plan, list[Problem]]:
    """Load the plan file at ``path`` and run every check: the plan and its findings, or
    :class:`~kejifu.errors.PlanError` listing the error-level findings.

    The one gate of ``kejifu plan`` and ``kejifu init`` (and of anything that stores a plan):
    a plan one refuses, the other refuses with the same messages.
    """
    plan = load_plan(path)
    findings = check_plan(plan, str(path))
    refused = errors(findings)
    if refused:
        raise PlanError(problems=refused)
    return plan, findings


def errors(findings: list[Problem]) -> list[Problem]:
    """Only the findings at level ``error``."""
    return [p for p in findings if p.level == "error"]
