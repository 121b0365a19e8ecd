"""Errors to clients: expected ones carry a stable code; unexpected ones are masked.

A DomainError becomes a GraphQL error whose message is Vietnamese (the people using the
service read Vietnamese) with ``extensions = {code, messageVi, messageEn}``. Anything else
is logged with its request id and replaced by a generic message carrying that id, so no
stack trace or internal detail ever reaches a client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import structlog
from graphql.error import GraphQLError
from litestar.response import Response
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from domain.errors import DomainError
from services.store.outage import (
    RETRY_AFTER_S,
    DatabaseUnavailableError,
    is_unavailable,
)

UNAVAILABLE = DatabaseUnavailableError.code

log = structlog.get_logger()

_LIMIT_CODES = (
    (re.compile(r"exceeds maximum operation depth"), "DEPTH_LIMIT"),
    (re.compile(r"aliases found\. Allowed"), "ALIAS_LIMIT"),
    (re.compile(r"more than \d+ tokens"), "TOKEN_LIMIT"),
    (re.compile(r"GraphQL introspection has been disabled"), "INTROSPECTION_DISABLED"),
    (re.compile(r"Cannot spread fragment .* within itself"), "FRAGMENT_CYCLE"),
    (re.compile(r"^Syntax Error"), "GRAPHQL_PARSE_FAILED"),
)
_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)
# What a refused document is told in Vietnamese, per code; the English text is
# graphql-core's own (precise about the field or variable), given beside it.
_VI = {
    "DEPTH_LIMIT": "Truy vấn lồng quá sâu; hãy giảm số tầng trường lồng nhau.",
    "ALIAS_LIMIT": "Truy vấn dùng quá nhiều bí danh (alias); hãy chia thành nhiều truy vấn.",
    "TOKEN_LIMIT": "Truy vấn quá dài; hãy chia thành nhiều truy vấn nhỏ hơn.",
    "INTROSPECTION_DISABLED": "Không cho phép tra cứu lược đồ trong môi trường vận hành; "
                              "hãy dùng tệp graphql/schema.graphql đã công bố.",
    "FRAGMENT_CYCLE": "Các fragment của truy vấn tham chiếu vòng tròn lẫn nhau.",
    "GRAPHQL_PARSE_FAILED": "Truy vấn sai cú pháp GraphQL.",
    "BAD_USER_INPUT": "Giá trị của biến không hợp lệ.",
}
_VI_VALIDATION = "Truy vấn không hợp lệ với lược đồ GraphQL."


def bilingual(code: str, english: str) -> tuple[str, str]:
    """(Vietnamese, English) for a refusal graphql-core worded in English."""
    vi = _VI.get(code, _VI_VALIDATION)
    return f"{vi} ({english})", english


def limit_code(message: str) -> str | None:
    """The stable code of a refusal by one of the document limits, from its message."""
    for pattern, code in _LIMIT_CODES:
        if pattern.search(message):
            return code
    return None


def without_suggestions(message: str) -> str:
    """Validation messages minus "Did you mean …?": no schema hints for a prober."""
    return _SUGGESTION.sub("", message)


def domain_error(error: DomainError) -> GraphQLError:
    return GraphQLError(
        error.message_vi,
        extensions={"code": error.code, "messageVi": error.message_vi,
                    "messageEn": error.message_en, **getattr(error, "details", {})},
    )


def unexpected_error(error: Exception) -> GraphQLError:
    """A fault inside a subscription's stream, shaped as ErrorPolicy shapes one in a query
    (logged; INTERNAL with the request id, never the exception's own text): subscriptions
    bypass that policy."""
    request_id = structlog.contextvars.get_contextvars().get("request_id", "")
    return ErrorPolicy._shape(GraphQLError(str(error), original_error=error), request_id)


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        self.apply(self.execution_context)

    @classmethod
    def apply(cls, context: ExecutionContext) -> None:
        """Shape the operation's errors (after it ran: ``services/gql/operation.py`` calls
        it from its own hook)."""
        result = context.result
        if result is None or not getattr(result, "errors", None):
            return
        request_id = structlog.contextvars.get_contextvars().get("request_id", "")
        result.errors = [cls._shape(e, request_id) for e in result.errors]  # type: ignore[union-attr]
        data = getattr(result, "data", None)
        if any((e.extensions or {}).get("code") == UNAVAILABLE for e in result.errors) \
                and not any((data or {}).values()):
            cls._unavailable_status(context)

    @staticmethod
    def _unavailable_status(context: ExecutionContext) -> None:
        """Nothing answered because the database is away: HTTP 503 with Retry-After, so
        proxies and clients that look at the status alone retry too (not on websockets)."""
        response = getattr(context.context, "response", None)
        if isinstance(response, Response):
            response.status_code = 503
            response.headers["retry-after"] = str(RETRY_AFTER_S)

    @staticmethod
    def _shape(error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if is_unavailable(original):
            # What the database (or the pool) said: the client gets the retryable code only.
            log.warning("database_unavailable", path=error.path,
                        error=type(original).__name__, detail=str(original)[:500])
            original = DatabaseUnavailableError()
        if error.path is None and error.message.startswith("Variable '$"):
            # A variable's value does not fit its type (missing, "abc" for Int, 2^40, NaN, a
            # malformed Date): graphql-core says which and why, keeping the scalar's own
            # exception as original_error — the client's mistake all the same.
            vi, en = bilingual("BAD_USER_INPUT", without_suggestions(error.message))
            return GraphQLError(vi, nodes=error.nodes, extensions={
                "code": "BAD_USER_INPUT", "messageVi": vi, "messageEn": en})
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message_vi, nodes=error.nodes, path=error.path,
                extensions={"code": original.code, "messageVi": original.message_vi,
                            "messageEn": original.message_en, **getattr(original, "details", {})},
            )
        if original is None:
            # Syntax and validation errors: the client's document is wrong, say so — with
            # the limit that refused it as a stable code, and without "Did you mean …?"
            # hints that would map the schema for a prober.
            message = without_suggestions(error.message)
            extensions = dict(error.extensions or {})
            code = str(extensions.get("code") or limit_code(message)
                       or "GRAPHQL_VALIDATION_FAILED")
            if "messageVi" in extensions:  # already ours (the cost limit)
                return GraphQLError(str(extensions["messageVi"]), nodes=error.nodes,
                                    path=error.path, extensions={**extensions, "code": code})
            vi, en = bilingual(code, message)
            return GraphQLError(vi, nodes=error.nodes, path=error.path,
                                extensions={**extensions, "code": code, "messageVi": vi,
                                            "messageEn": en})
        log.error("unexpected_error", path=error.path, exc_info=original)
        return GraphQLError(
            f"Lỗi hệ thống, vui lòng thử lại sau (mã yêu cầu {request_id}).",
            nodes=error.nodes, path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id,
                        "messageVi": f"Lỗi hệ thống, vui lòng thử lại sau (mã yêu cầu "
                                     f"{request_id}).",
                        "messageEn": f"Internal error (request id {request_id})."},
        )
