"""What the write side and the read side agree on about stored data.

The event store (``services/store``) writes events and the projections (``projections/``)
read them back; both must encode, seal and connect the same way, yet persistence must not
import the read side. The pieces they share live here, below both of them:

- ``storage.transcoding``: how an event becomes JSON (the registered transcodings) and the
  mapper that seals personal fields on the way in and opens them on the way out;
- ``storage.sealing``: per-person AES-GCM sealing of personal fields (crypto-erasure);
- ``storage.db``: the connection types and the SQLSTATE the database's triggers raise.

This package imports ``domain`` and libraries only (``storage/ruff.toml``).
"""
