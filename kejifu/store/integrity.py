"""Integrity of a workspace store: what ``kejifu check DIR`` verifies.

>>> report = check_workspace("ws")        # or check_store(store)
>>> report.ok, report.findings             # clean? and every finding, bilingual

Checks (portable SQL, so they run on SQLite and PostgreSQL alike):

* ``sqlite_integrity`` — ``PRAGMA integrity_check`` (SQLite only);
* ``tables`` — the store's tables exist and ``meta`` has a ``schema_version``;
* ``orphans`` — every report and register item row's ``batch_id`` names an existing batch, and
  every report row's ``series_id`` an existing series (org × measure);
* ``revisions`` — per org × measure × month (a series × month; per kind × item key for register
  items) the revisions are exactly 1..n: no gaps, no duplicates;
* ``batch_rows`` — each batch's ``rows_added`` equals the rows carrying its id;
* ``batch_match`` — a row's batch is of the row's kind (``reports`` / ``register:<kind>``); a
  register item row's ``source_file`` and ``sha256`` are also the batch's (a report row has none
  of its own since schema 2: its file and sha256 are its batch's by construction);
* ``plan_refs`` — orgs and measures of the stored rows are known to the latest plan
  (*warnings*: a later plan version may drop an org that reported before);
* ``values`` — stored figures are finite, not negative and within their unit's ceiling;
* ``plan_versions`` — versions are 1..n, each one's sha256 matches its text and the text
  parses; ``plan.yaml`` in the folder equals the latest version (a warning otherwise);
* ``items`` — register item attributes are JSON objects;
* ``pages`` — each month's page of latest figures (:mod:`.pages`, what readers read) is what the
  reports table says: every revision chosen again in SQL and compared.

Report rows are keyed by integers (schema 2, see :mod:`.keys`): the checks read them through
the ``series`` table and name a figure as before, ``org measure YYYY-MM``.

Errors make :attr:`IntegrityReport.ok` false; warnings only with ``strict``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

from .. import config
from ..errors import KejifuError
from ..i18n import t
from ..planfile import DEFAULT_CEILING, ceilings
from . import pages
from .batches import sha256_text
from .keys import month_text
from .revisions import Store
from .schema import (
    REPORTS_KIND,
    batches_t,
    meta_t,
    pages_t,
    plan_versions_t,
    register_items_t,
    reports_t,
    series_t,
)

#: Detailed findings listed per check before the rest is summed up in one line.
MAX_PER_CHECK = 20

CHECKS = (
    "sqlite_integrity",
    "tables",
    "orphans",
    "revisions",
    "batch_rows",
    "batch_match",
    "plan_refs",
    "values",
    "plan_versions",
    "items",
    "pages",
)
REQUIRED_TABLES = ("meta", "plan_versions", "import_batches", "series", "reports", "register_items")


@dataclass(frozen=True)
class Finding:
    """One problem found: which ``check``, ``level`` (``error``/``warning``), the message in both languages.

    ``table`` and ``key`` locate it (``reports`` / ``hutou mushroom_area 2005-01``).
    """

    check: str
    zh: str
    en: str
    level: str = "error"
    table: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.table}: " if self.table else ""
        return (
            f"[{t('rel.level.' + self.level, 'zh')}/{t('rel.level.' + self.level, 'en')}] "
            f"{self.check}: {where}{self.zh} / {self.en}"
        )


@dataclass
class IntegrityReport:
    """What :func:`check_store` found: ``findings``, the ``checks`` run, ``counts`` of rows per table."""

    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    backend: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when no check found an error (warnings allowed)."""
        return not self.errors

    def clean(self, strict: bool = False) -> bool:
        """No errors (and, with ``strict``, no warnings either)."""
        return not (self.findings if strict else self.errors)

    def of(self, check: str) -> list[Finding]:
        """The findings of one check."""
        return [f for f in self.findings if f.check == check]

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "backend": self.backend,
            "checks": self.checks,
            "counts": self.counts,
            "findings": [asdict(f) for f in self.findings],
        }

    def lines(self) -> list[str]:
        """The report as text lines: one per finding, then the counts and a bilingual summary."""
        out = [str(f) for f in self.findings]
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        out.append(
            f"{t('rel.summary.counts', 'zh', counts=counts)} / {t('rel.summary.counts', 'en', counts=counts)}"
        )
        if self.findings:
            n = {"errors": len(self.errors), "warnings": len(self.warnings)}
            out.append(f"{t('rel.summary.problems', 'zh', **n)} / {t('rel.summary.problems', 'en', **n)}")
        else:
            n = {"checks": len(self.checks)}
            out.append(f"{t('rel.summary.clean', 'zh', **n)} / {t('rel.summary.clean', 'en', **n)}")
        return out


class _Collector:
    """Adds findings of one check, capping the detailed ones at :data:`MAX_PER_CHECK`."""

    def __init__(self, report: IntegrityReport, check: str) -> None:
        self.report, self.check, self.n = report, check, 0
        report.checks.append(check)

    def add(
        self, label: str, *, level: str = "error", table: str | None = None, loc: str | None = None, **fmt
    ) -> None:
        self.n += 1
        if self.n <= MAX_PER_CHECK:
            fmt["table"] = table
            self.report.findings.append(
                Finding(self.check, t(label, "zh", **fmt), t(label, "en", **fmt), level, table, loc)
            )

    def close(self, level: str = "error") -> None:
        if self.n > MAX_PER_CHECK:
            more = self.n - MAX_PER_CHECK
            self.report.findings.append(
                Finding(self.check, t("rel.more", "zh", n=more), t("rel.more", "en", n=more), level)
            )


def check_workspace(
    workspace: str | Path | None = None, *, url: str | None = None, strict_plan_file: bool = True
) -> IntegrityReport:
    """Open the workspace read-only and run :func:`check_store` on it."""
    store = Store.open(workspace, readonly=True, url=url)
    try:
        return check_store(store, plan_file=strict_plan_file)
    finally:
        store.close()


def check_store(store: Store, *, plan_file: bool = True) -> IntegrityReport:
    """Run every check on an open store; never writes.

    ``plan_file``: also compare the folder's ``plan.yaml``."""
    engine = store.engine
    report = IntegrityReport(backend=engine.dialect.name)
    with engine.connect() as conn:
        with conn.begin():  # one snapshot for every check
            if engine.dialect.name == "sqlite":
                _sqlite_integrity(conn, report)
            present = set(sa.inspect(conn).get_table_names())
            if not _tables(conn, report, present):
                return report
            for tb in (reports_t, series_t, register_items_t, batches_t, plan_versions_t):
                report.counts[tb.name] = int(
                    conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                )
            _orphans(conn, report)
            _revisions(conn, report)
            _batch_rows(conn, report)
            _batch_match(conn, report)
            plan = _plan_versions(conn, report, store.workspace if plan_file else None)
            _plan_refs(conn, report, plan)
            _values(conn, report, plan)
            _items(conn, report)
            _pages(conn, report)
    return report


# ----- the checks ------------------------------------------------------------------------------


def _sqlite_integrity(conn: sa.Connection, report: IntegrityReport) -> None:
    c = _Collector(report, "sqlite_integrity")
    for (msg,) in conn.exec_driver_sql("PRAGMA integrity_check").all():
        if msg != "ok":
            c.add("rel.f.sqlite", msg=msg)
    c.close()


def _tables(conn: sa.Connection, report: IntegrityReport, present: set[str]) -> bool:
    c = _Collector(report, "tables")
    missing = [name for name in REQUIRED_TABLES if name not in present]
    for name in missing:
        c.add("rel.f.missing_table", table=name, loc=name)
    if "meta" in present:
        has = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "schema_version")).first()
        if has is None:
            c.add("rel.f.no_schema_version", table="meta")
    return not missing


def _orphans(conn: sa.Connection, report: IntegrityReport) -> None:
    c = _Collector(report, "orphans")
    b, r, s = batches_t, reports_t, series_t
    for tb in (reports_t, register_items_t):
        stmt = (
            sa.select(tb.c.id, tb.c.batch_id)
            .where(~sa.exists().where(b.c.id == tb.c.batch_id))
            .order_by(tb.c.id)
        )
        for row_id, batch in conn.execute(stmt):
            c.add("rel.f.orphan", table=tb.name, loc=str(row_id), id=row_id, batch=batch)
    stmt = (
        sa.select(r.c.id, r.c.series_id).where(~sa.exists().where(s.c.id == r.c.series_id)).order_by(r.c.id)
    )
    for row_id, series in conn.execute(stmt):
        c.add("rel.f.orphan_series", table=r.name, loc=str(row_id), id=row_id, series=series)
    c.close()


def _revisions(conn: sa.Connection, report: IntegrityReport) -> None:
    """Revisions 1..n per series × month of the reports (rows whose series is missing are the
    ``orphans`` check's), per kind × item key of the register items."""
    c = _Collector(report, "revisions")
    r, s, ri = reports_t, series_t, register_items_t

    def bad(tb: sa.Table, cols: list) -> sa.Select:
        n = sa.func.count()
        return (
            sa.select(*cols)
            .group_by(*cols)
            .having(
                sa.or_(
                    sa.func.min(tb.c.revision) != 1,
                    sa.func.max(tb.c.revision) != n,
                    sa.func.count(sa.distinct(tb.c.revision)) != n,
                )
            )
        )

    def add(tb: sa.Table, where, key: str) -> None:
        revs = []
        if c.n < MAX_PER_CHECK:  # the rest are only counted
            revs = conn.execute(sa.select(tb.c.revision).where(where).order_by(tb.c.revision)).scalars().all()
        c.add("rel.f.revisions", table=tb.name, loc=key, what=key, revs=",".join(map(str, revs)), n=len(revs))

    groups = bad(r, [r.c.series_id, r.c.month]).subquery("bad")
    stmt = (
        sa.select(groups.c.series_id, groups.c.month, s.c.org, s.c.measure)
        .join(s, s.c.id == groups.c.series_id)
        .order_by(s.c.org, s.c.measure, groups.c.month)
    )
    for series, month, org, measure in conn.execute(stmt).all():
        add(r, sa.and_(r.c.series_id == series, r.c.month == month), f"{org} {measure} {month_text(month)}")
    cols = [ri.c.kind, ri.c.item_key]
    for kind, item in conn.execute(bad(ri, cols).order_by(*cols)).all():
        add(ri, sa.and_(ri.c.kind == kind, ri.c.item_key == item), f"{kind} {item}")
    c.close()


def _batch_rows(conn: sa.Connection, report: IntegrityReport) -> None:
    c = _Collector(report, "batch_rows")
    b = batches_t
    carried = {}
    for tb in (reports_t, register_items_t):
        for batch, n in conn.execute(sa.select(tb.c.batch_id, sa.func.count()).group_by(tb.c.batch_id)):
            carried[batch] = carried.get(batch, 0) + int(n)
    for batch, source, added in conn.execute(
        sa.select(b.c.id, b.c.source_file, b.c.rows_added).order_by(b.c.id)
    ):
        actual = carried.get(batch, 0)
        if actual != int(added):
            c.add(
                "rel.f.batch_rows",
                table=b.name,
                loc=str(batch),
                batch=batch,
                source=source,
                expected=added,
                actual=actual,
            )
    c.close()


def _batch_match(conn: sa.Connection, report: IntegrityReport) -> None:
    """A report row can only disagree with its batch on the kind (its file and sha256 are the
    batch's); a register item row keeps its own file and sha256, which must be the batch's."""
    c = _Collector(report, "batch_match")
    b, r, ri = batches_t, reports_t, register_items_t
    stmt = (
        sa.select(r.c.id, r.c.batch_id, b.c.kind)
        .join(b, b.c.id == r.c.batch_id)
        .where(b.c.kind != REPORTS_KIND)
        .order_by(r.c.id)
    )
    for row_id, batch, bkind in conn.execute(stmt):
        c.add("rel.f.batch_kind", table=r.name, loc=str(row_id), id=row_id, batch=batch, kind=bkind)
    kind = sa.literal("register:") + ri.c.kind
    bad_file, bad_sha, bad_kind = (
        ri.c.source_file != b.c.source_file,
        ri.c.sha256 != b.c.sha256,
        b.c.kind != kind,
    )
    stmt = (
        sa.select(ri.c.id, ri.c.batch_id, b.c.kind, bad_file, bad_sha, bad_kind)
        .join(b, b.c.id == ri.c.batch_id)
        .where(sa.or_(bad_file, bad_sha, bad_kind))
        .order_by(ri.c.id)
    )
    for row_id, batch, bkind, file_differs, sha_differs, kind_differs in conn.execute(stmt):
        if kind_differs:
            c.add("rel.f.batch_kind", table=ri.name, loc=str(row_id), id=row_id, batch=batch, kind=bkind)
        for differs, fld in ((file_differs, "source_file"), (sha_differs, "sha256")):
            if differs:
                c.add("rel.f.batch_field", table=ri.name, loc=str(row_id), id=row_id, batch=batch, field=fld)
    c.close()


def _plan_versions(conn: sa.Connection, report: IntegrityReport, workspace: Path | None):
    from ..plan import parse_plan

    c = _Collector(report, "plan_versions")
    pv = plan_versions_t
    rows = conn.execute(sa.select(pv.c.version, pv.c.yaml, pv.c.sha256).order_by(pv.c.version)).all()
    versions = [int(r.version) for r in rows]
    if versions != list(range(1, len(versions) + 1)) or not versions:
        c.add(
            "rel.f.plan_numbers", table=pv.name, versions=",".join(map(str, versions)) or "-", n=len(versions)
        )
    for r in rows:
        if sha256_text(r.yaml) != r.sha256:
            c.add("rel.f.plan_sha256", table=pv.name, loc=str(r.version), version=r.version)
    plan = None
    if rows:
        latest = rows[-1]
        try:
            plan = parse_plan(latest.yaml, file=f"plan_versions@v{latest.version}")
        except KejifuError as exc:
            c.add(
                "rel.f.plan_invalid",
                table=pv.name,
                loc=str(latest.version),
                version=latest.version,
                msg=str(exc).splitlines()[0],
            )
        if workspace is not None:
            path = Path(workspace) / config.PLAN_FILE
            if path.is_file() and path.read_text(encoding="utf-8") != latest.yaml:
                c.add("rel.f.plan_file", level="warning", loc=str(path), version=latest.version)
    c.close()
    return plan


def _plan_refs(conn: sa.Connection, report: IntegrityReport, plan) -> None:
    c = _Collector(report, "plan_refs")
    if plan is None:
        c.close("warning")
        return
    orgs = set(plan.org_index) if hasattr(plan, "org_index") else {o.id for o in plan.orgs}
    measures = set(plan.reportable())
    r, s, ri = reports_t, series_t, register_items_t
    # report rows per series first (one pass over the narrow table), then summed per org / measure
    per_series = sa.select(r.c.series_id, sa.func.count().label("n")).group_by(r.c.series_id).subquery()

    def report_counts(col) -> sa.Select:
        n = sa.func.sum(per_series.c.n)
        return (
            sa.select(col, n)
            .join_from(per_series, s, s.c.id == per_series.c.series_id)
            .group_by(col)
            .order_by(col)
        )

    org_counts = (
        (r.name, report_counts(s.c.org)),
        (ri.name, sa.select(ri.c.org, sa.func.count()).group_by(ri.c.org).order_by(ri.c.org)),
    )
    for table, stmt in org_counts:
        for org, n in conn.execute(stmt):
            if org not in orgs:
                c.add("rel.f.unknown_org", level="warning", table=table, loc=org, org=org, n=int(n))
    for measure, n in conn.execute(report_counts(s.c.measure)):
        if measure not in measures:
            c.add(
                "rel.f.unknown_measure", level="warning", table=r.name, loc=measure, measure=measure, n=int(n)
            )
    c.close("warning")


def _values(conn: sa.Connection, report: IntegrityReport, plan) -> None:
    """Every stored figure is a plausible amount: finite, not negative, within its unit's ceiling
    (the plan's ``settings.limits``; 1e12 in the unit by default). Imports refuse such values; a
    store written another way (an old version, a hand edit) is caught here."""
    c = _Collector(report, "values")
    if plan is None:
        c.close()
        return
    try:
        ceiling = ceilings(plan.settings if isinstance(plan.settings, dict) else {})[0]
    except Exception:  # noqa: BLE001 - malformed limits are the plan checker's finding
        ceiling = lambda unit: DEFAULT_CEILING  # noqa: E731
    r, s = reports_t, series_t
    for measure, unit in sorted(plan.reportable().items()):
        limit = float(ceiling(unit))
        bad = sa.or_(r.c.value > limit, r.c.value < 0, r.c.value != r.c.value)
        q = (
            sa.select(s.c.org, r.c.month, r.c.value)
            .join_from(r, s, s.c.id == r.c.series_id)
            .where(s.c.measure == measure, bad)
        )
        for org, code, value in conn.execute(q.order_by(s.c.org, r.c.month)):
            month = month_text(code)
            c.add(
                "rel.f.implausible_value",
                table=r.name,
                loc=f"{org} {measure} {month}",
                org=org,
                measure=measure,
                month=month,
                value=f"{value:g}",
                unit=unit,
                limit=f"{limit:g}",
            )
    c.close()


def _items(conn: sa.Connection, report: IntegrityReport) -> None:
    c = _Collector(report, "items")
    ri = register_items_t
    for row_id, key, attrs in conn.execute(sa.select(ri.c.id, ri.c.item_key, ri.c.attrs).order_by(ri.c.id)):
        try:
            ok = isinstance(json.loads(attrs), dict)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            c.add("rel.f.attrs", table=ri.name, loc=str(row_id), what=key, id=row_id)
    c.close()


def _pages(conn: sa.Connection, report: IntegrityReport) -> None:
    c = _Collector(report, "pages")
    for month, what in pages.differences(conn):
        label = month_text(month)
        c.add("rel.f.page", table=pages_t.name, loc=label, month=label, what=what)
    c.close()
