"""PostgreSQL for the store tests: a throw-away server, a fresh database per test, the ``backend`` fixture.

Use in a test module::

    from tests.pg import backend, db_url, pg_server  # noqa: F401  (pytest fixtures)

    def test_something(db_url):      # runs twice: sqlite (db_url None) and postgresql (a fresh database)
        Store.create(tmp_path / "ws", plan_file, url=db_url)

``db_url`` also sets ``KEJIFU_DB_URL`` for the postgresql run (and removes it for the
sqlite run), so ``Store.open``, ``open_workspace`` and ``python -m kejifu`` subprocesses
find the same database.

Which server:

* ``KEJIFU_TEST_POSTGRES_URL`` (or a ``postgresql…`` ``KEJIFU_DB_URL`` in the environment
  that started pytest): a server where the URL's user may ``CREATE DATABASE``;
* else, when the PostgreSQL binaries are installed, ``scripts/postgres.sh start --fast``
  starts one on 127.0.0.1 for the session (stopped at the end);
* else the postgresql runs are **skipped** on a developer machine and **fail** with the
  reason when ``CI=true`` (or ``KEJIFU_TEST_POSTGRES=1``), so CI can never pass without them.

Deselect them with ``-m "not postgres"``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "postgres.sh"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# Read once at import, before any test's monkeypatch removes KEJIFU_DB_URL.
_ENV_URL = os.environ.get("KEJIFU_TEST_POSTGRES_URL") or (
    os.environ.get("KEJIFU_DB_URL", "")
    if os.environ.get("KEJIFU_DB_URL", "").startswith("postgresql")
    else ""
)
_counter = itertools.count(1)


def postgres_required() -> bool:
    """True on CI (``CI=true``) or when asked (``KEJIFU_TEST_POSTGRES=1``): missing PostgreSQL is a
    failure."""
    return (
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
        or os.environ.get("KEJIFU_TEST_POSTGRES", "") == "1"
    )


def pg_binaries() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl`` (``$PG_BIN``, Debian's ``/usr/lib/postgresql/*/bin``,
    PATH)."""
    if os.environ.get("PG_BIN"):
        given = Path(os.environ["PG_BIN"])
        return given if (given / "pg_ctl").exists() else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: [int(x) if x.isdigit() else x for x in p.split("/")],
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def unavailable(reason: str):
    """Skip (developer machine) or fail (CI) a postgresql run that cannot get a server."""
    if postgres_required():
        pytest.fail(
            "PostgreSQL测试必须运行 / the PostgreSQL tests must run here "
            f"(CI=true or KEJIFU_TEST_POSTGRES=1): "
            f"{reason}",
            pytrace=False,
        )
    pytest.skip(f"no PostgreSQL: {reason} (install postgresql or set KEJIFU_TEST_POSTGRES_URL)")


class PgServer:
    """A PostgreSQL server reachable at ``admin_url``; hands out fresh databases."""

    def __init__(self, admin_url: str, *, started_in: Path | None = None) -> None:
        self.admin_url = sa.make_url(admin_url)
        self.started_in = started_in
        self.engine = sa.create_engine(
            self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        self.prefix = f"kejifu_test_{os.getpid()}_"

    def url(self, database: str) -> str:
        """The URL of ``database`` on this server (password kept)."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"{self.prefix}{next(_counter)}"
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = sa.make_url(url).database
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self.engine.dispose()
        if self.started_in is not None:
            subprocess.run(
                ["bash", str(SCRIPT), "stop", str(self.started_in)], capture_output=True, text=True
            )


def start_server(base: Path) -> PgServer:
    """Start a throw-away server with ``scripts/postgres.sh start --fast`` in ``base``."""
    if pg_binaries() is None:
        unavailable("找不到PostgreSQL程序 / the PostgreSQL binaries (initdb, pg_ctl) are not installed")
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base.parent, 0o755)  # the server user must reach its data folder
    run = subprocess.run(
        ["bash", str(SCRIPT), "start", "--fast", str(base)], capture_output=True, text=True, timeout=120
    )
    if run.returncode != 0:
        unavailable(f"scripts/postgres.sh start failed: {run.stderr.strip()[-800:]}")
    return PgServer(run.stdout.strip().splitlines()[-1], started_in=base)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The session's PostgreSQL server (see the module docstring for where it comes from)."""
    if _ENV_URL:
        server = PgServer(_ENV_URL)
        try:
            with server.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except sa.exc.SQLAlchemyError as exc:
            unavailable(f"cannot connect to {server.admin_url.render_as_string()}: {exc}")
    else:
        if pg_binaries() is None:
            unavailable("找不到PostgreSQL程序 / the PostgreSQL binaries (initdb, pg_ctl) are not installed")
        # not under pytest's tmp folders: those are 0700 and owned by root, the server runs as "postgres"
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="kejifu-pg-"))
        try:
            server = start_server(base / "cluster")
        except BaseException:  # skipped, failed or interrupted: leave no folder behind
            shutil.rmtree(base, ignore_errors=True)
            raise
    yield server
    server.stop()
    if server.started_in is not None:
        shutil.rmtree(server.started_in.parent, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """``sqlite`` or ``postgresql``: each test using it runs once per back-end."""
    return request.param


@pytest.fixture
def db_url(backend, request, monkeypatch):
    """None for SQLite (the workspace's own file), else the URL of a fresh PostgreSQL database.

    Sets (postgresql) or removes (sqlite) ``KEJIFU_DB_URL`` for the test.
    """
    monkeypatch.delenv("KEJIFU_WORKSPACE", raising=False)
    if backend == "sqlite":
        monkeypatch.delenv("KEJIFU_DB_URL", raising=False)
        yield None
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database()
    monkeypatch.setenv("KEJIFU_DB_URL", url)
    try:
        yield url
    finally:
        server.drop_database(url)


def raw_sql(url: str, *statements: str) -> None:
    """Run ``statements`` on the store at ``url`` behind the store's back (to corrupt a copy in tests):
    foreign keys are not enforced (SQLite: a plain connection; PostgreSQL: replica role)."""
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        import sqlite3

        con = sqlite3.connect(u.database)
        try:
            for s in statements:
                con.execute(s)
            con.commit()
        finally:
            con.close()
        return
    engine = sa.create_engine(u, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for s in statements:
                conn.exec_driver_sql(s)
    finally:
        engine.dispose()
