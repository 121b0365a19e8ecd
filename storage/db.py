"""Connection types both sides pass around, and what the database's triggers answer with."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A connection, whether taken from a pool or opened on its own.
DbConn: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
# Where a batch's personal-data keys are read: the batch's own connection, or the home
# database's pool for a tenant placed in another database (services/store/placement.py).
KeySource: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any] | asyncpg.Pool"

# Raised by an append to a fenced log (the head trigger of projections/progress.py) while a
# tenant moves between databases (services/platform/tenant_move.py).
FENCED_SQLSTATE = "CTMOV"
