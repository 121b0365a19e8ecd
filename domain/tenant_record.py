"""A tenant's own record of reorganisation (sắp xếp đơn vị hành chính, 2025): merged into a
successor (then read-only), or absorbing predecessors (whose history stays readable)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import TenantReadOnlyError

TENANT_RECORD_ID = uuid5(NAMESPACE_URL, "urn:congtam:tenant-record")


def read_only_error(successor: str) -> TenantReadOnlyError:
    return TenantReadOnlyError(
        f"Địa phương này đã được sáp nhập vào '{successor}': dữ liệu chỉ còn để tra cứu.",
        f"This tenant was merged into '{successor}': its data is read-only.",
    )


class TenantRecord(TenantAggregate):
    @event("Started")
    def __init__(self, id: UUID) -> None:
        self.merged_into: str | None = None
        self.predecessors: list[str] = []

    @classmethod
    def start(cls) -> TenantRecord:
        return cls(id=TENANT_RECORD_ID)

    def merge_into(self, successor: str, reasons: str) -> None:
        if self.merged_into is not None:
            raise read_only_error(self.merged_into)
        self._merged_into(successor, reasons)

    @event("MergedInto")
    def _merged_into(self, successor: str, reasons: str) -> None:
        self.merged_into = successor

    def absorb(self, predecessor: str, staff: int, periods: int) -> None:
        if self.merged_into is not None:
            raise read_only_error(self.merged_into)
        self._absorbed(predecessor, staff, periods)

    @event("PredecessorAbsorbed")
    def _absorbed(self, predecessor: str, staff: int, periods: int) -> None:
        self.predecessors.append(predecessor)
