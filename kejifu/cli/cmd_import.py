"""``kejifu import DIR FILE... [--who NAME]``: import monthly report files, each whole or not at all.

Per file: rows added / unchanged, or "imported before"; warnings; a refused file is
listed with every problem (on stderr, one ``file:row: field: 中文 / English`` per line).
Exit 1 when any file was refused.
"""

from __future__ import annotations

import argparse
import sys

from ..i18n import both


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help=both("cli.import.help"), description=both("cli.import.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("files", metavar="FILE", nargs="+", help=both("cli.import.files"))
    p.add_argument("--who", metavar="NAME", help=both("cli.import.who"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io.importer import import_files
    from ..store import Store

    store = Store.open(args.dir)
    try:
        outcomes = import_files(store, args.files, who=args.who)
    finally:
        store.close()
    warn = both("cli.import.warning")
    for o in outcomes:
        if o.ok:
            r = o.result
            if r.duplicate_file:
                print(f"{o.file}: {both('cli.import.duplicate')}")
            else:
                print(
                    f"{o.file}: {both('cli.import.added', added=r.rows_added, unchanged=r.rows_unchanged, revised=r.revised)}"
                )
            for p in o.warnings:
                print(f"  {warn}: {p}")
        else:
            print(f"{o.file}: {both('cli.import.refused', n=len(o.errors))}")
            for p in o.errors:
                print(str(p), file=sys.stderr)
            for p in o.warnings:
                print(f"  {warn}: {p}")
    bad = sum(not o.ok for o in outcomes)
    print(both("cli.import.summary", n=len(outcomes), ok=len(outcomes) - bad, bad=bad))
    return 1 if bad else 0
