"""Take the README's screenshots of every dashboard, on a desktop and on a phone.

A fresh demo workspace is served by a real ``kejifu serve`` (Voila) on a free loopback port and
each dashboard is opened in Debian's Chromium (the browser tests' launch arguments), at

- ``desktop``: 1280 px wide, the whole board (the page grown to its content, at most
  :data:`MAX_HEIGHT` px) → ``docs/screenshots/<name>_desktop.png``;
- ``phone``: 390 × 844 px at device scale 2 (an iPhone 12–15), the first screen a leader sees
  → ``docs/screenshots/<name>_phone.png``;
- ``tablet`` (only when asked with ``--sizes``): 768 × 1024 px, the first screen;

and the front page at ``/`` at the same sizes (``00_front_<size>.png``, the whole page).

Usage::

    .venv/bin/python scripts/screenshots.py                      # desktop and phone, every board
    .venv/bin/python scripts/screenshots.py --sizes phone --full # phone shots of the whole board
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8866 --out /tmp/shots

``--base`` uses a server already running instead of starting one (it must serve the demo data).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: dashboard notebook -> (screenshot name, charts drawn on first load)
DASHBOARDS = {
    "01_总览": ("01_overview", 1),
    "02_指标详情": ("02_target_detail", 1),
    "03_乡镇排名": ("03_towns", 2),
    "04_高新技术产业": ("04_hightech", 2),
    "05_科技副职": ("05_deputies", 3),
}
#: size name -> (width [px], height [px], device scale factor, whole board by default)
SIZES = {
    "desktop": (1280, 900, 1, True),
    "phone": (390, 844, 2, False),
    "tablet": (768, 1024, 1, False),
}
#: The tallest whole-board shot [px]: a longer board is cut there.
MAX_HEIGHT = 4000
#: The live board has drawn its charts and replaced the static first view.
ALL_DRAWN = """(n) => {
  const all = document.querySelectorAll('.kejifu-plot');
  return !document.getElementById('kejifu-prerender') && document.querySelector('.kejifu-board') !== null
    && all.length >= n && document.querySelectorAll('.kejifu-plot:not([data-drawn="yes"])').length === 0
    && document.querySelectorAll('.kejifu-plot .main-svg').length >= n;
}"""
#: Height of the board's content [px]: Voila scrolls inside #rendered_cells, not the document.
CONTENT_HEIGHT = """() => {
  const cells = document.getElementById('rendered_cells');
  const top = cells ? cells.getBoundingClientRect().top : 0;
  return Math.ceil(top + (cells ? cells.scrollHeight : document.documentElement.scrollHeight));
}"""


@contextmanager
def demo_server():
    """A ``kejifu serve`` of a fresh demo workspace on a free loopback port; yields its base URL."""
    from kejifu.demo import build_demo
    from kejifu.web import serve

    with tempfile.TemporaryDirectory(prefix="kejifu-shots-") as tmp:
        ws = build_demo(Path(tmp) / "ws")
        port = serve.free_port()
        with open(Path(tmp) / "voila.log", "wb") as log:
            cmd = [sys.executable, "-m", "kejifu", "serve", str(ws), "--port", str(port), "--no-browser"]
            proc = subprocess.Popen([*cmd, "--pool-size", "1"], stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                serve.wait_ready(base + "/", timeout=120, proc=proc)
                yield base
            finally:
                serve.stop(proc, 30)


def shoot(browser, base: str, board: str, size: str, out: Path, full: bool | None = None) -> Path:
    """Open ``board`` at ``size``, wait until its charts are drawn and save its screenshot."""
    shot, n_charts = DASHBOARDS[board]
    width, height, scale, whole = SIZES[size]
    whole = whole if full is None else full
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    try:
        page.set_default_timeout(120_000)
        page.goto(f"{base}/voila/render/{urllib.parse.quote(board)}.ipynb")
        page.wait_for_function(ALL_DRAWN, arg=n_charts, polling=100)
        if whole:
            tall = min(MAX_HEIGHT, max(height, page.evaluate(CONTENT_HEIGHT)))
            page.set_viewport_size({"width": width, "height": tall})
            page.wait_for_timeout(300)  # plotly's responsive relayout
            page.wait_for_function(ALL_DRAWN, arg=n_charts, polling=100)
        page.wait_for_timeout(300)
        path = out / f"{shot}_{size}.png"
        page.screenshot(path=str(path))
        return path
    finally:
        page.close()


def shoot_front(browser, base: str, size: str, out: Path) -> Path:
    """The front page at ``/`` at ``size`` (the whole page) → ``00_front_<size>.png``."""
    width, height, scale, _whole = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    try:
        page.set_default_timeout(120_000)
        page.goto(f"{base}/")
        page.wait_for_selector(".kejifu-front-card")
        path = out / f"00_front_{size}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["desktop", "phone"])
    ap.add_argument("--boards", nargs="+", choices=list(DASHBOARDS), default=list(DASHBOARDS))
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--base", help="URL of a running kejifu serve (default: start one on the demo data)")
    ap.add_argument("--full", action="store_true", default=None, help="the whole board at every size")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tests.helpers import CHROMIUM, CHROMIUM_ARGS

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            with demo_server() if args.base is None else _given(args.base) as base:
                for size in args.sizes:
                    print(shoot_front(browser, base, size, args.out))
                for board in args.boards:
                    for size in args.sizes:
                        print(shoot(browser, base, board, size, args.out, args.full))
        finally:
            browser.close()
    return 0


@contextmanager
def _given(base: str):
    yield base.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
