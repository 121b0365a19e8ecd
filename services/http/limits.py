"""What a request to /graphql must pass before GraphQL sees it: size, shape, rate, persisted.

- **Size**: bodies over ``CONGTAM_MAX_BODY_BYTES`` are refused (413) before they are read
  in full; the document limits (tokens, depth, aliases, cost) then bound what is parsed.
- **Envelope**: ``POST`` with a JSON object as body (services/http/envelope.py: method,
  content type, JSON nesting depth, the types of ``query``/``variables``/``extensions``),
  each refusal with its code. One operation per request: a JSON array (batched
  operations) is refused — batching multiplies every per-document limit by its length.
- **Rate**: token buckets per user, per tenant and (before authentication) per client
  address, refilled per minute. The tenant bucket keeps one ward's burst from starving the
  others; the user bucket keeps one account from using up its ward's. Each process decides
  from its own buckets (no statement on a request) and syncs them with every other
  replica's through PostgreSQL about once a second (services/http/rate_buckets.py), so the
  limits hold service-wide however many replicas run, within the slack documented there
  and in deploy/README.md. ``CONGTAM_RATE_SHARED=false`` keeps them in the process only
  (then the service-wide limit is replicas × the limit); a limit of 0 turns that limit off.
  Should the database not answer, each process goes on with its own buckets and the
  failure is logged.
- **Persisted operations only** (``CONGTAM_PERSISTED_ONLY``): a client sends
  ``{"extensions": {"persistedQuery": {"sha256Hash": …}}}`` naming a document of
  graphql/operations/ by the SHA-256 of its text; free-form documents are refused.
- **Websockets**: each ``subscribe`` message passes the same size, rate and persisted checks
  (the token is the one given at ``connection_init``).

Refusals are GraphQL-shaped JSON with a stable ``code`` and Vietnamese/English messages.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import structlog
from litestar.types import (
    ASGIApp,
    HTTPRequestEvent,
    Receive,
    Scope,
    Send,
    WebSocketSendEvent,
)

from services.http.auth import AuthError, Principal, TokenVerifier
from services.http.envelope import (
    is_json,
    method_not_allowed,
    parse_request,
    unsupported_media_type,
)
from services.http.rate_buckets import SharedBuckets
from services.http.refusals import RefusedError
from services.settings import Settings

log = structlog.get_logger()

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "graphql" / "operations"
GRAPHQL_PATH = "/graphql"


def persisted_operations(folder: Path = OPERATIONS_DIR) -> dict[str, str]:
    """sha256(text) → text for every document in graphql/operations/."""
    if not folder.is_dir():
        return {}
    docs = (p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.graphql")))
    return {hashlib.sha256(d.encode()).hexdigest(): d for d in docs}


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _too_large(limit: int) -> RefusedError:
    return RefusedError(413, "REQUEST_TOO_LARGE",
                   f"Yêu cầu quá lớn (tối đa {limit} byte).",
                   f"Request body too large (at most {limit} bytes).")


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings, verifier: TokenVerifier,
                 buckets: SharedBuckets) -> None:
        self.app = app
        self.settings = settings
        self.verifier = verifier
        self.buckets = buckets
        self.persisted = persisted_operations()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope["type"]) == "websocket" and scope.get("path") == GRAPHQL_PATH:
            await self.app(scope, self._websocket(scope, receive, send), send)
            return
        if str(scope["type"]) != "http" or scope.get("path") != GRAPHQL_PATH \
                or self._serves_ide(scope):
            await self.app(scope, receive, send)
            return
        try:
            if scope.get("method") != "POST":
                raise method_not_allowed()
            if not is_json(_headers(scope).get(b"content-type", b"")):
                raise unsupported_media_type()
            principal = await self._rate(scope)
            body = await self._checked_body(scope, receive)
        except RefusedError as refusal:
            await refusal.send(send)
            return
        scope.setdefault("state", {})["principal"] = principal
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            event: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
            return event

        await self.app(scope, replay, send)

    def _serves_ide(self, scope: Scope) -> bool:
        """A browser opening /graphql in development gets GraphiQL (services/http/api.py)."""
        return not self.settings.production and scope.get("method") == "GET" \
            and not scope.get("query_string") \
            and b"text/html" in _headers(scope).get(b"accept", b"")

    def _websocket(self, scope: Scope, receive: Receive, send: Send) -> Receive:
        """The same guards for each ``subscribe`` of a graphql-transport-ws socket: its size,
        the rates of the user and tenant named at ``connection_init``, and persisted-only
        mode. A refused subscribe gets an ``error`` message for its id; the socket stays."""
        authorization = ""

        async def guarded() -> Any:
            nonlocal authorization
            while True:
                event: Any = await receive()
                text = event.get("text") if event.get("type") == "websocket.receive" else None
                if not isinstance(text, str):
                    return event
                try:
                    message = json.loads(text)
                except (ValueError, RecursionError):
                    return event  # the protocol handler closes the socket on it
                if not isinstance(message, dict):
                    return event
                if message.get("type") == "connection_init":
                    params = message.get("payload")
                    value = (params.get("Authorization") or params.get("authorization")
                             if isinstance(params, dict) else None)
                    authorization = value if isinstance(value, str) else ""
                    return event
                if message.get("type") != "subscribe":
                    return event
                try:
                    if len(text.encode()) > self.settings.max_body_bytes:
                        raise _too_large(self.settings.max_body_bytes)
                    await self._rate(scope, authorization)
                    payload = message.get("payload")
                    if self.settings.persisted_only and isinstance(payload, dict):
                        payload["query"] = self._persisted(payload)
                        return {**event, "text": json.dumps(message)}
                    return event
                except RefusedError as refusal:
                    refused: WebSocketSendEvent = {
                        "type": "websocket.send", "bytes": None, "text": json.dumps({
                            "id": message.get("id"), "type": "error", "payload": [{
                                "message": refusal.vi, "extensions": {
                                    "code": refusal.code, "messageVi": refusal.vi,
                                    "messageEn": refusal.en}}]})}
                    await send(refused)

        return guarded

    async def _rate(self, scope: Scope, authorization: str | None = None) -> Principal | None:
        auth = authorization if authorization is not None \
            else _headers(scope).get(b"authorization", b"").decode("latin-1")
        principal: Principal | None = None
        try:
            principal = await self.verifier.verify(auth) if auth else None
        except AuthError:
            principal = None  # GraphQL answers UNAUTHENTICATED; rate-limit by address here
        client = scope.get("client") or ("?", 0)
        checks = [(f"ip:{client[0]}", self.settings.rate_per_user)] if principal is None else [
            (f"user:{principal.tenant}:{principal.user_id}", self.settings.rate_per_user),
            (f"tenant:{principal.tenant}", self.settings.rate_per_tenant),
        ]
        checks = [(key, limit) for key, limit in checks if limit > 0]  # 0: that limit is off
        refused = await self._take(checks) if checks else None
        if refused is not None:
            log.warning("rate_limited", key=refused)
            raise RefusedError(429, "RATE_LIMITED",
                               "Quá nhiều yêu cầu; vui lòng thử lại sau ít phút.",
                               "Too many requests; please retry in a minute.",
                               [(b"retry-after", b"60")])
        return principal

    async def _take(self, checks: list[tuple[str, int]]) -> str | None:
        """One token from each bucket in order; the key of the first empty one, if any.
        Decided in the process, with no statement but on a key's first request (or first
        after a pause): the buckets are synced with the other replicas' in the background
        (services/http/rate_buckets.py), when shared."""
        return await self.buckets.take(checks)

    async def _checked_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.settings.max_body_bytes
        length = _headers(scope).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise _too_large(limit)
        body = await _read_body(receive, limit)
        payload = parse_request(body, persisted_only=self.settings.persisted_only)
        if self.settings.persisted_only:
            payload["query"] = self._persisted(payload)
            body = json.dumps(payload).encode()
        return body

    def _persisted(self, payload: dict[str, Any]) -> str:
        extensions = payload.get("extensions") or {}
        wanted = (extensions.get("persistedQuery") or {}).get("sha256Hash") \
            if isinstance(extensions, dict) else None
        if not isinstance(wanted, str):
            raise RefusedError(400, "PERSISTED_QUERY_REQUIRED",
                          "Máy chủ chỉ nhận các thao tác đã đăng ký (theo mã băm).",
                          "Only registered operations are accepted (send sha256Hash).")
        document = self.persisted.get(wanted)
        if document is None:
            raise RefusedError(400, "PERSISTED_QUERY_NOT_FOUND",
                          "Không tìm thấy thao tác đã đăng ký với mã băm này.",
                          "No registered operation has this hash.")
        return document
