"""Importing report files into a workspace store: read + validate + commit, file by file.

**A file is imported whole or not at all**: every row is checked first, every problem
collected, and only a file without errors is committed — through
``store.commit_reports(frame, source_file=..., sha256=..., who=...)`` with the sha256 of
the file's bytes, so that importing the same file twice adds nothing. Several files
are independent units: one refused file does not stop the others, and *anything* that goes
wrong with one file (even an error no check foresaw) is that file's refusal with a message,
never a traceback. A thousand problems of one kind are shown as a few and a count.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import KejifuError, Problem, ReportImportError, StoreError
from ..i18n import t
from ..plan import Plan
from ..store import reads, sha256_text
from . import reading
from .reading import read_table
from .validate import Checked, validate_table

#: More files than this show a progress bar on stderr.
PROGRESS_AFTER = 3
#: Of each kind of problem in one file, this many are listed; the rest are counted in one line.
KEEP_PER_KIND = 20

_VARYING = re.compile(r"“[^”]*”|'[^']*'|\d+(?:\.\d+)?")


def problem_kind(p: Problem) -> tuple[str, str]:
    """What kind of problem ``p`` is: its level and its English text with quoted names and
    numbers taken out (``unknown org 'x'`` and ``unknown org 'y'`` are one kind)."""
    return p.level, _VARYING.sub("…", p.en)


def collapse(problems: list[Problem], keep: int | None = None) -> list[Problem]:
    """``problems`` with at most ``keep`` (default :data:`KEEP_PER_KIND`) of each kind, the
    rest replaced by one line 「另有N处同类提示」 at the place of the last one kept."""
    keep = KEEP_PER_KIND if keep is None else keep
    counts: dict[tuple[str, str], int] = {}
    for p in problems:
        k = problem_kind(p)
        counts[k] = counts.get(k, 0) + 1
    out, shown = [], {}
    for p in problems:
        k = problem_kind(p)
        n = shown.get(k, 0)
        shown[k] = n + 1
        if n < keep:
            out.append(p)
        elif n == keep:
            more = counts[k] - keep
            fmt = {"n": more, "text": p.en if len(p.en) < 80 else p.en[:80] + "…"}
            out.append(
                Problem(
                    t("io.read.more_of_kind", "zh", n=more, text=p.zh if len(p.zh) < 60 else p.zh[:60] + "…"),
                    t("io.read.more_of_kind", "en", **fmt),
                    file=p.file,
                    level=p.level,
                )
            )
    return out


def unexpected(file: str, exc: BaseException) -> Problem:
    """An error no check foresaw, as one located problem (the exception's type and message,
    never a traceback)."""
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    detail = detail if len(detail) <= 200 else detail[:200] + "…"
    return Problem(
        t("io.import.unexpected", "zh", detail=detail),
        t("io.import.unexpected", "en", detail=detail),
        file=file,
    )


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
    data = reading.read_bytes(path, name=file)  # refuses a too large file before reading it
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
    try:
        outcome = _import_file(store, path, file, who, plan, existing)
    except KejifuError as exc:
        outcome = FileOutcome(file, False, list(exc.problems))
    except Exception as exc:  # noqa: BLE001 - one file's refusal, never a crash
        outcome = FileOutcome(file, False, [unexpected(file, exc)])
    outcome.problems = collapse(outcome.problems)
    return outcome


#: A file naming at most this many orgs is checked against the stored figures of its own orgs and
#: measures only (a town's month against a province workspace reads a few hundred rows, not ~860k).
FILTER_ORGS = 500


def stored_figures(store, plan: Plan, frame: pd.DataFrame) -> pd.DataFrame:
    """The stored figures of the plan year that the checks of the clean rows ``frame`` read: those of
    its orgs and measures, plus the latest month of the orgs that decide which month is far ahead
    (:func:`kejifu.store.reads.latest_months`; measure ``""``); every figure for a file of more than
    :data:`FILTER_ORGS` orgs or a store without an engine. The checks give the same findings."""
    first, last = f"{plan.year:04d}-01", f"{plan.year:04d}-12"
    orgs = pd.unique(frame["org"]) if len(frame) else []
    engine = getattr(store, "engine", None)
    if engine is None or len(orgs) > FILTER_ORGS or not len(frame):
        return store.reports(years=(plan.year, plan.year), figures_only=True)
    with engine.connect() as conn, conn.begin():
        own = reads.latest_reports(
            conn,
            years=(plan.year, plan.year),
            orgs=list(orgs),
            measures=list(pd.unique(frame["measure"])),
            figures_only=True,
        )
        tops = reads.latest_months(conn, first, last)
    if not tops:
        return own
    top = pd.DataFrame({"org": [o for o, _ in tops], "measure": "", "month": [m for _, m in tops]})
    top["value"], top["note"] = np.nan, ""
    return pd.concat([own.astype({c: object for c in ("org", "measure", "month")}), top], ignore_index=True)


def _import_file(store, path, file: str, who, plan: Plan | None, existing) -> FileOutcome:
    plan = plan if plan is not None else store.plan()
    if existing is None:  # the checks against stored figures look at the plan year only
        existing = lambda frame: stored_figures(store, plan, frame)  # noqa: E731 - read after validation
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
    store,
    paths: Iterable[str | Path],
    *,
    who: str | None = None,
    progress: bool | None = None,
    on_outcome: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Import several files, each all-or-nothing, in order; every file is tried whatever
    happened to the ones before it. ``on_outcome`` is called with each file's outcome as soon
    as that file is done (the CLI prints it then); a progress bar on stderr for more than
    :data:`PROGRESS_AFTER` files (``progress`` forces it on or off; a caller printing while the
    bar runs prints through ``tqdm.write``)."""
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
        outcome = import_file(store, path, who=who)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
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
    "collapse",
    "default_who",
    "import_file",
    "import_files",
    "import_or_raise",
    "sha256_of",
    "KejifuError",
]
