"""The platform log: who may act where, what was published about each tenant's chain, who read.

These aggregates live in the ``platform`` schema's own event log, not in any tenant's:
a grant is a fact about a person and a tenant (or a parent tenant and its children), a
checkpoint is a fact about a tenant's log that must survive that log being tampered
with, and an access record is a fact about an auditor, not about the audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import NotFoundError, ValidationFailedError

_NS = uuid5(NAMESPACE_URL, "urn:congtam:platform")


def user_account_id(user_id: str) -> UUID:
    return uuid5(_NS, f"user/{user_id}")


def tenant_chain_id(slug: str) -> UUID:
    return uuid5(_NS, f"chain/{slug}")


class UnknownGrantError(NotFoundError):
    code = "UNKNOWN_GRANT"


class UserAccount(TenantAggregate):
    """A person who signs in; their grants (cấp quyền) are events on this aggregate."""

    @event("Registered")
    def __init__(self, id: UUID, user_id: str, name: str) -> None:
        self.user_id = user_id
        self.name = name
        self.grants: dict[str, dict[str, object]] = {}

    def grant(self, grant_id: UUID, tenant: str, role: str, unit_scope: UUID | None,
              include_children: bool) -> None:
        """One role in one tenant (optionally one unit, optionally the tenant's children)."""
        for existing in self.grants.values():
            if (existing["tenant"], existing["role"], existing["unit_scope"],
                    existing["include_children"]) == (tenant, role, unit_scope, include_children):
                raise ValidationFailedError(
                    "Người dùng đã có đúng quyền này.", "The user already holds this grant.")
        self._role_granted(grant_id, tenant, role, unit_scope, include_children)

    @event("RoleGranted")
    def _role_granted(self, grant_id: UUID, tenant: str, role: str, unit_scope: UUID | None,
                      include_children: bool) -> None:
        self.grants[str(grant_id)] = {"tenant": tenant, "role": role, "unit_scope": unit_scope,
                                      "include_children": include_children}

    def revoke(self, grant_id: UUID, reason: str) -> None:
        if str(grant_id) not in self.grants:
            raise UnknownGrantError("Không tìm thấy quyền cần thu hồi.",
                                    "No such active grant to revoke.")
        self._grant_revoked(grant_id, reason)

    @event("GrantRevoked")
    def _grant_revoked(self, grant_id: UUID, reason: str) -> None:
        del self.grants[str(grant_id)]


class TenantChain(TenantAggregate):
    """What the platform has published about one tenant's hash chain: its checkpoints.

    A checkpoint (chain head + position + time) is kept here, outside the tenant's own
    log, so rewriting that log cannot rewrite what was published about it.
    """

    @event("Tracked")
    def __init__(self, id: UUID, tenant: str) -> None:
        self.tenant = tenant
        self.last_position = 0

    def publish(self, position: int, head: bytes, events: int,
                signature: CheckpointSignature | None = None) -> None:
        """Publish a checkpoint; with ``signature``, the platform's signature of it is
        recorded beside it (a second event, so checkpoints published before signing
        existed keep their event type)."""
        if position < self.last_position:
            raise ValidationFailedError(
                "Điểm mốc mới không được lùi về trước điểm mốc đã công bố.",
                "A checkpoint may not go back before one already published.")
        self._checkpoint_published(self.tenant, position, head.hex(), events)
        if signature is not None:
            self._checkpoint_signed(self.tenant, position, head.hex(), events,
                                    signature.signed_at, signature.public_key,
                                    signature.signature)

    @event("CheckpointPublished")
    def _checkpoint_published(self, tenant: str, position: int, head: str, events: int) -> None:
        self.last_position = position

    @event("CheckpointSigned")
    def _checkpoint_signed(self, tenant: str, position: int, head: str, events: int,
                           signed_at: str, public_key: str, signature: str) -> None:
        """The platform's Ed25519 signature over (tenant, position, head, events,
        signed_at): services/audit/signing.py says what exactly is signed."""


@dataclass(frozen=True)
class CheckpointSignature:
    signed_at: str  # ISO 8601, UTC
    public_key: str  # base64 raw Ed25519 public key (auditors pin the ones they trust)
    signature: str  # base64


class AccessRecord(TenantAggregate):
    """One read by an auditor or across tenants (truy cập của thanh tra), kept forever."""

    @event("Recorded")
    def __init__(self, id: UUID, user_id: str, tenant: str, operation: str,
                 target: str) -> None:
        self.user_id = user_id
        self.tenant = tenant
        self.operation = operation
        self.target = target


def erasure_id(subject_id: UUID) -> UUID:
    return uuid5(_NS, f"erasure/{subject_id}")


class PersonalDataErasure(TenantAggregate):
    """The erasure of one person's personal data (xoá dữ liệu cá nhân; Decree 13/2023 art. 16):
    who erased whose key, in which capacity, when and on what basis. Recorded before the key
    is deleted, so no key is ever gone without its record; once per person (the id is
    derived from theirs). The decision record about the person stays in the tenant's log."""

    @event("Erased")
    def __init__(self, id: UUID, subject_id: UUID, tenant: str, basis: str) -> None:
        self.subject_id = subject_id
        self.tenant = tenant
        self.basis = basis


def placement_id(slug: str) -> UUID:
    return uuid5(_NS, f"placement/{slug}")


class MoveRunningError(ValidationFailedError):
    code = "MOVE_RUNNING"


class TenantPlacement(TenantAggregate):
    """Which database holds one tenant's schema (nơi lưu dữ liệu của đơn vị), and its moves.

    A tenant never recorded here lives in the home database. Every move is on record: who
    started it, from where to where, and how it ended — moved (with the event count and
    chain head checked equal on both sides) or aborted (with why, the tenant still served
    from the source).
    """

    @event("Placed")
    def __init__(self, id: UUID, tenant: str, database: str) -> None:
        self.tenant = tenant
        self.database = database
        self.moving_to: str | None = None

    def start_move(self, target: str) -> None:
        if self.moving_to is not None:
            raise MoveRunningError(
                f"Đơn vị đang được chuyển sang cơ sở dữ liệu '{self.moving_to}'.",
                f"The tenant is already being moved to database '{self.moving_to}'.")
        if target == self.database:
            raise ValidationFailedError(
                f"Đơn vị đã nằm ở cơ sở dữ liệu '{target}'.",
                f"The tenant is already in database '{target}'.")
        self._move_started(self.tenant, self.database, target)

    @event("MoveStarted")
    def _move_started(self, tenant: str, source: str, target: str) -> None:
        self.moving_to = target

    def finish_move(self, events: int, head: str) -> None:
        if self.moving_to is None:
            raise ValidationFailedError("Không có lần chuyển nào đang chạy.",
                                        "No move is running.")
        self._moved(self.tenant, self.database, self.moving_to, events, head)

    @event("Moved")
    def _moved(self, tenant: str, source: str, database: str, events: int, head: str) -> None:
        self.database = database
        self.moving_to = None

    def abort_move(self, reason: str) -> None:
        if self.moving_to is None:
            raise ValidationFailedError("Không có lần chuyển nào đang chạy.",
                                        "No move is running.")
        self._move_aborted(self.tenant, self.moving_to, reason[:500])

    @event("MoveAborted")
    def _move_aborted(self, tenant: str, target: str, reason: str) -> None:
        self.moving_to = None
