"""The one-pass completion of plain objects (services/gql/leaves.py) answers exactly as
graphql-core's field-by-field completion: the same data, the same errors at the same paths —
for leaves, for objects and lists of them nested as a connection's edges nest its nodes."""

from __future__ import annotations

import asyncio
import datetime
import enum
import uuid
from typing import Any

import pytest
import strawberry

from services.gql.leaves import LeafExecution


@strawberry.enum
class Level(enum.Enum):
    A = "A"
    B = "B"


@strawberry.type
class Row:
    name: str
    level: Level | None
    at: datetime.datetime
    id: strawberry.ID
    score: float | None

    @strawberry.field
    def label(self, upper: bool = False) -> str:
        return self.name.upper() if upper else self.name


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


@strawberry.type
class Edge:
    node: Row
    tags: list[str]
    maybe: Row | None = None

    @strawberry.field
    def cursor(self) -> str:
        return self.node.name


@strawberry.type
class Page:
    edges: list[Edge]
    first: Row | None
    named: Named


def _rows() -> list[Row]:
    return [Row(name=f"n{i}", level=Level.A if i % 2 else None,
                at=datetime.datetime(2026, 1, i + 1, tzinfo=datetime.UTC),
                id=strawberry.ID(str(uuid.UUID(int=i))), score=i / 3) for i in range(5)]


@strawberry.type
class Query:
    @strawberry.field
    async def rows(self) -> list[Row]:
        return _rows()

    @strawberry.field
    async def broken(self) -> list[Row | None]:
        rows: list[Any] = _rows()
        rows[1].name = None  # a non-null field without a value
        rows[2].level = "Z"  # a value the enum cannot serialise
        return rows

    @strawberry.field
    async def page(self) -> Page:
        rows = _rows()
        return Page(edges=[Edge(node=r, tags=[r.name, "x"]) for r in rows], first=rows[0],
                    named=Person(name="p", age=3))

    @strawberry.field
    async def broken_page(self) -> Page | None:
        return Page(edges=_broken_edges(), first=None, named=Person(name="p", age=3))

    @strawberry.field
    async def broken_edges(self) -> list[Edge | None]:
        return _broken_edges()


def _broken_edges() -> list[Any]:
    rows: list[Any] = _rows()
    rows[3].name = None  # deep inside the fourth edge's node
    edges: list[Any] = [Edge(node=r, tags=[r.name]) for r in rows]
    edges[1].tags = ["a", None]  # a null item in a list of non-null strings
    edges[2].node = None  # a non-null object without a value
    edges[4].tags = "not a list"
    return edges


FAST = strawberry.Schema(query=Query, types=[Person],
                         execution_context_class=LeafExecution)
GENERAL = strawberry.Schema(query=Query, types=[Person])


@pytest.mark.parametrize("document", [
    "{ rows { __typename name alias: level at id score } }",
    "{ rows { name label(upper: true) } }",  # a field with a resolver: the general way
    "query($s: Boolean!) { rows { name @skip(if: $s) level ...F } } fragment F on Row { id }",
    "{ broken { name level } }",
    "{ page { edges { node { name level at id score } tags } first { name } } }",
    "{ page { edges { cursor node { name } } } }",  # a resolver on the edge: general there
    "{ page { edges { maybe { name } node { __typename ...F } } } } fragment F on Row { id }",
    "{ page { named { name ... on Person { age } } edges { node { name } } } }",
    "query($s: Boolean!) { page { edges { node { name level @include(if: $s) } } } }",
    "{ brokenPage { edges { node { name } tags } first { name } } }",
    "{ brokenEdges { node { name level } tags } }",
])
def test_the_one_pass_answers_as_graphql_core_does(document: str) -> None:
    fast = asyncio.run(FAST.execute(document, variable_values={"s": True}))
    general = asyncio.run(GENERAL.execute(document, variable_values={"s": True}))
    assert fast.data == general.data
    assert [(e.message, e.path) for e in fast.errors or []] == \
        [(e.message, e.path) for e in general.errors or []]
    assert fast.data is not None


def test_a_broken_row_is_located_and_the_others_answered() -> None:
    answer = asyncio.run(FAST.execute("{ broken { name } }"))
    assert answer.data is not None
    assert answer.data["broken"][1] is None
    assert answer.data["broken"][0] == {"name": "n0"}
    assert [e.path for e in answer.errors or []] == [["broken", 1, "name"]]
