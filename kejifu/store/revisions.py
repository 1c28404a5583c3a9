"""The workspace store: plan versions, import batches, reports and register items.

A workspace is a folder with ``plan.yaml`` and the store, by default the SQLite
file ``kejifu.sqlite`` (``kejifu.config.db_url``); ``KEJIFU_DB_URL`` points it at
another database (PostgreSQL). Everything here is SQLAlchemy 2 Core with
portable SQL; SQLite-only settings (WAL journal, busy timeout, ``BEGIN
IMMEDIATE`` for writers, ``mode=ro`` for readers) are applied through connect
events for SQLite only.

Reports and register items are **append-only**: a row is never updated or
deleted. A changed figure becomes a new *revision* of the same
org × measure × month (or of the same register item key); readers see the
latest revision, :meth:`Store.history` every one of them. Every commit is one
transaction: it lands whole or not at all. Re-importing a file (same sha256) or
figures that did not change adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from .. import config
from ..errors import KejifuError, StoreError
from ..plan import Plan, load_plan, parse_plan

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000

metadata = sa.MetaData()

meta_t = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

plan_versions_t = sa.Table(
    "plan_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source_file", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String(200)),
)

orgs_t = sa.Table(
    "orgs",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("parent", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

targets_t = sa.Table(
    "targets",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("title_en", sa.String(400)),
    sa.Column("group_id", sa.String(100)),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.Double),
    sa.Column("stretch", sa.Double),
    sa.Column("baseline", sa.Double),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("register_kind", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

allocations_t = sa.Table(
    "allocations",
    metadata,
    sa.Column("target", sa.String(100), primary_key=True),
    sa.Column("org", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("allocation", sa.Double),
)

batches_t = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False),  # 'reports' or 'register:<kind>'
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("who", sa.String(200)),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("rows_unchanged", sa.Integer, nullable=False),
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("kind", "sha256", name="uq_batch_kind_sha256"),
)

reports_t = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(100), nullable=False),
    sa.Column("measure", sa.String(100), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("unit", sa.String(32)),
    sa.Column("note", sa.Text),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.UniqueConstraint("org", "measure", "month", "revision", name="uq_report_revision"),
)
sa.Index("ix_reports_month", reports_t.c.month)

register_items_t = sa.Table(
    "register_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("item_key", sa.String(200), nullable=False),
    sa.Column("org", sa.String(100), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("attrs", sa.Text, nullable=False),  # JSON object
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.UniqueConstraint("kind", "item_key", "revision", name="uq_item_revision"),
)
sa.Index("ix_register_items_kind", register_items_t.c.kind)

_EXISTING_BATCH = (
    sa.select(batches_t.c.id)
    .where(batches_t.c.kind == sa.bindparam("kind"))
    .where(batches_t.c.sha256 == sa.bindparam("sha256"))
)
_REPORTS_OF_MONTHS = (
    sa.select(
        reports_t.c.org,
        reports_t.c.measure,
        reports_t.c.month,
        reports_t.c.revision,
        reports_t.c.value,
        reports_t.c.note,
    )
    .where(reports_t.c.month.in_(sa.bindparam("months", expanding=True)))
    .order_by(reports_t.c.revision)
)

REPORT_COLUMNS = [
    "org",
    "measure",
    "month",
    "value",
    "unit",
    "note",
    "revision",
    "batch_id",
    "source_file",
    "imported_at",
    "imported_by",
]
HISTORY_COLUMNS = ["id"] + REPORT_COLUMNS + ["sha256"]
ITEM_BASE_COLUMNS = ["kind", "item_key", "org", "date", "title", "withdrawn"]
ITEM_META_COLUMNS = ["revision", "batch_id", "source_file", "imported_at", "imported_by"]
BATCH_COLUMNS = [
    "id",
    "kind",
    "source_file",
    "sha256",
    "who",
    "imported_at",
    "rows_added",
    "rows_unchanged",
    "note",
]
REPORTS_KIND = "reports"


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


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _sqlite_path(url: sa.URL) -> str | None:
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database or ""
    return db if db and db != ":memory:" else None


def _clean_text(v) -> str | None:
    """A cell as text, or None for empty/NaN."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT:
        return None
    s = str(v).strip()
    return s or None


def _month_text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Period):
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, (dt.date, pd.Timestamp)):
        return f"{v.year:04d}-{v.month:02d}"
    return str(v).strip()


class Store:
    """One workspace's store. Open with :meth:`open` or :meth:`create`; close with :meth:`close`.

    ``readonly=True`` opens SQLite with a ``mode=ro`` URI, so any write fails in
    the database itself; on other databases the write methods refuse with
    :class:`StoreError` and sessions are read-only transactions.
    """

    def __init__(self, workspace: Path, engine: sa.Engine, *, readonly: bool) -> None:
        self.workspace = workspace
        self.engine = engine
        self.readonly = readonly
        self._plan_cache: tuple[int, Plan] | None = None

    # ----- opening -----------------------------------------------------------------------------
    @staticmethod
    def _engine(url: str, *, readonly: bool) -> sa.Engine:
        try:
            u = sa.make_url(url)
        except sa.exc.ArgumentError:
            raise StoreError("数据库地址（KEJIFU_DB_URL）无效", f"bad database URL: {url!r}") from None
        path = _sqlite_path(u)
        if u.get_backend_name() == "sqlite":
            if readonly:
                if path is None:
                    raise StoreError(
                        "内存数据库不能只读打开", "an in-memory store cannot be opened read-only"
                    )
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
                if not readonly and path is not None:
                    cur.execute("PRAGMA journal_mode = WAL")
                    cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no fsync per commit
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):
                write = conn.get_execution_options().get("kejifu_write", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

            return engine
        engine = sa.create_engine(u)
        if u.get_backend_name() == "postgresql":

            @sa.event.listens_for(engine, "begin")
            def _one_writer(conn):  # revisions are numbered latest+1: writers take turns, as on SQLite
                if conn.get_execution_options().get("kejifu_write", False):
                    # one lock per schema: the counties of a province database write in parallel
                    conn.exec_driver_sql(
                        "SELECT pg_advisory_xact_lock(hashtext('kejifu:' || current_schema()))"
                    )

            if readonly:
                engine = engine.execution_options(postgresql_readonly=True)
        return engine

    @classmethod
    def _has_store(cls, engine: sa.Engine) -> bool:
        try:
            return sa.inspect(engine).has_table("meta")
        except SQLAlchemyError:
            return False

    @classmethod
    def open(
        cls, workspace: str | Path | None = None, *, readonly: bool = False, url: str | None = None
    ) -> Store:
        """Open the store of ``workspace`` (default: ``kejifu.config.workspace_dir()``)."""
        ws = config.workspace_dir(workspace)
        url = url or config.db_url(ws)
        u = sa.make_url(url)
        path = _sqlite_path(u)
        not_ws = StoreError(
            f"不是kejifu工作区：{ws}（请先运行 `kejifu init`）",
            f"not a kejifu workspace: {ws} (run `kejifu init`)",
            file=str(ws),
        )
        if path is not None and not Path(path).is_file():
            raise not_ws
        try:
            engine = cls._engine(url, readonly=readonly)
        except SQLAlchemyError as exc:
            raise StoreError("无法打开数据库", f"cannot open the database: {exc}", file=str(ws)) from None
        if not cls._has_store(engine):
            engine.dispose()
            raise not_ws
        store = cls(ws, engine, readonly=readonly)
        version = store.meta().get("schema_version")
        if version is not None and int(version) > SCHEMA_VERSION:
            store.close()
            raise StoreError(
                f"数据库版本{version}比本程序新，请升级kejifu",
                f"store schema {version} is newer than this kejifu; upgrade kejifu",
                file=str(ws),
            )
        return store

    @classmethod
    def create(
        cls, workspace: str | Path, plan_file: str | Path, *, url: str | None = None, who: str | None = None
    ) -> Store:
        """Create a workspace: the folder, ``plan.yaml`` (a copy of ``plan_file``), the tables and plan version 1.

        A plan that does not validate raises :class:`PlanError` and creates nothing;
        a workspace that already has a store raises :class:`StoreError`.
        """
        ws = Path(workspace).expanduser().resolve()
        plan_file = Path(plan_file)
        plan = load_plan(plan_file)  # PlanError before anything is created
        text = plan_file.read_text(encoding="utf-8")
        url = url or config.db_url(ws)
        u = sa.make_url(url)
        path = _sqlite_path(u)
        if path is not None and Path(path).exists():
            raise StoreError(f"工作区已存在：{ws}", f"a workspace already exists here: {ws}", file=str(ws))
        target_plan = ws / config.PLAN_FILE
        same_file = target_plan.exists() and target_plan.resolve() == plan_file.resolve()
        if target_plan.exists() and not same_file and target_plan.read_text(encoding="utf-8") != text:
            raise StoreError(
                f"工作区已有不同的计划文件：{target_plan}",
                f"the folder already holds a different plan file: {target_plan}",
                file=str(target_plan),
            )
        ws_existed = ws.exists()
        ws.mkdir(parents=True, exist_ok=True)
        engine = cls._engine(url, readonly=False)
        if cls._has_store(engine):
            engine.dispose()
            raise StoreError(f"工作区已存在：{ws}", f"a workspace already exists here: {ws}", file=str(ws))
        store = cls(ws, engine, readonly=False)
        store._plan_cache = (1, plan)
        try:
            metadata.create_all(engine)
            with store._write() as conn:
                conn.execute(
                    sa.insert(meta_t),
                    [
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                        {"key": "created_at", "value": _now().isoformat()},
                        {"key": "synthetic", "value": "1" if plan.plan.synthetic else "0"},
                        {"key": "plan_id", "value": plan.plan.id},
                    ],
                )
                store._insert_plan_version(conn, 1, text, plan, source_file=str(plan_file), who=who)
            if not same_file:
                shutil.copyfile(plan_file, target_plan)
        except BaseException:
            store.close()
            if path is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(path + suffix).unlink(missing_ok=True)
            else:
                metadata.drop_all(engine)
            if not ws_existed:
                shutil.rmtree(ws, ignore_errors=True)
            raise
        return store

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.workspace)!r}, url={self.engine.url.render_as_string()!r}, readonly={self.readonly})"

    # ----- transactions ------------------------------------------------------------------------
    def _refuse_if_readonly(self) -> None:
        if self.readonly:
            raise StoreError(
                "工作区以只读方式打开，不能写入",
                "the workspace is open read-only; writes are refused",
                file=str(self.workspace),
            )

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite); rolled back on any error."""
        self._refuse_if_readonly()
        try:
            with self.engine.connect().execution_options(kejifu_write=True) as conn:
                with conn.begin():
                    yield conn
        except KejifuError:
            raise
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise StoreError(
                f"写入失败，已全部撤销：{reason}",
                f"write failed and was rolled back: {reason}",
                file=str(self.workspace),
            ) from exc

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _frame(
        self, stmt, columns: list[str], *, categorical: tuple[str, ...] = (), chunk: int = 200_000
    ) -> pd.DataFrame:
        """Run ``stmt`` into a frame, ``chunk`` rows at a time.

        The ``categorical`` columns (org, measure, month…) become categoricals chunk by
        chunk, so millions of rows never exist as millions of separate Python strings:
        a province's 4.3 M reports load in a fraction of the memory.
        """
        parts: list[pd.DataFrame] = []
        with self._read() as conn:
            result = conn.execution_options(yield_per=chunk).execute(stmt)
            for rows in result.partitions():
                df = pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)
                for c in categorical:
                    df[c] = df[c].astype("category")
                parts.append(df)
        if not parts:
            return pd.DataFrame([], columns=columns)
        if len(parts) > 1:
            for c in categorical:
                cats = pd.api.types.union_categoricals([p[c] for p in parts]).categories
                for p in parts:
                    p[c] = p[c].cat.set_categories(cats)
        df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        for c in categorical:  # back to plain text: rows share their category's one string object
            codes = df[c].cat.codes.to_numpy()
            text = np.append(np.asarray(df[c].cat.categories, dtype=object), None)
            df[c] = pd.Series(text[np.where(codes < 0, len(text) - 1, codes)], index=df.index, dtype=object)
        return df

    # ----- meta --------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The store's key/value settings (``schema_version``, ``created_at``, ``synthetic``, …)."""
        with self._read() as conn:
            return {k: v for k, v in conn.execute(sa.select(meta_t.c.key, meta_t.c.value))}

    def set_meta(self, key: str, value: str) -> None:
        """Set one meta value (e.g. ``synthetic`` = ``'1'`` for demo data)."""
        with self._write() as conn:
            conn.execute(sa.delete(meta_t).where(meta_t.c.key == key))
            conn.execute(sa.insert(meta_t).values(key=key, value=str(value)))

    @property
    def synthetic(self) -> bool:
        """True when the store holds synthetic (demo) figures."""
        return self.meta().get("synthetic", "0") in ("1", "true", "True")

    # ----- plan versions -----------------------------------------------------------------------
    def _insert_plan_version(
        self,
        conn: sa.Connection,
        version: int,
        text: str,
        plan: Plan,
        *,
        source_file: str | None,
        who: str | None,
    ) -> None:
        conn.execute(
            sa.insert(plan_versions_t).values(
                version=version,
                yaml=text,
                sha256=sha256_text(text),
                source_file=source_file,
                created_at=_now(),
                who=who,
            )
        )
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

    def plan_version(self) -> int:
        """The number of the latest plan version (1 after ``create``)."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.max(plan_versions_t.c.version))).scalar_one() or 0)

    def plan_versions(self) -> pd.DataFrame:
        """Every stored plan version: ``version, sha256, source_file, created_at, who``."""
        t = plan_versions_t
        return self._frame(
            sa.select(t.c.version, t.c.sha256, t.c.source_file, t.c.created_at, t.c.who).order_by(
                t.c.version
            ),
            ["version", "sha256", "source_file", "created_at", "who"],
        )

    def plan(self, version: int | None = None) -> Plan:
        """The plan of ``version`` (default: the latest), parsed from the stored YAML text."""
        with self._read() as conn:
            if version is None:
                version = conn.execute(sa.select(sa.func.max(plan_versions_t.c.version))).scalar_one()
            if self._plan_cache is not None and self._plan_cache[0] == version:
                return self._plan_cache[1]
            text = conn.execute(
                sa.select(plan_versions_t.c.yaml).where(plan_versions_t.c.version == version)
            ).scalar_one_or_none()
        if text is None:
            raise StoreError(f"没有第{version}版计划", f"no plan version {version}", file=str(self.workspace))
        plan = parse_plan(text, file=f"{self.workspace / config.PLAN_FILE}@v{version}")
        self._plan_cache = (int(version), plan)
        return plan

    def add_plan_version(self, plan_file: str | Path, *, who: str | None = None) -> int:
        """Store ``plan_file`` as a new plan version (reports stay) and copy it to ``plan.yaml``.

        Returns the version number; a file identical to the latest version adds nothing
        and returns that version.
        """
        self._refuse_if_readonly()
        plan_file = Path(plan_file)
        plan = load_plan(plan_file)
        text = plan_file.read_text(encoding="utf-8")
        sha = sha256_text(text)
        with self._write() as conn:
            latest = conn.execute(
                sa.select(plan_versions_t.c.version, plan_versions_t.c.sha256)
                .order_by(plan_versions_t.c.version.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.sha256 == sha:
                version = int(latest.version)
            else:
                version = (int(latest.version) if latest else 0) + 1
                self._insert_plan_version(conn, version, text, plan, source_file=str(plan_file), who=who)
        target_plan = self.workspace / config.PLAN_FILE
        if not (target_plan.exists() and target_plan.resolve() == plan_file.resolve()):
            shutil.copyfile(plan_file, target_plan)
        return version

    # ----- batches -----------------------------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        """Every import batch in order: ``id, kind, source_file, sha256, who, imported_at, rows_added, rows_unchanged, note``."""
        t = batches_t
        return self._frame(sa.select(*[t.c[c] for c in BATCH_COLUMNS]).order_by(t.c.id), BATCH_COLUMNS)

    def _existing_batch(self, conn: sa.Connection, kind: str, sha256: str) -> int | None:
        return conn.execute(_EXISTING_BATCH, {"kind": kind, "sha256": sha256}).scalar_one_or_none()

    def _new_batch(
        self,
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

    # ----- reports -----------------------------------------------------------------------------
    def commit_reports(
        self,
        frame: pd.DataFrame,
        *,
        source_file: str,
        sha256: str,
        who: str | None = None,
        note: str | None = None,
        imported_at: dt.datetime | None = None,
    ) -> ImportResult:
        """Append the rows of a validated reports frame as one batch, in one transaction.

        ``frame`` has ``org, measure, month ('YYYY-MM'), value`` [the measure's unit,
        year-to-date] and optional ``unit, note``. A file whose ``sha256`` was imported
        before adds nothing (``duplicate_file=True``); a row equal (value and note) to
        the latest revision of its org × measure × month is not stored again; a changed
        row is stored as revision latest + 1. Any failure rolls the whole batch back
        and raises :class:`StoreError`.
        """
        self._refuse_if_readonly()
        missing = [c for c in ("org", "measure", "month", "value") if c not in frame.columns]
        if missing:
            raise StoreError(
                f"报表数据缺少列：{', '.join(missing)}",
                f"reports frame lacks columns: {', '.join(missing)}",
                file=source_file,
            )
        n = len(frame)
        orgs = [_clean_text(v) for v in frame["org"].tolist()]
        measures = [_clean_text(v) for v in frame["measure"].tolist()]
        months = [_month_text(v) for v in frame["month"].tolist()]
        values = pd.to_numeric(frame["value"], errors="coerce").astype(float).tolist()
        values = [None if (v is None or math.isnan(v)) else float(v) for v in values]
        units = [_clean_text(v) for v in frame["unit"].tolist()] if "unit" in frame.columns else [None] * n
        notes = [_clean_text(v) for v in frame["note"].tolist()] if "note" in frame.columns else [None] * n
        keys = list(zip(orgs, measures, months))
        seen: dict[tuple, int] = {}
        for i, k in enumerate(keys):
            if k in seen:
                raise StoreError(
                    f"同一批数据中重复：{k[0]} {k[1]} {k[2]}（第{seen[k] + 1}和第{i + 1}行）",
                    f"duplicate row in one batch: {k[0]} {k[1]} {k[2]} (rows {seen[k] + 1} and {i + 1})",
                    file=source_file,
                    row=i + 1,
                )
            seen[k] = i
        at = imported_at or _now()
        with self._write() as conn:
            existing = self._existing_batch(conn, REPORTS_KIND, sha256)
            if existing is not None:
                return ImportResult(int(existing), 0, n, True, 0, source_file, REPORTS_KIND)
            latest = self._latest_report_rows(conn, sorted({m for m in months if m is not None}))
            rows, unchanged, revised = [], 0, 0
            for i, key in enumerate(keys):
                prev = latest.get(key)
                if prev is not None:
                    rev, pval, pnote = prev
                    if (
                        values[i] is not None
                        and math.isclose(pval, values[i], rel_tol=1e-12, abs_tol=1e-12)
                        and (pnote or None) == notes[i]
                    ):
                        unchanged += 1
                        continue
                    revision = rev + 1
                    revised += 1
                else:
                    revision = 1
                rows.append(
                    {
                        "org": key[0],
                        "measure": key[1],
                        "month": key[2],
                        "value": values[i],
                        "unit": units[i],
                        "note": notes[i],
                        "revision": revision,
                        "imported_at": at,
                        "imported_by": who,
                        "source_file": source_file,
                        "sha256": sha256,
                    }
                )
            batch_id = self._new_batch(
                conn,
                kind=REPORTS_KIND,
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
                conn.execute(sa.insert(reports_t), rows)
        return ImportResult(batch_id, len(rows), unchanged, False, revised, source_file, REPORTS_KIND)

    @staticmethod
    def _latest_report_rows(conn: sa.Connection, months: list[str]) -> dict[tuple, tuple]:
        """(org, measure, month) -> (revision, value, note) of the latest revision, for ``months``."""
        out: dict[tuple, tuple] = {}
        for i in range(0, len(months), 500):
            res = conn.execute(_REPORTS_OF_MONTHS, {"months": months[i : i + 500]})
            for org, measure, month, rev, value, note in res:
                out[(org, measure, month)] = (int(rev), float(value), note)
        return out

    def _latest_reports_stmt(self, years: tuple[int, int] | None = None):
        t = reports_t
        latest = sa.select(t.c.org, t.c.measure, t.c.month, sa.func.max(t.c.revision).label("revision"))
        if years is not None:  # 'YYYY-MM' texts sort by date, so a range is two comparisons
            latest = latest.where(t.c.month >= f"{years[0]:04d}-01", t.c.month <= f"{years[1]:04d}-12")
        latest = latest.group_by(t.c.org, t.c.measure, t.c.month).subquery("latest")
        return sa.select(*[t.c[c] for c in REPORT_COLUMNS]).join(
            latest,
            sa.and_(
                t.c.org == latest.c.org,
                t.c.measure == latest.c.measure,
                t.c.month == latest.c.month,
                t.c.revision == latest.c.revision,
            ),
        )

    def reports(self, years: tuple[int, int] | None = None) -> pd.DataFrame:
        """The latest revision of every org × measure × month (of the ``years`` range, inclusive).

        Columns ``org, measure, month ('YYYY-MM'), value [measure unit, year-to-date], unit,
        note, revision, batch_id, source_file, imported_at, imported_by``.
        """
        t = reports_t
        stmt = self._latest_reports_stmt(years).order_by(t.c.measure, t.c.org, t.c.month)
        df = self._frame(
            stmt,
            REPORT_COLUMNS,
            categorical=("org", "measure", "month", "unit", "source_file", "imported_by"),
        )
        df["value"] = df["value"].astype(float)
        return df

    def history(self, org: str | None = None, measure: str | None = None) -> pd.DataFrame:
        """Every stored revision (optionally of one org and/or measure), ordered by org, measure, month, revision."""
        t = reports_t
        stmt = sa.select(*[t.c[c] for c in HISTORY_COLUMNS])
        if org is not None:
            stmt = stmt.where(t.c.org == org)
        if measure is not None:
            stmt = stmt.where(t.c.measure == measure)
        stmt = stmt.order_by(t.c.org, t.c.measure, t.c.month, t.c.revision)
        df = self._frame(stmt, HISTORY_COLUMNS)
        df["value"] = df["value"].astype(float)
        return df

    # ----- register items ----------------------------------------------------------------------
    def commit_register_items(
        self,
        frame: pd.DataFrame,
        *,
        kind: str,
        source_file: str,
        sha256: str,
        who: str | None = None,
        note: str | None = None,
        imported_at: dt.datetime | None = None,
    ) -> ImportResult:
        """Append register items of ``kind`` as one batch, in one transaction.

        ``frame`` has ``org, date`` and ``item_key`` (else derived by
        :func:`kejifu.registers.item_keys`), optional ``title`` and ``withdrawn``;
        every other column is kept in the item's ``attrs``. An item equal to its
        latest revision is not stored again; a changed one (or a ``withdrawn``
        one) becomes a new revision of the same ``item_key``.
        """
        from .. import registers  # registers is pure and never imports the store

        self._refuse_if_readonly()
        batch_kind = f"register:{kind}"
        frame = registers.normalise_items(frame, kind)
        n = len(frame)
        at = imported_at or _now()
        attr_cols = [c for c in frame.columns if c not in ITEM_BASE_COLUMNS]
        records = []
        for rec in frame.to_dict("records"):
            attrs = {c: _json_value(rec[c]) for c in attr_cols}
            attrs = {k: v for k, v in attrs.items() if v is not None}
            d = rec["date"]
            records.append(
                {
                    "item_key": _clean_text(rec["item_key"]),
                    "org": _clean_text(rec["org"]),
                    "date": None
                    if d is None or d is pd.NaT or (isinstance(d, float) and math.isnan(d))
                    else pd.Timestamp(d).date(),
                    "title": _clean_text(rec.get("title")),
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
        with self._write() as conn:
            existing = self._existing_batch(conn, batch_kind, sha256)
            if existing is not None:
                return ImportResult(int(existing), 0, n, True, 0, source_file, batch_kind)
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
            batch_id = self._new_batch(
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

    def register_items(self, kind: str | None = None, *, include_withdrawn: bool = False) -> pd.DataFrame:
        """The latest revision of every register item (withdrawn ones left out).

        Columns ``kind, item_key, org, date (datetime64), title, withdrawn, revision, batch_id,
        source_file, imported_at, imported_by`` and one column per attribute (``village``,
        ``serial``, ``applicant``, ``level``, ``outside`` …).
        """
        t = register_items_t
        latest = sa.select(t.c.kind, t.c.item_key, sa.func.max(t.c.revision).label("revision"))
        if kind is not None:
            latest = latest.where(t.c.kind == kind)
        latest = latest.group_by(t.c.kind, t.c.item_key).subquery("latest")
        cols = ITEM_BASE_COLUMNS + ITEM_META_COLUMNS + ["attrs"]
        stmt = (
            sa.select(*[t.c[c] for c in cols])
            .join(
                latest,
                sa.and_(
                    t.c.kind == latest.c.kind,
                    t.c.item_key == latest.c.item_key,
                    t.c.revision == latest.c.revision,
                ),
            )
            .order_by(t.c.kind, t.c.date, t.c.item_key)
        )
        if not include_withdrawn:
            stmt = stmt.where(t.c.withdrawn == sa.false())
        df = self._frame(stmt, cols)
        attrs = pd.DataFrame([json.loads(a) for a in df["attrs"]], index=df.index)
        df = df.drop(columns=["attrs"])
        for c in attrs.columns:
            if c not in df.columns:
                df[c] = attrs[c]
        df["date"] = pd.to_datetime(df["date"])
        df["withdrawn"] = df["withdrawn"].astype(bool)
        return df

    def item_history(self, kind: str | None = None) -> pd.DataFrame:
        """Every stored revision of register items, ordered by kind, item_key, revision."""
        t = register_items_t
        cols = ["id"] + ITEM_BASE_COLUMNS + ["attrs"] + ITEM_META_COLUMNS
        stmt = sa.select(*[t.c[c] for c in cols])
        if kind is not None:
            stmt = stmt.where(t.c.kind == kind)
        df = self._frame(stmt.order_by(t.c.kind, t.c.item_key, t.c.revision), cols)
        df["date"] = pd.to_datetime(df["date"])
        return df


def _json_value(v):
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
