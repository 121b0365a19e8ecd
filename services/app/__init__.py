"""Use cases: a command in, the aggregates' rules applied, events out through the event store.

``commands`` and ``appeal_commands`` are the frozen command dataclasses (imperative names);
``handlers.TenantService`` is one tenant's application, built from ``handler_base`` (load,
save atomically, retry on a version clash) and the per-area handlers (``org_handlers``,
``collective_handlers``); ``appeals.AppealService`` and ``reorganisation`` are the appeal
workflow and the tenant mergers/transfers.

This room knows nothing of the edge: no GraphQL, no HTTP, no read-side SQL
(``services/app/ruff.toml``). It writes through ``services/store`` only.
"""
