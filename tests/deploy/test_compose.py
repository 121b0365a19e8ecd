"""deploy/docker-compose.yml: valid per the Compose specification, and wired together right.

Validated with ``compose-spec`` (bindings to a spec-complete Compose parser that rejects
unknown keys and bad values); then the cross-references the parser does not follow are
checked: dependencies, volumes, commands, and the identity-provider settings against the
Keycloak realm.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.support import DEPLOY, REPO, is_congtam_subcommand

COMPOSE = DEPLOY / "docker-compose.yml"
REALM = DEPLOY / "keycloak" / "congtam-realm.json"
APP_SERVICES = ("migrate", "api", "projector", "demo")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # safe_load resolves the YAML merge keys (<<: *congtam) the way docker compose does.
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    from compose_spec import PyCompose

    parsed = PyCompose.from_yaml(yaml.safe_dump(compose))
    parsed.validate()
    assert set(parsed.service_names()) == {"postgres", "keycloak", *APP_SERVICES}


def test_dependencies_and_volumes_exist(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: bind source {source} missing"
            else:
                assert source in compose.get("volumes", {}), f"{name}: volume {source}"


def test_app_services_wait_for_a_successful_migration(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "projector", "demo"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_app_services_run_real_congtam_subcommands_of_one_image(
    services: dict[str, dict[str, Any]],
) -> None:
    expected = {"migrate": "migrate", "api": "serve", "projector": "project", "demo": "demo"}
    for name, subcommand in expected.items():
        service = services[name]
        assert service["command"] == ["congtam", subcommand], name
        assert is_congtam_subcommand(subcommand), subcommand
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["image"] == services["api"]["image"]


def test_app_services_are_hardened_like_the_kubernetes_pods(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in APP_SERVICES:
        service = services[name]
        assert service["read_only"] is True, name
        assert service["tmpfs"] == ["/tmp"], name
        assert service["cap_drop"] == ["ALL"], name


def test_services_without_http_disable_the_image_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("migrate", "projector", "demo"):
        assert services[name]["healthcheck"] == {"disable": True}, name
    assert "healthcheck" not in services["api"], "the API keeps the image's /healthz check"


def test_database_url_matches_the_postgres_service(services: dict[str, dict[str, Any]]) -> None:
    postgres = services["postgres"]["environment"]
    assert services["postgres"]["image"] == "postgres:18"
    for name in APP_SERVICES:
        url = urlsplit(services[name]["environment"]["DATABASE_URL"])
        assert (url.scheme, url.hostname, url.port) == ("postgresql", "postgres", 5432), name
        assert url.username == postgres["POSTGRES_USER"]
        assert url.password == postgres["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_api_trusts_the_keycloak_realm_it_is_deployed_with(
    services: dict[str, dict[str, Any]],
) -> None:
    realm = json.loads(REALM.read_text(encoding="utf-8"))["realm"]
    keycloak = services["keycloak"]
    env = services["api"]["environment"]
    jwks = urlsplit(env["CONGTAM_JWKS_URL"])
    # Fetched over the compose network, from the Keycloak service, for this realm.
    assert jwks.hostname == "keycloak"
    assert jwks.path == f"/realms/{realm}/protocol/openid-connect/certs"
    # Keycloak writes iss = KC_HOSTNAME + /realms/<realm>; the API must expect exactly that.
    assert env["CONGTAM_JWT_ISSUER"] == f"{keycloak['environment']['KC_HOSTNAME']}/realms/{realm}"
    assert "--import-realm" in keycloak["command"]
    (mount,) = keycloak["volumes"]
    assert Path(mount.split(":")[0]).name == REALM.name
    assert env["CONGTAM_PROJECTOR_IN_PROCESS"] == "false", "a projector service runs"


def test_nothing_is_published_beyond_localhost(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_compose_file_is_next_to_what_it_references() -> None:
    # The build context ".." is the repository root, which holds pyproject.toml.
    assert (DEPLOY / ".." / "pyproject.toml").resolve() == REPO / "pyproject.toml"
