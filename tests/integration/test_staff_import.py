"""Importing a tenant's register from spreadsheets: all rows or none, once (issue 20)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from domain.actor import Actor
from services.app.staff_import import ImportOutcome
from services.office.register import register_files, register_rows
from services.office.staff_import import import_staff_file, import_units_file
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam, import_refused_then_planned
from tests.support.org import Org, StaffedTenant
from tests.support.projection import projected
from tests.support.readmodels import events_in

pytestmark = pytest.mark.integration
HR = Actor("hr-import", "hr_officer")
HEADER = "Họ và tên,Loại cán bộ,Chức vụ,Đơn vị,Đảng viên,Ngày bắt đầu công tác\n"


async def _committed(runtime: Runtime, tenant: Tenant, data: bytes) -> ImportOutcome:
    """``data`` imported and committed by HR: what it did."""
    done = await import_staff_file(runtime, tenant, data, HR, commit=True)
    assert done.outcome is not None, done.problems
    return done.outcome


async def _projected_staff(runtime: Runtime, staffed_tenant: StaffedTenant, members: int
                           ) -> tuple[Tenant, Org]:
    """A fresh tenant and its organisation, in the read models (an import reads them)."""
    tenant, org = await staffed_tenant(members=members)
    await projected(runtime, tenant, drive=True)
    return tenant, org


def _register(rows: tuple[list, list]) -> tuple[list, list]:  # type: ignore[type-arg]
    units, staff = rows
    return ([(u.name, u.kind, u.parent_name) for u in units],
            sorted((s.full_name, s.staff_type, s.position, s.unit_name, s.party_member,
                    s.peer_group, s.party_cell, s.start_date) for s in staff))


async def test_an_exported_register_imports_into_an_empty_tenant_as_the_same_register(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    source, target = await new_tenant(), await new_tenant()
    await org_in(source, members=5)
    await projected(runtime, source, drive=True)
    units_xlsx, staff_xlsx = await register_files(runtime, source)

    units = await import_units_file(runtime, target, units_xlsx, HR, commit=True)
    assert not units.problems
    assert units.outcome
    assert units.outcome.units_registered == 2
    await projected(runtime, target, drive=True)
    staff = await import_staff_file(runtime, target, staff_xlsx, HR, commit=True)
    assert not staff.problems, staff.problems
    assert staff.outcome is not None
    assert staff.outcome.registered == 7
    await projected(runtime, target, drive=True)

    assert _register(await register_rows(runtime, target)) == \
        _register(await register_rows(runtime, source))


async def test_importing_the_same_file_again_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await _projected_staff(runtime, staffed_tenant, 3)
    data = (HEADER + "Phạm Thị Ánh,Công chức,Chuyên viên,Ủy ban Mặt trận Tổ quốc,Có,01/02/2020\n"
            "Đỗ Văn Bình,Viên chức,Văn thư,Ủy ban nhân dân,Không,\n").encode()
    first = await _committed(runtime, tenant, data)
    assert first.registered == 2
    await projected(runtime, tenant, drive=True)
    before = await events_in(runtime, tenant)
    again = await _committed(runtime, tenant, data)
    assert again.writes_nothing
    assert again.unchanged == 2
    assert again.position == 0
    assert await events_in(runtime, tenant) == before


async def test_a_person_registered_by_hand_is_updated_not_registered_twice(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await _projected_staff(runtime, staffed_tenant, 1)
    data = (HEADER + "Lê Văn Thành Viên 00,Công chức,Phó trưởng ban,"
            "Ủy ban Mặt trận Tổ quốc,Có,\n").encode()
    done = await _committed(runtime, tenant, data)
    assert (done.updated, done.registered) == (1, 0)
    assert done.touched == (org.members[0],)
    await projected(runtime, tenant, drive=True)
    _, staff = await register_rows(runtime, tenant)
    assert [s.position for s in staff if s.staff_id == org.members[0]] == ["Phó trưởng ban"]


async def test_every_bad_row_is_named_and_nothing_is_written(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await _projected_staff(runtime, staffed_tenant, 1)
    before = await events_in(runtime, tenant)
    data = (HEADER
            + "Người Hợp Lệ,Công chức,Chuyên viên,Ủy ban nhân dân,Có,\n"
            + ",Công chức,Chuyên viên,Ủy ban nhân dân,,\n"  # row 3: blank name
            + "Vũ Thị Cúc,Thợ,Chuyên viên,Ủy ban nhân dân,,\n"  # row 4: unknown type
            + "Hà Văn Dũng,Công chức,Chuyên viên,Phòng Không Có,,\n"  # row 5: unknown unit
            + "Lý Thị Én,Công chức,Chuyên viên,Ủy ban nhân dân,,31/02/2020\n"  # row 6: date
            + "Người Hợp Lệ,Công chức,Chuyên viên,Ủy ban nhân dân,Có,\n"  # row 7: duplicate
            + f"{'Ạ' * 201},Công chức,Chuyên viên,Ủy ban nhân dân,,\n"  # row 8: too long
            ).encode()
    found = await import_staff_file(runtime, tenant, data, HR, commit=True)
    named = {(p.row, p.code) for p in found.problems}
    assert named == {(3, "BLANK"), (4, "UNKNOWN_STAFF_TYPE"), (5, "UNKNOWN_UNIT"),
                     (6, "BAD_DATE"), (7, "DUPLICATE"), (8, "TEXT_TOO_LONG")}
    assert all(p.column_vi and p.message_vi.startswith(f"Dòng {p.row}") for p in found.problems)
    assert found.outcome is None
    assert await events_in(runtime, tenant) == before


async def test_the_import_command_checks_plans_and_writes_a_sheet_once(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    """``congtam import staff`` as the HR officer's operator runs it: a real process."""
    tenant, _ = await _projected_staff(runtime, staffed_tenant, 1)
    sheet, bad = tmp_path / "staff.csv", tmp_path / "bad.csv"
    sheet.write_text(HEADER + "Trịnh Thị Giang,Công chức,Chuyên viên,Ủy ban nhân dân,Có,\n",
                     encoding="utf-8")
    bad.write_text(HEADER + "Hà Văn Dũng,Công chức,Chuyên viên,Phòng Không Có,,\n",
                   encoding="utf-8")
    before = await events_in(runtime, tenant)

    await import_refused_then_planned(settings, "staff", tenant.slug, sheet, bad, "UNKNOWN_UNIT")
    assert await events_in(runtime, tenant) == before

    done = await congtam(settings, "import", "staff", "--tenant", tenant.slug, str(sheet))
    assert done.returncode == 0, done.stderr
    written = await events_in(runtime, tenant)
    assert written > before
    await projected(runtime, tenant, drive=True)
    again = await congtam(settings, "import", "staff", "--tenant", tenant.slug, str(sheet))
    assert again.returncode == 0, again.stderr
    assert await events_in(runtime, tenant) == written
