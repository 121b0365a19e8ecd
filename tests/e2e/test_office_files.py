"""The HR officer's files over real HTTP: printed reports equal the board they were made
from, a unit out of scope is NOT_FOUND, and bad uploads are refused with nothing written."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import openpyxl
import pypdf
import pytest

from domain.actor import Actor
from domain.levels import Level
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.months import SCORES, decided_month
from tests.e2e.sheets import template_sheet
from tests.support.gql import bearer, data, gql, nodes, token_for
from tests.support.keyserver import key_server
from tests.support.operations import operation
from tests.support.org import Org
from tests.support.projection import projected
from tests.support.readmodels import events_in
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e

READ = operation("UnitBoard")
MAY = {"year": 2026, "month": 5}
ADMIN = Actor("platform-admin", "platform_admin")
HEADER = "Họ và tên,Loại cán bộ,Chức vụ,Đơn vị\n"


async def _rated(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                 levels: str) -> dict[str, Any]:
    at = await decided_month(http, settings, tenant, org, MAY["month"], levels)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    return data(await gql(http, hr, READ, {"unit": str(org.unit), **MAY, "at": at}))


async def _officer_of(runtime: Runtime, settings: Settings, tenant: Tenant, unit: Any) -> str:
    """The token of an HR officer granted ``unit`` (and what lies below it) only."""
    officer = str(uuid.uuid4())
    await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer", unit_scope=unit)
    return token_for(settings, tenant.slug, officer, "hr_officer")


async def test_the_unit_month_pdf_and_xlsx_hold_the_board_they_were_made_from(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=4)
    board = await _rated(http, settings, tenant, org, "ABBC")
    rated = {r["staffId"]: r["level"] for r in nodes(board["unitRatings"]) if r["level"]}
    names = {str(m): f"Lê Văn Thành Viên {i:02d}" for i, m in enumerate(org.members)}
    query: dict[str, str | int] = {"unit": str(org.unit), **MAY}

    pdf = await http.get("/reports/unit-month.pdf", params=query, headers=bearer(hr))
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    lines = text.splitlines()
    for staff, level in rated.items():  # each person's line carries their level, in words
        label = Level(level).label_vi
        assert any(line.endswith(f"{names[staff]} Chuyên viên {SCORES[level]} {label}")
                   for line in lines), (names[staff], level, text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert f"vị trí {pdf.headers['x-log-position']}" in text

    xlsx = await http.get("/reports/unit-month.xlsx", params=query, headers=bearer(hr))
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    found = {row[1]: row for row in cells if len(row) > 1 and row[1] in names.values()}
    assert set(found) == set(names.values())
    for staff, level in rated.items():
        row = found[names[staff]]
        assert Level(level).label_vi in row or level in row, row
        assert SCORES[level] in row, row


async def test_a_unit_outside_the_callers_scope_prints_as_not_found(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=2)
    # A grant narrowed to a unit reaches the units the read models place below it: read
    # them at the organisation's head, as any client that just created it would.
    await projected(runtime, tenant)
    scoped = await _officer_of(runtime, settings, tenant, org.unit)
    inside = await http.get("/reports/unit-month.xlsx", headers=bearer(scoped),
                            params={"unit": str(org.unit), **MAY})
    assert inside.status_code == 200
    outside = await http.get("/reports/unit-month.xlsx", headers=bearer(scoped),
                             params={"unit": str(org.root), **MAY})
    nowhere = await http.get("/reports/unit-month.xlsx", headers=bearer(scoped),
                             params={"unit": str(uuid.uuid4()), **MAY})
    assert outside.status_code == nowhere.status_code == 404
    assert outside.json() == nowhere.json()
    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    refused = await http.get("/reports/unit-month.pdf", headers=bearer(staff),
                             params={"unit": str(org.unit), **MAY})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    anonymous = await http.get("/reports/unit-month.pdf", params={"unit": str(org.unit), **MAY})
    assert anonymous.status_code == 401


async def test_an_upload_is_previewed_then_committed_once(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, _org, hr = await staffed(members=1)
    template = await http.get("/imports/staff-template.xlsx", headers=bearer(hr))
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.content)).worksheets
    body = (HEADER + "Hoàng Thị Giang,Công chức,Chuyên viên,Ủy ban nhân dân\n").encode()
    before = await events_in(runtime, tenant)
    seen = await http.post("/imports/staff/preview", headers=bearer(hr),
                           files={"data": ("ds.csv", body, "text/csv")})
    assert seen.status_code == 200, seen.text
    assert seen.json()["plan"]["register"] == 1
    assert await events_in(runtime, tenant) == before
    done = await http.post("/imports/staff/commit", headers=bearer(hr),
                           files={"data": ("ds.csv", body, "text/csv")})
    assert done.json()["plan"]["register"] == 1
    assert done.json()["position"] > before
    again = await http.post("/imports/staff/commit", headers=bearer(hr),
                            files={"data": ("ds.csv", body, "text/csv")})
    assert again.json()["plan"]["writesNothing"] is True


def _formula_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Loại cán bộ", "Chức vụ", "Đơn vị"])
    sheet.append(["=HYPERLINK(\"http://x\",\"A\")", "Công chức", "Chuyên viên",
                  "Ủy ban nhân dân"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("make", "status", "code"), [
    (lambda: b"PK\x03\x04 not really a workbook", 400, "NOT_A_SPREADSHEET"),
    (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", 400, "NOT_A_SPREADSHEET"),
    (lambda: (HEADER + "x,Công chức,Chuyên viên,Ủy ban nhân dân\n" * 120_000).encode()[
        :5 * 1024 * 1024 + 10], 413, "FILE_TOO_LARGE"),
    (lambda: (HEADER + "Tên,Công chức,Chuyên viên,Ủy ban nhân dân\n" * 100_000).encode(),
     400, "TOO_MANY_ROWS"),
    (_formula_xlsx, 422, "FORMULA"),
])
async def test_a_bad_upload_is_refused_clearly_and_writes_nothing(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing,
    make: Callable[[], bytes], status: int, code: str,
) -> None:
    tenant, _org, hr = await staffed(members=1)
    before = await events_in(runtime, tenant)
    answer = await http.post("/imports/staff/commit", headers=bearer(hr),
                             files={"data": ("ds.xlsx", make(), "application/octet-stream")})
    assert answer.status_code == status, answer.text
    body = answer.json()
    found = [p["code"] for p in body["problems"]] if "problems" in body else \
        [body["error"]["code"]]
    assert code in found
    assert all(body.get("error", {}).get(k) for k in ("vi", "en")) or body["problems"][0]["vi"]
    assert await events_in(runtime, tenant) == before


UNITS_HEADER = "Tên đơn vị,Loại đơn vị,Đơn vị cấp trên\n"


async def test_a_units_sheet_is_previewed_then_committed_once_by_a_whole_tenant_officer(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    assert await template_sheet(http, hr, "units")
    files = {"data": ("dv.csv", (UNITS_HEADER + "Tổ dân phố số 9,to_dan_pho,Ủy ban nhân dân\n"
                                 "Tổ dân phố số 10,to_dan_pho,Ủy ban nhân dân\n").encode(),
                      "text/csv")}
    before = await events_in(runtime, tenant)
    bad = await http.post("/imports/units/preview", headers=bearer(hr), files={"data": (
        "dv.csv", (UNITS_HEADER + "Tổ 11,to_dan_pho,Ban Không Có\n").encode(), "text/csv")})
    assert bad.status_code == 422, bad.text
    assert [(p["row"], p["column"], p["code"]) for p in bad.json()["problems"]] == [
        (2, "Đơn vị cấp trên", "UNKNOWN_UNIT")]
    seen = await http.post("/imports/units/preview", headers=bearer(hr), files=files)
    assert seen.status_code == 200, seen.text
    assert seen.json()["plan"]["unitsRegistered"] == 2
    assert await events_in(runtime, tenant) == before
    done = await http.post("/imports/units/commit", headers=bearer(hr), files=files)
    assert done.json()["plan"]["unitsRegistered"] == 2
    assert done.json()["position"] > before
    written = await events_in(runtime, tenant)
    again = await http.post("/imports/units/commit", headers=bearer(hr), files=files)
    assert again.json()["plan"]["writesNothing"] is True
    assert await events_in(runtime, tenant) == written

    # An officer of one unit only, and a staff member: refused, nothing written.
    for token in (await _officer_of(runtime, settings, tenant, org.unit),
                  token_for(settings, tenant.slug, org.members[0], "staff")):
        refused = await http.post("/imports/units/commit", headers=bearer(token), files=files)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert await events_in(runtime, tenant) == written


@pytest.mark.parametrize("megabytes", [5.5, 8])
async def test_a_file_over_the_limit_is_refused_as_too_large_whatever_its_size(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing, megabytes: float,
) -> None:
    tenant, _org, hr = await staffed(members=1)
    before = await events_in(runtime, tenant)
    size = int(megabytes * 1024 * 1024)
    sheet = (HEADER + "x,Công chức,Chuyên viên,Ủy ban nhân dân\n" * 300_000).encode()[:size]
    answer = await http.post("/imports/staff/preview", headers=bearer(hr),
                             files={"data": ("ds.csv", sheet, "text/csv")})
    assert answer.status_code == 413, answer.text
    error = answer.json()["error"]
    assert error["code"] == "FILE_TOO_LARGE"
    assert "5,242,880" in error["vi"]  # the limit, named
    assert "5,242,880" in error["en"]
    assert "5,242,881" not in error["en"]  # never the size of what was read, only the file's
    assert await events_in(runtime, tenant) == before


async def test_an_officer_of_one_unit_imports_into_it_and_never_into_a_unit_outside(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, _hr = await staffed(members=1)
    scoped = bearer(await _officer_of(runtime, settings, tenant, org.unit))
    before = await events_in(runtime, tenant)
    outside = (HEADER + "Đào Văn Ngoài,Công chức,Chuyên viên,Ủy ban nhân dân\n").encode()
    refused = await http.post("/imports/staff/commit", headers=scoped,
                              files={"data": ("ds.csv", outside, "text/csv")})
    assert refused.status_code == 422, refused.text
    assert [(p["row"], p["code"]) for p in refused.json()["problems"]] == [(2, "UNKNOWN_UNIT")]
    assert await events_in(runtime, tenant) == before
    inside = (HEADER + "Đào Thị Trong,Công chức,Chuyên viên,Ủy ban Mặt trận Tổ quốc\n").encode()
    done = await http.post("/imports/staff/commit", headers=scoped,
                           files={"data": ("ds.csv", inside, "text/csv")})
    assert done.status_code == 200, done.text
    assert done.json()["plan"]["register"] == 1


async def test_the_development_mail_sink_is_shown_and_never_in_production(
    http: httpx.AsyncClient, settings: Settings,
) -> None:
    folder = settings.data_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    subject = f"Nhắc việc thử {uuid.uuid4().hex[:8]}"
    mail = folder / f"99999999999999999999-{uuid.uuid4().hex[:8]}.eml"
    mail.write_bytes(
        f"To: nguoi@phuong.gov.vn\nFrom: ct@congtam.local\nSubject: {subject}\n\nNội dung\n"
        .encode())
    try:
        shown = await http.get("/dev/mail")
    finally:
        mail.unlink()
    assert shown.status_code == 200
    assert subject in [m["subject"] for m in shown.json()["messages"]]
    with key_server() as idp:
        async with app_with(settings, **idp.production()) as production:
            hidden = await production.get("/dev/mail")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "NOT_FOUND"
