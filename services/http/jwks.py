"""The identity provider's public keys (JWKS), fetched over HTTP without blocking the loop.

Why not ``jwt.PyJWKClient``: it fetches with urllib on the calling thread, which would stall
every request of the event loop while the identity provider answers. This cache fetches with
httpx, keeps the key set for ``ttl`` seconds, and on a token whose ``kid`` it does not know
refetches once — that is how a key rotation at the provider is picked up without a restart.
Refetches for unknown kids are spaced by ``min_refetch`` seconds so that a flood of tokens
with random kids cannot turn the API into a denial-of-service amplifier against the provider.
Only RSA and EC signing keys are kept; each key is tied to the one algorithm it may verify.

When the provider cannot be reached, the keys already fetched keep serving (an outage of the
provider must not sign everybody out) — but only for ``max_stale`` seconds after the last
successful fetch (``CONGTAM_JWKS_MAX_STALE_S``). A key the provider withdrew while we could
not see it (say it leaked, and the attacker also blocks our refreshes) stops opening doors
then: past the bound every token is refused until a fetch succeeds again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import structlog

log = structlog.get_logger()

# The algorithm each key type may verify: a key never verifies under another family, so an
# RSA public key can never be misused as an HMAC secret (the classic algorithm confusion).
ALGORITHM_FOR_KTY = {"RSA": "RS256", "EC": "ES256"}


class UnknownKeyError(Exception):
    """No key with this kid, even after a refetch."""


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    algorithm: str
    key: Any


class JwksCache:
    def __init__(self, url: str, *, ttl: float = 300.0, min_refetch: float = 30.0,
                 timeout: float = 5.0, max_stale: float = 3600.0) -> None:
        self.url = url
        self.ttl = ttl
        self.min_refetch = min_refetch
        self.timeout = timeout
        self.max_stale = max_stale
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at = float("-inf")  # last attempt, successful or not (spaces retries)
        self._succeeded_at = float("-inf")  # last successful fetch (bounds trust in _keys)
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times the provider was asked (observable in tests)

    async def key_for(self, kid: str) -> VerificationKey:
        now = time.monotonic()
        if now - self._fetched_at > self.ttl:
            await self._refresh(force=True)
        key = self._keys.get(kid)
        if key is None:
            await self._refresh(force=False)  # perhaps rotated since we last looked
            key = self._keys.get(kid)
        if key is None:
            raise UnknownKeyError(kid)
        if time.monotonic() - self._succeeded_at > self.max_stale:
            self._expire()
            raise UnknownKeyError(kid)
        return key

    def _expire(self) -> None:
        if self._keys:
            log.error("jwks_keys_expired", url=self.url, max_stale_s=self.max_stale,
                      kids=sorted(self._keys))
            self._keys = {}

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            since = time.monotonic() - self._fetched_at
            if not force and since < self.min_refetch:
                return
            if force and since <= self.ttl and self._keys:
                return  # another request refreshed while we waited for the lock
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                    body = response.json()
            except (httpx.HTTPError, ValueError) as error:
                # Keep serving the keys we have, for a bounded time (see the module's
                # docstring), and unknown kids stay unknown.
                log.warning("jwks_fetch_failed", url=self.url, error=str(error))
                self._fetched_at = time.monotonic()
                if self._fetched_at - self._succeeded_at > self.max_stale:
                    self._expire()
                return
            self.fetches += 1
            self._keys = _parse(body)
            self._fetched_at = self._succeeded_at = time.monotonic()
            log.info("jwks_fetched", url=self.url, kids=sorted(self._keys))


def _parse(body: Any) -> dict[str, VerificationKey]:
    keys: dict[str, VerificationKey] = {}
    for entry in body.get("keys", []) if isinstance(body, dict) else []:
        if not isinstance(entry, dict):
            continue
        kid, kty = entry.get("kid"), entry.get("kty")
        algorithm = ALGORITHM_FOR_KTY.get(str(kty))
        if not isinstance(kid, str) or algorithm is None or entry.get("use", "sig") != "sig":
            continue
        if entry.get("alg", algorithm) != algorithm:
            continue
        try:
            keys[kid] = VerificationKey(kid, algorithm, jwt.PyJWK(entry, algorithm).key)
        except (jwt.PyJWTError, ValueError, TypeError):
            log.warning("jwks_key_skipped", kid=kid)
    return keys
