"""Read model of commendation proposals (rm_commendations): one row per nominee and basis,
proposed (with the policy version whose rules it met), then approved or returned by the
head."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _proposed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_commendations (commendation_id, basis, nominee_id, nominee_kind, "
        "evidence, reasons, status, proposed_by, proposed_at, position, policy_version) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8, $9, $10) "
        "ON CONFLICT (commendation_id) DO NOTHING",
        (e.originator_id, e.basis, e.staff_id, e.nominee_kind, list(e.evidence), e.reasons,
         e.proposed_by, e.timestamp, pos, getattr(e, "policy_version", "")),
    )]


def _decided(status: str) -> Handler:
    def handle(s: str, e: Any, pos: int) -> list[Statement]:
        return [(
            f"UPDATE {s}.rm_commendations SET status = $2, decided_reasons = $3, "
            "decided_by = $4, decided_at = $5, position = $6 WHERE commendation_id = $1",
            (e.originator_id, status, e.reasons, e.actor, e.timestamp, pos),
        )]
    return handle


class CommendationsProjection(Projection):
    name = "commendations"
    tables = ("rm_commendations",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.commendation:Commendation.Proposed": _proposed,
        "domain.commendation:Commendation.Approved": _decided("approved"),
        "domain.commendation:Commendation.Returned": _decided("returned"),
    }
