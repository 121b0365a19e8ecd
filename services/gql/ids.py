"""What each id argument names, declared on its type, so the guard checks every one.

An argument or input field that carries an id is typed with one of the aliases below
(``UnitID``, ``StaffID``, …) instead of a bare ``strawberry.ID``. On the wire nothing
changes (the schema still says ``ID``, a client still sends a string); what changes is that
the field's definition carries the kind of record the id names, and
``services.gql.guard.authorised`` reads that kind from the schema before any resolver
runs and checks the id against the caller's scope (services/gql/scope.py ``require``).

The safe thing is the default: an ``ID`` argument declared without a kind is checked as
``RECORD`` (it must be some record of the caller's scope), and
``tests/security/test_id_kinds.py`` fails for it, so a new field gets a decision.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import strawberry


class Names(StrEnum):
    """The kind of record an id argument names."""

    UNIT = "unit"
    STAFF = "staff"
    PERIOD = "period"
    APPEAL = "appeal"
    EVALUATION = "evaluation"
    WORK_ITEM = "work_item"  # an assigned output (Decree 335 work)
    COMMENDATION = "commendation"  # a commendation proposal (a person or a collective)
    RECORD = "record"  # any aggregate of the tenant (the auditor's tools)
    # Not a record of the caller's tenant, so not the guard's to scope; the use case
    # checks it (say why where it is used):
    USER = "user"  # a user id (a reviewer): whom a step is given to, not what it reads
    OTHER_TENANT = "other_tenant"  # a unit of the receiving tenant of a transfer


NAMES = "names"  # the metadata key, on strawberry arguments and input fields
UNSCOPED = frozenset({Names.USER, Names.OTHER_TENANT})


def _arg(kind: Names) -> Any:
    return strawberry.argument(metadata={NAMES: kind})


UnitID = Annotated[strawberry.ID, _arg(Names.UNIT)]
StaffID = Annotated[strawberry.ID, _arg(Names.STAFF)]
PeriodID = Annotated[strawberry.ID, _arg(Names.PERIOD)]
AppealID = Annotated[strawberry.ID, _arg(Names.APPEAL)]
EvaluationID = Annotated[strawberry.ID, _arg(Names.EVALUATION)]
WorkItemID = Annotated[strawberry.ID, _arg(Names.WORK_ITEM)]
CommendationID = Annotated[strawberry.ID, _arg(Names.COMMENDATION)]
RecordID = Annotated[strawberry.ID, _arg(Names.RECORD)]
# An optional id: the kind sits on the whole (``UnitID | None`` would lose it).
UnitIDOrNone = Annotated[strawberry.ID | None, _arg(Names.UNIT)]
StaffIDOrNone = Annotated[strawberry.ID | None, _arg(Names.STAFF)]
UserID = Annotated[strawberry.ID, _arg(Names.USER)]
OtherTenantUnitID = Annotated[strawberry.ID, _arg(Names.OTHER_TENANT)]


def id_field(kind: Names, **options: Any) -> Any:
    """An input field holding an id of ``kind`` (``strawberry.field`` with the kind)."""
    return strawberry.field(metadata={NAMES: kind}, **options)


def names_of(definition: Any) -> Names | None:
    """The kind declared on a graphql-core argument or input field, if any."""
    backref = (getattr(definition, "extensions", None) or {}).get("strawberry-definition")
    metadata = getattr(backref, "metadata", None) or {}
    kind = metadata.get(NAMES)
    return Names(kind) if kind is not None else None
