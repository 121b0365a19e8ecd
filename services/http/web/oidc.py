"""OpenID Connect, authorization code flow with PKCE (RFC 7636), against the identity
provider named by CONGTAM_OIDC_ISSUER (its endpoints from discovery).

Start: a fresh ``state`` (against forged callbacks), ``nonce`` (against replayed ID tokens)
and code verifier are kept in the session; the browser goes to the authorization endpoint
with the verifier's S256 challenge. Callback: the state must match; the code is exchanged
over a back channel (httpx) with the verifier; the ID token's signature (the provider's
JWKS), issuer, audience (this client), expiry and nonce are checked; the access token is
then verified by the API's own verifier (services/auth.py) — the same check every request
to /graphql meets — and kept in the session.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from services.http.jwks import JwksCache
from services.http.web.settings import WebSettings

DISCOVERY_SECONDS = 300.0
_discovered: dict[str, tuple[dict[str, Any], float]] = {}
_jwks: dict[str, JwksCache] = {}


class OidcError(Exception):
    """The provider's answer did not check out (said to the person as a failed sign-in)."""


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    def __init__(self, settings: WebSettings) -> None:
        assert settings.oidc_issuer is not None
        self.settings = settings
        self.issuer: str = settings.oidc_issuer

    async def discovery(self) -> dict[str, Any]:
        found = _discovered.get(self.issuer)
        if found is not None and found[1] > time.monotonic():
            return found[0]
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(f"{self.issuer}/.well-known/openid-configuration")
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        if document.get("issuer") != self.issuer:
            raise OidcError("discovery names another issuer")
        _discovered[self.issuer] = (document, time.monotonic() + DISCOVERY_SECONDS)
        return document

    def redirect_uri(self, base: str) -> str:
        return f"{self.settings.public_url or base.rstrip('/')}/login/oidc/callback"

    async def start(self, base: str) -> tuple[str, dict[str, str]]:
        """The authorization URL and what the session must keep until the callback."""
        document = await self.discovery()
        pending = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
                   "verifier": secrets.token_urlsafe(48)}
        query = urlencode({
            "response_type": "code", "client_id": self.settings.oidc_client_id,
            "redirect_uri": self.redirect_uri(base), "scope": "openid profile",
            "state": pending["state"], "nonce": pending["nonce"],
            "code_challenge": challenge_of(pending["verifier"]),
            "code_challenge_method": "S256"})
        return f"{document['authorization_endpoint']}?{query}", pending

    async def finish(self, base: str, code: str, state: str,
                     pending: dict[str, str]) -> dict[str, Any]:
        """Exchange the code; return the provider's tokens once the ID token checks out."""
        if not secrets.compare_digest(state, pending.get("state", "")):
            raise OidcError("state mismatch")
        document = await self.discovery()
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.redirect_uri(base),
                "client_id": self.settings.oidc_client_id,
                "code_verifier": pending["verifier"]}
        if self.settings.oidc_client_secret:
            form["client_secret"] = self.settings.oidc_client_secret
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(document["token_endpoint"], data=form,
                                     headers={"Accept": "application/json"})
        if answer.status_code != 200:
            raise OidcError(f"token endpoint answered {answer.status_code}")
        tokens: dict[str, Any] = answer.json()
        if not isinstance(tokens.get("id_token"), str) or \
                not isinstance(tokens.get("access_token"), str):
            raise OidcError("no id_token or access_token")
        await self.check_id_token(tokens["id_token"], pending["nonce"], document)
        return tokens

    async def check_id_token(self, id_token: str, nonce: str,
                             document: dict[str, Any]) -> dict[str, Any]:
        jwks = _jwks.setdefault(document["jwks_uri"], JwksCache(document["jwks_uri"]))
        try:
            header = jwt.get_unverified_header(id_token)
            found = await jwks.key_for(str(header.get("kid")))
            if header.get("alg") != found.algorithm:
                raise OidcError("unexpected algorithm")
            claims: dict[str, Any] = jwt.decode(
                id_token, found.key, algorithms=[found.algorithm], issuer=self.issuer,
                audience=self.settings.oidc_client_id, leeway=30,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "nonce"]})
        except OidcError:
            raise
        except Exception as error:
            raise OidcError(f"id token refused: {type(error).__name__}") from None
        if not secrets.compare_digest(str(claims.get("nonce")), nonce):
            raise OidcError("nonce mismatch")
        return claims

    async def logout_url(self, id_token: str, base: Any) -> str:
        document = await self.discovery()
        end = document.get("end_session_endpoint")
        if not end:
            return "/login"
        root = self.settings.public_url or str(getattr(base, "base_url", "")).rstrip("/")
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": f"{root}/login",
                           "client_id": self.settings.oidc_client_id})
        return f"{end}?{query}"
