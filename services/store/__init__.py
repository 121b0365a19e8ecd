"""Persistence: where events, keys and tenants' databases are kept, and how.

``eventstore`` (the tenant logs and the aggregate cache), ``database`` (connection settings
and the embedded server), ``dbroles`` (the PostgreSQL roles each path runs as),
``integrity`` (the hash chain and append-only triggers), ``personal_keys`` (every person's
sealing key) and ``placement`` (which database holds which tenant, with its pools).

``personal_keys`` and ``placement`` live here rather than in ``services/platform`` because
the event store needs both on every append (the key to seal with, the fence of a moving
tenant): keeping them here lets this room import nothing else of ``services/`` and nothing
of the read side (``services/store/ruff.toml``); what it shares with ``projections/`` is in
``storage/``.
"""
