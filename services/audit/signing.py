"""The platform's signature on each checkpoint (Ed25519), and the key it signs with.

A checkpoint in ``platform.checkpoints`` sits in the same database as the log it
witnesses, so a superuser could rewrite both. A signature by a key kept outside the
database (a Kubernetes secret, ``CONGTAM_CHECKPOINT_KEY``) cannot be rewritten with them:
an auditor who holds an older signed checkpoint — from an earlier bundle, or read from
``/.well-known/congtam-checkpoint-keys.json`` and the API — proves a later truncation or
re-chaining wherever the log no longer has the signed head at the signed position.

What is signed (UTF-8, lines joined by ``\\n``)::

    congtam-checkpoint/1
    <tenant slug>
    <position>
    <head, 64 hex digits>
    <events verified>
    <signed at, ISO 8601 UTC>

``auditverify`` checks it with the standard library alone (auditverify/ed25519.py).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from services.settings import Settings

log = structlog.get_logger()

SIGNED_FORMAT = "congtam-checkpoint/1"
KEY_FILE = "checkpoint-ed25519.key"


def signed_message(tenant: str, position: int, head: str, events: int, signed_at: str) -> bytes:
    return "\n".join((SIGNED_FORMAT, tenant, str(position), head.lower(), str(events),
                      signed_at)).encode()


def key_id(public: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


@dataclass(frozen=True)
class CheckpointSigner:
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                      serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()

    def published(self) -> dict[str, str]:
        """The public key as served under /.well-known (raw key, base64)."""
        return {"kid": self.key_id, "alg": "Ed25519",
                "publicKey": base64.b64encode(self.public).decode()}


def signature_holds(public_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64)).verify(
            base64.b64decode(signature_b64), message)
    except Exception:  # any malformed key or signature is simply not a valid signature
        return False
    return True


def load_signer(settings: Settings) -> CheckpointSigner:
    """The key from ``CONGTAM_CHECKPOINT_KEY`` (a base64 32-byte Ed25519 seed), else one
    generated once under the data directory (development; production must set the key,
    or every process signs with its own file)."""
    if settings.checkpoint_key:
        seed = base64.b64decode(settings.checkpoint_key)
        return CheckpointSigner(Ed25519PrivateKey.from_private_bytes(seed))
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption())
        path.write_bytes(base64.b64encode(seed))
        path.chmod(0o600)
        if settings.production:
            log.warning("checkpoint_key_generated", path=str(path),
                        hint="set CONGTAM_CHECKPOINT_KEY from a secret")
    seed = base64.b64decode(path.read_bytes())
    return CheckpointSigner(Ed25519PrivateKey.from_private_bytes(seed))
