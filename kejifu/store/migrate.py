"""Upgrading a store written by an older kejifu: schema 1 → 2, once, in one write transaction.

Schema 1 kept in every report row its org, measure, month ``YYYY-MM`` and its batch's file,
sha256, import time and importer as texts; schema 2 (:mod:`.schema`, :mod:`.keys`) keys a row by
its ``series`` id (org × measure) and the month as the integer ``YYYYMM`` and leaves the rest to
the batch. The upgrade, all or nothing:

1. checks that every report row's ``source_file`` and ``sha256`` are its batch's and that every
   month is ``YYYY-MM`` (those texts go: a row that differs is refused, naming its id, and
   nothing changes — ``kejifu check`` with the older kejifu finds why);
2. copies ``reports`` to ``reports_v1``, drops it, creates ``series`` and the new ``reports``
   (with its indexes), fills ``series`` with every org × measure (ordered by org, measure) and
   ``reports`` with every row (ids kept), drops ``reports_v1`` (PostgreSQL: the ids' sequence is
   moved past the kept ids), and builds the pages of the latest figures (:func:`.pages.rebuild`);
3. sets the ``meta`` key ``schema_version`` to ``2`` and adds ``upgraded_at`` (ISO time).

Functions:

* :func:`upgrade_if_needed` — what :meth:`Store.open` calls first: nothing on schema 2 or newer;
  a schema 1 store opened writable is upgraded, opened read-only it is refused (``kejifu upgrade
  DIR``);
* :func:`upgrade` — the steps above on a connection inside the caller's write transaction
  (a restore of a schema 1 dump upgrades inside its own transaction, :mod:`.backup`);
* :func:`upgraded` — what opening a store upgraded (``kejifu upgrade`` reports it);
* :func:`stored_version` — the ``meta`` table's ``schema_version``.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import KejifuError, StoreError
from ..i18n import t
from . import pages
from .batches import now
from .engine import WRITE_OPTION
from .schema import SCHEMA_VERSION, meta_t, metadata, pages_t, reports_t, series_t

#: The schema :func:`upgrade` knows how to upgrade from.
FROM_VERSION = 1
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: What opening each store upgraded (see :func:`upgraded`).
_DONE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade` did: from and to which schema, report rows [rows] and series kept."""

    from_version: int
    to_version: int
    reports: int
    series: int


def _error(key: str, file: str | None, row=None, field: str | None = None, **fmt) -> StoreError:
    return StoreError(t(key, "zh", **fmt), t(key, "en", **fmt), file=file, row=row, field=field)


def stored_version(conn: sa.Connection, *, file: str | None = None) -> int | None:
    """The store's ``schema_version`` (None when the ``meta`` table has none)."""
    value = conn.execute(
        sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")
    ).scalar_one_or_none()
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise _error("migrate.bad_version", file, field="schema_version", version=value) from None


def upgraded(store) -> Upgrade | None:
    """What opening ``store`` upgraded (None when it was already schema 2)."""
    return _DONE.get(store)


def rebuild_pages(store) -> int:
    """Compute every month's page of latest figures again from the report rows, in one write
    transaction (:func:`kejifu.store.pages.rebuild`); the number of months."""
    store._refuse_if_readonly()
    with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        return pages.rebuild(conn)


def upgrade_if_needed(store) -> Upgrade | None:
    """Upgrade ``store`` (a :class:`~kejifu.store.Store` just constructed) to the current schema when
    it is schema 1: in one write transaction when writable; refused with :class:`StoreError` when
    read-only (the store is closed then). Nothing happens on schema 2 or newer."""
    where = str(store.workspace)
    try:
        with store.engine.connect() as conn:
            version = stored_version(conn, file=where)
    except KejifuError:
        store.close()
        raise
    if version is None or version >= SCHEMA_VERSION:
        return None
    if version != FROM_VERSION or store.readonly:
        store.close()
        if version != FROM_VERSION:
            raise _error("migrate.bad_version", where, field="schema_version", version=version)
        raise _error("migrate.readonly", where, dir=where)
    try:
        with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            with conn.begin():
                done = upgrade(conn, file=where)
    except KejifuError:
        store.close()
        raise
    except SQLAlchemyError as exc:
        store.close()
        reason = (str(getattr(exc, "orig", exc)).splitlines() or [type(exc).__name__])[0]
        raise _error("migrate.failed", where, reason=reason) from exc
    if done is not None:
        _DONE[store] = done
    return done


def upgrade(conn: sa.Connection, *, file: str | None = None) -> Upgrade | None:
    """Upgrade the store on ``conn`` from schema 1 (the steps in the module docstring), inside the
    caller's write transaction. None when it is not schema 1 or has no ``meta`` table (read inside
    the transaction, so a second writer that waited finds the work done). :class:`StoreError`
    (``file`` named) when a row cannot be kept: the caller's transaction must then roll back."""
    if not sa.inspect(conn).has_table(meta_t.name) or stored_version(conn, file=file) != FROM_VERSION:
        return None
    _check_rows(conn, file)
    n_before = conn.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar_one()
    conn.execute(sa.text("CREATE TABLE reports_v1 AS SELECT * FROM reports"))
    conn.execute(sa.text("DROP TABLE reports"))  # its indexes go with it
    # with uq_report_revision, ix_reports_revised
    metadata.create_all(conn, tables=[series_t, reports_t, pages_t])
    conn.execute(
        sa.text(
            "INSERT INTO series (org, measure) SELECT DISTINCT r.org, r.measure FROM reports_v1 r "
            "WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.org = r.org AND s.measure = r.measure) "
            "ORDER BY r.org, r.measure"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO reports (id, series_id, month, value, unit, note, revision, batch_id) "
            "SELECT r.id, s.id, "
            "CAST(substr(r.month, 1, 4) AS INTEGER) * 100 + CAST(substr(r.month, 6, 2) AS INTEGER), "
            "r.value, r.unit, r.note, r.revision, r.batch_id "
            "FROM reports_v1 r JOIN series s ON s.org = r.org AND s.measure = r.measure ORDER BY r.id"
        )
    )
    n_after = conn.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar_one()
    if n_after != n_before:  # pragma: no cover - the join keeps every row by construction
        raise _error("migrate.lost_rows", file, before=n_before, after=n_after)
    conn.execute(sa.text("DROP TABLE reports_v1"))
    pages.rebuild(conn)  # the latest figures of each month, as readers read them
    if conn.dialect.name == "postgresql":
        from .backup import _reset_sequences  # the one helper that moves serial sequences

        ids = sa.MetaData()
        sa.Table(reports_t.name, ids, sa.Column("id", sa.Integer, primary_key=True))
        _reset_sequences(conn, ids)
    conn.execute(sa.update(meta_t).where(meta_t.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
    conn.execute(sa.delete(meta_t).where(meta_t.c.key == "upgraded_at"))
    conn.execute(sa.insert(meta_t).values(key="upgraded_at", value=now().isoformat()))
    n_series = conn.execute(sa.text("SELECT COUNT(*) FROM series")).scalar_one()
    return Upgrade(FROM_VERSION, SCHEMA_VERSION, int(n_after), int(n_series))


def _check_rows(conn: sa.Connection, file: str | None) -> None:
    """Refuse (naming the first row id) a schema 1 report row whose file or sha256 is not its batch's,
    or whose month is not ``YYYY-MM``: what the upgrade would lose or misread."""
    bad = conn.execute(
        sa.text(
            "SELECT r.id, r.source_file, r.sha256, b.id, b.source_file, b.sha256 FROM reports r "
            "LEFT JOIN import_batches b ON b.id = r.batch_id "
            "WHERE b.id IS NULL OR r.source_file <> b.source_file OR r.sha256 <> b.sha256 "
            "ORDER BY r.id LIMIT 1"
        )
    ).first()
    if bad is not None:
        rid, r_file, r_sha, b_id, b_file, b_sha = bad
        field = "batch_id" if b_id is None else "source_file" if r_file != b_file else "sha256"
        raise _error("migrate.row_differs", file, row=rid, field=field, id=rid, field_name=field)
    months = conn.execute(sa.text("SELECT DISTINCT month FROM reports")).scalars().all()
    wrong = [m for m in months if not isinstance(m, str) or not _MONTH.fullmatch(m)]
    if wrong:
        rid, month = conn.execute(
            sa.select(sa.column("id"), sa.column("month"))
            .select_from(sa.table("reports"))
            .where(sa.column("month").in_(wrong) | sa.column("month").is_(None))
            .order_by(sa.column("id"))
            .limit(1)
        ).one()
        raise _error("migrate.bad_month", file, row=rid, field="month", id=rid, month=month)
