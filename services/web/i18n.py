"""The pages' words: Vietnamese first, English on request (``?lang=en``, kept in a cookie).
Names of levels come from the tenant's policy, never from here."""

from __future__ import annotations

from collections.abc import Callable

WORDS: dict[str, tuple[str, str]] = {
    "app": ("Công Tâm", "Công Tâm"),
    "todo": ("Việc cần làm", "What to do now"),
    "my_month": ("Tự đánh giá", "Self-assessment"),
    "my_results": ("Kết quả của tôi", "My results"),
    "board": ("Xếp loại đơn vị", "Rate my unit"),
    "periods": ("Kỳ đánh giá", "Periods"),
    "tracker": ("Tiến độ", "Completion"),
    "audit": ("Thanh tra", "Audit"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sign_in_as": ("Đăng nhập với tư cách", "Sign in as"),
    "dev_login_note": ("Chế độ thử nghiệm: chọn một người dùng mẫu.",
                       "Development mode: choose a demo user."),
    "oidc_login": ("Đăng nhập qua hệ thống định danh", "Sign in with the identity provider"),
    "no_login": ("Chưa cấu hình cách đăng nhập.", "No way to sign in is configured."),
    "tenant": ("Địa phương", "Tenant"),
    "switch_tenant": ("Chuyển địa phương", "Switch tenant"),
    "name": ("Họ tên", "Name"),
    "role": ("Vai trò", "Role"),
    "unit": ("Đơn vị", "Unit"),
    "month": ("Tháng", "Month"),
    "deadline": ("Hạn", "Due"),
    "overdue": ("Quá hạn", "Overdue"),
    "done": ("Đã xong", "Done"),
    "not_yet": ("Chưa làm", "Not yet"),
    "self_assess_by": ("Tự đánh giá tháng này", "Self-assess this month"),
    "rate_unit": ("Xếp loại cán bộ của đơn vị", "Rate the unit's staff"),
    "appeals_waiting": ("Khiếu nại đang chờ", "Appeals waiting"),
    "open_period": ("Mở kỳ", "Open the month"),
    "follow_month": ("Theo dõi tiến độ tháng", "Follow the month's completion"),
    "publish": ("Công khai kết quả", "Publish results"),
    "close": ("Khóa sổ", "Close"),
    "nothing": ("Không có việc nào.", "Nothing waiting."),
    "score": ("Điểm tự chấm", "Self-score"),
    "decision_score": ("Điểm", "Score"),
    "score_hint": ("Bỏ trống để tính theo tiêu chí.", "Leave empty to add up the criteria."),
    "criteria": ("Điểm theo tiêu chí", "Points by criterion"),
    "tasks": ("Kết quả thực hiện nhiệm vụ", "Task results"),
    "task_title": ("Công việc", "Task"),
    "quantity": ("Số lượng", "Quantity"),
    "quality": ("Chất lượng", "Quality"),
    "on_time": ("Đúng hạn", "On time"),
    "evidence": ("Minh chứng", "Evidence"),
    "note": ("Ghi chú", "Note"),
    "submit": ("Gửi", "Submit"),
    "submit_self": ("Nộp phiếu tự đánh giá", "Submit the self-assessment"),
    "saved": ("Đã ghi nhận.", "Recorded."),
    "already_saved": ("Đã ghi nhận trước đó; không ghi lại lần nữa.",
                      "Already recorded; not written twice."),
    "history": ("Lịch sử xếp loại", "Rating history"),
    "status": ("Trạng thái", "Status"),
    "level": ("Mức xếp loại", "Level"),
    "decided_by": ("Người quyết định", "Decided by"),
    "reasons": ("Lý do", "Reasons"),
    "appeal": ("Khiếu nại", "Appeal"),
    "grounds": ("Lý do khiếu nại", "Grounds"),
    "level_claimed": ("Mức đề nghị", "Level claimed"),
    "file_appeal": ("Gửi khiếu nại", "File the appeal"),
    "self_score": ("Tự chấm", "Self"),
    "proposal": ("Đề xuất", "Proposal"),
    "opinions": ("Ý kiến", "Opinions"),
    "decision": ("Quyết định", "Decision"),
    "decide_board": ("Quyết định cả bảng", "Decide the whole board"),
    "quota": ("Tỷ lệ", "Quota"),
    "quota_used": ("đã dùng", "used"),
    "quota_of": ("trên tối đa", "of at most"),
    "over_quota": ("Vượt tỷ lệ", "Over the quota"),
    "choose": ("— chọn —", "— choose —"),
    "not_assessed": ("Chưa tự đánh giá", "Not self-assessed"),
    "not_rated": ("Chưa được xếp loại", "Not rated"),
    "board_refused": ("Không ghi gì: xem lỗi ở từng dòng bên dưới.",
                      "Nothing was written: see each refused line below."),
    "board_stale": ("Bảng đã thay đổi từ khi bạn mở; đây là trạng thái hiện tại.",
                    "The board changed since you opened it; this is its current state."),
    "not_open": ("Chưa mở kỳ", "Not opened"),
    "members": ("Số người", "People"),
    "self_assessed": ("Đã tự đánh giá", "Self-assessed"),
    "decided": ("Đã quyết định", "Decided"),
    "published": ("Đã công khai", "Published"),
    "timeline": ("Quá trình đánh giá", "Timeline"),
    "board_as_of": ("Bảng xếp loại tại thời điểm", "Board as of"),
    "as_of": ("Tại thời điểm", "As of"),
    "show": ("Xem", "Show"),
    "person": ("Người", "Person"),
    "chain": ("Kiểm tra chuỗi băm", "Chain verification"),
    "chain_ok": ("Chuỗi nguyên vẹn", "Chain intact"),
    "chain_broken": ("Chuỗi bị phá vỡ", "Chain broken"),
    "events": ("sự kiện", "events"),
    "when": ("Thời gian", "When"),
    "who": ("Người thực hiện", "Who"),
    "capacity": ("Tư cách", "Capacity"),
    "what": ("Việc", "What"),
    "lang_other": ("English", "Tiếng Việt"),
    "session_expired": ("Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.",
                        "Your session has expired; please sign in again."),
    "csrf": ("Biểu mẫu đã hết hạn; vui lòng thử lại.", "The form expired; please try again."),
    "must_be_number": ("Phải là một số.", "Must be a number."),
    "required": ("Bắt buộc.", "Required."),
    "your_name": ("Người dùng", "User"),
    "menu": ("Mục lục", "Menu"),
    "skip": ("Bỏ qua, tới nội dung", "Skip to content"),
}

STATUS: dict[str, tuple[str, str]] = {
    "pending": ("Chưa tự đánh giá", "Not self-assessed"),
    "self_assessed": ("Đã tự đánh giá", "Self-assessed"),
    "proposed": ("Đã đề xuất", "Proposed"),
    "decided": ("Đã quyết định", "Decided"),
    "published": ("Đã công khai", "Published"),
    "open": ("Đang mở", "Open"),
    "closed": ("Đã khóa sổ", "Closed"),
    "amended": ("Đã sửa sau khiếu nại", "Amended on appeal"),
    "opened": ("Mở kỳ", "Opened"),
    "proposed_rating": ("Đề xuất", "Proposed"),
    "opinion": ("Ý kiến", "Opinion"),
}

ROLES: dict[str, tuple[str, str]] = {
    "staff": ("Cán bộ", "Staff"),
    "unit_leader": ("Lãnh đạo đơn vị", "Unit leader"),
    "hr_officer": ("Cán bộ tổ chức", "HR officer"),
    "appeal_reviewer": ("Người giải quyết khiếu nại", "Appeal reviewer"),
    "auditor": ("Thanh tra", "Auditor"),
    "platform_admin": ("Quản trị", "Platform admin"),
}


def language(value: str | None) -> str:
    return "en" if value == "en" else "vi"


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = WORDS.get(key) or STATUS.get(key) or ROLES.get(key)
        return pair[index] if pair else key

    return t
