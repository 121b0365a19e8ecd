"""The auditor's standard-library Ed25519 check agrees with a vetted implementation."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from auditverify.ed25519 import verify

pytestmark = pytest.mark.unit
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=200))
def test_a_genuine_signature_holds(message: bytes) -> None:
    assert verify(PUBLIC, message, KEY.sign(message))


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.integers(0, 63), st.integers(0, 7))
def test_a_changed_message_or_signature_does_not(message: bytes, byte: int, bit: int) -> None:
    signature = KEY.sign(message)
    assert not verify(PUBLIC, message[:-1] + bytes([message[-1] ^ 1]), signature)
    changed = bytearray(signature)
    changed[byte] ^= 1 << bit
    assert not verify(PUBLIC, message, bytes(changed))


def test_malformed_keys_and_signatures_are_refused() -> None:
    signature = KEY.sign(b"x")
    assert not verify(PUBLIC[:31], b"x", signature)
    assert not verify(PUBLIC, b"x", signature[:63])
    assert not verify(b"\xff" * 32, b"x", signature)
