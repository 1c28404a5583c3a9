"""Named exceptions for kejifu, each carrying the file, row and field it concerns.

Every message is bilingual: Chinese first, English second.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem: ``file:row: field: 中文 / English``.

    ``row`` is the 1-based line in the file (or a YAML path such as
    ``targets[3].stretch`` for plan files); ``level`` is ``error`` or ``warning``.
    """

    zh: str
    en: str
    file: str | None = None
    row: int | str | None = None
    field: str | None = None
    level: str = "error"

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None and self.row != "":
            parts.append(str(self.row))
        loc = ":".join(parts)
        if self.field:
            loc = f"{loc}: {self.field}" if loc else str(self.field)
        return loc

    def __str__(self) -> str:
        loc = self.location()
        text = f"{self.zh} / {self.en}"
        return f"{loc}: {text}" if loc else text


class KejifuError(Exception):
    """Base of every domain error. Carries one or more :class:`Problem`."""

    def __init__(
        self,
        zh: str | None = None,
        en: str | None = None,
        *,
        file: str | None = None,
        row: int | str | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            problems = [Problem(zh or "", en or "", file=file, row=row, field=field)]
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("", "")
        self.zh, self.en = first.zh, first.en
        self.file, self.row, self.field = first.file, first.row, first.field
        super().__init__("\n".join(str(p) for p in self.problems))


class PlanError(KejifuError):
    """A plan file that cannot be read or does not validate."""


class UnitError(KejifuError, ValueError):
    """A value or unit that cannot be parsed or converted."""


class ScheduleError(KejifuError, ValueError):
    """A schedule that is unknown or malformed."""


class ReportImportError(KejifuError):
    """A report file refused whole; ``problems`` lists every located problem."""


class StoreError(KejifuError):
    """The workspace store is missing, read-only or inconsistent."""


class UsageError(KejifuError):
    """The command line was used wrongly (exit code 2)."""
