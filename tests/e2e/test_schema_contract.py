"""The checked-in SDL is the contract: a change to the code's schema must show up in review."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.gql.schema import sdl

pytestmark = pytest.mark.unit

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), (
        "graphql/schema.graphql is out of date: run `make schema` and review the diff")
