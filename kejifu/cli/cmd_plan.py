"""``kejifu plan``: check a plan file, and write it as a workbook, read it back, or draft next year's.

- ``kejifu plan FILE`` — validate a plan file and list the plan checks' findings;
- ``kejifu plan export FILE --out 目标分解表.xlsx [--force]`` — the plan as a workbook to edit
  (``--blank YEAR`` instead of ``FILE``: a workbook to write a new county's plan from scratch);
- ``kejifu plan import 目标分解表.xlsx --out PLAN.yaml [--force]`` — the workbook back into a plan
  file, through the same validation and checks, each message at its ``file:sheet!cell``;
- ``kejifu plan next DIR [--year Y] --out plan-Y.yaml [--xlsx FILE] [--as-of DATE] [--force]`` —
  next year's plan from this year's actuals in the workspace ``DIR``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .. import config
from ..deputies import check_settings
from ..errors import KejifuError, PlanError, Problem
from ..i18n import both
from ..plan import load_plan
from ..plancheck import check_plan, errors
from . import paths

#: How a finding of each level is tagged: an acknowledged or pending finding is a note, not a warning.
TAGS = {"error": "错误 / error", "warning": "提示 / warning", "note": "说明 / note"}
#: The sub-commands of ``kejifu plan`` (a plan file so named is given as ``./export``).
ACTIONS = ("export", "import", "next")

DESCRIPTION = """校验计划文件（YAML）并列出计划检查结果（分解合计、力争目标、百分点等）。
Validate a plan file (YAML) and list the findings of the plan checks.

  kejifu plan FILE                                        检查计划 / check a plan
  kejifu plan export FILE --out 目标分解表.xlsx [--force]   计划写成工作簿 / the plan as a workbook
  kejifu plan export --blank 2006 --out 目标分解表.xlsx     空白分解表 / a blank workbook to start from
  kejifu plan import 目标分解表.xlsx --out PLAN.yaml [--force]
                                                          工作簿导回计划文件 / the workbook back to YAML
  kejifu plan next DIR [--year Y] --out plan-Y.yaml [--xlsx FILE] [--as-of DATE] [--force]
                                                          由今年实绩生成明年计划 / next year's plan
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="检查计划文件，计划与工作簿互转，生成明年计划 / check a plan; plan ⇄ workbook; next year's plan",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "file",
        help="计划文件或工作区目录，或 export/import/next / a plan file or workspace, or a sub-command",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _sub_parser(action: str) -> argparse.ArgumentParser:
    from . import _Parser

    p = _Parser(prog=f"kejifu plan {action}", formatter_class=argparse.RawDescriptionHelpFormatter)
    force = "覆盖已有的输出文件 / overwrite an existing output file"
    if action == "export":
        p.description = "计划文件写成目标任务分解表（xlsx） / write a plan file as the plan workbook (xlsx)"
        p.add_argument(
            "file", metavar="FILE", nargs="?", help="计划文件或工作区目录 / a plan file or a workspace folder"
        )
        p.add_argument("--out", metavar="FILE.xlsx", required=True, help="工作簿 / the workbook to write")
        p.add_argument(
            "--blank",
            metavar="YEAR",
            type=int,
            help="不读计划，写出该年度的空白分解表 / no plan: a blank workbook for this year",
        )
    elif action == "import":
        p.description = "目标任务分解表导回计划文件（YAML） / read the plan workbook back into a plan file"
        p.add_argument("file", metavar="FILE.xlsx", help="工作簿 / the plan workbook")
        p.add_argument("--out", metavar="PLAN.yaml", required=True, help="计划文件 / the plan file to write")
    else:
        p.description = "由工作区今年的实绩生成明年计划草稿 / draft next year's plan from this year's actuals"
        p.add_argument("dir", metavar="DIR", help="工作区目录 / the workspace folder")
        p.add_argument(
            "--year", type=int, help="新计划年度（默认下一年） / the new plan's year (default: next)"
        )
        p.add_argument("--out", metavar="PLAN.yaml", required=True, help="计划文件 / the plan file to write")
        p.add_argument("--xlsx", metavar="FILE.xlsx", help="同时写成工作簿 / also write the plan workbook")
        p.add_argument(
            "--as-of", metavar="DATE", help="实绩截至日期（默认年底） / actuals as of (default: 31 Dec)"
        )
    p.add_argument("--force", action="store_true", help=force)
    return p


def _print(findings: list[Problem], *, errors_to_stderr: bool = False) -> None:
    for f in findings:
        where = sys.stderr if errors_to_stderr and f.level == "error" else sys.stdout
        print(f"[{TAGS.get(f.level, TAGS['warning'])}] {f}", file=where)


def run(args: argparse.Namespace) -> int:
    if args.file in ACTIONS:
        sub = _sub_parser(args.file).parse_args(args.rest)
        if getattr(sub, "dir", None) is not None:
            paths.database(None)
        return {"export": _export, "import": _import, "next": _next}[args.file](sub)
    if args.rest:
        _sub_parser("export").error(f"unrecognized arguments: {' '.join(args.rest)}")
    return check(args.file)


def check(file: str) -> int:
    """``kejifu plan FILE``: the plan's summary and every finding; 1 when any is an error."""
    path = Path(file)
    if path.is_dir():
        path = path / config.PLAN_FILE
    plan = load_plan(path)
    findings = check_plan(plan, str(path)) + check_settings(plan, str(path))
    print(
        f"{plan.plan.title}（{plan.plan.region}，{plan.year}）：{len(plan.targets)}项指标 / targets，"
        f"{len(plan.orgs)}个单位 / orgs"
    )
    _print(findings)
    if not findings:
        print("计划检查通过 / the plan checks found nothing")
    return 1 if errors(findings) else 0


def _export(args: argparse.Namespace) -> int:
    from ..io.planbook import blank_plan, write_planbook
    from ..plancheck import accept_plan

    if (args.file is None) == (args.blank is None):
        _sub_parser("export").error("give FILE or --blank YEAR / 请给出计划文件或 --blank 年度")
    out = paths.output_file(args.out, force=args.force, suffixes=(".xlsx",))
    if args.blank is not None:
        plan = blank_plan(args.blank)
    else:
        src = Path(args.file)
        src = src / config.PLAN_FILE if src.is_dir() else paths.input_file(src)
        plan, findings = accept_plan(src)
        _print(findings + check_settings(plan, str(src)))
    write_planbook(plan, out)
    print(both("planbook.done.export", path=out, targets=len(plan.targets), orgs=len(plan.orgs)))
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..io.planbook import plan_yaml
    from ..io.planbook_read import import_planbook

    src = paths.input_file(args.file)
    out = paths.output_file(args.out, force=args.force, suffixes=(".yaml", ".yml"))
    try:
        plan, findings = import_planbook(src)
    except PlanError as exc:
        _print(exc.problems, errors_to_stderr=True)
        print(both("planbook.done.not_written", path=out), file=sys.stderr)
        return 1
    _print(findings)
    header = both("planbook.yaml_header", source=src.name)
    out.write_text(plan_yaml(plan, header), encoding="utf-8")
    print(both("planbook.done.import", path=out))
    return 0


def _next(args: argparse.Namespace) -> int:
    from ..io.planbook import plan_yaml, write_planbook
    from ..nextplan import next_plan
    from ..plan import parse_plan
    from ..workspace import open_workspace
    from .cmd_status import parse_as_of

    out = paths.output_file(args.out, force=args.force, suffixes=(".yaml", ".yml"))
    book = (
        paths.output_file(args.xlsx, "--xlsx", force=args.force, suffixes=(".xlsx",)) if args.xlsx else None
    )
    with open_workspace(paths.workspace(args.dir)) as ws:
        plan = ws.plan
        as_of = parse_as_of(args.as_of) if args.as_of else dt.date(plan.year, 12, 31)
        frame = ws.status(as_of)
        month = ws.data_month(as_of)
    year = args.year if args.year is not None else plan.year + 1
    data, findings = next_plan(plan, frame, year=year, data_month=month)
    header = both("nextplan.yaml_header", source=Path(args.dir).name or args.dir, prev=plan.year, year=year)
    header += "\n" + both("nextplan.data_month", prev=plan.year, month=month or "—")
    import yaml

    try:
        new = parse_plan(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), file=str(out))
    except KejifuError as exc:  # a plan that validated this year always gives one that validates
        raise PlanError(problems=exc.problems) from None
    out.write_text(plan_yaml(new, header), encoding="utf-8")
    checks = check_plan(new, str(out))  # located at their lines of the file just written
    _print([Problem(p.zh, p.en, file=str(out), field=p.field, level=p.level) for p in findings] + checks)
    print(both("nextplan.written", year=year, path=out, targets=len(new.targets)))
    if book is not None:
        write_planbook(new, book)
        print(both("planbook.done.export", path=book, targets=len(new.targets), orgs=len(new.orgs)))
    return 1 if errors(checks) else 0
