"""The tenant's evaluation policy (cán bộ tổ chức): a preset adopted for a cycle, adjusted
as new versions; periods already open keep the version they copied."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from domain.errors import AlreadyExistsError
from domain.tenant_policy import TenantPolicy, tenant_policy_id
from services.app.commands import AdjustPolicy, AdoptPolicy
from services.app.handler_base import UnitOfWork


def adopt_policy(uow: UnitOfWork, cmd: AdoptPolicy) -> int:
    """Adopt a preset for a cycle; adopting again switches preset as a new version."""
    def attempt() -> int:
        current = uow._find(TenantPolicy, tenant_policy_id(cmd.cycle))
        if current is None:
            return uow._save(TenantPolicy.adopt(cmd.cycle, cmd.preset, cmd.reasons))
        current.readopt(cmd.preset, cmd.reasons)
        return uow._save(current)
    try:
        return uow._retrying(attempt)
    except IntegrityError:  # pragma: no cover - two first adoptions at once
        raise AlreadyExistsError("Chính sách vừa được áp dụng; vui lòng tải lại.",
                                 "The policy was just adopted; reload.") from None


def adjust_policy(uow: UnitOfWork, cmd: AdjustPolicy) -> int:
    """A new version of the tenant's policy; periods already open keep theirs."""
    def attempt() -> int:
        current = uow._find(TenantPolicy, tenant_policy_id(cmd.cycle))
        if current is None:
            current = TenantPolicy.adopt(cmd.cycle, default_preset(cmd.cycle), "")
        current.adjust(cmd.changes, cmd.reasons)
        return uow._save(current)
    return uow._retrying(attempt)


def default_preset(cycle: str) -> str:
    return "vn-annual-2026" if cycle == "annual" else "hn-monthly-2018"
