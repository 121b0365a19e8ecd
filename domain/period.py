"""The evaluation period of one unit (kỳ đánh giá): opened, decided, closed.

The period holds the unit's decisions, which makes it the consistency boundary for the
quota: a decision registers here and on the person's evaluation in one atomic save, so
two leaders deciding at once cannot both take the last excellent slot (optimistic
concurrency on the period's version).
"""

from __future__ import annotations

import calendar
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import (
    NotInPeriodError,
    OrderViolationError,
    PeriodClosedError,
    QuotaExceededError,
    ValidationFailedError,
)
from domain.levels import Level
from domain.policy import BASE_GOOD, SCOPE_UNIT, Policy, QuotaRule


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
        peer_groups: dict[str, str] | None = None,
        outstanding: bool = False,
    ) -> None:
        self.unit_id = unit_id
        self.kind = kind
        self.year = year
        self.number = number
        self.deadline = deadline
        self.policy_state = policy
        self.members = members
        # Fields added later default so periods opened earlier still load: everyone was
        # in one peer group, and no unit was flagged outstanding.
        self.peer_groups: dict[str, str] = dict(peer_groups or {})
        self.outstanding = outstanding
        self.decisions: dict[str, str] = {}
        self.exceptions: dict[str, int] = {}  # "level|scope" → extra slots granted
        self.published = False
        self.closed = False

    @property
    def policy(self) -> Policy:
        # Parsed once per loaded aggregate: every quota check reads it.
        cached: Policy | None = self.__dict__.get("_policy")
        if cached is None:
            cached = Policy.from_state(self.policy_state)
            self.__dict__["_policy"] = cached
        return cached

    def ensure_open(self) -> None:
        if self.closed:
            raise PeriodClosedError(
                "Kỳ đánh giá đã khóa sổ; không thể thay đổi.",
                "The evaluation period is closed; nothing can be changed.",
            )

    def ensure_member(self, staff_id: UUID) -> None:
        # The list is fixed when the period opens; a set of it is kept once loaded, as the
        # policy is: a check per decision, over units of a few hundred people.
        members: frozenset[UUID] | None = self.__dict__.get("_member_set")
        if members is None:
            members = frozenset(self.members)
            self.__dict__["_member_set"] = members
        if staff_id not in members:
            raise NotInPeriodError(
                "Người này không thuộc danh sách đánh giá của kỳ này.",
                "This person is not on this period's evaluation list.",
            )

    def scope_of(self, rule: QuotaRule, staff_id: UUID) -> str:
        """The quota scope ``staff_id`` falls in under ``rule``: the unit, or their peer group."""
        if rule.scope == SCOPE_UNIT:
            return SCOPE_UNIT
        return "peer_group:" + self.peer_groups.get(str(staff_id), "")

    def _in_scope(self, scope: str) -> list[str]:
        # Kept once loaded, as the set of members is: a board's quota checks read it per line.
        members: list[str] | None = self.__dict__.get("_member_names")
        if members is None:
            members = [str(m) for m in self.members]
            self.__dict__["_member_names"] = members
        if scope == SCOPE_UNIT:
            return members
        group = scope.removeprefix("peer_group:")
        return [m for m in members if self.peer_groups.get(m, "") == group]

    def quota_room(self, rule: QuotaRule, scope: str, excluding: str = "") -> tuple[int, int]:
        """(slots taken, cap) of ``rule`` in ``scope``, exceptions included."""
        people = self._in_scope(scope)
        if rule.base == BASE_GOOD:
            base = sum(1 for m in people if self.decisions.get(m) == Level.B.value)
        else:
            base = len(people)
        taken = sum(1 for m in people if self.decisions.get(m) == rule.level and m != excluding)
        cap = rule.cap(base, self.outstanding) + self.exceptions.get(f"{rule.level}|{scope}", 0)
        return taken, cap

    def _check_quotas(self, staff_id: UUID, level: Level, note_vi: str = "",
                      note_en: str = "") -> None:
        """Raise QuotaExceededError if ``staff_id`` at ``level`` breaks any quota rule."""
        for rule in self.policy.quotas:
            if rule.level != level.value:
                continue
            scope = self.scope_of(rule, staff_id)
            taken, cap = self.quota_room(rule, scope, excluding=str(staff_id))
            if taken + 1 > cap:
                where_vi = "đơn vị" if scope == SCOPE_UNIT else "nhóm " + scope.split(":", 1)[1]
                where_en = "this unit" if scope == SCOPE_UNIT else "peer group " + \
                    scope.split(":", 1)[1]
                raise QuotaExceededError(
                    f"Vượt tỷ lệ: {where_vi} chỉ được tối đa {cap} người xếp loại "
                    f"'{self.policy.label(level)}' ({taken} đã dùng; {rule.describe_vi()})"
                    f"{note_vi}. Cần cấp có thẩm quyền cho phép vượt tỷ lệ trước khi quyết định.",
                    f"Quota exceeded: at most {cap} {level.value} ratings in {where_en} "
                    f"({taken} already used){note_en}. The competent higher level must grant an "
                    "exception first.",
                )

    def import_decisions(self, decisions: dict[str, str], from_tenant: str) -> None:
        """A merged predecessor's open period continues here: its decisions (already judged
        there, under this same policy copy) count against this period's quota."""
        if decisions:
            self._decisions_imported(decisions, from_tenant)

    @event("DecisionsImported")
    def _decisions_imported(self, decisions: dict[str, str], from_tenant: str) -> None:
        self.decisions.update(decisions)

    def ensure_heads_last(self, staff_id: UUID, head_id: UUID | None) -> None:
        """Annual round: the head of the unit is rated last, after every member (domain:
        "lower units before higher, collectives before their members, heads last")."""
        if self.kind != "annual" or head_id is None or staff_id != head_id:
            return
        waiting = [m for m in self.members if m != head_id and str(m) not in self.decisions]
        if waiting:
            raise OrderViolationError(
                f"Người đứng đầu được xếp loại sau cùng: còn {len(waiting)} người trong đơn vị "
                "chưa có quyết định xếp loại năm.",
                f"The head is rated last: {len(waiting)} members still await their annual "
                "rating.",
            )

    def register_decision(self, staff_id: UUID, level: Level) -> None:
        """Every quota rule of the period's policy must still hold with this decision.

        Hanoi 3814-QĐ/TU: A ≤ 30% of those rated (40% for an outstanding unit); Decree
        335/2025 art. 20.5: excellent ≤ 20% of those rated good, per agency and per peer
        group — unless the competent higher level granted an exception first.
        """
        self.ensure_open()
        self.ensure_member(staff_id)
        self._check_quotas(staff_id, level)
        self._decision_registered(staff_id, level.value)

    @event("DecisionRegistered")
    def _decision_registered(self, staff_id: UUID, level: str) -> None:
        self.decisions[str(staff_id)] = level

    def grant_quota_exception(self, level: Level, scope: str, extra: int, reasons: str,
                              authority: str) -> None:
        """Cấp có thẩm quyền cho phép vượt tỷ lệ: recorded, with reasons, before the decision."""
        self.ensure_open()
        if extra < 1 or extra > len(self.members):
            raise ValidationFailedError(
                "Số suất vượt tỷ lệ phải từ 1 đến số người của đơn vị.",
                "Extra slots must be between 1 and the number of people in the unit.",
            )
        if not reasons.strip():
            raise ValidationFailedError(
                "Cho phép vượt tỷ lệ phải nêu lý do.", "A quota exception needs its reasons.")
        if scope != SCOPE_UNIT and not self._in_scope(scope):
            raise ValidationFailedError(
                "Nhóm có nhiệm vụ tương đồng này không có trong kỳ đánh giá.",
                "This peer group has nobody in this period.",
            )
        self._quota_exception_granted(level.value, scope, extra, reasons, authority)

    @event("QuotaExceptionGranted")
    def _quota_exception_granted(self, level: str, scope: str, extra: int, reasons: str,
                                 authority: str) -> None:
        key = f"{level}|{scope}"
        self.exceptions[key] = self.exceptions.get(key, 0) + extra

    def publish(self) -> None:
        """Công khai: the decided results are posted inside the unit; each person is told."""
        self.ensure_open()
        self._published(sorted(self.decisions))

    @event("Published")
    def _published(self, decided: list[str]) -> None:
        self.published = True

    def close(self) -> None:
        self.ensure_open()
        self._closed()

    @event("Closed")
    def _closed(self) -> None:
        self.closed = True

    def register_amendment(self, staff_id: UUID, level: Level, appeal_id: UUID) -> None:
        """An appeal's amended rating counts against the same quota as any decision, and is
        allowed after the period is closed (step 8: later changes only through appeal).

        Every quota rule of the period's policy is checked as for a decision (the person's
        own current level does not count against them); exceptions granted apply too.
        """
        self.ensure_member(staff_id)
        self._check_quotas(staff_id, level, "; kết quả giải quyết khiếu nại cũng phải trong tỷ lệ",
                           "; an appeal's outcome is held to it too")
        self._decision_amended(staff_id, level.value, appeal_id,
                               self.decisions.get(str(staff_id)))

    @event("DecisionAmended")
    def _decision_amended(self, staff_id: UUID, level: str, appeal_id: UUID,
                          previous_level: str | None) -> None:
        self.decisions[str(staff_id)] = level

KINDS = ("monthly", "quarterly", "annual")


def period_span(kind: str, year: int, number: int) -> tuple[date, date]:
    """First and last day of a period: month ``number``, quarter ``number``, or the year."""
    if kind == "monthly":
        first_month, last_month = number, number
    elif kind == "quarterly":
        first_month, last_month = 3 * number - 2, 3 * number
    else:
        first_month, last_month = 1, 12
    last_day = calendar.monthrange(year, last_month)[1]
    return date(year, first_month, 1), date(year, last_month, last_day)
