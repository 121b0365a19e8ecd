"""Everything that runs: use cases, the platform, persistence, the HTTP and GraphQL edges,
the CLI and the projector. Commands enter here. ``services/README.md`` maps the rooms.

Top level: ``runtime`` (the composition root shared by the API, the CLI and the tests),
``settings``, ``logging``, ``metrics`` and ``projector`` (the worker keeping read models).
"""
