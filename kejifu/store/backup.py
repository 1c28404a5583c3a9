"""Portable backups of a workspace: ``kejifu dump DIR FILE`` and ``kejifu restore FILE DIR``.

A dump is one zip file:

* ``manifest.json`` — format and version, where it came from, and for every table its
  columns (portable type names), primary key, row count and the sha256 of its member;
* ``plan.yaml`` — the workspace's plan file (its sha256 is in the manifest too);
* ``tables/<table>.jsonl`` — one JSON object per row, ordered by primary key.

Every table of the database is dumped — the tables are *discovered* (reflected), not
listed here, so the deputy tables and any table added later travel too. The dump is
read in one transaction (one consistent snapshot while imports go on). Values that JSON
cannot hold are tagged: ``{"$datetime": iso}``, ``{"$date": iso}``, ``{"$time": iso}``,
``{"$decimal": "…"}``, ``{"$float": "nan"}``, ``{"$bytes": base64}``.

A restore checks every member's sha256 first, refuses to overwrite an existing
workspace (a ``plan.yaml`` or SQLite file in the folder, or any of the dumped tables in
the target database), creates the tables (the package's own definitions when the columns
match, else from the manifest), inserts every row, resets PostgreSQL sequences, and
commits all of it in one transaction — a restore lands whole or not at all. Dumps move
between back-ends: a SQLite dump restores into PostgreSQL and back. A dump of a store written by
an older kejifu (schema 1) is upgraded in that same transaction (:mod:`.migrate`).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import importlib
import json
import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from .. import __version__, config
from ..errors import StoreError
from ..i18n import t
from . import migrate
from .dumpcheck import FORMAT, FORMAT_VERSION, MANIFEST, check_dump, decode, read_rows
from .revisions import Store

PLAN_MEMBER = "plan.yaml"
CHUNK = 1000
#: Modules whose ``metadata`` defines tables a restore should create from the package's own definitions.
METADATA_MODULES = ("kejifu.store", "kejifu.deputies.store")

_TYPES = {
    "Integer": sa.Integer,
    "SmallInteger": sa.SmallInteger,
    "BigInteger": sa.BigInteger,
    "Boolean": sa.Boolean,
    "Date": sa.Date,
    "DateTime": sa.DateTime,
    "Time": sa.Time,
    "Double": sa.Double,
    "Float": sa.Float,
    "Numeric": sa.Numeric,
    "String": sa.String,
    "Text": sa.Text,
    "Unicode": sa.Unicode,
    "UnicodeText": sa.UnicodeText,
    "LargeBinary": sa.LargeBinary,
    "JSON": sa.JSON,
    "Uuid": sa.Uuid,
    "Interval": sa.Interval,
}


@dataclass
class DumpResult:
    """What :func:`dump` wrote: the file, rows per table and the manifest."""

    file: Path
    tables: dict[str, int]
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class RestoreResult:
    """What :func:`restore` created: the workspace, rows per table and its integrity report."""

    workspace: Path
    url: str
    tables: dict[str, int]
    report: object = None  # kejifu.store.integrity.IntegrityReport
    manifest: dict = field(default_factory=dict)
    upgraded: migrate.Upgrade | None = None  # a schema 1 dump: what the upgrade kept

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# ----- values ----------------------------------------------------------------------------------


def encode_value(v):
    """A database value as a JSON value (tagged when JSON has no such type)."""
    if v is None or isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"$float": repr(v)}
    if isinstance(v, dt.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$time": v.isoformat()}
    if isinstance(v, decimal.Decimal):
        return {"$decimal": str(v)}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, dt.timedelta):
        return {"$seconds": v.total_seconds()}
    if isinstance(v, (dict, list)):
        return {"$json": v}
    return str(v)


def decode_value(v):
    """The inverse of :func:`encode_value` (see :func:`kejifu.store.dumpcheck.decode`)."""
    return decode(v)


def _portable_type(typ: sa.types.TypeEngine) -> dict:
    try:
        g = typ.as_generic()
    except NotImplementedError:
        g = sa.Text()
    name = type(g).__name__
    if name not in _TYPES:
        name = "Text"
    out = {"type": name}
    if getattr(g, "length", None):
        out["length"] = g.length
    return out


def _column_from(desc: dict) -> sa.Column:
    cls = _TYPES.get(desc["type"], sa.Text)
    typ = cls(desc["length"]) if desc.get("length") and cls in (sa.String, sa.Unicode) else cls()
    return sa.Column(
        desc["name"],
        typ,
        primary_key=desc.get("primary_key", False),
        nullable=desc.get("nullable", True),
        autoincrement=False,
    )


# ----- reading tables ----------------------------------------------------------------------------


def reflect(conn: sa.Connection) -> list[sa.Table]:
    """Every table of the database's default schema, parents before children (foreign keys)."""
    md = sa.MetaData()
    md.reflect(bind=conn)
    return [tb for tb in md.sorted_tables if not tb.name.startswith("sqlite_")]


def _ordered(tb: sa.Table):
    keys = list(tb.primary_key.columns) or list(tb.columns)
    return sa.select(tb).order_by(*keys)


def table_rows(conn: sa.Connection, tb: sa.Table) -> Iterator[dict]:
    """The rows of ``tb`` as ``{column: value}``, ordered by primary key."""
    result = conn.execution_options(yield_per=CHUNK).execute(_ordered(tb))
    for row in result.mappings():
        yield dict(row)


def read_tables(engine: sa.Engine) -> dict[str, list[dict]]:
    """Every table and its rows (ordered by primary key), values as :func:`encode_value` gives them.

    For comparing two stores row for row (tests, checks after a restore).
    """
    with engine.connect() as conn:
        with conn.begin():
            return {
                tb.name: [{k: encode_value(v) for k, v in r.items()} for r in table_rows(conn, tb)]
                for tb in reflect(conn)
            }


# ----- dump --------------------------------------------------------------------------------------


def _snapshot(engine: sa.Engine) -> sa.Connection:
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def dump(
    workspace: str | Path | None, file: str | Path, *, url: str | None = None, overwrite: bool = False
) -> DumpResult:
    """Write a portable dump of the workspace's store (every table) and plan file to ``file`` (zip).

    The zip is written next to ``file`` and renamed into place, so ``file`` is either the
    complete dump or untouched. An existing ``file`` is refused unless ``overwrite``.
    """
    file = Path(file).expanduser().resolve()
    if file.exists() and not overwrite:
        raise StoreError(
            t("rel.dump.exists", "zh", file=file), t("rel.dump.exists", "en", file=file), file=str(file)
        )
    store = Store.open(workspace, readonly=True, url=url)
    tables: dict[str, int] = {}
    entries = []
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".part", dir=file.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with _snapshot(store.engine) as conn, conn.begin():
                for tb in reflect(conn):
                    member = f"tables/{tb.name}.jsonl"
                    h, n = hashlib.sha256(), 0
                    info = zipfile.ZipInfo(member, date_time=dt.datetime.now().timetuple()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(info, "w", force_zip64=True) as out:
                        for row in table_rows(conn, tb):
                            line = (
                                json.dumps(
                                    {k: encode_value(v) for k, v in row.items()},
                                    ensure_ascii=False,
                                    separators=(",", ":"),
                                )
                                + "\n"
                            ).encode("utf-8")
                            h.update(line)
                            out.write(line)
                            n += 1
                    tables[tb.name] = n
                    pk = [c.name for c in tb.primary_key.columns]
                    entries.append(
                        {
                            "name": tb.name,
                            "file": member,
                            "rows": n,
                            "sha256": h.hexdigest(),
                            "primary_key": pk,
                            "columns": [
                                {
                                    "name": c.name,
                                    **_portable_type(c.type),
                                    "nullable": bool(c.nullable),
                                    "primary_key": c.name in pk,
                                }
                                for c in tb.columns
                            ],
                        }
                    )
                plan_text = (
                    conn.execute(sa.text("SELECT yaml FROM plan_versions ORDER BY version DESC"))
                    .scalars()
                    .first()
                )
                meta = dict(conn.execute(sa.text("SELECT key, value FROM meta")).all())
            plan_path = store.workspace / config.PLAN_FILE
            plan_bytes = plan_path.read_bytes() if plan_path.is_file() else (plan_text or "").encode("utf-8")
            zf.writestr(PLAN_MEMBER, plan_bytes)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "kejifu_version": __version__,
                "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                "source": {
                    "backend": store.engine.dialect.name,
                    "workspace": str(store.workspace),
                    "url": store.engine.url.render_as_string(hide_password=True),
                },
                "schema_version": meta.get("schema_version"),
                "plan_id": meta.get("plan_id"),
                "plan": {"file": PLAN_MEMBER, "sha256": hashlib.sha256(plan_bytes).hexdigest()},
                "tables": entries,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        store.close()
    return DumpResult(file, tables, manifest)


# ----- restore -----------------------------------------------------------------------------------


def read_manifest(file: str | Path) -> dict:
    """The manifest of a dump, its structure checked; :class:`StoreError` when ``file`` is not a
    kejifu dump or its manifest is malformed (see :mod:`kejifu.store.dumpcheck`)."""
    return check_dump(Path(file), rows=False)


def verify_dump(file: str | Path) -> dict:
    """Check all of a dump (manifest, every member's sha256, every row's columns, types and JSON)
    before anything is written; returns the manifest."""
    return check_dump(Path(file))


def _package_tables() -> dict[str, sa.Table]:
    out: dict[str, sa.Table] = {}
    for name in METADATA_MODULES:
        try:
            md = importlib.import_module(name).metadata
        except (ImportError, AttributeError):  # pragma: no cover - a module left out of a build
            continue
        out.update(md.tables)
    return out


def _target_metadata(manifest: dict) -> sa.MetaData:
    """Tables to create: the package's definition when its columns are the dump's, else the manifest's."""
    own = _package_tables()
    md = sa.MetaData()
    for entry in manifest["tables"]:
        names = [c["name"] for c in entry["columns"]]
        mine = own.get(entry["name"])
        if mine is not None and [c.name for c in mine.columns] == names:
            mine.to_metadata(md)
        else:
            sa.Table(entry["name"], md, *[_column_from(c) for c in entry["columns"]])
    # a table of the package referring to one not in the dump cannot keep that foreign key
    for tb in md.tables.values():
        for fk in list(tb.foreign_key_constraints):
            if fk.referred_table.name not in md.tables:  # pragma: no cover - defensive
                tb.constraints.discard(fk)
    return md


def _refuse_existing(ws: Path, url: str, engine: sa.Engine, manifest: dict) -> None:
    u = sa.make_url(url)
    sqlite_file = (
        u.database if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None
    )
    if (ws / config.PLAN_FILE).exists() or (sqlite_file and Path(sqlite_file).exists()):
        raise StoreError(
            t("rel.restore.exists", "zh", dir=ws), t("rel.restore.exists", "en", dir=ws), file=str(ws)
        )
    if sqlite_file is None:
        present = set(sa.inspect(engine).get_table_names())
        clash = sorted(present & {e["name"] for e in manifest["tables"]})
        if clash:
            names = ", ".join(clash)
            raise StoreError(
                t("rel.restore.db_not_empty", "zh", tables=names),
                t("rel.restore.db_not_empty", "en", tables=names),
                file=str(ws),
            )


def _reset_sequences(conn: sa.Connection, md: sa.MetaData) -> None:
    """PostgreSQL: move each serial column's sequence past the restored ids."""
    quote = conn.dialect.identifier_preparer.quote
    for tb in md.sorted_tables:
        for col in tb.primary_key.columns:
            if isinstance(col.type, sa.Integer):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"COALESCE(MAX({quote(col.name)}), 0) + 1, false) FROM {quote(tb.name)}"
                    ),
                    {"t": quote(tb.name), "c": col.name},
                )


def restore(file: str | Path, workspace: str | Path, *, url: str | None = None) -> RestoreResult:
    """Restore the dump ``file`` into a new workspace ``workspace`` (its store at ``url``, default
    ``KEJIFU_DB_URL`` or the folder's SQLite file). All or nothing; never overwrites."""
    from .integrity import check_workspace

    file = Path(file).expanduser().resolve()
    manifest = verify_dump(file)
    ws = config.workspace_dir(workspace)
    url = url or config.db_url(ws)
    u = sa.make_url(url)
    sqlite_file = (
        u.database if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None
    )
    if (ws / config.PLAN_FILE).exists() or (sqlite_file and Path(sqlite_file).exists()):
        raise StoreError(
            t("rel.restore.exists", "zh", dir=ws), t("rel.restore.exists", "en", dir=ws), file=str(ws)
        )
    ws_existed = ws.exists()
    ws.mkdir(parents=True, exist_ok=True)
    engine = Store._engine(url, readonly=False)
    md = _target_metadata(manifest)
    counts: dict[str, int] = {}
    try:
        _refuse_existing(ws, url, engine, manifest)
        with zipfile.ZipFile(file) as zf:
            with engine.connect().execution_options(kejifu_write=True) as conn, conn.begin():
                md.create_all(conn)
                by_name = {e["name"]: e for e in manifest["tables"]}
                for tb in md.sorted_tables:
                    entry = by_name[tb.name]
                    n, chunk = 0, []
                    for row in read_rows(zf, entry["file"]):
                        chunk.append(row)
                        if len(chunk) >= CHUNK:
                            conn.execute(sa.insert(tb), chunk)
                            n, chunk = n + len(chunk), []
                    if chunk:
                        conn.execute(sa.insert(tb), chunk)
                        n += len(chunk)
                    actual = conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                    if actual != entry["rows"] or n != entry["rows"]:
                        raise StoreError(
                            t(
                                "rel.restore.bad_count",
                                "zh",
                                table=tb.name,
                                actual=actual,
                                expected=entry["rows"],
                            ),
                            t(
                                "rel.restore.bad_count",
                                "en",
                                table=tb.name,
                                actual=actual,
                                expected=entry["rows"],
                            ),
                            file=str(file),
                        )
                    counts[tb.name] = int(actual)
                upgraded = migrate.upgrade(conn, file=str(ws))  # a schema 1 dump; None when current
                if engine.dialect.name == "postgresql":
                    _reset_sequences(conn, md)
            (ws / config.PLAN_FILE).write_bytes(zf.read(manifest["plan"]["file"]))
    except BaseException as exc:
        engine.dispose()
        if sqlite_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(sqlite_file + suffix).unlink(missing_ok=True)
        if not ws_existed:
            shutil.rmtree(ws, ignore_errors=True)
        if isinstance(exc, sa.exc.SQLAlchemyError):
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise StoreError(
                f"恢复失败，已全部撤销：{reason}",
                f"restore failed and was rolled back: {reason}",
                file=str(ws),
            ) from exc
        raise
    engine.dispose()
    report = check_workspace(ws, url=url)
    return RestoreResult(
        ws, sa.make_url(url).render_as_string(hide_password=True), counts, report, manifest, upgraded
    )
