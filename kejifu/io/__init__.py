"""Report files in and out: read town reports (CSV/XLSX), validate them, commit them whole
or not at all; write fill-in templates and the monthly progress table.

- :mod:`kejifu.io.reading`  — find the table in a file → raw rows with line numbers
- :mod:`kejifu.io.validate` — raw rows → clean reports frame, or every located problem
- :mod:`kejifu.io.importer` — read + validate + commit one or many files
- :mod:`kejifu.io.template` — the fill-in workbook for one town and month
- :mod:`kejifu.io.export`   — the monthly progress table (xlsx/csv), formula-safe cells
"""

from .reading import RawRow, RawTable, read_table
from .validate import Checked, parse_month, validate, validate_table

__all__ = ["RawRow", "RawTable", "read_table", "Checked", "parse_month", "validate", "validate_table"]
