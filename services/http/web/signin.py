"""Signing in and out. Development: a page listing the demo users, each signed in with a
development token minted for them (refused in production, services/http/web/settings.py).
Production: OpenID Connect (services/http/web/oidc.py). Either way the session keeps only the
token, server-verified on every page by the API's own verifier, in an encrypted HttpOnly
SameSite=Lax cookie."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import structlog
from litestar import get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Response

from services.demo.tenants import demo_users, sign_in_tenants
from services.http.auth import AuthError, mint_token
from services.http.web.oidc import OidcClient, OidcError
from services.http.web.page import Page, Req, Web, check_form, render
from services.platform.grants import grants_for, roles_in
from services.platform.tenants import Tenant, UnknownTenantError
from services.runtime import Runtime

log = structlog.get_logger()

SHOWN_TENANTS = 20


async def known_tenant(rt: Runtime, slug: str) -> Tenant | None:
    try:
        return await rt.registry.get(slug)
    except UnknownTenantError:
        return None


def safe_next(value: Any) -> str:
    """A place on this site to return to, never another host."""
    text = str(value or "/")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


def start_session(request: Req, token: str, **extra: Any) -> None:
    request.clear_session()
    request.set_session({"token": token, "csrf": secrets.token_urlsafe(32), **extra})


@get("/login", name="web:login")
async def login_page(request: Req, web: Web) -> Response[str]:
    rt: Runtime = request.app.state.rt
    # The tenant asked for, else the one last signed in to here (development only).
    wanted = request.query_params.get("tenant") or request.cookies.get("dev_tenant")
    listed: list[tuple[str, str, list[Any]]] = []
    if web.settings.dev_login:
        slugs = list(dict.fromkeys([*([wanted] if wanted else []), *sign_in_tenants()]))
        for slug in slugs[:SHOWN_TENANTS]:
            tenant = await known_tenant(rt, slug)
            if tenant is not None:
                listed.append((slug, tenant.name, demo_users(slug)))
    expired = request.query_params.get("expired") == "1"
    return render(web, request, "login.html", listed=listed, oidc=web.settings.oidc,
                  dev=web.settings.dev_login, expired=expired,
                  next=safe_next(request.query_params.get("next")))


@post("/login/dev", name="web:login-dev")
async def login_dev(request: Req, web: Web) -> Response[Any]:
    if not web.settings.dev_login:
        raise NotAuthorizedException("development sign-in is off")
    form = await check_form(request, signed_in=False)
    rt: Runtime = request.app.state.rt
    slug, user = str(form.get("tenant", "")), str(form.get("user", ""))
    person = next((u for u in demo_users(slug) if u.user_id == user), None)
    if person is None or await known_tenant(rt, slug) is None:
        raise NotAuthorizedException("unknown demo user")
    token = mint_token(rt.settings, tenant=slug, user=user, roles=list(person.roles),
                       name=person.name, ttl_seconds=web.settings.session_seconds)
    start_session(request, token, dev=True)
    return Redirect(safe_next(form.get("next")), status_code=303, cookies=[
        Cookie(key="dev_tenant", value=slug, httponly=True, samesite="lax",
               secure=web.settings.secure_cookies, max_age=30 * 86400)])


@post("/switch", name="web:switch")
async def switch_tenant(request: Req, web: Web) -> Response[Any]:
    """Act in another tenant where the person holds grants (development tokens only: an
    identity provider's token names its tenant, so there one signs in again)."""
    form = await check_form(request)
    page = await Page.open(web, request)
    rt: Runtime = request.app.state.rt
    slug = str(form.get("tenant", ""))
    roles = await roles_in(rt.pool, page.me["userId"], slug)
    if not web.settings.dev_login or not request.session.get("dev") or not roles:
        return Redirect("/", status_code=303)
    token = mint_token(rt.settings, tenant=slug, user=page.me["userId"], roles=sorted(roles),
                       name=page.me["name"], ttl_seconds=web.settings.session_seconds)
    start_session(request, token, dev=True)
    return Redirect("/", status_code=303)


async def tenants_of(rt: Runtime, user_id: str) -> list[Tenant]:
    """Tenants where the platform log holds a grant for this person."""
    found = [await known_tenant(rt, s) for s in sorted({g.tenant for g in
                                                       await grants_for(rt.pool, user_id)})]
    return [t for t in found if t is not None]


@post("/logout", name="web:logout")
async def logout(request: Req, web: Web) -> Response[Any]:
    await check_form(request)
    id_token = request.session.get("id_token")
    request.clear_session()
    if web.settings.oidc and isinstance(id_token, str):
        client = OidcClient(web.settings)
        return Redirect(await client.logout_url(id_token, request), status_code=303)
    return Redirect("/login", status_code=303)


def to_sign_in(request: Req) -> Response[Any]:
    """Back to sign in, then to the same page (an htmx request is told to go there whole)."""
    if request.method == "GET":
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # a form: back to the page it was on (what it held is not replayed)
        came_from = request.headers.get("hx-current-url") or request.headers.get("referer")
        back = urlsplit(came_from).path if came_from else "/"
    back = safe_next(back)
    request.clear_session()
    target = f"/login?expired=1&next={quote(back, safe='/')}"
    if request.headers.get("hx-request"):
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


@get("/login/oidc", name="web:oidc-start")
async def oidc_start(request: Req, web: Web) -> Response[Any]:
    if not web.settings.oidc:
        return Redirect("/login", status_code=303)
    url, pending = await OidcClient(web.settings).start(str(request.base_url))
    request.session["oidc"] = {**pending, "next": safe_next(request.query_params.get("next"))}
    return Redirect(url, status_code=303)


@get("/login/oidc/callback", name="web:oidc-callback")
async def oidc_callback(request: Req, web: Web) -> Response[Any]:
    pending = request.session.get("oidc")
    rt: Runtime = request.app.state.rt
    try:
        if not web.settings.oidc or not isinstance(pending, dict):
            raise OidcError("no sign-in under way")
        tokens = await OidcClient(web.settings).finish(
            str(request.base_url), str(request.query_params.get("code", "")),
            str(request.query_params.get("state", "")), pending)
        await rt.verifier.verify(f"Bearer {tokens['access_token']}")
    except (OidcError, AuthError, httpx.HTTPError) as error:
        log.warning("oidc_sign_in_refused", reason=str(error))
        request.set_session({})  # signed out (an empty session, so the page can hold a token)
        return render(web, request, "login.html", status=401, listed=[], oidc=web.settings.oidc,
                      dev=web.settings.dev_login, expired=False, failed=True, next="/")
    start_session(request, tokens["access_token"], id_token=tokens["id_token"])
    return Redirect(safe_next(pending.get("next")), status_code=303)
