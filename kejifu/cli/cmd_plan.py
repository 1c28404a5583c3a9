"""``kejifu plan FILE``: validate a plan file and list the plan checks' findings."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import config
from ..deputies import check_settings
from ..plan import load_plan
from ..plancheck import check_plan, errors

#: How a finding of each level is tagged: an acknowledged or pending finding is a note, not a warning.
TAGS = {"error": "错误 / error", "warning": "提示 / warning", "note": "说明 / note"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="检查计划文件 / validate a plan file and show the plan checks",
        description="校验计划文件（YAML）并列出计划检查结果（分解合计、力争目标、百分点等）。\n"
        "Validate a plan file (YAML) and list the findings of the plan checks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="计划文件或工作区目录 / a plan file or a workspace folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.is_dir():
        path = path / config.PLAN_FILE
    plan = load_plan(path)
    findings = check_plan(plan, str(path)) + check_settings(plan, str(path))
    print(
        f"{plan.plan.title}（{plan.plan.region}，{plan.year}）：{len(plan.targets)}项指标 / targets，"
        f"{len(plan.orgs)}个单位 / orgs"
    )
    for f in findings:
        print(f"[{TAGS.get(f.level, TAGS['warning'])}] {f}")
    if not findings:
        print("计划检查通过 / the plan checks found nothing")
    return 1 if errors(findings) else 0
