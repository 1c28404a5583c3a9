"""Files in and out: read town reports (CSV/XLSX), validate them, commit them whole
or not at all; read registers; write fill-in templates and the monthly progress table.

- :mod:`kejifu.io.cells`     — what a cell means: blank, header names, yes/no, dates, formula-safe text
- :mod:`kejifu.io.sheets`    — the bounded xlsx core: a workbook opened once, read-only, capped
- :mod:`kejifu.io.reading`   — every workbook and CSV of the project → grids; the report table in a file
- :mod:`kejifu.io.validate`  — raw rows → clean reports frame, or every located problem
- :mod:`kejifu.io.fastrows`  — the clean rows of a report file, found column by column over distinct cells
- :mod:`kejifu.io.importer`  — read + validate + commit one or many files, each file's own outcome
- :mod:`kejifu.io.registers` — register files (台帐) → validated register items
- :mod:`kejifu.io.template`  — the fill-in workbook for one town and month
- :mod:`kejifu.io.export`    — the monthly progress table (xlsx/csv), formula-safe cells
- :mod:`kejifu.io.planbook` — the plan as a workbook a planner edits (目标分解表), and plan → YAML text
- :mod:`kejifu.io.planbook_read` — that workbook back to a plan, every message at its sheet!cell
"""

from .cells import is_blank, neutralise, parse_date, truthy
from .reading import RawRow, RawTable, read_sheets, read_table
from .validate import Checked, parse_month, validate, validate_table

__all__ = [
    "RawRow",
    "RawTable",
    "read_sheets",
    "read_table",
    "Checked",
    "parse_month",
    "validate",
    "validate_table",
    "is_blank",
    "neutralise",
    "parse_date",
    "truthy",
]
