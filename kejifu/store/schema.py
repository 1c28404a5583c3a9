"""The store's tables: SQLAlchemy Core metadata, the column lists readers use, the schema version.

Tables (all append-only except ``meta`` and the plan snapshot):

* ``meta`` — key/value settings (``schema_version``, ``created_at``, ``synthetic``, ``plan_id``);
* ``plan_versions`` — every plan version's YAML text and sha256;
* ``orgs``, ``targets``, ``allocations`` — a snapshot of the latest plan version for SQL readers;
* ``import_batches`` — one row per commit (kind ``reports`` or ``register:<kind>``, file, sha256,
  who, when): a report row's file, sha256 and import time are its batch's;
* ``series`` — one row per org × measure ever reported (an integer id: the reports table's key);
* ``reports`` — one row per revision of an org × measure × month figure, narrow and integer-keyed:
  ``series_id`` (an org × measure), ``month`` as the integer ``YYYYMM`` (see :mod:`.keys`),
  ``value``, ``unit``, ``note``, ``revision``, ``batch_id``;
* ``latest_pages`` — per month, the latest revision of every series as one compact binary page,
  kept in step by every commit (:mod:`.pages`): what the readers read;
* ``register_items`` — one row per revision of a register item (JSON attributes).

Schema 2 (this one) keys reports by integers; schema 1 kept org, measure, month ``YYYY-MM`` and the
batch's file, sha256 and time as text in every row (five times the bytes a row, 4× slower
writes). :mod:`.migrate` upgrades a schema 1 store in one transaction.

``meta`` also keeps each plan version's YAML parsed once, as JSON, under the key
``plan_cache:<sha256 of the text, 52 hex digits>`` (see :mod:`.plan_versions`; :meth:`Store.meta` leaves
these keys out).

:mod:`kejifu.store.backup` dumps and restores every table of :data:`metadata`.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 2
REPORTS_KIND = "reports"
#: The ``meta`` keys of the parsed-plan cache start with this.
PLAN_CACHE_KEY = "plan_cache:"

metadata = sa.MetaData()

meta_t = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

plan_versions_t = sa.Table(
    "plan_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source_file", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String(200)),
)

orgs_t = sa.Table(
    "orgs",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("parent", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

targets_t = sa.Table(
    "targets",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("title_en", sa.String(400)),
    sa.Column("group_id", sa.String(100)),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.Double),
    sa.Column("stretch", sa.Double),
    sa.Column("baseline", sa.Double),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("register_kind", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

allocations_t = sa.Table(
    "allocations",
    metadata,
    sa.Column("target", sa.String(100), primary_key=True),
    sa.Column("org", sa.String(100), primary_key=True),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("allocation", sa.Double),
)

batches_t = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False),  # 'reports' or 'register:<kind>'
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("who", sa.String(200)),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("rows_unchanged", sa.Integer, nullable=False),
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("kind", "sha256", name="uq_batch_kind_sha256"),
)

series_t = sa.Table(
    "series",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(100), nullable=False),
    sa.Column("measure", sa.String(100), nullable=False),
    sa.UniqueConstraint("org", "measure", name="uq_series_org_measure"),
)

reports_t = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # series_id and batch_id name a series and a batch; no FOREIGN KEY clause: the writer takes
    # both from the same transaction, ``kejifu check`` (orphans) verifies them, and PostgreSQL's
    # per-row foreign-key triggers made bulk loads five times slower (measured: 100k vs 516k rows/s)
    sa.Column("series_id", sa.Integer, nullable=False),
    sa.Column("month", sa.Integer, nullable=False),  # YYYYMM
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("unit", sa.String(32)),
    sa.Column("note", sa.Text),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
    # month first: a monthly batch appends at the index's end, a range of months is one index range
    sa.UniqueConstraint("month", "series_id", "revision", name="uq_report_revision"),
)
#: The few rows that revise an earlier figure: what finds superseded rows without scanning them all.
revised_index = sa.Index(
    "ix_reports_revised",
    reports_t.c.revision,
    sqlite_where=reports_t.c.revision > 1,
    postgresql_where=reports_t.c.revision > 1,
)

#: The latest figures of each month as one binary page (derived from ``reports`` in the same
#: transaction; see :mod:`.pages`).
pages_t = sa.Table(
    "latest_pages",
    metadata,
    sa.Column("month", sa.Integer, primary_key=True, autoincrement=False),  # YYYYMM
    sa.Column("n_rows", sa.Integer, nullable=False),
    # the largest report id when the page was written: which months changed since a reader's read
    sa.Column("last_id", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

register_items_t = sa.Table(
    "register_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("item_key", sa.String(200), nullable=False),
    sa.Column("org", sa.String(100), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("attrs", sa.Text, nullable=False),  # JSON object
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(200)),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.UniqueConstraint("kind", "item_key", "revision", name="uq_item_revision"),
)
sa.Index("ix_register_items_kind", register_items_t.c.kind)


REPORT_COLUMNS = [
    "org",
    "measure",
    "month",
    "value",
    "unit",
    "note",
    "revision",
    "batch_id",
    "source_file",
    "imported_at",
    "imported_by",
]
HISTORY_COLUMNS = ["id"] + REPORT_COLUMNS + ["sha256"]
ITEM_BASE_COLUMNS = ["kind", "item_key", "org", "date", "title", "withdrawn"]
ITEM_META_COLUMNS = ["revision", "batch_id", "source_file", "imported_at", "imported_by"]
BATCH_COLUMNS = [
    "id",
    "kind",
    "source_file",
    "sha256",
    "who",
    "imported_at",
    "rows_added",
    "rows_unchanged",
    "note",
]
