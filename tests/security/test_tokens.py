"""Token verification against a real JWKS endpoint on loopback, with generated RSA and EC
keys: algorithms, issuer, audience, skew, and key rotation."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from services.http import auth
from services.http.auth import LEEWAY_SECONDS, AuthError, TokenVerifier, mint_token
from services.settings import Settings, load_settings
from tests.support.keyserver import KeyServer

pytestmark = pytest.mark.integration

ISSUER, AUDIENCE = "https://idp.test/realms/congtam", "congtam"


@pytest.fixture
def idp(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyServer]:
    server = KeyServer(tls=True)  # production fetches keys over https only
    assert server.cert_file is not None
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_file))
    yield server
    server.close()


def settings_for(idp: KeyServer) -> Settings:
    return load_settings({"CONGTAM_JWKS_URL": idp.url, "CONGTAM_JWT_ISSUER": ISSUER,
                          "CONGTAM_JWT_AUDIENCE": AUDIENCE, "CONGTAM_MODE": "production"})


def claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "u-1", "name": "Nguyễn Văn A", "tenant": "hn-x", "roles": ["auditor"],
            "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, **over}


def sign(private: Any, kid: str, alg: str, **over: Any) -> str:
    return jwt.encode(claims(**over), private, algorithm=alg, headers={"kid": kid})


RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())


async def refused(verifier: TokenVerifier, token: str) -> AuthError:
    with pytest.raises(AuthError) as caught:
        await verifier.verify(f"Bearer {token}")
    assert caught.value.code == "UNAUTHENTICATED"
    return caught.value


async def test_rs256_and_es256_tokens_from_the_provider_are_accepted(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    idp.publish("ec-1", EC)
    verifier = TokenVerifier(settings_for(idp))
    for token in (sign(RSA, "rsa-1", "RS256"), sign(EC, "ec-1", "ES256")):
        principal = await verifier.verify(f"Bearer {token}")
        assert (principal.user_id, principal.tenant, principal.roles) == (
            "u-1", "hn-x", frozenset({"auditor"}))


async def test_keys_are_cached_and_a_rotated_key_is_fetched_once(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    for _ in range(5):
        await verifier.verify(f"Bearer {sign(RSA, 'rsa-1', 'RS256')}")
    assert idp.hits == 1
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.keys = []
    idp.publish("rsa-2", rotated)  # the provider rotates: the old key is gone
    assert verifier.jwks is not None
    verifier.jwks.min_refetch = 0  # (production waits 30 s between refetches)
    await verifier.verify(f"Bearer {sign(rotated, 'rsa-2', 'RS256')}")
    assert idp.hits == 2
    await verifier.verify(f"Bearer {sign(rotated, 'rsa-2', 'RS256')}")
    assert idp.hits == 2


async def test_unknown_kids_do_not_hammer_the_provider(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    await verifier.verify(f"Bearer {sign(RSA, 'rsa-1', 'RS256')}")
    for i in range(10):
        await refused(verifier, sign(RSA, f"random-{i}", "RS256"))
    assert idp.hits == 1  # refetch at most every min_refetch seconds


async def test_a_key_the_provider_does_not_publish_is_refused(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    await refused(TokenVerifier(settings_for(idp)), sign(stranger, "rsa-1", "RS256"))


async def test_alg_none_and_hmac_with_the_public_key_are_refused(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": "rsa-1"})
    await refused(verifier, unsigned)
    # Key confusion: HS256 keyed with the provider's *public* key, which anyone can fetch.
    pem = RSA.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    header = jwt.utils.base64url_encode(json.dumps(
        {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(claims()).encode())
    mac = hmac.new(pem, header + b"." + payload, hashlib.sha256).digest()
    forged = (header + b"." + payload + b"." + jwt.utils.base64url_encode(mac)).decode()
    await refused(verifier, forged)
    # An EC key may not verify an RS256 header, nor the other way round.
    idp.publish("ec-1", EC)
    await refused(verifier, sign(RSA, "ec-1", "RS256"))


async def test_other_issuer_and_other_audience_are_refused(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    error = await refused(verifier, sign(RSA, "rsa-1", "RS256", iss="https://evil.test"))
    assert "issuer" in error.message_en
    error = await refused(verifier, sign(RSA, "rsa-1", "RS256", aud="another-app"))
    assert "another service" in error.message_en


async def test_clock_skew_is_bounded(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    now = int(time.time())
    await verifier.verify(f"Bearer {sign(RSA, 'rsa-1', 'RS256', exp=now - 10)}")  # within 30 s
    error = await refused(verifier, sign(RSA, "rsa-1", "RS256", exp=now - 120))
    assert "expired" in error.message_en
    await refused(verifier, sign(RSA, "rsa-1", "RS256", iat=now + 600, exp=now + 900))


async def test_missing_claims_are_refused(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    for claim in ("exp", "iat", "sub", "iss", "aud"):
        body = claims()
        del body[claim]
        await refused(verifier, jwt.encode(body, RSA, algorithm="RS256",
                                           headers={"kid": "rsa-1"}))


async def test_the_development_key_is_refused_when_a_provider_is_configured(
        idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    dev = load_settings({"CONGTAM_JWT_SECRET": "x" * 40, "CONGTAM_JWT_ISSUER": ISSUER,
                         "CONGTAM_JWT_AUDIENCE": AUDIENCE})
    token = mint_token(dev, tenant="hn-x", user="u-1", roles=["hr_officer"])
    await refused(TokenVerifier(settings_for(idp)), token)


async def test_embedded_mode_accepts_its_own_development_tokens(settings: Settings) -> None:
    token = mint_token(settings, tenant="hn-x", user="u-1", roles=["hr_officer"])
    principal = await TokenVerifier(settings).verify(f"Bearer {token}")
    assert principal.roles == frozenset({"hr_officer"})
    other = load_settings({"CONGTAM_JWT_SECRET": "y" * 40})
    await refused(TokenVerifier(settings), mint_token(other, tenant="hn-x", user="u-1",
                                                      roles=["hr_officer"]))


async def test_a_remembered_token_still_expires_on_time(idp: KeyServer) -> None:
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    # Good for two to three more seconds: room for the key fetch on a loaded machine.
    exp = int(time.time()) - LEEWAY_SECONDS + 3
    token = sign(RSA, "rsa-1", "RS256", exp=exp)
    await verifier.verify(f"Bearer {token}")
    await verifier.verify(f"Bearer {token}")  # remembered
    await asyncio.sleep(exp + LEEWAY_SECONDS + 0.2 - time.time())
    error = await refused(verifier, token)
    assert "expired" in error.message_en


async def test_a_key_the_provider_withdraws_stops_working_when_the_memory_lapses(
    idp: KeyServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth, "VERIFIED_SECONDS", 0.3)
    idp.publish("rsa-1", RSA)
    verifier = TokenVerifier(settings_for(idp))
    token = sign(RSA, "rsa-1", "RS256")
    await verifier.verify(f"Bearer {token}")
    idp.keys = []  # the provider withdraws the key (say it leaked)
    assert verifier.jwks is not None
    verifier.jwks.ttl = verifier.jwks.min_refetch = 0  # (the key set itself: 5 minutes)
    await verifier.verify(f"Bearer {token}")  # still remembered, for a bounded time
    await asyncio.sleep(0.4)
    await refused(verifier, token)
