"""Leader accountability recounted straight from the event log, in plain Python.

Shares no code with projections/leaders.py: it decodes the stored events and folds them
with dictionaries, so a projection that drifts from the log is caught.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from projections.codec import decode
from projections.leaders import LEADER_SUMMARY

E = "domain.evaluation:Evaluation."
Figures = tuple[int, int, int, float | None]


async def leader_recount(conn: asyncpg.Connection, schema: str) -> dict[str, Figures]:
    rows = await conn.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.evaluations_events ORDER BY notification_id")
    cases: dict[Any, dict[str, Any]] = {}
    for row in rows:
        topic, e = row["topic"], decode(row)
        if topic == E + "Started":
            cases[e.originator_id] = {"ready": e.timestamp, "self": False, "decider": None,
                                      "appeals": 0, "overturned": False}
        elif topic == E + "SelfAssessmentSubmitted":
            case = cases[e.originator_id]
            if not case["self"] and case["decider"] is None:
                case.update(ready=e.timestamp, self=True)
        elif topic == E + "RatingDecided":
            cases[e.originator_id].update(decider=e.actor, decided=e.timestamp)
        elif topic == E + "RatingAmended":
            cases[e.originator_id]["overturned"] = True
        elif topic == "domain.appeal:Appeal.Filed":
            cases[e.evaluation_id]["appeals"] += 1
    per_leader: dict[str, list[dict[str, Any]]] = {}
    for case in cases.values():
        if case["decider"] is not None:
            per_leader.setdefault(case["decider"], []).append(case)
    return {
        leader: (len(cs), sum(c["appeals"] > 0 for c in cs), sum(c["overturned"] for c in cs),
                 round(sum((c["decided"] - c["ready"]).total_seconds() for c in cs)
                       / len(cs) / 3600, 6))
        for leader, cs in per_leader.items()
    }


async def leader_tables(conn: asyncpg.Connection, schema: str) -> dict[str, Figures]:
    """The same figures, as the read model serves them."""
    rows = await conn.fetch(LEADER_SUMMARY.format(s=schema, where="TRUE"))
    return {r["decider"]: (r["decisions"], r["appealed"], r["overturned"],
                           round(float(r["avg_hours_to_decide"]), 6)) for r in rows}
