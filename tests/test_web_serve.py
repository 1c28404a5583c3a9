"""``kejifu serve`` against a real Voila server, the way an attacker or a crowd would use it: beyond
the kernel cap a page is the polite 503; a kernel whose page never connects or went away is shut
down within seconds; a crafted widget ``comm_open`` gets no traceback or server path back (the
details go to the server log); ``/voila/templates/…`` answers 404, never 500. The unit parts
(what is sanitised, how a message is rebuilt) run without a server."""

from __future__ import annotations

import concurrent.futures
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from kejifu.web import channels, serve
from tests.helpers import kernel_message as _msg

PAGE = "/voila/render/" + urllib.parse.quote("01_总览.ipynb")
SERVER_PATHS = re.compile(r"/(?:work|home|usr|tmp|root|opt|srv)/|site-packages|\w\.py\b|Traceback|File \"")


# ----- without a server ------------------------------------------------------------------------


def test_stderr_output_is_dropped_and_stdout_passes():
    assert channels.sanitise("stream", {"name": "stderr", "text": "Traceback …/kejifu/x.py"}) == (
        "drop",
        None,
    )
    assert channels.sanitise("stream", {"name": "stdout", "text": "hi"}) == ("pass", None)


def test_an_error_message_keeps_its_shape_with_the_generic_text_and_no_traceback():
    verdict, clean = channels.sanitise(
        "error", {"ename": "KeyError", "evalue": "'/srv/x.py'", "traceback": ["File /srv/x.py, line 1"]}
    )
    assert verdict == "replace"
    assert clean == {"ename": "Error", "evalue": channels.generic_error(), "traceback": []}
    assert "看板出错" in clean["evalue"] and "server log" in clean["evalue"]


def test_an_error_reply_loses_its_details_but_keeps_its_status():
    verdict, clean = channels.sanitise(
        "comm_info_reply", {"status": "error", "ename": "E", "evalue": "/srv/secret", "traceback": ["x"]}
    )
    assert verdict == "replace" and clean["status"] == "error" and "/srv" not in json.dumps(clean)
    assert channels.sanitise("kernel_info_reply", {"status": "ok", "banner": "x"}) == ("pass", None)
    assert channels.sanitise("comm_msg", {"data": {"method": "update"}}) == ("pass", None)


def test_a_replaced_message_is_re_signed_so_that_the_server_accepts_it():
    from jupyter_client.session import Session

    session = Session(key=b"k" * 16)
    msg = session.msg("error", {"ename": "E", "evalue": "/srv/x", "traceback": ["/srv/x.py"]})
    frames = session.serialize(msg, ident=[b"ident"])
    clean = channels.sanitise("error", msg["content"])[1]
    out_frames = channels.with_content(session, frames, clean)
    idents, fed = session.feed_identities(out_frames)
    out = session.deserialize(fed)  # raises on a bad signature
    assert idents == [b"ident"]
    assert out["content"] == clean and out["header"]["msg_id"] == msg["header"]["msg_id"]
    other = Session(key=b"x" * 16)
    with pytest.raises(ValueError, match="Invalid Signature"):
        other.deserialize(other.feed_identities(out_frames)[1])


def test_the_quiet_filter_drops_only_the_known_harmless_notices():
    import logging

    def record(msg, *args, level=logging.WARNING):
        return logging.LogRecord("Voila", level, __file__, 1, msg, args, None)

    quiet = serve.QuietFilter()
    assert not quiet.filter(record("Notebook %s is not trusted", "01_总览.ipynb"))
    assert not quiet.filter(
        record(
            "The websocket_ping_timeout (90000) cannot be longer than the websocket_ping_interval (30000)."
        )
    )
    assert quiet.filter(record("Error at server while executing cell: %s", "x", level=logging.ERROR))
    assert quiet.filter(record("Notebook %s is not trusted, and %s", "a", "b"))  # not the same message
    assert quiet.filter(record("kejifu: dropped %s on %s from the browser", "execute_request", "shell"))


def test_a_widget_message_after_its_comm_closed_is_routine_other_stderr_is_not():
    routine = {"name": "stderr", "text": "No such comm: 764ffbf850404fdda23d1f2a4b3c5d6e\n"}
    assert channels.routine("stream", routine)
    assert channels.sanitise("stream", routine) == ("drop", None)  # still withheld from the browser
    assert not channels.routine("stream", {"name": "stderr", "text": "No such comm: x\nTraceback …"})
    assert not channels.routine("stream", {"name": "stderr", "text": "ValueError: bad figure"})
    assert not channels.routine("error", {"ename": "X", "evalue": "No such comm: 1a2b"})


def test_the_server_command_uses_unix_sockets_and_no_deprecated_options(tmp_path):
    cmd = serve.voila_command(tmp_path, serve.ServeOptions(port=9999))
    assert "--KernelManager.transport=ipc" in cmd  # no "running over TCP without encryption"
    assert not [a for a in cmd if "tornado_settings" in a]  # a dict on the command line is deprecated
    assert serve.TORNADO_SETTINGS["compress_response"] is True
    env = serve.voila_env(tmp_path, tmp_path)
    assert "ignore::DeprecationWarning" in env["PYTHONWARNINGS"]


# ----- a real server ---------------------------------------------------------------------------

TOKEN = "kejifu-web-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Voila with a cap of 2 page kernels, 6 s to connect, 2 s after the last socket closed."""
    from kejifu.demo import build_demo

    tmp = tmp_path_factory.mktemp("websrv")
    ws = build_demo(tmp / "ws")
    port = serve.free_port()
    opts = serve.ServeOptions(
        port=port,
        pool_size=1,
        token=TOKEN,
        max_kernels=2,
        connect_timeout=6,
        disconnect_grace=2,
        log_level="INFO",
    )
    log = open(tmp / "voila.log", "wb")
    proc = serve.start(ws, opts, data_dir=tmp / "data", log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        serve.wait_ready(f"{base}/?token={TOKEN}", timeout=90, proc=proc)
        yield {"base": base, "port": port, "log": tmp / "voila.log"}
    finally:
        serve.stop(proc, 30)
        log.close()


def get(server, path: str) -> tuple[int, dict, str]:
    sep = "&" if "?" in path else "?"
    try:
        with urllib.request.urlopen(f"{server['base']}{path}{sep}token={TOKEN}", timeout=120) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def kernel_id(page: str) -> str:
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(config.group(1))["kernelId"]


def alive(server, kid: str) -> bool:
    return get(server, f"/api/kernels/{kid}")[0] == 200


def wait_gone(server, kid: str, timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if not alive(server, kid):
            return time.monotonic() - t0
        time.sleep(0.5)
    raise AssertionError(f"kernel {kid} still running after {timeout:.0f} s")


@pytest.mark.slow
def test_voila_templates_paths_answer_404_never_500(server):
    for path in (
        "/voila/templates/",
        "/voila/templates/kejifu",
        "/voila/templates/kejifu/static/",
        "/voila/templates/kejifu/nostatic/x.js",
        "/voila/templates/kejifu/static/../../../etc/passwd",
        "/voila/templates/nosuch/static/x.js",
    ):
        assert get(server, path)[0] == 404, path
    assert get(server, "/voila/templates/kejifu/static/kejifu.css")[0] in (200, 404)


@pytest.mark.slow
def test_a_plain_get_that_never_connects_gives_its_kernel_back_within_seconds(server):
    status, _, page = get(server, PAGE)
    assert status == 200
    kid = kernel_id(page)
    assert alive(server, kid)
    took = wait_gone(server, kid, timeout=30)
    assert took < 6 + 10  # connect_timeout 6 s, swept every second


@pytest.mark.slow
def test_a_closed_page_gives_its_kernel_back_seconds_after_its_websocket_closed(server):
    import websocket

    kid = kernel_id(get(server, PAGE)[2])
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server['port']}/api/kernels/{kid}/channels?token={TOKEN}", timeout=30
    )
    time.sleep(8)  # connected: kept past the connect timeout
    assert alive(server, kid)
    ws.close()
    assert wait_gone(server, kid, timeout=20) < 2 + 8


@pytest.mark.slow
def test_beyond_the_cap_a_page_is_the_polite_503_and_after_the_kernels_are_freed_pages_come_back(server):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: get(server, PAGE), range(4)))
    codes = sorted(a[0] for a in answers)
    assert codes.count(200) == 2 and codes.count(503) == 2, codes  # the cap is 2 page kernels
    busy = next(a for a in answers if a[0] == 503)
    assert "访问人数较多，请稍后刷新" in busy[2] and "please refresh" in busy[2]
    assert busy[1].get("Retry-After") == "30"
    assert "<script" not in busy[2]
    for kid in (kernel_id(a[2]) for a in answers if a[0] == 200):
        wait_gone(server, kid, timeout=30)
    assert get(server, PAGE)[0] == 200
    assert "answered 503" in server["log"].read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_a_crafted_widget_comm_open_gets_no_traceback_and_the_details_go_to_the_server_log(server):
    import websocket

    kid = kernel_id(get(server, PAGE)[2])
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server['port']}/api/kernels/{kid}/channels?token={TOKEN}", timeout=30
    )
    try:
        attacks = [
            {"state": {"_model_name": "NoSuchModel", "_model_module": "evil", "_model_module_version": "9"}},
            {"state": None},
            {"nonsense": [1, 2, 3]},
        ]
        ids = []
        for data in attacks:
            msg = _msg(
                "comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget", "data": data}
            )
            ids.append(msg["header"]["msg_id"])
            ws.send(json.dumps(msg))
        info = _msg("kernel_info_request", {})
        ws.send(json.dumps(info))
        got = []
        end = time.monotonic() + 20
        while time.monotonic() < end:
            ws.settimeout(max(0.1, end - time.monotonic()))
            try:
                raw = ws.recv()
            except Exception:  # noqa: BLE001 - timeout
                break
            if isinstance(raw, str):
                got.append(json.loads(raw))
            # the kernel handles shell messages in order: once kernel info is answered and its
            # idle status seen, every comm_open before it has been handled
            answered = {
                m.get("msg_type") if m.get("msg_type") != "status" else m["content"].get("execution_state")
                for m in got
                if m.get("parent_header", {}).get("msg_id") == info["header"]["msg_id"]
            }
            if {"kernel_info_reply", "idle"} <= answered:
                break
    finally:
        ws.close()
    text = json.dumps(got, ensure_ascii=False)
    assert any(m["msg_type"] == "kernel_info_reply" for m in got), [m["msg_type"] for m in got]
    found = SERVER_PATHS.search(text)
    assert not found, text[max(0, found.start() - 300) : found.end() + 100]
    assert not any(m["msg_type"] == "stream" and m["content"].get("name") == "stderr" for m in got)
    log = server["log"].read_text(encoding="utf-8", errors="replace")
    assert "withheld from the browser" in log and "Traceback" in log
