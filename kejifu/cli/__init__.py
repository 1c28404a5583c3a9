"""The ``kejifu`` command: one entry point, a sub-command per module ``cmd_*.py`` here.

Each ``kejifu/cli/cmd_<name>.py`` defines ``register(subparsers)`` which adds its
sub-parser and sets ``func`` (a callable taking the parsed ``args`` and returning
an exit code). Exit codes: 0 ok, 1 bad input (every problem listed as
``file:row: field: 中文 / English``), 2 misuse. No traceback reaches the user for
bad input.

Path arguments are checked by the helpers of :mod:`kejifu.cli.paths` before a command runs
(exists / is a folder / writable / not overwritten without ``--force``); a database server
named by ``KEJIFU_DB_URL`` or ``--url`` that does not answer is reported as unreachable.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from ..errors import KejifuError, UsageError

EXIT_OK, EXIT_BAD_INPUT, EXIT_MISUSE = 0, 1, 2

DESCRIPTION = """kejifu 科技副 — 县级科技计划目标管理与进度跟踪
planning and target-tracking workbook for county technology plans"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse misuse -> exit 2 with a bilingual hint
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 用法错误 / usage error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_MISUSE)


def _wanted(argv: list[str] | None) -> str | None:
    """The sub-command named on the command line, if any (so only its module is imported)."""
    for token in argv or []:
        if not token.startswith("-"):
            return token
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``kejifu`` parser; with ``argv`` naming a known sub-command only that module is
    imported (the others pull in pandas, openpyxl, python-docx… and slow every start)."""
    parser = _Parser(
        prog="kejifu", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"kejifu {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title="命令 / commands"
    )
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))
    wanted = _wanted(argv)
    if wanted is not None and f"cmd_{wanted}" in names:
        names = [f"cmd_{wanted}"]
    for name in names:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def report_problems(exc: KejifuError) -> None:
    """Print every located problem of ``exc`` on stderr, one per line."""
    for problem in exc.problems:
        print(str(problem), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_MISUSE
    try:
        if getattr(args, "dir", None) is not None:
            from . import paths

            paths.database(getattr(args, "url", None))  # "unreachable", not "not a workspace"
        return int(args.func(args) or 0)
    except UsageError as exc:
        report_problems(exc)
        return EXIT_MISUSE
    except KejifuError as exc:
        report_problems(exc)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kejifu status … | head`: the reader has gone, which is not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a file the checks could not foresee (a full disk, a vanished folder)
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or str(exc)
        from ..i18n import both

        print(where + both("cli.os_error", reason=reason), file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
