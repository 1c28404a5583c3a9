"""Kernel limits of ``kejifu serve`` without a server: the ledger that decides which page kernels
to shut down and when the server is full, the cap sized to memory, the busy page, and how the
limits travel from ``kejifu serve`` to the Voila process."""

from __future__ import annotations

import json

import pytest

from kejifu.web import kernels, serve
from kejifu.web.kernels import KernelLedger, KernelLimits

GIB = 2**30


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def ledger():
    clock = Clock()
    return KernelLedger(KernelLimits(max_kernels=3, connect_timeout=20, disconnect_grace=5), clock), clock


def test_a_page_kernel_that_never_connects_is_due_connect_timeout_after_its_page_was_sent(ledger):
    led, clock = ledger
    led.handed_out("a", serving=True)
    clock.now += 100  # rendering a slow page: never due while it is being sent
    assert led.due() == []
    led.served("a")
    clock.now += 19.9
    assert led.due() == []
    clock.now += 0.1  # 20 s after the page was sent
    assert led.due() == ["a"]


def test_a_connected_kernel_is_never_due_and_is_due_five_seconds_after_its_last_socket_closed(ledger):
    led, clock = ledger
    led.handed_out("a")
    led.connected("a")
    led.connected("a")  # a reconnecting page: two sockets for a moment
    clock.now += 3600
    assert led.due() == []
    led.disconnected("a")
    clock.now += 60
    assert led.due() == []  # one socket still open
    led.disconnected("a")
    clock.now += 4.9
    assert led.due() == []
    clock.now += 0.1
    assert led.due() == ["a"]


def test_a_page_that_reconnects_within_the_grace_keeps_its_kernel(ledger):
    led, clock = ledger
    led.handed_out("a")
    led.connected("a")
    led.disconnected("a")
    clock.now += 4
    led.connected("a")
    clock.now += 100
    assert led.due() == []


def test_the_server_is_full_at_the_cap_counting_admitted_requests_and_only_live_kernels(ledger):
    led, _ = ledger
    led.handed_out("a")
    led.handed_out("b")
    assert not led.full()
    led.pending = 1  # a third request admitted, kernel not known yet
    assert led.full()
    assert not led.full(alive={"a"})  # b died: 1 live + 1 pending < 3
    led.pending = 0
    led.handed_out("c")
    assert led.full()
    led.gone("c")
    assert not led.full()


def test_kernels_that_died_are_forgotten_and_unknown_kernels_are_ignored(ledger):
    led, clock = ledger
    led.handed_out("a")
    led.connected("pool-kernel")  # a websocket to a kernel no page took: not a page kernel
    led.disconnected("pool-kernel")
    clock.now += 100
    assert led.due(alive={"pool-kernel"}) == []
    assert led.page == {}


def test_the_cap_is_half_the_memory_in_200_mib_kernels_less_the_pools_within_2_to_64():
    # 16 GiB: 8 GiB / 200 MiB = 40.96 -> 40 kernels, less 10 pooled = 30
    assert kernels.default_max_kernels(16 * GIB, pools=10) == 30
    # 2 GiB: 1 GiB / 200 MiB = 5 -> 5 - 10 < 2 -> at least 2
    assert kernels.default_max_kernels(2 * GIB, pools=10) == 2
    # 256 GiB: 655 -> at most 64
    assert kernels.default_max_kernels(256 * GIB) == 64


def test_the_busy_page_is_bilingual_says_refresh_later_and_carries_no_script():
    page = kernels.busy_page()
    assert "访问人数较多，请稍后刷新" in page
    assert "please refresh in a moment" in page
    assert "<script" not in page and "http" not in page


def test_serve_options_carry_the_limits_to_voila_through_its_environment_not_its_command_line(tmp_path):
    opts = serve.ServeOptions(max_kernels=7, connect_timeout=12, disconnect_grace=3)
    limits = opts.limits(tmp_path)
    assert limits == KernelLimits(max_kernels=7, connect_timeout=12.0, disconnect_grace=3.0)
    env = serve.voila_env(tmp_path, tmp_path, None, limits)
    assert KernelLimits.from_env(env[kernels.LIMITS_ENV]) == limits
    assert json.loads(env[kernels.LIMITS_ENV])["max_kernels"] == 7
    assert kernels.LIMITS_ENV not in serve.voila_env(tmp_path, tmp_path)
    assert not any("max_kernels" in a for a in serve.voila_command(tmp_path, opts))


def test_without_max_kernels_the_cap_is_sized_to_memory_less_a_pool_per_dashboard(tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(kernels, "physical_memory", lambda: 16 * GIB)
    assert serve.ServeOptions(pool_size=2).limits(tmp_path).max_kernels == 40 - 6


def test_kejifu_serve_passes_max_kernels_and_refuses_a_cap_below_one(tmp_path, monkeypatch):
    from kejifu import cli

    seen = {}
    monkeypatch.setattr(serve, "serve", lambda ws, opts: seen.setdefault("opts", opts) and 0)
    assert cli.main(["serve", str(tmp_path), "--max-kernels", "5"]) == 0
    assert seen["opts"].max_kernels == 5
    assert cli.main(["serve", str(tmp_path), "--max-kernels", "0"]) == 2
