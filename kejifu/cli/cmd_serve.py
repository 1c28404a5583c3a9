"""``kejifu serve DIR``: the leaders' dashboards (Voila) on the workspace DIR, read-only."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="启动看板（Voila） / serve the dashboards (Voila)",
        description="在本机启动领导看板，只读打开工作区 DIR；首页（/）列出各看板及其要点。\n"
        "Serve the leaders' dashboards on this machine; the workspace DIR is opened read-only. "
        "The front page (/) lists every dashboard with its key count.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", metavar="DIR", help="工作区目录 / workspace folder")
    p.add_argument("--port", type=int, default=8866, help="端口 / port (default 8866)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址 / address to listen on (default 127.0.0.1); 非本机地址需令牌 / any other "
        "address requires a token (one is generated and printed with the URL)",
    )
    p.add_argument(
        "--token",
        default=None,
        help="访问令牌（默认随机生成）/ access token for a non-loopback --host (default: generated)",
    )
    p.add_argument("--no-browser", action="store_true", help="不打开浏览器 / do not open a browser")
    p.add_argument(
        "--pool-size",
        type=int,
        default=2,
        help="每个看板预热的内核数 / pre-heated kernels per dashboard (default 2)",
    )
    p.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        metavar="N",
        help="同时最多打开的看板页面数（默认按内存估算）；超出时显示「访问人数较多，请稍后刷新」/ "
        "at most N dashboard pages at once (default: sized to memory); beyond it a page says "
        "the server is busy (HTTP 503)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..web import serve

    workspace = Path(args.dir)
    if not workspace.is_dir():
        raise UsageError(f"工作区不存在：{workspace}", f"no such workspace: {workspace}", file=str(workspace))
    if not 0 < args.port < 65536:
        raise UsageError(f"端口无效：{args.port}", f"invalid port: {args.port}", field="--port")
    if args.max_kernels is not None and args.max_kernels < 1:
        raise UsageError(
            f"--max-kernels 须为正整数：{args.max_kernels}",
            f"--max-kernels must be a positive whole number: {args.max_kernels}",
            field="--max-kernels",
        )
    opts = serve.ServeOptions(
        port=args.port,
        host=args.host,
        open_browser=not args.no_browser,
        pool_size=max(args.pool_size, 1),
        token=args.token or None,
        max_kernels=args.max_kernels,
    )
    return serve.serve(workspace, opts)
