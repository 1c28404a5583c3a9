"""Responsibility contracts (责任状): each town's allocated targets with 确保 and 力争 amounts
rounded to the unit's natural precision, the quarterly checkpoints of each target's schedule,
and the clauses (reporting deadline, scoring, deductions, veto, grades) from the plan's
assessment rubric; the docx writer (:func:`kejifu.documents.docx.write_contract`) lays it out
between 县人民政府 and the 乡镇长.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from .. import display, scoring, units
from .. import schedule as schedule_mod
from ..i18n import t
from ..plan import Plan


def head_key(org_name: str, kind: str = "town") -> str:
    """The catalogue key of the head who signs for an org: 镇长, 乡长 or 街道办事处主任."""
    if kind == "enterprise":
        return "documents.contract.head.enterprise"
    if kind == "subdistrict" or org_name.endswith("街道"):
        return "documents.contract.head.subdistrict"
    if org_name.endswith("乡"):
        return "documents.contract.head.township"
    return "documents.contract.head.town"


def natural(value: float, unit: str) -> float:
    """``value`` [unit] rounded half up to the unit's natural precision: counts (个, 台, 家 …) and
    亩 whole, everything else to two decimals (亿元)."""
    whole = units.is_count(unit) or (unit or "").strip() in ("亩", "mu")
    step = Decimal(1) if whole else Decimal("0.01")
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def share_text(share: float, lang: str = "zh") -> str:
    """A share [1 = 100 %] as per cent, whole per cents without decimals (25%, 37.5%)."""
    whole = abs(share * 100 - round(share * 100)) < 1e-9
    return display.pct(share, lang, 0 if whole else 1)


def checkpoints(tg, amount: float | None, lang: str = "zh") -> str:
    """The quarterly checkpoints of a target's schedule: 「3月底前完成25%（50台）；6月底前…」."""
    parts = []
    for m in (3, 6, 9, 12):
        share = float(schedule_mod.expected_share(tg.schedule, m))
        due = share_text(share, lang)
        if amount is not None and display.is_number(amount) and tg.kind == "cumulative":
            due = t(
                "documents.contract.due_amount",
                lang,
                pct=due,
                amount=display.number(natural(amount * share, tg.unit), tg.unit, lang),
            )
        parts.append(t("documents.contract.checkpoint", lang, month=m, due=due))
    return t("documents.contract.checkpoint_sep", lang).join(parts)


def contract_rows(plan: Plan, org_id: str, lang: str = "zh") -> pd.DataFrame:
    """The targets allocated to ``org_id``: ``target, title, allocation`` [target unit], ``unit``,
    ``text`` (「确保…，力争…」, both rounded to the unit's natural precision, :func:`natural`) and
    ``schedule`` (the quarterly checkpoints, :func:`checkpoints`)."""
    rows = []
    for tg in plan.targets:
        alloc = tg.allocation_values()
        if org_id not in alloc:
            continue
        v = alloc[org_id]
        number = display.is_number(v)
        text = display.number(natural(v, tg.unit), tg.unit, lang) if number else str(tg.allocations[org_id])
        if number and tg.stretch is not None and tg.target and tg.kind == "cumulative":
            stretch = natural(v * tg.stretch / tg.target, tg.unit)
            text = t(
                "reviews.contract.firm_stretch",
                lang,
                firm=text,
                stretch=display.number(stretch, tg.unit, lang),
            )
        rows.append(
            {
                "target": tg.id,
                "title": tg.label(lang),
                "allocation": v,
                "unit": tg.unit,
                "text": text,
                "schedule": checkpoints(tg, v if number else None, lang),
            }
        )
    return pd.DataFrame(rows, columns=["target", "title", "allocation", "unit", "text", "schedule"])


def contract_terms(plan: Plan, lang: str = "zh") -> list[str]:
    """The contract's clauses from the plan's assessment rubric: the reporting deadline, how the
    targets are scored (weights, cap, floor, stretch bonus), deductions, veto items and grades."""
    r = scoring.rubric_for(plan)
    pct = lambda x: share_text(x, lang)  # noqa: E731
    pts = lambda x: display.number(x, "", lang)  # noqa: E731
    out = [t("documents.contract.deadline", lang, day=r.reports.deadline_day)]
    weights = t("reviews.b.list_sep", lang).join(
        t("documents.contract.weight", lang, title=plan.target(tid).label(lang), w=pts(tr.weight))
        for tid, tr in r.targets.items()
        if tid in {tg.id for tg in plan.targets}
    )
    out.append(
        t(
            "documents.contract.scoring",
            lang,
            weights=weights,
            cap=pct(r.rule.cap),
            floor=pct(r.rule.floor),
            bonus=pts(r.rule.stretch_bonus),
        )
    )
    out.append(
        t(
            "documents.contract.deduct",
            lang,
            missing=pts(r.reports.deduct_missing),
            late=pts(r.reports.deduct_late),
            most=pts(r.reports.max_deduction),
        )
    )
    for tid, tr in r.targets.items():
        if tr.veto and tid in {tg.id for tg in plan.targets}:
            out.append(
                t(
                    "documents.contract.veto",
                    lang,
                    title=plan.target(tid).label(lang),
                    below=pct(tr.veto_below),
                )
            )
    g = r.grades
    out.append(
        t(
            "documents.contract.grades",
            lang,
            excellent=pts(g.excellent),
            good=pts(g.good),
            passed=pts(g.pass_),
        )
    )
    return out
