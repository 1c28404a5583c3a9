"""``kejifu import DIR FILE... [--who NAME] [--register KIND]``: import monthly report files (or, with
``--register``, register files of one kind: terminals, patents, research_institutions, specialists),
each whole or not at all.

Every file is tried, whatever happened to the ones before it. Each file's result is printed as
soon as it is done: rows added / unchanged, or "imported before"; warnings; a refused file is
listed with every problem (on stderr, one ``file:row: field: 中文 / English`` per line; many of
one kind are shown as a few and a count). A summary line ends the run. Exit 1 when any file
was refused.
"""

from __future__ import annotations

import argparse
import sys

from ..i18n import both
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help=both("cli.import.help"), description=both("cli.import.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("files", metavar="FILE", nargs="+", help=both("cli.import.files"))
    p.add_argument("--who", metavar="NAME", help=both("cli.import.who"))
    p.add_argument("--register", metavar="KIND", help=both("registers.cli.import"))
    p.set_defaults(func=run)


def _say(text: str, file=None) -> None:
    """Print a line without breaking the progress bar on stderr (the bar is cleared, the line
    written on its own, the bar drawn again)."""
    from tqdm import tqdm

    tqdm.write(text, file=file or sys.stdout)


def show(o) -> None:
    """Print one file's outcome (a :class:`kejifu.io.importer.FileOutcome`) as it finishes."""
    warn = both("cli.import.warning")
    if o.ok:
        r = o.result
        if r.duplicate_file:
            _say(f"{o.file}: {both('cli.import.duplicate')}")
        else:
            added = both(
                "cli.import.added", added=r.rows_added, unchanged=r.rows_unchanged, revised=r.revised
            )
            _say(f"{o.file}: {added}")
    else:
        _say(f"{o.file}: {both('cli.import.refused', n=len(o.errors))}")
        for p in o.errors:
            _say(str(p), file=sys.stderr)
    for p in o.warnings:
        _say(f"  {warn}: {p}")
    sys.stdout.flush()
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from ..io.importer import import_files
    from ..store import Store

    store = Store.open(paths.workspace(args.dir))
    try:
        if getattr(args, "register", None):  # register files (台帐) of one kind
            from ..errors import ReportImportError, UsageError
            from ..io.registers import check_kind, import_register_files

            try:
                check_kind(store.plan(), args.register)
            except ReportImportError as exc:  # an unknown kind is misuse (exit 2), not a bad file
                raise UsageError(problems=exc.problems) from None
            outcomes = import_register_files(store, args.files, args.register, who=args.who, on_outcome=show)
        else:
            outcomes = import_files(store, args.files, who=args.who, on_outcome=show)
    finally:
        store.close()
    bad = sum(not o.ok for o in outcomes)
    print(both("cli.import.summary", n=len(outcomes), ok=len(outcomes) - bad, bad=bad))
    return 1 if bad else 0
