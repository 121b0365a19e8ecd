"""The permission matrix covers the whole schema, says only sensible things, and the README
shows exactly it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.gql.permissions import (
    MATRIX,
    PLATFORM_OPERATIONS,
    READ_ONLY_ROLES,
    Scope,
    matrix_markdown,
)
from services.gql.schema import schema
from services.http.auth import ROLES

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "README.md"


def root_fields() -> set[str]:
    gql = schema._schema
    fields: set[str] = set()
    for kind, root in (("Query", gql.query_type), ("Mutation", gql.mutation_type),
                       ("Subscription", gql.subscription_type)):
        if root is not None:
            fields |= {f"{kind}.{name}" for name in root.fields}
    return fields


def test_every_root_field_has_a_matrix_entry() -> None:
    missing = sorted(root_fields() - MATRIX.keys())
    assert not missing, (
        f"add these operations to services/gql/permissions.py MATRIX (and README): {missing}")


def test_the_matrix_names_no_field_the_schema_lacks() -> None:
    assert not sorted(MATRIX.keys() - root_fields())


def test_the_matrix_uses_known_roles_and_scopes_only() -> None:
    for operation, permission in MATRIX.items():
        assert permission.roles, operation
        assert set(permission.roles) <= set(ROLES), operation
        assert all(isinstance(s, Scope) for s in permission.roles.values()), operation


def test_read_only_roles_never_write() -> None:
    for operation, permission in MATRIX.items():
        if permission.kind == "write" or operation.startswith("Mutation."):
            assert not READ_ONLY_ROLES & set(permission.roles), operation


def test_mutations_are_writes_and_queries_are_reads() -> None:
    for operation, permission in MATRIX.items():
        expected = "write" if operation.startswith("Mutation.") else "read"
        assert permission.kind == expected, operation


def test_platform_admin_reaches_no_tenant_data() -> None:
    for operation, permission in MATRIX.items():
        if operation != "Query.me" and operation not in PLATFORM_OPERATIONS:
            assert "platform_admin" not in permission.roles, operation


def test_platform_operations_are_writes_the_platform_admin_may_do() -> None:
    for operation in PLATFORM_OPERATIONS:
        assert "platform_admin" in MATRIX[operation].roles, operation
        assert MATRIX[operation].kind == "write", operation


def test_readme_permission_table_is_the_matrix() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- permissions:begin -->\n(.*?)\n<!-- permissions:end -->", text,
                      re.DOTALL)
    assert match, "README.md lacks the permissions table markers"
    assert match.group(1).strip() == matrix_markdown().strip(), (
        "README permission table is stale; paste services.gql.permissions.matrix_markdown()")
