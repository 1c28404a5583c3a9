"""The workspace store: one embedded database (SQLite by default, any SQLAlchemy URL through
``KEJIFU_DB_URL``) that keeps every plan version, batch and report revision, append-only.

Modules, in flow order:

- :mod:`.revisions`: the :class:`Store` (create, open, commit batches, read the latest revision);
- :mod:`.integrity`: ``kejifu check`` — the store's invariants, read back;
- :mod:`.backup`: ``kejifu dump`` / ``kejifu restore`` — a portable zip of every table.

``from kejifu.store import Store`` is the short import notebooks and the CLI use.
"""

from .revisions import (
    REPORTS_KIND,
    ImportResult,
    Store,
    metadata,
    sha256_file,
    sha256_text,
)

__all__ = ["REPORTS_KIND", "ImportResult", "Store", "metadata", "sha256_file", "sha256_text"]
