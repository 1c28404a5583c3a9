"""The kernel websocket of a dashboard: what may pass between a browser and a dashboard kernel.

- browser → kernel: only the messages the widgets need (:func:`message_allowed`: kernel info,
  comm open/message/close for the widget comm targets); ``execute_request``, ``inspect_request``,
  ``complete_request``, stdin and control messages are dropped, so a browser cannot run code;
- kernel → browser: no error details (:func:`sanitise`): an ``error`` message or an error reply
  reaches the browser as one generic line from the catalogue, and ``stderr`` output (where a
  kernel writes tracebacks, warnings and server paths) not at all; the details go to the server
  log (at INFO for the routine 「No such comm」 of a page being left, :func:`routine`);
- connects and disconnects are reported to the kernel ledger (:mod:`kejifu.web.kernels`), which
  shuts a page's kernel down seconds after its page went away.

:class:`ReadOnlyKernelConnection` is built on first use (it needs ``jupyter_server``, which only
the server process imports); Voila loads it by name as ``kejifu.web.serve.ReadOnlyKernelConnection``.
"""

from __future__ import annotations

import json
import re

from ..i18n import t
from . import kernels

#: What the browser may send to a dashboard's kernel, per channel (everything else is dropped):
#: the widget front end asks for kernel info, opens the widget comms and sends comm messages
#: (widget state changes). No execute/inspect/complete/history requests, no stdin, no control.
ALLOWED_FROM_BROWSER = {
    "shell": frozenset({"kernel_info_request", "comm_info_request", "comm_msg", "comm_open", "comm_close"}),
}
#: Comm targets the browser may open (ipywidgets' own).
WIDGET_COMM_TARGETS = frozenset({"jupyter.widget", "jupyter.widget.control"})
#: Kernels a page has connected to (the culler spares a kernel not yet connected for a while).
CONNECTED: set[str] = set()


def message_allowed(channel: str | None, msg_type: str | None, content: dict | None = None) -> bool:
    """Whether a message from the browser may reach a dashboard kernel."""
    if msg_type not in ALLOWED_FROM_BROWSER.get(channel or "shell", ()):
        return False
    if msg_type == "comm_open":
        return (content or {}).get("target_name") in WIDGET_COMM_TARGETS
    return True


def generic_error() -> str:
    """The one line a browser sees of any kernel error (both languages)."""
    return f"{t('dash.kernel_error', 'zh')} / {t('dash.kernel_error', 'en')}"


def sanitise(msg_type: str | None, content: dict | None) -> tuple[str, dict | None]:
    """What of a kernel message may reach the browser: ``("pass", None)`` (unchanged),
    ``("drop", None)`` or ``("replace", new content)``. Errors keep their shape (``ename``,
    ``evalue``, ``traceback``) with the generic message and no traceback."""
    content = content or {}
    if msg_type == "stream":
        return ("drop", None) if content.get("name") == "stderr" else ("pass", None)
    if msg_type == "error" or content.get("status") == "error" or "traceback" in content:
        clean = {k: v for k, v in content.items() if k not in ("ename", "evalue", "traceback")}
        clean.update(ename="Error", evalue=generic_error(), traceback=[])
        return "replace", clean
    return "pass", None


#: What a kernel writes to stderr in the ordinary course of a page's life: a widget message that
#: arrived after its comm was closed (a page being left). Logged at INFO, not WARNING.
ROUTINE_STDERR = re.compile(r"\s*No such comm: [0-9a-f-]+\s*")


def routine(msg_type: str | None, content: dict | None) -> bool:
    """Whether a withheld kernel message is routine (:data:`ROUTINE_STDERR`), not worth a warning."""
    content = content or {}
    return (
        msg_type == "stream"
        and content.get("name") == "stderr"
        and ROUTINE_STDERR.fullmatch(str(content.get("text", ""))) is not None
    )


#: Kernel messages whose content must be read to sanitise them (all others pass unread).
_INSPECT = frozenset({"stream", "error"})


def _needs_content(msg_type: str | None) -> bool:
    return msg_type in _INSPECT or (msg_type or "").endswith("_reply")


def build_connection_class():
    """The :class:`ReadOnlyKernelConnection` class (imports ``jupyter_server``)."""
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    class ReadOnlyKernelConnection(ZMQChannelsWebsocketConnection):
        """The kernel websocket of a dashboard: passes the widgets' messages
        (:func:`message_allowed`) and drops everything else, so a browser cannot run code; sends
        no error details back (:func:`sanitise`)."""

        def _peek(self, ws_msg):
            if self.subprotocol == "v1.kernel.websocket.jupyter.org":
                channel, parts = deserialize_msg_from_ws_v1(ws_msg)
                header = self.session.unpack(parts[0])
                content = self.session.unpack(parts[3]) if header.get("msg_type") == "comm_open" else None
                return channel, header, content
            msg = deserialize_binary_message(ws_msg) if isinstance(ws_msg, bytes) else json.loads(ws_msg)
            return msg.get("channel"), msg.get("header") or {}, msg.get("content")

        def connect(self):
            CONNECTED.add(self.kernel_id)
            if kernels.LEDGER is not None:
                kernels.LEDGER.connected(self.kernel_id)
            return super().connect()

        def disconnect(self):
            if kernels.LEDGER is not None and not getattr(self, "_kejifu_gone", False):
                self._kejifu_gone = True
                kernels.LEDGER.disconnected(self.kernel_id)
            return super().disconnect()

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

        def handle_outgoing_message(self, stream, outgoing_msg) -> None:
            try:
                _, fed = self.session.feed_identities(outgoing_msg)
                header = self.session.unpack(fed[1])
                msg_type = header.get("msg_type")
                if not _needs_content(msg_type):
                    return super().handle_outgoing_message(stream, outgoing_msg)
                content = self.session.unpack(fed[4])
                verdict, clean = sanitise(msg_type, content)
            except Exception:  # noqa: BLE001 - unreadable: never forward what we cannot check
                self.log.warning("kejifu: withheld an unreadable message from kernel %s", self.kernel_id)
                return
            if verdict == "pass":
                return super().handle_outgoing_message(stream, outgoing_msg)
            (self.log.info if routine(msg_type, content) else self.log.warning)(
                "kejifu: kernel %s %s withheld from the browser: %s",
                self.kernel_id,
                msg_type,
                _details(content),
            )
            if verdict == "drop":
                return None
            return super().handle_outgoing_message(stream, with_content(self.session, outgoing_msg, clean))

    return ReadOnlyKernelConnection


def with_content(session, frames: list, content: dict) -> list:
    """The zmq ``frames`` of a kernel message with ``content`` instead of its own, re-signed with
    ``session``'s key (identities, header, parent, metadata and buffers kept)."""
    idents, fed = session.feed_identities(frames)
    parts = [fed[1], fed[2], fed[3], session.pack(content), *fed[5:]]
    signature = session.sign(parts[:4]) if session.auth else b""
    return [*idents, b"<IDS|MSG>", signature, *parts]


def _details(content: dict) -> str:
    """A kernel error's details for the server log."""
    if "traceback" in content:
        return "\n".join(str(line) for line in content.get("traceback") or []) or str(content.get("evalue"))
    return str(content.get("text", content))[:4000]
