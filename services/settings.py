"""All configuration, read once from the environment (documented in the README).

Defaults are safe for the embedded development mode; production sets ``CONGTAM_MODE``
and real keys.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def env_flag(value: str | None, default: bool) -> bool:
    """An on/off setting as the environment writes it (1, true, yes, on); unset: the default."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    mode: str  # "development" | "production"
    database_url: str | None  # None → the embedded PostgreSQL under data_dir/pg
    data_dir: Path
    host: str
    port: int
    keep_alive_s: float  # idle HTTP keep-alive; above any proxy's idle timeout in front
    header_timeout_s: float  # a connection must send a request's headers within this
    jwt_secret: str | None  # HS256 development key; None → generated under data_dir
    jwt_issuer: str
    jwt_audience: str
    jwks_url: str | None
    # How long the last key set fetched from the identity provider is still trusted while
    # every refresh fails (services/http/jwks.py); past it, every provider token is refused.
    jwks_max_stale_s: float
    require_grants: bool  # roles only from the platform log's grants, never from the token
    # (always in production: see ``grants_required``)
    max_body_bytes: int  # largest request body accepted
    rate_per_user: int  # requests per minute per user
    rate_per_tenant: int  # requests per minute per tenant
    rate_shared: bool  # buckets in PostgreSQL, shared by every replica (else per process)
    persisted_only: bool  # only operations from graphql/operations/, named by hash
    read_pool_max: int  # asyncpg pool (reads, projector) per process
    write_pool_max: int  # psycopg pool shared by every tenant's event store per process
    tenant_cache_size: int  # tenant applications kept in memory per process
    aggregate_cache_size: int  # aggregates cached per tenant application (LRU)
    freshness_timeout: float  # seconds a query with atLeast waits for the projector
    db_connect_timeout_s: float  # to open a connection, or wait for a pooled one
    db_statement_timeout_s: float  # one statement (server-side, and waited for client-side)
    projector_in_process: bool
    log_format: str  # "json" | "console" | "auto"
    log_level: str
    # Further PostgreSQL databases that may hold tenants, by name (CONGTAM_DATABASES); the
    # home database (DATABASE_URL or the embedded one) is always there, named ``home``.
    databases: tuple[tuple[str, str], ...] = ()
    # Ed25519 seed (base64) signing checkpoints; None → generated under data_dir.
    checkpoint_key: str | None = None
    # How often the projector witnesses (signs a checkpoint of) each tenant with new events;
    # 0 switches automatic checkpoints off.
    checkpoint_every_s: float = 60.0
    # Tenants ``congtam rebuild --all`` rebuilds at once, one connection each, taken from
    # the read pool (so at most ``read_pool_max``).
    rebuild_connections: int = 2
    # Reminders by e-mail (services/office/reminders.py). Development: the local mail sink
    # (``congtam mail-sink``, started by ``make run``) on smtp_port; production: a relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "Công Tâm <no-reply@congtam.local>"
    smtp_tls: str = "none"  # "none" | "starttls" | "tls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    # Seconds between the server's reminder rounds (services/office/schedule.py); 0: none.
    reminder_every_s: float = 300.0

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def grants_required(self) -> bool:
        """Whether a role the token claims counts only through a recorded grant. Always in
        production, whatever ``require_grants`` says (a settings object copied with another
        mode cannot keep the development convenience)."""
        return self.require_grants or self.production

    @property
    def max_connections(self) -> int:
        """The bound on PostgreSQL connections this process holds, whatever the tenant count:
        the read pool, the shared write pool, and one listener for wake-ups."""
        per_database = self.read_pool_max + self.write_pool_max + 1
        if not self.databases:
            return per_database
        # Each further database has the same pools and its own listener; the home database
        # adds one listener for placement changes.
        return per_database * (1 + len(self.databases)) + 1


HOME_DATABASE = "home"
_DB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def parse_databases(text: str) -> tuple[tuple[str, str], ...]:
    """``name=url,name=url`` → ((name, url), …); names are short identifiers, ``home`` is
    reserved for the home database. A URL may itself hold commas only percent-encoded."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, url = item.partition("=")
        name = name.strip()
        if not sep or not url.strip() or not _DB_NAME.match(name) or name == HOME_DATABASE:
            raise ValueError(f"CONGTAM_DATABASES: expected name=url (name like db2, not "
                             f"'{HOME_DATABASE}'), got {item.split('=')[0]!r}")
        if name in found:
            raise ValueError(f"CONGTAM_DATABASES: database {name!r} named twice")
        found[name] = url.strip()
    return tuple(found.items())


class SettingsError(ValueError):
    """A configuration the service refuses to start with (said in both languages)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{en} / {vi}")
        self.vi, self.en = vi, en


def check_trust(settings: Settings) -> None:
    """Production trusts only its identity provider, fetched over TLS.

    Without ``CONGTAM_JWKS_URL`` the service verifies HS256 tokens with a development key,
    and whoever holds that key can act as any user who has grants; over ``http://`` anyone
    on the path can substitute their own keys. Both are refused in production (checked when
    the settings are read and again when a token verifier is built, so a settings object
    copied with another mode cannot skip it). Outside production a plain-HTTP key server is
    allowed: a Keycloak in ``start-dev`` on a laptop or a loopback one in the tests.
    """
    if settings.jwks_max_stale_s <= 0:
        raise SettingsError(
            "CONGTAM_JWKS_MAX_STALE_S phải lớn hơn 0.",
            "CONGTAM_JWKS_MAX_STALE_S must be greater than 0.")
    if not settings.production:
        return
    if not settings.jwks_url:
        raise SettingsError(
            "CONGTAM_MODE=production cần CONGTAM_JWKS_URL: ở chế độ vận hành chỉ tin mã "
            "xác thực do nhà cung cấp định danh ký, không bao giờ dùng khóa phát triển.",
            "CONGTAM_MODE=production requires CONGTAM_JWKS_URL: production trusts only "
            "tokens signed by the identity provider, never the development key.")
    if not settings.jwks_url.lower().startswith("https://"):
        raise SettingsError(
            "CONGTAM_JWKS_URL phải dùng https:// khi CONGTAM_MODE=production: khóa ký "
            "lấy qua http có thể bị đánh tráo trên đường truyền.",
            "CONGTAM_JWKS_URL must be https:// with CONGTAM_MODE=production: signing keys "
            "fetched over plain http can be swapped on the way.")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    e = os.environ if env is None else env
    secret = e.get("CONGTAM_JWT_SECRET") or None
    mode = e.get("CONGTAM_MODE", "development")
    # In production a token's claims alone never grant anything: roles reach a tenant only
    # through grants recorded in the platform log. Development keeps the convenience of
    # `congtam token` roles unless asked otherwise.
    require_grants = env_flag(e.get("CONGTAM_REQUIRE_GRANTS"), mode == "production")
    if mode == "production" and not require_grants:
        raise SettingsError(
            "CONGTAM_REQUIRE_GRANTS=false không được dùng khi CONGTAM_MODE=production: "
            "quyền chỉ đến từ các lần cấp quyền đã ghi trong nhật ký nền tảng.",
            "CONGTAM_REQUIRE_GRANTS=false is not allowed with CONGTAM_MODE=production: "
            "roles come only from grants recorded in the platform log.")
    settings = Settings(
        mode=mode,
        database_url=e.get("DATABASE_URL") or None,
        data_dir=Path(e.get("CONGTAM_DATA_DIR", ".data")).resolve(),
        host=e.get("CONGTAM_HOST", "127.0.0.1"),
        port=int(e.get("CONGTAM_PORT", "8000")),
        keep_alive_s=float(e.get("CONGTAM_KEEP_ALIVE_S", "75")),
        header_timeout_s=float(e.get("CONGTAM_HEADER_TIMEOUT_S", "10")),
        jwt_secret=secret,
        jwt_issuer=e.get("CONGTAM_JWT_ISSUER", "congtam-dev"),
        jwt_audience=e.get("CONGTAM_JWT_AUDIENCE", "congtam"),
        jwks_url=e.get("CONGTAM_JWKS_URL") or None,
        jwks_max_stale_s=float(e.get("CONGTAM_JWKS_MAX_STALE_S", "3600")),
        require_grants=require_grants,
        max_body_bytes=int(e.get("CONGTAM_MAX_BODY_BYTES", str(64 * 1024))),
        rate_per_user=int(e.get("CONGTAM_RATE_PER_USER", "600")),
        rate_per_tenant=int(e.get("CONGTAM_RATE_PER_TENANT", "6000")),
        rate_shared=env_flag(e.get("CONGTAM_RATE_SHARED"), True),
        persisted_only=env_flag(e.get("CONGTAM_PERSISTED_ONLY"), False),
        read_pool_max=int(e.get("CONGTAM_READ_POOL_MAX", "8")),
        rebuild_connections=max(1, int(e.get("CONGTAM_REBUILD_CONNECTIONS", "2"))),
        write_pool_max=int(e.get("CONGTAM_WRITE_POOL_MAX", "4")),
        tenant_cache_size=int(e.get("CONGTAM_TENANT_CACHE_SIZE", "256")),
        aggregate_cache_size=int(e.get("CONGTAM_AGGREGATE_CACHE_SIZE", "256")),
        freshness_timeout=float(e.get("CONGTAM_FRESHNESS_TIMEOUT", "3")),
        db_connect_timeout_s=float(e.get("CONGTAM_DB_CONNECT_TIMEOUT_S", "2")),
        db_statement_timeout_s=float(e.get("CONGTAM_DB_STATEMENT_TIMEOUT_S", "3")),
        projector_in_process=env_flag(e.get("CONGTAM_PROJECTOR_IN_PROCESS"), True),
        log_format=e.get("CONGTAM_LOG_FORMAT", "auto"),
        log_level=e.get("CONGTAM_LOG_LEVEL", "info"),
        databases=parse_databases(e.get("CONGTAM_DATABASES") or ""),
        checkpoint_key=e.get("CONGTAM_CHECKPOINT_KEY") or None,
        checkpoint_every_s=float(e.get("CONGTAM_CHECKPOINT_EVERY_S", "60")),
        smtp_host=e.get("CONGTAM_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(e.get("CONGTAM_SMTP_PORT", "8025")),
        smtp_from=e.get("CONGTAM_SMTP_FROM", "Công Tâm <no-reply@congtam.local>"),
        smtp_tls=e.get("CONGTAM_SMTP_TLS", "none"),
        smtp_user=e.get("CONGTAM_SMTP_USER") or None,
        smtp_password=e.get("CONGTAM_SMTP_PASSWORD") or None,
        reminder_every_s=float(e.get("CONGTAM_REMINDER_EVERY_S", "300")),
    )
    check_trust(settings)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
