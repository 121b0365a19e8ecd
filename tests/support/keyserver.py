"""A real identity provider's key endpoint (JWKS) on loopback, for tests.

Production trusts only tokens signed by its identity provider, fetched from an ``https://``
key server (services/settings.py ``check_trust``). This serves a key set over real HTTP — or
HTTPS with a certificate made for 127.0.0.1, trusted through ``SSL_CERT_FILE`` while the
server is open (httpx reads it for every client it builds) — and signs tokens with the
published keys, so a production-mode app can be tested end to end without a shortcut.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from services.settings import Settings

SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SIGNING_KID = "test-provider-1"


class KeyServer:
    """A JWKS endpoint whose key set can be rotated or made to fail, counting its requests."""

    def __init__(self, *, tls: bool = False) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits = 0
        self.failing = False  # answer 503, as a provider in an outage would
        self.cert_file: Path | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="congtam-idp-")
        owner = self

        class Certs(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits += 1
                if owner.failing:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Certs)
        scheme = "http"
        if tls:
            self.cert_file, key_file = _self_signed(Path(self._dir.name))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert_file, key_file)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/certs"

    def publish(self, kid: str, private: Any) -> None:
        if isinstance(private, rsa.RSAPrivateKey):
            jwk, alg = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()), "RS256"
        else:
            assert isinstance(private, ec.EllipticCurvePrivateKey)
            jwk, alg = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()), "ES256"
        self.keys.append({**json.loads(jwk), "kid": kid, "use": "sig", "alg": alg})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._dir.cleanup()

    def env(self) -> dict[str, str]:
        """What a server process needs to trust this key server in production mode."""
        env = {"CONGTAM_MODE": "production", "CONGTAM_JWKS_URL": self.url}
        if self.cert_file is not None:
            env["SSL_CERT_FILE"] = str(self.cert_file)
        return env

    def production(self) -> dict[str, Any]:
        """Overrides that turn a test's settings into production settings trusting this."""
        return {"mode": "production", "jwks_url": self.url}


@contextmanager
def key_server(*, tls: bool = True) -> Iterator[KeyServer]:
    """A key server publishing ``SIGNING_KEY``; with TLS its certificate is trusted (through
    ``SSL_CERT_FILE``) while the block runs."""
    server = KeyServer(tls=tls)
    server.publish(SIGNING_KID, SIGNING_KEY)
    before = os.environ.get("SSL_CERT_FILE")
    if server.cert_file is not None:
        os.environ["SSL_CERT_FILE"] = str(server.cert_file)
    try:
        yield server
    finally:
        if before is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = before
        server.close()


def provider_token(settings: Settings, tenant: str, user: object, *roles: str,
                   ttl_seconds: int = 3600) -> str:
    """A token as the identity provider would issue it (RS256, its published key), for the
    issuer and audience ``settings`` expect; the ``token_for`` of production mode."""
    now = int(time.time())
    claims = {"sub": str(user), "name": "", "tenant": tenant, "roles": list(roles),
              "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, SIGNING_KEY, algorithm="RS256", headers={"kid": SIGNING_KID})


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "congtam test idp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "idp.pem", folder / "idp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
