"""Relay cursor connections with keyset pagination.

A cursor is the opaque encoding of the sort key of the last row a client saw (plus the kind
of list it belongs to). The next page is "rows whose key is greater", never "skip N", so
rows inserted meanwhile can neither shift a page nor make a client see a row twice; every
key ends with a unique, immutable column, so ties are impossible.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry

from domain.errors import ValidationFailedError

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


class InvalidCursorError(ValidationFailedError):
    code = "INVALID_CURSOR"


@strawberry.type(description="Thông tin trang / where this page sits in the list")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    raw = json.dumps([kind, *[str(v) if not isinstance(v, int) else v for v in key]],
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, arity: int) -> list[Any] | None:
    """The key a cursor names, or None for the first page; a foreign or forged cursor is an
    input error the client can act on, never a crash."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or len(value) != arity + 1 or value[0] != kind:
        raise InvalidCursorError(
            "Con trỏ phân trang (after) không hợp lệ hoặc không thuộc danh sách này; "
            "hãy tải lại từ trang đầu.",
            "The pagination cursor (after) is invalid or belongs to another list; "
            "start again from the first page.",
        )
    return value[1:]


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise ValidationFailedError(
            f"Số dòng mỗi trang (first) phải từ 1 đến {MAX_PAGE}.",
            f"Page size (first) must be between 1 and {MAX_PAGE}.",
        )
    return size


def build(rows: Sequence[Any], size: int, kind: str, key: Callable[[Any], Sequence[Any]],
          node: Callable[[Any], T], after: str | None) -> Connection[T]:
    """``rows`` were fetched with LIMIT size + 1: the extra row only says a next page exists."""
    edges = [Edge(cursor=encode_cursor(kind, key(r)), node=node(r)) for r in rows[:size]]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=len(rows) > size, has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None))


def cursor_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    raise InvalidCursorError("Con trỏ phân trang không hợp lệ; hãy tải lại từ trang đầu.",
                             "The pagination cursor is invalid; start from the first page.")


def cursor_uuid(value: Any) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidCursorError("Con trỏ phân trang không hợp lệ; hãy tải lại từ trang đầu.",
                                 "The pagination cursor is invalid; start from the first page.",
                                 ) from None
