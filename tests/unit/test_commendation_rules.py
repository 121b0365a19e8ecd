"""The commendation rules (domain/commendation.py), as their names say."""

from __future__ import annotations

import uuid

import pytest

from domain.commendation import (
    PERSON,
    Commendation,
    NotEligibleError,
    SelfApprovalError,
    commendation_id,
    meets_quarter,
    meets_year,
    quarter_basis,
)
from domain.errors import AlreadyDecidedError
from domain.levels import Level

A, B = Level.A, Level.B


def _proposed(by: str = "hr-1") -> Commendation:
    return Commendation(basis=quarter_basis(2026, 2), staff_id=uuid.uuid4(), nominee_kind=PERSON,
                        evidence=["2026-04: A"], reasons="", proposed_by=by)


def test_a_quarter_qualifies_only_with_a_in_each_of_its_three_months() -> None:
    assert meets_quarter({4: A, 5: A, 6: A}, 2)
    assert not meets_quarter({4: A, 5: A, 6: B}, 2)
    assert not meets_quarter({4: A, 5: A}, 2)  # a month not rated is not an A
    assert not meets_quarter({1: A, 2: A, 3: A}, 2)


def test_the_year_qualifies_only_with_an_annual_a() -> None:
    assert meets_year(A)
    assert not meets_year(B)
    assert not meets_year(None)


def test_a_nominee_is_proposed_once_per_basis() -> None:
    person = uuid.uuid4()
    assert commendation_id("b", person) == commendation_id("b", person)
    assert commendation_id("b", person) != commendation_id("c", person)


def test_a_proposal_must_rest_on_results() -> None:
    with pytest.raises(NotEligibleError):
        Commendation(basis="b", staff_id=uuid.uuid4(), nominee_kind=PERSON, evidence=[],
                     reasons="", proposed_by="hr")


def test_the_proposer_cannot_approve_their_own_proposal() -> None:
    with pytest.raises(SelfApprovalError):
        _proposed("hr-1").decide(True, "", "hr-1")


def test_a_proposal_is_decided_once() -> None:
    proposal = _proposed()
    proposal.decide(False, "Bổ sung thành tích", "head")
    assert proposal.status == "returned"
    with pytest.raises(AlreadyDecidedError):
        proposal.decide(True, "", "head")
