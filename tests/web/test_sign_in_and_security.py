"""Signing in (the development page, OpenID Connect with PKCE against a local provider),
forms guarded against cross-site posts, and the headers every page carries."""

from __future__ import annotations

import re

import httpx
import pytest

from services.http.auth import mint_token
from services.http.web.settings import load_web_settings
from services.http.web.signin import safe_next
from services.settings import Settings, SettingsError, load_settings
from tests.support.servers import app_with
from tests.web.conftest import Ward
from tests.web.oidc_stub import oidc_provider

pytestmark = pytest.mark.e2e

MEMBER = "Cán bộ MTTQ"


def test_production_refuses_the_development_sign_in() -> None:
    production = load_settings({"CONGTAM_MODE": "production",
                                "CONGTAM_JWKS_URL": "https://idp.example.org/certs"})
    with pytest.raises(SettingsError):
        load_web_settings(production, {"CONGTAM_WEB_DEV_LOGIN": "true"})
    assert not load_web_settings(production, {}).dev_login


def test_a_return_address_never_leaves_the_site() -> None:
    for bad in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:x"):
        assert safe_next(bad) == "/"
    assert safe_next("/board/1?x=2") == "/board/1?x=2"


async def test_every_page_carries_the_security_headers_and_no_inline_script(
        http: httpx.AsyncClient) -> None:
    answer = await http.get("/login")
    csp = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text)  # every script is a file
    assert "https://" not in answer.text
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


async def test_a_form_without_its_token_is_refused(http: httpx.AsyncClient, ward: Ward) -> None:
    user = ward.users[MEMBER]
    answer = await http.post("/login/dev", data={"tenant": ward.slug, "user": user.user_id,
                                                 "next": "/"})
    assert answer.status_code == 403
    assert (await http.get("/", follow_redirects=False)).status_code in (302, 303)


async def test_the_graphql_ide_loads_only_our_files(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert "/static/vendor/graphiql/graphiql.min.js" in page.text
    assert "unpkg" not in page.text
    assert "https://" not in page.text


async def test_sign_in_with_openid_connect_and_pkce(settings: Settings, ward: Ward,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    user = ward.users[MEMBER]

    def access_token() -> str:
        return mint_token(settings, tenant=ward.slug, user=user.user_id, roles=["staff"],
                          name=user.name)

    async with oidc_provider("congtam-web", user.user_id, access_token) as provider:
        monkeypatch.setenv("CONGTAM_OIDC_ISSUER", provider.issuer)
        monkeypatch.setenv("CONGTAM_WEB_DEV_LOGIN", "false")
        async with app_with(settings) as app:
            login = await app.get("/login")
            assert "/login/oidc" in login.text
            assert "/login/dev" not in login.text  # the demo list is off
            start = await app.get("/login/oidc?next=/results", follow_redirects=False)
            authorize = start.headers["location"]
            assert authorize.startswith(f"{provider.issuer}/authorize?")
            assert "code_challenge=" in authorize
            assert "nonce=" in authorize
            callback = await app.get(authorize, follow_redirects=False)  # the provider
            back = await app.get(callback.headers["location"], follow_redirects=False)
            assert back.headers["location"] == "/results"
            results = await app.get("/results")
            assert results.status_code == 200
            assert "Kết quả của tôi" in results.text

            # A callback whose state was not issued here is refused, nothing signed in.
            await app.post("/logout", data={"_csrf": _csrf(results.text)})
            forged = await app.get("/login/oidc/callback?code=code-9&state=forged")
            assert forged.status_code == 401
            assert (await app.get("/", follow_redirects=False)).status_code == 303

            # An ID token minted for another sign-in (its nonce) is refused.
            provider.nonce_override = "someone-else"
            start = await app.get("/login/oidc", follow_redirects=False)
            callback = await app.get(start.headers["location"], follow_redirects=False)
            replayed = await app.get(callback.headers["location"], follow_redirects=False)
            assert replayed.status_code == 401


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


