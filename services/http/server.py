"""The HTTP server's own bound: a request's headers must arrive within a deadline.

uvicorn closes a connection idle *between* requests (``timeout_keep_alive``) but waits
forever for the headers of a request that has begun, or of the first request of a fresh
connection: a client sending one byte a minute (or nothing) holds a connection — and, with
enough of them, the server. ``with_header_deadline`` is uvicorn's HTTP protocol (httptools'
parser in C where installed, as ``uvicorn[standard]`` installs it; else h11) plus a timer
started when a connection opens and when the first bytes of a next request arrive; if the
request's headers are not complete when it fires, the client gets a coded 408 and the
connection is closed. Bodies are bounded elsewhere (size: services/http/limits.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import uuid
from typing import Any

import structlog
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # the C parser: a fraction of h11's CPU per request
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

log = structlog.get_logger()


def _timeout_answer(request_id: str, seconds: float) -> bytes:
    vi = f"Máy chủ không nhận đủ phần đầu yêu cầu trong {seconds:g} giây."
    en = f"The request's headers did not arrive within {seconds:g} seconds."
    body = json.dumps({"data": None, "errors": [{"message": vi, "extensions": {
        "code": "REQUEST_TIMEOUT", "messageVi": vi, "messageEn": en}}]},
        ensure_ascii=False).encode()
    head = (f"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            f"x-request-id: {request_id}\r\n\r\n").encode()
    return head + body


class HeaderDeadline:
    """The timer, mixed into either of uvicorn's protocols (both expose ``cycle``, ``loop``,
    ``transport`` and ``client``, and begin a cycle when a request's headers are in)."""

    header_timeout_s = 10.0
    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    client: Any
    _timer: asyncio.TimerHandle | None = None
    _waiting_since: Any = None  # the request cycle current when the timer was started

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._start()

    def data_received(self, data: bytes) -> None:
        if self._timer is None and (self.cycle is None or self.cycle.response_complete):
            self._start()  # the first bytes of a next request on a kept-alive connection
        super().data_received(data)  # type: ignore[misc]
        if self._timer is not None and self.cycle is not self._waiting_since:
            self._stop()  # its headers are in: a request cycle began

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)  # type: ignore[misc]

    def _start(self) -> None:
        self._waiting_since = self.cycle
        self._timer = self.loop.call_later(self.header_timeout_s, self._late)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _late(self) -> None:
        self._timer = None
        if self.cycle is not self._waiting_since or self.transport.is_closing():
            return
        request_id = uuid.uuid4().hex
        log.info("request_refused", code="REQUEST_TIMEOUT", status=408,
                 request_id=request_id, client=str(self.client))
        self.transport.write(_timeout_answer(request_id, self.header_timeout_s))
        self.transport.close()


def with_header_deadline(seconds: float, *, parser: str = "auto") -> type[asyncio.Protocol]:
    """uvicorn's ``http=`` protocol class with this header deadline: on httptools when it is
    installed (``parser="auto"``) or asked for, on h11 when asked for (``"h11"``)."""
    base: type[asyncio.Protocol] = H11Protocol
    if parser != "h11" and HttpToolsProtocol is not None:
        base = HttpToolsProtocol
    made: type[asyncio.Protocol] = type("HeaderDeadlineProtocol", (HeaderDeadline, base),
                                        {"header_timeout_s": seconds})
    return made


YOUNG_COLLECTION_EVERY = 10_000  # allocations between young collections (CPython: 700)


def uvloop_or_asyncio() -> str:
    """uvicorn's ``loop=``: uvloop where installed (``uvicorn[standard]``), else asyncio."""
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return "asyncio"
    return "uvloop"


async def freeze_start_up_heap() -> None:
    """Move what start-up built (modules, the schema, the runtime and its pools) out of the
    collector's reach: a full collection walks every object it tracks, and with the
    start-up heap in it each one stopped the event loop for ~100 ms or more (the board's
    p99 at 8 clients). What requests allocate afterwards is collected as before; the frozen
    objects live as long as the process anyway. Young collections then come every
    ``YOUNG_COLLECTION_EVERY`` net allocations instead of 700: a board's load had ~1,000 of
    them, each promoting what requests in flight still held, until a full pass came; with
    ~25 passes of a few ms each no full pass came in a bench run at all."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
