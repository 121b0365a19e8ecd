"""Read model of a unit's period board (bảng theo dõi kỳ đánh giá): who is in the period, who
has self-assessed and been decided, late items, and the quota in use.

``rm_boards`` holds one row per period with running counts; ``rm_board_members`` one row per
person in it, carrying the staff type and peer group *as they were when the period opened*,
so a later transfer never rewrites an old month. Lateness is judged from the event's own
timestamp in Vietnam's time zone against the period deadline, so a rebuild gives the same
answer as the live run.

Set-based application: a board row is touched by its opening (insert), closing (status)
and each member's first self-assessment and decision (counters). Counters are sums and the
row's position only ever rises (``greatest``), so those statements commute and only the
member rows order them; an amendment (plain SQL) still runs in strict log order.

Peer group (nhóm có nhiệm vụ tương đồng): until policies name peer groups explicitly, people
holding the same position title are taken as one peer group.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any, ClassVar

from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.policy import Policy

from projections.base import Handler, Projection, Sql, Statement, key, rows

OFFICIAL = "official"
# The calendar day of an event is the day in Hanoi: deadlines are local dates.
LOCAL_DAY = "(({ts}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"


@lru_cache(maxsize=1024)
def _staff_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_board_staff (staff_id, staff_type, peer_group, position) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (staff_id) DO NOTHING",
        keys=key("staff"),
        bulk=f"INSERT INTO {s}.rm_board_staff (staff_id, staff_type, peer_group, position) "
        "SELECT r.staff_id, r.staff_type, r.peer_group, r.pos FROM "
        + rows("staff_id uuid", "staff_type text", "peer_group text", "pos bigint")
        + " ON CONFLICT (staff_id) DO NOTHING",
    )


def _staff_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_staff_sql(s), (e.originator_id, e.staff_type, e.position, pos))]


def _member_keys(args: tuple[Any, ...]) -> list[Hashable]:
    """An opened board's members, and the staff rows their type and peer group come from."""
    return [*(("member", m) for m in args[1]), *(("staff", m) for m in args[2])]


@lru_cache(maxsize=1024)
def _opened_sql(s: str) -> tuple[Sql, Sql]:
    board = Sql(
        f"INSERT INTO {s}.rm_boards (period_id, unit_id, kind, year, number, deadline, "
        "policy_version, status, member_count, quota_cap, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10) "
        "ON CONFLICT (period_id) DO NOTHING",
        keys=key("board"),
    )
    members = Sql(
        f"INSERT INTO {s}.rm_board_members (evaluation_id, period_id, staff_id, staff_type, "
        "peer_group, position) "
        "SELECT m.eid, $1, m.sid, coalesce(st.staff_type, 'unknown'), "
        "coalesce(st.peer_group, 'unknown'), $4 "
        "FROM unnest($2::uuid[], $3::uuid[]) AS m(eid, sid) "
        f"LEFT JOIN {s}.rm_board_staff st ON st.staff_id = m.sid "
        "ON CONFLICT (evaluation_id) DO NOTHING",
        keys=_member_keys,
    )
    return board, members


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    policy = Policy.from_state(e.policy)
    members = list(e.members)
    evaluations = [evaluation_id_for(PeriodId(e.originator_id), StaffId(m), OFFICIAL)
                   for m in members]
    board, member_rows = _opened_sql(s)
    return [
        (board, (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
                 policy.version, len(members), policy.excellent_cap(len(members)), pos)),
        (member_rows, (e.originator_id, evaluations, members, pos)),
    ]


@lru_cache(maxsize=1024)
def _self_assessed_sql(s: str) -> Sql:
    # Only the first submission counts towards completion and lateness; a resubmission is
    # a correction of the same item.
    late = LOCAL_DAY.format(ts="$2::timestamptz") + " > b.deadline"
    bulk_late = LOCAL_DAY.format(ts="r.at") + " > b.deadline"
    return Sql(
        f"WITH m AS (UPDATE {s}.rm_board_members bm SET self_assessed_at = $2, "
        f"self_late = {late}, position = $3 FROM {s}.rm_boards b "
        "WHERE bm.evaluation_id = $1 AND bm.self_assessed_at IS NULL "
        "AND b.period_id = bm.period_id RETURNING bm.period_id, bm.self_late) "
        f"UPDATE {s}.rm_boards b SET self_assessed = b.self_assessed + 1, "
        "late_self_assessed = b.late_self_assessed + m.self_late::int, "
        "position = greatest(b.position, $3) FROM m WHERE b.period_id = m.period_id",
        keys=key("member"),
        bulk=f"WITH m AS (UPDATE {s}.rm_board_members bm SET self_assessed_at = r.at, "
        f"self_late = {bulk_late}, position = r.pos FROM "
        + rows("evaluation_id uuid", "at timestamptz", "pos bigint")
        + f", {s}.rm_boards b "
        "WHERE bm.evaluation_id = r.evaluation_id AND bm.self_assessed_at IS NULL "
        "AND b.period_id = bm.period_id "
        "RETURNING bm.period_id, bm.self_late, bm.position) "
        f"UPDATE {s}.rm_boards b SET self_assessed = b.self_assessed + m.n, "
        "late_self_assessed = b.late_self_assessed + m.late, "
        "position = greatest(b.position, m.pos) "
        "FROM (SELECT period_id, count(*) AS n, sum(self_late::int) AS late, "
        "max(position) AS pos FROM m GROUP BY period_id) m WHERE b.period_id = m.period_id",
    )


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_self_assessed_sql(s), (e.originator_id, e.timestamp, pos))]


@lru_cache(maxsize=1024)
def _decided_sql(s: str) -> Sql:
    late = LOCAL_DAY.format(ts="$3::timestamptz") + " > b.deadline"
    bulk_late = LOCAL_DAY.format(ts="r.at") + " > b.deadline"
    return Sql(
        f"WITH m AS (UPDATE {s}.rm_board_members bm SET level = $2, score = $4, "
        f"decided_at = $3, decided_late = {late}, position = $5 FROM {s}.rm_boards b "
        "WHERE bm.evaluation_id = $1 AND bm.level IS NULL AND b.period_id = bm.period_id "
        "RETURNING bm.period_id, bm.decided_late) "
        f"UPDATE {s}.rm_boards b SET decided = b.decided + 1, "
        "quota_used = b.quota_used + ($2 = 'A')::int, "
        "late_decided = b.late_decided + m.decided_late::int, "
        "position = greatest(b.position, $5) FROM m WHERE b.period_id = m.period_id",
        keys=key("member"),
        bulk=f"WITH m AS (UPDATE {s}.rm_board_members bm SET level = r.level, score = r.score, "
        f"decided_at = r.at, decided_late = {bulk_late}, position = r.pos FROM "
        + rows("evaluation_id uuid", "level text", "at timestamptz", "score numeric",
               "pos bigint")
        + f", {s}.rm_boards b "
        "WHERE bm.evaluation_id = r.evaluation_id AND bm.level IS NULL "
        "AND b.period_id = bm.period_id "
        "RETURNING bm.period_id, bm.level, bm.decided_late, bm.position) "
        f"UPDATE {s}.rm_boards b SET decided = b.decided + m.n, "
        "quota_used = b.quota_used + m.a, late_decided = b.late_decided + m.late, "
        "position = greatest(b.position, m.pos) "
        "FROM (SELECT period_id, count(*) AS n, count(*) FILTER (WHERE level = 'A') AS a, "
        "sum(decided_late::int) AS late, max(position) AS pos FROM m GROUP BY period_id) m "
        "WHERE b.period_id = m.period_id",
    )


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_decided_sql(s), (e.originator_id, e.level, e.timestamp, e.score, pos))]


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


@lru_cache(maxsize=1024)
def _closed_sql(s: str) -> Sql:
    return Sql(f"UPDATE {s}.rm_boards SET status = 'closed', position = greatest(position, $2) "
               "WHERE period_id = $1", keys=key("board"))


def _closed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_closed_sql(s), (e.originator_id, pos))]


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
