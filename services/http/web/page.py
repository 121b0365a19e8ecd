"""What every page handler shares: the signed-in person's GraphQL client, who they are
(from the API's own ``me``), their language, the form token, and rendering."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import strawberry
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response

from services.http.web.client import Answer, PageClient, Refusal, SignInRequiredError
from services.http.web.i18n import language, translator
from services.http.web.settings import WebSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"
Req = Request[Any, Any, Any]


class FormExpiredError(Exception):
    """A form posted without the session's token (CSRF, or a session that ended)."""


@dataclass
class Web:
    """The web app's parts, built once (services/http/web/__init__.py)."""

    settings: WebSettings
    schema: strawberry.Schema
    operations: dict[str, str]
    templates: jinja2.Environment
    production: bool


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    # ISO date (or date-time) → dd/mm/yyyy, as Vietnamese readers write it.
    env.filters["day"] = lambda v: "" if not v else "/".join(reversed(str(v)[:10].split("-")))
    env.filters["num"] = lambda v: "" if v is None else (f"{v:g}" if isinstance(v, float) else v)
    return env


def csrf_token(request: Req) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_form(request: Req, signed_in: bool = True) -> Any:
    """The posted form, once its token matches the session's (double submit, constant time).
    A form posted after the session ended sends the person to sign in first."""
    if signed_in and not isinstance(request.session.get("token"), str):
        raise SignInRequiredError
    form = await request.form()
    sent = form.get("_csrf") or request.headers.get("x-csrf-token") or ""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(str(sent), expected):
        raise FormExpiredError
    return form


def first_use(request: Req, once: str) -> bool:
    """Whether this form's one-time key is new in the session (a double submit is not)."""
    if not once:
        return True
    used = list(request.session.get("used") or [])
    if once in used:
        return False
    request.session["used"] = [*used[-19:], once]
    return True


def current_language(request: Req) -> str:
    return language(request.query_params.get("lang") or request.cookies.get("lang"))


class Page:
    """One request of a signed-in person."""

    def __init__(self, web: Web, request: Req, client: PageClient, me: dict[str, Any]) -> None:
        self.web, self.request, self.client = web, request, client
        self.me = me["me"]
        # A role the API refuses units or the policy to (a platform admin) sees none.
        self.units: list[dict[str, Any]] = [e["node"] for e in
                                            (me.get("units") or {"edges": []})["edges"]]
        self.policy: dict[str, Any] = me.get("policy") or {"levelLabels": [], "criteria": []}
        self.lang = current_language(request)
        self.t = translator(self.lang)

    @classmethod
    async def open(cls, web: Web, request: Req) -> Page:
        token = request.session.get("token")
        if not isinstance(token, str):
            raise SignInRequiredError
        client = PageClient(web.schema, web.operations, request.app.state, token)
        answer = await client.run("WebMe")
        if not answer.data.get("me"):
            raise SignInRequiredError
        return cls(web, request, client, answer.data)

    async def run(self, operation: str, **variables: Any) -> Answer:
        return await self.client.run(operation, **variables)

    @property
    def roles(self) -> set[str]:
        return set(self.me["roles"])

    @property
    def at(self) -> int | None:
        """The log position the page was sent back with after a save (``?at=``): its reads
        wait for it, so the person sees what they just wrote."""
        at = str(self.request.query_params.get("at") or "")
        return int(at) if at.isdigit() else None

    @property
    def saved(self) -> bool:
        """The page was sent back after a save (``?saved=``): it says so."""
        return bool(self.request.query_params.get("saved"))

    @property
    def today(self) -> date:
        return date.today()

    def unit_name(self, unit_id: str | None) -> str:
        return next((u["name"] for u in self.units if u["id"] == unit_id), "")

    def level_label(self, level: str | None) -> str:
        if not level:
            return ""
        return next((x["label"] for x in self.policy["levelLabels"] if x["level"] == level),
                    level)

    def refusal_text(self, refusal: Refusal) -> str:
        return refusal.text(self.lang)

    def render(self, template: str, status: int = 200, **context: Any) -> Response[str]:
        return render(self.web, self.request, template, status=status, page=self, **context)


@dataclass
class FormErrors:
    """Messages by field name ("form" for the whole form)."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, text: str) -> None:
        self.by_field.setdefault(name, []).append(text)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, name: str) -> list[str]:
        return self.by_field.get(name, [])


def saved_at(path: str, at: int | None) -> str:
    """Where a page goes back once a form is saved: it says so, and reads at least up to
    what was written (``at``, the log position) when the API gave it."""
    back = f"{path}{'&' if '?' in path else '?'}saved=1"
    return back if at is None else f"{back}&at={at}"


@dataclass
class Posted:
    """A form posted to a page, once its own checks have passed: how the page is answered
    again with what went wrong (422), and where the browser goes once it is saved."""

    page: Page
    request: Req
    form: Any
    again: Callable[[FormErrors], Awaitable[Response[str]]]
    back: Callable[[int | None], str]

    async def send(self, operation: str, field_of: Callable[[Refusal], str],
                   **variables: Any) -> Response[Any]:
        """Run the operation once (the same form posted again goes back, nothing written);
        each refusal is shown on the field ``field_of`` names, nothing written."""
        if not first_use(self.request, str(self.form.get("_once", ""))):
            return Redirect(self.back(None), status_code=303)
        answer = await self.page.run(operation, **variables)
        if not answer.ok:
            errors = FormErrors()
            for refusal in answer.refusals:
                errors.add(field_of(refusal), self.page.refusal_text(refusal))
            return await self.again(errors)
        position = next(iter(answer.data.values()))["position"]
        return Redirect(self.back(position), status_code=303)



def render(web: Web, request: Req, template: str, status: int = 200,
           **context: Any) -> Response[str]:
    lang = current_language(request)
    html = web.templates.get_template(template).render(
        t=translator(lang), lang=lang, csrf=csrf_token(request), path=request.url.path,
        once=secrets.token_urlsafe(12), **{"page": None, **context})
    cookies = []
    if request.query_params.get("lang") in ("vi", "en"):
        cookies.append(Cookie(key="lang", value=lang, max_age=365 * 86400, httponly=True,
                              samesite="lax", secure=web.settings.secure_cookies))
    return Response(html, status_code=status, media_type="text/html",
                    cookies=cookies)
