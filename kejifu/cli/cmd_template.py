"""``kejifu template DIR --org ID --month YYYY-MM [--out FILE|DIR]``: the fill-in template of a town;
``kejifu template DIR --register KIND [--out FILE|DIR]``: the blank register (台帐) template of a kind.

``--out`` may name a folder: the template is written into it under its default name.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..errors import KejifuError
from ..i18n import both, t
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "template", help=both("cli.template.help"), description=both("cli.template.help")
    )
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--org", help=both("cli.template.org"))
    p.add_argument("--month", metavar="YYYY-MM", help=both("cli.template.month"))
    p.add_argument("--register", metavar="KIND", help=both("registers.cli.template"))
    p.add_argument("--out", metavar="FILE", help=both("cli.template.out"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=both("cli.lang"))
    p.set_defaults(func=run)


def default_name(org_name: str, month: str) -> str:
    """``模板_湖头镇_2005-06.xlsx``; characters a file name cannot hold (``/ \\ : * ? " < > |``,
    control characters) become ``_``, so an org's name never leads out of the folder."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", org_name).strip(" .") or "_"
    return f"模板_{safe}_{month}.xlsx"


def _out_path(arg: str | None, default: str) -> Path:
    """``--out`` as a file path: a folder gets ``default`` inside it; the suffix is ``.xlsx``."""
    out = Path(arg) if arg else Path(default)
    if out.is_dir():  # --out DIR: the template goes into the folder, under its default name
        return out / default
    return out if out.suffix.lower() == ".xlsx" else out.with_suffix(".xlsx")


def run_register(args: argparse.Namespace) -> int:
    """The blank register template of ``args.register`` (``台帐_农村科技信息机台帐_2005.xlsx``)."""
    from ..errors import ReportImportError, UsageError
    from ..io.registers import check_kind, register_title, write_register_template
    from ..workspace import open_workspace

    with open_workspace(paths.workspace(args.dir)) as ws:
        plan = ws.plan
        try:
            kind = check_kind(plan, args.register)
        except ReportImportError as exc:
            raise UsageError(problems=exc.problems) from None
        title = register_title(kind, args.lang)
        out = _out_path(args.out, default_name(title, str(plan.year)).replace("模板_", "台帐_", 1))
        try:
            write_register_template(plan, kind, out, lang=args.lang)
        except OSError as exc:
            raise KejifuError(
                f"无法写入文件：{exc.strerror}", f"cannot write the file: {exc.strerror}", file=str(out)
            ) from None
    print(both("registers.cli.template_done", path=out, register=title))
    return 0


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..io.template import check_args, template_rows, write_template
    from ..workspace import open_workspace

    if getattr(args, "register", None):
        return run_register(args)
    if not args.org or not args.month:
        raise UsageError(t("registers.cli.need_org_month"), t("registers.cli.need_org_month", "en"))

    with open_workspace(paths.workspace(args.dir)) as ws:
        plan = ws.plan
        reports = ws.store.reports()
        org, month = check_args(plan, args.org, args.month)
        default = default_name(plan.org_name(org), month)
        out = _out_path(args.out, default)
        try:
            write_template(plan, org, month, out, reports, lang=args.lang)
        except OSError as exc:
            raise KejifuError(
                f"无法写入文件：{exc.strerror}", f"cannot write the file: {exc.strerror}", file=str(out)
            ) from None
        n = len(template_rows(plan, org, month, reports))
    print(both("cli.template.done", path=out, n=n))
    return 0
