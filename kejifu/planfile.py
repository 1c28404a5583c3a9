"""Plan files as text: what a plan file may contain before and after it becomes a :class:`~kejifu.plan.Plan`.

- :func:`read_text` reads the file (a regular UTF-8 file within :data:`MAX_PLAN_BYTES`);
- :func:`read_yaml` reads the YAML (size, nesting and alias-expansion limits; duplicate keys and
  impossible dates refused with their line) and returns the node tree (for line numbers) and the data;
- :func:`compose` gives the node tree of a plan file, for :func:`kejifu.planmessages.line_of`;
- :func:`number_problems` finds the plan numbers that no county figure reaches: non-finite,
  negative or above the ceiling of their unit (default :data:`DEFAULT_CEILING` [in the unit],
  ``settings.limits`` changes it), and unusable schedule weights.

Every refusal is a :class:`~kejifu.errors.PlanError` (or a :class:`~kejifu.errors.Problem`)
located as ``file:line: yaml.path``; no plan input produces a traceback.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from . import units
from .errors import PlanError, Problem, ScheduleError, UnitError
from .planmessages import syntax

#: A plan file larger than this is refused unread [bytes] (a province plan of 2,400 towns is ~1.1 MB).
MAX_PLAN_BYTES = 10 * 1024 * 1024
#: Deepest nesting of lists and mappings a plan file may have [levels].
MAX_DEPTH = 64
#: Most values (scalars, lists, mappings; aliases counted each time they are used) in a plan file;
#: a province plan has about 150,000.
MAX_VALUES = 1_000_000
#: The default ceiling of every plan number [in its unit]; ``settings.limits`` can change it.
DEFAULT_CEILING = 1e12

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """A construct the plan loader refuses, with its bilingual message and 1-based line."""

    def __init__(self, zh: str, en: str, line: int | None) -> None:
        super().__init__(en)
        self.zh, self.en, self.line = zh, en, line


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """A safe YAML loader that refuses a key repeated in one mapping and an impossible date."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base constructor reports it
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise _Refused(
                        f"键 {key!r} 重复（第{first}行已有），后者会悄悄覆盖前者",
                        f"duplicate key {key!r} (already on line {first}); the last one would silently win",
                        line,
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _Refused(
                f"不存在的日期：{node.value}",
                f"no such date: {node.value}",
                node.start_mark.line + 1,
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _shape(root: yaml.Node) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH`, whose aliases expand to more than
    :data:`MAX_VALUES` values (a "billion laughs") or refer to themselves. Each node is visited
    once (sizes and heights are summed bottom-up), without recursion."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key, line = id(node), node.start_mark.line + 1
        kids = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            if height[key] > MAX_DEPTH:
                raise _Refused(f"嵌套超过{MAX_DEPTH}层", f"nested more than {MAX_DEPTH} levels deep", line)
            if size[key] > MAX_VALUES:
                raise _Refused(
                    f"值的个数超过{MAX_VALUES:,}个（别名展开后）",
                    f"more than {MAX_VALUES:,} values (aliases expanded)",
                    line,
                )
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for kid in kids:
            if id(kid) in open_:
                raise _Refused("别名引用了自身", "an alias refers to itself", kid.start_mark.line + 1)
            if id(kid) not in size:
                stack.append((kid, False))


def too_big(size: int, file: str) -> PlanError:
    """The refusal of a plan file of ``size`` [bytes] above :data:`MAX_PLAN_BYTES`."""
    mb, limit = size / 2**20, MAX_PLAN_BYTES / 2**20
    return PlanError(
        f"计划文件过大（{mb:.1f} MB，上限{limit:g} MB）",
        f"the plan file is too large ({mb:.1f} MB; the limit is {limit:g} MB)",
        file=file,
    )


def read_text(path: str | os.PathLike) -> str:
    """The text of the plan file at ``path``: a regular UTF-8 file of at most :data:`MAX_PLAN_BYTES`
    (read no further than that, so a device or a growing file cannot hang the reader)."""
    path, name = Path(path), str(path)
    try:
        if path.is_dir():
            raise PlanError("这是文件夹，不是计划文件", "a folder, not a plan file", file=name)
        if path.exists() and not path.is_file():
            raise PlanError("不是普通文件", "not a regular file", file=name)
        with path.open("rb") as fh:
            data = fh.read(MAX_PLAN_BYTES + 1)
        if len(data) > MAX_PLAN_BYTES:
            raise too_big(max(len(data), path.stat().st_size), name)
        return data.decode("utf-8")
    except FileNotFoundError:
        raise PlanError("找不到计划文件", "plan file not found", file=name) from None
    except UnicodeDecodeError:
        raise PlanError("计划文件必须是UTF-8编码", "plan file must be UTF-8", file=name) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PlanError(
            f"无法读取计划文件：{reason}", f"cannot read the plan file: {reason}", file=name
        ) from None


def read_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of the YAML ``text``; :class:`PlanError` with the line otherwise."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_PLAN_BYTES:
        raise too_big(size, file)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _shape(root)
        return root, loader.construct_document(root)
    except _Refused as exc:
        raise PlanError(exc.zh, exc.en, file=file, row=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if "nesting depth" in str(exc):
            raise PlanError(
                f"嵌套超过{MAX_DEPTH}层",
                f"nested more than {MAX_DEPTH} levels deep",
                file=file,
                row=(mark.line + 1) if mark else None,
            ) from None
        zh, en = syntax(exc)
        raise PlanError(zh, en, file=file, row=(mark.line + 1) if mark else None) from None
    except RecursionError:
        raise PlanError(
            f"嵌套超过{MAX_DEPTH}层", f"nested more than {MAX_DEPTH} levels deep", file=file
        ) from None
    finally:
        loader.dispose()


# ----- the node tree ----------------------------------------------------------------------------


def compose(file: str | os.PathLike | None) -> yaml.Node | None:
    """The YAML node tree of the plan file ``file``, for :func:`kejifu.planmessages.line_of` (None
    when it cannot be read: the lines are then unknown, never an error)."""
    if not file:
        return None
    try:
        return yaml.compose(read_text(file), Loader=_BASE)
    except (PlanError, yaml.YAMLError, RecursionError):
        return None


# ----- number limits ----------------------------------------------------------------------------


def ceilings(settings: Any) -> tuple[Callable[[str], float], list[tuple[str, str, str]]]:
    """The ceiling for a unit [in that unit] under ``settings.limits``, and the problems of the limits.

    ``limits`` is one number (every unit) or a mapping of unit symbols (or ``default``) to numbers,
    e.g. ``{default: 1e12, 万元: 1e9}``. Each problem is ``(zh, en, yaml path)``.
    """
    raw = settings.get("limits") if isinstance(settings, Mapping) else getattr(settings, "limits", None)
    bad: list[tuple[str, str, str]] = []
    default, per_unit = DEFAULT_CEILING, {}

    def number(value: Any, path: str) -> float | None:
        if isinstance(value, str):  # YAML 1.1 reads 1e13 (no dot) as text
            try:
                value = float(value)
            except ValueError:
                pass
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value > 0
        ):
            return float(value)
        bad.append(("上限应为正的有限数", "a limit must be a positive finite number", path))
        return None

    if isinstance(raw, Mapping):
        for key, value in raw.items():
            path = f"settings.limits.{key}"
            limit = number(value, path)
            if limit is None:
                continue
            if key == "default":
                default = limit
                continue
            try:
                per_unit[units.canonical(str(key))] = limit
            except UnitError as exc:
                bad.append((exc.zh, exc.en, path))
    elif raw is not None:
        default = number(raw, "settings.limits") or DEFAULT_CEILING
    return (lambda unit: per_unit.get(unit, default)), bad


def _amount_problem(value: float, unit: str, ceiling: float) -> tuple[str, str] | None:
    """Why ``value`` [unit] is no plan number (None when it is plausible)."""
    if not math.isfinite(value):
        return f"数值不是有限数：{value}", f"value is not a finite number: {value}"
    if value < 0:
        return f"数值不能为负：{value:g}", f"value must not be negative: {value:g}"
    if value > ceiling:
        shown = f"{ceiling:g}{unit}"
        return (
            f"数值{value:g}{unit}超过上限{shown}（可在 settings.limits 中调整）",
            f"value {value:g} {unit} is above the ceiling {shown} (settings.limits can change it)",
        )
    return None


def number_problems(plan: Any, file: str | None, line_of: Callable[[tuple], int | None]) -> list[Problem]:
    """Every plan number that is non-finite, negative or above its unit's ceiling, and every
    unusable schedule (negative, NaN or all-zero weights); empty when all are plausible.

    ``line_of`` maps a YAML path tuple such as ``('targets', 3, 'stretch')`` to its line.
    """
    from . import schedule as schedule_mod

    found: list[Problem] = []

    def add(zh: str, en: str, loc: tuple) -> None:
        path = "".join(
            f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc)
        )
        found.append(Problem(zh, en, file=file, row=line_of(loc), field=path))

    ceiling, bad_limits = ceilings(plan.settings)
    for zh, en, path in bad_limits:
        add(zh, en, tuple(path.split(".")))
    for i, tg in enumerate(plan.targets):
        top = ceiling(tg.unit)
        for name in ("target", "stretch", "baseline"):
            value = getattr(tg, name)
            if value is not None and (why := _amount_problem(float(value), tg.unit, top)):
                add(f"{tg.id}：{why[0]}", f"{tg.id}: {why[1]}", ("targets", i, name))
        points = tg.target_points
        if points is not None and (not math.isfinite(points) or abs(points) > top):
            add(
                f"{tg.id}：百分点数值不合理：{points}",
                f"{tg.id}: implausible points: {points}",
                ("targets", i, "target_points"),
            )
        for org, raw in tg.allocations.items():
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                value = float(raw)  # a bare number is in the target's unit (the common, fast case)
            else:
                try:
                    value = units.to_unit(raw, tg.unit)
                except UnitError:
                    continue  # unconvertible: a plan check reports it with its unit problem
            if why := _amount_problem(value, tg.unit, top):
                add(f"{tg.id}：{why[0]}", f"{tg.id}: {why[1]}", ("targets", i, "allocations", org))
        if isinstance(tg.schedule, list | tuple):
            try:
                schedule_mod.weights(tg.schedule)
            except ScheduleError as exc:
                add(f"{tg.id}：{exc.zh}", f"{tg.id}: {exc.en}", ("targets", i, "schedule"))
                continue
            if max(tg.schedule) > DEFAULT_CEILING:
                add(
                    f"{tg.id}：月度权重过大（超过{DEFAULT_CEILING:g}）",
                    f"{tg.id}: monthly weights above {DEFAULT_CEILING:g}",
                    ("targets", i, "schedule"),
                )
    return found
