"""The ``congtam`` command: serve, demo, token, tenants, db-url, project, rebuild, verify,
grant/revoke/grants, history, replay, export, checkpoint, databases, tenant move, bench,
schema.

One module per area: ``serve`` (running the service), ``data`` (databases and read models),
``tenants`` (tenants, grants, erasure), ``audit`` (verify, history, replay, export,
checkpoints); ``base`` holds what they share. Importing the package registers every command.
"""

from __future__ import annotations

from services.cli import audit, data, serve, tenants
from services.cli.base import app

__all__ = ["app", "audit", "data", "serve", "tenants"]
