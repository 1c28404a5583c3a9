"""Load: 20 leaders open the overview at the same moment.

One ``kejifu serve`` (Voila) on a free loopback port, one headless Chromium with 20 browser
contexts (separate sessions). Each session loads the overview once, waits until its live
widgets have drawn every chart, and closes — a bounded load, nothing repeats. All must
succeed; afterwards every kernel the sessions used is shut down by the culler (configured
short here: idle 5 s, checked every 2 s), so only the pre-heated pools remain. The peak
resident memory of the server's process tree (Voila + kernels) is printed.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kejifu.web import serve
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 20
LIVE = """() => {
  const k = window.kejifuPlots;
  return !!k && k.liveAt !== null && !document.getElementById('kejifu-prerender')
    && document.querySelectorAll('.kejifu-board .kejifu-plot .main-svg').length >= 1
    && document.querySelectorAll('.kejifu-plot:not([data-drawn="yes"])').length === 0;
}"""


def tree_rss(pid: int) -> tuple[int, int]:
    """(resident bytes, kernels) of ``pid`` and all its descendants."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - /proc fallback
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0, 0
        rss = kernels = 0
        for p in procs:
            try:
                rss += p.memory_info().rss
                kernels += any("ipykernel" in a for a in p.cmdline())
            except psutil.NoSuchProcess:
                pass
        return rss, kernels
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(d))
    todo, rss, kernels, page = [pid], 0, 0, os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            rss += int(open(f"/proc/{p}/statm").read().split()[1]) * page
            kernels += b"ipykernel" in open(f"/proc/{p}/cmdline", "rb").read()
        except OSError:
            pass
    return rss, kernels


class PeakRss(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_kernels, self.stop = pid, 0, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            rss, k = tree_rss(self.pid)
            self.peak = max(self.peak, rss)
            self.peak_kernels = max(self.peak_kernels, k)
            self.stop.wait(0.25)


def kernel_alive(base: str, kid: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/kernels/{kid}", timeout=10) as r:
            return r.status == 200
    except urllib.error.HTTPError as e:
        return e.code != 404


async def one_session(browser, url: str, results: list, i: int) -> None:
    t0 = time.perf_counter()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(url, wait_until="commit", timeout=150_000)
        await page.wait_for_function(LIVE, timeout=150_000, polling=250)
        kid = await page.evaluate(
            "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
        )
        shown = await page.evaluate("() => window.kejifuPlots.shownAt")
        results.append(
            {
                "i": i,
                "ok": not errors,
                "errors": errors,
                "kernel": kid,
                "shown_s": shown / 1000,
                "live_s": time.perf_counter() - t0,
            }
        )
    except Exception as e:  # noqa: BLE001 - recorded, asserted below
        results.append({"i": i, "ok": False, "errors": [repr(e)], "kernel": None})
    finally:
        await ctx.close()


def run_in_own_loop(coro):
    """Run ``coro`` on a fresh event loop in its own thread: the sync Playwright fixtures of the
    browser tests leave an event loop running in the test thread, where asyncio.run() refuses."""
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the test thread
            out["error"] = exc

    th = threading.Thread(target=target, name="load-sessions")
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


async def run_sessions(url: str) -> list[dict]:
    from playwright.async_api import async_playwright

    results: list[dict] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(one_session(browser, url, results, i) for i in range(SESSIONS)))
        await browser.close()
    return results


def test_twenty_simultaneous_sessions_all_draw_and_their_kernels_are_freed(tmp_path):
    from kejifu.demo import build_demo

    ws = build_demo(tmp_path / "ws")
    port = serve.free_port()
    opts = serve.ServeOptions(port=port, pool_size=1, cull_idle_timeout=5, cull_interval=2, log_level="INFO")
    log = open(tmp_path / "voila.log", "wb")
    proc = serve.start(ws, opts, data_dir=tmp_path / "data", log=log)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/voila/render/{urllib.parse.quote('01_总览.ipynb')}"
    watch = PeakRss(proc.pid)
    try:
        serve.wait_ready(base + "/", timeout=90, proc=proc)
        # the pre-heated pools (one kernel per dashboard) are up
        end = time.monotonic() + 60
        n_dash = len(list(serve.dashboards_dir().glob("*.ipynb")))
        while time.monotonic() < end and tree_rss(proc.pid)[1] < n_dash:
            time.sleep(0.5)
        time.sleep(3)
        rss0, pool = tree_rss(proc.pid)
        watch.start()
        t0 = time.perf_counter()
        results = run_in_own_loop(run_sessions(url))
        took = time.perf_counter() - t0
        failed = [r for r in results if not r["ok"]]
        assert len(results) == SESSIONS and failed == [], failed
        kernels = {r["kernel"] for r in results}
        assert len(kernels) == SESSIONS  # one kernel per session

        # all sessions closed: the culler shuts their kernels down
        t1 = time.perf_counter()
        end = time.monotonic() + 45
        alive = set(kernels)
        while alive and time.monotonic() < end:
            alive = {k for k in alive if kernel_alive(base, k)}
            time.sleep(1)
        freed_after = time.perf_counter() - t1
        watch.stop.set()
        watch.join(5)
        assert alive == set(), f"{len(alive)} session kernels still running"
        time.sleep(2)
        rss1, left = tree_rss(proc.pid)
        assert left <= pool + n_dash  # the pools (refilled after use), nothing of the sessions
        live = sorted(r["live_s"] for r in results)
        shown = sorted(r["shown_s"] for r in results)
        print(
            f"\n{SESSIONS} sessions at once: all drawn in {took:.1f} s "
            f"(charts shown per session median {shown[len(shown) // 2]:.1f} s, max {shown[-1]:.1f} s; "
            f"live median {live[len(live) // 2]:.1f} s, max {live[-1]:.1f} s); "
            f"session kernels freed {freed_after:.1f} s after the last page closed; "
            f"server tree RSS: idle {rss0 / 2**20:.0f} MiB with {pool} pooled kernels, "
            f"peak {watch.peak / 2**20:.0f} MiB with {watch.peak_kernels} kernels, "
            f"after {rss1 / 2**20:.0f} MiB with {left} kernels; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
    finally:
        watch.stop.set()
        serve.stop(proc, 30)
        log.close()


CAP = 6
PAGE_LOADS, BARE_GETS, AT_ONCE = 40, 20, 4


async def load_pages(url: str, n: int, at_once: int) -> list[dict]:
    """``n`` page loads, ``at_once`` browser contexts at a time; each waits until its charts are
    drawn and closes. A load that gets the busy page does what it asks: waits and refreshes
    (every 5 s, for up to 2 minutes)."""
    from playwright.async_api import async_playwright

    results: list[dict] = []

    async def one(browser, i: int) -> None:
        ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        busy, end = 0, time.monotonic() + 120
        try:
            page = await ctx.new_page()
            while True:
                response = await page.goto(url, wait_until="commit", timeout=150_000)
                if response is None or response.status != 503 or time.monotonic() > end:
                    break
                await page.wait_for_load_state("load")
                assert "访问人数较多" in await page.content()
                busy += 1
                await asyncio.sleep(5)
            await page.wait_for_function(LIVE, timeout=150_000, polling=250)
            kid = await page.evaluate(
                "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
            )
            results.append({"i": i, "status": 200, "kernel": kid, "busy": busy})
        except Exception as e:  # noqa: BLE001 - recorded, asserted below
            results.append({"i": i, "status": None, "error": repr(e), "busy": busy})
        finally:
            await ctx.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for start in range(0, n, at_once):
            await asyncio.gather(*(one(browser, i) for i in range(start, min(n, start + at_once))))
        await browser.close()
    return results


def bare_get(url: str) -> tuple[int, str | None]:
    """A GET that reads the page and never opens a websocket (curl): (status, kernel id)."""
    import json
    import re

    try:
        with urllib.request.urlopen(url, timeout=150) as r:
            page = r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, None
    m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return 200, json.loads(m.group(1))["kernelId"]


def test_forty_page_loads_and_twenty_bare_gets_leave_at_most_the_cap_plus_the_pools_30_s_later(tmp_path):
    """Issue 12: kernels per page view are bounded. A cap of 6 page kernels; 40 browser page loads
    (4 at a time, each closed once drawn) right after 20 simultaneous plain GETs that never open a
    websocket (a crawler); 30 s after the last, only the pre-heated pools and at most the cap are
    left, and no kernel of a page or a GET is among them. Beyond the cap a request gets the polite
    busy page; a leader who refreshes it gets the dashboard once the crawler's kernels are given
    back, and a page let in always comes alive (its kernel is not cut short)."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from kejifu.demo import build_demo

    ws = build_demo(tmp_path / "ws")
    port = serve.free_port()
    opts = serve.ServeOptions(port=port, pool_size=1, max_kernels=CAP, connect_timeout=30, disconnect_grace=3)
    opts = replace(opts, log_level="INFO")
    log = open(tmp_path / "voila.log", "wb")
    proc = serve.start(ws, opts, data_dir=tmp_path / "data", log=log)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/voila/render/{urllib.parse.quote('01_总览.ipynb')}"
    watch = PeakRss(proc.pid)
    n_dash = len(list(serve.dashboards_dir().glob("*.ipynb")))
    try:
        serve.wait_ready(base + "/", timeout=90, proc=proc)
        end = time.monotonic() + 90
        while time.monotonic() < end and tree_rss(proc.pid)[1] < n_dash:
            time.sleep(0.5)
        watch.start()
        with ThreadPoolExecutor(BARE_GETS) as pool:  # the crawler first: 20 GETs at once
            gets = list(pool.map(bare_get, [url] * BARE_GETS))
        pages = run_in_own_loop(load_pages(url, PAGE_LOADS, AT_ONCE))
        # the crawler took the cap: the rest of its GETs got the busy page, and so did the first
        # leaders, until its kernels were given back; then every page came alive
        assert sorted(code for code, _ in gets) == [200] * CAP + [503] * (BARE_GETS - CAP), gets
        failed = [r for r in pages if r["status"] != 200]
        assert failed == [], failed
        assert min(r["busy"] for r in pages if r["i"] < AT_ONCE) >= 1
        assert len({r["kernel"] for r in pages}) == PAGE_LOADS  # a kernel each, none reused
        assert watch.peak_kernels <= CAP + n_dash + n_dash  # + pools being refilled

        time.sleep(30)
        rss, left = tree_rss(proc.pid)
        assert left <= CAP + n_dash
        used = {r["kernel"] for r in pages if r["status"] == 200} | {k for code, k in gets if k}
        still = {k for k in used if kernel_alive(base, k)}
        assert still == set(), f"{len(still)} kernels of closed pages or plain GETs still running"
        print(
            f"\n{PAGE_LOADS} page loads ({sum(r['busy'] for r in pages)} busy pages refreshed) and "
            f"{BARE_GETS} bare GETs ({sum(code == 503 for code, _ in gets)} busy) with a cap of {CAP}: peak "
            f"{watch.peak_kernels} kernels, {watch.peak / 2**20:.0f} MiB; 30 s later {left} kernels "
            f"({n_dash} pooled), {rss / 2**20:.0f} MiB"
        )
    finally:
        watch.stop.set()
        serve.stop(proc, 30)
        log.close()
