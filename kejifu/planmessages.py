"""Plan messages: where in a plan file a problem is, and how it is said in Chinese and in English.

- :func:`line_of` and :func:`yaml_path`: the line and the path (``orgs[3].parent``) of a YAML location;
- :func:`problems`: pydantic's validation errors on a plan (or on one part of it) as located
  :class:`~kejifu.errors.Problem` s, the Chinese from the catalogue (``kejifu/catalogue/plan.yaml``)
  per error type or per rule of the models (:class:`kejifu.planfields.Findings`), the English
  pydantic's or the rule's;
- :func:`syntax`: a YAML syntax error in words a planner reads, with line and column.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import Problem, UnitError
from .i18n import catalogue, t

#: Words of PyYAML's problems -> the catalogue key that says them in Chinese (the English stays PyYAML's).
_YAML_PROBLEMS = {
    "mapping values are not allowed": "mapping_values",
    "cannot start any token": "tab",
    "expected ',' or '}'": "flow_mapping",
    "expected ',' or ']'": "flow_sequence",
    "unexpected end of stream": "end_of_stream",
    "did not find expected key": "expected_key",
    "could not find expected ':'": "expected_colon",
    "expected <block end>": "block_end",
    "undefined alias": "alias",
    "while scanning a quoted scalar": "scalar",
}


def syntax(exc: yaml.YAMLError) -> tuple[str, str]:
    """The Chinese and English of a YAML syntax error: where, and what in words a planner reads."""
    mark = getattr(exc, "problem_mark", None)
    words = " ".join(str(getattr(exc, a, "") or "") for a in ("context", "problem"))
    found = next((key for text, key in _YAML_PROBLEMS.items() if text in words), None)
    where = {"line": mark.line + 1 if mark else "?", "column": mark.column + 1 if mark else "?"}
    detail = " ".join(str(exc).replace('in "<unicode string>", ', "").split())
    if found:
        return (
            t("plan.yaml.syntax", "zh", problem=t(f"plan.yaml.p.{found}", "zh"), **where),
            t("plan.yaml.syntax", "en", problem="", detail=detail, **where),
        )
    return t("plan.yaml.syntax_at", "zh", **where), t("plan.yaml.syntax_at", "en", detail=detail, **where)


def yaml_path(loc: tuple) -> str:
    """``('targets', 3, 'stretch')`` written as ``targets[3].stretch``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if k.value == part:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        node = nxt
    if node is not None:
        line = node.start_mark.line + 1
    return line


#: Error types whose English is the catalogue's, not pydantic's.
_OWN_ENGLISH = {"model_type", "model_attributes_type", "extra_forbidden"}

#: A part of pydantic's error location that names a member of a union or a validator, not a YAML key.
_TAG = re.compile(r"^(str|int|float|bool|date|list\[.*\]|dict\[.*\]|function-.*|literal\[.*\])$")


def _shown(value: Any) -> str:
    """A value given in the plan as a message quotes it (long values cut) [text]."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(ctx: dict) -> str:
    """The allowed values of a literal, as a Chinese list: ``cumulative、share、level``."""
    return "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", "")))) or str(ctx.get("expected", ""))


def _type_words(tags: list[str], lang: str) -> str:
    """``文字或列表`` / ``text or a list``: the members of a union a value may be."""
    names = list(dict.fromkeys(t(f"plan.type.{tag.split('[')[0]}", lang) for tag in tags))
    if len(names) == 1:
        return names[0]
    head = ("、" if lang == "zh" else ", ").join(names[:-1])
    word = t("plan.pyd.or", lang)
    return f"{head}{word}{names[-1]}" if lang == "zh" else f"{head} {word} {names[-1]}"


def problems(exc: Any, file: str | None, root: yaml.Node | None, prefix: tuple = ()) -> list[Problem]:
    """The located problems of a pydantic ``ValidationError`` on a plan: each at its line and YAML
    path, the Chinese from the catalogue (per error type, or the rule's own key), the English pydantic's
    or the rule's. A value that fits no member of a union is said once (``应为文字或列表``); when it
    fits a member's shape but not its items (a list with a bad weight), the items' errors are said.

    ``prefix`` is the YAML path of the validated mapping within the plan file, for a model that
    validates one part of it (``('settings', 'deputies')``); ``root`` is the file's node tree
    (:func:`kejifu.planfile.compose`)."""
    from .planfields import Findings

    found: list[Problem] = []
    unions: dict[tuple, list[tuple[str, tuple, dict]]] = {}
    for err in exc.errors():
        loc = tuple(prefix) + tuple(
            p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        at = next((i for i, p in enumerate(loc) if isinstance(p, str) and _TAG.match(p)), None)
        if at is None:
            found.extend(_one(err, loc, file, root, Findings))
            continue
        real = tuple(p for p in loc if not (isinstance(p, str) and _TAG.match(p)))
        unions.setdefault(loc[:at], []).append((loc[at], real, err))
    for point, members in unions.items():
        deeper = [(real, err) for _tag, real, err in members if len(real) > len(point)]
        if deeper or len(members) == 1:
            for real, err in deeper or [(members[0][1], members[0][2])]:
                found.extend(_one(err, real, file, root, Findings))
            continue
        tags = [tag for tag, _real, _err in members]
        shown = _shown(members[0][2].get("input"))
        found.append(
            Problem(
                t("plan.pyd.union", "zh", expected=_type_words(tags, "zh"), input=shown),
                t("plan.pyd.union", "en", expected=_type_words(tags, "en"), input=shown),
                file=file,
                row=line_of(root, point),
                field=yaml_path(point) or "(plan)",
            )
        )
    return sorted(found, key=lambda p: p.row if isinstance(p.row, int) else 0)  # in file order


def _one(err: dict, loc: tuple, file: str, root: yaml.Node | None, findings_type: type) -> list[Problem]:
    """The problems of one pydantic error at ``loc``."""
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, findings_type):
        out = []
        for rel, key, fmt in cause.found:
            where = loc + tuple(rel)
            fmt = {k: (line_of(root, v) if isinstance(v, tuple) else v) for k, v in fmt.items()}
            out.append(
                Problem(
                    t(key, "zh", **fmt),
                    t(key, "en", **fmt),
                    file=file,
                    row=line_of(root, where),
                    field=yaml_path(where) or "(plan)",
                )
            )
        return out
    if isinstance(cause, UnitError):
        zh, en = cause.zh, cause.en
    else:
        kind = err["type"] if f"plan.pyd.{err['type']}" in catalogue() else "other"
        values = {k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items() if k != "error"}
        values.update(input=_shown(err.get("input")), expected=_expected(ctx))
        zh = t(f"plan.pyd.{kind}", "zh", **values)
        en = err["msg"].removeprefix("Value error, ")
        if kind in _OWN_ENGLISH:  # pydantic's words name its classes ("instance of PlanInfo")
            en = t(f"plan.pyd.{kind}", "en", **values)
    return [Problem(zh, en, file=file, row=line_of(root, loc), field=yaml_path(loc) or "(plan)")]
