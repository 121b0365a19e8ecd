"""The entry point the edges call: one tenant's service, one line per use case.

A use case itself is a function in the module named for its job (``periods``, ``decisions``,
``staffing``, ``work``, ``appeals``, …), taking the unit of work (``handler_base.UnitOfWork``)
and one command. ``TenantService`` is that unit of work with each use case bound as its
method (``decide_rating = decisions.decide_rating``: the service is the unit of work the use
case takes), so the edges, the demo loaders, the CLI and the tests call
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

from services.app import (
    appeal_commands,
    appeals,
    collectives,
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
)
from services.app.handler_base import RETRIES, UnitOfWork
from services.store.eventstore import Evaluations

__all__ = ["RETRIES", "AppealService", "TenantService", "events_of"]


class TenantService(UnitOfWork):
    """One tenant's use cases (see the module docstring): no logic here, only delegation."""

    # A period and the evaluations in it (periods, evaluations, decisions, results)
    open_period = periods.open_period
    grant_quota_exception = periods.grant_quota_exception
    publish_period = periods.publish_period
    close_period = periods.close_period
    submit_self_assessment = evaluations.submit_self_assessment
    attach_opinion = evaluations.attach_opinion
    propose_rating = evaluations.propose_rating
    decide_rating = decisions.decide_rating
    decide_ratings = decisions.decide_ratings
    decide_party_rating = decisions.decide_party_rating
    propose_rollups = results.propose_rollups

    # Units, people and the policy (staffing, policies, staff_import, collectives)
    register_unit = staffing.register_unit
    register_staff = staffing.register_staff
    appoint_leader = staffing.appoint_leader
    update_staff_profile = staffing.update_staff_profile
    record_absence = staffing.record_absence
    record_discipline = staffing.record_discipline
    flag_outstanding = staffing.flag_outstanding
    transfer_staff = staffing.transfer_staff
    import_staff = staff_import.import_staff
    adopt_policy = policies.adopt_policy
    adjust_policy = policies.adjust_policy
    open_collective_round = collectives.open_collective_round
    rate_collective = collectives.rate_collective

    # Work outputs (work)
    establish_catalogue = work.establish_catalogue
    inherit_catalogue = work.inherit_catalogue
    inherit_policy = work.inherit_policy
    assign_work = work.assign_work
    import_work = work.import_work
    reassign_work = work.reassign_work
    cancel_work = work.cancel_work
    report_work_done = work.report_work_done
    confirm_work = work.confirm_work

    # Commendations (commendations)
    commendation_rules = commendations.commendation_rules
    propose_commendations = commendations.propose_commendations
    decide_commendation = commendations.decide_commendation

    # What the edges and the demo read through the write side
    find_period = loading.find_period
    monthly_results = results.monthly_results
    work_catalogue = work.work_catalogue
    catalogue = work.catalogue_in_force
    period_breakdown = work.period_breakdown


class AppealService(TenantService):
    """One tenant's appeal use cases (appeals), with the calendar their windows count on."""

    def __init__(self, app: Evaluations,
                 clock: Callable[[], date] = appeals.hanoi_today) -> None:
        super().__init__(app)
        self.clock = clock

    appeal = appeals.load_appeal
    assign = appeals.assign_appeal
    take_up = appeals.take_up_appeal
    accept = appeals.accept_appeal
    request_information = appeals.request_information
    provide_information = appeals.provide_information
    withdraw = appeals.withdraw_appeal

    # The steps the appeal windows count for, on the service's calendar
    def file(self, cmd: appeal_commands.FileAppeal) -> int:
        return appeals.file_appeal(self, cmd, self.clock)

    def decide(self, cmd: appeal_commands.DecideAppeal) -> int:
        return appeals.decide_appeal(self, cmd, self.clock)

    def escalate(self, cmd: appeal_commands.EscalateAppeal) -> int:
        return appeals.escalate_appeal(self, cmd, self.clock)


def events_of(app: Evaluations, aggregate_id: UUID) -> list[Any]:
    return list(app.events.get(aggregate_id))
