"""Plan files: the year's targets of a county, validated with pydantic v2.

A plan file is YAML with top-level keys ``plan``, ``orgs``, ``measures``,
``targets`` (the contract in design.md) and, as extensions, ``assessment`` (the
year-end scoring rubric, read by :mod:`kejifu.scoring`) and ``settings``.

The parts of a plan (:class:`Org`, :class:`Target` …) are the models of
:mod:`kejifu.planfields`, re-exported here; :class:`Plan` adds the rules across them (ids
used once, parents, owners and measures that exist, a tree without cycles).

Errors are raised as :class:`~kejifu.errors.PlanError` naming the file, the
line, the YAML path (``targets[3].stretch``, ``orgs[3].parent``) and the problem in Chinese and
English (:func:`kejifu.planmessages.problems`).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from . import planfile, planmessages
from .errors import PlanError, UnitError
from .i18n import t
from .planfields import (  # noqa: F401  (the models of the plan's parts, re-exported)
    PARENT_KINDS,
    Acknowledgement,
    Aggregate,
    Bands,
    Direction,
    Findings,
    Group,
    Measure,
    Number,
    Org,
    OrgKind,
    PlanInfo,
    Source,
    Target,
    TargetKind,
    _Model,
    about,
)


def _a(noun: str) -> str:
    """``a town``, ``an enterprise``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class Plan(_Model):
    """A whole plan file: what the plan is, its orgs, measures and targets, and the extensions."""

    plan: PlanInfo = Field(description=about("计划本身：编号、名称、地区、年度", "what the plan is"))
    orgs: list[Org] = Field(
        min_length=1,
        description=about(
            "单位树：县、乡镇、企业、部门……（至少一个；没有上级的是根单位）",
            "the org tree: county, towns, enterprises, departments (at least one; the one without "
            "a parent is the root)",
        ),
    )
    measures: list[Measure] = Field(
        [],
        description=about(
            "各单位报送的原始数量，如比重的分子和分母", "raw quantities orgs report, e.g. a share's two sides"
        ),
    )
    targets: list[Target] = Field(description=about("指标", "the targets"))
    assessment: dict[str, Any] | None = Field(
        None,
        description=about(
            "年终考核细则（权重、封顶、保底、力争加分、一票否决、等次），见 kejifu.scoring",
            "the year-end scoring rubric (weights, cap, floor, stretch bonus, veto, grades); "
            "see kejifu.scoring",
        ),
        examples=[{"rule": {"cap": 1.2, "floor": 0.6}, "targets": {"mushroom_area": {"weight": 50}}}],
    )
    settings: dict[str, Any] = Field(
        {},
        description=about(
            "设置：limits、reporting、ranking、documents、deputies（见下文）",
            "settings: limits, reporting, ranking, documents, deputies (below)",
        ),
        examples=[{"reporting": {"deadline_day": 5}, "ranking": {"cap": 1.5}}],
    )

    @model_validator(mode="after")
    def _references(self) -> Plan:
        """Ids used once, parents and owners that exist, a tree without cycles, known measures:
        every problem at the YAML path of the value to fix."""
        found: list[tuple[tuple, str, dict[str, Any]]] = []
        first_org: dict[str, int] = {}
        for i, o in enumerate(self.orgs):
            if o.id in first_org:
                where = ("orgs", first_org[o.id], "id")
                found.append((("orgs", i, "id"), "plan.ref.duplicate_org", {"id": o.id, "first": where}))
            else:
                first_org[o.id] = i
        by_id = {o.id: o for o in reversed(self.orgs)}  # the first org of each id
        bad_parent = False
        for i, o in enumerate(self.orgs):
            if o.parent is None:
                continue
            if o.parent not in by_id:
                bad_parent = True
                found.append(
                    (("orgs", i, "parent"), "plan.ref.unknown_parent", {"org": o.id, "parent": o.parent})
                )
            elif (up := by_id[o.parent].kind) not in PARENT_KINDS[o.kind]:
                words = {
                    "kind_zh": t(f"plan.orgkind.{o.kind}", "zh"),
                    "parent_kind_zh": t(f"plan.orgkind.{up}", "zh"),
                    "kind": _a(t(f"plan.orgkind.{o.kind}", "en")),
                    "parent_kind": _a(t(f"plan.orgkind.{up}", "en")),
                }
                found.append(
                    (
                        ("orgs", i, "parent"),
                        "plan.ref.parent_kind",
                        {"org": o.id, "parent": o.parent, **words},
                    )
                )
        for i, o in enumerate(self.orgs if not bad_parent else []):  # cycles
            seen, cur = set(), o
            while cur.parent is not None:
                if cur.id in seen:
                    found.append((("orgs", i, "parent"), "plan.ref.cycle", {"org": o.id}))
                    break
                seen.add(cur.id)
                cur = by_id[cur.parent]
        first_id: dict[str, tuple] = {}
        for part, items in (("measures", self.measures), ("targets", self.targets)):
            for i, x in enumerate(items):
                if x.id in first_id:
                    found.append(
                        ((part, i, "id"), "plan.ref.duplicate_id", {"id": x.id, "first": first_id[x.id]})
                    )
                else:
                    first_id[x.id] = (part, i, "id")
        mids = {m.id for m in self.measures}
        for i, tg in enumerate(self.targets):
            if tg.owner is not None and tg.owner not in by_id:
                found.append(
                    (("targets", i, "owner"), "plan.ref.unknown_owner", {"target": tg.id, "owner": tg.owner})
                )
            for field in ("numerator", "denominator", "measure"):
                m = getattr(tg, field)
                if m is not None and m not in mids:
                    found.append(
                        (("targets", i, field), "plan.ref.unknown_measure", {"target": tg.id, "measure": m})
                    )
        if found:
            raise Findings(found)
        return self

    # ----- lookups -------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return self.plan.year

    @cached_property
    def org_index(self) -> dict[str, Org]:
        return {o.id: o for o in self.orgs}

    @cached_property
    def target_index(self) -> dict[str, Target]:
        return {t.id: t for t in self.targets}

    @cached_property
    def measure_index(self) -> dict[str, Measure]:
        return {m.id: m for m in self.measures}

    def org(self, org_id: str) -> Org:
        return self.org_index[org_id]

    def target(self, target_id: str) -> Target:
        return self.target_index[target_id]

    def root(self) -> Org:
        """The top org (the county, for a county plan)."""
        roots = [o for o in self.orgs if o.parent is None]
        return roots[0]

    def towns(self) -> list[Org]:
        """Orgs that report: towns and sub-districts (in file order)."""
        return [o for o in self.orgs if o.kind in ("town", "subdistrict")]

    def children(self, org_id: str) -> list[Org]:
        return [o for o in self.orgs if o.parent == org_id]

    def ancestors(self, org_id: str) -> list[str]:
        """Parent, grandparent, … of ``org_id`` (nearest first)."""
        out, cur = [], self.org_index[org_id].parent
        while cur is not None:
            out.append(cur)
            cur = self.org_index[cur].parent
        return out

    def org_name(self, org_id: str, lang: str = "zh") -> str:
        if org_id == "all":
            return t("org.all", lang)
        o = self.org_index.get(org_id)
        if o is None:
            return org_id
        return (o.name_en or o.name) if lang == "en" else o.name

    def measure_unit(self, measure_id: str) -> str:
        """The unit reports of ``measure_id`` are stored in (a target's or a measure's)."""
        if measure_id in self.target_index:
            return self.target_index[measure_id].unit
        return self.measure_index[measure_id].unit

    def reportable(self) -> dict[str, str]:
        """Every id a report row may name as its measure -> its unit."""
        out = {m.id: m.unit for m in self.measures}
        out.update(
            {
                t.id: t.unit
                for t in self.targets
                if t.kind != "share" and t.measure is None and t.source == "reports"
            }
        )
        return out

    def group_label(self, group: str, lang: str = "zh") -> str:
        g = self.plan.groups.get(group)
        if g is None:
            return group
        return (g.en or g.zh) if lang == "en" else g.zh


# ----- loading ----------------------------------------------------------------------------------

_line_of = planmessages.line_of  # the line of a YAML path (kept here for callers of the old name)


def parse_plan(text: str, file: str = "<plan>") -> Plan:
    """Validate YAML text into a :class:`Plan`; raise :class:`PlanError` listing every problem.

    Beyond the model: the file's size and nesting, duplicate keys, impossible dates and the
    plan numbers' limits (:mod:`kejifu.planfile`) are refused with their line. Every problem
    names its line and YAML path (``plan.yaml:12: orgs[3].parent``), in Chinese and in English.
    """
    root, data = planfile.read_yaml(text, file)
    if not isinstance(data, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise PlanError(
            t("plan.yaml.not_mapping", "zh"), t("plan.yaml.not_mapping", "en"), file=file, row=line
        )
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(problems=planmessages.problems(exc, file, root)) from None
    except UnitError as exc:
        raise PlanError(exc.zh, exc.en, file=file, field=exc.field) from None
    refused = planfile.number_problems(plan, file, lambda loc: planmessages.line_of(root, loc))
    if refused:
        raise PlanError(problems=refused)
    return plan


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file (UTF-8 YAML, at most :data:`kejifu.planfile.MAX_PLAN_BYTES`)."""
    return parse_plan(planfile.read_text(path), file=str(path))
