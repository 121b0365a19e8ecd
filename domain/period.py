"""The evaluation period of one unit (kỳ đánh giá): opened, decided, closed.

The period holds the unit's decisions, which makes it the consistency boundary for the
quota: a decision registers here and on the person's evaluation in one atomic save, so
two leaders deciding at once cannot both take the last excellent slot (optimistic
concurrency on the period's version).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import NotInPeriodError, PeriodClosedError, QuotaExceededError
from domain.levels import Level
from domain.policy import Policy


class EvaluationPeriod(TenantAggregate):
    @event("Opened")
    def __init__(
        self,
        id: UUID,
        unit_id: UUID,
        kind: str,
        year: int,
        number: int,
        deadline: date,
        policy: dict[str, object],
        members: list[UUID],
    ) -> None:
        self.unit_id = unit_id
        self.kind = kind
        self.year = year
        self.number = number
        self.deadline = deadline
        self.policy_state = policy
        self.members = members
        self.decisions: dict[str, str] = {}
        self.closed = False

    @property
    def policy(self) -> Policy:
        return Policy.from_state(self.policy_state)

    def ensure_open(self) -> None:
        if self.closed:
            raise PeriodClosedError(
                "Kỳ đánh giá đã khóa sổ; không thể thay đổi.",
                "The evaluation period is closed; nothing can be changed.",
            )

    def ensure_member(self, staff_id: UUID) -> None:
        if staff_id not in self.members:
            raise NotInPeriodError(
                "Người này không thuộc danh sách đánh giá của kỳ này.",
                "This person is not on this period's evaluation list.",
            )

    def register_decision(self, staff_id: UUID, level: Level) -> None:
        """Quota (Hanoi 3814-QĐ/TU): A ≤ the policy's share of those to be rated."""
        self.ensure_open()
        self.ensure_member(staff_id)
        if level is Level.A:
            taken = sum(
                1 for who, lvl in self.decisions.items() if lvl == "A" and who != str(staff_id)
            )
            cap = self.policy.excellent_cap(len(self.members))
            if taken + 1 > cap:
                raise QuotaExceededError(
                    f"Vượt tỷ lệ: đơn vị chỉ được tối đa {cap} người xếp loại "
                    f"'Hoàn thành xuất sắc nhiệm vụ' ({taken} đã dùng).",
                    f"Quota exceeded: at most {cap} excellent ratings in this unit "
                    f"({taken} already used).",
                )
        self._decision_registered(staff_id, level.value)

    @event("DecisionRegistered")
    def _decision_registered(self, staff_id: UUID, level: str) -> None:
        self.decisions[str(staff_id)] = level

    def close(self) -> None:
        self.ensure_open()
        self._closed()

    @event("Closed")
    def _closed(self) -> None:
        self.closed = True

    def register_amendment(self, staff_id: UUID, level: Level, appeal_id: UUID) -> None:
        """An appeal's amended rating counts against the same quota as any decision, and is
        allowed after the period is closed (step 8: later changes only through appeal).

        The quota check mirrors ``register_decision`` (the person's own current level does
        not count against them); quota exceptions are not applied to amendments yet.
        """
        self.ensure_member(staff_id)
        if level is Level.A:
            taken = sum(
                1 for who, lvl in self.decisions.items() if lvl == "A" and who != str(staff_id)
            )
            cap = self.policy.excellent_cap(len(self.members))
            if taken + 1 > cap:
                raise QuotaExceededError(
                    f"Vượt tỷ lệ: đơn vị chỉ được tối đa {cap} người xếp loại "
                    f"'Hoàn thành xuất sắc nhiệm vụ' ({taken} đã dùng); kết quả giải quyết "
                    "khiếu nại cũng phải trong tỷ lệ.",
                    f"Quota exceeded: at most {cap} excellent ratings in this unit "
                    f"({taken} already used); an appeal's outcome is held to it too.",
                )
        self._decision_amended(staff_id, level.value, appeal_id,
                               self.decisions.get(str(staff_id)))

    @event("DecisionAmended")
    def _decision_amended(self, staff_id: UUID, level: str, appeal_id: UUID,
                          previous_level: str | None) -> None:
        self.decisions[str(staff_id)] = level
