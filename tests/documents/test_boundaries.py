"""The document rooms take plain data in: they import the domain and themselves, never
another services module (which the integrator calls them from), so they can move freely."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("room", ["services/imports", "services/reports"])
def test_a_document_room_imports_only_the_domain_and_itself(room: str) -> None:
    own = room.replace("/", ".")
    wrong = []
    for path in sorted((ROOT / room).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            wrong += [f"{path.name}: {n}" for n in names
                      if n.split(".")[0] in ("services", "projections", "bench", "auditverify")
                      and not n.startswith(own)]
    assert wrong == []
