"""Read models of the platform log: users, grants, published checkpoints, the access log."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement

PLATFORM_SCHEMA = "platform"
PLATFORM_EVENTS_TABLE = "platform_events"


def _user_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.users (user_id, account_id, name, position) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (user_id) DO NOTHING",
        (e.user_id, e.originator_id, e.name, pos),
    )]


def _role_granted(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.grants (grant_id, user_id, tenant, role, unit_scope, include_children, "
        "granted_by, granted_at, position) "
        f"SELECT $1, u.user_id, $2, $3, $4, $5, $6, $7, $8 FROM {s}.users u "
        "WHERE u.account_id = $9 ON CONFLICT (grant_id) DO NOTHING",
        (e.grant_id, e.tenant, e.role, e.unit_scope, e.include_children, e.actor, e.timestamp,
         pos, e.originator_id),
    )]


def _grant_revoked(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.grants SET revoked_by = $2, revoked_at = $3, revoke_reason = $4, "
        "position = $5 WHERE grant_id = $1",
        (e.grant_id, e.actor, e.timestamp, e.reason, pos),
    )]


def _checkpoint_published(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.checkpoints (tenant, position, head, events, published_at, "
        "published_by, log_position) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (tenant, position) DO NOTHING",
        (e.tenant, e.position, e.head, e.events, e.timestamp, e.actor, pos),
    )]


def _checkpoint_signed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.checkpoints SET signed_at = $3, public_key = $4, signature = $5 "
        "WHERE tenant = $1 AND position = $2 AND head = $6 AND signature IS NULL",
        (e.tenant, e.position, e.signed_at, e.public_key, e.signature, e.head),
    )]


def _access_recorded(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.access_log (access_id, user_id, capacity, tenant, operation, target, "
        "accessed_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (access_id) DO NOTHING",
        (e.originator_id, e.user_id, e.capacity, e.tenant, e.operation, e.target, e.timestamp,
         pos),
    )]


def _personal_data_erased(s: str, e: Any, pos: int) -> list[Statement]:
    # The key itself goes here, applied with the event's position exactly once like every
    # projected row: a recorded erasure is never left without its key deleted. The row
    # stays as a tombstone so no new key is ever made for the person. (Not one of this
    # projection's tables: a rebuild must not bring keys back, and re-applying is a no-op.)
    return [(
        f"INSERT INTO {s}.personal_keys (subject_id, key, erased_at, erased_by, basis, "
        "erasure_position) VALUES ($1, NULL, $2, $3, $4, $5) ON CONFLICT (subject_id) DO UPDATE "
        "SET key = NULL, erased_at = EXCLUDED.erased_at, erased_by = EXCLUDED.erased_by, "
        "basis = EXCLUDED.basis, erasure_position = EXCLUDED.erasure_position "
        "WHERE personal_keys.erased_at IS NULL",
        (e.subject_id, e.timestamp, e.actor, e.basis, pos),
    )]


def _placed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.placements (tenant, database, moving_to, changed_at, position) "
        "VALUES ($1, $2, NULL, $3, $4) ON CONFLICT (tenant) DO NOTHING",
        (e.tenant, e.database, e.timestamp, pos),
    )]


def _move_started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.placements SET moving_to = $2, changed_at = $3, position = $4 "
        "WHERE tenant = $1",
        (e.tenant, e.target, e.timestamp, pos),
    )]


def _moved(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.placements SET database = $2, moving_to = NULL, changed_at = $3, "
        "position = $4 WHERE tenant = $1",
        (e.tenant, e.database, e.timestamp, pos),
    )]


def _move_aborted(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.placements SET moving_to = NULL, changed_at = $2, position = $3 "
        "WHERE tenant = $1",
        (e.tenant, e.timestamp, pos),
    )]


class PlatformProjection(Projection):
    name = "platform"
    tables = ("users", "grants", "checkpoints", "access_log", "placements")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.platform:UserAccount.Registered": _user_registered,
        "domain.platform:UserAccount.RoleGranted": _role_granted,
        "domain.platform:UserAccount.GrantRevoked": _grant_revoked,
        "domain.platform:TenantChain.CheckpointPublished": _checkpoint_published,
        "domain.platform:TenantChain.CheckpointSigned": _checkpoint_signed,
        "domain.platform:AccessRecord.Recorded": _access_recorded,
        "domain.platform:PersonalDataErasure.Erased": _personal_data_erased,
        "domain.platform:TenantPlacement.Placed": _placed,
        "domain.platform:TenantPlacement.MoveStarted": _move_started,
        "domain.platform:TenantPlacement.Moved": _moved,
        "domain.platform:TenantPlacement.MoveAborted": _move_aborted,
    }
