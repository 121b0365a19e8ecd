"""Every kind of event the domain records is written by a GraphQL mutation, and each of those
mutations refuses a caller without a role that may write (an auditor only reads): FORBIDDEN,
nothing written."""

from __future__ import annotations

import uuid

import httpx
import pytest

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from services.gql.schema import schema
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing, events_in
from tests.support.event_kinds import tenant_event_topics
from tests.support.gql import error_code, gql, token_for

pytestmark = pytest.mark.e2e

# topic → the mutations that record it
WRITTEN_BY: dict[str, tuple[str, ...]] = {
    "domain.organisation:Unit.Registered": ("registerUnit",),
    "domain.organisation:Unit.MemberJoined": ("registerStaff", "transferStaff"),
    "domain.organisation:Unit.MemberLeft": ("transferStaff", "transferStaffToTenant"),
    "domain.organisation:Unit.LeaderAppointed": ("appointLeader",),
    "domain.organisation:Unit.OutstandingFlagged": ("flagOutstandingUnit",),
    "domain.organisation:StaffMember.Registered": ("registerStaff",),
    "domain.organisation:StaffMember.ProfileUpdated": ("updateStaffProfile",),
    "domain.organisation:StaffMember.AbsenceRecorded": ("recordAbsence",),
    "domain.organisation:StaffMember.DisciplineRecorded": ("recordDiscipline",),
    "domain.organisation:StaffMember.Transferred": ("transferStaff",),
    "domain.organisation:StaffMember.LeftTenant": ("transferStaffToTenant",),
    "domain.organisation:StaffMember.PriorResultsImported": ("transferStaffToTenant",
                                                             "mergeTenants"),
    "domain.tenant_policy:TenantPolicy.Adopted": ("adoptPolicy", "inheritProvincePolicy"),
    "domain.tenant_policy:TenantPolicy.Adjusted": ("adjustPolicy", "inheritProvincePolicy"),
    "domain.period:EvaluationPeriod.Opened": ("openPeriod",),
    "domain.period:EvaluationPeriod.DecisionRegistered": ("decideRating",),
    "domain.period:EvaluationPeriod.QuotaExceptionGranted": ("grantQuotaException",),
    "domain.period:EvaluationPeriod.Published": ("publishPeriod",),
    "domain.period:EvaluationPeriod.Closed": ("closePeriod",),
    "domain.period:EvaluationPeriod.DecisionAmended": ("decideAppeal",),
    "domain.period:EvaluationPeriod.DecisionsImported": ("mergeTenants",),
    "domain.evaluation:Evaluation.Started": ("openPeriod",),
    "domain.evaluation:Evaluation.SelfAssessmentSubmitted": ("submitSelfAssessment",),
    "domain.evaluation:Evaluation.OpinionAttached": ("attachOpinion",),
    "domain.evaluation:Evaluation.Proposed": ("proposeRating", "proposeRollups"),
    "domain.evaluation:Evaluation.RatingDecided": ("decideRating", "decidePartyRating"),
    "domain.evaluation:Evaluation.RatingAmended": ("decideAppeal",),
    "domain.evaluation:Evaluation.OutcomeImported": ("mergeTenants",),
    "domain.evaluation:Evaluation.WorkScoreComputed": ("decideRating", "decideRatings"),
    "domain.appeal:Appeal.Filed": ("fileAppeal",),
    "domain.appeal:Appeal.Assigned": ("fileAppeal", "assignAppeal", "takeUpAppeal"),
    "domain.appeal:Appeal.Accepted": ("acceptAppeal",),
    "domain.appeal:Appeal.MoreInformationRequested": ("requestAppealInformation",),
    "domain.appeal:Appeal.MoreInformationProvided": ("provideAppealInformation",),
    "domain.appeal:Appeal.Withdrawn": ("withdrawAppeal",),
    "domain.appeal:Appeal.Decided": ("decideAppeal",),
    "domain.appeal:Appeal.Escalated": ("escalateAppeal",),
    "domain.appeal:AppealDocket.Opened": ("fileAppeal",),
    "domain.appeal:AppealDocket.AppealLodged": ("fileAppeal",),
    "domain.appeal:AppealDocket.AppealClosed": ("decideAppeal", "withdrawAppeal"),
    "domain.collective:CollectiveRound.Opened": ("openCollectiveRound",),
    "domain.collective:CollectiveRound.CollectiveRated": ("rateCollective",),
    "domain.commendation:Commendation.Proposed": ("proposeCommendations",),
    "domain.commendation:Commendation.Approved": ("decideCommendation",),
    "domain.commendation:Commendation.Returned": ("decideCommendation",),
    "domain.tenant_record:TenantRecord.Started": ("mergeTenants",),
    "domain.tenant_record:TenantRecord.MergedInto": ("mergeTenants",),
    "domain.tenant_record:TenantRecord.PredecessorAbsorbed": ("mergeTenants",),
    "domain.work_item:WorkItem.Assigned": ("assignWork", "reassignWork"),
    "domain.work_item:WorkItem.Reassigned": ("reassignWork",),
    "domain.work_item:WorkItem.Cancelled": ("cancelWork",),
    "domain.work_item:WorkItem.ReportedDone": ("reportWorkDone",),
    "domain.work_item:WorkItem.Confirmed": ("confirmWork",),
    "domain.work_item:WorkItem.CarriedOver": ("mergeTenants",),
    "domain.work_ledger:WorkLedger.Opened": ("assignWork", "reassignWork"),
    "domain.work_ledger:WorkLedger.ItemAdded": ("assignWork", "reassignWork"),
    "domain.work_catalogue:WorkCatalogue.Established": ("establishWorkCatalogue",
                                                        "inheritProvinceCatalogue"),
    "domain.work_catalogue:WorkCatalogue.Revised": ("establishWorkCatalogue",),
    "domain.work_catalogue:WorkCatalogue.Adjusted": ("inheritProvinceCatalogue",),
}


def _literal(kind: GraphQLInputType, name: str = "", tenant: str = "x") -> str:
    """A well-formed value of ``kind`` (required fields only): enough to reach the resolver."""
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type, name, tenant)
    if isinstance(kind, GraphQLList):
        return "[]"
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [f"{key}: {_literal(field.type, key, tenant)}"
                  for key, field in kind.fields.items()
                  if isinstance(field.type, GraphQLNonNull)]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(kind, GraphQLScalarType)
    number = "2026" if name == "year" else "1"
    if name == "tenant":  # the caller's own tenant: the role check is what is tested
        return f'"{tenant}"'
    return {"ID": f'"{uuid.uuid4()}"', "String": '"x"', "Int": number, "Float": "80",
            "Boolean": "false", "Date": '"2026-05-01"'}.get(kind.name, '"x"')


def _call(name: str, tenant: str) -> str:
    field = schema._schema.mutation_type.fields[name]  # type: ignore[union-attr]
    args = [f"{arg}: {_literal(a.type, arg, tenant)}" for arg, a in field.args.items()
            if isinstance(a.type, GraphQLNonNull)]
    return f"mutation {{ {name}{'(' + ', '.join(args) + ')' if args else ''} {{ position }} }}"


def test_every_kind_of_event_is_written_by_a_mutation_of_the_schema() -> None:
    assert set(WRITTEN_BY) == tenant_event_topics()
    mutations = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
    assert {m for names in WRITTEN_BY.values() for m in names} <= mutations


async def test_a_caller_who_may_only_read_is_refused_every_writing_mutation(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=1)
    auditor = token_for(settings, tenant.slug, org.members[0], "auditor")
    before = await events_in(runtime, tenant)
    for name in sorted({m for names in WRITTEN_BY.values() for m in names}):
        body = await gql(http, auditor, _call(name, tenant.slug))
        assert error_code(body) == "FORBIDDEN", (name, body)
    assert await events_in(runtime, tenant) == before
