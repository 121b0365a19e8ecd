"""Production trusts only its identity provider: no development key, keys over https only, and
keys that could not be refreshed for too long stop opening doors."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.http import auth
from services.http.auth import AuthError, TokenVerifier
from services.settings import Settings, SettingsError, load_settings
from tests.support.gql import gql, token_for
from tests.support.keyserver import KeyServer, key_server, provider_token
from tests.support.servers import app_with

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def idp() -> Iterator[KeyServer]:
    with key_server(tls=True) as server:
        yield server


def test_production_refuses_to_start_without_a_key_server() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"CONGTAM_MODE": "production"})
    assert "CONGTAM_JWKS_URL" in refused.value.en
    assert "development key" in refused.value.en
    assert "khóa phát triển" in refused.value.vi
    # A development key configured explicitly changes nothing.
    with pytest.raises(SettingsError):
        load_settings({"CONGTAM_MODE": "production", "CONGTAM_JWT_SECRET": "x" * 40})
    load_settings({})  # development keeps its local key


@pytest.mark.parametrize("command", [["serve"], ["db-url"], ["tenants"]])
def test_a_command_refused_its_settings_says_why_in_words_not_a_traceback(
        command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "CONGTAM_MODE": "production", "CONGTAM_DATA_DIR": str(tmp_path)}
    env.pop("CONGTAM_JWKS_URL", None)
    done = subprocess.run([sys.executable, "-m", "services.cli", *command], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("SETTINGS: ")
    assert "CONGTAM_JWKS_URL" in done.stderr
    assert not (tmp_path / "pg").exists()  # refused before any database was started


def test_production_fetches_keys_over_https_only() -> None:
    for url in ("http://idp.example.org/certs", "http://127.0.0.1:8080/certs",
                "HTTP://idp.example.org/certs"):
        with pytest.raises(SettingsError) as refused:
            load_settings({"CONGTAM_MODE": "production", "CONGTAM_JWKS_URL": url})
        assert "https://" in refused.value.en
        assert "https://" in refused.value.vi
    assert load_settings({"CONGTAM_MODE": "production",
                          "CONGTAM_JWKS_URL": "https://idp.example.org/certs"}).production
    # Outside production a plain-HTTP key server is allowed (start-dev Keycloak, tests).
    assert load_settings({"CONGTAM_JWKS_URL": "http://keycloak:8080/certs"}).jwks_url


def test_a_stale_key_bound_must_be_positive() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"CONGTAM_JWKS_MAX_STALE_S": "0"})
    assert "CONGTAM_JWKS_MAX_STALE_S" in refused.value.en


async def test_settings_copied_into_production_cannot_keep_the_development_key(
        settings: Settings) -> None:
    # dataclasses.replace skips load_settings: the verifier checks again, so the app refuses
    # to start rather than verify HS256 tokens in production.
    with pytest.raises(SettingsError):
        TokenVerifier(dataclasses.replace(settings, mode="production"))
    with pytest.raises(SettingsError):
        async with app_with(settings, mode="production"):
            raise AssertionError("a production app started without a key server")
    with pytest.raises(SettingsError):
        TokenVerifier(dataclasses.replace(settings, mode="production",
                                          jwks_url="http://127.0.0.1:1/certs"))


async def test_a_production_app_accepts_provider_tokens_and_refuses_the_development_key(
        settings: Settings, idp: KeyServer) -> None:
    async with app_with(settings, **idp.production()) as prod:
        me = "{ me { userId } }"
        body = await gql(prod, provider_token(settings, "no-such-tenant", "u-1", "staff"), me)
        assert body["errors"][0]["extensions"]["code"] != "UNAUTHENTICATED", body
        dev = await gql(prod, token_for(settings, "no-such-tenant", "u-1", "staff"), me)
        assert dev["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", dev
    assert idp.hits >= 1


async def test_keys_stop_being_trusted_when_refreshes_fail_past_the_bound(
    idp: KeyServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(auth, "VERIFIED_SECONDS", 0.0)  # every request checks the key afresh
    settings = load_settings({"CONGTAM_MODE": "production", "CONGTAM_JWKS_URL": idp.url,
                              "CONGTAM_JWKS_MAX_STALE_S": "1.5"})
    verifier = TokenVerifier(settings)
    assert verifier.jwks is not None
    assert verifier.jwks.max_stale == 1.5
    token = f"Bearer {provider_token(settings, 'hn-x', 'u-1', 'staff')}"
    await verifier.verify(token)
    verifier.jwks.ttl = verifier.jwks.min_refetch = 0  # refresh on every request
    idp.failing = True  # the provider goes down (or someone blocks our path to it)
    hits = idp.hits
    await verifier.verify(token)  # a short outage signs nobody out
    assert idp.hits > hits  # (the refresh was tried, and failed)
    await asyncio.sleep(1.7)
    with pytest.raises(AuthError) as refused:
        await verifier.verify(token)
    assert refused.value.code == "UNAUTHENTICATED"
    idp.failing = False  # the provider is back: its keys are trusted again
    assert (await verifier.verify(token)).user_id == "u-1"


def test_the_stale_key_bound_is_documented_with_its_default() -> None:
    default = str(load_settings({}).jwks_max_stale_s).removesuffix(".0")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"^\| `CONGTAM_JWKS_MAX_STALE_S` \| `{default}` \|", configuration,
                     flags=re.MULTILINE), "README Configuration lacks the stale-key bound"
    deploy = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    assert f"| `CONGTAM_JWKS_MAX_STALE_S` | `{default}` |" in deploy
