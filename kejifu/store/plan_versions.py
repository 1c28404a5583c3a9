"""Plan versions in the store: the YAML text of each version, its snapshot tables, and the parsed-plan cache.

A province plan (2,400 towns, 30 targets) is a 1 MB YAML file: the pure-Python YAML parser
takes seconds, LibYAML (``yaml.CSafeLoader``) most of a second, validation a tenth. So each
version's YAML is parsed once, when it is stored, and kept as JSON (keyed
by the text's sha256, in ``meta``: a cache, so a dump and its restore carry it and the
table count stays). Reading a version is then ``json.loads`` plus the validation, every
time: the cache holds data, never code (no pickle: a store's content must never be able to
run code in a dashboard kernel). Types YAML has and JSON lacks survive as tagged values
(:func:`to_json`). A store without the cache (made by an older kejifu, or a version whose
cache row is missing) parses the YAML with LibYAML, and falls back to
:func:`kejifu.plan.parse_plan` for the exact, located error messages.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import sqlalchemy as sa
import yaml

from ..plan import Plan, load_plan, parse_plan
from .schema import PLAN_CACHE_KEY, allocations_t, meta_t, orgs_t, plan_versions_t, targets_t

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ----- tagged JSON ---------------------------------------------------------------------------------
def _encode(v):
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in v):
            return {k: _encode(x) for k, x in v.items()}
        return {"$map": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return [_encode(x) for x in v]
    if isinstance(v, dt.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, set):
        return {"$set": [_encode(x) for x in v]}
    return v


def _decode(obj: dict):
    if len(obj) == 1:
        (k, v), *_ = obj.items()
        if k == "$map":
            return {_freeze(a): b for a, b in v}
        if k == "$date":
            return dt.date.fromisoformat(v)
        if k == "$datetime":
            return dt.datetime.fromisoformat(v)
        if k == "$bytes":
            return bytes.fromhex(v)
        if k == "$set":
            return {_freeze(x) for x in v}
    return obj


def _freeze(v):
    """A decoded mapping key (YAML allows sequences as keys; they load as tuples)."""
    return tuple(_freeze(x) for x in v) if isinstance(v, list) else v


def to_json(data) -> str:
    """YAML data as JSON that :func:`from_json` turns back into equal data (dates, non-text keys kept)."""
    return json.dumps(_encode(data), ensure_ascii=False, allow_nan=True, separators=(",", ":"))


def from_json(text: str):
    """The data :func:`to_json` wrote."""
    return json.loads(text, object_hook=_decode)


# ----- parsing -------------------------------------------------------------------------------------
def load_yaml(text: str):
    """The plan file's data (LibYAML when installed)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)


def validate(data, text: str, file: str) -> Plan:
    """``data`` (the parsed ``text``) as a :class:`Plan`; anything wrong is reported by
    :func:`~kejifu.plan.parse_plan` on the text itself, with file, line and field."""
    if isinstance(data, dict):
        try:
            return Plan.model_validate(data)
        except Exception:  # noqa: BLE001 - parse_plan says exactly what is wrong, located
            pass
    return parse_plan(text, file=file)


def read_file(path: Path) -> tuple[str, Plan, object]:
    """The text of plan file ``path``, its plan and its parsed data (:class:`PlanError` when invalid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        load_plan(path)  # raises the located PlanError (not found, not UTF-8)
        raise
    plan, data = parse(text, str(path))
    return text, plan, data


def parse(text: str, file: str) -> tuple[Plan, object]:
    """The plan of YAML ``text`` and its data, parsed once."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        data = None
    return validate(data, text, file), data


# ----- the tables ----------------------------------------------------------------------------------
def insert(
    conn: sa.Connection,
    version: int,
    text: str,
    sha: str,
    plan: Plan,
    *,
    source_file: str | None,
    who: str | None,
    at: dt.datetime,
    data=None,
) -> None:
    """Store plan ``version`` (its ``text`` with sha256 ``sha``, the snapshot of orgs, targets and
    allocations, the cache row; ``data`` is the text already parsed)."""
    conn.execute(
        sa.insert(plan_versions_t).values(
            version=version, yaml=text, sha256=sha, source_file=source_file, created_at=at, who=who
        )
    )
    put_cache(conn, sha, load_yaml(text) if data is None else data)
    # Snapshot of the latest version (orgs, targets, allocations) for SQL readers.
    for table in (allocations_t, targets_t, orgs_t):
        conn.execute(sa.delete(table))
    conn.execute(
        sa.insert(orgs_t),
        [
            {
                "id": o.id,
                "plan_version": version,
                "name": o.name,
                "name_en": o.name_en,
                "kind": o.kind,
                "parent": o.parent,
                "position": i,
            }
            for i, o in enumerate(plan.orgs)
        ],
    )
    conn.execute(
        sa.insert(targets_t),
        [
            {
                "id": tg.id,
                "plan_version": version,
                "title": tg.title,
                "title_en": tg.title_en,
                "group_id": tg.group,
                "unit": tg.unit,
                "kind": tg.kind,
                "target": tg.target,
                "stretch": tg.stretch,
                "baseline": tg.baseline,
                "source": tg.source,
                "register_kind": (tg.register_kind or tg.id) if tg.source == "register" else None,
                "position": i,
            }
            for i, tg in enumerate(plan.targets)
        ],
    )
    allocs = [
        {"target": tg.id, "org": org, "plan_version": version, "allocation": None if math.isnan(v) else v}
        for tg in plan.targets
        for org, v in tg.allocation_values().items()
    ]
    if allocs:
        conn.execute(sa.insert(allocations_t), allocs)


def cache_key(sha: str) -> str:
    """The ``meta`` key of the parse of the text with ``sha``: the prefix and 52 of the 64 hex
    digits (208 bits), within ``meta.key``'s 64 characters."""
    return PLAN_CACHE_KEY + sha[:52]


def put_cache(conn: sa.Connection, sha: str, data) -> None:
    """Keep ``data`` (a plan text's parse) in ``meta`` under the text's ``sha`` (once)."""
    key = cache_key(sha)
    if conn.execute(sa.select(meta_t.c.key).where(meta_t.c.key == key)).first() is None:
        conn.execute(sa.insert(meta_t).values(key=key, value=to_json(data)))


def cached_data(conn: sa.Connection, sha: str):
    """The cached parse of the text with ``sha`` (None when the store has none)."""
    text = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == cache_key(sha))).scalar_one_or_none()
    return None if text is None else from_json(text)


def latest_version(conn: sa.Connection) -> int | None:
    """The newest plan version's number (None in an empty store)."""
    v = conn.execute(sa.select(sa.func.max(plan_versions_t.c.version))).scalar_one()
    return None if v is None else int(v)


def stored(conn: sa.Connection, version: int) -> tuple[str, str] | None:
    """``(yaml text, sha256)`` of ``version`` (None when there is no such version)."""
    t = plan_versions_t
    row = conn.execute(sa.select(t.c.yaml, t.c.sha256).where(t.c.version == version)).first()
    return None if row is None else (row.yaml, row.sha256)
