"""Read model of every version of the tenant's policy, per cycle (rm_policies)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _version(s: str, e: Any, pos: int) -> list[Statement]:
    # Adopted and Adjusted both carry the cycle and the whole policy; the revision is the
    # aggregate's version (1 = adopted).
    return [(
        f"INSERT INTO {s}.rm_policies (cycle, revision, version, preset, policy, reasons, "
        "adopted_by, at, position) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) "
        "ON CONFLICT (cycle, revision) DO NOTHING",
        (e.cycle, e.originator_version, e.policy["version"], e.preset,
         json.dumps(e.policy, sort_keys=True), e.reasons, e.actor, e.timestamp, pos),
    )]


class PoliciesProjection(Projection):
    name = "policies"
    tables = ("rm_policies",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.tenant_policy:TenantPolicy.Adopted": _version,
        "domain.tenant_policy:TenantPolicy.Adjusted": _version,
    }
