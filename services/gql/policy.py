"""The tenant's evaluation policy over GraphQL: adopt a preset, adjust it, read its versions.

Each adoption or adjustment is a new version; periods already opened keep the version they
opened under, so nothing decided is ever re-judged.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.commendation import CommendationRules
from domain.policy import Policy
from domain.tenant_policy import default_policy
from services.app.commands import AdjustPolicy, AdoptPolicy
from services.gql.connections import Connection, Keyset, keyset_page
from services.gql.context import access_of, ctx_of
from services.gql.inputs import check_text
from services.gql.mutations import run_command
from services.gql.types import WriteResult

HR = ("hr_officer",)


@strawberry.enum(description="Chu kỳ đánh giá / evaluation cycle")
class Cycle(Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


@strawberry.enum(description="Mẫu chính sách / policy preset")
class PolicyPreset(Enum):
    HN_MONTHLY_2018 = "hn-monthly-2018"
    VN_ANNUAL_2026 = "vn-annual-2026"


@strawberry.type(description="Tiêu chí và điểm tối đa")
class CriterionType:
    key: str
    label: str
    max_points: float
    bonus: bool


@strawberry.type(description="Quy định tỷ lệ")
class QuotaRuleType:
    level: str
    share: float
    base: str
    scope: str
    outstanding_share: float | None


@strawberry.type(description="Tên gọi của một mức xếp loại / what a level is called")
class LevelLabel:
    level: str
    label: str


@strawberry.type(name="CommendationRules",
                  description="Quy tắc đề nghị khen thưởng của phiên bản / the version's "
                              "commendation rules")
class CommendationRulesType:
    quarter_months_at_a: int = strawberry.field(
        description="tháng đạt A trong quý để được đề nghị (0: không đề nghị theo quý)")
    year_at_a: bool = strawberry.field(description="đề nghị người đạt A cả năm")
    collectives: bool = strawberry.field(description="đề nghị tập thể đạt A cả năm")

    @classmethod
    def of(cls, rules: CommendationRules) -> CommendationRulesType:
        return cls(quarter_months_at_a=rules.quarter_months_at_a, year_at_a=rules.year_at_a,
                   collectives=rules.collectives)


@strawberry.type(description="Chính sách đánh giá (một phiên bản)")
class PolicyVersion:
    cycle: str
    revision: int
    version: str
    name: str
    preset: str | None
    reasons: str | None
    excellent_from: float
    good_from: float
    completed_from: float
    criteria: list[CriterionType]
    quotas: list[QuotaRuleType]
    self_assessment_days: int
    decision_days: int
    rollup_method: str
    late_task_penalty: float
    appeal_window_days: int
    appeal_first_instance_days: int
    appeal_second_instance_days: int
    level_labels: list[LevelLabel]
    collective_order: list[str] = strawberry.field(
        description="Thứ tự loại đơn vị khi xếp loại tập thể trong một cấp (trước → sau)")
    commendation: CommendationRulesType = strawberry.field(description=(
        "Quy tắc đề nghị khen thưởng (quý: trong chính sách tháng; năm: trong chính sách năm) "
        "/ commendation rules (quarterly in the monthly policy, yearly in the annual one)"))
    tracks_work: bool = strawberry.field(description=(
        "chấm điểm theo kết quả công việc được giao (Nghị định 335/2025) trong chu kỳ này / "
        "work outputs are tracked and scored in this cycle"))

    @classmethod
    def build(cls, cycle: str, revision: int, policy: Policy, preset: str | None,
              reasons: str | None) -> PolicyVersion:
        return cls(
            cycle=cycle, revision=revision, version=policy.version, name=policy.name,
            preset=preset, reasons=reasons, excellent_from=policy.bands.excellent,
            good_from=policy.bands.good, completed_from=policy.bands.completed,
            criteria=[CriterionType(key=c.key, label=c.label_vi, max_points=c.max_points,
                                    bonus=c.bonus) for c in policy.criteria],
            quotas=[QuotaRuleType(level=q.level, share=q.share, base=q.base, scope=q.scope,
                                  outstanding_share=q.outstanding_share) for q in policy.quotas],
            self_assessment_days=policy.self_assessment_days,
            decision_days=policy.decision_days, rollup_method=policy.rollup_method,
            late_task_penalty=policy.late_task_penalty,
            appeal_window_days=policy.appeal_window_days,
            appeal_first_instance_days=policy.appeal_first_instance_days,
            appeal_second_instance_days=policy.appeal_second_instance_days,
            level_labels=[LevelLabel(level=k, label=v) for k, v in policy.level_labels],
            collective_order=list(policy.collective_order),
            commendation=CommendationRulesType.of(
                CommendationRules.from_state(policy.commendation)),
            tracks_work=policy.work is not None,
        )

    @classmethod
    def from_row(cls, r: Any) -> PolicyVersion:
        return cls.build(r["cycle"], r["revision"], Policy.from_state(json.loads(r["policy"])),
                         r["preset"], r["reasons"])


@strawberry.input
class CriterionInput:
    key: str
    label: str
    max_points: float
    bonus: bool = False


@strawberry.input
class QuotaRuleInput:
    level: str = "A"
    share: float = 0.3
    base: str = strawberry.field(default="rated", description="rated | good")
    scope: str = strawberry.field(default="unit", description="unit | peer_group")
    outstanding_share: float | None = None


@strawberry.input
class LevelLabelInput:
    level: str
    label: str


@strawberry.input(description="Quy tắc đề nghị khen thưởng / commendation rules (unset: kept)")
class CommendationRulesInput:
    quarter_months_at_a: int | None = strawberry.field(
        default=None, description="tháng đạt A trong quý (0–3; 0: không đề nghị theo quý)")
    year_at_a: bool | None = None
    collectives: bool | None = None


@strawberry.input(description="Điều chỉnh chính sách: chỉ các trường được nhập thay đổi")
class AdjustPolicyInput:
    cycle: Cycle
    reasons: str
    name: str | None = None
    excellent_from: float | None = None
    good_from: float | None = None
    completed_from: float | None = None
    criteria: list[CriterionInput] | None = None
    quotas: list[QuotaRuleInput] | None = None
    self_assessment_days: int | None = None
    decision_days: int | None = None
    rollup_method: str | None = None
    late_task_penalty: float | None = None
    appeal_window_days: int | None = None
    appeal_first_instance_days: int | None = None
    appeal_second_instance_days: int | None = None
    level_labels: list[LevelLabelInput] | None = None
    collective_order: list[str] | None = None
    commendation: CommendationRulesInput | None = None


def changes_of(input: AdjustPolicyInput, current: Policy) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    simple = ("name", "self_assessment_days", "decision_days", "rollup_method",
              "late_task_penalty", "appeal_window_days", "appeal_first_instance_days",
              "appeal_second_instance_days")
    for key in simple:
        value = getattr(input, key)
        if value is not None:
            changes[key] = check_text(value, key, key) if isinstance(value, str) else value
    bands = {"excellent": input.excellent_from, "good": input.good_from,
             "completed": input.completed_from}
    if any(v is not None for v in bands.values()):
        changes["bands"] = {k: v if v is not None else getattr(current.bands, k)
                            for k, v in bands.items()}
    if input.criteria is not None:
        changes["criteria"] = [{"key": c.key, "label_vi": check_text(c.label, "tiêu chí", "label"),
                                "max_points": c.max_points, "bonus": c.bonus}
                               for c in input.criteria]
    if input.quotas is not None:
        changes["quotas"] = [{"level": q.level, "share": q.share, "base": q.base,
                              "scope": q.scope, "outstanding_share": q.outstanding_share}
                             for q in input.quotas]
    if input.level_labels is not None:
        changes["level_labels"] = {**dict(current.level_labels),
                                   **{x.level: check_text(x.label, "tên mức", "level name")
                                      for x in input.level_labels}}
    if input.collective_order is not None:
        changes["collective_order"] = [check_text(k, "loại đơn vị", "unit kind")
                                       for k in input.collective_order]
    if input.commendation is not None:
        given = {k: getattr(input.commendation, k)
                 for k in ("quarter_months_at_a", "year_at_a", "collectives")}
        changes["commendation"] = {**CommendationRules.from_state(current.commendation)
                                   .to_state(), **{k: v for k, v in given.items()
                                                   if v is not None}}
    return changes


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Áp dụng một mẫu chính sách đánh giá (cán bộ tổ chức)")
    async def adopt_policy(self, info: Info[Any, Any], cycle: Cycle, preset: PolicyPreset,
                           reasons: str = "") -> WriteResult:
        cmd = AdoptPolicy(cycle.value, preset.value, check_text(reasons, "lý do", "reasons"))
        position = await run_command(info, HR, lambda s: s.adopt_policy(cmd))
        return WriteResult(position=position, id=strawberry.ID(cycle.value))

    @strawberry.mutation(description="Điều chỉnh chính sách đánh giá: tạo phiên bản mới")
    async def adjust_policy(self, info: Info[Any, Any], input: AdjustPolicyInput) -> WriteResult:
        def work(service: Any) -> int:
            current: Policy = service.policy_for(input.cycle.value)
            cmd = AdjustPolicy(input.cycle.value, changes_of(input, current),
                               check_text(input.reasons, "lý do", "reasons"))
            position: int = service.adjust_policy(cmd)
            return position
        position = await run_command(info, HR, work)
        return WriteResult(position=position, id=strawberry.ID(input.cycle.value))


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="Chính sách đang áp dụng cho một chu kỳ / policy in force")
    async def policy(self, info: Info[Any, Any], cycle: Cycle,
                     at_least: int | None = None) -> PolicyVersion:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        row = await ctx.fetchrow(tenant,
            f"SELECT * FROM {tenant.schema}.rm_policies WHERE cycle = $1 "
            "ORDER BY revision DESC LIMIT 1", cycle.value)
        if row is not None:
            return PolicyVersion.from_row(row)
        return PolicyVersion.build(cycle.value, 0, default_policy(cycle.value), None, None)

    @strawberry.field(description="Mọi phiên bản chính sách của một chu kỳ / every version")
    async def policy_versions(self, info: Info[Any, Any], cycle: Cycle,
                              first: int | None = None, after: str | None = None,
                              at_least: int | None = None) -> Connection[PolicyVersion]:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            ctx.fetcher(tenant),
            f"SELECT *, {REVISIONS.select()} FROM {tenant.schema}.rm_policies p "
            "WHERE cycle = $1", [cycle.value], REVISIONS, first, after, PolicyVersion.from_row)


REVISIONS = Keyset("policy-versions", (("p.revision", int),))
