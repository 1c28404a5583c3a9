"""The dashboards in a real headless Chromium against a real ``kejifu serve`` (Voila) server.

One server per session on a free loopback port, serving a fresh demo workspace; every
page is checked for page errors and console errors, drawn charts, a working filter and
language switch, and for requests that leave 127.0.0.1. Screenshots go to a temporary folder
(``$KEJIFU_TEST_SHOTS``); the README's are taken by ``scripts/screenshots.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import pytest

from kejifu.web import serve
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: where the tests keep their screenshots (not the README's: `scripts/screenshots.py` takes those)
SHOTS = Path(os.environ.get("KEJIFU_TEST_SHOTS") or Path(tempfile.gettempdir()) / "kejifu-test-shots")
#: dashboard -> (screenshot name, charts expected on first load)
DASHBOARDS = {
    "01_总览": ("01_overview", 1),
    "02_指标详情": ("02_target_detail", 1),
    "03_乡镇排名": ("03_towns", 2),
    "04_高新技术产业": ("04_hightech", 2),
    "05_科技副职": ("05_deputies", 3),
}
#: the live board (widgets) has drawn its charts and replaced the static first view
ALL_DRAWN = """(n) => {
  const all = document.querySelectorAll('.kejifu-plot');
  return !document.getElementById('kejifu-prerender') && document.querySelector('.kejifu-board') !== null
    && all.length >= n && document.querySelectorAll('.kejifu-plot:not([data-drawn="yes"])').length === 0
    && document.querySelectorAll('.kejifu-plot .main-svg').length >= n;
}"""
#: the static first view (before the widgets are live) shows every chart
PRERENDER_DRAWN = """(n) => {
  const pre = document.getElementById('kejifu-prerender');
  return pre !== null && pre.querySelectorAll('.kejifu-plot[data-drawn="yes"] .main-svg').length >= n;
}"""


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A real Voila server (``kejifu serve``) on a free loopback port; yields its base URL."""
    from kejifu.demo import build_demo

    tmp = tmp_path_factory.mktemp("serve")
    ws = build_demo(tmp / "ws")
    port = serve.free_port()
    log = open(tmp / "voila.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kejifu",
            "serve",
            str(ws),
            "--port",
            str(port),
            "--no-browser",
            "--pool-size",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        serve.wait_ready(base + "/", timeout=90, proc=proc)
        yield base
    finally:
        serve.stop(proc, 30)
        log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture()
def watched(page):
    """The page, with its page errors, console errors and requested URLs recorded."""
    log = {"errors": [], "requests": []}
    page.on("pageerror", lambda e: log["errors"].append(f"pageerror: {e}"))
    page.on("console", lambda m: log["errors"].append(f"console: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: log["requests"].append(r.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(90_000)
    return page, log


def open_dashboard(page, server: str, name: str, n_charts: int) -> None:
    page.goto(f"{server}/voila/render/{urllib.parse.quote(name)}.ipynb")
    page.wait_for_function(ALL_DRAWN, arg=n_charts, polling=100)


def local_only(requests: list[str]) -> list[str]:
    """The requested URLs that leave the loopback server (data: and blob: URLs stay in the page)."""
    out = []
    for url in requests:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.hostname != "127.0.0.1":
            out.append(url)
    return out


def choose(page, css_class: str, label: str) -> None:
    """Pick ``label`` in the dropdown widget carrying ``css_class``."""
    page.locator(f".{css_class} select").select_option(label=label)


@pytest.mark.parametrize("name", list(DASHBOARDS))
def test_each_dashboard_loads_draws_its_charts_without_errors_and_stays_on_the_loopback(
    watched, server, name
):
    page, log = watched
    shot, n = DASHBOARDS[name]
    open_dashboard(page, server, name, n)
    assert page.locator(".kejifu-banner").first.inner_text().startswith("示例数据")
    if name != "05_科技副职":  # the deputies board has tables and charts, no target cards
        assert page.locator(".kejifu-card").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    assert log["errors"] == []
    assert local_only(log["requests"]) == []
    # the partial plotly.js bundle, not the full one
    scripts = [u.split("?")[0] for u in log["requests"]]
    assert any(u.endswith("/voila/static/cartesian/plotly.min.js") for u in scripts)
    assert not any(u.endswith("/voila/static/plotly.min.js") for u in scripts)


def test_the_first_view_shows_its_charts_before_the_widgets_are_live_then_gives_way(watched, server):
    page, log = watched
    page.goto(f"{server}/voila/render/{urllib.parse.quote('01_总览')}.ipynb", wait_until="commit")
    page.wait_for_function(PRERENDER_DRAWN, arg=1, polling=20)
    static_cards = page.locator("#kejifu-prerender .kejifu-card").count()
    assert static_cards >= 1
    page.wait_for_function(ALL_DRAWN, arg=1, polling=50)
    assert page.locator(".kejifu-card").count() == static_cards
    assert page.locator("#kejifu-prerender").count() == 0
    assert page.evaluate("window.kejifuPlots.shownAt <= window.kejifuPlots.liveAt")
    assert log["errors"] == []


def test_a_figure_the_partial_bundle_cannot_draw_loads_the_full_plotly(watched, server):
    page, log = watched
    open_dashboard(page, server, "01_总览", 1)
    page.evaluate("""() => {
      const d = document.createElement('div');
      d.className = 'kejifu-plot'; d.id = 'gl-test'; d.style.height = '200px';
      d.innerHTML = '<script type="application/json">' + JSON.stringify(
        {data: [{type: 'scattergl', x: [1, 2, 3], y: [3, 1, 2]}], layout: {height: 200}}) + '<' + '/script>';
      document.body.appendChild(d);
    }""")
    page.wait_for_function("() => document.getElementById('gl-test').getAttribute('data-drawn') === 'yes'")
    assert page.evaluate("window.kejifuPlots.bundle") == "full"
    assert any(u.split("?")[0].endswith("/voila/static/plotly.min.js") for u in log["requests"])
    assert [e for e in log["errors"] if "WebGL" not in e] == []


def test_the_as_of_month_selector_redraws_the_overview(watched, server):
    page, log = watched
    open_dashboard(page, server, "01_总览", 1)
    fresh = page.locator(".kejifu-fresh").inner_text()
    cards = page.locator(".kejifu-cards").inner_text()
    choose(page, "kejifu-month", "2005年2月")
    page.wait_for_function("(old) => document.querySelector('.kejifu-cards').innerText !== old", arg=cards)
    page.wait_for_function(ALL_DRAWN, arg=1)
    assert page.locator(".kejifu-fresh").inner_text() != fresh
    assert log["errors"] == []


def test_the_group_filter_keeps_only_that_groups_cards(watched, server):
    page, log = watched
    open_dashboard(page, server, "01_总览", 1)
    before = page.locator(".kejifu-card").count()
    choose(page, "kejifu-group", "高新技术产业")
    page.wait_for_function("(n) => document.querySelectorAll('.kejifu-card').length < n", arg=before)
    page.wait_for_function(ALL_DRAWN, arg=1)
    assert 0 < page.locator(".kejifu-card").count() < before
    assert log["errors"] == []


def test_the_target_picker_redraws_the_trajectory(watched, server):
    page, log = watched
    open_dashboard(page, server, "02_指标详情", 1)
    title = page.locator(".kejifu-section h2").first.inner_text()
    choose(page, "kejifu-pick", "新发展优质食用菌面积")
    page.wait_for_function("(t) => document.querySelector('.kejifu-section h2').innerText !== t", arg=title)
    page.wait_for_function(ALL_DRAWN, arg=2)
    assert "食用菌" in page.locator(".kejifu-section h2").first.inner_text()
    assert log["errors"] == []


def test_the_language_switch_changes_the_labels(watched, server):
    page, log = watched
    open_dashboard(page, server, "01_总览", 1)
    assert "科技工作目标总览" in page.locator(".kejifu-title").inner_text()
    page.locator(".kejifu-lang button", has_text="English").click()
    page.wait_for_function("() => document.querySelector('.kejifu-title').innerText.includes('at a glance')")
    # each widget syncs on its own message: wait for the last section too
    page.wait_for_function("() => document.querySelector('.kejifu-counts').innerText.includes('On track')")
    page.wait_for_function(ALL_DRAWN, arg=1)
    assert page.locator(".kejifu-banner").inner_text().startswith("Synthetic")
    assert "As of" in page.locator(".kejifu-month").inner_text()
    page.screenshot(path=str(SHOTS / "01_overview_en.png"), full_page=True)
    assert log["errors"] == []
    assert local_only(log["requests"]) == []
