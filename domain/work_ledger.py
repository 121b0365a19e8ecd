"""Which work items a person holds in one month or quarter (sổ theo dõi công việc).

The score of a period is computed from *every* item assigned to the person in it
(``domain.work_score``). Finding them must not depend on a read model that may lag: the
ledger, one per person and period (a deterministic id), lists the item ids and is saved in
the same transaction as each assignment, so a decision reads exactly the items that were
assigned — and a decision racing an assignment clashes on the ledger's version and runs
again. It holds ids only: what each item says stays in the item's own events.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate

_NS = uuid5(NAMESPACE_URL, "urn:congtam:work-ledger")


def work_ledger_id(staff_id: UUID, kind: str, year: int, number: int) -> UUID:
    return uuid5(_NS, f"{staff_id}/{kind}/{year}/{number}")


class WorkLedger(TenantAggregate):
    """The ids of the items assigned to one person for one month or quarter."""

    @event("Opened")
    def __init__(self, id: UUID, staff_id: UUID, kind: str, year: int, number: int) -> None:
        self.staff_id, self.kind, self.year, self.number = staff_id, kind, year, number
        self.item_ids: list[UUID] = []

    @classmethod
    def open(cls, staff_id: UUID, kind: str, year: int, number: int) -> WorkLedger:
        return cls(id=work_ledger_id(staff_id, kind, year, number), staff_id=staff_id,
                   kind=kind, year=year, number=number)

    @event("ItemAdded")
    def add(self, item_id: UUID) -> None:
        self.item_ids.append(item_id)
