"""An aggregate "as of" a recorded event (the breakdown a decision was made on,
services/app/work.py) is its events up to that event's position in the log, not up to its
timestamp: each process stamps events with its own clock, and a replica whose clock runs
behind records, after the decision, events stamped before it."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.organisation import StaffMember
from services.app.commands import OpenPeriod
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org

pytestmark = pytest.mark.integration


async def test_an_event_recorded_after_the_decision_is_left_out_whatever_its_clock_said(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]]) -> None:
    tenant = await new_tenant()
    service = runtime.service(tenant)
    app = service.app
    org = await org_in(tenant, members=1)
    person = org.members[0]

    def scenario() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 7))
        opened: Any = next(iter(app.events.get(period_id)))  # the event "as of"
        before = app.repository.get(person)
        staff: StaffMember = app.repository.get(person)
        with acting_as(Actor("hr", "hr_officer")):
            staff.update_profile("civil_servant", "Chuyên viên chính", "", False, "", None)
        late = staff._pending_events[-1]  # recorded next, by a clock an hour behind
        staff._pending_events[-1] = dataclasses.replace(  # type: ignore[call-arg]
            late, timestamp=opened.timestamp - timedelta(hours=1))
        app.save(staff)
        assert next(iter(app.events.get(person, gt=before.version))).timestamp < (
            opened.timestamp)
        as_of = app.as_of([person, period_id], (period_id, opened.originator_version))
        assert as_of[person].version == before.version
        assert as_of[person].position == before.position  # type: ignore[attr-defined]
        assert as_of[period_id].version == opened.originator_version
        assert app.as_of([person], (person, before.version + 1))[person].position == (
            "Chuyên viên chính")

    await anyio.to_thread.run_sync(scenario)
