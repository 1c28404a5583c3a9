"""Appending many rows inside the caller's write transaction: the driver's fastest bulk path.

* SQLite: ``executemany`` of one prepared ``INSERT`` on the sqlite3 connection;
* PostgreSQL: ``COPY … FROM STDIN`` through psycopg;
* any other database: SQLAlchemy's ``executemany``.

Rows are given column by column (a list per column, or one value for every row). Values are
converted as SQLAlchemy would bind them (e.g. a ``DateTime`` becomes SQLite's text form), so
rows written here read back exactly like rows written through SQLAlchemy. Nothing here
commits: the rows land with the caller's transaction, whole or not at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from .engine import dbapi


def insert_columns(conn: sa.Connection, table: sa.Table, columns: Mapping[str, object], n: int) -> int:
    """Append ``n`` rows to ``table``: ``columns`` maps a column name to a sequence of ``n`` values
    or to one value shared by every row. Returns ``n``."""
    if n == 0:
        return 0
    names = list(columns)
    dialect = conn.dialect
    series: list[Sequence | itertools.repeat] = []
    for name in names:
        values = columns[name]
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if dialect.name == "postgresql":
            proc = None  # psycopg adapts Python values itself (COPY's text format)
        if isinstance(values, (list, tuple)):
            series.append([proc(v) for v in values] if proc else values)
        else:
            series.append(itertools.repeat(proc(values) if proc else values, n))
    rows = zip(*series)
    cols = ", ".join(names)
    if dialect.name == "sqlite":
        cur = dbapi(conn).cursor()
        try:
            cur.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join('?' * len(names))})", rows)
        finally:
            cur.close()
    elif dialect.name == "postgresql" and hasattr(dbapi(conn), "cursor") and _is_psycopg(conn):
        with dbapi(conn).cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(sa.insert(table), [dict(zip(names, r)) for r in rows])
    return n


def _is_psycopg(conn: sa.Connection) -> bool:
    return conn.dialect.driver == "psycopg"
