"""``congtam import work-items``: work assigned in a document/task system, loaded into a
tenant (Decree 335/2025). The file's shape is documented in ``services/imports/work_items.py``
and the README ("Work outputs"); all rows or none, and a second run of the same file
writes nothing (each item's id comes from the source system's ``ref``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

import typer

from services.cli.base import OPERATOR, domain_errors, imports

if TYPE_CHECKING:
    from services.runtime import Runtime



def imported_item_id(tenant: str, ref: str) -> UUID:
    """The same source ref in the same tenant is the same item (idempotent imports)."""
    return uuid5(NAMESPACE_URL, f"urn:congtam:work-import/{tenant}/{ref}")


@imports.command("work-items")
def import_work_items(
    file: Annotated[Path, typer.Argument(help="A JSON or CSV file (see the README)")],
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Load work items assigned in a document/task system: every row is checked as an
    assignment by its leader; all are written, or none."""
    from domain.actor import Actor, acting_as
    from services.app.work_commands import ImportedItem, ImportWork
    from services.imports.work_items import parse_work_items

    data = file.read_bytes()

    async def work(rt: Runtime) -> tuple[int, int, int]:
        import anyio

        rows = parse_work_items(data)
        target = await rt.registry.get(tenant)
        service = rt.service(target)
        cmd = ImportWork(tuple(ImportedItem(
            imported_item_id(target.slug, r.ref), r.staff_id, str(r.assigned_by), r.what)
            for r in rows))

        def run() -> tuple[int, int]:
            with acting_as(Actor(by, "import")):
                return service.import_work(cmd)

        written, position = await anyio.to_thread.run_sync(run)
        await rt.written(target)
        return len(rows), written, position

    rows, written, position = domain_errors(work)
    typer.echo(f"{rows} rows read, {written} items written ({rows - written} already there)"
               + (f", log position {position}" if written else ""))
