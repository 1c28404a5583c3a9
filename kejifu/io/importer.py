"""Importing report files into a workspace store: read + validate + commit, file by file.

**A file is imported whole or not at all**: every row is checked first, every problem
collected, and only a file without errors is committed — through
``store.commit_reports(frame, source_file=..., sha256=..., who=...)`` with the sha256 of
the file's bytes, so that importing the same file twice adds nothing. Several files
are independent units: one refused file does not stop the others.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import KejifuError, Problem, ReportImportError, StoreError
from ..plan import Plan
from ..store import sha256_text
from . import reading
from .reading import read_table
from .validate import Checked, validate_table

#: More files than this show a progress bar on stderr.
PROGRESS_AFTER = 3


def default_who() -> str:
    """Who imports: ``$KEJIFU_USER``, ``$USER``/``$USERNAME``, else the login name."""
    for var in ("KEJIFU_USER", "USER", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


#: Hex sha256 of a file's bytes (the store's duplicate-file key).
sha256_of = sha256_text


@dataclass
class FileOutcome:
    """What happened to one file: refused (``ok`` false, ``problems`` has errors) or committed."""

    file: str
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # clean rows in the file
    sha256: str = ""
    result: Any = None  # the store's ImportResult

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]


def check_file(
    path: str | Path, plan: Plan, existing: pd.DataFrame | None = None, *, name: str | None = None
) -> tuple[Checked, str]:
    """Read and validate one file without touching any store: ``(checked, sha256)``.

    Raises :class:`ReportImportError` only when no table can be read at all (empty,
    unreadable, no header, no data rows); row problems are in ``checked.problems``.
    """
    path = Path(path)
    file = name or str(path)
    try:
        if path.stat().st_size > reading.MAX_BYTES:
            read_table(path, name=file)  # refuses a too large file before reading its bytes
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportImportError("找不到文件", "file not found", file=file) from None
    except OSError as exc:
        raise ReportImportError(
            f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", file=file
        ) from None
    table = read_table(path, data=data, name=file)
    return validate_table(table, plan, existing), sha256_of(data)


def import_file(
    store,
    path: str | Path,
    *,
    who: str | None = None,
    name: str | None = None,
    plan: Plan | None = None,
    existing: pd.DataFrame | None = None,
) -> FileOutcome:
    """Validate ``path`` against the store's plan and reports and commit it if it has no errors.

    Never raises for a bad file: a refused file comes back with ``ok=False`` and every problem.
    """
    file = name or str(path)
    plan = plan if plan is not None else store.plan()
    existing = existing if existing is not None else store.reports()
    try:
        checked, digest = check_file(path, plan, existing, name=file)
    except ReportImportError as exc:
        return FileOutcome(file, False, list(exc.problems))
    if not checked.ok:
        return FileOutcome(
            file, False, checked.errors + checked.warnings, rows=len(checked.frame), sha256=digest
        )
    try:
        result = store.commit_reports(
            checked.reports(), source_file=file, sha256=digest, who=who or default_who()
        )
    except (StoreError, ReportImportError) as exc:
        return FileOutcome(
            file, False, list(exc.problems) + checked.warnings, rows=len(checked.frame), sha256=digest
        )
    return FileOutcome(file, True, checked.warnings, rows=len(checked.frame), sha256=digest, result=result)


def import_files(
    store, paths: Iterable[str | Path], *, who: str | None = None, progress: bool | None = None
) -> list[FileOutcome]:
    """Import several files, each all-or-nothing, in order; a progress bar on stderr for more
    than :data:`PROGRESS_AFTER` files (``progress`` forces it on or off)."""
    paths = list(paths)
    if progress is None:
        progress = len(paths) > PROGRESS_AFTER
    iterator: Iterable = paths
    if progress:
        from tqdm import tqdm

        iterator = tqdm(paths, file=sys.stderr, unit="file", desc="导入 / import")
    outcomes = []
    for path in iterator:
        # the plan and the reports are read per file: an earlier file may have added months
        outcomes.append(import_file(store, path, who=who))
    return outcomes


def import_or_raise(store, path: str | Path, *, who: str | None = None) -> FileOutcome:
    """Like :func:`import_file` but raise :class:`ReportImportError` for a refused file."""
    outcome = import_file(store, path, who=who)
    if not outcome.ok:
        raise ReportImportError(problems=outcome.problems)
    return outcome


__all__ = [
    "FileOutcome",
    "check_file",
    "default_who",
    "import_file",
    "import_files",
    "import_or_raise",
    "sha256_of",
    "KejifuError",
]
