"""Register items in the store (台帐: each terminal installed, each patent filed …), append-only.

An item is known by its ``kind`` and ``item_key``; a changed item (or a withdrawn one) is a new
revision of the same key; readers see the latest revision. :class:`~kejifu.store.Store` calls
these inside its transactions.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from . import reads
from .batches import ImportResult, clean_text, existing_batch, new_batch
from .schema import ITEM_BASE_COLUMNS, ITEM_META_COLUMNS, register_items_t


def prepare(frame: pd.DataFrame, kind: str, source_file: str) -> list[dict]:
    """The rows of ``frame`` as item records (attributes as JSON); a key twice is refused."""
    from .. import registers  # registers is pure and never imports the store

    frame = registers.normalise_items(frame, kind)
    attr_cols = [c for c in frame.columns if c not in ITEM_BASE_COLUMNS]
    records = []
    for rec in frame.to_dict("records"):
        attrs = {c: json_value(rec[c]) for c in attr_cols}
        attrs = {k: v for k, v in attrs.items() if v is not None}
        d = rec["date"]
        records.append(
            {
                "item_key": clean_text(rec["item_key"]),
                "org": clean_text(rec["org"]),
                "date": None
                if d is None or d is pd.NaT or (isinstance(d, float) and math.isnan(d))
                else pd.Timestamp(d).date(),
                "title": clean_text(rec.get("title")),
                "attrs": json.dumps(attrs, ensure_ascii=False, sort_keys=True),
                "withdrawn": bool(rec.get("withdrawn") or False),
            }
        )
    seen: dict[str, int] = {}
    for i, r in enumerate(records):
        if r["item_key"] in seen:
            raise StoreError(
                f"同一批台帐中编号重复：{r['item_key']}",
                f"duplicate item key in one batch: {r['item_key']}",
                file=source_file,
                row=i + 1,
                field="item_key",
            )
        seen[r["item_key"]] = i
    return records


def commit(
    conn: sa.Connection,
    records: list[dict],
    *,
    kind: str,
    source_file: str,
    sha256: str,
    who: str | None,
    note: str | None,
    at: dt.datetime,
) -> ImportResult:
    """Append ``records`` (from :func:`prepare`) as one batch of ``register:<kind>``, in ``conn``'s
    transaction."""
    batch_kind = f"register:{kind}"
    existing = existing_batch(conn, batch_kind, sha256)
    if existing is not None:
        return ImportResult(int(existing), 0, len(records), True, 0, source_file, batch_kind)
    t = register_items_t
    latest: dict[str, tuple] = {}
    for row in conn.execute(
        sa.select(t.c.item_key, t.c.revision, t.c.org, t.c.date, t.c.title, t.c.attrs, t.c.withdrawn)
        .where(t.c.kind == kind)
        .order_by(t.c.revision)
    ):
        latest[row.item_key] = (
            int(row.revision),
            row.org,
            row.date,
            row.title,
            row.attrs,
            bool(row.withdrawn),
        )
    rows, unchanged, revised = [], 0, 0
    for r in records:
        prev = latest.get(r["item_key"])
        if prev is not None:
            if prev[1:] == (r["org"], r["date"], r["title"], r["attrs"], r["withdrawn"]):
                unchanged += 1
                continue
            revision = prev[0] + 1
            revised += 1
        elif r["withdrawn"]:
            unchanged += 1  # withdrawing an item never stored: nothing to do
            continue
        else:
            revision = 1
        rows.append(
            {
                **r,
                "kind": kind,
                "revision": revision,
                "imported_at": at,
                "imported_by": who,
                "source_file": source_file,
                "sha256": sha256,
            }
        )
    batch_id = new_batch(
        conn,
        kind=batch_kind,
        source_file=source_file,
        sha256=sha256,
        who=who,
        at=at,
        note=note,
        added=len(rows),
        unchanged=unchanged,
    )
    if rows:
        for r in rows:
            r["batch_id"] = batch_id
        conn.execute(sa.insert(t), rows)
    return ImportResult(batch_id, len(rows), unchanged, False, revised, source_file, batch_kind)


def latest(conn: sa.Connection, kind: str | None = None, *, include_withdrawn: bool = False) -> pd.DataFrame:
    """The latest revision of every register item (withdrawn ones left out unless asked for).

    Columns ``kind, item_key, org, date (datetime64), title, withdrawn, revision, batch_id,
    source_file, imported_at, imported_by`` and one column per attribute.
    """
    t = register_items_t
    newest = sa.select(t.c.kind, t.c.item_key, sa.func.max(t.c.revision).label("revision"))
    if kind is not None:
        newest = newest.where(t.c.kind == kind)
    newest = newest.group_by(t.c.kind, t.c.item_key).subquery("latest")
    cols = ITEM_BASE_COLUMNS + ITEM_META_COLUMNS + ["attrs"]
    stmt = (
        sa.select(*[t.c[c] for c in cols])
        .join(
            newest,
            sa.and_(
                t.c.kind == newest.c.kind,
                t.c.item_key == newest.c.item_key,
                t.c.revision == newest.c.revision,
            ),
        )
        .order_by(t.c.kind, t.c.date, t.c.item_key)
    )
    if not include_withdrawn:
        stmt = stmt.where(t.c.withdrawn == sa.false())
    df = reads.frame(conn, stmt, cols)
    attrs = pd.DataFrame([json.loads(a) for a in df["attrs"]], index=df.index)
    df = df.drop(columns=["attrs"])
    for c in attrs.columns:
        if c not in df.columns:
            df[c] = attrs[c]
    df["date"] = pd.to_datetime(df["date"])
    df["withdrawn"] = df["withdrawn"].astype(bool)
    return df


def history(conn: sa.Connection, kind: str | None = None) -> pd.DataFrame:
    """Every stored revision of register items, ordered by kind, item_key, revision."""
    t = register_items_t
    cols = ["id"] + ITEM_BASE_COLUMNS + ["attrs"] + ITEM_META_COLUMNS
    stmt = sa.select(*[t.c[c] for c in cols])
    if kind is not None:
        stmt = stmt.where(t.c.kind == kind)
    df = reads.frame(conn, stmt.order_by(t.c.kind, t.c.item_key, t.c.revision), cols)
    df["date"] = pd.to_datetime(df["date"])
    return df


def json_value(v):
    """A frame cell as a JSON-friendly value (None for empty)."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, (dt.date, pd.Timestamp)):
        return pd.Timestamp(v).date().isoformat()
    if isinstance(v, str):
        s = v.strip()
        return s or None
    return v
