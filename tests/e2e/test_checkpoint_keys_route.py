"""The platform's checkpoint key is published where an auditor can fetch and pin it."""

from __future__ import annotations

import httpx
import pytest

from services.audit.signing import signature_holds
from services.runtime import Runtime

pytestmark = pytest.mark.e2e

ROUTE = "/.well-known/congtam-checkpoint-keys.json"


async def test_the_checkpoint_key_is_published_without_a_token_and_cacheable(
    http: httpx.AsyncClient, runtime: Runtime,
) -> None:
    response = await http.get(ROUTE)  # no Authorization header
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    cache = response.headers.get("cache-control", "")
    assert "public" in cache
    assert "max-age=" in cache
    assert response.json() == {"keys": [runtime.signer.published()]}


async def test_a_signature_verifies_with_the_published_key_and_a_forgery_does_not(
    http: httpx.AsyncClient, runtime: Runtime,
) -> None:
    (key,) = (await http.get(ROUTE)).json()["keys"]
    assert key["alg"] == "Ed25519"
    signed = runtime.signer.sign(b"checkpoint t_x 42 abc")
    assert signature_holds(key["publicKey"], b"checkpoint t_x 42 abc", signed)
    assert not signature_holds(key["publicKey"], b"checkpoint t_x 41 abc", signed)
