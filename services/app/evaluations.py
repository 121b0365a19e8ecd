"""Steps on one person's evaluation before the decision: the self-assessment (the person),
opinions (colleagues, the Party cell, citizens), the proposal (the direct manager)."""

from __future__ import annotations

from domain.evaluation import Evaluation
from domain.period import EvaluationPeriod
from services.app.commands import AttachOpinion, ProposeRating, SubmitSelfAssessment
from services.app.handler_base import UnitOfWork
from services.app.steps import evaluation_step


def submit_self_assessment(uow: UnitOfWork, cmd: SubmitSelfAssessment) -> int:
    """Workflow step 2 (each person): score oneself by the criteria, list task results."""
    def change(period: EvaluationPeriod, evaluation: Evaluation) -> None:
        evaluation.ensure_version(cmd.expected_version)
        evaluation.submit_self_assessment(cmd.score, cmd.tasks, cmd.note, period.policy,
                                          cmd.criteria)
    return evaluation_step(uow, cmd.period_id, cmd.staff_id, change, own=True)


def attach_opinion(uow: UnitOfWork, cmd: AttachOpinion) -> int:
    """Workflow step 3: an opinion (colleague, Party cell, citizens) joins the file."""
    return evaluation_step(uow, cmd.period_id, cmd.staff_id, lambda _, e: e.attach_opinion(
        cmd.source, cmd.author, cmd.text, cmd.satisfaction))


def propose_rating(uow: UnitOfWork, cmd: ProposeRating) -> int:
    """Workflow step 4 (direct manager / personnel body): a proposed level and score."""
    def change(period: EvaluationPeriod, evaluation: Evaluation) -> None:
        evaluation.ensure_version(cmd.expected_version)
        evaluation.propose(cmd.level, cmd.score, cmd.strengths, cmd.shortcomings,
                           period.policy, cmd.proposer)
    return evaluation_step(uow, cmd.period_id, cmd.staff_id, change)
