"""Appending many rows inside the caller's write transaction: the driver's fastest bulk path.

* SQLite: ``executemany`` of the columns that vary from row to row into a temporary staging table
  (no indexes, in memory), then one ``INSERT … SELECT`` that adds the values shared by every row
  (batch, file, time: bound once, not once a row) — about twice as fast as inserting whole rows;
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

import numpy as np
import pandas as pd
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
        _sqlite_insert(conn, table.name, names, series)
    elif dialect.name == "postgresql" and hasattr(dbapi(conn), "cursor") and _is_psycopg(conn):
        with dbapi(conn).cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(sa.insert(table), [dict(zip(names, r)) for r in rows])
    return n


def column_values(values: pd.Series | np.ndarray) -> list | int | None:
    """A column for :func:`insert_columns`: its values as a list, or its one value when every row
    has it (None for a column without values, the integer of a constant integer array), which is
    then bound once, not once a row."""
    if isinstance(values, pd.Series) and values.isna().all():
        return None
    if isinstance(values, np.ndarray) and len(values) and (values == values[0]).all():
        return int(values[0])
    return values.tolist()


#: The staging table of :func:`_sqlite_insert` (in the connection's temporary schema).
STAGE = "temp.kejifu_stage"


def _sqlite_insert(conn: sa.Connection, table: str, names: list[str], series: list) -> None:
    """Append rows to ``table`` on SQLite: the varying columns through the staging table, the
    shared values bound once in the ``INSERT … SELECT`` (rows keep their order: ids as before)."""
    varying = [i for i, s in enumerate(series) if not isinstance(s, itertools.repeat)]
    shared = [i for i in range(len(names)) if i not in varying]
    cur = dbapi(conn).cursor()
    try:
        if not shared or not varying:  # nothing to save: one prepared INSERT
            cur.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                zip(*series),
            )
            return
        stage_cols = [f"c{i}" for i in range(len(varying))]
        cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cur.execute(f"CREATE TABLE {STAGE} ({', '.join(stage_cols)})")
        cur.executemany(
            f"INSERT INTO {STAGE} VALUES ({', '.join('?' * len(varying))})",
            zip(*[series[i] for i in varying]),
        )
        values = [next(series[i]) for i in shared]
        target = ", ".join([names[i] for i in varying] + [names[i] for i in shared])
        select = ", ".join(stage_cols + ["?"] * len(shared))
        cur.execute(f"INSERT INTO {table} ({target}) SELECT {select} FROM {STAGE} ORDER BY rowid", values)
        cur.execute(f"DROP TABLE {STAGE}")
    finally:
        cur.close()


def _is_psycopg(conn: sa.Connection) -> bool:
    return conn.dialect.driver == "psycopg"
