"""``kejifu init DIR [--demo] [--plan FILE]``: create a workspace (plan.yaml + store)."""

from __future__ import annotations

import argparse

from .. import config
from ..errors import KejifuError, UsageError
from ..i18n import both, t
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser("init", help=both("cli.init.help"), description=both("cli.init.help"))
    p.add_argument("dir", metavar="DIR", help=both("cli.dir"))
    p.add_argument("--demo", action="store_true", help=both("cli.init.demo"))
    p.add_argument("--plan", metavar="FILE", help=both("cli.init.plan"))
    p.add_argument("--seed", type=int, default=2005, help=both("cli.init.seed"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io.importer import default_who

    paths.new_folder(args.dir)
    if args.plan:
        paths.input_file(args.plan, "--plan")
    if args.demo:
        if args.plan:
            raise UsageError(t("cli.init.demo_plan", "zh"), t("cli.init.demo_plan", "en"), field="--plan")
        try:
            from ..demo import build_demo
        except ImportError:
            raise KejifuError(t("cli.init.no_demo", "zh"), t("cli.init.no_demo", "en")) from None
        build_demo(args.dir, seed=args.seed)
        from ..store import Store

        with Store.open(args.dir, readonly=True) as store:
            title = store.plan().plan.title
    else:
        from ..plancheck import accept_plan
        from ..store import Store

        plan_file = args.plan or config.demo_plan()
        accept_plan(plan_file)  # the checks of `kejifu plan`: a plan it refuses is refused here too
        store = Store.create(args.dir, plan_file, who=default_who())
        try:
            title = store.plan().plan.title
        finally:
            store.close()
    print(both("cli.init.done", path=config.workspace_dir(args.dir), plan=title))
    return 0
