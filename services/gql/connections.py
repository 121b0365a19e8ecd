"""Relay cursor connections with keyset pagination.

A cursor is the opaque encoding of the sort key of the last row a client saw (plus the kind
of list it belongs to). The next page is "rows whose key is greater", never "skip N", so
rows inserted meanwhile can neither shift a page nor make a client see a row twice; every
key ends with a unique, immutable column, so ties are impossible.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry

from domain.errors import ValidationFailedError
from graphql import GraphQLObjectType, get_named_type
from services.gql.context import Context
from services.platform.tenants import Tenant

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


def _edge_cursor(root: Any) -> str:
    # Encoded only if the client asks for it: a dashboard reading a whole board by its
    # nodes alone would otherwise pay a JSON and base64 encoding per row.
    return encode_cursor(root.kind, root.key)


@strawberry.type
class Edge(Generic[T]):
    cursor: str = strawberry.field(resolver=_edge_cursor)
    node: T
    kind: strawberry.Private[str]
    key: strawberry.Private[Sequence[Any]]


Fetch = Callable[..., Awaitable[Sequence[Any]]]  # (sql, *args) -> rows


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    # Counting every matching row is a statement of its own, so it runs only when asked for.
    counter: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="Tổng số dòng khớp bộ lọc, mọi trang (null nếu danh sách "
                                  "không đếm) / rows matching the filter, all pages")
    async def total_count(self) -> int | None:
        return await self.counter() if self.counter is not None else None


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
    edges = [Edge(node=node(r), kind=kind, key=key(r)) for r in rows[:size]]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=len(rows) > size, has_previous_page=after is not None,
        start_cursor=encode_cursor(kind, edges[0].key) if edges else None,
        end_cursor=encode_cursor(kind, edges[-1].key) if edges else None))


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


_PARSERS: dict[type, Callable[[Any], Any]] = {
    int: cursor_int,
    UUID: cursor_uuid,
    str: str,
    datetime: lambda v: datetime.fromisoformat(str(v)),
    date: lambda v: date.fromisoformat(str(v)),
}


@dataclass(frozen=True)
class Keyset:
    """How one list is ordered: SQL expressions with their Python types, the last unique
    and immutable (an id or a log position), so the order is total and a cursor names one
    place in it. All columns run the same way, so one row comparison is the whole seek."""

    kind: str
    columns: tuple[tuple[str, type], ...]
    descending: bool = False

    def select(self) -> str:
        """The key columns, to add to the list's SELECT (named _k0, _k1, …)."""
        return ", ".join(f"{expr} AS _k{i}" for i, (expr, _) in enumerate(self.columns))

    def parse(self, after: str | None) -> list[Any] | None:
        key = decode_cursor(self.kind, after, len(self.columns))
        if key is None:
            return None
        try:
            return [None if v is None else _PARSERS[t](v)
                    for v, (_, t) in zip(key, self.columns, strict=True)]
        except ValueError:
            raise InvalidCursorError(
                "Con trỏ phân trang không hợp lệ; hãy tải lại từ trang đầu.",
                "The pagination cursor is invalid; start from the first page.") from None

    def key(self, row: Any) -> tuple[Any, ...]:
        return self._key(row)  # type: ignore[no-any-return]

    @cached_property
    def _key(self) -> Callable[[Any], Any]:
        # Read once per row of every page: the columns' names are made once per keyset.
        if len(self.columns) == 1:
            return lambda row: (row["_k0"],)
        return itemgetter(*(f"_k{i}" for i in range(len(self.columns))))


async def keyset_page(fetch: Fetch, inner: str, args: Sequence[Any], keyset: Keyset,
                      first: int | None, after: str | None, node: Callable[[Any], T],
                      count: bool = True) -> Connection[T]:
    """One page of ``inner`` (a SELECT whose columns include ``keyset.select()`` and whose
    parameters are ``args``): the rows after the cursor's key in the keyset's order, one
    statement. ``totalCount`` is a second statement, sent only if the client asks for it."""
    size = page_size(first)
    key = keyset.parse(after)
    params = list(args)
    names = ", ".join(f"_k{i}" for i in range(len(keyset.columns)))
    seek = ""
    if key is not None:
        marks = ", ".join(f"${len(params) + 1 + i}" for i in range(len(key)))
        seek = f"WHERE ({names}) {'<' if keyset.descending else '>'} ({marks}) "
        params += key
    way = " DESC" if keyset.descending else ""
    order = ", ".join(f"_k{i}{way}" for i in range(len(keyset.columns)))
    rows = await fetch(f"SELECT * FROM ({inner}) page {seek}ORDER BY {order} "
                       f"LIMIT ${len(params) + 1}", *params, size + 1)
    connection = build(rows, size, keyset.kind, keyset.key, node, after)
    if count:
        async def counter() -> int:
            found = await fetch(f"SELECT count(*)::int AS n FROM ({inner}) page", *args)
            return int(found[0]["n"])
        connection.counter = counter
    return connection


def empty() -> Connection[Any]:
    """The page of a list the caller may not see: like a list with nothing in it."""
    return Connection(edges=[], page_info=PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
        counter=_zero)


async def _zero() -> int:
    return 0


def reading(ctx: Context, tenant: Tenant) -> Fetch:
    """Statements on a read connection that sees only ``tenant``'s schema (one per call)."""
    async def fetch(sql: str, *args: Any) -> Sequence[Any]:
        async with ctx.read(tenant) as conn:
            return list(await conn.fetch(sql, *args))
    return fetch


def is_connection(type_: Any) -> bool:
    """Whether a GraphQL output type is one of these connections (a page of a list)."""
    named = get_named_type(type_)
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= set(named.fields)
