"""The latest figures of each month, kept as one compact page per month: what reads read.

The ``reports`` table keeps every revision; the latest one of each org × measure × month is
what every status, document and board needs. Choosing it in SQL and fetching millions of rows
as Python objects cost seconds at province scale (2,400 towns: 1.7 M rows for two years). So
each commit also keeps, in the same transaction, one row of ``latest_pages`` per month it
touched: the latest revision of every series of that month, as arrays in one binary value.
Reading two years is then 24 rows, not 1.7 million.

A page is derived data: the reports table stays the record. :func:`rebuild` computes the pages
from the reports (the upgrade from schema 1 does; ``kejifu check`` compares them).

Page format (little-endian; no pickle, so a crafted database cannot run code):

* ``b"KJFPAGE1"``, then the header length [bytes] as uint32, then the header: JSON
  ``{"n": rows, "texts": [text, …]}`` (every distinct unit and note of the page, once);
* ``series_id`` int32 × n (ascending), ``revision`` int32 × n, ``batch_id`` int32 × n,
  ``unit`` int32 × n and ``note`` int32 × n (an index into ``texts``, -1 for none),
  ``value`` float64 × n [the measure's unit, year-to-date].
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from .engine import dbapi, placeholder
from .keys import month_text
from .schema import pages_t

MAGIC = b"KJFPAGE1"
_INT = np.dtype("<i4")
_FLOAT = np.dtype("<f8")


@dataclass
class Page:
    """The latest figures of one month (``YYYYMM``), ordered by series id; ``unit``/``note``: object
    arrays (None where the row has none)."""

    month: int
    series_id: np.ndarray
    revision: np.ndarray
    batch_id: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    note: np.ndarray

    def __len__(self) -> int:
        return len(self.series_id)

    @classmethod
    def empty(cls, month: int) -> Page:
        none = np.empty(0, dtype=object)
        ints = np.empty(0, dtype=np.int64)
        return cls(month, ints, ints, ints, np.empty(0, dtype=float), none, none)


def encode(page: Page) -> bytes:
    """The page as bytes (see the module docstring)."""
    both = np.concatenate([page.unit, page.note]).astype(object)
    codes, texts = pd.factorize(both, use_na_sentinel=True)  # None → -1
    header = json.dumps(
        {"n": len(page), "texts": [str(x) for x in texts]}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    n = len(page)
    return b"".join(
        [
            MAGIC,
            struct.pack("<I", len(header)),
            header,
            page.series_id.astype(_INT).tobytes(),
            page.revision.astype(_INT).tobytes(),
            page.batch_id.astype(_INT).tobytes(),
            codes[:n].astype(_INT).tobytes(),
            codes[n:].astype(_INT).tobytes(),
            page.value.astype(_FLOAT).tobytes(),
        ]
    )


def decode(month: int, data: bytes | memoryview) -> Page:
    """A page from its bytes; :class:`StoreError` naming the month when they are not a page."""
    data = bytes(data)
    try:
        if data[:8] != MAGIC:
            raise ValueError("no page header")
        (size,) = struct.unpack_from("<I", data, 8)
        header = json.loads(data[12 : 12 + size].decode("utf-8"))
        n = int(header["n"])
        texts = np.array([str(x) for x in header["texts"]] + [None], dtype=object)  # [-1]: none
        body = 12 + size
        if n < 0 or len(data) != body + n * 28:
            raise ValueError("wrong length")
        ints = np.frombuffer(data, dtype=_INT, count=5 * n, offset=body).astype(np.int64)
        value = np.frombuffer(data, dtype=_FLOAT, count=n, offset=body + 20 * n).copy()
        codes = ints[3 * n :]
        if len(codes) and (codes.min() < -1 or codes.max() >= len(texts) - 1):
            raise ValueError("a text index out of range")
    except (ValueError, KeyError, TypeError, IndexError, struct.error, UnicodeDecodeError) as exc:
        label = month_text(month)
        raise StoreError(
            f"{label}的最新数据页已损坏（{exc}）；请运行 kejifu check",
            f"the latest-figures page of {label} is damaged ({exc}); run kejifu check",
            field=f"latest_pages {label}",
        ) from None
    return Page(
        month, ints[:n], ints[n : 2 * n], ints[2 * n : 3 * n], value, texts[codes[:n]], texts[codes[n:]]
    )


def read(conn: sa.Connection, *, months: Iterable[int] | None = None, span: tuple[int, int] | None = None):
    """The pages of the ``months`` given or of the months ``span`` (first, last; ``YYYYMM``,
    inclusive), or every page; ordered by month. A month without a page has no page."""
    p = placeholder(conn)
    sql, params = "SELECT month, data FROM latest_pages", []
    if months is not None:
        months = sorted({int(m) for m in months})
        if not months:
            return []
        sql += f" WHERE month IN ({', '.join([p] * len(months))})"
        params = months
    elif span is not None:
        sql += f" WHERE month >= {p} AND month <= {p}"
        params = [int(span[0]), int(span[1])]
    cur = dbapi(conn).cursor()
    try:
        cur.execute(sql + " ORDER BY month", tuple(params))
        rows = cur.fetchall()
    finally:
        cur.close()
    return [decode(int(m), data) for m, data in rows]


def merge(page: Page, new: Page) -> Page:
    """``page`` with the rows of ``new`` (later revisions of the same month) in place of its own."""
    keep = ~np.isin(page.series_id, new.series_id)
    parts = [
        np.concatenate([getattr(page, f)[keep], getattr(new, f)])
        for f in ("series_id", "revision", "batch_id", "value", "unit", "note")
    ]
    order = np.argsort(parts[0], kind="stable")
    return Page(page.month, *[p[order] for p in parts])


def write(conn: sa.Connection, pages: list[Page], last_id: int | dict[int, int]) -> None:
    """Store ``pages`` (one per month) in the caller's transaction, replacing those months' pages;
    ``last_id``: the largest report id each reflects (one for all, or per month)."""
    if not pages:
        return
    t = pages_t
    months = [pg.month for pg in pages]
    ids = last_id if isinstance(last_id, dict) else dict.fromkeys(months, last_id)
    conn.execute(sa.delete(t).where(t.c.month.in_(months)))
    conn.execute(
        sa.insert(t),
        [
            {"month": pg.month, "n_rows": len(pg), "last_id": int(ids[pg.month]), "data": encode(pg)}
            for pg in pages
        ],
    )


def changed_months(conn: sa.Connection, report_id: int) -> list[int]:
    """The months (``YYYYMM``) whose figures changed after report row ``report_id`` was written."""
    p = placeholder(conn)
    cur = dbapi(conn).cursor()
    try:
        cur.execute(f"SELECT month FROM latest_pages WHERE last_id > {p} ORDER BY month", (int(report_id),))
        return [int(m) for (m,) in cur.fetchall()]
    finally:
        cur.close()


def update(conn: sa.Connection, old: dict[int, Page], rows: pd.DataFrame, batch_id: int) -> None:
    """Fold the rows just added (``series_id, month, value, unit, note, revision``) into the pages of
    their months (``old``: those pages as read in this transaction), in the caller's transaction."""
    out = []
    for month, part in rows.groupby("month", sort=True):
        month = int(month)
        order = np.argsort(part["series_id"].to_numpy(), kind="stable")
        new = Page(
            month,
            part["series_id"].to_numpy(dtype=np.int64)[order],
            part["revision"].to_numpy(dtype=np.int64)[order],
            np.full(len(part), batch_id, dtype=np.int64),
            part["value"].to_numpy(dtype=float)[order],
            part["unit"].to_numpy(dtype=object)[order],
            part["note"].to_numpy(dtype=object)[order],
        )
        out.append(merge(old.get(month, Page.empty(month)), new))
    (top,) = conn.exec_driver_sql("SELECT max(id) FROM reports").one()
    write(conn, out, int(top or 0))


def previous(pages: Iterable[Page]) -> pd.DataFrame:
    """``series_id, month, p_revision, p_value, p_note`` of the pages: what an incoming row is
    compared with (:func:`kejifu.store.report_rows.compare`)."""
    pages = list(pages)
    if not pages:
        return pd.DataFrame(
            {c: pd.Series(dtype=np.int64) for c in ("series_id", "month", "p_revision")}
            | {"p_value": pd.Series(dtype=float), "p_note": pd.Series(dtype=object)}
        )
    return pd.DataFrame(
        {
            "series_id": np.concatenate([p.series_id for p in pages]),
            "month": np.concatenate([np.full(len(p), p.month, dtype=np.int64) for p in pages]),
            "p_revision": np.concatenate([p.revision for p in pages]),
            "p_value": np.concatenate([p.value for p in pages]),
            "p_note": np.concatenate([p.note for p in pages]),
        }
    )


def rebuild(conn: sa.Connection) -> int:
    """Compute every page from the reports table (the latest revision chosen in SQL) and replace
    them all, in the caller's transaction; the number of pages."""
    from .reads import from_rows  # reads builds on this module

    conn.execute(sa.delete(pages_t))
    last = {
        int(m): int(top)
        for m, top in conn.exec_driver_sql("SELECT month, max(id) FROM reports GROUP BY month ORDER BY month")
    }
    months = list(last)
    for i in range(0, len(months), 12):
        write(conn, from_rows(conn, months[i : i + 12]), last)
    return len(months)


def differences(conn: sa.Connection) -> list[tuple[int, str]]:
    """``(month, what)`` for every month whose page is not what the reports table says (missing,
    damaged, extra, or another series, revision, batch, value, unit or note): ``kejifu check``."""
    from .reads import from_rows

    out: list[tuple[int, str]] = []
    stored: dict[int, Page | str] = {}
    last = dict(conn.exec_driver_sql("SELECT month, max(id) FROM reports GROUP BY month").all())
    for m, data, top in conn.exec_driver_sql("SELECT month, data, last_id FROM latest_pages ORDER BY month"):
        try:
            stored[int(m)] = decode(int(m), data)
        except StoreError as exc:
            stored[int(m)] = exc.en or "damaged"
        if not isinstance(stored[int(m)], str) and int(top) < int(last.get(m, 0)):
            stored[int(m)] = "last_id"  # older than the month's rows: readers would miss a change
    months = [int(m) for (m,) in conn.exec_driver_sql("SELECT DISTINCT month FROM reports ORDER BY month")]
    out += [(m, "no reports for this month") for m in sorted(set(stored) - set(months))]
    for i in range(0, len(months), 12):
        for truth in from_rows(conn, months[i : i + 12]):
            page = stored.get(truth.month)
            if page is None or isinstance(page, str):
                out.append((truth.month, page or "missing"))
                continue
            for f in ("series_id", "revision", "batch_id", "value", "unit", "note"):
                a, b = getattr(page, f), getattr(truth, f)
                if len(a) != len(b) or not np.array_equal(a, b, equal_nan=f == "value"):
                    out.append((truth.month, f))
                    break
    return sorted(out)
