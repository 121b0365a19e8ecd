"""Eligibility per staff type as policy: Decree 90/2020 kept, Decree 335/2025 for công chức."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.eligibility import assess as legacy_assess
from domain.levels import Level
from domain.organisation import StaffMember
from domain.staff_rules import Discipline, WorkHistory, assess, decree_90, decree_335

pytestmark = pytest.mark.unit
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
CIVIL, CADRE = decree_335("civil_servant"), decree_90("cadre")


def _leave(days: int, maternity: bool = False) -> WorkHistory:
    start = date(2026, 2, 1)
    return WorkHistory(absences=((start, start + timedelta(days=days - 1), maternity),))


spans = st.tuples(st.integers(0, 364), st.integers(1, 300), st.booleans())


@given(st.one_of(st.none(), st.integers(-400, 364)), st.lists(spans, max_size=3),
       st.lists(st.integers(-30, 400), max_size=2), st.booleans())
def test_decree_90_rules_give_exactly_todays_eligibility(
        start: int | None, leaves: list[tuple[int, int, bool]], disciplines: list[int],
        annual: bool) -> None:
    first = YEAR[0]
    staff = StaffMember(id=uuid.uuid4(), full_name="A", staff_type="cadre", position="x",
                        unit_id=uuid.uuid4(), party_member=False,
                        start_date=None if start is None else first + timedelta(days=start))
    for offset, length, maternity in leaves:
        begin = first + timedelta(days=offset)
        staff.record_absence(begin, begin + timedelta(days=length), maternity, "")
    for offset in disciplines:
        staff.record_discipline(first + timedelta(days=offset), "khiển trách", "QĐ")
    history = WorkHistory(staff.start_date, tuple(staff.absences),
                          tuple(Discipline(d, f) for d, f in staff.disciplines))
    assert assess(CADRE, history, *YEAR, annual).eligibility == \
        legacy_assess(staff, *YEAR, annual)


def test_a_cadre_who_worked_under_six_months_is_not_rated_but_a_civil_servant_is() -> None:
    long_sick = _leave(200)
    assert not assess(CADRE, long_sick, *YEAR, annual=True).eligibility.eligible
    civil = assess(CIVIL, long_sick, *YEAR, annual=True)
    assert civil.eligibility.eligible
    assert civil.eligibility.cap is None
    assert civil.worked_days == 365 - 200  # rated on the time actually worked (art. 21)


def test_absence_caps_a_cadre_at_completed_but_not_a_civil_servant() -> None:
    assert assess(CADRE, _leave(100), *YEAR, annual=True).eligibility.cap is Level.C
    assert assess(CIVIL, _leave(100), *YEAR, annual=True).eligibility.cap is None


def test_a_civil_servant_on_leave_for_a_whole_month_is_not_rated_that_month() -> None:
    february = (date(2026, 2, 1), date(2026, 2, 28))
    on_leave = _leave(28, maternity=True)
    assert not assess(CIVIL, on_leave, *february, annual=False).eligibility.eligible
    assert assess(CADRE, on_leave, *february, annual=False).eligibility.eligible


def test_discipline_forces_d_for_a_civil_servant_only_when_tied_to_official_duties() -> None:
    private = WorkHistory(disciplines=(Discipline(date(2026, 5, 1), "khiển trách",
                                                  tied_to_duties=False),))
    duty = WorkHistory(disciplines=(Discipline(date(2026, 5, 1), "khiển trách"),))
    assert assess(CIVIL, private, *YEAR, annual=True).eligibility.forced is None
    assert assess(CADRE, private, *YEAR, annual=True).eligibility.forced is Level.D
    assert assess(CIVIL, duty, *YEAR, annual=True).eligibility.forced is Level.D


def test_a_discipline_already_used_for_a_d_is_not_counted_again() -> None:
    # Decree 48/2023: a decision that already made one year's rating D does not count again.
    used = WorkHistory(disciplines=(Discipline(date(2026, 1, 10), "cảnh cáo",
                                               used_in_year=2025),))
    assert assess(CIVIL, used, *YEAR, annual=True).eligibility.forced is None
    assert assess(CADRE, used, *YEAR, annual=True).eligibility.forced is Level.D
