"""Use cases: a command in, the aggregates' rules applied, events out through the event store.

``commands``, ``appeal_commands`` and ``work_commands`` are the frozen command dataclasses
(imperative names). Each use case is a function ``(uow: UnitOfWork, cmd)`` in the module
named for its job (``periods``, ``evaluations``, ``decisions``, ``results``, ``staffing``,
``staff_import``, ``policies``, ``collectives``, ``work``, ``commendations``, ``appeals``,
``reorganisation``); ``handler_base.UnitOfWork`` loads, saves atomically and retries on a
version clash; ``loading`` and ``steps`` are what several use cases share.
``handlers.TenantService`` and ``handlers.AppealService`` are the entry point the edges
call: one delegation line per use case.

This room knows nothing of the edge: no GraphQL, no HTTP, no read-side SQL
(``services/app/ruff.toml``). It writes through ``services/store`` only.
"""
