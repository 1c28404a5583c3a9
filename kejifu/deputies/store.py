"""The deputy ledger in the workspace store: four append-only SQLAlchemy Core tables.

Tables (own ``MetaData``, created with ``checkfirst`` on the store's engine):

* ``deputies`` — the roster, keyed by ``person_id``;
* ``deputy_reports`` — written reports, keyed by ``person_id, year, seq``;
* ``deputy_assessments`` — yearly scores keyed by ``person_id, year, assessor``
  (``town`` / ``orgdept``) and end-of-term scores with ``assessor = 'end_of_term'``
  and ``year = 0``;
* ``deputy_outputs`` — the "five ones", keyed by ``person_id, year``;
* ``deputy_events`` — tracking records (hearings, inspections, spot checks,
  criticism, admonition, recall reasons, term goals), keyed by ``person_id, kind, date``.

Every table is append-only: a correction adds a row with the next ``revision``
for its key, and readers take the latest revision. Committing a row identical
to the latest revision adds nothing, so re-importing a file is harmless. Each
row records ``recorded_at`` (UTC), ``recorded_by``, ``source_file`` and ``sha256``.

Specialists (科技特派员) are not kept here: they are register items of kind
``specialists`` in the store's own register table (see
:func:`kejifu.deputies.outputs.specialist_register_items`), which feeds the plan target
``specialists``; county-level ones without a town go under the county S&T bureau
found in the stored plan (:func:`kejifu.deputies.rules.county_bureau`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
import sqlalchemy as sa

from ..errors import StoreError
from ..plan import Plan
from ..store import sha256_text
from .ledger import DeputyData
from .outputs import specialist_register_items, specialists_from_items
from .roster import empty, normalise_roster, to_date
from .rules import (
    ASSESSMENT_COLUMNS,
    DIMENSIONS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    FIVE_ONES,
    OUTPUT_COLUMNS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    SPECIALIST_KIND,
    WRITTEN_REPORT_COLUMNS,
    county_bureau,
    truthy,
)


class WorkspaceStore(Protocol):
    """What the deputy tables need of :class:`kejifu.store.Store`."""

    engine: sa.Engine
    readonly: bool

    def plan(self) -> Plan: ...

    def register_items(self, kind: str | None = None) -> pd.DataFrame: ...

    def commit_register_items(
        self,
        frame: pd.DataFrame,
        *,
        kind: str,
        source_file: str,
        sha256: str,
        who: str,
        imported_at: dt.datetime | None = None,
    ) -> object: ...


metadata = sa.MetaData()


def _meta_columns() -> list[sa.Column]:
    return [
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False, default=""),
        sa.Column("source_file", sa.String(500), nullable=False, default=""),
        sa.Column("sha256", sa.String(64), nullable=False, default=""),
    ]


deputies_table = sa.Table(
    "deputies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("sending_org", sa.String(200), nullable=False, default=""),
    sa.Column("org", sa.String(64), nullable=False),
    sa.Column("post", sa.String(100), nullable=False, default=""),
    sa.Column("batch", sa.Integer),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("term_start", sa.Date, nullable=False),
    sa.Column("term_end", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("state_date", sa.Date),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    *_meta_columns(),
)

reports_table = sa.Table(
    "deputy_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("submitted", sa.Date),
    sa.Column("to_orgdept", sa.Boolean, nullable=False, default=False),
    sa.Column("to_town", sa.Boolean, nullable=False, default=False),
    sa.Column("to_sender", sa.Boolean, nullable=False, default=False),
    sa.Column("title", sa.String(300), nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    *_meta_columns(),
)

assessments_table = sa.Table(
    "deputy_assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("assessor", sa.String(16), nullable=False),
    *[sa.Column(d, sa.Float) for d in DIMENSIONS],
    sa.Column("democratic", sa.Float),
    sa.Column("inspection", sa.Float),
    sa.Column("note", sa.Text, nullable=False, default=""),
    *_meta_columns(),
)

outputs_table = sa.Table(
    "deputy_outputs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    *[sa.Column(c, sa.Float, nullable=False, default=0) for c in FIVE_ONES],
    sa.Column("note", sa.Text, nullable=False, default=""),
    *_meta_columns(),
)

events_table = sa.Table(
    "deputy_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("result", sa.Text, nullable=False, default=""),
    sa.Column("by", sa.String(200), nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    *_meta_columns(),
)

END_OF_TERM = "end_of_term"


@dataclass(frozen=True)
class _Spec:
    table: sa.Table
    key: tuple[str, ...]
    values: tuple[str, ...]


SPECS = {
    "roster": _Spec(deputies_table, ("person_id",), tuple(c for c in ROSTER_COLUMNS if c != "person_id")),
    "reports": _Spec(
        reports_table,
        ("person_id", "year", "seq"),
        ("submitted", "to_orgdept", "to_town", "to_sender", "title", "note"),
    ),
    "assessments": _Spec(
        assessments_table,
        ("person_id", "year", "assessor"),
        (*DIMENSIONS, "democratic", "inspection", "note"),
    ),
    "outputs": _Spec(outputs_table, ("person_id", "year"), (*FIVE_ONES, "note")),
    "events": _Spec(events_table, ("person_id", "kind", "date"), ("result", "by", "note")),
}


def _clean(value: object, column: sa.Column) -> object:
    """A frame cell as the database value of ``column``."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        if isinstance(column.type, sa.Boolean):
            return False
        if isinstance(column.type, (sa.String, sa.Text)):
            return ""
        return None
    if isinstance(column.type, sa.Date):
        return to_date(value)
    if isinstance(column.type, sa.Boolean):
        return truthy(value)
    if isinstance(column.type, sa.Integer):
        return int(value)
    if isinstance(column.type, sa.Float):
        return float(value)
    return str(value)


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


class DeputyStore:
    """The deputy tables on a SQLAlchemy ``engine`` (normally ``Store.engine``)."""

    def __init__(self, engine: sa.Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        if not readonly:
            metadata.create_all(engine, checkfirst=True)

    @classmethod
    def from_store(cls, store: WorkspaceStore) -> DeputyStore:
        """The deputy tables of a :class:`kejifu.store.Store` (read-only if the store is)."""
        engine = getattr(store, "engine", None)
        if engine is None:
            raise StoreError(
                "工作区存储没有数据库引擎（store.engine）", "the workspace store has no engine (store.engine)"
            )
        return cls(engine, readonly=bool(getattr(store, "readonly", False)))

    # ----- reading ----------------------------------------------------------------------------
    def _exists(self, table: sa.Table) -> bool:
        return sa.inspect(self.engine).has_table(table.name)

    def history(self, what: str, *, conn: sa.Connection | None = None) -> pd.DataFrame:
        """Every revision of ``what`` (``roster``, ``reports``, ``assessments``, ``outputs``, ``events``)."""
        spec = SPECS[what]
        cols = [c.name for c in spec.table.columns if c.name != "id"]
        if conn is None:
            if not self._exists(spec.table):
                return pd.DataFrame(columns=cols)
            with self.engine.connect() as own:
                return self.history(what, conn=own)
        rows = conn.execute(sa.select(spec.table).order_by(spec.table.c.id)).mappings().all()
        return pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)

    def _latest(self, what: str, conn: sa.Connection | None = None) -> pd.DataFrame:
        spec = SPECS[what]
        h = self.history(what, conn=conn)
        if h.empty:
            return h
        h = h.sort_values("revision", kind="stable").groupby(list(spec.key), sort=False).tail(1)
        return h.sort_values(list(spec.key), kind="stable").reset_index(drop=True)

    def roster(self) -> pd.DataFrame:
        """The current roster (``ROSTER_COLUMNS``)."""
        h = self._latest("roster")
        if h.empty:
            return empty(ROSTER_COLUMNS)
        return normalise_roster(h[ROSTER_COLUMNS])

    def reports(self) -> pd.DataFrame:
        """The current written reports (``WRITTEN_REPORT_COLUMNS``)."""
        h = self._latest("reports")
        return (
            h[WRITTEN_REPORT_COLUMNS].reset_index(drop=True) if not h.empty else empty(WRITTEN_REPORT_COLUMNS)
        )

    def assessments(self) -> pd.DataFrame:
        """The current yearly assessments (``ASSESSMENT_COLUMNS``)."""
        h = self._latest("assessments")
        if h.empty:
            return empty(ASSESSMENT_COLUMNS)
        return h[h["assessor"] != END_OF_TERM][ASSESSMENT_COLUMNS].reset_index(drop=True)

    def end_of_term(self) -> pd.DataFrame:
        """The current end-of-term scores (``END_OF_TERM_COLUMNS``)."""
        h = self._latest("assessments")
        if h.empty:
            return empty(END_OF_TERM_COLUMNS)
        return h[h["assessor"] == END_OF_TERM][END_OF_TERM_COLUMNS].reset_index(drop=True)

    def outputs(self) -> pd.DataFrame:
        """The current five-ones rows (``OUTPUT_COLUMNS``)."""
        h = self._latest("outputs")
        return h[OUTPUT_COLUMNS].reset_index(drop=True) if not h.empty else empty(OUTPUT_COLUMNS)

    def events(self) -> pd.DataFrame:
        """The current tracking records (``EVENT_COLUMNS``)."""
        h = self._latest("events")
        return h[EVENT_COLUMNS].reset_index(drop=True) if not h.empty else empty(EVENT_COLUMNS)

    def load(self, specialists: pd.DataFrame | None = None) -> DeputyData:
        """Everything current, as a :class:`~kejifu.deputies.DeputyData`."""
        return DeputyData(
            roster=self.roster(),
            reports=self.reports(),
            assessments=self.assessments(),
            end_of_term=self.end_of_term(),
            outputs=self.outputs(),
            specialists=specialists if specialists is not None else empty(SPECIALIST_COLUMNS),
            events=self.events(),
        )

    # ----- writing ----------------------------------------------------------------------------
    def commit(
        self,
        data: DeputyData,
        *,
        source_file: str = "",
        sha256: str = "",
        who: str = "",
        recorded_at: dt.datetime | None = None,
    ) -> dict[str, int]:
        """Append the rows of ``data`` that differ from their latest revision, in one transaction.

        Returns the number of rows added per part (``roster, reports, assessments, outputs, events``).
        """
        if self.readonly:
            raise StoreError(
                "工作区以只读方式打开，不能写入", "the workspace is open read-only", file=source_file
            )
        eot = data.end_of_term.copy()
        if len(eot):
            eot["year"] = 0
            eot["assessor"] = END_OF_TERM
        assessments = (
            pd.concat([x for x in (data.assessments, eot) if len(x)], ignore_index=True)
            if (len(data.assessments) or len(eot))
            else empty(ASSESSMENT_COLUMNS)
        )
        parts = {
            "roster": data.roster,
            "reports": data.reports,
            "assessments": assessments,
            "outputs": data.outputs,
            "events": data.events,
        }
        now = recorded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        added: dict[str, int] = {}
        # kejifu_write: the workspace store's engine then emits BEGIN IMMEDIATE on SQLite
        # (one writer at a time)
        with self.engine.connect().execution_options(kejifu_write=True) as conn, conn.begin():
            for what, frame in parts.items():
                spec = SPECS[what]
                latest = self._latest(what, conn)
                index = {
                    tuple(_clean(r[k], spec.table.c[k]) for k in spec.key): r
                    for r in latest.to_dict("records")
                }
                rows = []
                for rec in frame.to_dict("records"):
                    if what == "assessments":
                        for c in ("democratic", "inspection", *DIMENSIONS):
                            rec.setdefault(c, None)
                    key = tuple(_clean(rec.get(k), spec.table.c[k]) for k in spec.key)
                    values = {c: _clean(rec.get(c), spec.table.c[c]) for c in spec.values}
                    prev = index.get(key)
                    if prev is not None and all(
                        _same(values[c], _clean(prev[c], spec.table.c[c])) for c in spec.values
                    ):
                        continue
                    rev = int(prev["revision"]) + 1 if prev is not None else 1
                    row = (
                        dict(zip(spec.key, key))
                        | values
                        | {
                            "revision": rev,
                            "recorded_at": now,
                            "recorded_by": who or "",
                            "source_file": source_file or "",
                            "sha256": sha256 or "",
                        }
                    )
                    index[key] = row
                    rows.append(row)
                if rows:
                    conn.execute(sa.insert(spec.table), rows)
                added[what] = len(rows)
        return added


# ----- the store and its register -------------------------------------------------------------


def specialists(store: WorkspaceStore) -> pd.DataFrame:
    """The specialist roster from the store's register items of kind ``specialists``."""
    items = store.register_items(SPECIALIST_KIND)
    return specialists_from_items(items)


def load(store: WorkspaceStore) -> DeputyData:
    """The whole deputy ledger of a workspace store (deputy tables + specialist register)."""
    return DeputyStore.from_store(store).load(specialists=specialists(store))


def commit(
    store: WorkspaceStore,
    data: DeputyData,
    *,
    source_file: str = "",
    sha256: str = "",
    who: str = "",
    recorded_at: dt.datetime | None = None,
) -> dict[str, int]:
    """Write a validated ledger to a workspace store; returns rows added per part.

    The deputy tables are written in one transaction, then the specialists as
    register items (``store.commit_register_items``, its own transaction).
    """
    added = DeputyStore.from_store(store).commit(
        data, source_file=source_file, sha256=sha256, who=who, recorded_at=recorded_at
    )
    added["specialists"] = 0
    if len(data.specialists):
        items = specialist_register_items(data.specialists, county_bureau(store.plan()))
        # the store refuses a second batch with the same (kind, sha256): without a file hash, hash the content
        digest = sha256 or sha256_text(items.to_json(orient="records", date_format="iso", force_ascii=False))
        result = store.commit_register_items(
            items,
            kind=SPECIALIST_KIND,
            source_file=source_file,
            sha256=digest,
            who=who,
            imported_at=recorded_at,
        )
        added["specialists"] = result.rows_added
    return added
