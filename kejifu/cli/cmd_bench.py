"""``kejifu bench [--scale county|city|province] [--json FILE] [--repeat N]``: scale and speed.

Generates synthetic data at the chosen scale and prints a table of timings (medians),
memory and the goals next to them; ``--json`` also writes the measurements to a file.
See :mod:`kejifu.scale.bench`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UsageError
from . import paths


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="性能测试（合成数据） / benchmark on synthetic data",
        description="用合成数据测量状态计算、汇总、导入等的速度和内存 / "
        "measure status, roll-up, imports, memory on synthetic data",
    )
    p.add_argument(
        "--scale",
        choices=("county", "city", "province"),
        default="province",
        help="规模：县、市、省 / scale: county (20 towns), city (150), province (2,400)",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="每项重复次数（取中位数） / runs per measurement (median)"
    )
    p.add_argument("--json", metavar="FILE", help="结果另存为JSON / also write the results as JSON")
    p.add_argument("--seed", type=int, default=0, help="随机种子 / random seed")
    p.add_argument(
        "--naive-towns",
        type=int,
        default=150,
        help="朴素循环实现最多用多少个乡镇（其余线性外推） / "
        "towns the naive loop runs on (then extrapolated)",
    )
    p.add_argument("--files", type=int, default=100, help="导入测试的乡镇文件数 / town xlsx files to import")
    p.add_argument("--no-dashboard", action="store_true", help="不测仪表盘 / skip the dashboard measurement")
    p.add_argument("--no-store", action="store_true", help="不写入工作区数据库 / skip the workspace store")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        raise UsageError("--repeat 至少为1", "--repeat must be at least 1", field="--repeat")
    if args.naive_towns < 1:
        raise UsageError("--naive-towns 至少为1", "--naive-towns must be at least 1", field="--naive-towns")
    if not 1 <= args.files <= 150:
        raise UsageError("--files 应在1到150之间", "--files must be 1..150", field="--files")
    if args.json:
        paths.output_file(args.json, "--json", force=True)  # a rerun rewrites its results
    from ..scale import bench

    result = bench.run(
        args.scale,
        repeat=args.repeat,
        seed=args.seed,
        dashboard=not args.no_dashboard,
        naive_towns=args.naive_towns,
        store=not args.no_store,
        n_files=args.files,
        progress=lambda msg: print(f"… {msg}", file=sys.stderr, flush=True),
    )
    print(bench.format_table(result))
    if args.json:
        Path(args.json).write_text(
            json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return 0
