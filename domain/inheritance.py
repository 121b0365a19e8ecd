"""A province sets policy and catalogue once; its communes and wards inherit and adjust.

Since 1 July 2025 local government has two tiers: the province's Department of Home Affairs
(Sở Nội vụ) sets one catalogue of outputs and one evaluation policy for its ~100–170
communes and wards (Decree 335/2025 art. 13: "the province or the agency sets the
catalogue"; domain.md "Province-wide policy"). A child tenant may change only what the
province allows; a change to anything locked is refused with ``LOCKED_BY_PROVINCE`` and
nothing is merged.

These are pure rules over values: where each version is stored (the province's log, the
child's log) and how a child learns of a new province version is the integrator's job.
Every merged result names the province version it was built on, so a decision that records
the child's version also, through it, records the province's.
"""

from __future__ import annotations

from typing import Any

from domain.catalogue import Catalogue, CatalogueAdjustment
from domain.errors import InvalidPolicyError
from domain.policy import Policy
from domain.tenant_policy import validate
from domain.work_errors import LockedByProvinceError


def _locked(what_vi: str, what_en: str) -> LockedByProvinceError:
    return LockedByProvinceError(
        f"{what_vi} do tỉnh/thành phố quy định và khóa; xã, phường không được thay đổi.",
        f"{what_en} is set and locked by the province; a commune or ward may not change it.")


def locked_changes(province: Catalogue, adjustment: CatalogueAdjustment) -> list[str]:
    """What of ``adjustment`` the province's allowance locks (empty: all allowed)."""
    allowance, found = province.allowance, []
    known = {i.key for i in province.items}
    for item in adjustment.items:
        if item.key in known and not allowance.may_adjust(item.key):
            found.append(f"item:{item.key}")
        elif item.key not in known and not allowance.add_items:
            found.append(f"add:{item.key}")
    found += [f"remove:{key}" for key in adjustment.removed
              if key in known and not allowance.may_adjust(key)]
    if (adjustment.ad_hoc_min is not None or adjustment.ad_hoc_max is not None) and \
            not allowance.adjust_ad_hoc_range:
        found.append("ad_hoc_range")
    return found


def merge_catalogue(province: Catalogue, adjustment: CatalogueAdjustment,
                    version: str) -> Catalogue:
    """The child's catalogue: the province's version with the child's allowed adjustments.

    Refused (``LOCKED_BY_PROVINCE``) if any adjustment touches what the province locks;
    refused (``INVALID_CATALOGUE``) if the result is not a usable catalogue.
    """
    locked = locked_changes(province, adjustment)
    if locked:
        raise _locked(f"Danh mục sản phẩm ({', '.join(locked)})",
                      f"The catalogue ({', '.join(locked)})")
    replaced = {i.key: i for i in adjustment.items}
    items = [replaced.pop(i.key, i) for i in province.items if i.key not in adjustment.removed]
    items += replaced.values()
    merged = Catalogue(
        version=version, items=tuple(items),
        ad_hoc_min=province.ad_hoc_min if adjustment.ad_hoc_min is None
        else adjustment.ad_hoc_min,
        ad_hoc_max=province.ad_hoc_max if adjustment.ad_hoc_max is None
        else adjustment.ad_hoc_max,
        allowance=province.allowance, province_version=province.version)
    return merged.validated()


def without_locked(province: Catalogue, adjustment: CatalogueAdjustment
                   ) -> tuple[CatalogueAdjustment, list[str]]:
    """A child's adjustment reduced to what a (new) province version still allows, and what
    was dropped: when the province locks more, the province's word wins."""
    dropped = locked_changes(province, adjustment)
    kept_items = tuple(i for i in adjustment.items
                       if f"item:{i.key}" not in dropped and f"add:{i.key}" not in dropped)
    kept_removed = tuple(k for k in adjustment.removed if f"remove:{k}" not in dropped)
    keep_range = "ad_hoc_range" not in dropped
    return CatalogueAdjustment(
        items=kept_items, removed=kept_removed,
        ad_hoc_min=adjustment.ad_hoc_min if keep_range else None,
        ad_hoc_max=adjustment.ad_hoc_max if keep_range else None), dropped


def _paths(changes: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the leaves of ``changes`` (lists are leaves)."""
    found: list[str] = []
    for key, value in changes.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            found += _paths(value, path + ".")
        else:
            found.append(path)
    return found


def _allowed(path: str, adjustable: tuple[str, ...]) -> bool:
    return any(path == a or path.startswith(a + ".") for a in adjustable)


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_policy(province: Policy, changes: dict[str, Any], version: str) -> Policy:
    """The child's policy: the province's with ``changes`` (``Policy.to_state`` shape, nested
    dicts merged) applied, each changed path allowed by ``province.child_adjustable``.

    The child can never widen what it may change: ``child_adjustable`` itself is locked.
    The result is validated like any tenant's policy (``tenant_policy.validate``).
    """
    locked = [p for p in _paths(changes) if p == "child_adjustable"
              or p.startswith("child_adjustable.")
              or not _allowed(p, province.child_adjustable)]
    if locked:
        raise _locked(f"Chính sách đánh giá ({', '.join(locked)})",
                      f"The evaluation policy ({', '.join(locked)})")
    try:
        merged = Policy.from_state({**_deep_merge(province.to_state(), changes),
                                    "version": version})
    except (TypeError, ValueError, KeyError) as error:
        raise InvalidPolicyError(f"Chính sách đánh giá không hợp lệ: trường sai ({error}).",
                                 f"Invalid policy: bad field ({error}).") from None
    validate(merged)
    return merged
