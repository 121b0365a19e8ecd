"""What each scale generates and how hard each path is pushed (documented in bench/README.md).

Every loop is bounded twice: by a request/row count here and by ``budget_s`` seconds, so a
slow machine gives smaller samples rather than a run that never ends.
"""

from __future__ import annotations

from dataclasses import dataclass

# History starts here; the measured ("bench") months follow the last history month.
FIRST_YEAR = 2023


@dataclass(frozen=True)
class TenantSpec:
    """``count`` tenants, each: a People's Committee (root unit, chair) and ``units`` units of
    one leader + ``members`` staff, with ``months`` closed months of history per unit."""

    count: int
    units: int
    members: int
    months: int


@dataclass(frozen=True)
class Scale:
    name: str
    tenants: tuple[TenantSpec, ...]
    insert_rows: int  # baseline_insert_single: single-row INSERTs, one commit each
    copy_rows: int  # baseline_copy: rows in one copy_records_to_table
    append_people: int  # append_library: people self-assessed then decided, one by one
    decisions_c1: int  # decision_graphql at 1 client
    decisions_c8: int  # decision_graphql at 8 clients (spread over 8 units)
    dashboard_requests: int
    budget_s: float  # per measured loop
    month_end_window_s: float = 20.0  # month_end_burst: the month compressed to this
    month_end_people: int = 250  # month_end_burst: decisions in the month (whole units)
    floor_reps: int = 3  # GraphQL paths and their floors: interleaved repetitions
    floor_per_client: int = 4  # … and at least this many reads per client in each one
    board_window_s: float = 4.0  # commit_to_visible_boards: 500 decisions/s offered this long

    @property
    def tenant_count(self) -> int:
        return sum(s.count for s in self.tenants)


SCALES: dict[str, Scale] = {
    # For the smoke test: seconds, not a measurement worth reading.
    "tiny": Scale("tiny", (TenantSpec(2, 1, 12, 1),), insert_rows=300, copy_rows=3_000,
                  append_people=12, decisions_c1=8, decisions_c8=16, dashboard_requests=20,
                  budget_s=5.0, month_end_window_s=5.0, month_end_people=26, floor_reps=2,
                  floor_per_client=1, board_window_s=0.5),
    # Three wards of two units of 40 with a quarter of history: ~3,500 events, < 60 s.
    "small": Scale("small", (TenantSpec(3, 2, 40, 3),), insert_rows=2_000, copy_rows=20_000,
                   append_people=40, decisions_c1=40, decisions_c8=80, dashboard_requests=100,
                   budget_s=10.0),
    # One ward of six units of 40 with a year of history: ~15,000 events in about a minute,
    # enough for the projection paths (rebuild, catch_up) to outweigh their fixed costs.
    "medium": Scale("medium", (TenantSpec(1, 6, 40, 12),), insert_rows=2_000,
                    copy_rows=20_000, append_people=40, decisions_c1=40, decisions_c8=80,
                    dashboard_requests=100, budget_s=20.0),
    # One district holding four years of twelve units, and Hanoi's 126 communes and wards
    # with a little history each: ~120,000 events; the rebuild and audit paths' big tenant.
    "district": Scale("district", (TenantSpec(1, 12, 40, 52), TenantSpec(126, 1, 10, 2)),
                  insert_rows=5_000, copy_rows=100_000, append_people=40, decisions_c1=40,
                  decisions_c8=160, dashboard_requests=300, budget_s=60.0,
                  month_end_window_s=60.0, month_end_people=1_500),
    # Issue #8's city: Hanoi's 126 communes and wards after the 2025 merger, ~100,000 staff
    # (16 units of a head and 49 each per ward), a year of monthly ratings with
    # self-assessments, opinions and decisions: ~24,000 unit-months, ~4 million events.
    "city": Scale("city", (TenantSpec(126, 16, 49, 12),), insert_rows=5_000,
                  copy_rows=100_000, append_people=40, decisions_c1=40, decisions_c8=160,
                  dashboard_requests=300, budget_s=60.0, month_end_window_s=120.0,
                  month_end_people=5_000),
    # Hanoi's communes and wards before the 2025 merger (579, rounded up as in issue #8):
    # the tenant footprint at the first anchor.
    "hanoi": Scale("hanoi", (TenantSpec(600, 1, 5, 1),), insert_rows=5_000,
                   copy_rows=100_000, append_people=5, decisions_c1=40, decisions_c8=40,
                   dashboard_requests=300, budget_s=60.0, month_end_window_s=60.0,
                   month_end_people=1_000),
    # Every commune and ward of the country, small data each: what tenant count costs
    # (connections, memory, sweeps), not data volume. ~40 events per tenant.
    "national": Scale("national", (TenantSpec(3321, 1, 5, 1),), insert_rows=5_000,
                      copy_rows=100_000, append_people=5, decisions_c1=40, decisions_c8=40,
                      dashboard_requests=300, budget_s=60.0, month_end_window_s=60.0,
                      month_end_people=1_000),
}


def month_at(index: int) -> tuple[int, int]:
    """The (year, month) of the ``index``-th month since January of FIRST_YEAR."""
    return FIRST_YEAR + index // 12, index % 12 + 1
