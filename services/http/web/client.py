"""Pages are clients of our own GraphQL: each runs a persisted operation of
graphql/operations/ against the same schema, in process, with a context built exactly as
the HTTP path builds it (services/gql/context.get_context) from the signed-in person's
token — so every permission check of the API applies, and there is no second path to data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import strawberry
from litestar.datastructures import State

from services.gql.context import get_context
from services.http.limits import OPERATIONS_DIR


def load_operations(folder: Path = OPERATIONS_DIR) -> dict[str, str]:
    """Operation name (file stem) → document, read once at start."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.graphql"))}


class SignInRequiredError(Exception):
    """No session, or the token in it no longer opens the API (expired, revoked)."""


@dataclass(frozen=True)
class Refusal:
    """One refusal of the API, in both languages, with where it belongs when it says so."""

    code: str
    vi: str
    en: str
    line: int | None = None
    staff_id: str | None = None
    field: str | None = None

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass
class Answer:
    data: dict[str, Any]
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals


def _refusal(error: Any) -> Refusal:
    ext = dict(getattr(error, "extensions", None) or {})
    message = str(getattr(error, "message", error))
    line = ext.get("line")
    return Refusal(code=str(ext.get("code", "ERROR")), vi=str(ext.get("messageVi", message)),
                   en=str(ext.get("messageEn", message)),
                   line=int(line) if isinstance(line, int) else None,
                   staff_id=str(ext["staffId"]) if ext.get("staffId") else None,
                   field=str(ext["field"]) if ext.get("field") else None)


class PageClient:
    def __init__(self, schema: strawberry.Schema, operations: dict[str, str], state: State,
                 token: str) -> None:
        self.schema, self.operations, self.state, self.token = schema, operations, state, token

    async def run(self, operation: str, **variables: Any) -> Answer:
        """Run one persisted operation as the signed-in person; UNAUTHENTICATED ends the
        session (the page sends them to sign in, then back)."""
        scope: Any = {"type": "http", "state": {},
                      "headers": [(b"authorization", f"Bearer {self.token}".encode())]}
        context = await get_context(self.state, scope)
        result = await self.schema.execute(self.operations[operation],
                                           variable_values=variables, context_value=context)
        refusals = [_refusal(e) for e in result.errors or []]
        if any(r.code == "UNAUTHENTICATED" for r in refusals):
            raise SignInRequiredError
        return Answer(data=dict(result.data or {}), refusals=refusals)
