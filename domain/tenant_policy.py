"""A tenant's evaluation policy for one cycle (monthly, quarterly, annual), as versioned events.

The tenant adopts a preset (Hanoi monthly 2018, national annual 2026) and may adjust it; each
adoption or adjustment is a new version carrying the *whole* policy, so a period opened under
version 3 is judged by version 3 for ever, whatever version 7 says (domain: "a replay of 2019
judges 2019 decisions by 2019 rules"). Periods copy the policy when they open, so a change
never re-judges decisions already made.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.commendation import CommendationRules
from domain.errors import InvalidPolicyError
from domain.policy import (
    BASE_GOOD,
    BASE_RATED,
    HANOI_MONTHLY_2018,
    NATIONAL_ANNUAL_2026,
    PRESETS,
    ROLLUP_METHODS,
    SCOPE_PEER_GROUP,
    SCOPE_UNIT,
    Policy,
)
from domain.work_errors import LockedByProvinceError

CYCLES = ("monthly", "quarterly", "annual")
_INHERITED = re.compile(r"^[a-z]+/\d+ \(([a-z0-9][a-z0-9-]*) ")
_NS = uuid5(NAMESPACE_URL, "urn:congtam:tenant-policy")


def tenant_policy_id(cycle: str) -> UUID:
    """One policy aggregate per cycle kind inside a tenant's own log."""
    return uuid5(_NS, cycle)


def default_policy(cycle: str) -> Policy:
    """The policy in force before a tenant adopts one: Hanoi monthly for months and quarters,
    the national annual rules for the year."""
    return NATIONAL_ANNUAL_2026 if cycle == "annual" else HANOI_MONTHLY_2018


def _invalid(vi: str, en: str) -> InvalidPolicyError:
    return InvalidPolicyError(f"Chính sách đánh giá không hợp lệ: {vi}", f"Invalid policy: {en}")


def validate(policy: Policy) -> None:
    """The shape every version must keep, whatever the tenant adjusts."""
    b = policy.bands
    if not 0 < b.completed < b.good < b.excellent <= 100:
        raise _invalid("khung điểm phải tăng dần trong thang 100 (C < B < A ≤ 100).",
                       "score bands must rise within 100 (C < B < A ≤ 100).")
    if abs(policy.max_score - 100) > 1e-6:
        raise _invalid(f"tổng điểm tối đa các tiêu chí (kể cả điểm thưởng) phải bằng 100, "
                       f"hiện là {policy.max_score:g}.",
                       f"criteria weights (bonus included) must add up to 100, "
                       f"not {policy.max_score:g}.")
    for rule in policy.quotas:
        shares = [rule.share] + ([rule.outstanding_share] if rule.outstanding_share else [])
        if not all(0 < s <= 1 for s in shares) or rule.level not in "ABCD" or \
                rule.base not in (BASE_RATED, BASE_GOOD) or \
                rule.scope not in (SCOPE_UNIT, SCOPE_PEER_GROUP):
            raise _invalid("tỷ lệ phải trong khoảng (0, 100%], phạm vi là đơn vị hoặc nhóm.",
                           "quota shares must be in (0, 1], scope unit or peer group.")
    if policy.rollup_method not in ROLLUP_METHODS:
        raise _invalid(f"không có phương pháp tổng hợp '{policy.rollup_method}'.",
                       f"unknown roll-up method '{policy.rollup_method}'.")
    if min(policy.appeal_window_days, policy.appeal_first_instance_days,
           policy.appeal_second_instance_days) <= 0:
        raise _invalid("thời hạn khiếu nại phải là số ngày dương.",
                       "appeal time limits must be positive numbers of days.")
    if not 0 <= policy.late_task_penalty <= 1:
        raise _invalid("mức trừ điểm chậm tiến độ phải từ 0 đến 100%.",
                       "the late-task penalty must be between 0 and 1.")
    labels = dict(policy.level_labels)
    if sorted(labels) != ["A", "B", "C", "D"] or not all(v.strip() for v in labels.values()):
        raise _invalid("cần tên cho đủ bốn mức A, B, C, D.",
                       "each of the four levels A, B, C, D needs a name.")
    for vi, en in policy.work_policy.problems():
        raise _invalid(vi + ".", en + ".")
    CommendationRules.check(policy.commendation)
    order = policy.collective_order
    if not order or len(set(order)) != len(order) or not all(k.strip() for k in order):
        raise _invalid("thứ tự xếp loại tập thể phải là danh sách loại đơn vị không trùng.",
                       "the order of collectives must list distinct unit kinds.")


class TenantPolicy(TenantAggregate):
    """The policy a tenant applies to one cycle kind: adopted from a preset, then adjusted."""

    @event("Adopted")
    def __init__(self, id: UUID, cycle: str, preset: str, policy: dict[str, Any],
                 reasons: str) -> None:
        self.cycle = cycle
        self.preset = preset
        self.policy_state = policy
        self.revision = 1

    @classmethod
    def adopt(cls, cycle: str, preset_key: str, reasons: str) -> TenantPolicy:
        """Adopt a preset for ``cycle``; the version names the cycle, the revision and the
        preset (the log is the tenant's own, so the tenant is implicit)."""
        if cycle not in CYCLES:
            raise _invalid(f"chu kỳ '{cycle}' không tồn tại.", f"unknown cycle '{cycle}'.")
        if preset_key not in PRESETS:
            raise _invalid(f"không có mẫu chính sách '{preset_key}'.",
                           f"unknown preset '{preset_key}'.")
        base = PRESETS[preset_key]
        policy = base.adjusted(f"{cycle}/1 ({base.version})", {})
        return cls(id=tenant_policy_id(cycle), cycle=cycle, preset=preset_key,
                   policy=policy.to_state(), reasons=reasons)

    @property
    def policy(self) -> Policy:
        return Policy.from_state(self.policy_state)

    @property
    def province_tenant(self) -> str | None:
        """The province whose policy this one applies (``inherit``/``follow``), if any: its
        version reads "monthly/2 (hn monthly/1 (…))", a preset's "monthly/2 (vn-…)"."""
        match = _INHERITED.match(str(self.policy_state.get("version", "")))
        return match.group(1) if match else None

    def _ensure_own(self) -> None:
        """A policy applied from the province changes only through the province's rules
        (``follow``, which refuses what the province locks), never by adopting or adjusting
        it directly."""
        province = self.province_tenant
        if province is not None:
            raise LockedByProvinceError(
                f"Chính sách đánh giá áp dụng theo tỉnh/thành phố ({province}); chỉ điều "
                "chỉnh được phần tỉnh cho phép, qua việc áp dụng lại chính sách của tỉnh.",
                f"The evaluation policy applies the province's ({province}); only what the "
                "province allows may change, by applying its policy again.")

    def readopt(self, preset_key: str, reasons: str) -> None:
        """Switch to another preset: a new version like any adjustment."""
        self._ensure_own()
        if preset_key not in PRESETS:
            raise _invalid(f"không có mẫu chính sách '{preset_key}'.",
                           f"unknown preset '{preset_key}'.")
        base = PRESETS[preset_key]
        revision = self.revision + 1
        policy = base.adjusted(f"{self.cycle}/{revision} ({base.version})", {})
        self._adjusted(self.cycle, preset_key, policy.to_state(), reasons)

    def adjust(self, changes: dict[str, Any], reasons: str) -> Policy:
        """A new version with ``changes`` applied (same preset); the old versions stay."""
        self._ensure_own()
        if not reasons.strip():
            raise _invalid("cần nêu căn cứ/lý do điều chỉnh.",
                           "an adjustment needs its basis or reasons.")
        revision = self.revision + 1
        base_version = PRESETS[self.preset].version
        try:
            policy = self.policy.adjusted(
                f"{self.cycle}/{revision} ({base_version})", changes)
        except (TypeError, ValueError, KeyError) as error:
            raise _invalid(f"trường không hợp lệ ({error}).", f"bad field ({error}).") from None
        validate(policy)
        self._adjusted(self.cycle, self.preset, policy.to_state(), reasons)
        return policy

    @classmethod
    def inherit(cls, cycle: str, province_tenant: str, province: Policy,
                changes: dict[str, Any], reasons: str) -> TenantPolicy:
        """A commune or ward applies its province's policy (``domain.inheritance``): only
        what the province lets it change is changed, else LOCKED_BY_PROVINCE; the version
        names the province's version it was built on."""
        merged = _inherited(cycle, 1, province_tenant, province, changes, reasons)
        return cls(id=tenant_policy_id(cycle), cycle=cycle, preset=_preset_of(province),
                   policy=merged.to_state(), reasons=reasons)

    def follow(self, province_tenant: str, province: Policy, changes: dict[str, Any],
               reasons: str) -> Policy:
        """A new version on the province's (latest) policy, with this tenant's changes."""
        merged = _inherited(self.cycle, self.revision + 1, province_tenant, province,
                            changes, reasons)
        self._adjusted(self.cycle, _preset_of(province), merged.to_state(), reasons)
        return merged

    @event("Adjusted")
    def _adjusted(self, cycle: str, preset: str, policy: dict[str, Any], reasons: str) -> None:
        self.preset = preset
        self.policy_state = policy
        self.revision += 1


def _preset_of(policy: Policy) -> str:
    """The preset a province's policy version grew from ("monthly/2 (vn-monthly-2026.1)")."""
    for key, preset in PRESETS.items():
        if preset.version in policy.version:
            return key
    return "vn-annual-2026" if policy.kind == "annual" else "hn-monthly-2018"


def _inherited(cycle: str, revision: int, province_tenant: str, province: Policy,
               changes: dict[str, Any], reasons: str) -> Policy:
    from domain.inheritance import merge_policy  # inheritance imports this module

    if cycle not in CYCLES:
        raise _invalid(f"chu kỳ '{cycle}' không tồn tại.", f"unknown cycle '{cycle}'.")
    if not reasons.strip():
        raise _invalid("cần nêu căn cứ/lý do áp dụng.", "applying it needs its basis or reasons.")
    return merge_policy(province, changes,
                        f"{cycle}/{revision} ({province_tenant} {province.version})")
