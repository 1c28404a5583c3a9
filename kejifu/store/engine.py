"""The store's database connection: URLs, engine creation, SQLite settings, the one-writer lock.

Everything above this module is SQLAlchemy 2 Core with portable SQL. What differs per
database lives here:

* **SQLite** (the default, ``kejifu.sqlite`` in the workspace): WAL journal, a busy timeout,
  ``BEGIN IMMEDIATE`` for writers (one writer at a time, readers never blocked), ``mode=ro``
  URIs for read-only opening (``immutable=1`` in a read-only folder, where the WAL index
  cannot be created);
* **PostgreSQL**: revisions are numbered latest + 1, so writers take turns through a
  transaction-scoped advisory lock, one per schema (the counties of a province database
  write in parallel); read-only opening makes every transaction ``READ ONLY``.

A write transaction is marked with the execution option ``kejifu_write=True``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError

BUSY_TIMEOUT_MS = 10_000
#: The execution option that marks a write transaction (``BEGIN IMMEDIATE`` / the writer lock).
WRITE_OPTION = "kejifu_write"


def parse_url(url: str) -> sa.URL:
    """``url`` as a SQLAlchemy URL; :class:`StoreError` when it is not one."""
    try:
        return sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError("数据库地址（KEJIFU_DB_URL）无效", f"bad database URL: {url!r}") from None


def sqlite_path(url: sa.URL) -> str | None:
    """The database file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database or ""
    return db if db and db != ":memory:" else None


def is_sqlite(engine_or_conn: sa.Engine | sa.Connection) -> bool:
    """True on SQLite."""
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str, *, readonly: bool) -> sa.Engine:
    """An engine for ``url`` with the settings above (:class:`StoreError` for a bad URL)."""
    u = parse_url(url)
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, readonly=readonly)
    engine = sa.create_engine(u)
    if u.get_backend_name() == "postgresql":

        @event.listens_for(engine, "begin")
        def _one_writer(conn):  # revisions are numbered latest+1: writers take turns, as on SQLite
            if conn.get_execution_options().get(WRITE_OPTION, False):
                # one lock per schema: the counties of a province database write in parallel
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('kejifu:' || current_schema()))")

        if readonly:
            engine = engine.execution_options(postgresql_readonly=True)
    return engine


def _sqlite_engine(u: sa.URL, *, readonly: bool) -> sa.Engine:
    path = sqlite_path(u)
    if readonly:
        if path is None:
            raise StoreError("内存数据库不能只读打开", "an in-memory store cannot be opened read-only")
        db = Path(path).resolve()
        uri = f"file:{db.as_posix()}?mode=ro"
        if not os.access(db.parent, os.W_OK) and not Path(f"{db}-shm").exists():
            # a read-only folder (a deployed dashboard): SQLite cannot create the WAL
            # index, so read the file as immutable
            uri += "&immutable=1"
        engine = sa.create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
        )
    else:
        engine = sa.create_engine(u)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA cache_size = -65536")  # 64 MB page cache: large reads and index probes
        cur.execute("PRAGMA temp_store = MEMORY")  # the bulk writes' staging table (see .writes)
        if not readonly and path is not None:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no fsync per commit
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def has_store(engine: sa.Engine) -> bool:
    """True when the database holds a kejifu store (its ``meta`` table)."""
    try:
        return sa.inspect(engine).has_table("meta")
    except SQLAlchemyError:
        return False


def placeholder(conn: sa.Connection) -> str:
    """The driver's parameter marker in raw SQL: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if is_sqlite(conn) else "%s"


def dbapi(conn: sa.Connection):
    """The driver's own connection under ``conn`` (same transaction): for bulk reads and writes."""
    return conn.connection.driver_connection
