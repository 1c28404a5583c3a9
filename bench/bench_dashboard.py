"""Benchmark (not a test): how fast the overview dashboard draws in headless Chromium.

Starts ``kejifu serve`` (Voila, pre-heated kernels) on a free loopback port against a
fresh synthetic demo workspace, then measures, from navigation start:

* **shown** (the metric): every chart of the first view on screen — drawn from the static
  first view the page carries (``kejifuPlots.shownAt``);
* **live**: the widgets have drawn the same view and replaced the static copy; the filters
  work from here (``kejifuPlots.liveAt``);

for

* cold: the first load after the server started (empty browser profile);
* warm: later loads in the same browser profile (median of N). The profile is a real
  on-disk one (``--profile persistent``, the default), like a leader's browser: it keeps
  the HTTP cache *and* V8's code cache, so from the third load on scripts are not compiled
  again. ``--profile incognito`` uses a Playwright context (in-memory cache, no code cache);

and the bytes transferred per load (sum of encoded response sizes, from the DevTools
protocol). It also splits a load into phases: HTML served, DOMContentLoaded, load event,
first widget on screen.

Side by side, in the same run, browser and harness: a **plain Voila** (``bench/plain_voila.ipynb``,
one plotly chart, served by a plain ``voila`` process with its default template and no pre-heated
kernel), cold and warm likewise. Both are timed to the **first chart on screen** (the first plotly
``.main-svg`` in the page, seen by the same watcher, from navigation start), and the table ends
with the ratio plain ÷ kejifu (goals: ≥ 5× warm, ≥ 3× cold). Requests that would leave the machine
(Voila's default template links Font Awesome on a CDN) fail at once for both (no host name
resolves but the loopback's), as on a machine without internet.

    .venv/bin/python bench/bench_dashboard.py [--runs 7] [--pause 8] [--json out.json] [--no-plain]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from kejifu.web import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # no name resolves but the loopback's: a request that would leave the machine (Voila's default
    # template links Font Awesome on a CDN) fails at once, as offline. (Not page.route(): routing
    # turns the browser's HTTP cache off, and warm loads would fetch everything again.)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
DRAWN = """() => {
  const k = window.kejifuPlots;  // (liveAt is undefined with templates older than the static first view)
  return k && k.liveAt !== null && document.querySelectorAll('.kejifu-plot').length > 0
    && document.querySelectorAll('.kejifu-plot:not([data-drawn="yes"])').length === 0;
}"""
PHASES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const w = document.querySelector('.kejifu-board');
  return {
    html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    shown: window.kejifuPlots.shownAt ?? window.kejifuPlots.lastDrawAt,
    live: window.kejifuPlots.liveAt ?? window.kejifuPlots.lastDrawAt,
    charts: window.kejifuPlots.lastDrawAt, first_chart: window.kejifuPlots.firstDrawAt,
    first_chart_seen: window.__kejifuFirstChartAt || null,
    n_charts: window.kejifuPlots.drawn, board: window.__kejifuBoardAt || null,
    figure_bytes: Math.max(0, ...Array.from(
      document.querySelectorAll('.kejifu-plot'),  // kejifu-plots.js keeps each figure's JSON text
      (el) => el.__kejifuSrc ? new TextEncoder().encode(el.__kejifuSrc).length : 0)),
  };
}"""
#: a plain Voila page: its one plotly chart is drawn
PLAIN_DRAWN = "() => document.querySelector('.js-plotly-plot .main-svg') !== null"
PLAIN_PHASES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          first_chart_seen: window.__kejifuFirstChartAt || null};
}"""
#: the same watcher on both pages: when the first plotly chart is on screen [ms from navigation start]
CHART_WATCH = """() => {
  const seen = () => {
    if (window.__kejifuFirstChartAt) { return true; }
    if (document.querySelector('.main-svg')) { window.__kejifuFirstChartAt = performance.now(); return true; }
    return false;
  };
  const start = () => {
    if (seen()) { return; }
    const obs = new MutationObserver(() => { if (seen()) { obs.disconnect(); } });
    obs.observe(document.documentElement, {childList: true, subtree: true});
  };
  if (document.documentElement) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
}"""
PLAIN_NOTEBOOK = Path(__file__).resolve().parent / "plain_voila.ipynb"
BOARD_WATCH = """() => {
  const id = setInterval(() => {
    if (document.querySelector('.kejifu-board')) {
      window.__kejifuBoardAt = performance.now(); clearInterval(id);
    }
  }, 20);
}"""


def load_once(ctx, url: str, timeout_ms: int = 120_000, ready: str = DRAWN, phases_js: str = PHASES) -> dict:
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {"bytes": 0, "requests": 0}

    def finished(e):
        sizes["bytes"] += e.get("encodedDataLength", 0)
        sizes["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.add_init_script(f"({BOARD_WATCH})()")
    page.add_init_script(f"({CHART_WATCH})()")
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ready, timeout=timeout_ms, polling=50)
    wall = time.perf_counter() - t0
    phases = page.evaluate(phases_js)
    page.wait_for_timeout(300)  # let late responses finish before counting bytes
    page.close()
    return {
        "wall_s": wall,
        **{
            k: (v / 1000 if isinstance(v, (int, float)) and k not in ("n_charts", "figure_bytes") else v)
            for k, v in phases.items()
        },
        **sizes,
    }


def start_plain(port: int, log) -> subprocess.Popen:
    """A plain ``voila`` process (default template, no pre-heated kernel) on ``bench/plain_voila.ipynb``."""
    env = dict(os.environ)
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    cmd = [sys.executable, "-m", "voila", str(PLAIN_NOTEBOOK), f"--port={port}", "--no-browser"]
    return subprocess.Popen([*cmd, "--Voila.ip=127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_port(port: int, timeout: float, proc: subprocess.Popen) -> None:
    """Wait until ``port`` accepts connections (a GET of the plain page would start a kernel)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"plain voila did not listen on {port} within {timeout:.0f} s")


def loads(p, a, profile: Path, url: str, ready: str = DRAWN, phases_js: str = PHASES):
    """A cold load in a fresh browser profile, then ``a.runs`` warm loads ``a.pause`` apart."""
    if a.profile == "persistent":
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, viewport={"width": 1280, "height": 900}
        )
    else:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    cold = load_once(ctx, url, ready=ready, phases_js=phases_js)
    warm = []
    for _ in range(a.runs):
        time.sleep(a.pause)
        warm.append(load_once(ctx, url, ready=ready, phases_js=phases_js))
    ctx.close()
    return cold, warm


def median_of(runs: list[dict], key: str):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def ratio(slow, fast) -> float | None:
    return slow / fast if slow and fast else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="warm loads (median reported)")
    ap.add_argument(
        "--pause", type=float, default=8.0, help="seconds between loads, so the kernel pool refills [s]"
    )
    ap.add_argument(
        "--settle",
        type=float,
        default=25.0,
        help="seconds to wait after the server answers, so the pool is pre-heated [s]",
    )
    ap.add_argument("--pool-size", type=int, default=2)
    ap.add_argument("--dashboard", default="01_总览.ipynb")
    ap.add_argument("--workspace", type=Path, help="existing workspace (default: a fresh demo)")
    ap.add_argument("--json", type=Path, help="write the results as JSON here")
    ap.add_argument(
        "--no-plain", dest="plain", action="store_false", help="skip the plain Voila side by side"
    )
    ap.add_argument(
        "--profile",
        choices=("persistent", "incognito"),
        default="persistent",
        help="browser profile: on disk (HTTP + code cache, like a real browser) or in memory",
    )
    a = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    plain_cold, plain_warm = None, []
    with tempfile.TemporaryDirectory() as tmp:
        ws = a.workspace
        if ws is None:
            from kejifu.demo import build_demo

            ws = build_demo(Path(tmp) / "ws")
        port = serve.free_port()
        opts = serve.ServeOptions(port=port, pool_size=a.pool_size)
        log = open(Path(tmp) / "voila.log", "wb")
        t_start = time.perf_counter()
        proc = serve.start(ws, opts, data_dir=Path(tmp) / "data", log=log)
        plain = None
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/voila/render/{urllib.parse.quote(a.dashboard)}"
        try:
            serve.wait_ready(base + "/", 60, proc)
            server_up = time.perf_counter() - t_start
            if a.plain:
                plain_port = serve.free_port()
                plain = start_plain(plain_port, open(Path(tmp) / "plain.log", "wb"))
                wait_port(plain_port, 60, plain)
            time.sleep(a.settle)
            with sync_playwright() as p:
                cold, warm = loads(p, a, Path(tmp) / "profile", url)
                if a.plain:
                    plain_url = f"http://127.0.0.1:{plain_port}/"
                    plain_cold, plain_warm = loads(
                        p, a, Path(tmp) / "profile-plain", plain_url, PLAIN_DRAWN, PLAIN_PHASES
                    )
        finally:
            for pr in (proc, plain):
                if pr is None:
                    continue
                serve.stop(pr, 20)
            log.close()

    def med(key):
        return median_of(warm, key)

    rows = [("server answers after start [s]", server_up, None)]
    keys = [
        ("html", "HTML received"),
        ("dcl", "DOMContentLoaded"),
        ("load", "load event"),
        ("board", "widgets on screen"),
        ("first_chart", "first chart drawn"),
        ("first_chart_seen", "first chart on screen (watcher)"),
        ("shown", "every chart shown (the metric)"),
        ("live", "widgets live (interactive)"),
        ("wall_s", "wall clock to widgets live"),
    ]
    for k, label in keys:
        rows.append((f"{label} [s]", cold.get(k), med(k)))
    rows.append(("bytes transferred", cold["bytes"], med("bytes")))
    rows.append(("requests", cold["requests"], med("requests")))
    rows.append(("charts on page", cold["n_charts"], med("n_charts")))
    rows.append(("largest figure JSON [bytes]", cold.get("figure_bytes"), med("figure_bytes")))
    print(
        f"{a.dashboard}: cold = first load after server start; warm = median of {len(warm)} loads "
        f"({a.profile} browser profile); "
        f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f} (measurements are only "
        f"meaningful on an otherwise idle machine)"
    )
    print(f"{'':38s}{'cold':>12s}{'warm':>12s}")
    for label, c, w in rows:

        def f(v):
            if v is None:
                return ""
            if isinstance(v, float) and v < 1000:
                return f"{v:.2f}"
            return f"{int(v):,}"

        print(f"{label:38s}{f(c):>12s}{f(w):>12s}")
    side = None
    if plain_cold is not None:
        k_cold, k_warm = cold.get("first_chart_seen"), med("first_chart_seen")
        p_cold, p_warm = plain_cold.get("first_chart_seen"), median_of(plain_warm, "first_chart_seen")
        side = {
            "kejifu": {"cold_s": k_cold, "warm_s": k_warm},
            "plain_voila": {"cold_s": p_cold, "warm_s": p_warm},
            "ratio": {"cold": ratio(p_cold, k_cold), "warm": ratio(p_warm, k_warm)},
            "plain_bytes": {"cold": plain_cold["bytes"], "warm": median_of(plain_warm, "bytes")},
        }
        print()
        print(
            f"side by side, first chart on screen from navigation start [s] (plain Voila: "
            f"{PLAIN_NOTEBOOK.name}, one plotly chart, default template; goals: ≥3× cold, ≥5× warm)"
        )
        print(f"{'':38s}{'cold':>12s}{'warm':>12s}")
        for label, c, w in (
            (f"kejifu {a.dashboard}", k_cold, k_warm),
            ("plain Voila", p_cold, p_warm),
            ("plain ÷ kejifu (× sooner)", side["ratio"]["cold"], side["ratio"]["warm"]),
            ("plain Voila bytes transferred", plain_cold["bytes"], median_of(plain_warm, "bytes")),
            ("plain Voila requests", plain_cold["requests"], median_of(plain_warm, "requests")),
        ):
            print(f"{label:38s}{f(c):>12s}{f(w):>12s}")
    if a.json:
        a.json.write_text(
            json.dumps(
                {
                    "dashboard": a.dashboard,
                    "server_up_s": server_up,
                    "cold": cold,
                    "warm": warm,
                    "warm_median_shown_s": med("shown"),
                    "warm_median_live_s": med("live"),
                    "profile": a.profile,
                    "loadavg": os.getloadavg(),
                    "warm_median_bytes": med("bytes"),
                    "max_figure_bytes": max((r.get("figure_bytes") or 0) for r in [cold, *warm]),
                    "side_by_side": side,
                    "plain_cold": plain_cold,
                    "plain_warm": plain_warm,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
