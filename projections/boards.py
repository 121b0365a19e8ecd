"""Read model of a unit's period board (bảng theo dõi kỳ đánh giá): who is in the period, who
has self-assessed and been decided, late items, and the quota in use.

``rm_boards`` holds one row per period with running counts; ``rm_board_members`` one row per
person in it, carrying the staff type and peer group *as they were when the period opened*,
so a later transfer never rewrites an old month. Lateness is judged from the event's own
timestamp in Vietnam's time zone against the period deadline, so a rebuild gives the same
answer as the live run.

Peer group (nhóm có nhiệm vụ tương đồng): until policies name peer groups explicitly, people
holding the same position title are taken as one peer group.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.policy import Policy

from projections.base import Handler, Projection, Statement

OFFICIAL = "official"
# The calendar day of an event is the day in Hanoi: deadlines are local dates.
LOCAL_DAY = "(({ts}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"


def _staff_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_board_staff (staff_id, staff_type, peer_group, position) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (staff_id) DO NOTHING",
        (e.originator_id, e.staff_type, e.position, pos),
    )]


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    policy = Policy.from_state(e.policy)
    members = list(e.members)
    evaluations = [evaluation_id_for(PeriodId(e.originator_id), StaffId(m), OFFICIAL)
                   for m in members]
    return [
        (
            f"INSERT INTO {s}.rm_boards (period_id, unit_id, kind, year, number, deadline, "
            "policy_version, status, member_count, quota_cap, position) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10) "
            "ON CONFLICT (period_id) DO NOTHING",
            (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
             policy.version, len(members), policy.excellent_cap(len(members)), pos),
        ),
        (
            f"INSERT INTO {s}.rm_board_members (evaluation_id, period_id, staff_id, staff_type, "
            "peer_group, position) "
            "SELECT m.eid, $1, m.sid, coalesce(st.staff_type, 'unknown'), "
            "coalesce(st.peer_group, 'unknown'), $4 "
            "FROM unnest($2::uuid[], $3::uuid[]) AS m(eid, sid) "
            f"LEFT JOIN {s}.rm_board_staff st ON st.staff_id = m.sid "
            "ON CONFLICT (evaluation_id) DO NOTHING",
            (e.originator_id, evaluations, members, pos),
        ),
    ]


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    # Only the first submission counts towards completion and lateness; a resubmission is
    # a correction of the same item.
    late = LOCAL_DAY.format(ts="$2::timestamptz") + " > b.deadline"
    return [(
        f"WITH m AS (UPDATE {s}.rm_board_members bm SET self_assessed_at = $2, "
        f"self_late = {late}, position = $3 FROM {s}.rm_boards b "
        "WHERE bm.evaluation_id = $1 AND bm.self_assessed_at IS NULL "
        "AND b.period_id = bm.period_id RETURNING bm.period_id, bm.self_late) "
        f"UPDATE {s}.rm_boards b SET self_assessed = b.self_assessed + 1, "
        "late_self_assessed = b.late_self_assessed + m.self_late::int, position = $3 "
        "FROM m WHERE b.period_id = m.period_id",
        (e.originator_id, e.timestamp, pos),
    )]


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    late = LOCAL_DAY.format(ts="$3::timestamptz") + " > b.deadline"
    return [(
        f"WITH m AS (UPDATE {s}.rm_board_members bm SET level = $2, score = $4, "
        f"decided_at = $3, decided_late = {late}, position = $5 FROM {s}.rm_boards b "
        "WHERE bm.evaluation_id = $1 AND bm.level IS NULL AND b.period_id = bm.period_id "
        "RETURNING bm.period_id, bm.decided_late) "
        f"UPDATE {s}.rm_boards b SET decided = b.decided + 1, "
        "quota_used = b.quota_used + ($2 = 'A')::int, "
        "late_decided = b.late_decided + m.decided_late::int, position = $5 "
        "FROM m WHERE b.period_id = m.period_id",
        (e.originator_id, e.level, e.timestamp, e.score, pos),
    )]


def _decision_amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An appeal's amendment (after the first decision) changes the person's level and the
    quota in use; completion and lateness stay those of the first decision."""
    evaluation = evaluation_id_for(PeriodId(e.originator_id), StaffId(e.staff_id), OFFICIAL)
    return [
        (
            f"UPDATE {s}.rm_board_members SET level = $2, position = $3 "
            "WHERE evaluation_id = $1 AND position < $3",
            (evaluation, e.level, pos),
        ),
        (
            f"UPDATE {s}.rm_boards SET quota_used = quota_used + ($2 = 'A')::int "
            "- (coalesce($3, '') = 'A')::int, position = $4 "
            "WHERE period_id = $1 AND position < $4",
            (e.originator_id, e.level, e.previous_level, pos),
        ),
    ]


def _closed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_boards SET status = 'closed', position = $2 WHERE period_id = $1",
        (e.originator_id, pos),
    )]


class BoardsProjection(Projection):
    name = "boards"
    tables = ("rm_board_staff", "rm_boards", "rm_board_members")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.organisation:StaffMember.Registered": _staff_registered,
        "domain.period:EvaluationPeriod.Opened": _opened,
        "domain.evaluation:Evaluation.SelfAssessmentSubmitted": _self_assessed,
        "domain.evaluation:Evaluation.RatingDecided": _decided,
        "domain.period:EvaluationPeriod.Closed": _closed,
        "domain.period:EvaluationPeriod.DecisionAmended": _decision_amended,
    }
