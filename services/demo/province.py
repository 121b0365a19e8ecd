"""Hà Nội in the 2025 shape: the city (``hn``) sets the evaluation policy and the catalogue
of outputs once; its wards and communes sit directly under it and inherit both, adjusting
only what the city allows. The 2018 districts stay as historical tenants, merged into the
2025 wards that succeeded them, so the lineage shows (``tenantLineage``).

Illustrative, like the rest of the demo: in the real reform a district's wards were
regrouped into several new wards; here each demo district passes whole to one successor.
"""

from __future__ import annotations

from datetime import date

import anyio
import structlog

from domain.actor import Actor, acting_as
from domain.catalogue import CatalogueAdjustment, CatalogueItem
from services.app.commands import AdjustPolicy, AdoptPolicy
from services.app.reorganisation import merge_tenants
from services.app.work_commands import EstablishCatalogue, InheritCatalogue, InheritPolicy
from services.demo.work import CATALOGUE, POSITION
from services.runtime import Runtime

log = structlog.get_logger()

PROVINCE = ("hn", "Thành phố Hà Nội")
# (successor, its name, kind, the 2018 tenants merged into it)
SUCCESSORS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("hn-phuong-hoang-mai", "Phường Hoàng Mai (2025)", "ward", ("hn-hoang-mai",)),
    ("hn-xa-my-duc", "Xã Mỹ Đức (2025)", "commune", ("hn-my-duc",)),
]
BASIS = "Quyết định của UBND Thành phố ban hành danh mục và tiêu chí đánh giá (demo)"
# What the city lets its wards change: the appeal window, and the catalogue's "ho-so" item
# and outputs of their own (``CATALOGUE.allowance``); everything else is locked.
CHILD_ADJUSTABLE = ["appeal_window_days"]


async def add_demo_province(rt: Runtime, today: date) -> list[str]:
    """Register the city with its policy and catalogue, then each 2025 successor under it:
    the 2018 tenants merged in, the city's policy and catalogue applied. Idempotent."""
    existing = {t.slug for t in await rt.registry.all()}
    loaded: list[str] = []
    if PROVINCE[0] not in existing:
        province = await rt.registry.register(PROVINCE[0], PROVINCE[1], "province", None)
        service = rt.service(province)

        def settle() -> None:
            with acting_as(Actor("demo-loader", "hr_officer")):
                service.adopt_policy(AdoptPolicy("monthly", "vn-monthly-2026", BASIS))
                service.adjust_policy(AdjustPolicy(
                    "monthly", {"child_adjustable": CHILD_ADJUSTABLE}, BASIS))
                service.establish_catalogue(EstablishCatalogue(CATALOGUE, BASIS))

        await anyio.to_thread.run_sync(settle)
        await rt.written(province)
        loaded.append(province.slug)
    province = await rt.registry.get(PROVINCE[0])
    for slug, name, kind, olds in SUCCESSORS:
        if slug in existing or not set(olds) <= existing | set(loaded):
            continue
        successor = await rt.registry.register(slug, name, kind, province.slug)
        await _merge_and_inherit(rt, province.slug, successor.slug, olds, today)
        loaded.append(slug)
        log.info("demo_tenant_loaded", tenant=slug)
    return loaded


async def _merge_and_inherit(rt: Runtime, province_slug: str, slug: str,
                             olds: tuple[str, ...], today: date) -> None:
    province = rt.service(await rt.registry.get(province_slug))
    successor = await rt.registry.get(slug)
    target = rt.service(successor)
    pairs = [(old, rt.service(await rt.registry.get(old))) for old in olds]

    def work() -> None:
        with acting_as(Actor("platform-admin", "platform_admin")):
            merge_tenants(pairs, slug, target,
                          "Nghị quyết sắp xếp đơn vị hành chính cấp xã 2025", today)
        catalogue, policy = province.catalogue(), province.policy_for("monthly")
        with acting_as(Actor("demo-loader", "hr_officer")):
            target.inherit_catalogue(InheritCatalogue(
                province_slug, catalogue, CatalogueAdjustment(), "Áp dụng danh mục của Thành phố"))
            # Allowed by the city: a harder kind of dossier here, and an output of its own.
            target.inherit_catalogue(InheritCatalogue(province_slug, catalogue, CatalogueAdjustment(
                items=(CatalogueItem("ho-so", POSITION, "Thẩm định hồ sơ đất đai", "hồ sơ", 1.2,
                                     0.5, 1.5),
                       CatalogueItem("dan-van", POSITION, "Dân vận khéo tại khu dân cư", "đợt",
                                     1.0))), "Điều chỉnh trong phạm vi Thành phố cho phép"))
            target.inherit_policy(InheritPolicy(
                "monthly", province_slug, policy, {"appeal_window_days": 15},
                "Áp dụng tiêu chí của Thành phố; thời hạn khiếu nại 15 ngày"))

    await anyio.to_thread.run_sync(work)
    for tenant in [successor, *[await rt.registry.get(old) for old in olds]]:
        await rt.written(tenant)
