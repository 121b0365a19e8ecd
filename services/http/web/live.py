"""Live pages: a same-origin websocket, ``/live``, speaking graphql-transport-ws to the
page's script (static/live.js) and running a persisted GraphQL subscription in process —
the same schema, with a context built from the signed-in person's token exactly as for the
pages (client.py).

Why not ``/graphql``'s own socket: that socket authenticates with a bearer token sent in
``connection_init``, so a page would have to hand its token to JavaScript, where any script
on the page could read it. Here the token stays in the encrypted HttpOnly session cookie:
the browser sends the cookie with the handshake, the server reads the token from it, and
the page's script never sees it. A cookie-authenticated socket could be opened by another
site's page (websockets have no CORS), so the handshake's ``Origin`` must be this host.
Only subscriptions listed in ``LIVE`` run (by name; no query text is accepted).

CSP: ``connect-src 'self'`` covers ``ws:``/``wss:`` of the same host (CSP Level 3, as
Chromium, Firefox and Safari implement it) — nothing to add; the browser test checks it."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

import anyio
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from services.gql.context import get_context
from services.http.web.client import _refusal
from services.http.web.page import Web

LIVE = frozenset({"WebMyResultsLive"})
PROTOCOL = "graphql-transport-ws"
Socket = WebSocket[Any, Any, Any]


def same_origin(socket: Socket) -> bool:
    origin = socket.headers.get("origin") or ""
    return bool(origin) and urlsplit(origin).netloc == socket.headers.get("host")


async def _run(socket: Socket, web: Web, token: str, ident: str, name: str) -> None:
    """One subscription: each result as ``next``; a refusal as ``error`` (in both languages,
    with its code); ``complete`` when the stream ends."""
    scope: Any = {"type": "http", "state": {},
                  "headers": [(b"authorization", f"Bearer {token}".encode())]}
    context = await get_context(socket.app.state, scope)
    stream = await web.schema.subscribe(web.operations[name], context_value=context)
    if not hasattr(stream, "__aiter__"):  # refused before the first result
        refusals = [_refusal(e) for e in getattr(stream, "errors", None) or []]
        await socket.send_json({"id": ident, "type": "error", "payload": [
            {"message": r.en, "extensions": {"code": r.code, "messageVi": r.vi}}
            for r in refusals]})
        return
    async for result in stream:
        errors = [_refusal(e) for e in result.errors or []]
        await socket.send_json({"id": ident, "type": "next", "payload": {
            "data": result.data,
            **({"errors": [{"message": r.en, "extensions": {"code": r.code,
                                                             "messageVi": r.vi}}
                           for r in errors]} if errors else {})}})
    await socket.send_json({"id": ident, "type": "complete"})


@websocket("/live", name="web:live")
async def live(socket: Socket, web: Web) -> None:
    session: Any = socket.scope.get("session")
    token = session.get("token") if isinstance(session, dict) else None
    if not isinstance(token, str) or not same_origin(socket):
        await socket.close(code=4403, reason="Forbidden")
        return
    await socket.accept(subprotocols=PROTOCOL)
    running: dict[str, anyio.CancelScope] = {}

    async def start(ident: str, name: str) -> None:
        with anyio.CancelScope() as cancel:
            running[ident] = cancel
            try:
                await _run(socket, web, token, ident, name)
            finally:
                running.pop(ident, None)

    with contextlib.suppress(WebSocketDisconnect):
        first = await socket.receive_json()
        if first.get("type") != "connection_init":
            await socket.close(code=4400, reason="connection_init expected")
            return
        await socket.send_json({"type": "connection_ack"})
        async with anyio.create_task_group() as tasks:
            try:
                while True:
                    message = await socket.receive_json()
                    kind, ident = message.get("type"), str(message.get("id") or "")
                    if kind == "ping":
                        await socket.send_json({"type": "pong"})
                    elif kind == "subscribe":
                        name = str((message.get("payload") or {}).get("operationName") or "")
                        if name not in LIVE or ident in running:
                            await socket.send_json({"id": ident, "type": "error", "payload": [
                                {"message": "Not a live operation of this site.",
                                 "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]})
                            continue
                        tasks.start_soon(start, ident, name)
                    elif kind == "complete" and ident in running:
                        running[ident].cancel()
            finally:
                tasks.cancel_scope.cancel()
