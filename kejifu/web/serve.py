"""Serving the dashboards: the Voila command, its configuration and a local plotly.js.

``kejifu serve DIR`` runs Voila on ``dashboards/`` with

* the workspace ``DIR`` passed to every kernel as ``$KEJIFU_WORKSPACE`` (the
  dashboards open it read-only);
* pre-heated kernels (``--preheat_kernel=True``, a pool per dashboard): each
  dashboard is executed ahead of the request, so a page load only ships the
  rendered page and the widget state;
* bounded kernels (:mod:`kejifu.web.kernels`): at most ``max_kernels`` page kernels at once
  (default sized to memory; beyond it the page is 「访问人数较多，请稍后刷新」, HTTP 503), a page's
  kernel shut down seconds after its websocket closed, and the kernel of a request that never
  connects (a plain GET) after ``connect_timeout``; Voila's culler (``cull_idle_timeout``,
  ``cull_connected=False``) stays as the backstop; pooled kernels are never culled;
* ``--strip_sources=True``, ``--no-browser``, on ``127.0.0.1`` by default; on any other
  address only with a token (generated when none is given; :func:`serve` prints the URL
  carrying it) — requests without it are refused;
* no code from the browser and no error details to it: the kernel websocket
  (``ReadOnlyKernelConnection``, :mod:`kejifu.web.channels`) passes only the messages the widgets
  need and drops everything else — ``execute_request``, ``inspect_request``, ``complete_request``,
  stdin and control messages (``MappingKernelManager.allowed_message_types`` says the same as a
  second lock); kernel errors reach the browser as one generic line, the details go to the log;
* ``/voila/templates/…`` paths that name no template file answer 404, not 500;
* ``/`` is the front page (:mod:`kejifu.web.front`: the plan, the data month, a card per
  dashboard), not Voila's file list; every page carries the navigation bar;
* compressed responses and cacheable static files (:data:`TORNADO_SETTINGS`);
* a quiet console: kernels on Unix sockets (no "running over TCP without encryption"), no
  deprecation notices (``PYTHONWARNINGS``), no notebook-trust notices (:class:`QuietFilter`);
  real warnings and errors are logged as before;
* the ``kejifu`` template (``kejifu/web/static/voila/templates/kejifu``): the lab
  template without its CDN links, plus plotly.js (the cartesian partial bundle vendored in
  ``kejifu/web/static/plotly/``; the full one from the ``plotly`` package only for figures that
  need it), the drawing script and the board's static first view, served from
  ``/voila/static/`` with versioned URLs so that the browser caches them.

Voila finds templates in the Jupyter data path, so :func:`prepare_data_dir` assembles
a small data folder (template + both plotly.js bundles) and the command runs with
``JUPYTER_PATH`` pointing at it.
"""

from __future__ import annotations

import hashlib
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
from . import channels, front, kernels, patches
from .channels import ALLOWED_FROM_BROWSER, WIDGET_COMM_TARGETS, message_allowed  # noqa: F401 - re-exported
from .kernels import KernelLimits

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


#: A kernel handed to a page is not culled before the page has connected to it, for up to this
#: long [s]: the page may still be loading its scripts (seconds on a busy machine). Without
#: this, Voila's culler shuts down a kernel that sat in the pool longer than
#: ``cull_idle_timeout`` in the moment between the page taking it and connecting to it.
CONNECT_GRACE_S = 120.0
#: How long Voila waits for a cell's outputs after its reply [s] (nbclient's default: 4).
IOPUB_TIMEOUT_S = 30
#: Addresses served without a token.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: Environment variable handing the token to the server process (not on its command line,
#: where ``ps`` shows it); removed before kernels start.
TOKEN_ENV = "KEJIFU_SERVE_TOKEN"


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
    max_kernels: int | None = None  # page kernels at once, pools not counted (None: sized to memory)
    connect_timeout: float = (
        kernels.KernelLimits.connect_timeout
    )  # a page kernel unconnected this long is shut down
    disconnect_grace: float = kernels.KernelLimits.disconnect_grace  # … and this long after its page closed

    def limits(self, root: Path | None = None) -> KernelLimits:
        """The kernel limits: ``max_kernels``, or the cap sized to this machine's memory less the
        pre-heated pools (``pool_size`` per dashboard in ``root``)."""
        cap = self.max_kernels
        if cap is None:
            n_boards = len(list((root or dashboards_dir()).glob("*.ipynb")))
            cap = kernels.default_max_kernels(pools=self.pool_size * n_boards)
        return KernelLimits(
            max_kernels=max(int(cap), 1),
            connect_timeout=float(self.connect_timeout),
            disconnect_grace=float(self.disconnect_grace),
        )

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
#: vendored from npm ``plotly.js-cartesian-dist-min`` with its licence (``kejifu/web/static/plotly/``).
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


def own_files() -> list[Path]:
    """The ``kejifu`` template's own files (the page links carry their version, :func:`_digest`)."""
    return sorted(p for p in TEMPLATE_SRC.rglob("*") if p.is_file())


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
    own = own_files()
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
        text.replace("__KEJIFU_NAV__", front.nav_html("{{ resources.base_url }}"))
        .replace("__KEJIFU_VERSION__", _digest(*own))
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
        # a page's outputs (the board's widgets) may trail its cell's reply by seconds while twenty
        # kernels start at once on two cores; Voila's 4 s default dropped them (a page never live)
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in EXTENSION_DENYLIST),
        f"--Voila.log_level={opts.log_level}",
        # kernels talk to the server over Unix sockets in Voila's private temporary folder, not
        # over TCP ports any local user could reach
        "--KernelManager.transport=ipc",
        # the browser may talk to the widgets, never run code
        f"--Voila.kernel_websocket_connection_class={__name__}.ReadOnlyKernelConnection",
        *(f"--MappingKernelManager.allowed_message_types={m}" for m in sorted(ALLOWED_FROM_BROWSER["shell"])),
    ]  # the tornado settings (compression, caching) are set in the server process: _voila_main


def voila_env(
    workspace: Path, data_dir: Path, token: str | None = None, limits: KernelLimits | None = None
) -> dict[str, str]:
    """The environment for Voila and its kernels: the workspace, the template's data path, the
    token and the kernel limits (the last two taken out again by the server before any kernel
    starts)."""
    env = dict(os.environ)
    env.pop(TOKEN_ENV, None)
    env.pop(kernels.LIMITS_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    if limits is not None:
        env[kernels.LIMITS_ENV] = limits.to_env()
    env["KEJIFU_WORKSPACE"] = str(Path(workspace).resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # the server and its kernels print no deprecation notices of the libraries (a leader's
    # console is not where they get fixed); real warnings and errors still show
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning,ignore::PendingDeprecationWarning")
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
    root = root or dashboards_dir()
    cmd = voila_command(root, opts)
    return subprocess.Popen(
        cmd,
        env=voila_env(workspace, data, opts.token, opts.limits(root)),
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


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    """Stop a server process: SIGTERM, then SIGKILL when it has not exited within ``timeout``
    [s]; its exit code."""
    proc.terminate()
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def serve(workspace: Path, opts: ServeOptions = ServeOptions(), *, root: Path | None = None) -> int:
    """Run Voila in the foreground until interrupted; returns its exit code."""
    opts = opts.checked()
    data = prepare_data_dir()
    root = root or dashboards_dir()
    cmd = voila_command(root, opts)
    limits = opts.limits(root)
    print(f"kejifu: {opts.url()}  (工作区 / workspace: {Path(workspace).resolve()})", flush=True)
    print(
        f"kejifu: 同时最多 {limits.max_kernels} 个看板页面 / "
        f"at most {limits.max_kernels} dashboard pages at once",
        flush=True,
    )
    if opts.token:
        print(
            f"kejifu: 监听 {opts.host}，需凭令牌访问 / listening on {opts.host}: the link above carries "
            f"the access token; requests without it are refused",
            flush=True,
        )
    proc = subprocess.Popen(cmd, env=voila_env(workspace, data, opts.token, limits))

    def _stop(signum, frame):  # SIGTERM to `kejifu serve` stops Voila (and its kernels) too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return stop(proc, timeout=10)
    finally:
        signal.signal(signal.SIGTERM, previous)


#: How long browsers may reuse Voila's own scripts (``/voila/static/*.voila.js``) without asking
#: again [s]. Voila serves them without a cache lifetime, so every page load revalidates ~90
#: files; their names change only with a Voila upgrade (restart the server, and browsers
#: pick up the new files within this time).
VOILA_STATIC_CACHE_S = 24 * 3600
#: Tornado settings of the server: responses compressed (Voila's scripts and plotly.js shrink to a
#: quarter or less) and the content-hashed labextension files cached for good.
TORNADO_SETTINGS = {"compress_response": True, "static_immutable_cache": ["/voila/labextensions/"]}
#: Paths sent uncompressed: Voila streams a dashboard page cell by cell as its kernel runs, and a
#: compressed stream held 20 simultaneous pages back until they timed out (tests/test_load.py).
UNCOMPRESSED_PREFIXES = ("/voila/render/",)
#: Log messages known to be harmless on a dashboard server, dropped from its console: Jupyter's
#: notebook trust check (a dashboard's outputs are made by the server, never taken from the file).
QUIET_MESSAGES = frozenset({"Notebook %s is not trusted"})
#: … and messages starting so: tornado's note that jupyter_server's websocket ping timeout [ms]
#: exceeds its interval (the two count in different units; nothing is misconfigured).
QUIET_PREFIXES = ("The websocket_ping_timeout (",)
#: The loggers these messages come from.
QUIET_LOGGERS = ("Voila", "ServerApp", "tornado.general")


class QuietFilter:
    """A :mod:`logging` filter dropping the records of :data:`QUIET_MESSAGES` and
    :data:`QUIET_PREFIXES` (and only them)."""

    def filter(self, record) -> bool:
        msg = str(record.msg)
        return msg not in QUIET_MESSAGES and not msg.startswith(QUIET_PREFIXES)


def _voila_main() -> None:  # pragma: no cover - runs in the server process
    """``python -m kejifu.web.serve``: Voila with cacheable static files, then Voila's own main."""
    from voila import static_file_handler as sfh

    def get_cache_time(self, path, modified, mime_type):
        if "v" in self.request.arguments:
            return self.CACHE_MAX_AGE
        return VOILA_STATIC_CACHE_S

    sfh.MultiStaticFileHandler.get_cache_time = get_cache_time

    patches.spare_unconnected_kernels(CONNECT_GRACE_S)
    patches.template_statics_404()
    patches.compress_all_but(UNCOMPRESSED_PREFIXES)
    import logging

    for name in QUIET_LOGGERS:
        logging.getLogger(name).addFilter(QuietFilter())
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else dashboards_dir()
    boards = tuple(b for b in front.BOARDS if (root / f"{b.stem}.ipynb").is_file()) or front.BOARDS
    front.install(front.FrontPage(boards, version=_digest(*own_files())))
    kernels.install(KernelLimits.from_env(os.environ.pop(kernels.LIMITS_ENV, None)))
    token = os.environ.pop(TOKEN_ENV, None)  # kernels must not inherit it
    if token:
        sys.argv.append(f"--Voila.token={token}")
    from traitlets.config import Config
    from voila.app import Voila, main

    init_settings = Voila.init_settings

    def with_tornado_settings(self):  # Voila applies them after tornado read compress_response
        return {**init_settings(self), **self.tornado_settings}

    Voila.init_settings = with_tornado_settings
    config = Config()
    config.Voila.tornado_settings = dict(TORNADO_SETTINGS)
    sys.exit(main(config=config))


def __getattr__(name: str):
    # ``ReadOnlyKernelConnection`` is built on first use: importing jupyter_server is only
    # needed in the server process (traitlets imports it by name from the command line).
    if name == "ReadOnlyKernelConnection":
        cls = globals()[name] = channels.build_connection_class()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    _voila_main()
