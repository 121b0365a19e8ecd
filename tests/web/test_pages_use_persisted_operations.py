"""The pages reach data only through persisted operations of graphql/operations/, and the
browser tests run every one of them (tests/e2e/test_operations_contract.py reads this file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.operations import OPERATIONS

pytestmark = pytest.mark.unit

WEB = Path(__file__).resolve().parents[2] / "services" / "http" / "web"

WORK = "test_a_month_of_work_from_assignment_to_the_breakdown_in_the_browser"

# Operation → the browser test that runs it (through the page that uses it).
RUN_BY = {
    "WebMe": "every page",
    "WebMyMonths": "test_staff_member_self_assesses_and_a_refusal_lands_on_the_field",
    "WebPeriod": "test_each_demo_role_signs_in_to_their_own_home",
    "WebHrPeriod": "test_hr_opens_and_publishes_a_month_and_the_staff_member_sees_the_result",
    "WebSelfAssess": "test_staff_member_self_assesses_and_a_refusal_lands_on_the_field",
    "WebLeaderBoard": "test_leader_decides_the_whole_board_in_one_act_refused_on_the_over_"
                      "quota_line",
    "WebQuotaUse": "test_leader_decides_the_whole_board_in_one_act_refused_on_the_over_quota_line",
    "WebEvaluationFile": "test_leader_decides_the_whole_board_in_one_act_refused_on_the_over_"
                         "quota_line",
    "DecideRatings": "test_leader_decides_the_whole_board_in_one_act_refused_on_the_over_"
                     "quota_line",
    "WebTracker": "test_hr_opens_and_publishes_a_month_and_the_staff_member_sees_the_result",
    "OpenPeriod": "test_hr_opens_and_publishes_a_month_and_the_staff_member_sees_the_result",
    "PublishPeriod": "test_hr_opens_and_publishes_a_month_and_the_staff_member_sees_the_result",
    "ClosePeriod": "test_hr_closes_a_month",
    "MyPendingWork": "test_each_demo_role_signs_in_to_their_own_home",
    "FileAppeal": "test_staff_member_appeals_a_published_result",
    "WebUnitStaff": "test_auditor_reads_a_timeline_and_a_board_as_of_a_date",
    "WebPersonTimeline": "test_auditor_reads_a_timeline_and_a_board_as_of_a_date",
    "WebBoardAsOf": "test_auditor_reads_a_timeline_and_a_board_as_of_a_date",
    "AuditVerify": "test_auditor_reads_a_timeline_and_a_board_as_of_a_date",
    "WebAppeal": "test_an_appeal_goes_from_question_to_the_level_above",
    "AcceptAppeal": "test_an_appeal_goes_from_question_to_the_level_above",
    "RequestAppealInformation": "test_an_appeal_goes_from_question_to_the_level_above",
    "DecideAppeal": "test_an_appeal_goes_from_question_to_the_level_above",
    "ProvideAppealInformation": "test_an_appeal_goes_from_question_to_the_level_above",
    "EscalateAppeal": "test_an_appeal_goes_from_question_to_the_level_above",
    "WebAccountability": "test_a_leader_reads_their_accountability_record",  # and the auditor's
    "WebMyResultsLive": "test_the_staff_member_sees_the_result_arrive",
    "Trend": "test_a_ward_sees_its_own_months_in_charts",
    "ChildTenantTrend": "test_a_district_sees_its_wards_late_first_in_charts",
    "WebRegister": "test_hr_registers_a_unit_and_a_person_in_it",
    "WebRegisterUnit": "test_hr_registers_a_unit_and_a_person_in_it",
    "WebRegisterStaff": "test_hr_registers_a_unit_and_a_person_in_it",
    "WebPolicy": "test_hr_reads_the_policy_and_opens_the_round_of_collectives",
    "WebCollective": "test_hr_reads_the_policy_and_opens_the_round_of_collectives",
    "WebOpenCollectiveRound": "test_hr_reads_the_policy_and_opens_the_round_of_collectives",
    "MyWork": WORK,
    "ReportWorkDone": WORK,
    "UnitWorkBoard": WORK,
    "AssignWork": WORK,
    "ConfirmWork": WORK,
    "WebScoreBreakdown": WORK,
    "WebWorkCatalogue": WORK,
    "ReassignWork": "test_the_leader_reassigns_and_cancels_with_reasons_and_sets_the_quantity_"
                    "confirmed",
    "CancelWork": "test_the_leader_reassigns_and_cancels_with_reasons_and_sets_the_quantity_"
                  "confirmed",
    "WebPendingProvinceVersions": "test_hr_applies_the_provinces_new_catalogue_from_the_home_"
                                  "page",
    "InheritProvinceCatalogue": "test_hr_applies_the_provinces_new_catalogue_from_the_home_page",
    "WebWorkCycles": "test_a_ward_tracking_quarterly_sees_the_quarter_on_its_work_board",
}


def _used_by_pages() -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in WEB.glob("*.py"))
    # Any quoted name of an operation file: pages also pick operations from tables
    # (hr.ACTIONS, appeals.FORMS), not only in ``run("…")``.
    named = set(re.findall(r'"([A-Z]\w+)"', text)) & {p.stem for p in OPERATIONS.glob("*.graphql")}
    return set(re.findall(r'run\("(\w+)"', text)) | named


def test_every_operation_a_page_runs_is_a_persisted_document() -> None:
    missing = [n for n in _used_by_pages() if not (OPERATIONS / f"{n}.graphql").exists()]
    assert missing == []


def test_every_operation_a_page_runs_is_run_by_a_browser_test() -> None:
    assert _used_by_pages() == set(RUN_BY)
