"""Patches of Voila, jupyter_server and tornado, applied in the server process only
(``python -m kejifu.web.serve``): each idempotent, each named for what it changes.

- :func:`spare_unconnected_kernels`: the culler spares a page kernel no page has connected to yet;
- :func:`template_statics_404`: malformed ``/voila/templates/…`` paths answer 404, not 500;
- :func:`compress_all_but`: compressed responses, except the streamed dashboard pages.
"""

from __future__ import annotations

import os
import time

from . import channels


def spare_unconnected_kernels(grace: float) -> None:
    """Make the kernel culler spare a kernel no page has connected to yet, for ``grace`` seconds
    from the first time it looks at it (Voila's culler never looks at kernels in the pool, so this
    is when a page took it). Connected kernels are culled as before (idle and no connections);
    page kernels nobody watches are shut down sooner by :mod:`kejifu.web.kernels`."""
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from jupyter_server.utils import ensure_async

    original = MappingKernelManager.cull_kernel_if_idle
    if getattr(original, "kejifu", False):
        return
    first_seen: dict[str, float] = {}

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id not in channels.CONNECTED:
            first = first_seen.setdefault(kernel_id, time.monotonic())
            if time.monotonic() - first < grace:
                return None
        result = await ensure_async(original(self, kernel_id))
        if kernel_id not in self._kernels:
            channels.CONNECTED.discard(kernel_id)
            first_seen.pop(kernel_id, None)
        return result

    cull_kernel_if_idle.kejifu = True
    MappingKernelManager.cull_kernel_if_idle = cull_kernel_if_idle


def template_statics_404() -> None:
    """``/voila/templates/<anything but template/static/file>`` answers 404, not 500 (Voila's
    handler asserts on the path's shape and fails on an empty root list)."""
    import tornado.web
    from voila.static_file_handler import TemplateStaticFileHandler as handler

    original_parse, original_validate = handler.parse_url_path, handler.validate_absolute_path
    if getattr(original_parse, "kejifu", False):
        return

    def parse_url_path(self, path):
        for parts in ((path or "").split("/", 2), os.path.normpath(path or ".").split(os.path.sep, 2)):
            if len(parts) != 3 or not parts[0] or parts[1] != "static" or not parts[2]:
                raise tornado.web.HTTPError(404)
        return original_parse(self, path)

    def validate_absolute_path(self, root, absolute_path):
        if not getattr(self, "roots", None):
            raise tornado.web.HTTPError(404)
        return original_validate(self, root, absolute_path)

    parse_url_path.kejifu = True
    handler.parse_url_path, handler.validate_absolute_path = parse_url_path, validate_absolute_path


def compress_all_but(prefixes: tuple[str, ...]) -> None:
    """Let tornado compress every response but those of paths starting with ``prefixes`` (Voila
    streams a dashboard page cell by cell; compressed, 20 pages at once were held back)."""
    from tornado.web import GZipContentEncoding

    original = GZipContentEncoding.__init__
    if getattr(original, "kejifu", False):
        return

    def __init__(self, request):
        original(self, request)
        if request.path.startswith(prefixes):
            self._gzipping = False

    __init__.kejifu = True
    GZipContentEncoding.__init__ = __init__
