"""The catalogue of outputs (danh mục sản phẩm) uploaded over real HTTP: its template, a
preview that writes nothing, a commit that makes one version, once; a staff member refused."""

from __future__ import annotations

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.sheets import bearer, template_sheet
from tests.support.gql import data, gql, token_for
from tests.support.readmodels import events_in

pytestmark = pytest.mark.e2e

HEADER = "Mã sản phẩm,Vị trí việc làm,Tên sản phẩm,Đơn vị tính,Hệ số quy đổi\n"
SHEET = (HEADER + "BC-01,Chuyên viên văn phòng,Báo cáo tháng,báo cáo,1\n"
         "HS-01,Công chức tư pháp,Hồ sơ chứng thực,hồ sơ,\"0,5\"\n").encode()
CATALOGUE = "query { workCatalogue { version items { key coefficient } } }"


async def test_a_catalogue_sheet_is_previewed_then_committed_once(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    header = [c.value for c in (await template_sheet(http, hr, "catalogue"))[1]]
    assert header[:3] == ["Mã sản phẩm", "Vị trí việc làm", "Tên sản phẩm"]
    files = {"data": ("danh-muc.csv", SHEET, "text/csv")}
    before = await events_in(runtime, tenant)

    bad = await http.post("/imports/catalogue/preview", headers=bearer(hr), files={"data": (
        "x.csv", (HEADER + "BC-01,Chuyên viên văn phòng,,,0\n").encode(), "text/csv")})
    assert bad.status_code == 422, bad.text
    assert [(p["row"], p["column"], p["code"]) for p in bad.json()["problems"]] == [
        (2, "Tên sản phẩm", "BLANK"), (2, "Hệ số quy đổi", "COEFFICIENT_OUT_OF_RANGE")]
    seen = await http.post("/imports/catalogue/preview", headers=bearer(hr), files=files)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["plan"]["items"], seen.json()["plan"]["newVersion"]) == (2, True)
    assert await events_in(runtime, tenant) == before

    done = await http.post("/imports/catalogue/commit", headers=bearer(hr), files=files)
    assert done.status_code == 200, done.text
    assert done.json()["plan"]["version"] == "catalogue/1"
    at = done.json()["position"]
    assert at > 0
    written = await events_in(runtime, tenant)
    again = await http.post("/imports/catalogue/commit", headers=bearer(hr), files=files)
    assert again.json()["plan"]["writesNothing"] is True
    assert await events_in(runtime, tenant) == written
    catalogue = data(await gql(http, hr, CATALOGUE))["workCatalogue"]
    assert catalogue["items"] == [{"key": "BC-01", "coefficient": 1.0},
                                  {"key": "HS-01", "coefficient": 0.5}]

    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    refused = await http.post("/imports/catalogue/commit", headers=bearer(staff), files=files)
    assert refused.status_code == 403, refused.text
    assert (await http.get("/imports/catalogue-template.xlsx",
                           headers=bearer(staff))).status_code == 403
    assert (await http.get("/imports/nothing-template.xlsx",
                           headers=bearer(hr))).status_code == 404
    assert await events_in(runtime, tenant) == written
