"""Generating a month the way a busy ward records it, in a handful of transactions.

``people.rate_month`` sends one command per person and step (~85 transactions for a unit of
40), which is right for the measured paths but makes a city-sized history take hours. Here
a unit-month is written through the same domain objects and rules in five steps: open the
period; every self-assessment and opinion of the month on the evaluations loaded in one read
and saved in one transaction (each event still records its own actor); the leader's board in
one ``decide_ratings``; the chair's decision on the leader; close. The log holds the same
kinds of events with the same content as the one-by-one path; only the transaction grouping
differs, which nothing reads.
"""

from __future__ import annotations

import random

from bench.people import HR, POLICY, BenchUnit, open_month, plan_scores, self_score_for, tasks
from domain.actor import Actor, acting_as
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, evaluation_id_for
from services.app.commands import ClosePeriod, DecideRating, DecideRatings, RatingDecision
from services.app.handlers import TenantService

OPINION_SHARE = 0.3  # evaluations that also get a colleague's opinion
REASONS = "Còn chậm tiến độ một số nhiệm vụ trong tháng."


def rate_month_batched(service: TenantService, unit: BenchUnit, year: int, month: int,
                       rng: random.Random, *, close: bool = True) -> int:
    """One unit-month (95 % self-assess, some opinions, every decision), in five saves."""
    period_id = open_month(service, unit, year, month)
    period = service.find_period(period_id)
    assert period is not None
    people: list[StaffId] = [unit.leader, *unit.members]
    decided = plan_scores(rng, len(people))
    eids = {p: evaluation_id_for(PeriodId(period_id), p, OFFICIAL) for p in people}
    loaded = service.app.get_many(list(eids.values()))
    selves: dict[StaffId, float] = {}
    written: list[Evaluation] = []
    for person, score in zip(people, decided, strict=True):
        evaluation = loaded[eids[person]]
        assert isinstance(evaluation, Evaluation)
        if rng.random() < 0.95:
            own = self_score_for(rng, score)
            with acting_as(Actor(str(person), "staff")):
                evaluation.submit_self_assessment(own, tasks(rng), "Hoàn thành nhiệm vụ",
                                                  period.policy)
            selves[person] = own
        if rng.random() < OPINION_SHARE and len(people) > 1:
            colleague = rng.choice([p for p in people if p != person])
            with acting_as(Actor(str(colleague), "staff")):
                evaluation.attach_opinion("colleague", str(colleague),
                                          "Đồng chí hoàn thành tốt nhiệm vụ được giao.", None)
        written.append(evaluation)
    with acting_as(HR):
        position = service.app.save(*written)[-1].notification.id if written else 0

    def line(person: StaffId, score: float) -> RatingDecision:
        level = POLICY.bands.level_for(score)
        own = selves.get(person)
        departs = own is not None and POLICY.bands.level_for(own) != level
        return RatingDecision(person, level, score, REASONS if departs else "")

    board = tuple(line(p, s) for p, s in zip(people[1:], decided[1:], strict=True))
    if board:
        with acting_as(Actor(str(unit.leader), "unit_leader")):
            position = service.decide_ratings(DecideRatings(PeriodId(period_id), board,
                                                            str(unit.leader)))
    head = line(unit.leader, decided[0])
    with acting_as(Actor(str(unit.chair), "unit_leader")):
        position = service.decide_rating(DecideRating(PeriodId(period_id), unit.leader,
                                                      head.level, head.score, head.reasons,
                                                      str(unit.chair)))
    if close:
        with acting_as(HR):
            position = service.close_period(ClosePeriod(PeriodId(period_id)))
    return position
