"""Natural keys and the ids derived from them, so importing the same file twice writes nothing
the second time.

**A person** is known by, in this order:

1. their **staff code** (``Mã cán bộ``: the number the HR office already files them under —
   số hiệu cán bộ, công chức), when the sheet gives one: ``code:<code, case-blind>``. It is
   the only key that survives a change of name spelling or a transfer between units, so the
   template asks for it first.
2. otherwise their **full name within their unit**: ``name:<full name>|unit:<unit name>``,
   both compared after Unicode NFC, case folding and collapsing spaces — but *keeping*
   diacritics, because "Lê Văn Ân" and "Lê Văn An" are two people.

   Date of birth would tell namesakes apart better, but the service does not hold it (it is
   personal data it has no use for); two namesakes in one unit are refused as a duplicate
   until the sheet gives them codes. The cost: a person without a code who moves to another
   unit between two imports looks new — ``plan_staff`` reports them as a possible transfer
   (same name, other unit) instead of silently registering a second person.

**A unit** is known by its name within the tenant (``unit:<name>``, folded as above): a
commune does not have two units of one name.

**Ids** are ``uuid5(IMPORT_NAMESPACE, "<tenant>/staff/<key>")`` (``/unit/`` for units): the
same tenant and key always give the same id, a different tenant never the same one.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from domain.ids import StaffId, UnitId

from .columns import normalise

IMPORT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:congtam:import")


def _part(text: str) -> str:
    return normalise(text).casefold()


def staff_key(full_name: str, unit_name: str, code: str = "") -> str:
    """The person's natural key: the staff code if any, else full name within unit."""
    if normalise(code):
        return f"code:{_part(code)}"
    return f"name:{_part(full_name)}|unit:{_part(unit_name)}"


def unit_key(name: str) -> str:
    return f"unit:{_part(name)}"


def staff_id_for(tenant: str, key: str) -> StaffId:
    return StaffId(uuid5(IMPORT_NAMESPACE, f"{tenant}/staff/{key}"))


def unit_id_for(tenant: str, name: str) -> UnitId:
    return UnitId(uuid5(IMPORT_NAMESPACE, f"{tenant}/unit/{unit_key(name)}"))


