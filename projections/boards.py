"""Read model of a unit's period board (bảng theo dõi kỳ đánh giá): who is in the period, who
has self-assessed and been decided, late items, and the quota in use.

``rm_boards`` holds one row per period with running counts; ``rm_board_members`` one row per
person in it, carrying the staff type and peer group *as they were when the period opened*,
so a later transfer never rewrites an old month. Lateness is judged from the event's own
timestamp in Vietnam's time zone against the period deadline, so a rebuild gives the same
answer as the live run.

Folded (``projections.fold``): a batch's events change the staff, board and member rows in
memory, each row then written once. A self-assessment or decision names only the
evaluation; its board is read along with its member row (``follow``).

Peer group (nhóm có nhiệm vụ tương đồng): until policies name peer groups explicitly, people
holding the same position title are taken as one peer group.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.policy import Policy

from projections.base import Handler, Projection
from projections.fold import Args, Fold, Step, Table, Tables

OFFICIAL = "official"
# The calendar day of an event is the day in Hanoi: deadlines are local dates.
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF, BOARDS, MEMBERS = "rm_board_staff", "rm_boards", "rm_board_members"


def _late(at: datetime, deadline: date) -> bool:
    return at.astimezone(HANOI).date() > deadline


def _staff_registered(t: Tables, a: Args) -> None:
    staff, staff_type, peer_group, pos = a
    t[STAFF].add(staff, STAFF_ROW.new_row(staff_id=staff, staff_type=staff_type,
                                          peer_group=peer_group, position=pos))


def _opened_keys(a: Args) -> list[tuple[str, Hashable]]:
    """An opened board, its members, and the staff rows their type and peer group come
    from."""
    period, members, evaluations = a[0], a[7], a[8]
    return [(BOARDS, period), *((MEMBERS, e) for e in evaluations),
            *((STAFF, m) for m in members)]


def _opened(t: Tables, a: Args) -> None:
    period, unit, kind, year, number, deadline, policy_version, members, evaluations, \
        cap, pos = a
    t[BOARDS].add(period, BOARD.new_row(
        period_id=period, unit_id=unit, kind=kind, year=year, number=number,
        deadline=deadline, policy_version=policy_version, status="open",
        member_count=len(members), quota_cap=cap, position=pos))
    for staff, evaluation in zip(members, evaluations, strict=True):
        known = t[STAFF].peek(staff)
        t[MEMBERS].add(evaluation, MEMBER.new_row(
            evaluation_id=evaluation, period_id=period, staff_id=staff,
            staff_type=known["staff_type"] if known else "unknown",
            peer_group=known["peer_group"] if known else "unknown", position=pos))


def _member_keys(a: Args) -> list[tuple[str, Hashable]]:
    return [(MEMBERS, a[0])]


def _self_assessed(t: Tables, a: Args, carried: bool = False) -> None:
    """Only the first submission counts towards completion and lateness; a resubmission is
    a correction of the same item. One ``carried`` over by a merge counts as done, and as
    late only on the predecessor's board (its time here is the merge's)."""
    evaluation, at, pos = a
    member = t[MEMBERS].peek(evaluation)
    if member is None or member["self_assessed_at"] is not None:
        return
    board = t[BOARDS].get(member["period_id"])
    if board is None:
        return
    late = not carried and _late(at, board["deadline"])
    t[MEMBERS].get(evaluation)
    member.update(self_assessed_at=at, self_late=late, position=pos)
    board["self_assessed"] += 1
    board["late_self_assessed"] += late
    board["position"] = max(board["position"], pos)


def _decided(t: Tables, a: Args, carried: bool = False) -> None:
    """The first decision; one ``carried`` over by a merge as for a self-assessment."""
    evaluation, level, at, score, pos = a
    member = t[MEMBERS].peek(evaluation)
    if member is None or member["level"] is not None:
        return
    board = t[BOARDS].get(member["period_id"])
    if board is None:
        return
    late = not carried and _late(at, board["deadline"])
    t[MEMBERS].get(evaluation)
    member.update(level=level, score=score, decided_at=at, decided_late=late, position=pos)
    board["decided"] += 1
    board["quota_used"] += level == "A"
    board["late_decided"] += late
    board["position"] = max(board["position"], pos)


def _outcome_imported(t: Tables, a: Args) -> None:
    """A merged predecessor's evaluation continued here: what was done there is done."""
    evaluation, self_assessed, level, score, at, pos = a
    if self_assessed:
        _self_assessed(t, (evaluation, at, pos), carried=True)
    if level is not None:
        _decided(t, (evaluation, level, at, score, pos), carried=True)


def _amended_keys(a: Args) -> list[tuple[str, Hashable]]:
    return [(MEMBERS, a[1]), (BOARDS, a[0])]


def _decision_amended(t: Tables, a: Args) -> None:
    """An appeal's amendment (after the first decision) changes the person's level and the
    quota in use; completion and lateness stay those of the first decision."""
    period, evaluation, level, previous, pos = a
    member = t[MEMBERS].peek(evaluation)
    if member is not None and member["position"] < pos:
        t[MEMBERS].get(evaluation)
        member.update(level=level, position=pos)
    board = t[BOARDS].peek(period)
    if board is not None and board["position"] < pos:
        t[BOARDS].get(period)
        board["quota_used"] += (level == "A") - ((previous or "") == "A")
        board["position"] = pos


def _closed(t: Tables, a: Args) -> None:
    period, pos = a
    if (board := t[BOARDS].get(period)) is not None:
        board.update(status="closed", position=max(board["position"], pos))


STAFF_ROW = Table(
    name=STAFF, key="staff_id",
    columns={"staff_id": "uuid", "staff_type": "text", "peer_group": "text",
             "position": "bigint"},
)
MEMBER = Table(
    name=MEMBERS, key="evaluation_id",
    columns={"evaluation_id": "uuid", "period_id": "uuid", "staff_id": "uuid",
             "staff_type": "text", "peer_group": "text", "self_assessed_at": "timestamptz",
             "self_late": "boolean", "level": "text", "score": "numeric",
             "decided_at": "timestamptz", "decided_late": "boolean", "position": "bigint"},
    defaults={"self_late": False, "decided_late": False},
    follow={BOARDS: "period_id"},
)
BOARD = Table(
    name=BOARDS, key="period_id",
    columns={"period_id": "uuid", "unit_id": "uuid", "kind": "text", "year": "int",
             "number": "int", "deadline": "date", "policy_version": "text", "status": "text",
             "member_count": "int", "quota_cap": "int", "quota_used": "int",
             "self_assessed": "int", "proposed": "int", "decided": "int", "published": "int",
             "late_self_assessed": "int", "late_decided": "int", "position": "bigint"},
    defaults={"quota_used": 0, "self_assessed": 0, "proposed": 0, "decided": 0,
              "published": 0, "late_self_assessed": 0, "late_decided": 0},
)


def _opened_args(e: Any, pos: int) -> Args:
    policy = Policy.from_state(e.policy)
    members = tuple(e.members)
    evaluations = tuple(evaluation_id_for(PeriodId(e.originator_id), StaffId(m), OFFICIAL)
                        for m in members)
    return (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline, policy.version,
            members, evaluations, policy.excellent_cap(len(members)), pos)


def _amended_args(e: Any, pos: int) -> Args:
    evaluation = evaluation_id_for(PeriodId(e.originator_id), StaffId(e.staff_id), OFFICIAL)
    return (e.originator_id, evaluation, e.level, e.previous_level, pos)


P = "domain.period:EvaluationPeriod."
E = "domain.evaluation:Evaluation."
BOARD_FOLD = Fold(
    # A table before the tables it leads to: a member's row names its board.
    tables=(STAFF_ROW, MEMBER, BOARD),
    steps={
        "domain.organisation:StaffMember.Registered": Step(
            lambda e, pos: (e.originator_id, e.staff_type, e.position, pos),
            _staff_registered),
        P + "Opened": Step(_opened_args, _opened, _opened_keys),
        E + "SelfAssessmentSubmitted": Step(
            lambda e, pos: (e.originator_id, e.timestamp, pos), _self_assessed, _member_keys),
        E + "RatingDecided": Step(
            lambda e, pos: (e.originator_id, e.level, e.timestamp, e.score, pos), _decided,
            _member_keys),
        E + "OutcomeImported": Step(lambda e, pos: (
            e.originator_id, e.self_score is not None or e.self_level is not None, e.level,
            e.score, e.timestamp, pos), _outcome_imported, _member_keys),
        P + "Closed": Step(lambda e, pos: (e.originator_id, pos), _closed,
                           lambda a: [(BOARDS, a[0])]),
        P + "DecisionAmended": Step(_amended_args, _decision_amended, _amended_keys),
    },
)


class BoardsProjection(Projection):
    name = "boards"
    tables = ("rm_board_staff", "rm_boards", "rm_board_members")
    folds = (BOARD_FOLD,)
    handlers: ClassVar[dict[str, Handler]] = {}
