"""Who is calling: JWT bearer tokens, verified; the tenant comes from the token, never the client.

Development mode signs HS256 with a local key (``congtam token`` mints tokens). With
``CONGTAM_JWKS_URL`` set, RS256/ES256 tokens from a real identity provider are verified
against its published keys; issuer and audience are always checked, and ``alg: none`` is
never accepted. Production has no development key at all: it refuses to start without an
``https://`` key server (services/settings.py ``check_trust``).

Claims: ``sub`` (user id; for staff and leaders, their staff id), ``name``, ``tenant``
(slug) and ``roles`` (roles held in that tenant).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from domain.errors import DomainError
from services.http.jwks import ALGORITHM_FOR_KTY, JwksCache, UnknownKeyError
from services.settings import Settings, check_trust

ROLES = ("staff", "unit_leader", "hr_officer", "appeal_reviewer", "auditor", "platform_admin")
LEEWAY_SECONDS = 30  # bounded clock skew
# A client sends the same token with every request of a session: a verified token is
# remembered (its exact text, signature included) for at most this long — less than the
# key set itself is kept (services/http/jwks.py, 5 minutes), so a key the identity provider
# withdraws stops opening doors no later than it did. Expiry is still checked at every use.
VERIFIED_SECONDS = 60.0
VERIFIED_MAX = 4096


class AuthError(DomainError):
    code = "UNAUTHENTICATED"


class ForbiddenError(DomainError):
    code = "FORBIDDEN"


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    tenant: str
    roles: frozenset[str]
    expires_at: float = float("inf")  # the token's exp: long-lived subscriptions end with it

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def dev_key_path(settings: Settings) -> Path:
    """Where the generated HS256 development key lives (when CONGTAM_JWT_SECRET is unset)."""
    return Path(settings.data_dir) / "dev-jwt-secret"


def dev_secret(settings: Settings) -> str:
    """The HS256 development key: from the environment, else generated once under data_dir."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = dev_key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class TokenVerifier:
    """Checks signature, issuer, audience, expiry (with bounded skew) and the claims we need.

    The accepted algorithms are fixed by the mode, never by the token: HS256 with the
    development key in embedded mode; RS256/ES256 with the provider's keys when
    ``CONGTAM_JWKS_URL`` is set (the development key is then not accepted at all).
    """

    def __init__(self, settings: Settings) -> None:
        check_trust(settings)  # again: a copied Settings never went through load_settings
        self.settings = settings
        self.jwks = (JwksCache(settings.jwks_url, max_stale=settings.jwks_max_stale_s)
                     if settings.jwks_url else None)
        self._secret = None if self.jwks else dev_secret(settings)
        # token text → (principal, remembered until): ~150 µs of signature and claim
        # checks saved per request (pure-Python base64 and HMAC in PyJWT).
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, authorization: str | None) -> Principal:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AuthError("Thiếu mã xác thực (Bearer token).", "Missing bearer token.")
        token = authorization.split(" ", 1)[1].strip()
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, until = remembered
            if now < until and now <= principal.expires_at + LEEWAY_SECONDS:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]  # checked afresh below: expired says so
        principal = await self._verify(token)
        self._verified[token] = (principal, now + VERIFIED_SECONDS)
        if len(self._verified) > VERIFIED_MAX:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            key, algorithm = await self._key(token)
            claims = jwt.decode(
                token, key, algorithms=[algorithm], audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Mã xác thực đã hết hạn; vui lòng đăng nhập lại.",
                            "The token has expired; please sign in again.") from None
        except jwt.InvalidIssuerError:
            raise AuthError("Mã xác thực do nơi cấp không được tin cậy phát hành.",
                            "The token was issued by an untrusted issuer.") from None
        except jwt.InvalidAudienceError:
            raise AuthError("Mã xác thực không dành cho dịch vụ này.",
                            "The token is meant for another service.") from None
        except (jwt.PyJWTError, UnknownKeyError, ValueError):
            raise AuthError("Mã xác thực không hợp lệ.", "The token is invalid.") from None
        if int(claims["iat"]) > time.time() + LEEWAY_SECONDS:
            raise AuthError("Mã xác thực phát hành ở tương lai.",
                            "The token was issued in the future.")
        tenant, roles = claims.get("tenant"), claims.get("roles")
        if not isinstance(tenant, str) or not isinstance(roles, list):
            raise AuthError("Mã xác thực không ghi đơn vị hoặc vai trò.",
                            "The token names no tenant or roles.")
        return Principal(user_id=str(claims["sub"]), name=str(claims.get("name", "")),
                         tenant=tenant, roles=frozenset(r for r in roles if r in ROLES),
                         expires_at=float(claims["exp"]))

    async def _key(self, token: str) -> tuple[Any, str]:
        """The key and the single algorithm this token must verify under."""
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if self.jwks is None:
            if algorithm != "HS256":
                raise jwt.InvalidAlgorithmError(str(algorithm))
            return self._secret, "HS256"
        kid = header.get("kid")
        if algorithm not in ALGORITHM_FOR_KTY.values() or not isinstance(kid, str):
            raise jwt.InvalidAlgorithmError(str(algorithm))
        found = await self.jwks.key_for(kid)
        if found.algorithm != algorithm:
            raise jwt.InvalidAlgorithmError(str(algorithm))
        return found.key, found.algorithm


def mint_token(settings: Settings, *, tenant: str, user: str, roles: list[str],
               name: str = "", ttl_seconds: int = 8 * 3600) -> str:
    """A development token signed with the embedded mode's key."""
    now = int(time.time())
    claims = {"sub": user, "name": name, "tenant": tenant, "roles": roles,
              "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, dev_secret(settings), algorithm="HS256")
