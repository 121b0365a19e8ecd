"""Who may do what, and over which records: the permission matrix, in one place.

Every root field of the schema (``Query.*``, ``Mutation.*``, ``Subscription.*``) has exactly
one entry in ``MATRIX``: the roles that may call it and, for each, the *scope* of records the
role reaches. ``services.gql.guard.authorised`` checks the matrix before any root
resolver runs, so a resolver that forgets to check is still covered; a field without an entry
is refused (and ``tests/security/test_permission_matrix.py`` fails, so a new field cannot be
merged without a decision here). The README's "Permissions" table is rendered from this
module and checked against it by a test.

Scopes (OWASP API1, object-level authorisation):

- ``tenant``: any record of the caller's tenant — narrowed to a unit and its descendants when
  the caller's grant names a unit scope.
- ``own``: only records about the caller (their own staff id, from the token's ``sub``).
- ``whole``: the whole tenant and only that: a change to what every unit lives under (the
  policy, the year's round of collectives) needs a grant for the whole tenant; a grant
  narrowed to a unit is refused with ``FORBIDDEN`` (which tells nothing about any record).

An id outside the caller's scope is answered exactly like an id that does not exist
(``NOT_FOUND`` for a single record, an empty list for a collection), never ``FORBIDDEN``:
a refusal would confirm that the record exists. ``FORBIDDEN`` is kept for a role that may
not call the operation at all, which reveals nothing about any record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from uuid import UUID

from domain.errors import NotFoundError
from services.http.auth import ROLES, ForbiddenError, Principal
from services.platform.tenants import Tenant


class Scope(StrEnum):
    TENANT = "tenant"
    OWN = "own"
    WHOLE = "whole"


ALL, OWN, WHOLE = Scope.TENANT, Scope.OWN, Scope.WHOLE
EVERYONE_OWN: Mapping[str, Scope] = {r: OWN for r in ROLES}
TENANT_ROLES = tuple(r for r in ROLES if r != "platform_admin")
TENANT_OWN: Mapping[str, Scope] = {r: OWN for r in TENANT_ROLES}
TENANT_ALL: Mapping[str, Scope] = {r: ALL for r in TENANT_ROLES}
READERS: Mapping[str, Scope] = {"unit_leader": ALL, "hr_officer": ALL, "auditor": ALL}
REVIEWERS: Mapping[str, Scope] = {"unit_leader": ALL, "appeal_reviewer": ALL}
PERSON_OWN: Mapping[str, Scope] = {
    "staff": OWN, "unit_leader": OWN, "hr_officer": OWN, "appeal_reviewer": OWN}
HR: Mapping[str, Scope] = {"hr_officer": ALL}
LEADERS: Mapping[str, Scope] = {"unit_leader": ALL}
AUDITORS: Mapping[str, Scope] = {"auditor": ALL}
BEYOND_STAFF: Mapping[str, Scope] = {  # everyone but the plain staff member
    "unit_leader": ALL, "hr_officer": ALL, "appeal_reviewer": ALL, "auditor": ALL}
ONE_PERSON: Mapping[str, Scope] = {  # a person's own file, and those who manage or audit it
    "staff": OWN, "unit_leader": ALL, "hr_officer": ALL, "appeal_reviewer": OWN, "auditor": ALL}
OWN_FOR_STAFF: Mapping[str, Scope] = {  # a staff member reaches their own only
    "staff": OWN, "unit_leader": ALL, "hr_officer": ALL, "appeal_reviewer": ALL, "auditor": ALL}
APPEAL_PARTIES: Mapping[str, Scope] = {  # the appellant and the decider, and the oversight
    "staff": OWN, "unit_leader": OWN, "hr_officer": ALL, "appeal_reviewer": ALL, "auditor": ALL}
OVERSIGHT: Mapping[str, Scope] = {  # a leader's own record; HR and auditors, everyone's
    "staff": OWN, "unit_leader": OWN, "hr_officer": ALL, "appeal_reviewer": OWN, "auditor": ALL}
READ_ONLY_ROLES = frozenset({"auditor"})  # never on a write, whatever the matrix says


@dataclass(frozen=True)
class Permission:
    kind: Literal["read", "write"]
    roles: Mapping[str, Scope]
    what: str  # one line for the README table


def read(roles: Mapping[str, Scope], what: str) -> Permission:
    return Permission("read", roles, what)


def write(roles: Mapping[str, Scope], what: str) -> Permission:
    return Permission("write", roles, what)


MATRIX: dict[str, Permission] = {
    "Query.me": read(EVERYONE_OWN, "who the token says you are"),
    "Query.units": read(TENANT_ALL, "the tenant's units"),
    "Query.unitStaff": read(BEYOND_STAFF, "staff of a unit"),
    "Query.period": read(TENANT_ALL, "a unit's monthly period"),
    "Query.unitRatings": read(BEYOND_STAFF, "a unit's board for a month"),
    "Query.ratingHistory": read(OWN_FOR_STAFF, "one person's rating history"),
    "Mutation.openPeriod": write(HR, "open a month for a unit"),
    "Mutation.closePeriod": write(HR, "close a period"),
    "Mutation.submitSelfAssessment": write({"staff": OWN, "unit_leader": OWN, "hr_officer": OWN},
                                           "self-assess (always as yourself)"),
    "Mutation.decideRating": write(LEADERS, "decide a rating (competent head only)"),
    "Mutation.decideRatings": write(LEADERS, "decide a unit's whole board at once (all or none)"),
    "Mutation.registerUnit": write(HR, "add a unit"),
    "Mutation.registerStaff": write(HR, "add a staff member"),
    "Mutation.appointLeader": write(HR, "appoint a head of unit"),
    # Dashboards (services/gql/dashboards.py, subscriptions.py)
    "Query.unitBoard": read(READERS, "a unit's month board"),
    "Query.boards": read(READERS, "boards of many units"),
    "Query.personTimeline": read(ONE_PERSON, "one person's months"),
    "Query.trend": read(READERS, "month-over-month counts"),
    "Query.childTenantTrend": read({"hr_officer": ALL, "auditor": ALL},
                                   "child tenants' counts (by grant)"),
    "Subscription.unitBoard": read(READERS, "a unit's month board, live"),
    # Appeals (services/gql/appeals.py, appeal_queries.py)
    "Query.appeal": read(APPEAL_PARTIES, "one appeal (its parties and oversight)"),
    "Query.appeals": read(OWN_FOR_STAFF, "appeals of a unit or person"),
    "Query.unitAppealCounts": read(BEYOND_STAFF, "appeal counts per unit"),
    "Query.leaderAccountability": read(OVERSIGHT, "a leader's decisions overturned"),
    "Query.leaderDecisions": read(OVERSIGHT, "a leader's decisions"),
    "Query.myPendingWork": read(TENANT_OWN, "what waits for you"),
    "Query.myDeadlines": read(TENANT_OWN, "deadlines you owe"),
    # Commendation proposals (services/gql/commendations.py)
    "Query.commendationCandidates": read(READERS, "who meets the commendation rules"),
    "Query.commendationProposals": read(READERS, "commendation proposals"),
    "Mutation.proposeCommendations": write(HR, "propose everyone meeting the rules"),
    "Mutation.decideCommendation": write(LEADERS, "approve or return a proposal (the head)"),
    "Mutation.fileAppeal": write(PERSON_OWN, "appeal your own rating"),
    "Mutation.provideAppealInformation": write(PERSON_OWN, "answer a reviewer (appellant)"),
    "Mutation.withdrawAppeal": write(PERSON_OWN, "withdraw your appeal"),
    "Mutation.escalateAppeal": write(PERSON_OWN, "take it to second instance"),
    "Mutation.assignAppeal": write(HR, "assign a reviewer"),
    "Mutation.takeUpAppeal": write(REVIEWERS, "take up an appeal"),
    "Mutation.acceptAppeal": write(REVIEWERS, "accept an appeal for review"),
    "Mutation.requestAppealInformation": write(REVIEWERS, "ask the appellant for more"),
    "Mutation.decideAppeal": write(REVIEWERS, "decide (never the original decider)"),
    # Policy and the evaluation file (services/gql/policy.py, evaluation_queries.py)
    "Query.policy": read(TENANT_ALL, "the policy in force"),
    "Query.policyVersions": read(TENANT_ALL, "every policy version"),
    "Query.myResults": read(TENANT_OWN, "your own results"),
    "Query.evaluationFile": read({"unit_leader": ALL, "hr_officer": ALL, "auditor": ALL},
                                 "one evaluation, all its steps"),
    "Query.quotaUse": read({"unit_leader": ALL, "hr_officer": ALL, "auditor": ALL},
                           "quota in use for a period"),
    "Mutation.adoptPolicy": write({"hr_officer": WHOLE}, "adopt a policy preset"),
    "Mutation.adjustPolicy": write({"hr_officer": WHOLE}, "adjust the policy"),
    "Mutation.proposeRating": write({"unit_leader": ALL, "hr_officer": ALL},
                                    "propose a score and level"),
    "Mutation.attachOpinion": write({"staff": ALL, "unit_leader": ALL, "hr_officer": ALL},
                                    "attach an opinion (citizens': HR only)"),
    "Mutation.grantQuotaException": write(LEADERS, "exception by the level above"),
    "Mutation.publishPeriod": write({"unit_leader": ALL, "hr_officer": ALL},
                                    "publish results in the unit"),
    "Mutation.updateStaffProfile": write(HR, "update a staff profile"),
    "Mutation.recordAbsence": write(HR, "record an absence"),
    "Mutation.recordDiscipline": write(HR, "record a discipline decision"),
    "Mutation.decidePartyRating": write(LEADERS, "Party-member rating (never above official)"),
    "Mutation.proposeRollups": write(HR, "quarterly/annual proposals from months"),
    "Mutation.transferStaff": write(HR, "move a person to another unit"),
    # Audit (services/gql/audit.py): auditors with a grant only; each read is logged.
    "Query.auditHistory": read(AUDITORS, "history from the log"),
    "Query.auditVerify": read(AUDITORS, "verify the hash chain"),
    "Query.auditCheckpoints": read(AUDITORS, "published chain checkpoints"),
    "Mutation.flagOutstandingUnit": write(HR, "flag a unit outstanding (higher quota)"),
    "Query.auditUnitBoardAsOf": read(AUDITORS, "a unit's month board as of a point (logged)"),
    "Query.auditAggregateAsOf": read(AUDITORS, "any record as of a point (logged)"),
    # Collectives (services/gql/collectives.py)
    "Mutation.openCollectiveRound": write({"hr_officer": WHOLE},
                                          "open the year's round of collectives"),
    "Mutation.rateCollective": write(LEADERS, "rate a collective (head of the unit above)"),
    "Query.collectiveRatings": read(READERS, "the year's round of collectives"),
    # Own results, live (services/gql/subscriptions.py)
    "Subscription.myResults": read(TENANT_OWN, "your own results, live"),
    # Reorganisation (services/gql/reorganisation.py)
    "Mutation.transferStaffToTenant": write(HR,
                                            "send a person to another tenant "
                                            "(needs a grant there too)"),
    "Mutation.mergeTenants": write({"platform_admin": ALL},
                                   "merge tenants into the token's tenant"),
    "Query.tenantLineage": read(TENANT_ALL, "what this tenant was merged from"),
    "Query.predecessorHistory": read(ONE_PERSON, "a person's ratings in merged tenants (logged)"),
    # Personal data (services/gql/personal_data.py)
    "Mutation.erasePersonalData": write({"hr_officer": ALL, "platform_admin": ALL},
                                        "erase a person's personal data (its key)"),
    # Work outputs, Decree 335/2025 (services/gql/work.py): the competent leader assigns and
    # confirms (checked again per person by the use case), the person reports their own.
    "Mutation.assignWork": write(LEADERS, "assign work to one or several people"),
    "Mutation.reassignWork": write(LEADERS, "reassign an item, with reasons"),
    "Mutation.cancelWork": write(LEADERS, "cancel an item, with reasons"),
    "Mutation.reportWorkDone": write(PERSON_OWN, "report your own item done"),
    "Mutation.confirmWork": write(LEADERS, "confirm quality and timeliness (never your own)"),
    "Mutation.establishWorkCatalogue": write(HR, "establish or revise the catalogue"),
    "Mutation.inheritProvinceCatalogue": write(HR, "apply the province's catalogue"),
    "Mutation.inheritProvincePolicy": write(HR, "apply the province's policy"),
    "Query.myWork": read(TENANT_OWN, "your work this month or quarter"),
    "Query.unitWorkBoard": read(READERS, "a unit's work items and status"),
    "Query.scoreBreakdown": read(ONE_PERSON, "a score computed from work"),
    "Query.workCatalogue": read(TENANT_ALL, "the catalogue in force"),
    "Query.pendingProvinceVersions": read(HR, "province versions not yet applied"),
}

# Operations of the platform itself (tenants merged, a person's key erased): the only places
# where ``platform_admin`` appears besides ``Query.me``.
PLATFORM_OPERATIONS = frozenset({"Mutation.mergeTenants", "Mutation.erasePersonalData"})


@dataclass(frozen=True)
class RoleGrant:
    """One role the caller holds in the token's tenant, optionally narrowed to a unit."""

    role: str
    unit_scope: UUID | None = None


@dataclass(frozen=True)
class Access:
    """What one operation may reach, for one caller: the result of checking the matrix."""

    operation: str
    principal: Principal
    tenant: Tenant
    roles: frozenset[str]  # the caller's roles that the matrix allows here
    whole_tenant: bool  # some allowed role reaches the whole tenant
    units: frozenset[UUID]  # else: these units (scoped grants, descendants included)
    own: bool  # records about the caller themself are in reach

    @property
    def own_only(self) -> bool:
        return not self.whole_tenant and not self.units

    def sees_unit(self, unit_id: UUID | None) -> bool:
        return self.whole_tenant or (unit_id is not None and unit_id in self.units)

    @property
    def unit_ids(self) -> list[UUID] | None:
        """The scope as one SQL parameter: ``None`` when the whole tenant is in reach, else
        the units in reach (possibly none). Lists and aggregates filter with
        ``scope_sql(column, n)`` so that their pages and counts are those of the scope."""
        return None if self.whole_tenant else sorted(self.units)

    def sees_staff(self, staff_id: UUID, unit_id: UUID | None) -> bool:
        if self.own and str(staff_id) == self.principal.user_id:
            return True
        return self.sees_unit(unit_id)

    def capacity(self, *preferred: str) -> str:
        """The role the caller acts in: the first of ``preferred`` they hold here. A
        resolver whose rule is narrower than its matrix row (citizens' opinions are HR's)
        names its roles; holding none is FORBIDDEN, which tells nothing about any record."""
        for role in preferred:
            if role in self.roles:
                return role
        raise ForbiddenError("Vai trò của bạn không được phép thực hiện thao tác này.",
                             f"Your role may not do this (needs one of: {', '.join(preferred)}).")

    def require(self, visible: bool, what_vi: str, what_en: str) -> None:
        """Out of scope reads exactly like absent: the caller learns nothing."""
        if not visible:
            raise NotFoundError(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


def scope_sql(column: str, param: int) -> str:
    """``column`` (a unit id) within the scope passed as parameter ``$param``
    (``Access.unit_ids``): every row when it is NULL."""
    return f"(${param}::uuid[] IS NULL OR {column} = ANY(${param}::uuid[]))"


def decide(operation: str, principal: Principal, tenant: Tenant, grants: list[RoleGrant],
           scoped_units: Mapping[UUID, frozenset[UUID]]) -> Access:
    """Check ``operation`` against the matrix for a caller holding ``grants``.

    ``scoped_units`` maps each grant's unit scope to that unit and its descendants.
    """
    permission = MATRIX.get(operation)
    if permission is None:
        # Deny by default: an operation nobody decided about is open to nobody.
        raise ForbiddenError("Thao tác này chưa được cấp quyền cho ai.",
                             f"No role may call {operation} (not in the permission matrix).")
    if not grants:
        # Production (and CONGTAM_REQUIRE_GRANTS): a token whose roles were never granted in
        # this tenant through the platform log reaches nothing at all.
        raise ForbiddenError(
            "Bạn chưa được cấp vai trò nào tại đơn vị hành chính này; hãy đề nghị quản trị "
            "nền tảng cấp quyền.",
            "No role has been granted to you in this tenant; ask the platform operator for "
            "a grant.")
    allowed = [g for g in grants if g.role in permission.roles
               and not (permission.kind == "write" and g.role in READ_ONLY_ROLES)]
    if allowed and all(permission.roles[g.role] is Scope.WHOLE and g.unit_scope is not None
                       for g in allowed):
        raise ForbiddenError(
            "Thao tác này áp dụng cho toàn địa phương; quyền của bạn chỉ giới hạn trong một "
            "đơn vị.",
            f"{operation} changes the whole tenant; your grant reaches one unit only.")
    allowed = [g for g in allowed
               if not (permission.roles[g.role] is Scope.WHOLE and g.unit_scope is not None)]
    if not allowed:
        needed = ", ".join(sorted(permission.roles))
        raise ForbiddenError("Vai trò của bạn không được phép thực hiện thao tác này.",
                             f"Your role may not do this (needs one of: {needed}).")
    whole = False
    units: set[UUID] = set()
    own = False
    for g in allowed:
        scope = permission.roles[g.role]
        if scope is Scope.OWN:
            own = True
        elif g.unit_scope is None:  # TENANT or WHOLE: narrowed grants were left out above
            whole = True
        else:
            units |= scoped_units.get(g.unit_scope, frozenset({g.unit_scope}))
    return Access(operation, principal, tenant, frozenset(g.role for g in allowed), whole,
                  frozenset(units), own)


def matrix_markdown() -> str:
    """The README's permission table, rendered from ``MATRIX``."""
    head = "| operation | what | kind | " + " | ".join(f"`{r}`" for r in ROLES) + " |"
    rule = "|---|---|---|" + "---|" * len(ROLES)
    rows = [head, rule]
    for op, p in MATRIX.items():
        cells = [str(p.roles[r]) if r in p.roles else "—" for r in ROLES]
        rows.append(f"| `{op}` | {p.what} | {p.kind} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
