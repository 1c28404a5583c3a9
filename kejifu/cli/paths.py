"""Path arguments of the ``kejifu`` sub-commands, checked before anything runs.

One helper per kind of argument; each returns the resolved :class:`~pathlib.Path` or raises
:class:`~kejifu.errors.UsageError` (exit 2) with a bilingual message naming the argument:

- :func:`workspace` — a workspace folder that must not be a file (a missing one is left to the
  store, which says "not a kejifu workspace");
- :func:`new_folder` — a folder to create (``init DIR``, ``restore FILE DIR``): not a file, and
  its nearest existing parent writable;
- :func:`input_file` — a file to read: it exists and is not a folder;
- :func:`output_folder` — a folder to write into (``report --out``): not a file; created and
  probed for writing;
- :func:`output_file` — a file to write (``dump FILE``, ``--json FILE``, ``export --out``,
  ``template --out``): not a folder, its folder exists and is writable, and an existing file is
  refused unless ``force``; ``suffixes`` are the endings it may have (never silently changed);
- :func:`database` — a database URL other than SQLite must answer, else "unreachable".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import KejifuError, StoreError, UsageError
from ..i18n import t


def _misuse(key: str, field: str | None, **fmt) -> UsageError:
    return UsageError(t(key, "zh", **fmt), t(key, "en", **fmt), field=field)


def _probe(folder: Path, field: str | None) -> None:
    """Refuse ``folder`` unless a file can be created in it."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise _misuse("cli.path.not_writable", field, path=folder, reason=exc.strerror or exc) from None


def _nearest_existing(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists():
            return parent
    return Path(path.anchor or ".")


def workspace(path: str | os.PathLike, field: str | None = "DIR") -> Path:
    """A workspace folder argument: refused when it names a file."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise _misuse("cli.path.not_dir", field, path=p)
    return p


def new_folder(path: str | os.PathLike, field: str | None = "DIR") -> Path:
    """A folder the command will create or fill: not a file, and a writable parent."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise _misuse("cli.path.not_dir", field, path=p)
    base = _nearest_existing(p.resolve())
    if not base.is_dir():
        raise _misuse("cli.path.not_dir", field, path=base)
    _probe(base, field)
    return p


def input_file(path: str | os.PathLike, field: str | None = "FILE") -> Path:
    """A file the command reads: it exists and is not a folder."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise _misuse("cli.path.is_dir", field, path=p)
    if not p.is_file():
        raise _misuse("cli.path.missing", field, path=p)
    return p


def output_folder(path: str | os.PathLike, field: str | None = "--out") -> Path:
    """A folder the command writes files into: created when missing, refused when a file or unwritable."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise _misuse("cli.path.file_not_dir", field, path=p)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _misuse("cli.path.not_writable", field, path=p, reason=exc.strerror or exc) from None
    _probe(p, field)
    return p


def output_file(
    path: str | os.PathLike,
    field: str | None = "--out",
    *,
    force: bool = False,
    suffixes: tuple[str, ...] = (),
) -> Path:
    """A file the command writes: not a folder, its folder exists and is writable, an existing
    file only with ``force``, and (when given) one of ``suffixes`` — a name is never changed."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise _misuse("cli.path.is_dir", field, path=p)
    if suffixes and p.suffix.lower() not in suffixes:
        raise _misuse("cli.path.suffix", field, path=p, suffixes=" ".join(suffixes))
    if p.exists() and not force:
        raise _misuse("cli.path.exists", field, path=p)
    folder = p.resolve().parent
    if not folder.is_dir():
        raise _misuse("cli.path.no_folder", field, path=folder)
    _probe(folder, field)
    return p


def database(url: str | None) -> None:
    """Refuse with "the database is unreachable" when ``url`` (or ``KEJIFU_DB_URL``) names a
    server that does not answer; SQLite files are left to the store."""
    url = url or os.environ.get("KEJIFU_DB_URL")
    if not url:
        return
    import sqlalchemy as sa

    try:
        u = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(
            t("cli.db.bad_url", "zh"), t("cli.db.bad_url", "en"), field="KEJIFU_DB_URL"
        ) from None
    if u.get_backend_name() == "sqlite":
        return
    shown = u.render_as_string(hide_password=True)
    args = {"connect_timeout": 5} if u.get_backend_name() == "postgresql" else {}
    try:
        # the driver's own connect: one round trip, without the dialect's first-connect queries
        # (the store's engine makes those again)
        engine = sa.create_engine(u, poolclass=sa.pool.NullPool)
        cargs, cparams = engine.dialect.create_connect_args(u)
        engine.dialect.loaded_dbapi.connect(*cargs, **{**cparams, **args}).close()
    except KejifuError:
        raise
    except Exception as exc:  # noqa: BLE001 - a driver's own error, or a missing driver
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        reason = reason[0] if reason else type(exc).__name__
        raise StoreError(
            t("cli.db.unreachable", "zh", url=shown, reason=reason),
            t("cli.db.unreachable", "en", url=shown, reason=reason),
            field="KEJIFU_DB_URL",
        ) from None
