"""Calling the real GraphQL endpoint with real tokens."""

from __future__ import annotations

from typing import Any

import httpx

from services.http.auth import mint_token
from services.settings import Settings


def token_for(settings: Settings, tenant: str, user: object, *roles: str) -> str:
    return mint_token(settings, tenant=tenant, user=str(user), roles=list(roles))


def bearer(token: str) -> dict[str, str]:
    """The header a signed-in client sends."""
    return {"Authorization": f"Bearer {token}"}


async def gql(http: httpx.AsyncClient, token: str | None, query: str,
              variables: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_code(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    assert errors, f"expected an error, got {body}"
    code: str = errors[0]["extensions"]["code"]
    return code


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The rows of one page of a Relay connection (``edges { node { … } }``)."""
    return [edge["node"] for edge in connection["edges"]]
