"""How the HTTP edge says no: one body shape for every refusal, GraphQL-shaped.

Whatever refuses a request — the request guard (size, rate, envelope), strawberry's view
(an unknown ``operationName``), litestar itself (an unknown route), a database that does not
answer — the client gets JSON ``{"data": null, "errors": [{"message": <vi>, "extensions":
{"code", "messageVi", "messageEn"}}]}`` with a 4xx (or 503) status, the same shape as a
GraphQL error, and the request id in ``x-request-id`` (services/http/api.py). A refusal is
the client's mistake or a retryable outage, not an incident: it is logged at info.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from litestar.response import Response
from litestar.types import Send

log = structlog.get_logger()


class RefusedError(Exception):
    def __init__(self, status: int, code: str, vi: str, en: str,
                 headers: list[tuple[bytes, bytes]] | None = None,
                 **extensions: str | int) -> None:
        super().__init__(en)
        self.status, self.code, self.vi, self.en = status, code, vi, en
        self.headers = headers or []
        self.extensions = extensions

    def body(self) -> bytes:
        return json.dumps({"data": None, "errors": [{
            "message": self.vi,
            "extensions": {"code": self.code, "messageVi": self.vi, "messageEn": self.en,
                           **self.extensions}}]}, ensure_ascii=False).encode()

    def response(self) -> Response[bytes]:
        """As a litestar response (where a handler or exception handler answers)."""
        logged(self)
        return Response(self.body(), status_code=self.status, media_type="application/json",
                        headers={k.decode(): v.decode() for k, v in self.headers})

    async def send(self, send: Send) -> None:
        """As raw ASGI messages (where a middleware answers before any handler)."""
        logged(self)
        body = self.body()
        start: Any = {"type": "http.response.start", "status": self.status,
                      "headers": [(b"content-type", b"application/json"),
                                  (b"content-length", str(len(body)).encode()),
                                  *self.headers]}
        await send(start)
        end: Any = {"type": "http.response.body", "body": body}
        await send(end)


def logged(refusal: RefusedError) -> None:
    log.info("request_refused", code=refusal.code, status=refusal.status)


def bad_request(code: str, vi: str, en: str) -> RefusedError:
    return RefusedError(400, code, vi, en)


# strawberry's view refuses a few requests with a plain-text reason; these are the ones the
# guard cannot see before the document is parsed. Matched on the start of the reason.
_VIEW_REASONS = (
    ("Unknown operation named", 400, "OPERATION_NOT_FOUND",
     "Tài liệu không có thao tác mang tên operationName đã gửi."),
    ("Can't get GraphQL operation type", 400, "OPERATION_NAME_REQUIRED",
     "Tài liệu có nhiều thao tác: hãy gửi operationName để chọn một."),
    ("Must provide operation name", 400, "OPERATION_NAME_REQUIRED",
     "Tài liệu có nhiều thao tác: hãy gửi operationName để chọn một."),
    ("subscriptions are not allowed", 400, "SUBSCRIPTION_OVER_HTTP",
     "Đăng ký theo dõi (subscription) chỉ dùng qua WebSocket (graphql-transport-ws)."),
    ("mutations are not allowed", 405, "METHOD_NOT_ALLOWED",
     "Thao tác ghi chỉ được gửi bằng POST."),
    ("queries are not allowed", 405, "METHOD_NOT_ALLOWED",
     "Truy vấn chỉ được gửi bằng POST."),
    ("GraphQL only supports GET and POST", 405, "METHOD_NOT_ALLOWED",
     "Chỉ nhận yêu cầu POST tới /graphql."),
)


def from_view(status: int, reason: str) -> RefusedError:
    """strawberry's (status, plain-text reason) as a coded refusal."""
    for start, code_status, code, vi in _VIEW_REASONS:
        if reason.lower().startswith(start.lower()):
            if code == "SUBSCRIPTION_OVER_HTTP":
                reason = "Subscriptions are served over WebSocket (graphql-transport-ws) only."
            return RefusedError(code_status, code, vi, reason)
    return RefusedError(status if 400 <= status < 500 else 400, "BAD_REQUEST",
                        "Yêu cầu GraphQL không hợp lệ.", reason)
