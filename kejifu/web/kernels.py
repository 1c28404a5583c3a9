"""Kernel limits of ``kejifu serve``: every page view costs a dashboard kernel (~160 MB), so their
number is capped and a kernel nobody looks at is given back within seconds.

- :class:`KernelLimits`: the cap on *page kernels* (kernels handed to a page; the pre-heated
  pools are not counted), how long a page kernel may wait for its page's websocket, and how long
  it outlives its page's last websocket; :func:`default_max_kernels` sizes the cap to memory;
- :class:`KernelLedger`: the bookkeeping (pure, with an injectable clock): which page kernels
  exist, which are connected, which are due for shutdown, whether the server is full;
- :func:`install`: in the Voila server process, hooks the ledger into Voila's kernel manager
  (hand-outs, starts, shutdowns, a sweeper task) and its page handler (beyond the cap the page
  is :func:`busy_page`, HTTP 503, instead of a new kernel);
- :func:`busy_page`: 「访问人数较多，请稍后刷新」 in both languages.

The read-only websocket of :mod:`kejifu.web.serve` reports connects and disconnects here.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..i18n import t
from .html import esc

#: Resident memory of one dashboard kernel on the demo workspace [bytes] (measured ~160 MB; rounded up).
KERNEL_BYTES = 200 * 2**20
#: Share of the machine's memory the dashboard kernels may take [1 = all of it].
MEMORY_SHARE = 0.5
#: Bounds of the cap sized to memory [kernels].
MIN_KERNELS, MAX_KERNELS = 2, 64
#: Environment variable handing the limits to the server process (removed before kernels start).
LIMITS_ENV = "KEJIFU_KERNEL_LIMITS"
#: Seconds a browser should wait before retrying a full server (the ``Retry-After`` header).
RETRY_AFTER_S = 30

log = logging.getLogger("kejifu.serve")


def physical_memory() -> int:
    """This machine's memory [bytes] (0 when unknown)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 0


def default_max_kernels(
    total_bytes: int | None = None, *, pools: int = 0, per_kernel: int = KERNEL_BYTES
) -> int:
    """The page-kernel cap for a machine with ``total_bytes`` of memory [bytes] (default: this
    one): :data:`MEMORY_SHARE` of it in kernels of ``per_kernel`` bytes, less the ``pools``
    pre-heated kernels, within :data:`MIN_KERNELS` … :data:`MAX_KERNELS`."""
    total = physical_memory() if total_bytes is None else total_bytes
    if total <= 0:
        return MIN_KERNELS * 4
    fit = int(total * MEMORY_SHARE // per_kernel) - pools
    return max(MIN_KERNELS, min(MAX_KERNELS, fit))


@dataclass(frozen=True)
class KernelLimits:
    """How many page kernels may exist and how long an unwatched one lives. Times in [s]."""

    max_kernels: int = 8  # page kernels at once (pre-heated pools not counted)
    connect_timeout: float = 90.0  # a page kernel no websocket connected to by then is shut down
    disconnect_grace: float = 5.0  # a page kernel is shut down this long after its last websocket closed
    sweep_interval: float = 1.0  # how often the sweeper looks

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, text: str | None) -> KernelLimits:
        """Limits from :meth:`to_env` text; the defaults for none."""
        if not text:
            return cls()
        return cls(**json.loads(text))


@dataclass
class PageKernel:
    """A kernel handed to a page: when its page was sent [monotonic s] (``serving`` while the page
    is still being rendered and sent), its open websockets, when the last one closed."""

    handed_at: float
    serving: bool = False
    connections: int = 0
    ever_connected: bool = False
    last_close: float | None = None


@dataclass
class KernelLedger:
    """Which page kernels exist and which of them are due for shutdown (no Jupyter imports)."""

    limits: KernelLimits = field(default_factory=KernelLimits)
    clock: Callable[[], float] = time.monotonic
    page: dict[str, PageKernel] = field(default_factory=dict)
    pending: int = 0  # page requests admitted that have no kernel yet

    def full(self, alive: set[str] | None = None) -> bool:
        """True when a new page would exceed the cap (``alive``: the kernel ids still running)."""
        n = len(self.page if alive is None else self.page.keys() & alive)
        return n + self.pending >= self.limits.max_kernels

    def handed_out(self, kernel_id: str, serving: bool = False) -> None:
        """A page took ``kernel_id`` (from the pool or freshly started); ``serving``: its page is
        still being rendered (the connect timeout starts at :meth:`served`)."""
        self.page.setdefault(kernel_id, PageKernel(self.clock(), serving=serving))

    def served(self, kernel_id: str) -> None:
        """The page of ``kernel_id`` has been sent: from now on it has ``connect_timeout`` to connect."""
        k = self.page.get(kernel_id)
        if k is not None and k.serving:
            k.serving, k.handed_at = False, self.clock()

    def connected(self, kernel_id: str) -> None:
        k = self.page.get(kernel_id)
        if k is not None:
            k.connections += 1
            k.ever_connected = True

    def disconnected(self, kernel_id: str) -> None:
        k = self.page.get(kernel_id)
        if k is not None:
            k.connections = max(0, k.connections - 1)
            if k.connections == 0:
                k.last_close = self.clock()

    def gone(self, kernel_id: str) -> None:
        """``kernel_id`` was shut down (by the sweeper, the culler or an API call)."""
        self.page.pop(kernel_id, None)

    def due(self, alive: set[str] | None = None) -> list[str]:
        """Page kernels to shut down now: never connected within ``connect_timeout`` of the
        hand-out, or unconnected for ``disconnect_grace`` since their last websocket closed.
        Kernels no longer ``alive`` are forgotten; a kernel whose page is still being sent is kept."""
        if alive is not None:
            for kid in [k for k in self.page if k not in alive]:
                self.gone(kid)
        now, lim, out = self.clock(), self.limits, []
        for kid, k in self.page.items():
            if k.connections > 0 or k.serving:
                continue
            if not k.ever_connected and now - k.handed_at >= lim.connect_timeout:
                out.append(kid)
            elif k.ever_connected and k.last_close is not None and now - k.last_close >= lim.disconnect_grace:
                out.append(kid)
        return out


def busy_page() -> str:
    """The page served beyond the cap (HTTP 503): bilingual, no script, nothing fetched."""
    zh, en = t("dash.busy.title", "zh"), t("dash.busy.title", "en")
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{esc(zh)} / {esc(en)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:sans-serif;margin:4em auto;max-width:36em;color:#222;text-align:center}"
        "p{color:#555}</style></head><body>"
        f"<h1>{esc(zh)}</h1><p>{esc(t('dash.busy.text', 'zh'))}</p>"
        f'<h2 lang="en">{esc(en)}</h2><p lang="en">{esc(t("dash.busy.text", "en"))}</p>'
        "</body></html>"
    )


# ----- the server process ----------------------------------------------------------------------

#: The ledger of the running server (None outside the Voila process).
LEDGER: KernelLedger | None = None


@dataclass
class _Admission:
    """A page request let in under the cap: counted as pending until its kernel is known."""

    pending: bool = True
    kernel_id: str | None = None


#: The admission of the page request being handled.
_ADMISSION: contextvars.ContextVar[_Admission | None] = contextvars.ContextVar(
    "kejifu_admission", default=None
)


def _claim(kernel_id: str) -> None:
    """Record ``kernel_id`` as a page kernel and release the request's admission."""
    if LEDGER is None:
        return
    adm = _ADMISSION.get()
    LEDGER.handed_out(kernel_id, serving=adm is not None)
    if adm is not None:
        adm.kernel_id = kernel_id
        if adm.pending:
            adm.pending = False
            LEDGER.pending -= 1


def install(limits: KernelLimits) -> KernelLedger:  # pragma: no cover - runs in the server process
    """Hook the limits into Voila (call before ``voila.app.main``); returns the ledger."""
    global LEDGER
    LEDGER = KernelLedger(limits)
    import voila.app as voila_app
    from jupyter_core.utils import ensure_async
    from voila.handler import VoilaHandler

    original_factory = voila_app.voila_kernel_manager_factory

    def factory(*args, **kwargs):
        base = original_factory(*args, **kwargs)

        class KejifuKernelManager(base):
            _kejifu_sweeper = None

            async def get_rendered_notebook(self, *a, **k):
                result = await super().get_rendered_notebook(*a, **k)
                _claim(result[2])
                self._kejifu_sweep_soon()
                return result

            async def start_kernel(self, *a, **k):
                kid = await ensure_async(super().start_kernel(*a, **k))
                if str((k.get("env") or {}).get("VOILA_PREHEAT", "False")) != "True":
                    _claim(kid)  # a page's own kernel (the pool was empty)
                    self._kejifu_sweep_soon()
                return kid

            async def shutdown_kernel(self, kernel_id, *a, **k):
                LEDGER.gone(kernel_id)
                return await ensure_async(super().shutdown_kernel(kernel_id, *a, **k))

            def _kejifu_sweep_soon(self):
                if self._kejifu_sweeper is None or self._kejifu_sweeper.done():
                    self._kejifu_sweeper = asyncio.get_event_loop().create_task(self._kejifu_sweep())

            async def _kejifu_sweep(self):
                while LEDGER.page:
                    await asyncio.sleep(LEDGER.limits.sweep_interval)
                    for kid in LEDGER.due(set(self.list_kernel_ids())):
                        k = LEDGER.page.get(kid)
                        why = "its page closed" if k is not None and k.ever_connected else "no page connected"
                        self.log.info("kejifu: shutting down kernel %s (%s)", kid, why)
                        try:
                            await self.shutdown_kernel(kid)
                        except Exception:  # noqa: BLE001 - already gone, or dying: forget it
                            LEDGER.gone(kid)

        return KejifuKernelManager

    voila_app.voila_kernel_manager_factory = factory
    original_generator = VoilaHandler.get_generator

    async def get_generator(self, path=None):
        # the page's front end shuts its kernel down on leaving (a POST carrying the ``_xsrf``
        # cookie): set that cookie, else the POST is refused (403) and only the sweeper frees it
        _ = self.xsrf_token
        if LEDGER.full(set(self.kernel_manager.list_kernel_ids())):
            self.log.warning(
                "kejifu: %s page kernels in use, the cap; answered 503", LEDGER.limits.max_kernels
            )
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Retry-After", str(RETRY_AFTER_S))
            self.set_header("Cache-Control", "no-store")
            yield busy_page()
            return
        LEDGER.pending += 1
        adm = _Admission()
        _ADMISSION.set(adm)
        try:
            async for chunk in original_generator(self, path):
                yield chunk
        finally:
            _ADMISSION.set(None)  # not reset(): a generator may be closed in another context
            if adm.pending:
                adm.pending = False
                LEDGER.pending -= 1
            if adm.kernel_id is not None:
                LEDGER.served(adm.kernel_id)

    VoilaHandler.get_generator = get_generator
    return LEDGER
