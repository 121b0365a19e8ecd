"""Every persisted operation document validates against the schema the code serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql import parse, validate
from services.gql.schema import schema
from tests.support.operations import OPERATIONS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("path", sorted(OPERATIONS.glob("*.graphql")), ids=lambda p: p.stem)
def test_operation_document_is_valid(path: object) -> None:
    document = parse(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    assert validate(schema._schema, document) == []


# The documents a dashboard client uses (issue: persisted operations for the standard
# dashboards); each must exist and be run by a test against the served app.
DASHBOARDS = ("UnitMonthBoard", "TenantBoards", "Trend", "PersonTimeline", "ChildTenantTrend",
              "UnitAppealCounts", "LeaderAccountability", "MyPendingWork", "UnitBoardLive")
TESTS = Path(__file__).resolve().parents[1]


def test_the_standard_dashboards_are_persisted_documents() -> None:
    assert [d for d in DASHBOARDS if not (OPERATIONS / f"{d}.graphql").exists()] == []


def test_every_persisted_document_is_run_by_a_test() -> None:
    # Every test module but this one: its own list of names above would otherwise make
    # each dashboard "used" by construction.
    here = Path(__file__).resolve()
    sources = "".join(p.read_text(encoding="utf-8") for folder in ("e2e", "integration", "web")
                      for p in (TESTS / folder).glob("test_*.py") if p.resolve() != here)
    unused = [p.stem for p in sorted(OPERATIONS.glob("*.graphql"))
              if f'operation("{p.stem}")' not in sources and f'"{p.stem}"' not in sources]
    assert unused == []
