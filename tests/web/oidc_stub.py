"""A tiny OpenID provider on 127.0.0.1 for the sign-in tests: discovery, an authorization
endpoint that signs the person in at once, a token endpoint that checks the PKCE verifier,
and its signing keys. ID tokens are RS256; access tokens are whatever ``access_token``
makes (the test app verifies them with its own key, as it would a real provider's)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar, Request, get, post
from litestar.response import Redirect

from tests.support.servers import free_port, running

KID = "stub-key-1"


@dataclass
class Provider:
    issuer: str
    client_id: str
    subject: str
    access_token: Callable[[], str]
    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    nonce_override: str | None = None  # a provider replaying another sign-in's ID token

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": self.subject,
                  "iat": now, "exp": now + 300, "nonce": self.nonce_override or nonce}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}


def _app(provider: Provider) -> Litestar:
    @get("/.well-known/openid-configuration", sync_to_thread=False)
    def discovery() -> dict[str, str]:
        i = provider.issuer
        return {"issuer": i, "authorization_endpoint": f"{i}/authorize",
                "token_endpoint": f"{i}/token", "jwks_uri": f"{i}/jwks",
                "end_session_endpoint": f"{i}/logout"}

    @get("/authorize", sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Redirect:
        q = request.query_params
        assert q["response_type"] == "code"
        assert q["code_challenge_method"] == "S256"
        code = f"code-{len(provider.codes)}"
        provider.codes[code] = {k: q[k] for k in ("redirect_uri", "nonce", "code_challenge",
                                                   "client_id")}
        return Redirect(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Any:
        form = await request.form()
        issued = provider.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if issued is None or challenge != issued["code_challenge"] \
                or form.get("redirect_uri") != issued["redirect_uri"]:
            from litestar.response import Response
            return Response({"error": "invalid_grant"}, status_code=400)
        return {"access_token": provider.access_token(), "token_type": "Bearer",
                "id_token": provider.id_token(issued["nonce"]), "expires_in": 300}

    @get("/jwks", sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        return provider.jwks()

    return Litestar([discovery, authorize, token, jwks])


@asynccontextmanager
async def oidc_provider(client_id: str, subject: str,
                        access_token: Callable[[], str]) -> AsyncIterator[Provider]:
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}", client_id, subject, access_token)
    async with running(_app(provider), port):
        yield provider
