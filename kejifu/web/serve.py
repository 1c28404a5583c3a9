"""Serving the dashboards: the Voila command, its configuration and a local plotly.js.

``kejifu serve DIR`` runs Voila on ``dashboards/`` with

* the workspace ``DIR`` passed to every kernel as ``$KEJIFU_WORKSPACE`` (the
  dashboards open it read-only);
* pre-heated kernels (``--preheat_kernel=True``, a pool per dashboard): each
  dashboard is executed ahead of the request, so a page load only ships the
  rendered page and the widget state;
* kernel culling (``cull_idle_timeout``, ``cull_interval``, ``cull_connected=False``):
  a page that was closed or left idle gives its kernel back; pooled kernels are
  never culled;
* ``--strip_sources=True``, ``--no-browser``, on ``127.0.0.1`` by default; on any other
  address only with a token (generated when none is given; :func:`serve` prints the URL
  carrying it) — requests without it are refused;
* no code from the browser: the kernel websocket (:class:`ReadOnlyKernelConnection`) passes
  only the messages the widgets need (kernel info, comm open/message/close for the widget
  comm targets) and drops everything else — ``execute_request``, ``inspect_request``,
  ``complete_request``, stdin and control messages; ``MappingKernelManager.allowed_message_types``
  says the same as a second lock;
* the ``kejifu`` template (``kejifu/static/voila/templates/kejifu``): the lab
  template without its CDN links, plus plotly.js (the cartesian partial bundle vendored in
  ``kejifu/static/plotly/``; the full one from the ``plotly`` package only for figures that
  need it), the drawing script and the board's static first view, served from
  ``/voila/static/`` with versioned URLs so that the browser caches them.

Voila finds templates in the Jupyter data path, so :func:`prepare_data_dir` assembles
a small data folder (template + both plotly.js bundles) and the command runs with
``JUPYTER_PATH`` pointing at it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import config

TEMPLATE = "kejifu"
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATE_SRC = STATIC / "voila" / "templates" / TEMPLATE
#: JupyterLab extensions the dashboards do not need (plotly's mime renderer would load a
#: second 4.8 MB plotly.js on every page; jupytext is an editor extension).
EXTENSION_DENYLIST = [
    "jupyterlab-plotly",
    "jupyterlab-jupytext",
    "@voila-dashboards/jupyterlab-preview",
    "jupyterlab_pygments",
]  # code highlighting: the dashboards show no code


#: What the browser may send to a dashboard's kernel, per channel (everything else is dropped):
#: the widget front end asks for kernel info, opens the widget comms and sends comm messages
#: (widget state changes). No execute/inspect/complete/history requests, no stdin, no control.
ALLOWED_FROM_BROWSER = {
    "shell": frozenset({"kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close"}),
}
#: Comm targets the browser may open (ipywidgets' own).
WIDGET_COMM_TARGETS = frozenset({"jupyter.widget", "jupyter.widget.control"})
#: A kernel handed to a page is not culled before the page has connected to it, for up to this
#: long [s]: the page may still be loading its scripts (seconds on a busy machine). Without
#: this, Voila's culler shuts down a kernel that sat in the pool longer than
#: ``cull_idle_timeout`` in the moment between the page taking it and connecting to it.
CONNECT_GRACE_S = 120.0
#: Addresses served without a token.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: Environment variable handing the token to the server process (not on its command line,
#: where ``ps`` shows it); removed before kernels start.
TOKEN_ENV = "KEJIFU_SERVE_TOKEN"


def message_allowed(channel: str | None, msg_type: str | None, content: dict | None = None) -> bool:
    """Whether a message from the browser may reach a dashboard kernel."""
    if msg_type not in ALLOWED_FROM_BROWSER.get(channel or "shell", ()):
        return False
    if msg_type == "comm_open":
        return (content or {}).get("target_name") in WIDGET_COMM_TARGETS
    return True


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class ServeOptions:
    """How to run Voila. Times in [s]."""

    port: int = 8866
    host: str = "127.0.0.1"
    pool_size: int = 2  # pre-heated kernels per dashboard
    cull_idle_timeout: int = 600  # a kernel idle this long is shut down
    cull_interval: int = 60  # how often to look for idle kernels
    fill_delay: float = 5.0  # wait before refilling the pool after a kernel is used: refilling
    # runs a dashboard, which on 2 cores slows the page being loaded
    open_browser: bool = False
    log_level: str = "WARN"
    token: str | None = None  # required by the server when set; always set off loopback

    def checked(self) -> ServeOptions:
        """These options, with a fresh token when the host is not loopback and none was given."""
        if self.token or is_loopback(self.host):
            return self
        from dataclasses import replace

        return replace(self, token=new_token())

    def url(self, path: str = "/") -> str:
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{path}" + (f"?token={self.token}" if self.token else "")


def dashboards_dir() -> Path:
    """``dashboards/``: the Voila notebooks."""
    return config.repo_root() / "dashboards"


#: The partial plotly.js the dashboards load first (bar, scatter, heatmap, pie, box, …; 1.5 MB):
#: vendored from npm ``plotly.js-cartesian-dist-min`` with its licence (``kejifu/static/plotly/``).
PLOTLY_PARTIAL = STATIC / "plotly" / "plotly-cartesian.min.js"


def plotly_js() -> Path:
    """The full ``plotly.min.js`` of the installed plotly package (4.8 MB; every trace type).

    Pages load it only when a figure has a trace type the partial bundle lacks
    (e.g. ``scattergl``)."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def plotly_partial_js() -> Path:
    """The partial bundle pages load first; the full one when it is not vendored."""
    return PLOTLY_PARTIAL if PLOTLY_PARTIAL.is_file() else plotly_js()


def _digest(*paths: Path) -> str:
    h = hashlib.sha1()
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:10]


def default_data_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kejifu" / "voila-data"


def prepare_data_dir(dest: Path | None = None) -> Path:
    """Assemble the Jupyter data folder holding the ``kejifu`` Voila template; return it.

    The template's ``static/`` gets ``plotly.min.js`` (full) and ``cartesian/plotly.min.js``
    (partial), copied once and refreshed when the source changes; the page links carry a
    content version so browsers cache them.
    """
    dest = Path(dest) if dest else default_data_dir()
    tdir = dest / "voila" / "templates" / TEMPLATE
    (tdir / "static").mkdir(parents=True, exist_ok=True)
    full_js, partial_js = plotly_js(), plotly_partial_js()
    own = sorted(p for p in TEMPLATE_SRC.rglob("*") if p.is_file())
    for p in own:
        rel = p.relative_to(TEMPLATE_SRC)
        if rel.name == "index.html.j2":
            continue
        target = tdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    # the partial bundle is served as /voila/static/cartesian/plotly.min.js
    (tdir / "static" / "cartesian").mkdir(exist_ok=True)
    for src, name in ((full_js, "plotly.min.js"), (partial_js, "cartesian/plotly.min.js")):
        js_dest = tdir / "static" / name
        if not js_dest.exists() or js_dest.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, js_dest)
    text = (TEMPLATE_SRC / "index.html.j2").read_text(encoding="utf-8")
    text = (
        text.replace("__KEJIFU_VERSION__", _digest(*own))
        .replace("__PLOTLY_VERSION__", _digest(partial_js))
        .replace("__PLOTLY_FULL_VERSION__", _digest(full_js))
    )
    (tdir / "index.html.j2").write_text(text, encoding="utf-8")
    return dest


def voila_command(root: Path, opts: ServeOptions) -> list[str]:
    """The ``voila`` command line serving the notebooks in ``root``."""
    return [
        sys.executable,
        "-m",
        "kejifu.web.serve",
        str(root),
        f"--port={opts.port}",
        f"--Voila.ip={opts.host}",
        "--no-browser" if not opts.open_browser else "--Voila.open_browser=True",
        f"--template={TEMPLATE}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--preheat_kernel=True",
        f"--pool_size={opts.pool_size}",
        f"--VoilaKernelManager.fill_delay={opts.fill_delay}",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={opts.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in EXTENSION_DENYLIST),
        f"--Voila.log_level={opts.log_level}",
        # the browser may talk to the widgets, never run code
        f"--Voila.kernel_websocket_connection_class={__name__}.ReadOnlyKernelConnection",
        *(f"--MappingKernelManager.allowed_message_types={m}" for m in sorted(ALLOWED_FROM_BROWSER["shell"])),
        # labextension files have content-hashed names: let browsers keep them
        "--Voila.tornado_settings={'static_immutable_cache': ['/voila/labextensions/']}",
    ]


def voila_env(workspace: Path, data_dir: Path, token: str | None = None) -> dict[str, str]:
    """The environment for Voila and its kernels: the workspace, the template's data path
    and the token (taken out again by the server before any kernel starts)."""
    env = dict(os.environ)
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    env["KEJIFU_WORKSPACE"] = str(Path(workspace).resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start(
    workspace: Path,
    opts: ServeOptions = ServeOptions(),
    *,
    root: Path | None = None,
    data_dir: Path | None = None,
    log=None,
) -> subprocess.Popen:
    """Start Voila in the background; returns the process (stop it with ``terminate()``).

    Off loopback ``opts`` must carry a token (see :meth:`ServeOptions.checked`)."""
    if not is_loopback(opts.host) and not opts.token:
        raise ValueError(f"serving on {opts.host} needs a token")
    data = prepare_data_dir(data_dir)
    cmd = voila_command(root or dashboards_dir(), opts)
    return subprocess.Popen(
        cmd,
        env=voila_env(workspace, data, opts.token),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )


def wait_ready(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers (raise ``TimeoutError`` or ``RuntimeError`` if the server died)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"voila did not answer at {url} within {timeout:.0f} s")


def serve(workspace: Path, opts: ServeOptions = ServeOptions(), *, root: Path | None = None) -> int:
    """Run Voila in the foreground until interrupted; returns its exit code."""
    opts = opts.checked()
    data = prepare_data_dir()
    cmd = voila_command(root or dashboards_dir(), opts)
    print(f"kejifu: {opts.url()}  (工作区 / workspace: {Path(workspace).resolve()})", flush=True)
    if opts.token:
        print(
            f"kejifu: 监听 {opts.host}，需凭令牌访问 / listening on {opts.host}: the link above carries "
            f"the access token; requests without it are refused",
            flush=True,
        )
    proc = subprocess.Popen(cmd, env=voila_env(workspace, data, opts.token))

    def _stop(signum, frame):  # SIGTERM to `kejifu serve` stops Voila (and its kernels) too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


#: How long browsers may reuse Voila's own scripts (``/voila/static/*.voila.js``) without asking
#: again [s]. Voila serves them without a cache lifetime, so every page load revalidates ~90
#: files; their names change only with a Voila upgrade (restart the server, and browsers
#: pick up the new files within this time).
VOILA_STATIC_CACHE_S = 24 * 3600


def _voila_main() -> None:  # pragma: no cover - runs in the server process
    """``python -m kejifu.web.serve``: Voila with cacheable static files, then Voila's own main."""
    from voila import static_file_handler as sfh

    def get_cache_time(self, path, modified, mime_type):
        if "v" in self.request.arguments:
            return self.CACHE_MAX_AGE
        return VOILA_STATIC_CACHE_S

    sfh.MultiStaticFileHandler.get_cache_time = get_cache_time
    from kejifu.web import serve as this  # not __main__: the websocket class lives in kejifu.web.serve

    this._patch_culler()
    token = os.environ.pop(TOKEN_ENV, None)  # kernels must not inherit it
    if token:
        sys.argv.append(f"--Voila.token={token}")
    from voila.app import main

    sys.exit(main())


_CONNECTED: set[str] = set()  # kernels a page has connected to
_FIRST_SEEN: dict[str, float] = {}  # when the culler first looked at a kernel (out of the pool)


def _patch_culler(grace: float = CONNECT_GRACE_S) -> None:
    """Make the kernel culler spare a kernel no page has connected to yet, for ``grace`` seconds
    from the first time it looks at it (Voila's culler never looks at kernels in the pool, so this
    is when a page took it). Connected kernels are culled as before (idle and no connections)."""
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from jupyter_server.utils import ensure_async

    original = MappingKernelManager.cull_kernel_if_idle
    if getattr(original, "kejifu", False):
        return

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id not in _CONNECTED:
            first = _FIRST_SEEN.setdefault(kernel_id, time.monotonic())
            if time.monotonic() - first < grace:
                return None
        result = await ensure_async(original(self, kernel_id))
        if kernel_id not in self._kernels:
            _CONNECTED.discard(kernel_id)
            _FIRST_SEEN.pop(kernel_id, None)
        return result

    cull_kernel_if_idle.kejifu = True
    MappingKernelManager.cull_kernel_if_idle = cull_kernel_if_idle


def _read_only_connection_class():
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    class ReadOnlyKernelConnection(ZMQChannelsWebsocketConnection):
        """The kernel websocket of a dashboard: passes the widgets' messages
        (:func:`message_allowed`) and drops everything else, so a browser cannot run code."""

        def _peek(self, ws_msg):
            if self.subprotocol == "v1.kernel.websocket.jupyter.org":
                channel, parts = deserialize_msg_from_ws_v1(ws_msg)
                header = self.session.unpack(parts[0])
                content = self.session.unpack(parts[3]) if header.get("msg_type") == "comm_open" else None
                return channel, header, content
            msg = deserialize_binary_message(ws_msg) if isinstance(ws_msg, bytes) else json.loads(ws_msg)
            return msg.get("channel"), msg.get("header") or {}, msg.get("content")

        def connect(self):
            _CONNECTED.add(self.kernel_id)
            return super().connect()

        def handle_incoming_message(self, incoming_msg) -> None:
            try:
                channel, header, content = self._peek(incoming_msg)
            except Exception:  # noqa: BLE001 - anything unreadable is dropped
                self.log.warning("kejifu: dropped an unreadable message from the browser")
                return
            msg_type = header.get("msg_type")
            if not message_allowed(channel, msg_type, content):
                self.log.warning(
                    "kejifu: dropped %s on %s from the browser (dashboards are read-only)",
                    msg_type,
                    channel or "shell",
                )
                return
            super().handle_incoming_message(incoming_msg)

    return ReadOnlyKernelConnection


def __getattr__(name: str):
    # ``ReadOnlyKernelConnection`` is built on first use: importing jupyter_server is only
    # needed in the server process (traitlets imports it by name from the command line).
    if name == "ReadOnlyKernelConnection":
        cls = globals()[name] = _read_only_connection_class()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    _voila_main()
