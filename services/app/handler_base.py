"""The unit of work every use case takes: loading, atomic saving, and retry on a version clash.

A use case is a function ``(uow: UnitOfWork, cmd) -> position`` in the module named for its
job (``periods``, ``decisions``, ``work``, …); ``handlers.TenantService`` is this class with
one line per use case, the entry point the edges call. The underscored methods are for the
use-case modules of ``services/app/`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.collective import CollectiveRound
from domain.errors import NotFoundError, StaleVersionError
from domain.ids import collective_round_id
from domain.period import EvaluationPeriod
from domain.policy import Policy
from domain.tenant_policy import TenantPolicy, default_policy, tenant_policy_id
from domain.tenant_record import TENANT_RECORD_ID, TenantRecord, read_only_error
from services.store.eventstore import Evaluations

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")
RETRIES = 5


def not_found(what_vi: str, what_en: str) -> NotFoundError:
    return NotFoundError(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


class UnitOfWork:
    """One tenant's log as a use case sees it: what it read this attempt, and one save."""

    def __init__(self, app: Evaluations) -> None:
        self.app = app
        self._writable = False  # the tenant was seen not merged away (see ``_save``)
        # What ``_prefetch`` read for the current attempt: each is handed out once, then
        # read afresh; ids it found absent are absent for the rest of the attempt.
        self._loaded: dict[UUID, Aggregate] = {}
        self._absent: set[UUID] = set()

    def _prefetch(self, *ids: UUID | None) -> None:
        """Read in one round trip what the attempt is about to ``_get`` one by one (and the
        tenant record ``_save`` checks): a decision reads six aggregates, which were six
        round trips. Same guarantees as ``_get``: each is read up to its latest event, and
        a writer in between is caught by the version check on save."""
        wanted = [i for i in ids if i is not None]
        if not self._writable:
            wanted.append(TENANT_RECORD_ID)
        found = self.app.get_many(wanted)
        self._loaded = dict(found)
        self._absent = {i for i in wanted if i not in found}

    def _read(self, aggregate_id: UUID) -> Aggregate:
        aggregate = self._loaded.pop(aggregate_id, None)
        if aggregate is not None:
            return aggregate
        if aggregate_id in self._absent:
            raise AggregateNotFoundError(aggregate_id)
        found = self.app.get_many([aggregate_id])  # the cache's path, lent inside a batch
        if aggregate_id not in found:
            raise AggregateNotFoundError(aggregate_id)
        return found[aggregate_id]

    def _get(self, cls: type[A], aggregate_id: UUID, what_vi: str, what_en: str) -> A:
        try:
            aggregate = self._read(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(what_vi, what_en) from None
        if not isinstance(aggregate, cls):
            raise not_found(what_vi, what_en)
        return aggregate

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            aggregate = self._read(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _get_many(self, cls: type[A], ids: list[UUID], what_vi: str, what_en: str
                  ) -> dict[UUID, A]:
        """``_get`` for several ids in one round trip; any id missing (or of another kind)
        is "not found", as with ``_get``."""
        found = self.app.get_many(ids)
        out: dict[UUID, A] = {}
        for aggregate_id in ids:
            aggregate = found.get(aggregate_id)
            if not isinstance(aggregate, cls):
                raise not_found(what_vi, what_en)
            out[aggregate_id] = aggregate
        return out

    def _save(self, *aggregates: Aggregate) -> int:
        """Save atomically; a tenant merged into a successor accepts nothing more."""
        reorganising = any(isinstance(a, TenantRecord) for a in aggregates)
        if not self._writable and not reorganising:
            # Checked once per service instance (one request or job): a merge recorded
            # through this instance resets it below.
            record = self._find(TenantRecord, TENANT_RECORD_ID)
            if record is not None and record.merged_into is not None:
                raise read_only_error(record.merged_into)
            self._writable = True
        if reorganising:
            self._writable = False
        recordings = self.app.save(*aggregates)
        return max((r.notification.id for r in recordings), default=0)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """The command joins its tenant's next group commit (services/store/group_commit.py):
        judged on its own against the state the commands before it left, answered with its
        own position or error. Optimistic concurrency stays: on a version clash (a writer
        of another process), reload and decide again."""
        return self.app.writer.run(lambda: self._attempts(attempt))

    def _attempts(self, attempt: Callable[[], T]) -> T:
        for _ in range(RETRIES):
            try:
                with self.app.step():  # a failed attempt leaves nothing behind
                    return attempt()
            except IntegrityError:
                continue
            finally:  # a retry reads everything afresh
                self._loaded, self._absent = {}, set()
        raise StaleVersionError(
            "Dữ liệu vừa được người khác thay đổi; vui lòng thử lại.",
            "Someone else changed this record at the same moment; please retry.",
        )

    def collective_round(self, year: int) -> CollectiveRound | None:
        return self._find(CollectiveRound, collective_round_id(year))

    def _ensure_collectives_first(self, period: EvaluationPeriod) -> None:
        """In an annual round, a unit is rated as a collective before its members are."""
        if period.kind == "annual":
            collectives = self.collective_round(period.year)
            if collectives is not None:
                collectives.ensure_collective_first(period.unit_id)

    def policy_for(self, cycle: str) -> Policy:
        """The policy in force for ``cycle``: the tenant's latest version, else the default."""
        adopted = self._find(TenantPolicy, tenant_policy_id(cycle))
        return adopted.policy if adopted is not None else default_policy(cycle)

    @property
    def policy(self) -> Policy:
        """The monthly policy in force (the most used one)."""
        return self.policy_for("monthly")
