"""How the reports table is keyed: org × measure as a ``series`` id, a month as the integer ``YYYYMM``.

A report row is narrow and integer-keyed (see :mod:`.schema`): indexes of integers are small
and fast to append to and to read, where texts repeated in millions of rows were not. This
module is the one place that turns the keys into texts and back:

* :func:`month_codes` / :func:`month_texts` — ``"2005-06"`` ⇄ ``200506``, vectorised;
* :func:`series_frame` — the ``series`` table (``id, org, measure``: one row per org × measure
  ever reported, tens of thousands at province scale);
* :func:`series_ids` — the ids of incoming org × measure pairs, new pairs added (in the caller's
  write transaction);
* :func:`report_rows` — a SQLAlchemy selectable of the reports with their texts and batch facts
  (``org, measure, month`` as ``YYYYMM``, ``source_file, sha256, imported_at, imported_by``):
  what the few row-by-row readers (history, ``kejifu check``) query instead of the bare table.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .engine import dbapi
from .schema import batches_t, reports_t, series_t
from .writes import insert_columns


def month_codes(months: Sequence[str | None] | np.ndarray) -> np.ndarray:
    """``YYYY-MM`` texts as integers ``YYYYMM`` (int64; a missing or malformed month becomes -1).
    Each distinct month is converted once (a batch has a few months and many rows)."""
    codes, uniques = pd.factorize(np.asarray(months, dtype=object), use_na_sentinel=True)
    table = np.array([_month_or_missing(m) for m in uniques] + [-1], dtype=np.int64)
    return table[codes]


def _month_or_missing(month) -> int:
    try:
        return month_code(month) if isinstance(month, str) and len(month) == 7 and month[4] == "-" else -1
    except ValueError:
        return -1


def month_code(month: str) -> int:
    """One ``YYYY-MM`` text as the integer ``YYYYMM``."""
    return int(month[:4]) * 100 + int(month[5:7])


def month_text(code: int) -> str:
    """One integer ``YYYYMM`` as its ``YYYY-MM`` text."""
    code = int(code)
    return f"{code // 100:04d}-{code % 100:02d}"


def month_texts(codes: np.ndarray | Sequence[int]) -> np.ndarray:
    """Integers ``YYYYMM`` as ``YYYY-MM`` texts (an object array, each distinct month one string)."""
    codes = np.asarray(codes, dtype=np.int64)
    uniq, inverse = np.unique(codes, return_inverse=True)
    table = np.array([month_text(c) for c in uniq.tolist()], dtype=object)
    return table[inverse] if len(codes) else np.empty(0, dtype=object)


class _Series:
    """The series table as read: the frame, and a grid org × measure → id for vectorised look-ups."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        org_codes, orgs = pd.factorize(frame["org"].to_numpy(dtype=object))
        measure_codes, measures = pd.factorize(frame["measure"].to_numpy(dtype=object))
        self.orgs, self.measures = pd.Index(orgs, dtype=object), pd.Index(measures, dtype=object)
        self.grid = np.full(
            (len(orgs) + 1, len(measures) + 1), -1, dtype=np.int64
        )  # last row/column: unknown
        self.grid[org_codes, measure_codes] = frame["id"].to_numpy()

    @property
    def last(self) -> int:
        return int(self.frame["id"].iloc[-1]) if len(self.frame) else 0

    def look_up(self, orgs: np.ndarray, measures: np.ndarray) -> np.ndarray:
        """The id of each org × measure pair, -1 where not known."""
        return self.grid[self.orgs.get_indexer(orgs), self.measures.get_indexer(measures)]


#: The committed series of each engine: the table is append-only and a committed row never
#: changes, so a later read only fetches the rows added since (checked by count and largest id).
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _read_series(conn: sa.Connection, after: int = 0) -> pd.DataFrame:
    cur = dbapi(conn).cursor()
    try:
        cur.execute(f"SELECT id, org, measure FROM series WHERE id > {int(after)} ORDER BY id")
        rows = cur.fetchall()
    finally:
        cur.close()
    ids, orgs, measures = zip(*rows) if rows else ((), (), ())
    return pd.DataFrame(
        {
            "id": np.fromiter(ids, dtype=np.int64, count=len(ids)),
            "org": pd.Series(orgs, dtype=object),
            "measure": pd.Series(measures, dtype=object),
        }
    )


def _series(conn: sa.Connection, *, remember: bool = True) -> _Series:
    """The series as ``conn`` sees them; ``remember``: keep them for the engine's next reads (only
    for what is committed: never after this transaction added series of its own)."""
    top, n = conn.exec_driver_sql("SELECT max(id), count(*) FROM series").one()
    top, n = int(top or 0), int(n)
    memo = _MEMO.get(conn.engine)
    if memo is not None and len(memo.frame) == n and memo.last == top:
        return memo
    if memo is not None and len(memo.frame) < n and memo.last < top:
        frame = pd.concat([memo.frame, _read_series(conn, memo.last)], ignore_index=True)
        if len(frame) != n:  # not the table the memo was read from: read it whole
            frame = _read_series(conn)
    else:
        frame = _read_series(conn)
    found = _Series(frame)
    if remember:
        _MEMO[conn.engine] = found
    return found


def series_frame(conn: sa.Connection) -> pd.DataFrame:
    """``id, org, measure`` of every series, ordered by id (tens of thousands of rows at province
    scale: read once per engine, then only the rows added since)."""
    return _series(conn).frame


def series_ids(conn: sa.Connection, orgs: Sequence, measures: Sequence) -> np.ndarray:
    """The series id of each ``orgs[i] × measures[i]`` (int64), the pairs not yet known added to
    ``series`` first — inside the caller's transaction, so they land with its batch or not at all."""
    orgs, measures = np.asarray(orgs, dtype=object), np.asarray(measures, dtype=object)
    ids = _series(conn).look_up(orgs, measures)
    missing = ids < 0
    if missing.any():
        new = pd.DataFrame({"org": orgs[missing], "measure": measures[missing]}).drop_duplicates()
        new = new.sort_values(["org", "measure"], kind="stable")
        insert_columns(
            conn, series_t, {"org": new["org"].tolist(), "measure": new["measure"].tolist()}, len(new)
        )
        ids = _series(conn, remember=False).look_up(orgs, measures)  # this transaction's own: not remembered
    return ids


def report_rows() -> sa.Subquery:
    """The reports with their texts and batch facts, as a subquery named ``report_rows``: columns
    ``id, org, measure, month`` (``YYYYMM``) ``, value, unit, note, revision, batch_id, kind,
    source_file, sha256, imported_at, imported_by``."""
    r, s, b = reports_t, series_t, batches_t
    return (
        sa.select(
            r.c.id,
            s.c.org,
            s.c.measure,
            r.c.month,
            r.c.value,
            r.c.unit,
            r.c.note,
            r.c.revision,
            r.c.batch_id,
            b.c.kind,
            b.c.source_file,
            b.c.sha256,
            b.c.imported_at,
            b.c.who.label("imported_by"),
        )
        .select_from(r.join(s, s.c.id == r.c.series_id).outerjoin(b, b.c.id == r.c.batch_id))
        .subquery("report_rows")
    )
