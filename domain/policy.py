"""Evaluation policy: the rules a tenant judges by, versioned.

Every period records the policy it was opened under, and every decision the version it
was judged by, so a replay of 2019 judges 2019 decisions by 2019 rules (domain: "Policies
change … a policy is versioned"). Presets follow the public texts; a tenant adopts one and
adjusts it (``domain.tenant_policy``), each adjustment being a new version.

A policy is a frozen value: ``to_state``/``from_state`` round-trip it through events, and
``from_state`` fills fields added later with their defaults so that periods opened under an
older shape of the policy still load.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.levels import Level, ScoreBands
from domain.work_policy import NATIONAL_2026, WorkPolicy

# Roll-up methods (monthly → quarterly → annual). The default is documented in ROLLUP_METHODS:
# Hanoi 3814 says monthly results are "the main basis" without a formula, so it is policy.
AVERAGE_SCORE = "average_score"
MAJORITY_LEVEL = "majority_level"
LOWEST_LEVEL = "lowest_level"
ROLLUP_METHODS = {
    AVERAGE_SCORE: "Điểm trung bình các kỳ, mức theo khung điểm (mặc định)",
    MAJORITY_LEVEL: "Mức đạt được nhiều kỳ nhất (hòa thì lấy mức thấp hơn)",
    LOWEST_LEVEL: "Mức thấp nhất trong các kỳ",
}

# Quota bases: the number the share is taken of.
BASE_RATED = "rated"  # everyone to be rated in the scope (Hanoi: A ≤ 30% of those rated)
BASE_GOOD = "good"  # those decided "good" in the scope (Decree 90/335: A ≤ 20% of B)
SCOPE_UNIT = "unit"
SCOPE_PEER_GROUP = "peer_group"


@dataclass(frozen=True)
class Criterion:
    """One group of criteria and its weight in points (tiêu chí và điểm tối đa)."""

    key: str
    label_vi: str
    max_points: float
    bonus: bool = False  # bonus points (điểm thưởng) may lift a score, never past 100


@dataclass(frozen=True)
class QuotaRule:
    """"At most ``share`` of ``base`` may be rated ``level``, per ``scope``".

    ``outstanding_share`` is the higher cap of a unit flagged outstanding (Hanoi 3814:
    40% instead of 30%); ``None`` means no difference.
    """

    level: str = "A"
    share: float = 0.30
    base: str = BASE_RATED
    scope: str = SCOPE_UNIT
    outstanding_share: float | None = None

    def cap(self, base_count: int, outstanding: bool = False) -> int:
        """How many ``level`` ratings a scope with ``base_count`` may hold (rounded down)."""
        share = self.outstanding_share if outstanding and self.outstanding_share else self.share
        return int(base_count * share + 1e-9)

    def describe_vi(self) -> str:
        base = "số người được đánh giá" if self.base == BASE_RATED else "số người xếp loại tốt"
        scope = "đơn vị" if self.scope == SCOPE_UNIT else "nhóm có nhiệm vụ tương đồng"
        return (f"Mức '{Level(self.level).label_vi}' không quá {self.share:.0%} {base} "
                f"trong {scope}")


HANOI_CRITERIA = (
    Criterion("discipline", "Ý thức tổ chức kỷ luật, đạo đức, lối sống", 20),
    Criterion("results", "Kết quả thực hiện nhiệm vụ", 70),
    Criterion("bonus", "Điểm thưởng (sáng tạo, vượt tiến độ)", 10, bonus=True),
)
NATIONAL_CRITERIA = (
    Criterion("general", "Tiêu chí chung (chính trị, đạo đức, tác phong, kỷ luật)", 30),
    Criterion("results", "Kết quả thực hiện nhiệm vụ", 70),
)


DEFAULT_LEVEL_LABELS: tuple[tuple[str, str], ...] = tuple((lv.value, lv.label_vi) for lv in Level)
HANOI_LEVEL_LABELS: tuple[tuple[str, str], ...] = tuple(
    (lv.value, f"Loại {lv.value} – {lv.label_vi}") for lv in Level)


@dataclass(frozen=True)
class Policy:
    version: str
    name: str
    bands: ScoreBands = field(default_factory=ScoreBands)
    # Kept for periods opened before quota rules existed: the unit's A share of those rated.
    excellent_share: float = 0.30
    # Days after the period ends by which staff should have self-assessed (negative: before
    # the end, e.g. the annual round closes before 15 December).
    self_assessment_days: int = 5
    # Days after the period ends by which the leader should have decided.
    decision_days: int = 10
    kind: str = "monthly"  # the cycle the preset was written for
    criteria: tuple[Criterion, ...] = HANOI_CRITERIA
    quotas: tuple[QuotaRule, ...] = (QuotaRule("A", 0.30, BASE_RATED, SCOPE_UNIT, 0.40),)
    rollup_method: str = AVERAGE_SCORE
    # A late or failed task item costs this share of its points (Decree 335).
    late_task_penalty: float = 0.25
    # Appeals (khiếu nại) — unconfirmed in the public texts, hence policy, in calendar days:
    # how long after a decision the person may appeal (and escalate after a first-instance
    # outcome), and how long each instance may take before it shows as overdue.
    appeal_window_days: int = 10
    appeal_first_instance_days: int = 15
    appeal_second_instance_days: int = 30
    # Collectives are rated in this order of unit kinds (lower first), heads last.
    collective_order: tuple[str, ...] = ("party_cell", "unit", "party_committee")
    # What each level is called on paper: the national names, or "Loại A"… in Hanoi 3814.
    level_labels: tuple[tuple[str, str], ...] = DEFAULT_LEVEL_LABELS
    # The work-output rules (``domain.work_policy``) as state; None for policies before 2026,
    # which score everyone as ``domain.scoring`` does, under Decree 90/2020.
    work: dict[str, Any] | None = field(default=None, hash=False)
    # The commendation rules (``domain.commendation.CommendationRules``) as state; None: the
    # defaults (A in every month of a quarter; A for the year).
    commendation: dict[str, Any] | None = field(default=None, hash=False)
    # A province's policy: the fields (dotted paths, e.g. "appeal_window_days" or
    # "work.scoring") its child tenants may adjust; everything else is locked
    # (``domain.inheritance``). Empty — the safe default — locks everything.
    child_adjustable: tuple[str, ...] = ()

    @property
    def work_policy(self) -> WorkPolicy:
        """How scores are computed from work and who is rated, per staff type."""
        return WorkPolicy.from_state(self.work)

    def label(self, level: Level) -> str:
        """The level's name in this policy (the national name if the policy has none)."""
        return dict(self.level_labels).get(level.value, level.label_vi)

    def excellent_cap(self, rated: int, outstanding: bool = False) -> int:
        """How many A ratings a unit with ``rated`` people may hold, by the unit-wide rule on
        those rated (no such rule: everyone)."""
        for rule in self.quotas:
            if rule.level == "A" and rule.scope == SCOPE_UNIT and rule.base == BASE_RATED:
                return rule.cap(rated, outstanding)
        return rated

    @property
    def max_score(self) -> float:
        """All criteria, bonus included, make up the 100-point scale (20 + 70 + 10 bonus in
        Hanoi 3814; 30 + 70 nationally)."""
        return sum(c.max_points for c in self.criteria)

    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        state["criteria"] = [asdict(c) for c in self.criteria]
        state["quotas"] = [asdict(q) for q in self.quotas]
        state["collective_order"] = list(self.collective_order)
        state["child_adjustable"] = list(self.child_adjustable)
        state["level_labels"] = dict(self.level_labels)
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Policy:
        data = dict(state)
        data["bands"] = ScoreBands(**data["bands"])
        if "quotas" in data:
            data["quotas"] = tuple(QuotaRule(**q) for q in data["quotas"])
        else:  # a period opened before quota rules: one unit-wide A rule on those rated
            data["quotas"] = (QuotaRule("A", data.get("excellent_share", 0.30)),)
        if "criteria" in data:
            data["criteria"] = tuple(Criterion(**c) for c in data["criteria"])
        if "child_adjustable" in data:
            data["child_adjustable"] = tuple(data["child_adjustable"])
        if "collective_order" in data:
            data["collective_order"] = tuple(data["collective_order"])
        if "level_labels" in data:
            data["level_labels"] = tuple((str(k), str(v))
                                         for k, v in sorted(dict(data["level_labels"]).items()))
        return cls(**data)

    def adjusted(self, version: str, changes: dict[str, Any]) -> Policy:
        """This policy with ``changes`` (in ``to_state`` shape) applied, as ``version``."""
        merged = {**self.to_state(), **changes, "version": version}
        return Policy.from_state(merged)


HANOI_MONTHLY_2018 = Policy(
    version="hn-monthly-2018.1",
    name="Hà Nội — đánh giá hằng tháng (QĐ 3814-QĐ/TU, 2018)",
    excellent_share=0.30,
    level_labels=HANOI_LEVEL_LABELS,
)

# Decree 335/2025 art. 20 (national, annual, from 2026): 30 general + 70 results; excellent
# at most 20% of those rated good, per agency and per peer group; a competent level may grant
# an exception; evaluation before 15 December.
NATIONAL_ANNUAL_2026 = Policy(
    version="vn-annual-2026.1",
    name="Toàn quốc — đánh giá hằng năm (Nghị định 335/2025/NĐ-CP)",
    excellent_share=1.0,
    self_assessment_days=-21,  # annual: self-review by 10 December (before the 15th)
    decision_days=-16,  # decisions by 15 December
    kind="annual",
    criteria=NATIONAL_CRITERIA,
    quotas=(QuotaRule("A", 0.20, BASE_GOOD, SCOPE_UNIT),
            QuotaRule("A", 0.20, BASE_GOOD, SCOPE_PEER_GROUP)),
    rollup_method=AVERAGE_SCORE,
)

# Decree 335/2025 art. 13–14 (from 2026): công chức tracked monthly or quarterly (the agency
# chooses) by assigned and confirmed work; 30 general + 70 results; no monthly quota.
def _tracked_by_work(version: str, period: str, kind: str) -> Policy:
    return Policy(
        version=version,
        name=f"Toàn quốc — theo dõi, đánh giá {period} (Nghị định 335/2025/NĐ-CP)",
        excellent_share=1.0,
        kind=kind,
        criteria=NATIONAL_CRITERIA,
        quotas=(),
        work=NATIONAL_2026.to_state(),
    )


NATIONAL_MONTHLY_2026 = _tracked_by_work("vn-monthly-2026.1", "hằng tháng", "monthly")
NATIONAL_QUARTERLY_2026 = _tracked_by_work("vn-quarterly-2026.1", "hằng quý", "quarterly")

PRESETS: dict[str, Policy] = {
    "hn-monthly-2018": HANOI_MONTHLY_2018,
    "vn-annual-2026": NATIONAL_ANNUAL_2026,
    "vn-monthly-2026": NATIONAL_MONTHLY_2026,
    "vn-quarterly-2026": NATIONAL_QUARTERLY_2026,
}


def preset(key: str) -> Policy:
    return PRESETS[key]

