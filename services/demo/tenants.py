"""Demo tenants from the source articles: Long Biên (with wards Đức Giang and Thượng Thanh),
Hoàng Mai and Mỹ Đức, each with its People's Committee, MTTQ, Hội LHPN, Đoàn TNCS HCM and
Hội CCB, a few dozen staff, last month decided and this month open.

People's names are generated (deterministically); the places and units are real.
Loading is idempotent: an existing tenant is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from uuid import NAMESPACE_URL, UUID, uuid5

import anyio
import structlog

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level
from domain.organisation import StaffType
from services.app.commands import (
    AppointLeader,
    DecideRating,
    OpenPeriod,
    RegisterStaff,
    RegisterUnit,
    SubmitSelfAssessment,
)
from services.app.handlers import TenantService
from services.app.reorganisation import merge_tenants, transfer_between_tenants
from services.demo.appeals import add_demo_appeals
from services.demo.province import PROVINCE, SUCCESSORS, add_demo_province
from services.demo.records import add_demo_records
from services.demo.work import DECIDED_UNIT, add_demo_work, add_open_item, open_work_month
from services.demo.year import add_demo_year
from services.runtime import Runtime

log = structlog.get_logger()

_NS = uuid5(NAMESPACE_URL, "urn:congtam:demo")

TENANTS: list[tuple[str, str, str, str | None]] = [
    ("hn-long-bien", "Quận Long Biên", "district", None),
    ("hn-long-bien-duc-giang", "Phường Đức Giang", "ward", "hn-long-bien"),
    ("hn-long-bien-thuong-thanh", "Phường Thượng Thanh", "ward", "hn-long-bien"),
    ("hn-hoang-mai", "Quận Hoàng Mai", "district", None),
    ("hn-my-duc", "Huyện Mỹ Đức", "district", None),
]

UNITS = [
    ("ubnd", "Ủy ban nhân dân", "people_committee"),
    ("mttq", "Ủy ban Mặt trận Tổ quốc", "fatherland_front"),
    ("hoi-lhpn", "Hội Liên hiệp Phụ nữ", "womens_union"),
    ("doan-tn", "Đoàn TNCS Hồ Chí Minh", "youth_union"),
    ("hoi-ccb", "Hội Cựu chiến binh", "veterans_association"),
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Hồng", "Đức", "Thu", "Quang", "Thanh", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long",
         "Mai", "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
STAFF_PER_UNIT = 8


@dataclass(frozen=True)
class DemoUser:
    tenant: str
    user_id: str
    name: str
    roles: tuple[str, ...]


def demo_id(*parts: str) -> UUID:
    return uuid5(_NS, "/".join(parts))


INSPECTOR = "auditor-thanh-tra"


def demo_users(slug: str) -> list[DemoUser]:
    """The people worth a token in each demo tenant. The city (``hn``) has no staff of its
    own: its personnel officer (who sets the policy and catalogue) and the city inspector.
    A 2025 successor's people are those merged into it, under their own ids."""
    if slug == PROVINCE[0]:
        return [DemoUser(slug, str(demo_id(slug, "staff", "ubnd", "1")),
                         "Cán bộ tổ chức Thành phố", ("hr_officer",)),
                DemoUser(slug, INSPECTOR, "Thanh tra thành phố", ("auditor",))]
    people = next((olds[0] for s, _, _, olds in SUCCESSORS if s == slug), slug)
    chair = demo_id(people, "staff", "ubnd", "0")
    hr = demo_id(people, "staff", "ubnd", "1")
    mttq_head = demo_id(people, "staff", "mttq", "0")
    member = demo_id(people, "staff", "mttq", "2")
    civil_servant = scored_by_work(people)
    return [
        DemoUser(slug, str(hr), "Cán bộ tổ chức (HR)", ("hr_officer", "staff")),
        DemoUser(slug, str(chair), "Chủ tịch UBND", ("unit_leader", "staff")),
        DemoUser(slug, str(mttq_head), "Chủ tịch UBMTTQ", ("unit_leader", "staff")),
        DemoUser(slug, str(member), "Cán bộ MTTQ", ("staff",)),
        *([] if civil_servant is None else [
            DemoUser(slug, str(civil_servant), "Công chức", ("staff",))]),
        DemoUser(slug, INSPECTOR, "Thanh tra thành phố", ("auditor",)),
    ]


def sign_in_tenants() -> list[str]:
    """The demo tenants the development sign-in lists: the 2018 ones, then Hà Nội in the
    2025 shape (the city and its wards)."""
    return [*(s for s, *_ in TENANTS), PROVINCE[0], *(s for s, *_ in SUCCESSORS)]


# The realm's auditor (deploy/keycloak/congtam-realm.json) is not on any staff list, so its
# Keycloak id is its own; the other realm users' ids are the demo staff ids above.
REALM_AUDITOR = ("hn-long-bien-duc-giang", "6f1c2a47-3b8e-4d55-9a0e-2c7d1e9b4a10")


async def grant_demo_users(rt: Runtime, slug: str) -> None:
    """Record, in the platform log, the grants the demo users' tokens claim: production mode
    (docker compose, the image) counts a claimed role only through a recorded grant."""
    operator = Actor("demo-loader", "platform_admin")
    users = [(u.user_id, u.name, u.roles) for u in demo_users(slug)]
    if slug == REALM_AUDITOR[0]:
        users.append((REALM_AUDITOR[1], "Thanh tra (Keycloak)", ("auditor",)))
    for user_id, name, roles in users:
        for role in roles:
            # The city inspector's grant on the city reaches every ward under it too.
            await rt.platform.grant(operator, user_id, slug, role, name=name,
                                    include_children=slug == PROVINCE[0] and role == "auditor")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@dataclass(frozen=True)
class _DrawnPerson:
    unit: str
    index: int
    staff_type: StaffType
    name: str
    party_member: bool


def _draw_people(rng: random.Random) -> list[_DrawnPerson]:
    """Each unit's people as the demo registers them: its head a cán bộ, the others of a
    drawn staff type (the draws in the order the demo has always made them)."""
    drawn = []
    for key, _, _ in UNITS:
        for i in range(STAFF_PER_UNIT):
            staff_type = StaffType.CADRE if i == 0 else rng.choice(list(StaffType))
            name = _name(rng)
            drawn.append(_DrawnPerson(key, i, staff_type, name, rng.random() < 0.6))
    return drawn


def _civil_servant(people: list[_DrawnPerson]) -> _DrawnPerson | None:
    """The demo's công chức scored by their work (Decree 335): the first of the People's
    Committee, else of another unit whose month stays open, who is not already a demo
    user (a head, the personnel officer, the MTTQ member) nor the one moved during the
    demo year (the last of a unit)."""
    order = [key for key, _, _ in UNITS if key != DECIDED_UNIT]
    listed = {("ubnd", 1), ("mttq", 2)}
    candidates = sorted((p for p in people if p.unit in order and p.index > 0
                         and (p.unit, p.index) not in listed
                         and p.index < STAFF_PER_UNIT - 1), key=lambda p: order.index(p.unit))
    return next((p for p in candidates if p.staff_type is StaffType.CIVIL_SERVANT), None)


@cache  # on every sign-in page: the draw is the same each time
def scored_by_work(people: str) -> UUID | None:
    """The id of the công chức the sign-in lists for the demo tenant of ``people``."""
    rng = random.Random(people)  # noqa: S311 - reproducible demo data, not secrets
    found = _civil_servant(_draw_people(rng))
    return None if found is None else demo_id(people, "staff", found.unit, str(found.index))


def _build_tenant(service: TenantService, slug: str, today: date, year: bool = False,
                  seed: str | None = None, work_month: bool = True) -> None:
    """The tenant's organisation, last month decided and this month open, with appeals; with
    ``year``, the eleven months before last month too (rated, published and closed).
    ``seed`` (default: the slug) draws the people, so a copy of a demo tenant under another
    slug (the README's test) holds the same people as the demo itself. ``work_month``
    False keeps this month under the 2018 Hanoi rules (a monthly quota, the city's level
    names) instead of the 2026 national ones with work outputs."""
    with acting_as(Actor("demo-loader", "hr_officer")):
        _fill_tenant(service, slug, today, year, seed, work_month)
        add_demo_appeals(service.app, demo_id, slug, today)  # appeals at both instances
        add_demo_records(service, slug, today, demo_id)  # every other kind of event


def _fill_tenant(service: TenantService, slug: str, today: date, year: bool = False,
                 seed: str | None = None, work_month: bool = True) -> None:
    rng = random.Random(seed or slug)  # noqa: S311 - reproducible demo data, not secrets
    root = UnitId(demo_id(slug, "unit", "ubnd"))
    people = _draw_people(rng)
    for key, name, kind in UNITS:
        unit_id = UnitId(demo_id(slug, "unit", key))
        service.register_unit(RegisterUnit(unit_id, name, kind, None if key == "ubnd" else root))
        for person in (p for p in people if p.unit == key):
            i = person.index
            staff_id = StaffId(demo_id(slug, "staff", key, str(i)))
            position = "Trưởng đơn vị" if i == 0 else ("Cán bộ tổ chức" if (key, i) == (
                "ubnd", 1) else "Chuyên viên")
            service.register_staff(RegisterStaff(staff_id, person.name,
                                                 person.staff_type.value, position, unit_id,
                                                 person.party_member))
            if i == 0:
                service.appoint_leader(AppointLeader(unit_id, staff_id))
    if year:
        add_demo_year(service, slug, today, demo_id, [k for k, _, _ in UNITS], STAFF_PER_UNIT)
    last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for key, _, _ in UNITS:
        unit_id = UnitId(demo_id(slug, "unit", key))
        leader = demo_id(slug, "staff", key, "0")
        chair = demo_id(slug, "staff", "ubnd", "0")
        period_id, _ = service.open_period(OpenPeriod(unit_id, *last_month))
        period = service.find_period(period_id)
        members = set(period.members) if period is not None else set()
        for i in range(STAFF_PER_UNIT):
            staff_id = StaffId(demo_id(slug, "staff", key, str(i)))
            score = float(rng.choice([72, 78, 81, 85, 88, 91, 93, 65]))
            if staff_id not in members:  # moved to another unit during the demo year
                continue
            with acting_as(Actor(str(staff_id), "staff")):
                service.submit_self_assessment(SubmitSelfAssessment(
                    PeriodId(period_id), staff_id, score,
                    [{"title": "Thực hiện nhiệm vụ chuyên môn tháng", "quantity": 4,
                      "quality": "đạt", "on_time": True, "evidence": "Báo cáo tháng"}], ""))
            decider = chair if i == 0 and key != "ubnd" else leader
            if key == "ubnd" and i == 0:
                continue  # the chair is rated by the level above, outside this tenant
            level = service.policy.bands.level_for(score)
            with acting_as(Actor(str(decider), "unit_leader")):
                try:
                    service.decide_rating(DecideRating(PeriodId(period_id), staff_id, level,
                                                       score, "", str(decider)))
                except DomainError:  # over quota: the leader settles for "good", with reasons
                    # 85 rather than the band's ceiling, so an appeal on it has room to amend.
                    service.decide_rating(DecideRating(
                        PeriodId(period_id), staff_id, Level.B, min(score, 85.0),
                        "Đơn vị đã hết tỷ lệ xuất sắc trong tháng.", str(decider)))
    units = [UnitId(demo_id(slug, "unit", k)) for k, _, _ in UNITS]
    if not work_month:
        for unit_id in units:
            service.open_period(OpenPeriod(unit_id, today.year, today.month))
        return
    # This month runs under the 2026 rules: công chức scored by their work (Decree 335).
    open_work_month(service, today, units)
    add_demo_work(service, slug, today, demo_id, [k for k, _, _ in UNITS], STAFF_PER_UNIT)
    civil_servant = _civil_servant(people)
    if civil_servant is not None:
        add_open_item(service, slug, today, demo_id, civil_servant.unit, civil_servant.index)


async def load_demo(rt: Runtime, today: date | None = None) -> list[str]:
    """Register and fill the demo tenants that do not exist yet; return the slugs loaded."""
    today = today or date.today()
    existing = {t.slug for t in await rt.registry.all()}
    loaded = []
    for slug, name, kind, parent in TENANTS:
        if slug in existing:
            continue
        tenant = await rt.registry.register(slug, name, kind, parent)
        service = rt.service(tenant)
        await anyio.to_thread.run_sync(_build_tenant, service, slug, today, True)
        await rt.written(tenant)
        loaded.append(slug)
        log.info("demo_tenant_loaded", tenant=slug)
    for slug in loaded:
        await grant_demo_users(rt, slug)
    if {TRANSFER_FROM, TRANSFER_TO} <= set(loaded):
        await _transfer_between_tenants(rt, today)
    if MERGE_SUCCESSOR[0] not in existing:
        await _merge(rt, today)
        loaded += [slug for slug, _ in MERGE_PREDECESSORS] + [MERGE_SUCCESSOR[0]]
    # Hà Nội in the 2025 shape: the city above its wards, the districts merged into them.
    province = await add_demo_province(rt, today)
    for slug in province:
        await grant_demo_users(rt, slug)
    return loaded + province


# A transfer between tenants, and the 2025 reform's merge of two communes (illustrative
# names, marked as demo data) into a successor that continues their open month.
TRANSFER_FROM, TRANSFER_TO = "hn-hoang-mai", "hn-my-duc"
MERGE_PREDECESSORS = [("hn-demo-xa-dong", "Xã Đông (demo, trước sáp nhập)"),
                      ("hn-demo-xa-tay", "Xã Tây (demo, trước sáp nhập)")]
MERGE_SUCCESSOR = ("hn-demo-xa-moi", "Xã Đông Tây (demo, sau sáp nhập 2025)")


async def _transfer_between_tenants(rt: Runtime, today: date) -> None:
    source = await rt.registry.get(TRANSFER_FROM)
    target = await rt.registry.get(TRANSFER_TO)
    staff = StaffId(demo_id(TRANSFER_FROM, "staff", "hoi-lhpn", str(STAFF_PER_UNIT - 1)))
    to_unit = demo_id(TRANSFER_TO, "unit", "hoi-lhpn")

    def move() -> int:
        with acting_as(Actor(str(demo_id(TRANSFER_FROM, "staff", "ubnd", "1")), "hr_officer")):
            return transfer_between_tenants(rt.service(source), source.slug, rt.service(target),
                                            target.slug, staff, to_unit,
                                            "Chuyển công tác theo nguyện vọng", today)

    await anyio.to_thread.run_sync(move)
    await rt.written(source)
    await rt.written(target)


async def _merge(rt: Runtime, today: date) -> None:
    olds = []
    for slug, name in MERGE_PREDECESSORS:
        tenant = await rt.registry.register(slug, name, "commune", None)
        await anyio.to_thread.run_sync(_build_tenant, rt.service(tenant), slug, today)
        olds.append(tenant)
    successor = await rt.registry.register(MERGE_SUCCESSOR[0], MERGE_SUCCESSOR[1], "commune",
                                           None)
    pairs = [(t.slug, rt.service(t)) for t in olds]

    def merge() -> int:
        with acting_as(Actor("platform-admin", "platform_admin")):
            return merge_tenants(pairs, successor.slug, rt.service(successor),
                                 "Nghị quyết sắp xếp đơn vị hành chính cấp xã 2025", today)

    await anyio.to_thread.run_sync(merge)
    for tenant in [*olds, successor]:
        await rt.written(tenant)
        log.info("demo_tenant_loaded", tenant=tenant.slug)
