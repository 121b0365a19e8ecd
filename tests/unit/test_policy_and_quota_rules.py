"""Policy versions, quotas per unit and peer group, exceptions, scoring and eligibility —
on the aggregates alone (no I/O)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.eligibility import assess
from domain.errors import (
    EligibilityCapError,
    InvalidPolicyError,
    NotEligibleError,
    QuotaExceededError,
    ReasonsRequiredError,
    SelfRatingError,
    ValidationFailedError,
)
from domain.evaluation import Evaluation
from domain.levels import Level
from domain.organisation import StaffMember
from domain.period import EvaluationPeriod
from domain.policy import (
    BASE_GOOD,
    BASE_RATED,
    HANOI_MONTHLY_2018,
    NATIONAL_ANNUAL_2026,
    SCOPE_PEER_GROUP,
    SCOPE_UNIT,
    Policy,
    QuotaRule,
)
from domain.scoring import TaskResult, self_score
from domain.tenant_policy import TenantPolicy

pytestmark = pytest.mark.unit


def _period(members: int, policy: Policy = HANOI_MONTHLY_2018, groups: int = 1,
            outstanding: bool = False, kind: str = "monthly") -> EvaluationPeriod:
    people = [uuid.uuid4() for _ in range(members)]
    return EvaluationPeriod(
        id=uuid.uuid4(), unit_id=uuid.uuid4(), kind=kind, year=2026, number=3,
        deadline=date(2026, 4, 5), policy=policy.to_state(), members=people,
        peer_groups={str(p): f"g{i % groups}" for i, p in enumerate(people)},
        outstanding=outstanding)


def _staff(start: date | None = date(2015, 1, 1)) -> StaffMember:
    return StaffMember(id=uuid.uuid4(), full_name="Lê Văn A", staff_type="civil_servant",
                       position="Chuyên viên", unit_id=uuid.uuid4(), party_member=True,
                       start_date=start)


def _evaluation(kind: str = "annual") -> Evaluation:
    return Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                      staff_id=uuid.uuid4(), subject="official", kind=kind, year=2026, number=1)


def _a_count(period: EvaluationPeriod) -> int:
    return sum(1 for level in period.decisions.values() if level == "A")


# Policy versions ----------------------------------------------------------------


def test_an_adjustment_is_a_new_version_and_the_old_one_is_unchanged() -> None:
    adopted = TenantPolicy.adopt("monthly", "hn-monthly-2018", "QĐ 01")
    first = adopted.policy
    second = adopted.adjust({"quotas": [{"level": "A", "share": 0.25}]}, "QĐ 02/2026")
    assert second.version != first.version
    assert adopted.revision == 2
    assert first.excellent_cap(10) == 3
    assert second.excellent_cap(10) == 2
    assert adopted.policy == second


def test_a_period_keeps_the_policy_it_was_opened_under() -> None:
    adopted = TenantPolicy.adopt("monthly", "hn-monthly-2018", "")
    period = _period(10, adopted.policy)
    adopted.adjust({"quotas": [{"level": "A", "share": 0.1}]}, "siết tỷ lệ")
    for staff in period.members[:3]:  # 30% still applies to the period opened before
        period.register_decision(staff, Level.A)
    assert period.policy.version.startswith("monthly/1")


@pytest.mark.parametrize("changes", [
    {"criteria": [{"key": "results", "label_vi": "KQ", "max_points": 80}]},  # sums to 80
    {"quotas": [{"level": "A", "share": 1.5}]},
    {"bands": {"excellent": 60, "good": 70, "completed": 50}},
    {"rollup_method": "vibes"},
    {"appeal_window_days": 0},
    {"no_such_field": 1},
    {"level_labels": {"A": "Xuất sắc", "B": "Tốt", "C": "Đạt"}},  # D has no name
    {"level_labels": {"A": " ", "B": "Tốt", "C": "Đạt", "D": "Chưa đạt"}},
    {"collective_order": ["party_cell", "party_cell"]},
    {"collective_order": []},
])
def test_an_invalid_adjustment_is_refused_and_records_nothing(changes: dict[str, object]) -> None:
    adopted = TenantPolicy.adopt("monthly", "hn-monthly-2018", "")
    adopted.collect_events()
    with pytest.raises(InvalidPolicyError):
        adopted.adjust(changes, "thử")
    assert adopted.collect_events() == []
    assert adopted.revision == 1


def test_both_presets_are_valid_and_carry_the_appeal_fields() -> None:
    for preset in (HANOI_MONTHLY_2018, NATIONAL_ANNUAL_2026):
        assert preset.max_score == 100
        assert preset.appeal_window_days > 0
        assert preset.appeal_first_instance_days > 0
        assert preset.appeal_second_instance_days > 0


def test_each_preset_names_the_levels_as_its_text_does_and_a_tenant_may_rename_them() -> None:
    assert HANOI_MONTHLY_2018.label(Level.A) == "Loại A – Hoàn thành xuất sắc nhiệm vụ"
    assert NATIONAL_ANNUAL_2026.label(Level.D) == "Không hoàn thành nhiệm vụ"
    adopted = TenantPolicy.adopt("annual", "vn-annual-2026", "")
    first = adopted.policy
    labels = {**dict(first.level_labels), "A": "Xuất sắc"}
    renamed = adopted.adjust({"level_labels": labels}, "Tên gọi ngắn trên bảng")
    assert renamed.label(Level.A) == "Xuất sắc"
    assert first.label(Level.A) == "Hoàn thành xuất sắc nhiệm vụ"  # the old version keeps it
    assert Policy.from_state(renamed.to_state()) == renamed


def test_a_policy_stored_before_quota_rules_still_loads() -> None:
    old = {"version": "hn-monthly-2018.1", "name": "x", "excellent_share": 0.3,
           "self_assessment_days": 5, "bands": {"excellent": 90, "good": 70, "completed": 50}}
    assert Policy.from_state(old).excellent_cap(10) == 3


# Quotas ---------------------------------------------------------------------------


def test_an_outstanding_unit_may_rate_40_percent_excellent() -> None:
    period = _period(10, outstanding=True)
    for staff in period.members[:4]:
        period.register_decision(staff, Level.A)
    with pytest.raises(QuotaExceededError):
        period.register_decision(period.members[4], Level.A)


def test_excellent_is_at_most_20_percent_of_good_nationally() -> None:
    period = _period(12, NATIONAL_ANNUAL_2026, kind="annual")
    with pytest.raises(QuotaExceededError):  # no one rated good yet: no room
        period.register_decision(period.members[0], Level.A)
    for staff in period.members[:5]:
        period.register_decision(staff, Level.B)
    period.register_decision(period.members[5], Level.A)  # 20% of 5 = 1
    with pytest.raises(QuotaExceededError):
        period.register_decision(period.members[6], Level.A)


def test_the_quota_holds_per_peer_group_too() -> None:
    policy = Policy(version="t", name="t", quotas=(
        QuotaRule("A", 0.5, BASE_RATED, SCOPE_UNIT),
        QuotaRule("A", 0.25, BASE_RATED, SCOPE_PEER_GROUP)))
    period = _period(8, policy, groups=2)  # two groups of 4: one A each
    group0 = [m for m in period.members if period.peer_groups[str(m)] == "g0"]
    period.register_decision(group0[0], Level.A)
    with pytest.raises(QuotaExceededError):
        period.register_decision(group0[1], Level.A)


def test_an_exception_by_the_higher_level_makes_room_for_one_more() -> None:
    period = _period(10)
    for staff in period.members[:3]:
        period.register_decision(staff, Level.A)
    with pytest.raises(ValidationFailedError):
        period.grant_quota_exception(Level.A, SCOPE_UNIT, 1, "  ", "UBND")
    period.grant_quota_exception(Level.A, SCOPE_UNIT, 1, "Thành tích đột xuất", "UBND")
    period.register_decision(period.members[3], Level.A)
    with pytest.raises(QuotaExceededError):
        period.register_decision(period.members[4], Level.A)


_rules = st.builds(QuotaRule, level=st.sampled_from("AB"), share=st.sampled_from([0.1, 0.2, 0.3]),
                   base=st.sampled_from([BASE_RATED, BASE_GOOD]),
                   scope=st.sampled_from([SCOPE_UNIT, SCOPE_PEER_GROUP]),
                   outstanding_share=st.sampled_from([None, 0.4]))


@settings(max_examples=150, deadline=None)
@given(members=st.integers(1, 25), groups=st.integers(1, 4), outstanding=st.booleans(),
       rules=st.lists(_rules, min_size=1, max_size=3),
       asks=st.lists(st.tuples(st.integers(0, 24), st.sampled_from(list(Level)),
                               st.integers(0, 2)), max_size=50))
def test_whatever_is_accepted_every_quota_rule_holds(
    members: int, groups: int, outstanding: bool, rules: list[QuotaRule],
    asks: list[tuple[int, Level, int]],
) -> None:
    period = _period(members, Policy(version="p", name="p", quotas=tuple(rules)), groups,
                     outstanding)
    for index, level, grant in asks:
        staff = period.members[index % members]
        if grant:  # sometimes the higher level grants an exception first
            rule = rules[index % len(rules)]
            with contextlib.suppress(ValidationFailedError):  # more slots than people
                period.grant_quota_exception(Level(rule.level), period.scope_of(rule, staff),
                                             grant, "ngoại lệ", "cấp trên")
        if str(staff) in period.decisions:
            continue
        with contextlib.suppress(QuotaExceededError):
            period.register_decision(staff, level)
    for rule in rules:
        for scope in {period.scope_of(rule, m) for m in period.members}:
            taken, cap = period.quota_room(rule, scope)
            assert taken <= cap


# Scoring ------------------------------------------------------------------------------


def test_the_self_score_follows_the_criteria_and_task_results() -> None:
    tasks = [TaskResult("Báo cáo", 1, 100, True), TaskResult("Kế hoạch", 1, 100, False)]
    # 20 discipline + 70 × (1 + 0.75) / 2 results + 5 bonus
    assert self_score(HANOI_MONTHLY_2018, {"discipline": 20, "bonus": 5}, tasks) == 86.25


def test_points_above_a_criterion_weight_are_refused() -> None:
    with pytest.raises(ValidationFailedError):
        self_score(HANOI_MONTHLY_2018, {"discipline": 25}, [])
    with pytest.raises(ValidationFailedError):
        self_score(HANOI_MONTHLY_2018, {"creativity": 5}, [])


@settings(deadline=None)
@given(points=st.fixed_dictionaries({"discipline": st.floats(0, 20), "bonus": st.floats(0, 10)}),
       tasks=st.lists(st.builds(TaskResult, title=st.just("t"),
                                quality=st.floats(0, 100) | st.none(),
                                on_time=st.booleans() | st.none()), max_size=8))
def test_a_self_score_stays_on_the_scale_and_lateness_never_helps(
    points: dict[str, float], tasks: list[TaskResult],
) -> None:
    score = self_score(HANOI_MONTHLY_2018, points, tasks)
    assert 0 <= score <= 100
    on_time = [TaskResult(t.title, t.quantity, t.quality, True) for t in tasks]
    assert self_score(HANOI_MONTHLY_2018, points, on_time) >= score


def test_a_self_assessment_by_criteria_records_the_computed_score() -> None:
    evaluation = _evaluation("monthly")
    evaluation.submit_self_assessment(None, [{"title": "BC", "quality_percent": 90}], "",
                                      HANOI_MONTHLY_2018, {"discipline": 18, "bonus": 0})
    assert evaluation.self_score == 81
    assert evaluation.self_level == "B"


# Eligibility and decision rules ---------------------------------------------------------

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def test_fewer_than_six_months_worked_is_not_rated() -> None:
    evaluation = _evaluation()
    eligibility = assess(_staff(start=date(2026, 8, 1)), *YEAR, annual=True)
    with pytest.raises(NotEligibleError):
        evaluation.decide(Level.C, 60, "", NATIONAL_ANNUAL_2026, "", eligibility)
    assert evaluation.level is None


def test_maternity_leave_does_not_count_as_time_away() -> None:
    staff = _staff()
    staff.record_absence(date(2026, 1, 1), date(2026, 7, 31), True, "thai sản")
    assert assess(staff, *YEAR, annual=True).eligible
    assert assess(staff, *YEAR, annual=True).cap is None


def test_absent_three_to_six_months_is_capped_at_completed() -> None:
    staff = _staff()
    staff.record_absence(date(2026, 3, 1), date(2026, 6, 30), False, "ốm dài ngày")
    eligibility = assess(staff, *YEAR, annual=True)
    evaluation = _evaluation()
    with pytest.raises(EligibilityCapError):
        evaluation.decide(Level.B, 80, "", NATIONAL_ANNUAL_2026, "", eligibility)
    evaluation.decide(Level.C, 80, "", NATIONAL_ANNUAL_2026, "", eligibility)


def test_discipline_in_the_year_means_not_completed() -> None:
    staff = _staff()
    staff.record_discipline(date(2026, 5, 10), "khiển trách", "QĐ 15/QĐ-UBND")
    eligibility = assess(staff, *YEAR, annual=True)
    evaluation = _evaluation()
    with pytest.raises(EligibilityCapError):
        evaluation.decide(Level.C, 60, "", NATIONAL_ANNUAL_2026, "", eligibility)
    evaluation.decide(Level.D, 60, "Bị kỷ luật khiển trách", NATIONAL_ANNUAL_2026, "",
                      eligibility)
    assert assess(staff, date(2027, 1, 1), date(2027, 12, 31), annual=True).forced is None


def test_reasons_required_when_the_decision_departs_from_the_proposal() -> None:
    evaluation = _evaluation("monthly")
    evaluation.propose(Level.B, 85, "Tích cực", "Còn chậm", HANOI_MONTHLY_2018, "hr")
    with pytest.raises(ReasonsRequiredError):
        evaluation.decide(Level.C, 85, "", HANOI_MONTHLY_2018)
    evaluation.decide(Level.C, 85, "Chưa đạt chỉ tiêu quý", HANOI_MONTHLY_2018, "Chủ tịch")
    assert evaluation.level == "C"


def test_no_one_proposes_or_gives_a_colleague_opinion_on_their_own_evaluation() -> None:
    evaluation = _evaluation("monthly")
    with pytest.raises(SelfRatingError):
        evaluation.propose(Level.A, 95, "", "", HANOI_MONTHLY_2018, str(evaluation.staff_id))
    with pytest.raises(SelfRatingError):
        evaluation.attach_opinion("colleague", str(evaluation.staff_id), "tốt", None)
    evaluation.attach_opinion("colleague", "someone-else", "nhiệt tình", None)
    assert evaluation.opinions == 1
