"""Plan checks: findings about a valid plan that a planner should look at.

Unlike validation (:mod:`kejifu.plan`), checks never raise: they return a list of
:class:`~kejifu.errors.Problem` with ``level`` ``error`` or ``warning`` (``note`` for
what the plan acknowledges or awaits) and the YAML path of the target concerned, e.g.
allocations that don't add up to the county target, a stretch below the target, or "30.14% + 3 points ≠ 33%".
"""

from __future__ import annotations

import math
from pathlib import Path

from . import planfile, units
from . import schedule as schedule_mod
from .errors import PlanError, Problem, UnitError
from .i18n import t
from .plan import Plan, load_plan
from .planmessages import line_of as _line_of

TOLERANCE = 1e-6


def _say(key: str, **fmt) -> tuple[str, str]:
    """The Chinese and English of the catalogue entry ``key``; a ``(zh, en)`` pair as a format value
    gives each language its own word."""
    zh = {k: v[0] if isinstance(v, tuple) else v for k, v in fmt.items()}
    en = {k: v[1] if isinstance(v, tuple) else v for k, v in fmt.items()}
    return t(key, "zh", **zh), t(key, "en", **en)


def _in(value: float, unit: str) -> tuple[str, str]:
    """``value`` [unit] written in Chinese and in English."""
    return units.format_value(value, unit), units.format_value(value, unit, lang="en")


def _line_finder(file: str | None):
    """A function from a YAML path tuple to its 1-based line in ``file`` (None if unknown); the file
    is read into its node tree on the first call only (a plan without findings never needs it)."""
    tree: list = []

    def find(loc):
        if not tree:
            tree.append(planfile.compose(file))
        return _line_of(tree[0], loc) if tree[0] is not None else None

    return find


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
                zh, en = _say("plan.check.acknowledged", text=(zh, en), reason=ack.reason)
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
                add(*_say("plan.check.unknown_org", org=org), f"allocations.{org}", "error")
            try:
                total += units.to_unit(raw, tg.unit)
            except UnitError as exc:
                unit = (tg.unit, units.unit_label(tg.unit, "en"))
                add(
                    *_say("plan.check.allocation_unit", unit=unit, why=(exc.zh, exc.en)),
                    f"allocations.{org}",
                    "error",
                )
                total = math.nan
        if tg.allocations and tg.kind == "cumulative" and tg.target is not None and not math.isnan(total):
            diff = total - tg.target
            if abs(diff) > TOLERANCE * max(1.0, abs(tg.target)):
                more = _say("plan.check.more" if diff > 0 else "plan.check.less")
                words = {"total": _in(total, tg.unit), "target": _in(tg.target, tg.unit)}
                add(
                    *_say("plan.check.allocation_sum", more=more, diff=_in(abs(diff), tg.unit), **words),
                    "allocations",
                )

        # On a share or level an allocation is the org's own target level: a split that adds up
        # to the county figure was most likely meant as parts of it.
        if (
            tg.kind in ("share", "level")
            and len(tg.allocations) > 1
            and tg.target
            and not math.isnan(total)
            and abs(total - tg.target) <= TOLERANCE * max(1.0, abs(tg.target))
        ):
            words = {"total": _in(total, tg.unit), "target": _in(tg.target, tg.unit)}
            add(*_say("plan.check.level_split", **words), "allocations")

        # Stretch on the wrong side of the target.
        if tg.stretch is not None and tg.target is not None:
            wrong = tg.stretch < tg.target if tg.direction == "increase" else tg.stretch > tg.target
            if wrong:
                key = "plan.check.stretch_low" if tg.direction == "increase" else "plan.check.stretch_high"
                add(*_say(key, stretch=f"{tg.stretch:g}", target=f"{tg.target:g}"), "stretch", "error")

        # Target on the wrong side of the baseline for shares and levels.
        if tg.kind in ("share", "level") and tg.baseline is not None and tg.target is not None:
            if (tg.direction == "increase" and tg.target < tg.baseline) or (
                tg.direction == "decrease" and tg.target > tg.baseline
            ):
                words = {"target": f"{tg.target:g}", "baseline": f"{tg.baseline:g}"}
                way = {"direction_zh": t(f"direction.{tg.direction}"), "direction": tg.direction}
                add(*_say("plan.check.direction", **way, **words), "target")

        # "Raise by N points to X%": baseline + N must equal X.
        if tg.target_points is not None and tg.baseline is not None and tg.target is not None:
            implied = tg.baseline + tg.target_points
            if abs(implied - tg.target) > 0.005:
                words = {
                    "baseline": f"{tg.baseline:g}",
                    "points": f"{tg.target_points:g}",
                    "target": f"{tg.target:g}",
                }
                add(
                    *_say(
                        "plan.check.points",
                        implied=f"{implied:.2f}",
                        off=f"{implied - tg.target:+.2f}",
                        **words,
                    ),
                    "target_points",
                )

        # A target value awaited (e.g. from the city): said, so that nobody reads a completion.
        if tg.pending and tg.target is None:
            given = tg.pending if isinstance(tg.pending, str) else None
            add(*((given, given) if given else _say("plan.check.pending")), "pending", "note")

        # Share measures must be convertible into each other (numerator and denominator alike).
        if tg.kind == "share":
            nu, du = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
            if units.unit_kind(nu) != units.unit_kind(du):
                num = (nu, f"{units.unit_label(nu, 'en')} ('{nu}')")
                den = (du, f"{units.unit_label(du, 'en')} ('{du}')")
                add(*_say("plan.check.share_units", num=num, den=den), "numerator", "error")
            if units.unit_kind(tg.unit) != "percent":
                unit = (tg.unit, units.unit_label(tg.unit, "en"))
                add(*_say("plan.check.share_percent", unit=unit), "unit", "error")

        # Schedules: weights that had to be normalised, or that are unusable.
        for p in schedule_mod.check(tg.schedule, where=f"{where}.schedule"):
            add(p.zh, p.en, "schedule", p.level)

        # Milestones due outside the plan year.
        if tg.kind == "milestone" and tg.due is not None and tg.due.year != plan.year:
            add(*_say("plan.check.due_year", due=tg.due, year=plan.year), "due")

        if tg.group and plan.plan.groups and tg.group not in plan.plan.groups:
            add(*_say("plan.check.group", group=tg.group), "group")
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
                    *_say("plan.check.same_name", name=org.name, first=first[name]),
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
