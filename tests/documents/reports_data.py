"""A month's board, a year and the upward reports, as the integrator would fill them."""

from __future__ import annotations

from datetime import date

from domain.levels import Level
from domain.organisation import StaffType
from services.reports import inputs

MONTH_ROWS = (
    inputs.UnitMonthRow("Nguyễn Thị Hằng", "Chánh Văn phòng", 95, 95, Level.A, Level.A),
    inputs.UnitMonthRow("Lê Văn Ân", "Chuyên viên", 92, 84.5, Level.B, Level.A,
                        "Báo cáo quý nộp trễ 3 ngày; không có nguyên nhân khách quan"),
    inputs.UnitMonthRow("Trần Ngọc Ánh", "Văn thư", 75, 75, Level.B, Level.B, "không in"),
    inputs.UnitMonthRow("Phạm Quốc Đạt", "Chuyên viên", 60, 45, Level.D, Level.C,
                        "Không hoàn thành 2 nhiệm vụ được giao"),
    inputs.UnitMonthRow("Đỗ Thu Hương", "Kế toán", None, None, None),
)

MONTH = inputs.UnitMonthReport(
    tenant_name="UBND phường Hoàn Kiếm", unit_name="Văn phòng HĐND và UBND", year=2026,
    month=11, position=48213, rows=MONTH_ROWS, prepared_by="Vũ Thị Lập",
    head_name="Hoàng Văn Thủ", place="Hoàn Kiếm", signed_on=date(2026, 12, 5))

FORM = inputs.SelfAssessmentForm(
    tenant_name="UBND phường Hoàn Kiếm", unit_name="Văn phòng HĐND và UBND", year=2026,
    position=50001, full_name="Nguyễn Thị Hằng", job_title="Chánh Văn phòng",
    staff_type=StaffType.CIVIL_SERVANT,
    political_qualities="Chấp hành nghiêm chủ trương, đường lối của Đảng.",
    ethics_lifestyle="Giản dị, trung thực.", working_style="Khoa học, đúng giờ.",
    discipline="Chấp hành nghiêm nội quy cơ quan.",
    task_results="Hoàn thành 100% nhiệm vụ, 40% vượt tiến độ.",
    leadership_results="Đơn vị hoàn thành tốt nhiệm vụ.", strengths="Chủ động.",
    shortcomings="Đôi khi chậm báo cáo.", self_score=93, self_level=Level.A,
    leader_comment="Đồng ý với tự đánh giá.", leader_name="Hoàng Văn Thủ",
    decided_level=Level.A, decided_score=92, decision_reasons="Đủ tiêu chuẩn.",
    place="Hoàn Kiếm", signed_on=date(2026, 12, 10))

YEAR = inputs.UnitYearReport(
    tenant_name="UBND phường Hoàn Kiếm", unit_name="Văn phòng HĐND và UBND", year=2026,
    position=50200,
    rows=(inputs.UnitYearRow("Nguyễn Thị Hằng", "Chánh Văn phòng", {Level.A: 10, Level.B: 2},
                             92, Level.A),
          inputs.UnitYearRow("Lê Văn Ân", "Chuyên viên", {Level.B: 12}, 81, Level.B,
                             "Nghỉ 1 tháng")),
    collectives=(inputs.CollectiveRow("Chi bộ Văn phòng", Level.A, "Trong sạch, vững mạnh"),
                 inputs.CollectiveRow("Tập thể lãnh đạo Văn phòng", Level.B)),
    prepared_by="Vũ Thị Lập", head_name="Hoàng Văn Thủ", place="Hoàn Kiếm",
    signed_on=date(2026, 12, 14))

COMMUNE = inputs.CommuneMonthReport(
    tenant_name="UBND xã Mỹ Đức", recipient="Sở Nội vụ thành phố Hà Nội", year=2026, month=11,
    position=9000,
    units=(inputs.UnitCompliance("Văn phòng HĐND và UBND", 12, 12, 12,
                                 {Level.A: 3, Level.B: 8, Level.C: 1}),
           inputs.UnitCompliance("Hội Liên hiệp Phụ nữ", 4, 3, 0, {}, late=True),
           inputs.UnitCompliance("Đoàn Thanh niên", 4, 4, 4, {Level.B: 4})),
    prepared_by="Vũ Thị Lập", head_name="Hoàng Văn Thủ", place="Mỹ Đức")

PROVINCE = inputs.ProvinceMonthRollup(
    tenant_name="UBND thành phố Hà Nội", unit_name="Sở Nội vụ", year=2026, month=11,
    position=777,
    communes=(inputs.CommuneCounts("Xã Mỹ Đức", 3, 20, 16,
                                   {Level.A: 3, Level.B: 12, Level.C: 1}, 1),
              inputs.CommuneCounts("Phường Hoàn Kiếm", 8, 120, 120,
                                   {Level.A: 20, Level.B: 90, Level.C: 8, Level.D: 2}, 0)),
    prepared_by="Trần Văn Tổng", head_name="Giám đốc Sở", place="Hà Nội",
    signed_on=date(2026, 12, 8))

ALL = (MONTH, FORM, YEAR, COMMUNE, PROVINCE)
