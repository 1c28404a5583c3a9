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
* ``--strip_sources=True``, ``--no-browser``, on ``127.0.0.1`` by default;
* the ``kejifu`` template (``kejifu/static/voila/templates/kejifu``): the lab
  template without its CDN links, plus one ``plotly.min.js`` and the drawing script,
  served from ``/voila/static/`` with a versioned URL so that the browser caches them.

Voila finds templates in the Jupyter data path, so :func:`prepare_data_dir` assembles
a small data folder (template + plotly.js copied from the installed ``plotly``
package, or a smaller bundle vendored in ``kejifu/static/plotly/``) and the command
runs with ``JUPYTER_PATH`` pointing at it.
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

from . import config

TEMPLATE = "kejifu"
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATE_SRC = STATIC / "voila" / "templates" / TEMPLATE
#: JupyterLab extensions the dashboards do not need (plotly's mime renderer would load a
#: second 4.8 MB plotly.js on every page; jupytext is an editor extension).
EXTENSION_DENYLIST = ["jupyterlab-plotly", "jupyterlab-jupytext", "@voila-dashboards/jupyterlab-preview"]


@dataclass(frozen=True)
class ServeOptions:
    """How to run Voila. Times in [s]."""

    port: int = 8866
    host: str = "127.0.0.1"
    pool_size: int = 2             # pre-heated kernels per dashboard
    cull_idle_timeout: int = 600   # a kernel idle this long is shut down
    cull_interval: int = 60        # how often to look for idle kernels
    fill_delay: float = 5.0        # wait before refilling the pool after a kernel is used: refilling
                                   # runs a dashboard, which on 2 cores slows the page being loaded
    open_browser: bool = False
    log_level: str = "WARN"


def dashboards_dir() -> Path:
    """``dashboards/``: the Voila notebooks."""
    return config.repo_root() / "dashboards"


def plotly_js() -> Path:
    """The plotly.js the dashboards load: a bundle vendored in ``kejifu/static/plotly/``
    (``*.min.js``) if there is one, else ``plotly.min.js`` from the installed plotly package."""
    vendored = sorted((STATIC / "plotly").glob("*.min.js")) if (STATIC / "plotly").is_dir() else []
    if vendored:
        return vendored[0]
    import plotly
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


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

    The template's ``static/`` gets ``plotly.min.js`` (copied once, refreshed when the
    source changes) and the page links carry a content version so browsers cache them.
    """
    dest = Path(dest) if dest else default_data_dir()
    tdir = dest / "voila" / "templates" / TEMPLATE
    (tdir / "static").mkdir(parents=True, exist_ok=True)
    src_js = plotly_js()
    own = sorted(p for p in TEMPLATE_SRC.rglob("*") if p.is_file())
    for p in own:
        rel = p.relative_to(TEMPLATE_SRC)
        if rel.name == "index.html.j2":
            continue
        target = tdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    js_dest = tdir / "static" / "plotly.min.js"
    if not js_dest.exists() or js_dest.stat().st_size != src_js.stat().st_size:
        shutil.copyfile(src_js, js_dest)
    text = (TEMPLATE_SRC / "index.html.j2").read_text(encoding="utf-8")
    text = text.replace("__KEJIFU_VERSION__", _digest(*own)).replace("__PLOTLY_VERSION__", _digest(src_js))
    (tdir / "index.html.j2").write_text(text, encoding="utf-8")
    return dest


def voila_command(root: Path, opts: ServeOptions) -> list[str]:
    """The ``voila`` command line serving the notebooks in ``root``."""
    return [
        sys.executable, "-m", "kejifu.serve", str(root),
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
        # labextension files have content-hashed names: let browsers keep them
        "--Voila.tornado_settings={'static_immutable_cache': ['/voila/labextensions/']}",
    ]


def voila_env(workspace: Path, data_dir: Path) -> dict[str, str]:
    """The environment for Voila and its kernels: the workspace and the template's data path."""
    env = dict(os.environ)
    env["KEJIFU_WORKSPACE"] = str(Path(workspace).resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start(workspace: Path, opts: ServeOptions = ServeOptions(), *, root: Path | None = None,
          data_dir: Path | None = None, log=None) -> subprocess.Popen:
    """Start Voila in the background; returns the process (stop it with ``terminate()``)."""
    data = prepare_data_dir(data_dir)
    cmd = voila_command(root or dashboards_dir(), opts)
    return subprocess.Popen(cmd, env=voila_env(workspace, data), stdout=log or subprocess.DEVNULL,
                            stderr=subprocess.STDOUT if log else subprocess.DEVNULL)


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
    data = prepare_data_dir()
    cmd = voila_command(root or dashboards_dir(), opts)
    print(f"kejifu: http://{opts.host}:{opts.port}/  (工作区 / workspace: {Path(workspace).resolve()})",
          flush=True)
    proc = subprocess.Popen(cmd, env=voila_env(workspace, data))

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
    """``python -m kejifu.serve``: Voila with cacheable static files, then Voila's own main."""
    from voila import static_file_handler as sfh

    def get_cache_time(self, path, modified, mime_type):
        if "v" in self.request.arguments:
            return self.CACHE_MAX_AGE
        return VOILA_STATIC_CACHE_S

    sfh.MultiStaticFileHandler.get_cache_time = get_cache_time
    from voila.app import main
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _voila_main()
