"""A province sets the catalogue and the policy once; a ward under it applies them, may change
only what the province allows (LOCKED_BY_PROVINCE otherwise, nothing written), and the
versions its assignments and decisions record name the province's version."""

from __future__ import annotations

import uuid

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from services.app.commands import AdoptPolicy
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffed, Staffing
from tests.e2e.test_appeal_workflow import refused
from tests.e2e.test_work_workflow import ASSIGN, CATALOGUE, ITEMS, MY_WORK, _assignment
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e
INHERIT, INHERIT_POLICY = operation("InheritProvinceCatalogue"), \
    operation("InheritProvincePolicy")
REASONS = "Quyết định của UBND tỉnh về danh mục sản phẩm"


async def _ward(runtime: Runtime, settings: Settings, staffed: Staffing, members: int
                ) -> tuple[Tenant, Staffed, str]:
    """A fresh province, a ward under it with ``members`` people, and a token of an HR officer
    of the province."""
    province = await runtime.registry.register(f"tinh-{uuid.uuid4().hex[:8]}", "Tỉnh thử",
                                               "province", None)
    ward = await staffed(members=members, parent=province.slug)
    return province, ward, token_for(settings, province.slug, uuid.uuid4(), "hr_officer")


async def test_a_ward_inherits_what_the_province_sets_and_changes_only_what_it_allows(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    province, (ward, org, ward_hr), province_hr = await _ward(runtime, settings, staffed, 2)
    # The province lets its wards retune "ho-so" and add outputs; "bao-cao" is locked.
    data(await gql(http, province_hr, CATALOGUE, {"input": {
        **ITEMS, "allowance": {"addItems": True, "adjustItems": ["ho-so"]}},
        "reasons": REASONS}))

    locked = {"items": [{"key": "bao-cao", "position": "Chuyên viên",
                         "labelVi": "Báo cáo chuyên đề", "coefficient": 3.0}]}
    assert await refused(runtime, ward, gql(http, ward_hr, INHERIT, {
        "reasons": "Áp dụng", "adjustment": locked})) == "LOCKED_BY_PROVINCE"
    assert await refused(runtime, ward, gql(http, ward_hr, INHERIT, {
        "reasons": "Áp dụng", "adjustment": {"removed": ["bao-cao"]}})) == "LOCKED_BY_PROVINCE"
    allowed = {"items": [{"key": "ho-so", "position": "Chuyên viên",
                          "labelVi": "Thẩm định hồ sơ đất đai", "coefficient": 1.2}]}
    data(await gql(http, ward_hr, INHERIT, {"reasons": "Áp dụng danh mục của tỉnh",
                                            "adjustment": allowed}))
    # The policy: the province's (the national monthly preset); changing what it locks is
    # refused, applying it as it is works.
    province_service = runtime.service(province)
    def adopt() -> None:
        with acting_as(Actor("province-hr", "hr_officer")):
            province_service.adopt_policy(AdoptPolicy("monthly", "vn-monthly-2026", REASONS))
    await anyio.to_thread.run_sync(adopt)
    assert await refused(runtime, ward, gql(http, ward_hr, INHERIT_POLICY, {
        "cycle": "MONTHLY", "reasons": "Áp dụng",
        "changes": '{"appeal_window_days": 30}'})) == "LOCKED_BY_PROVINCE"
    data(await gql(http, ward_hr, INHERIT_POLICY, {"cycle": "MONTHLY",
                                                   "reasons": "Áp dụng chính sách của tỉnh"}))

    leader = token_for(settings, ward.slug, org.leader, "unit_leader", "staff")
    done = data(await gql(http, leader, ASSIGN, _assignment(
        [org.members[0]], catalogueKey="ho-so")))["assignWork"]
    me = token_for(settings, ward.slug, org.members[0], "staff")
    [edge] = data(await gql(http, me, MY_WORK, {"year": 2026, "number": 3,
                                                "atLeast": done["position"]}))["myWork"]["edges"]
    item = edge["node"]
    assert item["catalogueVersion"] == f"catalogue/1 ({province.slug} catalogue/1)"
    assert (item["title"], item["coefficient"]) == ("Thẩm định hồ sơ đất đai", 1.2)
    async with runtime.pool.acquire() as conn:
        version = await conn.fetchval(
            f"SELECT version FROM {ward.schema}.rm_policies WHERE cycle = 'monthly' "
            "ORDER BY revision DESC LIMIT 1")
    assert province.slug in version


PENDING = operation("WebPendingProvinceVersions")
WARD_CATALOGUE = "query { workCatalogue { version provinceVersion items { key coefficient } } }"


async def test_a_ward_sees_the_provinces_new_catalogue_version_and_applies_it_in_one_action(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    province, (ward, org, ward_hr), province_hr = await _ward(runtime, settings, staffed, 1)
    scheme = {**ITEMS, "allowance": {"addItems": True, "adjustItems": ["ho-so"]}}
    data(await gql(http, province_hr, CATALOGUE, {"input": scheme, "reasons": REASONS}))

    # Nothing applied yet: the province's version is offered.
    [offered] = data(await gql(http, ward_hr, PENDING))["pendingProvinceVersions"]
    assert offered == {"what": "catalogue", "provinceTenant": province.slug,
                       "provinceName": "Tỉnh thử", "available": "catalogue/1", "inForce": None}
    own = {"items": [{"key": "ho-so", "position": "Chuyên viên",
                      "labelVi": "Thẩm định hồ sơ đất đai", "coefficient": 1.2}]}
    data(await gql(http, ward_hr, INHERIT, {"reasons": "Áp dụng danh mục của tỉnh",
                                            "adjustment": own}))
    assert data(await gql(http, ward_hr, PENDING))["pendingProvinceVersions"] == []

    # The province revises its catalogue: the ward is told, and only its HR officer asks.
    data(await gql(http, province_hr, CATALOGUE, {"input": {
        **scheme, "adHocMax": 3.0}, "reasons": "Sửa đổi danh mục"}))
    [offered] = data(await gql(http, ward_hr, PENDING))["pendingProvinceVersions"]
    assert (offered["available"], offered["inForce"]) == ("catalogue/2", "catalogue/1")
    leader = token_for(settings, ward.slug, org.leader, "unit_leader", "staff")
    assert error_code(await gql(http, leader, PENDING)) == "FORBIDDEN"

    # Applying it needs reasons (nothing written); with them, one action follows the new
    # version and keeps the ward's own adjustment.
    assert await refused(runtime, ward, gql(http, ward_hr, INHERIT, {
        "reasons": " "})) == "REASONS_REQUIRED"
    assert len(data(await gql(http, ward_hr, PENDING))["pendingProvinceVersions"]) == 1
    data(await gql(http, ward_hr, INHERIT, {"reasons": "Áp dụng danh mục sửa đổi của tỉnh"}))
    assert data(await gql(http, ward_hr, PENDING))["pendingProvinceVersions"] == []
    catalogue = data(await gql(http, ward_hr, WARD_CATALOGUE))["workCatalogue"]
    assert catalogue["provinceVersion"] == "catalogue/2"
    assert catalogue["version"] == f"catalogue/2 ({province.slug} catalogue/2)"
    assert {i["key"]: i["coefficient"] for i in catalogue["items"]}["ho-so"] == 1.2
