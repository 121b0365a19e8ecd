"""One step of a period's life, taken by whoever takes it in the product: the plans that
property-based tests play against the read models."""

from __future__ import annotations

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId
from domain.levels import Level
from services.app.commands import (
    AttachOpinion,
    ClosePeriod,
    DecideRating,
    ProposeRating,
    PublishPeriod,
    SubmitSelfAssessment,
)
from services.app.handlers import TenantService
from tests.support.org import Org

SCORE_FOR = {"A": 95.0, "B": 80.0, "C": 60.0, "D": 30.0}


def play_step(service: TenantService, org: Org, period: PeriodId, what: str, index: int,
              level: str, *, criteria: bool = False) -> bool:
    """``what`` done to the ``index``-th member in ``period``: False when it was refused
    (quota, closed, decided), which writes nothing. A self-assessment scores half of its
    points on one criterion with ``criteria``. Any other ``what`` is the caller's own."""
    staff, hr = org.members[index], Actor("hr", "hr_officer")
    try:
        if what == "self":
            points = {"k1": SCORE_FOR[level] / 2} if criteria else None
            with acting_as(Actor(str(staff), "staff")):
                service.submit_self_assessment(SubmitSelfAssessment(
                    period, staff, SCORE_FOR[level], criteria=points))
        elif what == "decide":
            with acting_as(Actor(str(org.leader), "unit_leader")):
                service.decide_rating(DecideRating(period, staff, Level(level),
                                                   SCORE_FOR[level], "Theo kết quả.",
                                                   str(org.leader)))
        elif what == "propose":
            with acting_as(hr):
                service.propose_rating(ProposeRating(period, staff, Level(level),
                                                     SCORE_FOR[level], "Tốt.", "Chưa.", "hr"))
        elif what == "opinion":
            with acting_as(hr):
                service.attach_opinion(AttachOpinion(period, staff, "colleague", "đồng nghiệp",
                                                     "Ý kiến.", 4.5))
        elif what == "publish":
            with acting_as(hr):
                service.publish_period(PublishPeriod(period))
        elif what == "close":
            with acting_as(hr):
                service.close_period(ClosePeriod(period))
    except DomainError:
        return False
    return True
