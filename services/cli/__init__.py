"""The ``congtam`` command: serve, demo, token, tenants, db-url, project, rebuild, verify,
grant/revoke/grants, history, replay, export, checkpoint, databases, tenant move, bench,
schema, import work-items.

One module per area: ``serve`` (running the service), ``data`` (databases and read models),
``tenants`` (tenants, grants, erasure), ``audit`` (verify, history, replay, export,
checkpoints), ``office`` (import, register, report), ``reminders`` (reminders, contacts,
the mail sink); ``base`` holds what they share. Importing the package registers every
command.
"""

from __future__ import annotations

from services.cli import audit, data, office, reminders, serve, tenants, work
from services.cli.base import app

__all__ = ["app", "audit", "data", "office", "reminders", "serve", "tenants", "work"]
