"""What text may enter the system, and how stored text is made storable.

Every text a person or a client sends — GraphQL arguments and inputs at any depth, CLI
options, imported files — passes ``check_text`` at the edge before anything is written.
It refuses:

- C0 control characters other than tab and line feed (U+0000–U+0008, U+000B–U+001F), and
  DEL (U+007F). NUL in particular cannot be stored by PostgreSQL in ``text`` or ``jsonb``;
  the others have no place in a name, a reason or a piece of evidence and are a common
  vehicle for log and spreadsheet injection. (A browser form's CR LF line breaks are turned
  into LF by the web app before they are sent.)
- Unpaired UTF-16 surrogates (U+D800–U+DFFF), which a JSON body can spell as ``\\ud800``
  and which UTF-8 — the database's encoding — cannot represent.
- Text longer than its field's bound (``limit_for``).

``storable`` is the other half: the projector may still meet such characters in events
written before this check existed (or below the API). It replaces each with U+FFFD, the
Unicode replacement character — a deterministic rule, so a replay and a rebuild give the
very rows the live projection wrote. The event log itself is never changed.
"""

from __future__ import annotations

import re

from domain.errors import DomainError

# Bounds per field, by the field's name as clients send it (GraphQL argument or input
# field, camelCase). Ids and cursors are short; names and labels fit a line on a form;
# free text (reasons, grounds, evidence, opinions) defaults to ``MAX_TEXT``.
MAX_TEXT = 4000
MAX_NAME = 200
MAX_ID = 200
MAX_JSON = 20_000
_NAMED_LIMITS: dict[str, int] = {
    **dict.fromkeys(("fullName", "name", "title", "position", "kind", "label", "unitName",
                     "staffType", "peerGroup", "partyCell", "authority", "reference", "form",
                     "key", "capacity", "preset", "status", "level", "role", "relation", "step",
                     "action", "source", "quality", "slug", "tenant", "toTenant", "otherTenant",
                     "reviewerTenant", "asOf", "until", "code", "email", "unit", "cycle"),
                    MAX_NAME),
    **dict.fromkeys(("after", "before", "cursor", "id"), MAX_ID),
    "criteriaJson": MAX_JSON,
}

# C0 controls except TAB (0x09) and LF (0x0A), DEL, and lone surrogates.
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# What PostgreSQL cannot hold in text/jsonb: NUL, and surrogates (not valid UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class InvalidTextError(DomainError):
    code = "INVALID_TEXT"


class TextTooLongError(DomainError):
    code = "TEXT_TOO_LONG"


def limit_for(field: str) -> int:
    """The longest text ``field`` accepts (documented in the README, "Limits")."""
    if field in _NAMED_LIMITS:
        return _NAMED_LIMITS[field]
    if field.endswith(("Id", "Ids")):
        return MAX_ID
    return MAX_TEXT


def check_text(field: str, value: str, limit: int | None = None) -> str:
    """Refuse a text with a control character or past its bound, naming the field."""
    bad = _REFUSED.search(value)
    if bad is not None:
        code_point = f"U+{ord(bad.group()):04X}"
        error = InvalidTextError(
            f"Trường '{field}' chứa ký tự điều khiển không được phép ({code_point}) ở vị trí "
            f"{bad.start() + 1}; hãy xoá ký tự đó rồi gửi lại.",
            f"Field '{field}' contains a control character that is not allowed ({code_point}) "
            f"at position {bad.start() + 1}; remove it and send again.")
        error.details = {"field": field, "position": bad.start() + 1}
        raise error
    bound = limit_for(field) if limit is None else limit
    if len(value) > bound:
        error_long = TextTooLongError(
            f"Trường '{field}' quá dài ({len(value)} ký tự, tối đa {bound}).",
            f"Field '{field}' is too long ({len(value)} characters, at most {bound}).")
        error_long.details = {"field": field, "limit": bound}
        raise error_long
    return value


class TextRequiredError(DomainError):
    code = "TEXT_REQUIRED"


def required(field: str, value: str, field_vi: str) -> str:
    """A name a person must give (a unit's name, a person's full name and position):
    blank or only spaces is refused. Returns it without surrounding spaces."""
    if not value.strip():
        error = TextRequiredError(f"Chưa nhập {field_vi}.", f"'{field}' must not be blank.")
        error.details = {"field": field}
        raise error
    return value.strip()


def check_texts(value: object, field: str = "input") -> None:
    """``check_text`` on every string inside ``value`` (dicts by key, lists by item), each
    named by the innermost key that holds it."""
    if isinstance(value, str):
        check_text(field, value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            check_texts(inner, str(key))
    elif isinstance(value, (list, tuple)):
        for inner in value:
            check_texts(inner, field)


def storable(value: str) -> str:
    """``value`` with every character PostgreSQL cannot store replaced by U+FFFD."""
    if _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub(REPLACEMENT, value)


def storable_deep(value: object) -> object:
    """``storable`` applied to every string inside dicts and lists (keys included)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(k) if isinstance(k, str) else k: storable_deep(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [storable_deep(v) for v in value]
    return value
