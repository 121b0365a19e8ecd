"""`congtam demo` lists the demo users of every demo tenant people sign in to: the 2018
districts and wards, and Hà Nội in the 2025 shape (the city and its wards), whose policy,
catalogue and work the README's "Work outputs" section walks through."""

from __future__ import annotations

from services.cli.serve import _demo_users
from services.demo.province import PROVINCE
from services.demo.tenants import demo_users, sign_in_tenants


def test_the_demo_listing_names_the_users_of_every_tenant_of_the_sign_in() -> None:
    listed = {u.tenant for u in _demo_users()}
    assert listed == set(sign_in_tenants())
    assert {"hn", "hn-xa-my-duc", "hn-phuong-hoang-mai"} <= listed


def test_every_demo_tenant_with_staff_lists_one_civil_servant_scored_by_work() -> None:
    for slug in sign_in_tenants():
        civil = [u for u in demo_users(slug) if u.name == "Công chức"]
        assert len(civil) == (0 if slug == PROVINCE[0] else 1), slug
    # The ids the README and the realm use stay where they were.
    names = [u.name for u in demo_users("hn-long-bien-duc-giang")]
    assert names[:4] == ["Cán bộ tổ chức (HR)", "Chủ tịch UBND", "Chủ tịch UBMTTQ", "Cán bộ MTTQ"]


def test_a_tenant_built_like_the_demo_lists_each_person_once() -> None:
    # One grant per listed person and role: a person listed twice could not be granted.
    for n in range(300):
        users = demo_users(f"web-{n:04x}")
        assert len({u.user_id for u in users}) == len(users), n
