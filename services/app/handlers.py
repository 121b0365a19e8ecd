"""The entry point the edges call: one tenant's service, one line per use case.

A use case itself is a function in the module named for its job (``periods``, ``decisions``,
``staffing``, ``work``, ``appeals``, …), taking the unit of work (``handler_base.UnitOfWork``)
and one command. ``TenantService`` is that unit of work with a method per use case
delegating to it, so the edges, the demo loaders, the CLI and the tests call
``service.decide_rating(cmd)`` and never choose a module. Synchronous, because the
``eventsourcing`` library is; the async API calls them through ``anyio.to_thread``. Each
returns the log position of the last event it wrote, so the caller can ask a query to be at
least that fresh (read-your-writes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from domain.appeal import Appeal
from domain.catalogue import Catalogue
from domain.commendation import CommendationRules
from domain.organisation import StaffMember
from domain.period import EvaluationPeriod
from domain.rollup import MonthlyResult
from domain.work_catalogue import WorkCatalogue
from domain.work_score import ScoreBreakdown
from services.app import (
    appeal_commands,
    appeals,
    collectives,
    commands,
    commendations,
    decisions,
    evaluations,
    loading,
    periods,
    policies,
    results,
    staff_import,
    staffing,
    work,
    work_commands,
)
from services.app.handler_base import RETRIES, UnitOfWork
from services.store.eventstore import Evaluations

__all__ = ["RETRIES", "AppealService", "TenantService", "events_of"]


class TenantService(UnitOfWork):
    """One tenant's use cases (see the module docstring): no logic here, only delegation."""

    # A period and the evaluations in it (periods, evaluations, decisions, results)
    def open_period(self, cmd: commands.OpenPeriod) -> tuple[UUID, int]:
        return periods.open_period(self, cmd)

    def grant_quota_exception(self, cmd: commands.GrantQuotaException) -> int:
        return periods.grant_quota_exception(self, cmd)

    def publish_period(self, cmd: commands.PublishPeriod) -> int:
        return periods.publish_period(self, cmd)

    def close_period(self, cmd: commands.ClosePeriod) -> int:
        return periods.close_period(self, cmd)

    def submit_self_assessment(self, cmd: commands.SubmitSelfAssessment) -> int:
        return evaluations.submit_self_assessment(self, cmd)

    def attach_opinion(self, cmd: commands.AttachOpinion) -> int:
        return evaluations.attach_opinion(self, cmd)

    def propose_rating(self, cmd: commands.ProposeRating) -> int:
        return evaluations.propose_rating(self, cmd)

    def decide_rating(self, cmd: commands.DecideRating) -> int:
        return decisions.decide_rating(self, cmd)

    def decide_ratings(self, cmd: commands.DecideRatings) -> int:
        return decisions.decide_ratings(self, cmd)

    def decide_party_rating(self, cmd: commands.DecidePartyRating) -> int:
        return decisions.decide_party_rating(self, cmd)

    def propose_rollups(self, cmd: commands.ProposeRollups) -> int:
        return results.propose_rollups(self, cmd)

    # Units, people and the policy (staffing, policies, staff_import, collectives)
    def register_unit(self, cmd: commands.RegisterUnit) -> int:
        return staffing.register_unit(self, cmd)

    def register_staff(self, cmd: commands.RegisterStaff) -> int:
        return staffing.register_staff(self, cmd)

    def appoint_leader(self, cmd: commands.AppointLeader) -> int:
        return staffing.appoint_leader(self, cmd)

    def update_staff_profile(self, cmd: commands.UpdateStaffProfile) -> int:
        return staffing.update_staff_profile(self, cmd)

    def record_absence(self, cmd: commands.RecordAbsence) -> int:
        return staffing.record_absence(self, cmd)

    def record_discipline(self, cmd: commands.RecordDiscipline) -> int:
        return staffing.record_discipline(self, cmd)

    def flag_outstanding(self, cmd: commands.FlagOutstandingUnit) -> int:
        return staffing.flag_outstanding(self, cmd)

    def transfer_staff(self, cmd: commands.TransferStaff) -> int:
        return staffing.transfer_staff(self, cmd)

    def import_staff(self, cmd: staff_import.ImportStaff) -> staff_import.ImportOutcome:
        return staff_import.import_staff(self, cmd)

    def adopt_policy(self, cmd: commands.AdoptPolicy) -> int:
        return policies.adopt_policy(self, cmd)

    def adjust_policy(self, cmd: commands.AdjustPolicy) -> int:
        return policies.adjust_policy(self, cmd)

    def open_collective_round(self, cmd: commands.OpenCollectiveRound) -> tuple[UUID, int]:
        return collectives.open_collective_round(self, cmd)

    def rate_collective(self, cmd: commands.RateCollective) -> int:
        return collectives.rate_collective(self, cmd)

    # Work outputs (work)
    def establish_catalogue(self, cmd: work_commands.EstablishCatalogue) -> int:
        return work.establish_catalogue(self, cmd)

    def inherit_catalogue(self, cmd: work_commands.InheritCatalogue) -> int:
        return work.inherit_catalogue(self, cmd)

    def inherit_policy(self, cmd: work_commands.InheritPolicy) -> int:
        return work.inherit_policy(self, cmd)

    def assign_work(self, cmd: work_commands.AssignWork) -> int:
        return work.assign_work(self, cmd)

    def import_work(self, cmd: work_commands.ImportWork) -> tuple[int, int]:
        return work.import_work(self, cmd)

    def reassign_work(self, cmd: work_commands.ReassignWork) -> int:
        return work.reassign_work(self, cmd)

    def cancel_work(self, cmd: work_commands.CancelWork) -> int:
        return work.cancel_work(self, cmd)

    def report_work_done(self, cmd: work_commands.ReportWorkDone) -> int:
        return work.report_work_done(self, cmd)

    def confirm_work(self, cmd: work_commands.ConfirmWork) -> int:
        return work.confirm_work(self, cmd)

    # Commendations (commendations)
    def commendation_rules(self, quarter: int | None) -> tuple[str, CommendationRules]:
        return commendations.commendation_rules(self, quarter)

    def propose_commendations(self, cmd: commendations.ProposeCommendations) -> tuple[int, int]:
        return commendations.propose_commendations(self, cmd)

    def decide_commendation(self, cmd: commendations.DecideCommendation) -> int:
        return commendations.decide_commendation(self, cmd)

    # What the edges and the demo read through the write side
    def find_period(self, period_id: UUID) -> EvaluationPeriod | None:
        return loading.find_period(self, period_id)

    def monthly_results(self, staff: StaffMember, start: date, end: date
                        ) -> list[MonthlyResult]:
        return results.monthly_results(self, staff, start, end)

    def work_catalogue(self) -> WorkCatalogue | None:
        return work.work_catalogue(self)

    def catalogue(self) -> Catalogue:
        return work.catalogue_in_force(self)

    def period_breakdown(self, staff_id: UUID, kind: str, year: int, number: int
                         ) -> tuple[bool, str, list[str], ScoreBreakdown, str | None] | None:
        return work.period_breakdown(self, staff_id, kind, year, number)


class AppealService(TenantService):
    """One tenant's appeal use cases (appeals), with the calendar their windows count on."""

    def __init__(self, app: Evaluations,
                 clock: Callable[[], date] = appeals.hanoi_today) -> None:
        super().__init__(app)
        self.clock = clock

    def appeal(self, appeal_id: UUID) -> Appeal:
        return appeals.load_appeal(self, appeal_id)

    def file(self, cmd: appeal_commands.FileAppeal) -> int:
        return appeals.file_appeal(self, cmd, self.clock)

    def assign(self, cmd: appeal_commands.AssignAppeal) -> int:
        return appeals.assign_appeal(self, cmd)

    def take_up(self, cmd: appeal_commands.AssignAppeal) -> int:
        return appeals.take_up_appeal(self, cmd)

    def accept(self, cmd: appeal_commands.AcceptAppeal) -> int:
        return appeals.accept_appeal(self, cmd)

    def request_information(self, cmd: appeal_commands.RequestAppealInformation) -> int:
        return appeals.request_information(self, cmd)

    def provide_information(self, cmd: appeal_commands.ProvideAppealInformation) -> int:
        return appeals.provide_information(self, cmd)

    def withdraw(self, cmd: appeal_commands.WithdrawAppeal) -> int:
        return appeals.withdraw_appeal(self, cmd)

    def decide(self, cmd: appeal_commands.DecideAppeal) -> int:
        return appeals.decide_appeal(self, cmd, self.clock)

    def escalate(self, cmd: appeal_commands.EscalateAppeal) -> int:
        return appeals.escalate_appeal(self, cmd, self.clock)


def events_of(app: Evaluations, aggregate_id: UUID) -> list[Any]:
    return list(app.events.get(aggregate_id))
