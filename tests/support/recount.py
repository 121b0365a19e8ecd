"""A recount of the dashboard read models straight from the event log, in plain Python.

It shares no code with the projections: it reads the stored events, decodes them and folds
them with dictionaries, so a projection that drifts from the log is caught.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.policy import Policy
from projections.codec import decode

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
P = "domain.period:EvaluationPeriod."
E = "domain.evaluation:Evaluation."


@dataclass
class Recount:
    boards: dict[Any, dict[str, Any]] = field(default_factory=dict)
    members: dict[Any, dict[str, Any]] = field(default_factory=dict)
    trends: dict[Any, dict[str, Any]] = field(default_factory=dict)
    timeline: list[tuple[Any, ...]] = field(default_factory=list)


def _late(at: datetime, deadline: Any) -> bool:
    return at.astimezone(HANOI).date() > deadline


async def recount(conn: asyncpg.Connection, schema: str) -> Recount:
    rows = await conn.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.evaluations_events ORDER BY notification_id")
    out = Recount()
    staff: dict[Any, tuple[str, str]] = {}
    evaluations: dict[Any, Any] = {}
    for row in rows:
        topic, e = row["topic"], decode(row)
        if topic == "domain.organisation:StaffMember.Registered":
            staff[e.originator_id] = (e.staff_type, e.position)
        elif topic == P + "Opened":
            policy = Policy.from_state(e.policy)
            out.boards[e.originator_id] = dict(
                status="open", member_count=len(e.members), deadline=e.deadline,
                quota_cap=policy.excellent_cap(len(e.members)), quota_used=0, self_assessed=0,
                decided=0, late_self_assessed=0, late_decided=0)
            out.trends[e.originator_id] = dict(members=len(e.members), decided=0,
                                               A=0, B=0, C=0, D=0)
            for m in e.members:
                eid = evaluation_id_for(PeriodId(e.originator_id), StaffId(m), "official")
                kind, group = staff.get(m, ("unknown", "unknown"))
                out.members[eid] = dict(period_id=e.originator_id, staff_id=m, staff_type=kind,
                                        peer_group=group, self_late=False, level=None,
                                        decided_late=False, self_assessed=False)
        elif topic == P + "DecisionRegistered":
            t = out.trends[e.originator_id]
            t["decided"] += 1
            t[e.level] += 1
        elif topic == P + "DecisionsImported":  # a merged predecessor's, continued here
            t = out.trends[e.originator_id]
            for level in e.decisions.values():
                t["decided"] += 1
                t[level] += 1
        elif topic == E + "OutcomeImported":  # done there, done here; never late here
            member = out.members.get(e.originator_id)
            if member is None:
                continue
            board = out.boards[member["period_id"]]
            if (e.self_score is not None or e.self_level is not None) \
                    and not member["self_assessed"]:
                member["self_assessed"] = True
                board["self_assessed"] += 1
            if e.level is not None and member["level"] is None:
                member["level"] = e.level
                board["decided"] += 1
                board["quota_used"] += e.level == "A"
        elif topic == "domain.appeal:Appeal.Filed":
            out.timeline.append((e.staff_id, row["notification_id"], "appeal_filed",
                                 e.level_claimed))
        elif topic == E + "RatingAmended":
            out.timeline.append((evaluations[e.originator_id].staff_id, row["notification_id"],
                                 "amended", e.level))
        elif topic == P + "DecisionAmended":
            t = out.trends[e.originator_id]
            t[e.level] += 1
            if e.previous_level:
                t[e.previous_level] -= 1
            eid = evaluation_id_for(PeriodId(e.originator_id), StaffId(e.staff_id), "official")
            if eid in out.members:
                out.members[eid]["level"] = e.level
            out.boards[e.originator_id]["quota_used"] += (
                (e.level == "A") - (e.previous_level == "A"))
        elif topic == P + "Closed":
            out.boards[e.originator_id]["status"] = "closed"
        elif topic == E + "Started":
            evaluations[e.originator_id] = e
            out.timeline.append((e.staff_id, row["notification_id"], "opened", None))
        elif topic in (E + "SelfAssessmentSubmitted", E + "RatingDecided"):
            started = evaluations[e.originator_id]
            decided = topic.endswith("RatingDecided")
            out.timeline.append((started.staff_id, row["notification_id"],
                                 "decided" if decided else "self_assessed", e.level))
            member = out.members.get(e.originator_id)
            if member is None:
                continue
            board = out.boards[member["period_id"]]
            late = _late(e.timestamp, board["deadline"])
            if decided and member["level"] is None:
                member.update(level=e.level, decided_late=late)
                board["decided"] += 1
                board["quota_used"] += e.level == "A"
                board["late_decided"] += late
            elif not decided and not member["self_assessed"]:
                member.update(self_assessed=True, self_late=late)
                board["self_assessed"] += 1
                board["late_self_assessed"] += late
    return out


async def tables(conn: asyncpg.Connection, schema: str) -> Recount:
    """The same figures, as the projections hold them."""
    out = Recount()
    for r in await conn.fetch(f"SELECT * FROM {schema}.rm_boards"):
        out.boards[r["period_id"]] = {k: r[k] for k in (
            "status", "member_count", "deadline", "quota_cap", "quota_used", "self_assessed",
            "decided", "late_self_assessed", "late_decided")}
    for r in await conn.fetch(f"SELECT * FROM {schema}.rm_board_members"):
        out.members[r["evaluation_id"]] = dict(
            period_id=r["period_id"], staff_id=r["staff_id"], staff_type=r["staff_type"],
            peer_group=r["peer_group"], self_late=r["self_late"], level=r["level"],
            decided_late=r["decided_late"], self_assessed=r["self_assessed_at"] is not None)
    for r in await conn.fetch(f"SELECT * FROM {schema}.rm_trend_months"):
        out.trends[r["period_id"]] = dict(members=r["members"], decided=r["decided"],
                                          A=r["level_a"], B=r["level_b"], C=r["level_c"],
                                          D=r["level_d"])
    out.timeline = [tuple(r) for r in await conn.fetch(
        f"SELECT staff_id, position, entry, level FROM {schema}.rm_timeline "
        "ORDER BY position")]
    return out


def level_counts(rc: Recount, period_id: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for m in rc.members.values():
        if m["period_id"] == period_id and m["level"]:
            counts[m["level"]] += 1
    return dict(counts)


async def period_places(conn: asyncpg.Connection, schema: str) -> dict[Any, tuple[Any, ...]]:
    """Each period's unit, kind, year and number, from its Opened event."""
    rows = await conn.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.evaluations_events WHERE topic = $1", P + "Opened")
    return {e.originator_id: (e.unit_id, e.kind, e.year, e.number)
            for e in (decode(r) for r in rows)}
