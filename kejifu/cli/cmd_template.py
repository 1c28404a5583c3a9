"""``kejifu template DIR --org ID --month YYYY-MM [--out FILE|DIR]``: the fill-in template of a town.

``--out`` may name a folder: the template is written into it under its default name.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..errors import KejifuError
from ..i18n import both
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "template", help=both("cli.template.help"), description=both("cli.template.help")
    )
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--org", required=True, help=both("cli.template.org"))
    p.add_argument("--month", required=True, metavar="YYYY-MM", help=both("cli.template.month"))
    p.add_argument("--out", metavar="FILE", help=both("cli.template.out"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("cli.lang"))
    p.set_defaults(func=run)


def default_name(org_name: str, month: str) -> str:
    """``模板_湖头镇_2005-06.xlsx``; characters a file name cannot hold (``/ \\ : * ? " < > |``,
    control characters) become ``_``, so an org's name never leads out of the folder."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", org_name).strip(" .") or "_"
    return f"模板_{safe}_{month}.xlsx"


def run(args: argparse.Namespace) -> int:
    from ..io.template import check_args, template_rows, write_template
    from ..workspace import open_workspace

    with open_workspace(paths.workspace(args.dir)) as ws:
        plan = ws.plan
        reports = ws.store.reports()
        org, month = check_args(plan, args.org, args.month)
        default = default_name(plan.org_name(org), month)
        out = Path(args.out) if args.out else Path(default)
        if out.is_dir():  # --out DIR: the template goes into the folder, under its default name
            out = out / default
        elif out.suffix.lower() != ".xlsx":
            out = out.with_suffix(".xlsx")
        try:
            write_template(plan, org, month, out, reports, lang=args.lang)
        except OSError as exc:
            raise KejifuError(
                f"无法写入文件：{exc.strerror}", f"cannot write the file: {exc.strerror}", file=str(out)
            ) from None
        n = len(template_rows(plan, org, month, reports))
    print(both("cli.template.done", path=out, n=n))
    return 0
