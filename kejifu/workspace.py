"""The workspace facade: one object a notebook or dashboard opens to get the plan and the figures.

>>> ws = open_workspace()                 # $KEJIFU_WORKSPACE, else the demo
>>> ws.status(ws.default_as_of())         # where every target stands

``ws.reports`` is *the* reports frame every view uses: the latest revision of
every reported figure plus the monthly counts derived from the registers.
Dashboards open workspaces read-only (the default).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import completeness, config, months
from . import status as status_mod
from .plan import Plan
from .registers import register_reports, register_targets
from .store import Store

REPORT_FRAME_COLUMNS = ["org", "measure", "month", "value", "note"]


class Workspace:
    """A workspace folder and its open store (thin wrapper; the logic lives in the modules)."""

    def __init__(self, path: Path, store: Store) -> None:
        self.path = path
        self.store = store
        self._plan: Plan | None = None
        self._reports: pd.DataFrame | None = None
        self._filed: pd.DataFrame | None = None
        self._items: pd.DataFrame | None = None
        self._version: tuple[int, int, int, int] | None = None  # the store's data version read
        self._read_months: int | None = None  # months (0..12) of each year read: see read_through

    # ----- the data ----------------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The latest plan version in the store."""
        if self._plan is None:
            self._mark()  # so refresh() notices a new plan version even before any figure is read
            self._plan = self.store.plan()
        return self._plan

    @property
    def reports(self) -> pd.DataFrame:
        """Reports frame ``org, measure, month ('YYYY-MM'), value, note``: stored reports
        (latest revisions) and register-derived counts (cached; see :meth:`refresh`)."""
        if self._reports is None:
            stored = self.filed[REPORT_FRAME_COLUMNS]
            items = self.items
            through = self._through(stored, items)
            derived = register_reports(self.plan, items, through=through) if through else None
            frames = [f for f in (stored, derived) if f is not None and not f.empty]
            if len(frames) == 1:
                frame = frames[0].reset_index(drop=True)
            elif frames:
                frame = pd.concat(frames, ignore_index=True)
            else:
                frame = pd.DataFrame(
                    {c: pd.Series(dtype=float if c == "value" else object) for c in REPORT_FRAME_COLUMNS}
                )
            frame["value"] = frame["value"].astype(float)
            self._reports = frame
        return self._reports

    @property
    def filed(self) -> pd.DataFrame:
        """Only the figures orgs filed themselves (latest revisions, with batch, file and time),
        without register-derived counts: what tells who has reported (cached)."""
        if self._filed is None:
            # The plan year and the year before it (for year-on-year): a five-year store
            # holds five times the rows every dashboard kernel would otherwise read.
            self._mark()
            year = self.plan.year
            if self._read_months is None:
                self._filed = self.store.reports(years=(year - 1, year))
            else:
                self._filed = self.store.reports(months=self._months_read(), figures_only=True)
        return self._filed

    def read_through(self, as_of: dt.date | str) -> None:
        """Read only what a status as of ``as_of`` uses: the months of the plan year and of the
        year before up to the reporting month (:func:`kejifu.status.reporting_month`), not the
        months after it (``kejifu status --as-of`` in June reads half of a full year's rows), and
        of those the figures only: :attr:`filed` then has ``org, measure, month, value, note``,
        the first three as categoricals (:meth:`Store.reports` with ``figures_only``), without
        batch, file and time. Every figure through that month is the same as with the whole
        years. Call it before the first read; it forgets the figures read before (not the plan)."""
        self._read_months = max(0, min(12, status_mod.reporting_month(as_of, self.plan.year)))
        self._reports = self._filed = self._items = self._version = None

    def _months_read(self) -> list[str]:
        """``YYYY-MM`` of every month read: the plan year's and the year before's, through the limit."""
        year = self.plan.year
        return [months.key(y, m) for y in (year - 1, year) for m in range(1, (self._read_months or 0) + 1)]

    @property
    def items(self) -> pd.DataFrame | None:
        """The register items the plan counts (latest revisions; None when no target is counted
        from a register; cached)."""
        if self._items is None and register_targets(self.plan):
            self._mark()
            self._items = self.store.register_items()
        return self._items

    def _mark(self) -> None:
        """Note the store's data version before the first read (what :meth:`refresh` compares)."""
        if self._version is None:
            self._version = self.store.data_version()

    def _through(self, stored: pd.DataFrame, items: pd.DataFrame | None) -> int:
        """The month (1..12) registers are counted through: the newest month reported or registered."""
        year = self.plan.year
        months = [int(m[5:7]) for m in stored["month"].unique() if str(m).startswith(f"{year:04d}-")]
        if items is not None and not items.empty:
            d = pd.to_datetime(items["date"])
            months += d[d.dt.year == year].dt.month.astype(int).tolist()
        return max(months, default=0)

    @property
    def synthetic(self) -> bool:
        """True when the figures are synthetic demo data (store meta or the plan says so)."""
        return self.store.synthetic or self.plan.plan.synthetic

    def refresh(self) -> bool:
        """Pick up what was committed since the figures were read (by this process or another: an
        import while a dashboard is open), re-reading only that; True when anything changed.

        The check is cheap (:meth:`Store.data_version`: four index look-ups), so a board may call
        this before every render. New report batches re-read only the months they touched; new
        register batches re-read the register items; a new plan version forgets everything.
        """
        if self._version is None:  # nothing read yet: nothing to bring up to date
            self.forget()
            return False
        now = self.store.data_version()
        if now == self._version:
            return False
        if now[0] != self._version[0] or self._filed is None:
            self.forget()
            return True
        months, kinds = self.store.changes_since(self._version)
        self._version = now
        year = self.plan.year
        months = [
            m
            for m in months
            if f"{year - 1:04d}-01" <= m <= f"{year:04d}-12"
            and (self._read_months is None or int(m[5:7]) <= self._read_months)
        ]
        if months:
            lean = {} if self._read_months is None else {"figures_only": True}
            new = self.store.reports(months=months, **lean)
            self._filed = _replace_months(self._filed, new, months)
        if kinds:
            self._items = None
        self._reports = None  # re-joined from the (updated) parts: no store read
        return True

    def forget(self) -> None:
        """Forget every cached figure and the plan (the next access reads the store again)."""
        self._plan = None
        self._reports = None
        self._filed = None
        self._items = None
        self._version = None
        self.store.forget_plan()

    # ----- questions ---------------------------------------------------------------------------
    def latest_month(self) -> str | None:
        """``YYYY-MM`` of the newest report (None when nothing has been reported)."""
        months = self.reports["month"]
        return str(months.max()) if not months.empty else None

    def default_as_of(self) -> dt.date:
        """The last day of the latest month that at least half of the expected reporters have
        filed (one clerk's slip to a later month does not move it; see
        :func:`kejifu.completeness.current_month`); else of the latest reported month; with no
        reports, today within the plan year."""
        month = completeness.current_month(self.plan, self.filed) or self.latest_month()
        if month is None:
            today = dt.date.today()
            return min(max(today, dt.date(self.plan.year, 1, 1)), dt.date(self.plan.year, 12, 31))
        return months.month_end(str(month))

    def data_month(self, as_of: dt.date | str | None = None) -> str | None:
        """``YYYY-MM``: the month the data run through as of ``as_of`` (default: the default as-of),
        by the same half-of-the-reporters rule; None when nothing is filed."""
        as_of = self.default_as_of() if as_of is None else as_of
        through = status_mod.reporting_month(as_of, self.plan.year)
        if through <= 0:
            return None
        return completeness.current_month(self.plan, self.filed, through=through)

    def missing_reporters(self, month: str | int) -> list[str]:
        """Org ids expected to report that filed nothing for ``month`` (``YYYY-MM`` or 1..12)."""
        return completeness.missing_reporters(self.plan, self.filed, month)

    def reporting_record(self, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
        """按时 / 迟报 / 未报 per expected reporter and month, from the time each figure was first
        received (every revision's batch; :func:`kejifu.completeness.reporting_record`)."""
        hist = self.store.history()
        batches = self.store.batches()[["id", "imported_at"]].rename(columns={"id": "batch_id"})
        frame = hist.drop(columns=[c for c in ("imported_at",) if c in hist]).merge(batches, on="batch_id")
        return completeness.reporting_record(self.plan, frame, year, lang=lang)

    def status(
        self, as_of: dt.date | str | None = None, rollup: bool = False, lang: str = "zh"
    ) -> pd.DataFrame:
        """:func:`kejifu.status.status` of this workspace as of ``as_of`` (default: :meth:`default_as_of`)."""
        if as_of is None:
            as_of = self.default_as_of()
        return status_mod.status(self.plan, self.reports, as_of, rollup=rollup, lang=lang)

    # ----- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "ro" if self.store.readonly else "rw"
        return f"Workspace({str(self.path)!r}, {mode})"


def _replace_months(old: pd.DataFrame, new: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """``old`` with the rows of ``months`` replaced by ``new``, ordered by measure, org, month (as
    :meth:`Store.reports` orders them; sorted on codes, not on the strings).

    When ``new`` has exactly the keys ``old`` had in those months (revised figures: both are in
    that order), only the other columns change, in place of the old rows: no concatenation and
    no sort of the whole frame."""
    mask = old["month"].isin(months).to_numpy()
    if int(mask.sum()) == len(new) and all(
        np.array_equal(old[c].to_numpy(dtype=object)[mask], new[c].to_numpy(dtype=object))
        for c in ("measure", "org", "month")
    ):
        frame = old.copy(deep=False)
        for c in frame.columns.difference(["measure", "org", "month"]):
            values = frame[c].to_numpy(copy=True)
            values[mask] = new[c].to_numpy()
            frame[c] = pd.Series(values, index=frame.index, dtype=old[c].dtype)  # object stays object
        return frame
    frame = pd.concat([old[~mask], new], ignore_index=True)
    codes = [pd.factorize(frame[c], sort=True)[0] for c in ("month", "org", "measure")]
    order = np.lexsort(codes)
    return frame.iloc[order].reset_index(drop=True)


def open_workspace(path: str | os.PathLike | None = None, *, readonly: bool = True) -> Workspace:
    """Open the workspace at ``path`` (default: ``$KEJIFU_WORKSPACE``, else the demo), read-only by default.

    Raises :class:`~kejifu.errors.StoreError` when the folder is not a workspace.
    """
    ws = config.workspace_dir(path)
    store = Store.open(ws, readonly=readonly)
    return Workspace(ws, store)
