"""Every persisted operation document validates against the schema the code serves."""

from __future__ import annotations

import pytest

from graphql import parse, validate
from services.gql.schema import schema
from tests.support.operations import OPERATIONS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("path", sorted(OPERATIONS.glob("*.graphql")), ids=lambda p: p.stem)
def test_operation_document_is_valid(path: object) -> None:
    document = parse(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    assert validate(schema._schema, document) == []
