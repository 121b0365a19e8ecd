"""`congtam demo` lists the demo users of every demo tenant people sign in to: the 2018
districts and wards, and Hà Nội in the 2025 shape (the city and its wards), whose policy,
catalogue and work the README's "Work outputs" section walks through."""

from __future__ import annotations

from services.cli.serve import _demo_users
from services.demo.tenants import sign_in_tenants


def test_the_demo_listing_names_the_users_of_every_tenant_of_the_sign_in() -> None:
    listed = {u.tenant for u in _demo_users()}
    assert listed == set(sign_in_tenants())
    assert {"hn", "hn-xa-my-duc", "hn-phuong-hoang-mai"} <= listed
