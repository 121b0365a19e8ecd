"""The score computed from work (Decree 335/2025 art. 13–15) and Quy định 366's conditions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalogue import Catalogue, CatalogueItem
from domain.errors import ScoreOutOfRangeError
from domain.levels import Level, ScoreBands
from domain.party_rules import allowed_level, party_cap
from domain.policy import PRESETS, Policy
from domain.staff_rules import PARTY_MEMBER, SELF_SCORED, WORK_OUTPUTS
from domain.work_item import Quality, Timeliness, WorkItem
from domain.work_policy import LEGACY, WorkScoring
from domain.work_score import ItemOutcome, compute, needs_reasons

pytestmark = pytest.mark.unit
SCORING, BANDS = WorkScoring(), ScoreBands()
STAFF, LEADER = uuid.uuid4(), str(uuid.uuid4())


def _month() -> list[ItemOutcome]:
    """March 2026 of a commune's justice and civil-status officer, through the aggregates."""
    catalogue = Catalogue("catalogue/1", (
        CatalogueItem("ho-tich", "Tư pháp – hộ tịch", "Giải quyết hồ sơ hộ tịch", "hồ sơ", 1.0),
        CatalogueItem("bao-cao", "Tư pháp – hộ tịch", "Báo cáo chuyên đề", "báo cáo", 4.0)),
        ad_hoc_min=0.5, ad_hoc_max=3.0)

    def item(quantity: float, key: str | None = None, coefficient: float | None = None,
             title: str = "") -> WorkItem:
        return WorkItem.assign(uuid.uuid4(), catalogue, uuid.uuid4(), STAFF, LEADER, "monthly",
                               2026, 3, date(2026, 3, 2), date(2026, 3, 25), quantity,
                               catalogue_key=key, coefficient=coefficient, title=title)

    civil = item(20, "ho-tich")
    civil.report_done(str(STAFF), 20, date(2026, 3, 24), "Sổ đăng ký hộ tịch")
    civil.confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME)
    report = item(2, "bao-cao")
    report.report_done(str(STAFF), 2, date(2026, 3, 20), "BC 12, BC 13")
    report.confirm(LEADER, Quality.FAILS, Timeliness.ON_TIME, comment="Sai số liệu quý I")
    check = item(5, coefficient=2.0, title="Kiểm tra chứng thực tại thôn")
    check.report_done(str(STAFF), 4, date(2026, 3, 27), "Biên bản 4 thôn")
    check.confirm(LEADER, Quality.MEETS, Timeliness.LATE)
    flood = item(2, coefficient=1.0, title="Rà soát hồ sơ sau bão")
    flood.report_done(str(STAFF), 2, date(2026, 3, 28), "")
    flood.confirm(LEADER, Quality.MEETS, Timeliness.LATE, timeliness_waived=True,
                  waiver_reasons="Bão số 3: trụ sở mất điện 4 ngày")
    cancelled = item(3, "ho-tich")
    cancelled.cancel("Chuyển sang bộ phận một cửa")
    outcomes = [i.outcome() for i in (civil, report, check, flood, cancelled)]
    return [o for o in outcomes if o is not None]


def test_worked_example_of_one_persons_month_gives_the_hand_computed_breakdown() -> None:
    # Decree 335/2025 art. 13–14 as summarised by the press (laodong.vn, vietnamnet.vn,
    # 25 Dec 2025): quantity, quality and timeliness are percentages of converted work;
    # each failed assessment costs 25 % of that item's quality points, each delay 25 % of
    # its timeliness points, waived for an accepted objective cause; results = 70·(a+b+c)/300.
    #
    # Assigned (converted = quantity × coefficient); the cancelled item does not count:
    #   civil status 20 × 1 = 20, reports 2 × 4 = 8, checks 5 × 2 = 10, review 2 × 1 = 2
    #   U = 40.  Completed: 20, 8, 4 × 2 = 8, 2  → each item's share 100·c/U = 50, 20, 20, 5.
    # a (quantity)   = 50 + 20 + 20 + 5                  = 95
    # b (quality)    = 95 − 25 % × 20 (reports failed)    = 90
    # c (timeliness) = 95 − 25 % × 20 (checks late)       = 90  (the review's delay waived)
    # results = 70 × (95 + 90 + 90) / 300 = 64.1666… → 64.17
    # score = 25 (general criteria, confirmed) + 64.17 = 89.17 → B (≥ 70, < 90)
    # per item, points = 70/300 × (3·share − deductions): 35, 12.8333, 12.8333, 3.5
    breakdown = compute(SCORING, BANDS, _month(), general=25)
    assert (breakdown.assigned_units, breakdown.completed_units) == (40, 38)
    assert (breakdown.quantity_percent, breakdown.quality_percent,
            breakdown.timeliness_percent) == (95, 90, 90)
    assert (breakdown.quality_deduction, breakdown.timeliness_deduction) == (5, 5)
    assert (breakdown.results_points, breakdown.score, breakdown.level) == \
        (64.17, 89.17, Level.B)
    lines = [(i.assigned_units, i.completed_units, i.quality, i.timeliness,
              i.quality_deduction, i.timeliness_deduction, round(i.points, 2))
             for i in breakdown.items]
    assert lines == [(20, 20, "meets", "on_time", 0, 0, 35.0),
                     (8, 8, "fails", "on_time", 5, 0, 12.83),
                     (10, 8, "meets", "late", 0, 5, 12.83),
                     (2, 2, "meets", "waived", 0, 0, 3.5)]
    assert needs_reasons(Level.A, breakdown)
    assert not needs_reasons(Level.B, breakdown)


def test_a_leaders_score_counts_the_unit_in_full_only_when_every_subordinate_completed() -> None:
    # Leader with the same month: 70 × (95 + 90 + 90 + unit + organisation 100) / 500.
    full = compute(SCORING, BANDS, _month(), 25, [Level.B, Level.C], organisation_percent=100)
    half = compute(SCORING, BANDS, _month(), 25, [Level.B, Level.D], organisation_percent=100)
    assert (full.unit_percent, full.results_points) == (100, 66.5)  # 70 × 475 / 500
    assert (half.unit_percent, half.results_points) == (50, 59.5)  # 70 × 425 / 500
    custom = replace(SCORING, unit_partial_share=0.25)
    assert compute(custom, BANDS, _month(), 25, [Level.D]).unit_percent == 25


def test_unconfirmed_work_is_pending_and_counts_as_not_completed() -> None:
    pending = ItemOutcome("1", "Hồ sơ", 10, 1.0, completed_quantity=10, confirmed=False)
    breakdown = compute(SCORING, BANDS, [pending], 30)
    assert breakdown.items[0].quality == "pending"
    assert breakdown.results_points == 0


def test_general_points_outside_the_criterion_are_refused() -> None:
    with pytest.raises(ScoreOutOfRangeError):
        compute(SCORING, BANDS, _month(), general=31)


outcomes = st.lists(st.builds(
    ItemOutcome, item_id=st.uuids().map(str), title=st.just("x"),
    expected_quantity=st.floats(0.5, 50), coefficient=st.floats(0.1, 5),
    completed_quantity=st.floats(0, 100), confirmed=st.booleans(),
    quality_failures=st.integers(0, 6), quality_waived=st.booleans(),
    delays=st.integers(0, 6), timeliness_waived=st.booleans()), min_size=0, max_size=8)
leaders = st.one_of(st.none(), st.lists(st.sampled_from(list(Level)), max_size=5))


@given(outcomes, st.floats(0, 30), leaders, st.one_of(st.none(), st.floats(0, 100)))
def test_the_computed_score_is_within_0_and_100(items: list[ItemOutcome], general: float,
                                               subordinates: list[Level] | None,
                                               organisation: float | None) -> None:
    breakdown = compute(SCORING, BANDS, items, general, subordinates, organisation)
    assert 0 <= breakdown.score <= 100
    assert 0 <= breakdown.results_points <= SCORING.results_points
    assert breakdown.level is BANDS.level_for(breakdown.score)


@given(outcomes, st.floats(0, 30), st.data())
def test_the_computed_score_is_monotone_in_completed_work(
        items: list[ItemOutcome], general: float, data: st.DataObject) -> None:
    if not items:
        return
    index = data.draw(st.integers(0, len(items) - 1))
    more = data.draw(st.floats(0, 50))
    better = list(items)
    better[index] = replace(items[index], completed_quantity=items[index].completed_quantity
                            + more)
    before = compute(SCORING, BANDS, items, general)
    after = compute(SCORING, BANDS, better, general)
    assert after.score >= before.score
    assert after.quantity_percent >= before.quantity_percent


@given(outcomes, st.floats(0, 30))
def test_each_deduction_never_exceeds_its_component(items: list[ItemOutcome],
                                                   general: float) -> None:
    breakdown = compute(SCORING, BANDS, items, general)
    for line in breakdown.items:
        assert 0 <= line.quality_deduction <= line.quality_percent + 1e-9
        assert 0 <= line.timeliness_deduction <= line.timeliness_percent + 1e-9
    for deduction, component in ((breakdown.quality_deduction, breakdown.quality_percent),
                                 (breakdown.timeliness_deduction,
                                  breakdown.timeliness_percent)):
        assert 0 <= deduction <= breakdown.quantity_percent + 1e-9 <= 100 + 1e-9
        assert component >= 0


def _done(expected: float, completed: float, delays: int = 0,
          waived: bool = False) -> ItemOutcome:
    return ItemOutcome("i", "x", expected, 1.0, completed, True, 0, False, delays, waived)


def test_a_party_member_is_rated_excellent_only_with_all_on_time_and_30_percent_exceeding(
) -> None:
    rules = PRESETS["vn-monthly-2026"].work_policy.rules_for(PARTY_MEMBER)
    on_time = [_done(10, 10), _done(10, 10), _done(10, 13)]  # 1 of 3 exceeds: 33 %
    assert party_cap(rules, on_time).cap is None
    assert party_cap(rules, [*on_time, _done(10, 10)]).cap is Level.B  # 1 of 4: 25 %
    late = [_done(10, 13), _done(10, 10, delays=1)]
    assert party_cap(rules, late).cap is Level.C
    assert allowed_level(Level.A, party_cap(rules, late)) is Level.C
    assert party_cap(rules, [_done(10, 13), _done(10, 10, 1, waived=True)]).cap is None


def test_the_computation_is_chosen_by_policy_and_staff_type() -> None:
    national = PRESETS["vn-monthly-2026"].work_policy
    assert national.rules_for("civil_servant").score_method == WORK_OUTPUTS
    assert national.rules_for("cadre").score_method == SELF_SCORED
    assert national.rules_for("public_employee").score_method == SELF_SCORED
    # A period opened before 2026 carries no work part: everyone as today.
    old = PRESETS["hn-monthly-2018"].to_state()
    del old["work"]
    assert Policy.from_state(old).work_policy == LEGACY
    assert LEGACY.rules_for("civil_servant").score_method == SELF_SCORED
