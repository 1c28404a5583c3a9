"""``kejifu serve`` is read-only and closed: the browser may drive the widgets but never run
code in a dashboard kernel; off loopback a token is required; dashboards open the store
read-only; idle kernels are culled.

The websocket tests talk to a real Voila server (``kejifu.web.serve.start``) the way an attacker
would: take the kernel id from the served page, open ``/api/kernels/<id>/channels`` with a
plain websocket client and send Jupyter messages by hand.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from kejifu.web import serve
from tests.helpers import kernel_message as _msg

TOKEN = "kejifu-test-token-" + uuid.uuid4().hex[:8]
PAGE = "/voila/render/" + urllib.parse.quote("01_总览.ipynb")


# ----- kernel-less ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "channel,msg_type,content,allowed",
    [
        ("shell", "kernel_info_request", None, True),
        ("shell", "comm_info_request", None, True),
        ("shell", "comm_msg", {"comm_id": "x", "data": {"method": "update"}}, True),
        ("shell", "comm_open", {"target_name": "jupyter.widget.control"}, True),
        ("shell", "comm_open", {"target_name": "jupyter.widget"}, True),
        ("shell", "comm_open", {"target_name": "anything.else"}, False),
        ("shell", "execute_request", {"code": "1"}, False),
        ("shell", "inspect_request", {"code": "os", "cursor_pos": 2}, False),
        ("shell", "complete_request", {"code": "os.", "cursor_pos": 3}, False),
        ("shell", "history_request", {}, False),
        ("shell", "is_complete_request", {"code": "1"}, False),
        (None, "execute_request", {"code": "1"}, False),
        ("control", "debug_request", {}, False),
        ("control", "shutdown_request", {}, False),
        ("stdin", "input_reply", {"value": "x"}, False),
    ],
)
def test_only_the_widgets_messages_may_reach_a_kernel(channel, msg_type, content, allowed):
    assert serve.message_allowed(channel, msg_type, content) is allowed


def test_the_voila_command_wires_the_read_only_websocket_and_the_allowed_message_types(tmp_path):
    cmd = serve.voila_command(tmp_path, serve.ServeOptions(port=9999))
    assert "--Voila.kernel_websocket_connection_class=kejifu.web.serve.ReadOnlyKernelConnection" in cmd
    allowed = {
        a.split("=", 1)[1] for a in cmd if a.startswith("--MappingKernelManager.allowed_message_types=")
    }
    assert allowed == set(serve.ALLOWED_FROM_BROWSER["shell"])
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    assert issubclass(serve.ReadOnlyKernelConnection, ZMQChannelsWebsocketConnection)


def test_loopback_needs_no_token_any_other_address_gets_one():
    assert serve.ServeOptions().checked().token is None
    assert serve.ServeOptions(host="::1").checked().token is None
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        opts = serve.ServeOptions(host=host).checked()
        assert opts.token and len(opts.token) >= 24
        assert f"?token={opts.token}" in opts.url()
    assert (
        serve.ServeOptions(host="0.0.0.0").checked().token
        != serve.ServeOptions(host="0.0.0.0").checked().token
    )
    assert serve.ServeOptions(host="0.0.0.0", token="given").checked().token == "given"
    with pytest.raises(ValueError):
        serve.start(Path("."), serve.ServeOptions(host="0.0.0.0"))


def test_the_token_reaches_the_server_through_its_environment_not_its_command_line(tmp_path):
    opts = serve.ServeOptions(token="s3cret")
    assert not any("s3cret" in a for a in serve.voila_command(tmp_path, opts))
    env = serve.voila_env(tmp_path, tmp_path, opts.token)
    assert env[serve.TOKEN_ENV] == "s3cret"
    assert serve.TOKEN_ENV not in serve.voila_env(tmp_path, tmp_path)


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    from kejifu.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("sec") / "ws")


def test_the_dashboards_workspace_refuses_writes(demo_ws, tmp_path, monkeypatch):
    """What a dashboard kernel opens ($KEJIFU_WORKSPACE via kejifu.web.board) cannot write."""
    ws_dir = tmp_path / "ws"
    shutil.copytree(demo_ws, ws_dir)
    db = next(ws_dir.glob("*.sqlite"))
    before = db.read_bytes()
    monkeypatch.setenv("KEJIFU_WORKSPACE", str(ws_dir))
    from sqlalchemy.exc import OperationalError

    from kejifu.web import boards
    from kejifu.web.board import open_workspace

    ws = open_workspace()  # no path: $KEJIFU_WORKSPACE, as in a kernel
    assert ws.store.readonly and ws.path == ws_dir
    # below the store's API (whose refusal tests/test_dashboards_exec.py checks): SQLite mode=ro
    with pytest.raises(OperationalError, match="attempt to write a readonly database"):
        with ws.store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE kejifu_intruder (a INTEGER)")
    board = boards.overview(ws)  # the dashboard still works on it
    assert "kejifu-card" in board.static_html()
    ws.close()
    assert db.read_bytes() == before


# ----- a real server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(demo_ws, tmp_path_factory):
    """Voila via ``kejifu.web.serve.start`` on a free loopback port, with a token and short culling."""
    tmp = tmp_path_factory.mktemp("srv")
    port = serve.free_port()
    opts = serve.ServeOptions(
        port=port, pool_size=1, token=TOKEN, cull_idle_timeout=4, cull_interval=2, log_level="INFO"
    )
    log = open(tmp / "voila.log", "wb")
    proc = serve.start(demo_ws, opts, data_dir=tmp / "data", log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        serve.wait_ready(f"{base}/?token={TOKEN}", timeout=90, proc=proc)
        yield {"base": base, "port": port, "proc": proc, "log": tmp / "voila.log"}
    finally:
        serve.stop(proc, 30)
        log.close()


def _status(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _page(server) -> str:
    with urllib.request.urlopen(f"{server['base']}{PAGE}?token={TOKEN}", timeout=90) as r:
        return r.read().decode("utf-8")


def _kernel_id(page: str) -> str:
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(config.group(1))["kernelId"]


@pytest.mark.slow
def test_requests_without_the_token_are_refused(server):
    base = server["base"]
    page = _page(server)
    kid = _kernel_id(page)
    assert _status(f"{base}/api/kernels/{kid}?token={TOKEN}") == 200
    assert _status(f"{base}/api/kernels/{kid}") == 403
    assert _status(f"{base}/api/kernels/{kid}?token=wrong") == 403
    # pages: no dashboard without the token (Voila answers with its login page redirect)
    assert _status(f"{base}{PAGE}") in (302, 403)
    assert _status(f"{base}{PAGE}?token=wrong") in (302, 403)
    assert _status(f"{base}{PAGE}?token={TOKEN}") == 200
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(f"ws://127.0.0.1:{server['port']}/api/kernels/{kid}/channels", timeout=30)
    assert e.value.status_code == 403


@pytest.mark.slow
def test_the_front_page_needs_the_token_too_and_the_file_list_is_gone(server):
    base = server["base"]
    assert _status(f"{base}/") in (302, 403)
    assert _status(f"{base}/?token=wrong") in (302, 403)
    with urllib.request.urlopen(f"{base}/?token={TOKEN}", timeout=60) as r:
        page = r.read().decode("utf-8")
    assert '<nav class="kejifu-nav"' in page and "kejifu-front-card" in page
    assert "<bdi>沂南县2005年科技工作目标</bdi>" in page
    assert _status(f"{base}/voila/tree/?token={TOKEN}") == 302  # Voila's file list redirects to /


def _collect(ws, until, timeout: float = 30.0) -> list[dict]:
    """Messages from the kernel until ``until(msg)`` is true (or the timeout)."""
    out, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        ws.settimeout(max(0.1, end - time.monotonic()))
        try:
            raw = ws.recv()
        except Exception:  # noqa: BLE001 - timeout
            break
        if isinstance(raw, bytes):
            continue
        m = json.loads(raw)
        out.append(m)
        if until(m):
            break
    return out


@pytest.mark.slow
def test_the_kernel_websocket_refuses_code_but_serves_the_widgets(server, tmp_path):
    import websocket

    page = _page(server)
    kid = _kernel_id(page)
    model_id = re.search(r'widget-view\+json[^}]*?"model_id":\s*"([0-9a-f]+)"', page).group(1)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server['port']}/api/kernels/{kid}/channels?token={TOKEN}", timeout=30
    )
    try:
        # the socket works: kernel info is answered
        info = _msg("kernel_info_request", {})
        ws.send(json.dumps(info))
        got = _collect(
            ws,
            lambda m: (
                m.get("parent_header", {}).get("msg_id") == info["header"]["msg_id"]
                and m["msg_type"] == "kernel_info_reply"
            ),
        )
        assert got and got[-1]["msg_type"] == "kernel_info_reply"

        # code in every form the protocol offers: none of it may run
        marker = tmp_path / "pwned.txt"
        code = f"open({str(marker)!r}, 'w').write('ran')"
        attacks = [
            _msg(
                "execute_request",
                {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            ),
            _msg("execute_request", {"code": code, "silent": True}, channel="control"),
            _msg("inspect_request", {"code": "__import__('os')", "cursor_pos": 5, "detail_level": 1}),
            _msg("complete_request", {"code": "__import__('os').", "cursor_pos": 16}),
            _msg("history_request", {"hist_access_type": "tail", "n": 10, "output": False, "raw": True}),
            _msg("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "evil", "data": {}}),
        ]
        for a in attacks:
            ws.send(json.dumps(a))
        # a widget message after them: the kernel answers it (shell messages are handled in order,
        # so an execute_request that got through would have run before this reply)
        req = _msg("comm_msg", {"comm_id": model_id, "data": {"method": "request_state"}})
        ws.send(json.dumps(req))
        got = _collect(
            ws,
            lambda m: (
                m["msg_type"] == "comm_msg"
                and m.get("parent_header", {}).get("msg_id") == req["header"]["msg_id"]
            ),
        )
        replies = {m["msg_type"] for m in got}
        assert any(
            m["msg_type"] == "comm_msg"
            and m["content"]["data"].get("method") == "update"
            and m["parent_header"].get("msg_id") == req["header"]["msg_id"]
            for m in got
        ), replies
        ids = {a["header"]["msg_id"] for a in attacks}
        answered = [m for m in got if m.get("parent_header", {}).get("msg_id") in ids]
        assert answered == []
        assert not replies & {
            "execute_reply",
            "execute_input",
            "inspect_reply",
            "complete_reply",
            "history_reply",
        }
        time.sleep(1.0)
        assert not marker.exists()
    finally:
        ws.close()
    log = server["log"].read_text(encoding="utf-8", errors="replace")
    assert "dropped execute_request on shell" in log
    assert "dropped comm_open on shell" in log


@pytest.mark.slow
def test_a_closed_page_gives_its_kernel_back_but_a_loading_page_keeps_it(server):
    """Culling (here 4 s idle, checked every 2 s): the kernel of a page that connected and went
    away is shut down; the kernel of a page still loading its scripts (not connected yet) is
    kept (``CONNECT_GRACE_S``), even though it has been idle longer than the cull timeout."""
    import websocket

    page = _page(server)
    kid = _kernel_id(page)
    url = f"{server['base']}/api/kernels/{kid}?token={TOKEN}"
    time.sleep(9)  # > cull_idle_timeout + 2 cull intervals, page not connected yet
    assert _status(url) == 200
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server['port']}/api/kernels/{kid}/channels?token={TOKEN}", timeout=30
    )
    ws.send(json.dumps(_msg("kernel_info_request", {})))
    _collect(ws, lambda m: m["msg_type"] == "kernel_info_reply")
    time.sleep(6)  # connected: never culled, however idle (cull_connected=False)
    assert _status(url) == 200
    ws.close()  # the page is closed
    end = time.monotonic() + 40
    while time.monotonic() < end and _status(url) == 200:
        time.sleep(1)
    assert _status(url) == 404
