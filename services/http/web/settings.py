"""The web app's settings, read once from the environment beside services/settings.py.

The development sign-in page (a list of the demo users) is on by default in the embedded
mode and refused at start in production; production signs people in with OpenID Connect.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from services.settings import Settings, SettingsError, env_flag


@dataclass(frozen=True)
class WebSettings:
    dev_login: bool  # the demo users' sign-in page (never in production)
    session_secret: bytes | None  # AES-GCM key of the session cookie (32 bytes); None: off
    session_seconds: int  # a session's longest life (the token's own expiry comes first)
    secure_cookies: bool  # Secure flag on cookies (production: HTTPS only)
    oidc_issuer: str | None  # e.g. https://sso.example/realms/congtam (discovery below it)
    oidc_client_id: str
    oidc_client_secret: str | None  # a confidential client's secret (none: public + PKCE)
    public_url: str | None  # the address people reach the app at (redirect URI base)

    @property
    def oidc(self) -> bool:
        return self.oidc_issuer is not None


def _session_secret(settings: Settings, value: str | None) -> bytes | None:
    if value:
        raw = bytes.fromhex(value) if len(value) == 64 else value.encode()
        if len(raw) != 32:
            raise SettingsError("CONGTAM_WEB_SESSION_SECRET phải dài 32 byte (hoặc 64 ký tự hex).",
                                "CONGTAM_WEB_SESSION_SECRET must be 32 bytes (or 64 hex digits).")
        return raw
    if settings.production:
        return None  # no pages without a key shared by every replica (the API still runs)
    path = Path(settings.data_dir) / "web-session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def load_web_settings(settings: Settings, env: dict[str, str] | None = None) -> WebSettings:
    e = os.environ if env is None else env
    dev_login = env_flag(e.get("CONGTAM_WEB_DEV_LOGIN"), not settings.production)
    if dev_login and settings.production:
        raise SettingsError(
            "Trang đăng nhập thử (CONGTAM_WEB_DEV_LOGIN) không được bật khi "
            "CONGTAM_MODE=production.",
            "The development sign-in (CONGTAM_WEB_DEV_LOGIN) is refused with "
            "CONGTAM_MODE=production.")
    return WebSettings(
        dev_login=dev_login,
        session_secret=_session_secret(settings, e.get("CONGTAM_WEB_SESSION_SECRET")),
        session_seconds=int(e.get("CONGTAM_WEB_SESSION_SECONDS", "28800")),
        secure_cookies=env_flag(e.get("CONGTAM_WEB_SECURE_COOKIES"), settings.production),
        oidc_issuer=(e.get("CONGTAM_OIDC_ISSUER") or "").rstrip("/") or None,
        oidc_client_id=e.get("CONGTAM_OIDC_CLIENT_ID", "congtam-web"),
        oidc_client_secret=e.get("CONGTAM_OIDC_CLIENT_SECRET") or None,
        public_url=(e.get("CONGTAM_WEB_PUBLIC_URL") or "").rstrip("/") or None,
    )
