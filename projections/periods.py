"""Read model of evaluation periods per unit, with quota use (rm_periods) and the quota
exceptions granted by the level above (rm_quota_exceptions). ``rm_periods`` is a fold
(``projections.fold``): one row per period, written once per batch."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement
from projections.fold import Args, Fold, Step, Table, Tables

P = "domain.period:EvaluationPeriod."
PERIODS = "rm_periods"


def _opened(t: Tables, a: Args) -> None:
    period, unit, kind, year, number, deadline, version, members, actor, at, pos, \
        outstanding = a
    t[PERIODS].add(period, PERIOD.new_row(
        period_id=period, unit_id=unit, kind=kind, year=year, number=number,
        deadline=deadline, policy_version=version, status="open", member_count=members,
        opened_by=actor, opened_at=at, position=pos, outstanding=outstanding))


def _published(t: Tables, a: Args) -> None:
    period, at, actor, pos = a
    if (row := t[PERIODS].get(period)) is not None:
        row.update(published_at=row["published_at"] or at,
                   published_by=row["published_by"] or actor, position=pos)


def _decision_registered(t: Tables, a: Args) -> None:
    # ``position <`` makes an event the row has already seen a no-op.
    period, level, pos = a
    if (row := t[PERIODS].get(period)) is not None and row["position"] < pos:
        row.update(decided_count=row["decided_count"] + 1,
                   excellent_count=row["excellent_count"] + (level == "A"), position=pos)


def _decision_amended(t: Tables, a: Args) -> None:
    """An amendment on appeal moves the quota in use; the count of decisions is unchanged."""
    period, level, previous, pos = a
    if (row := t[PERIODS].get(period)) is not None and row["position"] < pos:
        row.update(excellent_count=row["excellent_count"] + (level == "A")
                   - ((previous or "") == "A"), position=pos)


def _closed(t: Tables, a: Args) -> None:
    period, at, pos = a
    if (row := t[PERIODS].get(period)) is not None:
        row.update(status="closed", closed_at=at, position=pos)


def _decisions_imported(t: Tables, a: Args) -> None:
    period, decided, excellent, pos = a
    if (row := t[PERIODS].get(period)) is not None and row["position"] < pos:
        row.update(decided_count=row["decided_count"] + decided,
                   excellent_count=row["excellent_count"] + excellent, position=pos)


def _imported_args(e: Any, pos: int) -> Args:
    levels = list(e.decisions.values())
    return (e.originator_id, len(levels), levels.count("A"), pos)


PERIOD = Table(
    name=PERIODS, key="period_id",
    columns={"period_id": "uuid", "unit_id": "uuid", "kind": "text", "year": "int",
             "number": "int", "deadline": "date", "policy_version": "text", "status": "text",
             "member_count": "int", "decided_count": "int", "excellent_count": "int",
             "opened_by": "text", "opened_at": "timestamptz", "closed_at": "timestamptz",
             "position": "bigint", "outstanding": "boolean", "published_at": "timestamptz",
             "published_by": "text"},
    defaults={"decided_count": 0, "excellent_count": 0, "outstanding": False},
)
PERIOD_FOLD = Fold(
    tables=(PERIOD,),
    steps={
        P + "Opened": Step(lambda e, pos: (
            e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
            e.policy["version"], len(e.members), e.actor, e.timestamp, pos,
            getattr(e, "outstanding", False)), _opened),
        P + "DecisionRegistered": Step(lambda e, pos: (e.originator_id, e.level, pos),
                                       _decision_registered),
        P + "Closed": Step(lambda e, pos: (e.originator_id, e.timestamp, pos), _closed),
        P + "DecisionAmended": Step(lambda e, pos: (
            e.originator_id, e.level, e.previous_level, pos), _decision_amended),
        P + "Published": Step(lambda e, pos: (e.originator_id, e.timestamp, e.actor, pos),
                              _published),
        P + "DecisionsImported": Step(_imported_args, _decisions_imported),
    },
)


def _exception_granted(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_quota_exceptions (position, period_id, level, scope, extra, "
        "reasons, authority, granted_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (position) DO NOTHING",
        (pos, e.originator_id, e.level, e.scope, e.extra, e.reasons, e.authority, e.actor,
         e.timestamp),
    )]


class PeriodsProjection(Projection):
    name = "periods"
    tables = ("rm_periods", "rm_quota_exceptions")
    folds = (PERIOD_FOLD,)
    handlers: ClassVar[dict[str, Handler]] = {
        P + "QuotaExceptionGranted": _exception_granted,
    }
