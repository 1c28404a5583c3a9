"""Reading the store into pandas frames: the latest figures from the monthly pages, as columns.

The reports table keeps every revision, keyed by integers (a ``series`` id for the org ×
measure, the month as ``YYYYMM``: :mod:`.keys`). What readers want — the latest revision of each
org × measure × month — is kept per month in a page (:mod:`.pages`), so :func:`latest_reports`
reads a few pages, not millions of rows; the org and measure texts come from the small
``series`` table and each distinct org, measure or month is one string object however many rows
carry it. Batch facts (``source_file``, ``imported_at``, ``imported_by``) are the batch's: they
are joined from the small ``import_batches`` table.

The record itself is read in SQL, portable to SQLite and PostgreSQL, where the pages are built
and checked (:func:`from_rows`): a row is left out when a later revision of its key exists
(:func:`superseded`, a join over the unique index that only looks at the few rows with
``revision > 1``), and the rows are fetched on the driver's own connection a chunk at a time
into integer and float arrays (:func:`fetch_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import pages
from .engine import dbapi, placeholder
from .keys import month_code, month_text, month_texts, series_frame

try:  # pandas' C converter of row tuples (private, hence the fallback)
    from pandas._libs.lib import to_object_array_tuples as _to_object_array
except ImportError:  # pragma: no cover - another pandas
    _to_object_array = None
from .schema import REPORT_COLUMNS, batches_t


def superseded(months_where: str = "") -> str:
    """SQL: the ids of report rows that a later revision of the same org × measure × month
    supersedes — every revision below the key's newest, found from the few rows with
    ``revision > 1`` (a partial index) grouped by key, so the work grows with the revisions, not
    with their pairs. ``months_where`` (SQL on ``r2.month`` and ``r2.series_id``) restricts it to
    the rows read."""
    cond = f" AND {months_where}" if months_where else ""
    return (
        "SELECT r1.id FROM (SELECT r2.series_id, r2.month, max(r2.revision) AS top FROM reports r2"
        f" WHERE r2.revision > 1{cond} GROUP BY r2.series_id, r2.month) n"
        " JOIN reports r1 ON r1.month = n.month AND r1.series_id = n.series_id AND r1.revision < n.top"
    )


#: What a latest-revision read fetches per row; the rest comes from the batch.
ROW_COLUMNS = ["org", "measure", "month", "value", "unit", "note", "revision", "batch_id"]
ROW_KINDS = "tttfttii"  # text, float, integer (see fetch_columns)
#: The SQL of a latest-revision read: the org and measure come as the series id, the month as ``YYYYMM``.
_ROW_SQL = "series_id, month, value, unit, note, revision, batch_id"
_ROW_SQL_KINDS = "iifttii"
#: What a figures-only read gives (see :func:`latest_reports`).
FIGURE_COLUMNS = ["org", "measure", "month", "value", "note"]
CHUNK = 250_000
_NO_TEXT = np.empty(0, dtype=object)


def fetch(conn: sa.Connection, sql: str, params: Sequence, n_columns: int) -> np.ndarray:
    """The rows of raw ``sql`` as a 2-D object array (rows × ``n_columns``), for small results."""
    cur = dbapi(conn).cursor()
    try:
        cur.execute(sql, tuple(params))
        rows = cur.fetchall()
    finally:
        cur.close()
    return _as_array(rows, n_columns)


def _as_array(rows: list, n_columns: int) -> np.ndarray:
    """Row tuples as a 2-D object array (pandas' own converter, the one ``from_records`` uses, is
    4× faster than ``np.array`` on tuples; ``np.array`` where pandas lacks it)."""
    if not rows:
        return np.empty((0, n_columns), dtype=object)
    if _to_object_array is not None:
        return _to_object_array(rows if isinstance(rows, list) else list(rows))
    return np.array(rows, dtype=object).reshape(len(rows), n_columns)


class Coded:
    """A text column as integer codes into sorted categories (code -1: None)."""

    def __init__(self, codes: np.ndarray, categories: np.ndarray) -> None:
        self.codes, self.categories = codes, categories

    def text(self, order: np.ndarray | None = None) -> np.ndarray:
        """An object array of the categories' own string objects (None for code -1)."""
        table = np.append(self.categories, None).astype(object)
        codes = self.codes if order is None else self.codes[order]
        return table[np.where(codes < 0, len(table) - 1, codes)]


def fetch_columns(conn: sa.Connection, sql: str, params: Sequence, kinds: str) -> list[np.ndarray | Coded]:
    """The columns of raw ``sql``, fetched a chunk at a time: ``kinds`` has one letter per column,
    ``t`` text (a :class:`Coded`), ``f`` float, ``i`` integer.

    Only one chunk of Python row objects exists at a time: each becomes compact arrays (codes,
    floats, integers) before the next is fetched, so millions of rows fit in little memory."""
    cur = dbapi(conn).cursor()
    parts: list[list] = [[] for _ in kinds]
    try:
        cur.execute(sql, tuple(params))
        while rows := cur.fetchmany(CHUNK):
            arr = _as_array(rows, len(kinds))
            del rows
            for j, kind in enumerate(kinds):
                col = arr[:, j]
                if kind == "t":
                    # unit and note are mostly empty: a column of None needs no hashing
                    none = pd.isna(col).all()
                    parts[j].append((np.full(len(col), -1), _NO_TEXT) if none else pd.factorize(col))
                elif kind == "f":
                    parts[j].append(col.astype(float))
                else:
                    parts[j].append(col.astype(np.int64))
            del arr
    finally:
        cur.close()
    out: list[np.ndarray | Coded] = []
    for kind, chunks in zip(kinds, parts):
        if kind != "t":
            dtype = float if kind == "f" else np.int64
            out.append(np.concatenate(chunks) if chunks else np.empty(0, dtype=dtype))
            continue
        uniques = [np.asarray(u, dtype=object) for _, u in chunks]
        cats = np.array(sorted(set().union(*uniques)) if uniques else [], dtype=object)
        index = pd.Index(cats, dtype=object)
        codes = [
            np.append(index.get_indexer(u), -1)[np.where(c < 0, len(u), c)]
            for c, u in zip([c for c, _ in chunks], uniques)
        ]
        out.append(Coded(np.concatenate(codes) if codes else np.empty(0, dtype=np.int64), cats))
    return out


def latest_reports(
    conn: sa.Connection,
    *,
    years: tuple[int, int] | None = None,
    months: Sequence[str] | None = None,
    batches: pd.DataFrame | None = None,
    figures_only: bool = False,
    orgs: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The latest revision of every org × measure × month, of the ``years`` range (inclusive) or of
    the ``months`` (``YYYY-MM``) given (and of the ``orgs`` and ``measures`` given: an import checks
    a town's file against that town's figures only), ordered by measure, org, month.

    Columns :data:`~kejifu.store.schema.REPORT_COLUMNS`: ``value`` [the measure's unit,
    year-to-date] float, ``revision`` and ``batch_id`` integers, text as Python strings.
    ``batches`` (the :func:`batch_frame`) saves reading it again.

    ``figures_only``: the columns :data:`FIGURE_COLUMNS` only, with ``org`` and ``measure`` as
    categoricals and ``month`` as an ordered categorical (its categories sorted, so in date
    order): what a status computation reads, a third less to fetch and no text to rebuild.
    """
    if months is not None:
        chosen = pages.read(conn, months=[month_code(m) for m in months])
    elif years is not None:
        chosen = pages.read(conn, span=(years[0] * 100 + 1, years[1] * 100 + 12))
    else:
        chosen = pages.read(conn)
    if not chosen:
        return empty_reports()
    sid = np.concatenate([pg.series_id for pg in chosen])
    month = np.concatenate([np.full(len(pg), pg.month, dtype=np.int64) for pg in chosen])
    series = series_frame(conn)
    keep = None
    if orgs is not None or measures is not None:
        wanted = np.ones(len(series), dtype=bool)
        if orgs is not None:
            wanted &= series["org"].isin(set(orgs)).to_numpy()
        if measures is not None:
            wanted &= series["measure"].isin(set(measures)).to_numpy()
        keep = np.isin(sid, series["id"].to_numpy()[wanted])
        sid, month = sid[keep], month[keep]

    def column(name: str) -> np.ndarray:
        col = np.concatenate([getattr(pg, name) for pg in chosen])
        return col if keep is None else col[keep]

    cols = dict(zip(("org", "measure", "month"), key_columns(series, sid, month)))
    cols["value"] = column("value")
    cols["note"] = _coded(column("note"))
    if figures_only:
        return figures_frame(cols)
    cols.update(unit=_coded(column("unit")), revision=column("revision"), batch_id=column("batch_id"))
    if batches is None:
        batches = batch_frame(conn)
    return reports_frame(cols, batches)


def _coded(texts: np.ndarray) -> Coded:
    """An object array of texts and None (mostly None: a unit or note) as :class:`Coded`."""
    has = pd.notna(texts)
    if not has.any():
        return Coded(np.full(len(texts), -1, dtype=np.int64), _NO_TEXT)
    codes = np.full(len(texts), -1, dtype=np.int64)
    found, cats = pd.factorize(texts[has], sort=True)
    codes[has] = found
    return Coded(codes, np.asarray(cats, dtype=object))


def from_rows(conn: sa.Connection, months: Sequence[int]) -> list[pages.Page]:
    """The latest revision of every series for ``months`` (``YYYYMM``) chosen in SQL from the reports
    table itself — the record the pages are derived from (:func:`kejifu.store.pages.rebuild`,
    ``kejifu check``) — as pages, ordered by month."""
    months = sorted({int(m) for m in months})
    if not months:
        return []
    p = placeholder(conn)
    marks = ", ".join([p] * len(months))
    sql = (
        f"SELECT {_ROW_SQL} FROM reports WHERE month IN ({marks})"
        f" AND id NOT IN ({superseded(f'r2.month IN ({marks})')})"
    )
    sid, month, value, unit, note, revision, batch = fetch_columns(conn, sql, months + months, _ROW_SQL_KINDS)
    order = np.lexsort((sid, month))
    out = []
    bounds = np.searchsorted(month[order], months + [months[-1] + 1])
    for m, lo, hi in zip(months, bounds[:-1], bounds[1:]):
        idx = order[lo:hi]
        if len(idx):
            out.append(
                pages.Page(m, sid[idx], revision[idx], batch[idx], value[idx], unit.text(idx), note.text(idx))
            )
    return out


def _present(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` (0 … n-1) renumbered to the codes present, and which those are (ascending)."""
    present = np.bincount(codes, minlength=n) > 0 if len(codes) else np.zeros(n, dtype=bool)
    return (np.cumsum(present) - 1)[codes], np.flatnonzero(present)


def key_columns(series: pd.DataFrame, sid: np.ndarray, month: np.ndarray) -> tuple[Coded, Coded, Coded]:
    """The org, measure and month of report rows (their series ids and ``YYYYMM`` months) as
    :class:`Coded` texts, with only the values present as categories, sorted."""
    out = []
    top = int(series["id"].max()) + 1 if len(series) else 1
    for name in ("org", "measure"):
        # hashed, then only the distinct texts sorted (thousands of orgs, not tens of thousands of series)
        found, distinct = pd.factorize(series[name].to_numpy(dtype=object))
        order = np.argsort(np.asarray(distinct, dtype=object), kind="stable")
        cats = np.asarray(distinct, dtype=object)[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        inverse = rank[found] if len(found) else np.empty(0, dtype=np.int64)
        by_id = np.full(top, -1, dtype=np.int64)
        by_id[series["id"].to_numpy()] = inverse
        codes, used = _present(by_id[sid], len(cats))
        out.append(Coded(codes, cats[used]))
    if len(month):
        lo = int(month.min())
        codes, used = _present(month - lo, int(month.max()) - lo + 1)
        out.append(Coded(codes, month_texts(used + lo)))
    else:
        out.append(Coded(np.empty(0, dtype=np.int64), _NO_TEXT))
    return out[0], out[1], out[2]


def latest_months(conn: sa.Connection, first: str, last: str) -> list[tuple[str, str]]:
    """Enough ``(org, latest month)`` pairs among the months ``first`` … ``last`` (``YYYY-MM``,
    inclusive) to know the latest month any org reported, whether one org alone reported it, and
    if so the latest month of every other org: two orgs of the latest month, or the one org of it
    and the org of the next latest month (index look-ups on the month; a superseded revision has
    its successor's month, so it changes nothing)."""
    p = placeholder(conn)
    lo, hi = month_code(first), month_code(last)
    top = fetch(conn, f"SELECT max(month) FROM reports WHERE month >= {p} AND month <= {p}", [lo, hi], 1)
    if not len(top) or top[0, 0] is None:
        return []
    month = int(top[0, 0])
    text = month_text(month)
    join = "FROM reports r JOIN series s ON s.id = r.series_id"
    found = fetch(conn, f"SELECT DISTINCT s.org {join} WHERE r.month = {p} LIMIT 2", [month], 1)
    out = [(str(o), text) for o in found[:, 0]]
    if len(out) == 1:
        nxt = fetch(
            conn,
            f"SELECT s.org, r.month {join} WHERE r.month >= {p} AND r.month <= {p} AND s.org <> {p}"
            " ORDER BY r.month DESC LIMIT 1",
            [lo, hi, out[0][0]],
            2,
        )
        out += [(str(o), month_text(m)) for o, m in nxt]
    return out


def figures_frame(cols: dict) -> pd.DataFrame:
    """The columns of :data:`FIGURE_COLUMNS` as a frame ordered by measure, org, month, the text
    columns but ``note`` as categoricals straight from their codes (see :func:`latest_reports`)."""
    order = np.lexsort((cols["month"].codes, cols["org"].codes, cols["measure"].codes))
    out = {}
    for c in ("org", "measure", "month"):
        col = cols[c]
        out[c] = pd.Categorical.from_codes(
            col.codes[order], pd.Index(col.categories, dtype=object), ordered=c == "month"
        )
    out["value"] = cols["value"][order]
    out["note"] = pd.Series(cols["note"].text(order), dtype=object)
    return pd.DataFrame(out)[FIGURE_COLUMNS]


def empty_reports() -> pd.DataFrame:
    """A reports frame without rows (the columns and dtypes of :func:`latest_reports`)."""
    none = Coded(np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    cols = {
        c: none if k == "t" else np.empty(0, dtype=float if k == "f" else np.int64)
        for c, k in zip(ROW_COLUMNS, ROW_KINDS)
    }
    return reports_frame(cols, None)


def reports_frame(cols: dict, batches: pd.DataFrame | None) -> pd.DataFrame:
    """The columns of :data:`ROW_COLUMNS` as the documented reports frame, ordered by measure, org,
    month (sorted on the codes: the categories are sorted, so this is the strings' order)."""
    batch_ids = cols["batch_id"]
    n = len(batch_ids)
    order = np.lexsort((cols["month"].codes, cols["org"].codes, cols["measure"].codes))
    frame = pd.DataFrame(
        {
            c: pd.Series(cols[c].text(order), dtype=object)  # Python strings, as every reader expects
            if k == "t"
            else cols[c][order]
            for c, k in zip(ROW_COLUMNS, ROW_KINDS)
        }
    )
    batch_ids = batch_ids[order]
    if batches is not None and len(batches):
        info = batches.set_index("id")
        for c, src in (
            ("source_file", "source_file"),
            ("imported_at", "imported_at"),
            ("imported_by", "who"),
        ):
            col = info[src].reindex(batch_ids)
            frame[c] = (
                col.to_numpy() if c == "imported_at" else pd.Series(col.to_numpy(dtype=object), dtype=object)
            )
    else:
        frame["source_file"] = pd.Series([], dtype=object) if n == 0 else None
        frame["imported_at"] = pd.Series([], dtype="datetime64[us]") if n == 0 else pd.NaT
        frame["imported_by"] = pd.Series([], dtype=object) if n == 0 else None
    return frame[REPORT_COLUMNS]


def batch_frame(conn: sa.Connection) -> pd.DataFrame:
    """``id, source_file, imported_at, who`` of every batch (few rows: one per imported file)."""
    t = batches_t
    res = conn.execute(sa.select(t.c.id, t.c.source_file, t.c.imported_at, t.c.who).order_by(t.c.id))
    return pd.DataFrame.from_records(
        [tuple(r) for r in res], columns=["id", "source_file", "imported_at", "who"]
    )


def frame(conn: sa.Connection, stmt, columns: list[str]) -> pd.DataFrame:
    """A SQLAlchemy statement's rows as a frame with ``columns`` (for the small tables)."""
    rows = [tuple(r) for r in conn.execute(stmt)]
    if not rows:
        return pd.DataFrame([], columns=columns)
    return pd.DataFrame.from_records(rows, columns=columns)


def data_version(conn: sa.Connection) -> tuple[int, int, int, int]:
    """``(newest plan version, newest batch id, newest report row id, newest register item id)``:
    four index look-ups. The store is append-only, so any commit changes it."""
    row = conn.exec_driver_sql(
        "SELECT (SELECT max(version) FROM plan_versions), (SELECT max(id) FROM import_batches),"
        " (SELECT max(id) FROM reports), (SELECT max(id) FROM register_items)"
    ).one()
    return tuple(int(v or 0) for v in row)  # type: ignore[return-value]


def changes_since(conn: sa.Connection, batch_id: int, report_id: int) -> tuple[list[str], list[str]]:
    """What was committed after batch ``batch_id`` and report row ``report_id``: the months of the new
    report rows (``YYYY-MM``) and the register kinds of the new batches: the months whose page of
    latest figures was written after that row (a look-up in the small pages table)."""
    t = batches_t
    kinds = [k for (k,) in conn.execute(sa.select(t.c.kind).where(t.c.id > batch_id).distinct())]
    months = month_texts(pages.changed_months(conn, report_id)).tolist()  # its pages say so
    return months, sorted(k.split(":", 1)[1] for k in kinds if k.startswith("register:"))
