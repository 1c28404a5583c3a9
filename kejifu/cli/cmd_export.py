"""``kejifu export DIR [--as-of DATE] --out FILE``: the monthly progress table as .xlsx or .csv."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import KejifuError, UsageError
from ..i18n import both, t
from . import paths
from .cmd_status import parse_as_of


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help=both("cli.export.help"), description=both("cli.export.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--as-of", metavar="DATE", help=both("cli.as_of"))
    p.add_argument("--out", metavar="FILE", required=True, help=both("cli.export.out"))
    p.add_argument("--rollup", action="store_true", help=both("cli.export.rollup"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("cli.lang"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io.export import export_status
    from ..workspace import open_workspace

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(
            t("cli.export.bad_suffix", "zh", path=out),
            t("cli.export.bad_suffix", "en", path=out),
            field="--out",
        )
    as_of = parse_as_of(args.as_of)
    with open_workspace(paths.workspace(args.dir)) as ws:
        frame = ws.status(as_of, rollup=args.rollup, lang=args.lang)
        try:
            export_status(frame, ws.plan, out, lang=args.lang)
        except OSError as exc:
            raise KejifuError(
                f"无法写入文件：{exc.strerror}", f"cannot write the file: {exc.strerror}", file=str(out)
            ) from None
    print(both("cli.export.done", path=out, n=len(frame)))
    return 0
