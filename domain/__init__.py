"""The evaluation domain: aggregates, events, value objects and rules.

Pure Python plus the ``eventsourcing`` library: no web, no SQL (enforced by
``domain/ruff.toml``). Vietnamese terms live in docstrings and labels; code
identifiers are English (see the glossary in the project docs).
"""
