"""Import batches: how a commit is recorded, how a file is recognised, how incoming cells are read.

Every commit of reports or register items is one row of ``import_batches`` (kind, source
file, its sha256, who, when, rows added and unchanged); a file whose sha256 was committed
before (of the same kind) adds nothing. :class:`ImportResult` says what one commit did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from .schema import REPORTS_KIND, batches_t

_EXISTING_BATCH = (
    sa.select(batches_t.c.id)
    .where(batches_t.c.kind == sa.bindparam("kind"))
    .where(batches_t.c.sha256 == sa.bindparam("sha256"))
)


@dataclass(frozen=True)
class ImportResult:
    """What one commit did.

    ``rows_added`` new rows (first figures and revisions), ``rows_unchanged`` rows
    equal to the stored latest revision (not stored again), ``revised`` how many of
    the added rows are revisions (revision > 1), ``duplicate_file`` the same file
    (sha256) was imported before and nothing was added.
    """

    batch_id: int
    rows_added: int
    rows_unchanged: int
    duplicate_file: bool
    revised: int
    source_file: str = ""
    kind: str = REPORTS_KIND


def sha256_text(text: str | bytes) -> str:
    """The hex sha256 of ``text`` (UTF-8) — how a file is recognised on re-import."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def now() -> dt.datetime:
    """The time a commit is stamped with [local time, whole seconds]."""
    return dt.datetime.now().replace(microsecond=0)


def clean_text(v) -> str | None:
    """A cell as text, or None for empty/NaN."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT:
        return None
    s = str(v).strip()
    return s or None


def month_text(v) -> str | None:
    """A month cell (``'YYYY-MM'``, a ``Period``, a date) as ``'YYYY-MM'`` text (None for empty)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Period):
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, (dt.date, pd.Timestamp)):
        return f"{v.year:04d}-{v.month:02d}"
    return str(v).strip()


def text_cells(column: pd.Series, convert=clean_text) -> list:
    """Every cell of ``column`` through ``convert``, each distinct value converted once."""
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    table = [convert(u) for u in uniques] + [convert(None)]
    return [table[c] for c in codes.tolist()]


def existing_batch(conn: sa.Connection, kind: str, sha256: str) -> int | None:
    """The id of the batch of ``kind`` that committed the file with ``sha256`` before (None if none did)."""
    return conn.execute(_EXISTING_BATCH, {"kind": kind, "sha256": sha256}).scalar_one_or_none()


def new_batch(
    conn: sa.Connection,
    *,
    kind: str,
    source_file: str,
    sha256: str,
    who: str | None,
    at: dt.datetime,
    note: str | None,
    added: int,
    unchanged: int,
) -> int:
    """Record a batch; its id."""
    res = conn.execute(
        sa.insert(batches_t).values(
            kind=kind,
            source_file=source_file,
            sha256=sha256,
            who=who,
            imported_at=at,
            rows_added=added,
            rows_unchanged=unchanged,
            note=note,
        )
    )
    return int(res.inserted_primary_key[0])
