"""Validating report rows: raw rows → a clean reports frame, or every located problem.

The rules (design.md, report contract) checked for every row, each problem located
as ``file:line: field: 中文 / English`` (``field`` is the column header as written in
the file):

* the org is known (by id, Chinese or English name, or the name without 镇/乡/街道);
* the measure is reportable (a measure id, a target id, or their titles); a target
  kept in a register (``source: register``) or a share target (report its numerator
  and denominator) is refused;
* the month is ``YYYY-MM`` (also ``2005/6``, ``2005年6月``, ``200506``, ``6月``, an
  Excel date) and lies in the plan year;
* the value is a finite, non-negative number not above the plausible ceiling of its unit
  (1e12 in the unit unless the plan's ``settings.limits`` says otherwise); a unit written in
  the cell or the unit column is converted to the measure's unit (``2.5万平方米`` → 亩); a unit of another
  kind is refused; counts must be whole;
* rows repeating the same org, measure and month must agree (equal repeats are a warning);
* a share's numerator cannot exceed its denominator for the same org and month;
* a year-to-date value below an earlier month's (in the file or already stored) is a
  warning unless the row has a note; a month far ahead of every other reporter's is a
  warning naming it (these checks across rows are :mod:`kejifu.io.consistency`).

Blank value cells (an unfilled template row) are skipped with a warning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import units
from ..errors import Problem, ReportImportError, UnitError
from ..i18n import t
from ..plan import Plan
from ..planfile import DEFAULT_CEILING, ceilings
from .cells import check_date
from .consistency import EPS, decreases, duplicates, late_months, shares
from .fastrows import PLAIN_NUMBER, clean_rows
from .fastrows import blank as _blank
from .fastrows import strip_apostrophe as _strip_apostrophe
from .fastrows import text as _text
from .reading import RawTable

FRAME_COLUMNS = ["org", "measure", "month", "value", "unit", "note", "line"]


def _p(key: str, file: str, row, fld, level: str = "error", **fmt) -> Problem:
    return Problem(t(key, "zh", **fmt), t(key, "en", **fmt), file=file, row=row, field=fld, level=level)


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


@dataclass
class Checked:
    """The outcome of validating one file: the clean rows and every problem found."""

    file: str
    frame: pd.DataFrame  # FRAME_COLUMNS; value [the measure's unit]
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def reports(self) -> pd.DataFrame:
        """The reports frame to commit (``org, measure, month, value, unit, note``)."""
        return self.frame.drop(columns=["line"]).reset_index(drop=True)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ReportImportError(problems=self.errors + self.warnings)


# ----- names → ids ---------------------------------------------------------------------------


class Resolver:
    """Maps what people write in the org and measure columns to plan ids."""

    _SUFFIXES = ("街道办事处", "街道", "镇", "乡")

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.orgs: dict[str, str] = {}
        #: names written for two or more orgs: a report by such a name is refused, never guessed
        self.ambiguous: set[str] = set()
        short: dict[str, set[str]] = {}
        for o in plan.orgs:
            for name in (o.id, o.name, o.name_en):
                if name:
                    key = _norm(name)
                    if self.orgs.setdefault(key, o.id) != o.id and name != o.id:
                        self.ambiguous.add(key)
            for suf in self._SUFFIXES:
                if o.name.endswith(suf) and len(o.name) > len(suf) + 1:
                    short.setdefault(_norm(o.name[: -len(suf)]), set()).add(o.id)
        for key, ids in short.items():
            if len(ids) == 1:
                self.orgs.setdefault(key, next(iter(ids)))
        # measure names -> ("ok", id) | ("register", target id) | ("share", target id)
        self.measures: dict[str, tuple[str, str]] = {}
        reportable = plan.reportable()
        for m in plan.measures:
            for name in (m.id, m.title, m.title_en):
                if name:
                    self.measures.setdefault(_norm(name), ("ok", m.id))
        for tg in plan.targets:
            if tg.source == "register":
                entry = ("register", tg.id)
            elif tg.kind == "share":
                entry = ("share", tg.id)
            elif tg.measure is not None:
                entry = ("ok", tg.measure)
            elif tg.id in reportable:
                entry = ("ok", tg.id)
            else:  # pragma: no cover - every other target is reportable
                continue
            for name in (tg.id, tg.title, tg.title_en):
                if name:
                    self.measures.setdefault(_norm(name), entry)

    @staticmethod
    def _unquote(raw: Any) -> Any:
        """Undo the apostrophe our exports put before text that looks like a formula."""
        if isinstance(raw, str) and raw.startswith("'") and raw[1:2] in ("=", "+", "-", "@"):
            return raw[1:]
        return raw

    def org(self, raw: Any) -> str | None:
        key = _norm(self._unquote(raw))
        return None if key in self.ambiguous else self.orgs.get(key)

    def is_ambiguous(self, raw: Any) -> bool:
        """True when ``raw`` is the name of two or more orgs of the plan."""
        return _norm(self._unquote(raw)) in self.ambiguous

    def measure(self, raw: Any) -> tuple[str, str] | None:
        return self.measures.get(_norm(self._unquote(raw)))


# ----- months ---------------------------------------------------------------------------------

_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?")
_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_YYYYMM = re.compile(r"(\d{4})(\d{2})")
_M = re.compile(r"(\d{1,2})\s*月?(?:份)?")


def parse_month(raw: Any, year: int) -> tuple[int, int]:
    """(year, month) from a month cell; a bare month (``6``, ``6月``) is in ``year``.

    Accepts ``2005-06``, ``2005/6``, ``2005.06``, ``2005年6月``, ``200506``, dates and
    datetimes (→ their month). Raises ``ValueError`` for anything else, including a
    fractional number such as ``2005.1`` (Excel turned ``2005.10`` into it: ambiguous) and an
    impossible date such as ``2005-02-30`` (then the error's argument is the located
    :class:`~kejifu.errors.Problem` saying why).
    """
    if isinstance(raw, dt.datetime | dt.date):
        return raw.year, raw.month
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            raise ValueError(raw)
        raw = int(raw)
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().lower()
    else:
        raise ValueError(raw)
    for pattern, bare in ((_YMD, False), (_YM, False), (_YYYYMM, False), (_M, True)):
        m = pattern.fullmatch(text)
        if m:
            y, mo = (year, int(m.group(1))) if bare else (int(m.group(1)), int(m.group(2)))
            if pattern is _YMD:
                try:
                    check_date(y, mo, int(m.group(3)), text=text)
                except ReportImportError as err:  # 2005-02-30 is no day of February
                    raise ValueError(err.problems[0]) from None
            if 1 <= mo <= 12:
                return y, mo
            raise ValueError(raw)
    raise ValueError(raw)


# ----- the checks -----------------------------------------------------------------------------


#: Cell text quoted in a message is cut to this many characters (a pasted essay stays readable).
ECHO_CHARS = 60


def _echo(raw: Any) -> str:
    """A cell's text as quoted in a message: trimmed, at most :data:`ECHO_CHARS` characters."""
    text = _text(raw)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"


def _quantity(raw: Any) -> units.Quantity:
    """:func:`kejifu.units.parse_quantity` of a value cell, with a fast path for plain numbers."""
    if type(raw) is str and PLAIN_NUMBER.fullmatch(raw):
        return units.Quantity(float(raw), "")
    return units.parse_quantity(raw)


class _Memo:
    """Per-file memory of what a cell's text resolves to: a province file repeats each org, measure,
    month and unit thousands of times, so each distinct cell is resolved once (failures are not
    kept: they raise again, with their message, each time)."""

    def __init__(self) -> None:
        self._seen: dict[tuple, Any] = {}

    def __call__(self, kind: str, fn, raw: Any) -> Any:
        key = (kind, type(raw), raw)
        try:
            return self._seen[key]
        except KeyError:
            out = self._seen[key] = fn(raw)
            return out
        except TypeError:  # an unhashable cell
            return fn(raw)


def ceiling_of(plan: Plan):
    """The plausible ceiling of a value [in a unit] → ``ceiling(unit)``: the plan's
    ``settings.limits`` (one number, or ``{default: …, 万元: …}``), else 1e12 in the unit.
    A malformed ``settings`` never stops an import: the defaults apply."""
    try:
        settings = plan.settings if isinstance(plan.settings, dict) else {}
        return ceilings(settings)[0]
    except Exception:  # noqa: BLE001 - limits are checked by the plan checker, not here
        return lambda unit: DEFAULT_CEILING


@dataclass
class _Context:
    """What checking the rows of one file needs (see :func:`_check_row`)."""

    file: str
    hf: dict
    plan: Plan
    resolver: Resolver
    reportable: dict
    ceiling: Any
    memo: _Memo
    year: int
    problems: list[Problem]


def _check_row(ctx: _Context, line: int, v: dict[str, Any]) -> dict | None:
    """One row checked cell by cell (``v``: the raw cells, apostrophes stripped but the note's):
    its clean row, or None; its problems are appended to ``ctx.problems``."""
    file, hf, plan, resolver, memo, year = ctx.file, ctx.hf, ctx.plan, ctx.resolver, ctx.memo, ctx.year
    problems, reportable, ceiling = ctx.problems, ctx.reportable, ctx.ceiling
    bad = False
    # org
    org = None
    if _blank(v.get("org")):
        problems.append(_p("io.val.required", file, line, hf["org"]))
        bad = True
    else:
        org = memo("org", resolver.org, v["org"])
        if org is None:
            key = "io.val.ambiguous_org" if resolver.is_ambiguous(v["org"]) else "io.val.unknown_org"
            problems.append(_p(key, file, line, hf["org"], name=_echo(v["org"])))
            bad = True
    # measure
    measure = None
    if _blank(v.get("measure")):
        problems.append(_p("io.val.required", file, line, hf["measure"]))
        bad = True
    else:
        hit = memo("measure", resolver.measure, v["measure"])
        if hit is None:
            problems.append(_p("io.val.unknown_measure", file, line, hf["measure"], name=_echo(v["measure"])))
            bad = True
        elif hit[0] == "register":
            problems.append(
                _p(
                    "io.val.register",
                    file,
                    line,
                    hf["measure"],
                    name=_echo(v["measure"]),
                    title=plan.target(hit[1]).title,
                )
            )
            bad = True
        elif hit[0] == "share":
            tg = plan.target(hit[1])
            problems.append(
                _p(
                    "io.val.share_target",
                    file,
                    line,
                    hf["measure"],
                    name=_echo(v["measure"]),
                    num=tg.numerator,
                    den=tg.denominator,
                )
            )
            bad = True
        else:
            measure = hit[1]
    # month
    month = None
    if _blank(v.get("month")):
        problems.append(_p("io.val.required", file, line, hf["month"]))
        bad = True
    else:
        try:
            y, mo = memo("month", lambda r: parse_month(r, year), v["month"])
        except ValueError as err:
            why = err.args[0] if err.args and isinstance(err.args[0], Problem) else None
            if why is not None:
                problems.append(replace(why, file=file, row=line, field=hf["month"]))
            else:
                problems.append(_p("io.val.bad_month", file, line, hf["month"], text=_echo(v["month"])))
            bad = True
        else:
            if y != plan.year:
                problems.append(
                    _p(
                        "io.val.month_year",
                        file,
                        line,
                        hf["month"],
                        month=f"{y:04d}-{mo:02d}",
                        year=plan.year,
                    )
                )
                bad = True
            else:
                month = f"{y:04d}-{mo:02d}"
    # unit column
    cell_unit = None
    if not _blank(v.get("unit")):
        try:
            cell_unit = memo("unit", lambda r: units.canonical(_text(r)), v["unit"])
        except UnitError:
            problems.append(_p("io.val.unknown_unit", file, line, hf["unit"], unit=_echo(v["unit"])))
            bad = True
    # value
    value = None
    raw_value = v.get("value")
    if _blank(raw_value):
        if not bad:
            problems.append(_p("io.val.blank_value", file, line, hf["value"], level="warning"))
        return None
    if isinstance(raw_value, bool) or not isinstance(raw_value, int | float | str):
        problems.append(_p("io.val.not_number", file, line, hf["value"], text=_echo(raw_value)))
        return None
    try:
        q = _quantity(raw_value)
    except UnitError as err:
        key = "io.val.not_finite" if "有限" in err.zh else "io.val.not_number"
        problems.append(_p(key, file, line, hf["value"], text=_echo(raw_value)))
        return None
    if q.value < 0:
        problems.append(_p("io.val.negative", file, line, hf["value"], text=_echo(raw_value)))
        return None
    if measure is None or bad:
        return None
    target_unit = reportable[measure]
    in_cell = q.unit != ""
    from_unit = q.unit if in_cell else (cell_unit if cell_unit is not None else target_unit)
    if memo("kind", units.unit_kind, from_unit) != memo("kind", units.unit_kind, target_unit):
        fld = hf["value"] if in_cell else hf["unit"]
        kz, ke = units.KIND_NAMES[units.unit_kind(from_unit)]
        tz, te = units.KIND_NAMES[units.unit_kind(target_unit)]
        problems.append(
            _p(
                "io.val.wrong_unit",
                file,
                line,
                fld,
                unit=from_unit or "-",
                kind_zh=kz,
                kind_en=ke,
                target_unit=target_unit or "-",
                tkind_zh=tz,
                tkind_en=te,
            )
        )
        return None
    # the same unit: convert's factor is 1 and its exact arithmetic gives the value back
    value = q.value if from_unit == target_unit else units.convert(q.value, from_unit, target_unit)
    count = memo("count", units.is_count, target_unit)
    if not math.isfinite(value) or value > memo("ceiling", ceiling, target_unit):
        problems.append(
            _p(
                "io.val.too_large",
                file,
                line,
                hf["value"],
                text=_echo(raw_value),
                limit=units.format_value(ceiling(target_unit), target_unit),
            )
        )
        return None
    if count and abs(value - round(value)) > EPS:
        problems.append(
            _p("io.val.fraction", file, line, hf["value"], text=_echo(raw_value), unit=target_unit)
        )
        return None
    if count:
        value = float(round(value))
    note = "" if _blank(v.get("note")) else _text(v["note"])
    return {
        "org": org,
        "measure": measure,
        "month": month,
        "value": float(value),
        "unit": target_unit,
        "note": note,
        "line": line,
    }


#: Whether the clean rows are found column by column (:mod:`kejifu.io.fastrows`); the
#: equivalence test switches it off to check every row cell by cell.
FAST_ROWS = True


def validate_table(table: RawTable, plan: Plan, existing: pd.DataFrame | None = None) -> Checked:
    """Check every row of ``table`` against ``plan`` (and the already stored ``existing`` reports,
    a reports frame or a function of the clean rows' frame returning one, for the checks against
    stored figures); never raises for bad rows.
    """
    file, head = table.file, table.headers
    hf = {f: head.get(f, f) for f in ("org", "measure", "month", "value", "unit", "note")}
    problems: list[Problem] = list(table.warnings)
    ctx = _Context(
        file, hf, plan, Resolver(plan), plan.reportable(), ceiling_of(plan), _Memo(), plan.year, problems
    )
    raw_rows, n, text_cols = table.rows, len(table.rows), ("org", "measure", "month", "unit", "note")
    cols = table.cells or {k: [r.values.get(k) for r in raw_rows] for k in (*text_cols, "value")}
    found = clean_rows(cols, ctx, parse_month) if FAST_ROWS else {"mask": np.zeros(n, dtype=bool)}
    keep = found["mask"].copy()
    out = {c: found.get(c, np.empty(n, dtype=object)).copy() for c in text_cols}
    out["value"] = found.get("value", np.zeros(n)).astype(float)
    for i in np.flatnonzero(~keep):  # every row not plainly fine, cell by cell, in file order
        v = {k: (x if k == "note" else _strip_apostrophe(x)) for k, x in raw_rows[i].values.items()}
        if (row := _check_row(ctx, raw_rows[i].line, v)) is not None:
            keep[i] = True
            for c in (*text_cols, "value"):
                out[c][i] = row[c]
    out["line"] = np.asarray(table.lines or [r.line for r in raw_rows], dtype=np.int64).reshape(n)
    frame = pd.DataFrame({c: out[c][keep] for c in FRAME_COLUMNS})
    rows = len(frame)
    # text as Python objects: the checks across rows walk the rows, and a string array is slow to walk
    frame = frame.astype({c: object for c in ("org", "measure", "month", "unit", "note")})
    frame["value"] = frame["value"].astype(float)
    frame["line"] = frame["line"].astype(int)
    problems += duplicates(frame, file, hf)
    frame = frame.drop_duplicates(["org", "measure", "month"], keep="first").reset_index(drop=True)
    problems += shares(frame, plan, file, hf)
    if callable(existing):  # a function of the clean rows → the stored rows they are checked against
        existing = existing(frame)
    if existing is not None:  # what the checks across files read, without the batch columns (categoricals
        # stay categoricals: the checks read them by their codes)
        existing = existing[[c for c in ("org", "measure", "month", "value") if c in existing.columns]]
    problems += decreases(frame, plan, existing, file, hf)
    problems += late_months(frame, plan, existing, file, hf)
    if not rows and not any(p.level == "error" for p in problems):
        problems.append(_p("io.read.no_rows", file, table.header_line, None))
    problems.sort(key=lambda p: (p.row if isinstance(p.row, int) else 0, p.level != "error"))
    return Checked(
        file=file, frame=frame.sort_values("line", kind="stable").reset_index(drop=True), problems=problems
    )


def validate(table: RawTable, plan: Plan, existing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The clean reports frame of ``table``; raises :class:`ReportImportError` listing every problem."""
    checked = validate_table(table, plan, existing)
    checked.raise_if_errors()
    return checked.reports()
