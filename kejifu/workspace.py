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

import pandas as pd

from . import config
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

    # ----- the data ----------------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The latest plan version in the store."""
        if self._plan is None:
            self._plan = self.store.plan()
        return self._plan

    @property
    def reports(self) -> pd.DataFrame:
        """Reports frame ``org, measure, month ('YYYY-MM'), value, note``: stored reports
        (latest revisions) and register-derived counts (cached; see :meth:`refresh`)."""
        if self._reports is None:
            stored = self.filed[REPORT_FRAME_COLUMNS]
            items = self.store.register_items() if register_targets(self.plan) else None
            through = self._through(stored, items)
            derived = register_reports(self.plan, items, through=through) if through else None
            frames = [f for f in (stored, derived) if f is not None and not f.empty]
            if frames:
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
            year = self.plan.year
            self._filed = self.store.reports(years=(year - 1, year))
        return self._filed

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

    def refresh(self) -> None:
        """Forget the cached plan and reports (after an import through ``.store``)."""
        self._plan = None
        self._reports = None
        self._filed = None
        self.store._plan_cache = None

    # ----- questions ---------------------------------------------------------------------------
    def latest_month(self) -> str | None:
        """``YYYY-MM`` of the newest report (None when nothing has been reported)."""
        months = self.reports["month"]
        return str(months.max()) if not months.empty else None

    def default_as_of(self) -> dt.date:
        """The last day of the latest reported month; with no reports, today within the plan year."""
        latest = self.latest_month()
        if latest is None:
            today = dt.date.today()
            return min(max(today, dt.date(self.plan.year, 1, 1)), dt.date(self.plan.year, 12, 31))
        return (pd.Timestamp(f"{latest}-01") + pd.offsets.MonthEnd(0)).date()

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


def open_workspace(path: str | os.PathLike | None = None, *, readonly: bool = True) -> Workspace:
    """Open the workspace at ``path`` (default: ``$KEJIFU_WORKSPACE``, else the demo), read-only by default.

    Raises :class:`~kejifu.errors.StoreError` when the folder is not a workspace.
    """
    ws = config.workspace_dir(path)
    store = Store.open(ws, readonly=readonly)
    return Workspace(ws, store)
