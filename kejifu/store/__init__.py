"""The workspace store: one embedded database (SQLite by default, any SQLAlchemy URL through
``KEJIFU_DB_URL``) that keeps every plan version, batch and report revision, append-only.

Modules, in flow order:

- :mod:`.engine`: database URLs, engine creation, SQLite settings, the one-writer lock;
- :mod:`.schema`: the tables (metadata), the column lists readers use, the schema version;
- :mod:`.keys`: the reports' integer keys (series id, month ``YYYYMM``) and their texts;
- :mod:`.migrate`: upgrading a store of an older kejifu (schema 1), called by ``Store.open``;
- :mod:`.batches`: import batches, :class:`ImportResult`, the sha256 a file is known by;
- :mod:`.plan_versions`: plan versions, their snapshot tables and the parsed-plan cache;
- :mod:`.report_rows`: incoming report rows checked and compared with the latest revision;
- :mod:`.writes`: bulk appends (executemany on SQLite, COPY on PostgreSQL);
- :mod:`.register_items`: register items (台帐), append-only;
- :mod:`.reads`: the latest revision chosen in SQL, read straight into pandas;
- :mod:`.revisions`: the :class:`Store` (create, open, commit batches, read the latest revision);
- :mod:`.integrity`: ``kejifu check`` — the store's invariants, read back;
- :mod:`.backup`: ``kejifu dump`` / ``kejifu restore`` — a portable zip of every table.

``from kejifu.store import Store`` is the short import notebooks and the CLI use.
"""

from .batches import ImportResult, sha256_file, sha256_text
from .revisions import Store
from .schema import REPORTS_KIND, metadata

__all__ = ["REPORTS_KIND", "ImportResult", "Store", "metadata", "sha256_file", "sha256_text"]
