"""The :class:`Store`: one workspace's plan versions, import batches, reports and register items.

A workspace is a folder with ``plan.yaml`` and the store, by default the SQLite
file ``kejifu.sqlite`` (``kejifu.config.db_url``); ``KEJIFU_DB_URL`` points it at
another database (PostgreSQL). Connections, SQLite settings and the writer lock are
:mod:`.engine`'s, the tables :mod:`.schema`'s; bulk reads are :mod:`.reads`, bulk
writes :mod:`.writes`.

Reports and register items are **append-only**: a row is never updated or
deleted. A changed figure becomes a new *revision* of the same
org × measure × month (or of the same register item key); readers see the
latest revision, :meth:`Store.history` every one of them. Every commit is one
transaction: it lands whole or not at all. Re-importing a file (same sha256) or
figures that did not change adds nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from .. import config
from ..errors import KejifuError, StoreError
from ..plan import Plan
from . import keys, migrate, pages, plan_versions, reads, register_items, report_rows, writes
from .batches import (
    ImportResult,
    existing_batch,
    new_batch,
    now,
    sha256_file,
    sha256_text,
)
from .engine import WRITE_OPTION, has_store, make_engine, parse_url, sqlite_path
from .schema import (
    BATCH_COLUMNS,
    HISTORY_COLUMNS,
    PLAN_CACHE_KEY,
    REPORTS_KIND,
    SCHEMA_VERSION,
    batches_t,
    meta_t,
    metadata,
    plan_versions_t,
    reports_t,
    revised_index,
)

__all__ = ["REPORTS_KIND", "ImportResult", "Store", "metadata", "sha256_file", "sha256_text"]

#: What :meth:`Store.data_version` returns: newest plan version, batch id, report row id, register item id.
DataVersion = tuple[int, int, int, int]


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
        self._plan_memo: tuple[int, Plan] | None = None

    # kept for callers of the old private names (kejifu.store.backup); use kejifu.store.engine
    _engine = staticmethod(make_engine)
    _has_store = staticmethod(has_store)

    # ----- opening -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls, workspace: str | Path | None = None, *, readonly: bool = False, url: str | None = None
    ) -> Store:
        """Open the store of ``workspace`` (default: ``kejifu.config.workspace_dir()``)."""
        ws = config.workspace_dir(workspace)
        url = url or config.db_url(ws)
        path = sqlite_path(parse_url(url))
        not_ws = StoreError(
            f"不是kejifu工作区：{ws}（请先运行 `kejifu init`）",
            f"not a kejifu workspace: {ws} (run `kejifu init`)",
            file=str(ws),
        )
        if path is not None and not Path(path).is_file():
            raise not_ws
        try:
            engine = make_engine(url, readonly=readonly)
        except SQLAlchemyError as exc:
            raise StoreError("无法打开数据库", f"cannot open the database: {exc}", file=str(ws)) from None
        if not has_store(engine):
            engine.dispose()
            raise not_ws
        store = cls(ws, engine, readonly=readonly)
        migrate.upgrade_if_needed(store)  # a schema 1 store: upgraded when writable, else refused
        if not readonly:  # a store made before the index gets it (only then is anything written)
            try:
                with engine.begin() as conn:
                    revised_index.create(conn, checkfirst=True)
            except SQLAlchemyError:  # a speed-up only: a busy or read-only file goes without it
                pass
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
        """Create a workspace: its folder, ``plan.yaml`` (a copy of ``plan_file``), tables, plan version 1.

        A plan that does not validate raises :class:`PlanError` and creates nothing;
        a workspace that already has a store raises :class:`StoreError`.
        """
        ws = Path(workspace).expanduser().resolve()
        plan_file = Path(plan_file)
        text, plan, data = plan_versions.read_file(plan_file)  # PlanError before anything is created
        url = url or config.db_url(ws)
        path = sqlite_path(parse_url(url))
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
        engine = make_engine(url, readonly=False)
        if has_store(engine):
            engine.dispose()
            raise StoreError(f"工作区已存在：{ws}", f"a workspace already exists here: {ws}", file=str(ws))
        store = cls(ws, engine, readonly=False)
        store._plan_memo = (1, plan)
        try:
            metadata.create_all(engine)
            with store._write() as conn:
                conn.execute(
                    sa.insert(meta_t),
                    [
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                        {"key": "created_at", "value": now().isoformat()},
                        {"key": "synthetic", "value": "1" if plan.plan.synthetic else "0"},
                        {"key": "plan_id", "value": plan.plan.id},
                    ],
                )
                plan_versions.insert(
                    conn,
                    1,
                    text,
                    sha256_text(text),
                    plan,
                    source_file=str(plan_file),
                    who=who,
                    at=now(),
                    data=data,
                )
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
        url = self.engine.url.render_as_string()
        return f"Store({str(self.workspace)!r}, url={url!r}, readonly={self.readonly})"

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
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
                with conn.begin():
                    yield conn
        except KejifuError:
            raise
        except (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:  # bulk writes: driver errors
            reason = (str(getattr(exc, "orig", exc)).splitlines() or [type(exc).__name__])[0]
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

    # ----- meta --------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The store's key/value settings (``schema_version``, ``created_at``, ``synthetic``, …;
        the parsed-plan cache is left out)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(meta_t.c.key, meta_t.c.value).where(
                    sa.func.substr(meta_t.c.key, 1, len(PLAN_CACHE_KEY)) != PLAN_CACHE_KEY
                )
            )
            return {k: v for k, v in rows}

    def set_meta(self, key: str, value: str) -> None:
        """Set one meta value (e.g. ``synthetic`` = ``'1'`` for demo data)."""
        with self._write() as conn:
            conn.execute(sa.delete(meta_t).where(meta_t.c.key == key))
            conn.execute(sa.insert(meta_t).values(key=key, value=str(value)))

    @property
    def synthetic(self) -> bool:
        """True when the store holds synthetic (demo) figures."""
        return self.meta().get("synthetic", "0") in ("1", "true", "True")

    def data_version(self) -> DataVersion:
        """``(plan version, batch id, report row id, register item id)``, each the newest: a cheap
        check (four index look-ups) that changes with every commit, for readers that keep frames."""
        with self._read() as conn:
            return reads.data_version(conn)

    def changes_since(self, version: DataVersion) -> tuple[list[str], list[str]]:
        """The report months (``YYYY-MM``) and register kinds committed after ``version``."""
        with self._read() as conn:
            return reads.changes_since(conn, version[1], version[2])

    # ----- plan versions -----------------------------------------------------------------------
    def plan_version(self) -> int:
        """The number of the latest plan version (1 after ``create``)."""
        with self._read() as conn:
            return plan_versions.latest_version(conn) or 0

    def plan_versions(self) -> pd.DataFrame:
        """Every stored plan version: ``version, sha256, source_file, created_at, who``."""
        t = plan_versions_t
        cols = ["version", "sha256", "source_file", "created_at", "who"]
        with self._read() as conn:
            return reads.frame(conn, sa.select(*[t.c[c] for c in cols]).order_by(t.c.version), cols)

    def plan(self, version: int | None = None) -> Plan:
        """The plan of ``version`` (default: the latest), parsed from the stored YAML text.

        Parsed once per version and store: kept in memory (until :meth:`forget_plan`) and in the
        store's ``meta`` (see :mod:`.plan_versions`)."""
        with self._read() as conn:
            if version is None:
                version = plan_versions.latest_version(conn)
            if self._plan_memo is not None and self._plan_memo[0] == version:
                return self._plan_memo[1]
            found = plan_versions.stored(conn, version) if version is not None else None
            if found is None:
                raise StoreError(
                    f"没有第{version}版计划", f"no plan version {version}", file=str(self.workspace)
                )
            text, sha = found
            data = plan_versions.cached_data(conn, sha)
        file = f"{self.workspace / config.PLAN_FILE}@v{version}"
        if data is not None:
            plan = plan_versions.validate(data, text, file)
        else:
            plan, data = plan_versions.parse(text, file)
            if not self.readonly:  # parse once: later readers find it in the cache
                with self._write() as conn:
                    plan_versions.put_cache(conn, sha, data)
        self._plan_memo = (int(version), plan)
        return plan

    def forget_plan(self) -> None:
        """Forget the plan kept in memory (the next :meth:`plan` reads the store again)."""
        self._plan_memo = None

    def add_plan_version(self, plan_file: str | Path, *, who: str | None = None) -> int:
        """Store ``plan_file`` as a new plan version (reports stay) and copy it to ``plan.yaml``.

        Returns the version number; a file identical to the latest version adds nothing
        and returns that version.
        """
        self._refuse_if_readonly()
        plan_file = Path(plan_file)
        text, plan, data = plan_versions.read_file(plan_file)
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
                plan_versions.insert(
                    conn, version, text, sha, plan, source_file=str(plan_file), who=who, at=now(), data=data
                )
        self._plan_memo = (version, plan)
        target_plan = self.workspace / config.PLAN_FILE
        if not (target_plan.exists() and target_plan.resolve() == plan_file.resolve()):
            shutil.copyfile(plan_file, target_plan)
        return version

    # ----- batches -----------------------------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        """Every import batch in order: ``id, kind, source_file, sha256, who, imported_at, rows_added,
        rows_unchanged, note``."""
        t = batches_t
        with self._read() as conn:
            return reads.frame(
                conn, sa.select(*[t.c[c] for c in BATCH_COLUMNS]).order_by(t.c.id), BATCH_COLUMNS
            )

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
        and raises :class:`StoreError`. The rows go in through the driver's bulk path
        (:mod:`.writes`).
        """
        self._refuse_if_readonly()
        rows = report_rows.prepare(frame, source_file)
        n = len(rows)
        at = imported_at or now()
        with self._write() as conn:
            existing = existing_batch(conn, REPORTS_KIND, sha256)
            if existing is not None:
                return ImportResult(int(existing), 0, n, True, 0, source_file, REPORTS_KIND)
            rows["series_id"] = keys.series_ids(conn, rows["org"].tolist(), rows["measure"].tolist())
            rows["month"] = keys.month_codes(rows["month"].to_numpy())
            months = sorted(int(m) for m in pd.unique(rows["month"]) if m >= 0)
            old_pages = {pg.month: pg for pg in pages.read(conn, months=months)}
            prev = pages.previous(old_pages.values())
            add, revision, unchanged, revised = report_rows.compare(rows, prev)
            new = rows[add]
            batch_id = new_batch(
                conn,
                kind=REPORTS_KIND,
                source_file=source_file,
                sha256=sha256,
                who=who,
                at=at,
                note=note,
                added=len(new),
                unchanged=unchanged,
            )
            values = [None if v != v else v for v in new["value"].tolist()]  # NaN: refused by NOT NULL
            revisions = revision[add]
            writes.insert_columns(
                conn,
                reports_t,
                {
                    "series_id": new["series_id"].tolist(),
                    "month": [None if m < 0 else m for m in new["month"].tolist()],  # refused by NOT NULL
                    "value": values,
                    "unit": writes.column_values(new["unit"]),
                    "note": writes.column_values(new["note"]),
                    "revision": writes.column_values(revisions),
                    "batch_id": batch_id,
                },
                len(new),
            )
            pages.update(conn, old_pages, new.assign(revision=revisions), batch_id)
        return ImportResult(batch_id, len(new), unchanged, False, revised, source_file, REPORTS_KIND)

    def reports(
        self,
        years: tuple[int, int] | None = None,
        *,
        months: list[str] | None = None,
        figures_only: bool = False,
    ) -> pd.DataFrame:
        """The latest revision of every org × measure × month (of the ``years`` range, inclusive, or
        of the ``months`` given), ordered by measure, org, month.

        Columns ``org, measure, month ('YYYY-MM'), value [measure unit, year-to-date], unit,
        note, revision, batch_id, source_file, imported_at, imported_by``; with ``figures_only``
        only ``org, measure, month, value, note``, the first three as categoricals (see
        :func:`kejifu.store.reads.latest_reports`).
        """
        with self._read() as conn:
            return reads.latest_reports(conn, years=years, months=months, figures_only=figures_only)

    def history(self, org: str | None = None, measure: str | None = None) -> pd.DataFrame:
        """Every stored revision (of one org and/or measure), ordered by org, measure, month, revision:
        columns ``id, org, measure, month ('YYYY-MM'), value, unit, note, revision, batch_id,
        source_file, imported_at, imported_by, sha256`` (the file, time, person and sha256 of the
        row's batch)."""
        t = keys.report_rows()
        stmt = sa.select(*[t.c[c] for c in HISTORY_COLUMNS])
        if org is not None:
            stmt = stmt.where(t.c.org == org)
        if measure is not None:
            stmt = stmt.where(t.c.measure == measure)
        stmt = stmt.order_by(t.c.org, t.c.measure, t.c.month, t.c.revision)
        with self._read() as conn:
            df = reads.frame(conn, stmt, HISTORY_COLUMNS)
        df["value"] = df["value"].astype(float)
        df["month"] = pd.Series(keys.month_texts(df["month"].to_numpy(dtype="int64")), dtype=object)
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
        self._refuse_if_readonly()
        records = register_items.prepare(frame, kind, source_file)
        at = imported_at or now()
        with self._write() as conn:
            return register_items.commit(
                conn, records, kind=kind, source_file=source_file, sha256=sha256, who=who, note=note, at=at
            )

    def register_items(self, kind: str | None = None, *, include_withdrawn: bool = False) -> pd.DataFrame:
        """The latest revision of every register item (withdrawn ones left out).

        Columns ``kind, item_key, org, date (datetime64), title, withdrawn, revision, batch_id,
        source_file, imported_at, imported_by`` and one column per attribute (``village``,
        ``serial``, ``applicant``, ``level``, ``outside`` …).
        """
        with self._read() as conn:
            return register_items.latest(conn, kind, include_withdrawn=include_withdrawn)

    def item_history(self, kind: str | None = None) -> pd.DataFrame:
        """Every stored revision of register items, ordered by kind, item_key, revision."""
        with self._read() as conn:
            return register_items.history(conn, kind)
