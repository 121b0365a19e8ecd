"""deploy/keycloak/congtam-realm.json: the identity provider's realm agrees with the app.

Keycloak itself cannot run here, so the contract is checked from both ends: the realm's
protocol mappers must produce the claims ``services.http.auth`` reads (``tenant``, ``roles``,
audience ``congtam``), and a token carrying exactly those claims, RS256-signed and verified
through a JWKS endpoint as in production, must be accepted by the app's own verifier.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa

from services.demo.tenants import demo_users
from services.http.auth import ROLES, TokenVerifier
from services.settings import load_settings
from tests.deploy.support import DEPLOY
from tests.support.keyserver import KeyServer

REALM_FILE = DEPLOY / "keycloak" / "congtam-realm.json"
CLIENT_ID = "congtam-api"
DEMO_TENANT = "hn-long-bien-duc-giang"


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def client(realm: dict[str, Any]) -> dict[str, Any]:
    (found,) = [c for c in realm["clients"] if c["clientId"] == CLIENT_ID]
    return found


def _mapper(client: dict[str, Any], protocol_mapper: str) -> dict[str, str]:
    (found,) = [m for m in client["protocolMappers"] if m["protocolMapper"] == protocol_mapper]
    config: dict[str, str] = found["config"]
    return config


def test_client_roles_are_exactly_the_app_roles(realm: dict[str, Any]) -> None:
    roles = {r["name"] for r in realm["roles"]["client"][CLIENT_ID]}
    assert roles == set(ROLES)


def test_tenant_claim_comes_from_the_tenant_user_attribute(client: dict[str, Any]) -> None:
    config = _mapper(client, "oidc-usermodel-attribute-mapper")
    assert config["user.attribute"] == "tenant"
    assert config["claim.name"] == "tenant"
    assert config["jsonType.label"] == "String"
    assert config["multivalued"] == "false"
    assert config["access.token.claim"] == "true"


def test_roles_claim_is_the_list_of_this_clients_roles(client: dict[str, Any]) -> None:
    config = _mapper(client, "oidc-usermodel-client-role-mapper")
    assert config["usermodel.clientRoleMapping.clientId"] == CLIENT_ID
    assert config["claim.name"] == "roles"
    assert config["multivalued"] == "true", "services.http.auth requires a list"
    assert config.get("usermodel.clientRoleMapping.rolePrefix", "") == ""
    assert config["access.token.claim"] == "true"
    # Only this client's roles reach the token, not every realm role the user holds.
    assert client["fullScopeAllowed"] is False


def test_audience_is_what_the_api_expects(client: dict[str, Any]) -> None:
    config = _mapper(client, "oidc-audience-mapper")
    assert config["included.custom.audience"] == load_settings({}).jwt_audience == "congtam"
    assert config["access.token.claim"] == "true"


def test_users_cannot_move_themselves_to_another_tenant(realm: dict[str, Any]) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    (raw,) = provider["config"]["kc.user.profile.config"]
    attributes = {a["name"]: a for a in json.loads(raw)["attributes"]}
    # A managed attribute that only administrators edit: were it user-editable (or unmanaged),
    # the account console would let a user claim any tenant.
    assert attributes["tenant"]["permissions"]["edit"] == ["admin"]
    assert "user" in attributes["tenant"]["permissions"]["view"]


def test_demo_users_cover_the_main_roles_of_one_tenant(realm: dict[str, Any]) -> None:
    users = realm["users"]
    held = set()
    for user in users:
        assert user["attributes"]["tenant"] == [DEMO_TENANT], user["username"]
        assert set(user["clientRoles"][CLIENT_ID]) <= set(ROLES), user["username"]
        assert all(not c["temporary"] for c in user["credentials"]), user["username"]
        held |= set(user["clientRoles"][CLIENT_ID])
    assert held >= {"hr_officer", "unit_leader", "staff", "auditor"}


def test_demo_staff_sign_in_as_their_staff_ids(realm: dict[str, Any]) -> None:
    # `sub` is the Keycloak user id, and the app takes sub as the staff id of staff and
    # leaders, so the realm fixes the ids to those `congtam demo` creates.
    demo_ids = {u.user_id for u in demo_users(DEMO_TENANT)}
    for user in realm["users"]:
        if "staff" in user["clientRoles"][CLIENT_ID]:
            assert user["id"] in demo_ids, user["username"]


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A JWKS endpoint on loopback, standing in for Keycloak's /protocol/openid-connect/certs,
    over https as production requires (its certificate trusted while the module runs)."""
    server = KeyServer(tls=True)
    server.publish("test-key", signing_key)
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(server.cert_file)
    yield server.url.replace("/certs", "/realms/congtam/protocol/openid-connect/certs")
    if before is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = before
    server.close()


def _claims_keycloak_would_issue(
    realm: dict[str, Any], client: dict[str, Any], user: dict[str, Any], issuer: str
) -> dict[str, Any]:
    """The claims this realm's mappers put in an access token for ``user``."""
    tenant = _mapper(client, "oidc-usermodel-attribute-mapper")
    roles = _mapper(client, "oidc-usermodel-client-role-mapper")
    audience = _mapper(client, "oidc-audience-mapper")
    now = int(time.time())
    return {
        "sub": user["id"],  # the "basic" client scope
        "name": f"{user['firstName']} {user['lastName']}",  # the "profile" client scope
        tenant["claim.name"]: user["attributes"][tenant["user.attribute"]][0],
        roles["claim.name"]: user["clientRoles"][roles["usermodel.clientRoleMapping.clientId"]],
        "aud": [audience["included.custom.audience"], CLIENT_ID],
        "azp": CLIENT_ID,
        "iss": issuer,
        "iat": now,
        "exp": now + realm["accessTokenLifespan"],
    }


async def test_tokens_shaped_by_the_realm_are_accepted_by_the_api(
    realm: dict[str, Any], client: dict[str, Any], signing_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    api_env = compose["services"]["api"]["environment"]
    settings = load_settings(
        {
            "CONGTAM_JWKS_URL": jwks_url,
            "CONGTAM_JWT_ISSUER": api_env["CONGTAM_JWT_ISSUER"],
            "CONGTAM_JWT_AUDIENCE": api_env["CONGTAM_JWT_AUDIENCE"],
            "CONGTAM_MODE": "production",
        }
    )
    verifier = TokenVerifier(settings)
    for user in realm["users"]:
        claims = _claims_keycloak_would_issue(realm, client, user, settings.jwt_issuer)
        token = jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": "test-key"})
        principal = await verifier.verify(f"Bearer {token}")
        assert principal.user_id == user["id"]
        assert principal.tenant == DEMO_TENANT
        # Nothing the realm grants is dropped as unknown by the app.
        assert principal.roles == frozenset(user["clientRoles"][CLIENT_ID])
