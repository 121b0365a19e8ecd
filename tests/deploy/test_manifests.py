"""The Kubernetes manifests, rendered by real kustomize and checked without a cluster.

Each kustomization (base, dev, prod) is built with ``kubectl kustomize``; every object is
validated against its schema; then the properties a reviewer would check by eye are asserted:
probes, non-root, resources, disruption budget, autoscaler, network policies, the connection
budget, and that every container command is a real ``congtam`` subcommand.
"""

from __future__ import annotations

import functools
import math
import shutil
from pathlib import Path

import pytest

from tests.deploy.support import (
    K8S,
    Manifest,
    find,
    is_congtam_subcommand,
    kustomize,
    one,
    pod_spec,
    schema_errors,
    selector_matches,
    workloads,
)

KUSTOMIZATIONS = {
    "base": K8S / "base",
    "dev": K8S / "overlays" / "dev",
    "prod": K8S / "overlays" / "prod",
}
NAMESPACES = {"dev": "congtam-dev", "prod": "congtam"}
API, PROJECTOR, MIGRATE = "congtam-api", "congtam-projector", "congtam-migrate"
DATABASE_CLUSTER = "congtam-db"
APP_UID = 10001  # the numeric USER of deploy/Dockerfile
# superuser_reserved_connections (3) plus the CloudNativePG instance manager's, replication
# and monitoring connections, with room to spare.
RESERVED_CONNECTIONS = 15


@functools.cache
def _render(name: str) -> tuple[list[Manifest], str]:
    # Cached per kustomization (not all at once), so a broken overlay fails its own tests only.
    return kustomize(KUSTOMIZATIONS[name])


@pytest.fixture(params=list(KUSTOMIZATIONS))
def objects(request: pytest.FixtureRequest) -> list[Manifest]:
    return _render(request.param)[0]


@pytest.fixture
def prod() -> list[Manifest]:
    return _render("prod")[0]


@pytest.fixture
def dev() -> list[Manifest]:
    return _render("dev")[0]


def _containers(objects: list[Manifest]) -> list[tuple[str, dict]]:
    return [
        (f"{w['kind']}/{w['metadata']['name']}", c)
        for w in workloads(objects)
        for c in pod_spec(w)["containers"]
    ]


def _config(objects: list[Manifest]) -> dict[str, str]:
    maps = [
        m for m in find(objects, "ConfigMap") if m["metadata"]["name"].startswith("congtam-config")
    ]
    assert len(maps) == 1, "expected one generated congtam-config ConfigMap"
    data: dict[str, str] = maps[0]["data"]
    return data


# --- rendering and schemas -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_kustomization_builds_without_warnings(name: str) -> None:
    objects, stderr = _render(name)
    assert objects, f"{name} rendered nothing"
    # kustomize warns about deprecated fields (commonLabels, patchesStrategicMerge, ...):
    # fix them now rather than on the release that removes them.
    assert stderr.strip() == "", f"kustomize warnings for {name}:\n{stderr}"


def test_every_object_matches_its_schema(objects: list[Manifest]) -> None:
    errors = schema_errors(objects)
    assert errors == [], "schema violations:\n" + "\n".join(errors)


def test_base_is_namespace_less_and_overlays_set_their_namespace() -> None:
    base = _render("base")[0]
    assert [o["metadata"]["name"] for o in base if "namespace" in o["metadata"]] == []
    for overlay, namespace in NAMESPACES.items():
        objects = _render(overlay)[0]
        assert one(objects, "Namespace", namespace)
        wrong = [
            f"{o['kind']}/{o['metadata']['name']}"
            for o in objects
            if o["kind"] != "Namespace" and o["metadata"].get("namespace") != namespace
        ]
        assert wrong == [], f"{overlay}: objects outside namespace {namespace}: {wrong}"


def test_every_container_command_is_a_real_congtam_subcommand(objects: list[Manifest]) -> None:
    expected = {API: "serve", PROJECTOR: "project", MIGRATE: "migrate"}
    for workload in workloads(objects):
        (container,) = pod_spec(workload)["containers"]
        # `command` would replace the image's ENTRYPOINT (tini, which forwards SIGTERM);
        # the congtam command line goes in `args`, which replaces only the image's CMD.
        assert "command" not in container, workload["metadata"]["name"]
        command = container["args"]
        assert len(command) == 2, command
        assert command[0] == "congtam", command
        assert command[1] == expected[workload["metadata"]["name"]]
        assert is_congtam_subcommand(command[1]), f"`congtam {command[1]} --help` failed"


# --- the API Deployment ----------------------------------------------------------------------


def test_api_probes_readiness_on_readyz_and_liveness_on_healthz(objects: list[Manifest]) -> None:
    (api,) = pod_spec(one(objects, "Deployment", API))["containers"]
    port_names = {p["name"] for p in api["ports"]}
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert api[probe]["httpGet"]["port"] in port_names | {8000}


def test_api_listens_where_the_image_and_config_say(objects: list[Manifest]) -> None:
    (api,) = pod_spec(one(objects, "Deployment", API))["containers"]
    config = _config(objects)
    assert [p["containerPort"] for p in api["ports"]] == [int(config["CONGTAM_PORT"])] == [8000]
    assert config["CONGTAM_HOST"] == "0.0.0.0"


def test_api_leaves_projection_to_the_projector_deployment(objects: list[Manifest]) -> None:
    (api,) = pod_spec(one(objects, "Deployment", API))["containers"]
    env = {e["name"]: e.get("value") for e in api["env"]}
    assert env["CONGTAM_PROJECTOR_IN_PROCESS"] == "false"
    assert one(objects, "Deployment", PROJECTOR)["spec"]["replicas"] >= 1


def test_api_scales_on_cpu_from_its_own_replica_count(objects: list[Manifest]) -> None:
    deployment = one(objects, "Deployment", API)
    hpa = one(objects, "HorizontalPodAutoscaler", API)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": API,
    }
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    # Otherwise the HPA would quietly undo the overlay's replica count.
    assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"]
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    cpu_request = pod_spec(deployment)["containers"][0]["resources"]["requests"]["cpu"]
    assert cpu_request, "CPU utilisation is relative to the request: it must be set"


def test_replicated_api_has_a_disruption_budget_that_selects_it(objects: list[Manifest]) -> None:
    deployment = one(objects, "Deployment", API)
    budgets = find(objects, "PodDisruptionBudget", API)
    if deployment["spec"]["replicas"] < 2:
        # With one replica a minAvailable: 1 budget would block every node drain.
        assert budgets == []
        return
    (pdb,) = budgets
    assert pdb["spec"]["minAvailable"] == 1
    assert selector_matches(
        pdb["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"]
    )


def test_service_and_service_monitor_reach_the_api_metrics(objects: list[Manifest]) -> None:
    deployment = one(objects, "Deployment", API)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector_matches(deployment["spec"]["selector"], pod_labels)
    service = one(objects, "Service", API)
    assert all(pod_labels.get(k) == v for k, v in service["spec"]["selector"].items())
    container_ports = {p["name"] for p in pod_spec(deployment)["containers"][0]["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports
    monitor = one(objects, "ServiceMonitor", API)
    assert selector_matches(monitor["spec"]["selector"], service["metadata"]["labels"])
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}


# --- every workload --------------------------------------------------------------------------


def test_every_pod_runs_as_non_root_on_a_read_only_root(objects: list[Manifest]) -> None:
    for workload in workloads(objects):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == APP_UID, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{name}: /tmp must be a writable emptyDir"


def test_every_container_sets_cpu_and_memory_requests_and_limits(objects: list[Manifest]) -> None:
    for where, container in _containers(objects):
        resources = container["resources"]
        for kind in ("requests", "limits"):
            assert set(resources[kind]) >= {"cpu", "memory"}, f"{where}: {kind} incomplete"


def test_database_url_comes_from_the_cloudnativepg_app_secret(objects: list[Manifest]) -> None:
    cluster = one(objects, "Cluster", DATABASE_CLUSTER)
    for where, container in _containers(objects):
        (url,) = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
        # CloudNativePG names the application secret "<cluster>-app"; `uri` is a full
        # postgresql:// URL to the read-write service.
        assert url["valueFrom"]["secretKeyRef"] == {
            "name": f"{cluster['metadata']['name']}-app",
            "key": "uri",
        }, where
        refs = [s["configMapRef"]["name"] for s in container["envFrom"]]
        assert refs == [_config_name(objects)], where


def _config_name(objects: list[Manifest]) -> str:
    (config,) = [m["metadata"]["name"] for m in find(objects, "ConfigMap")]
    return str(config)


def test_identity_provider_is_configured_not_the_dev_key(objects: list[Manifest]) -> None:
    config = _config(objects)
    # Without a JWKS URL every pod would generate its own HS256 development key.
    jwks, issuer = config["CONGTAM_JWKS_URL"], config["CONGTAM_JWT_ISSUER"]
    assert jwks.endswith("/protocol/openid-connect/certs")
    # Host may differ (in-cluster address vs the issuer users see); the realm may not.
    assert jwks.split("/realms/")[1].split("/")[0] == issuer.rsplit("/realms/", 1)[1]
    assert config["CONGTAM_JWT_AUDIENCE"] == "congtam"
    assert "CONGTAM_JWT_SECRET" not in config


def test_migration_job_retries_and_cleans_up(objects: list[Manifest]) -> None:
    job = one(objects, "Job", MIGRATE)
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 3, "the database may still be starting"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


# --- network policy --------------------------------------------------------------------------


def _policies_for(objects: list[Manifest], labels: dict[str, str], direction: str) -> list[dict]:
    return [
        p
        for p in find(objects, "NetworkPolicy")
        if direction in p["spec"]["policyTypes"]
        and selector_matches(p["spec"]["podSelector"], labels)
    ]


def test_every_pod_is_default_denied_both_ways(objects: list[Manifest]) -> None:
    for workload in workloads(objects):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        for direction in ("Ingress", "Egress"):
            assert _policies_for(objects, labels, direction), (
                f"{workload['metadata']['name']}: no {direction} NetworkPolicy selects it"
            )


def test_egress_reaches_only_postgres_dns_and_for_the_api_the_identity_provider(
    objects: list[Manifest],
) -> None:
    allowed = {("TCP", 5432), ("UDP", 53), ("TCP", 53)}
    idp = {("TCP", 443), ("TCP", 8080)}
    for workload in workloads(objects):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        name = workload["metadata"]["name"]
        ports = set()
        for policy in _policies_for(objects, labels, "Egress"):
            for rule in policy["spec"].get("egress", []):
                assert rule.get("ports"), f"{name}: an egress rule without ports allows all"
                ports |= {(p["protocol"], p["port"]) for p in rule["ports"]}
        expected_extra = idp if name == API else set()
        assert ports - allowed <= expected_extra, f"{name}: unexpected egress {ports - allowed}"
        assert ports >= allowed, f"{name}: cannot reach PostgreSQL or DNS: {ports}"
        if name == API:
            assert ports & idp, "the API must reach the identity provider's JWKS"


def test_postgres_egress_targets_the_cloudnativepg_pods(objects: list[Manifest]) -> None:
    peers = [
        peer
        for policy in find(objects, "NetworkPolicy")
        for rule in policy["spec"].get("egress", [])
        if any(p["port"] == 5432 for p in rule["ports"])
        for peer in rule["to"]
    ]
    assert peers == [{"podSelector": {"matchLabels": {"cnpg.io/cluster": DATABASE_CLUSTER}}}]


def test_only_the_api_accepts_connections_and_only_on_8000(objects: list[Manifest]) -> None:
    for workload in workloads(objects):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        rules = [
            r
            for p in _policies_for(objects, labels, "Ingress")
            for r in p["spec"].get("ingress", [])
        ]
        if workload["metadata"]["name"] == API:
            assert [p for r in rules for p in r["ports"]] == [{"protocol": "TCP", "port": 8000}]
        else:
            assert rules == [], workload["metadata"]["name"]


# --- database --------------------------------------------------------------------------------


def test_connection_budget_fits_postgres_max_connections(objects: list[Manifest]) -> None:
    """Each process holds at most READ_POOL_MAX + WRITE_POOL_MAX + 1 connections (services/
    settings.py); the worst case is every API pod the HPA allows plus rollout surges."""
    config = _config(objects)
    per_process = int(config["CONGTAM_READ_POOL_MAX"]) + int(config["CONGTAM_WRITE_POOL_MAX"]) + 1
    api = one(objects, "Deployment", API)
    hpas = find(objects, "HorizontalPodAutoscaler", API)
    api_pods = hpas[0]["spec"]["maxReplicas"] if hpas else api["spec"]["replicas"]
    projector = one(objects, "Deployment", PROJECTOR)["spec"]["replicas"]
    api_surge = api["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    projector_surge = math.ceil(projector * 0.25)  # the Deployment default, 25 %
    processes = api_pods + api_surge + projector + projector_surge + 1  # + migrate Job
    cluster = one(objects, "Cluster", DATABASE_CLUSTER)
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    needed = processes * per_process + RESERVED_CONNECTIONS
    assert needed <= max_connections, (
        f"{processes} processes x {per_process} + {RESERVED_CONNECTIONS} reserved = {needed} "
        f"> max_connections {max_connections}"
    )


def test_database_is_created_for_the_app(objects: list[Manifest]) -> None:
    cluster = one(objects, "Cluster", DATABASE_CLUSTER)
    assert cluster["spec"]["bootstrap"]["initdb"] == {"database": "congtam", "owner": "congtam"}
    assert cluster["spec"]["imageName"].split(":")[1].startswith("18"), "PostgreSQL 18"


# --- per overlay -----------------------------------------------------------------------------


def test_prod_runs_at_least_two_api_replicas_and_can_lose_one(prod: list[Manifest]) -> None:
    assert one(prod, "Deployment", API)["spec"]["replicas"] >= 2
    assert one(prod, "HorizontalPodAutoscaler", API)["spec"]["minReplicas"] >= 2
    assert one(prod, "PodDisruptionBudget", API)
    assert one(prod, "Deployment", PROJECTOR)["spec"]["replicas"] >= 2


def test_prod_pins_the_image(prod: list[Manifest]) -> None:
    for where, container in _containers(prod):
        image = container["image"]
        name, _, tag = image.rpartition(":")
        assert "@sha256:" in image or (name and tag and tag != "latest"), f"{where}: {image}"
        assert "." in image.split("/")[0], f"{where}: {image} should name its registry"


def test_prod_database_has_a_replica_and_scheduled_backups(prod: list[Manifest]) -> None:
    cluster = one(prod, "Cluster", DATABASE_CLUSTER)
    assert cluster["spec"]["instances"] >= 2, "primary + at least one replica"
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"]
    (backup,) = find(prod, "ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == DATABASE_CLUSTER


def test_prod_logs_json_in_production_mode(prod: list[Manifest]) -> None:
    config = _config(prod)
    assert config["CONGTAM_MODE"] == "production"
    assert config["CONGTAM_LOG_FORMAT"] == "json"


def test_dev_is_one_small_replica_with_console_logs(dev: list[Manifest]) -> None:
    assert one(dev, "Deployment", API)["spec"]["replicas"] == 1
    assert _config(dev)["CONGTAM_LOG_FORMAT"] == "console"
    memory_limits = {w: c["resources"]["limits"]["memory"] for w, c in _containers(dev)}
    assert all(v.endswith("Mi") for v in memory_limits.values()), memory_limits
    # A Cluster without a backup section must not be scheduled for backups.
    assert "backup" not in one(dev, "Cluster", DATABASE_CLUSTER)["spec"]
    assert find(dev, "ScheduledBackup") == []


# --- the checks above really check -----------------------------------------------------------


def _broken_copy(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    target = copy / relative
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}: update this test"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_a_misspelt_builtin_field_is_rejected(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path, "base/api-deployment.yaml", "readinessProbe:", "readinesProbe:")
    objects, _ = kustomize(copy / "overlays" / "prod")
    errors = schema_errors(objects)
    assert any("readinesProbe" in e for e in errors), errors


def test_a_wrongly_typed_custom_resource_field_is_rejected(tmp_path: Path) -> None:
    # PostgreSQL parameters are strings in the CRD; an unquoted number is refused by the API.
    copy = _broken_copy(
        tmp_path, "base/postgres-cluster.yaml", 'max_connections: "250"', "max_connections: 250"
    )
    objects, _ = kustomize(copy / "base")
    errors = schema_errors(objects)
    assert any("Cluster/congtam-db" in e and "max_connections" in e for e in errors), errors


def test_a_kind_without_any_schema_is_rejected() -> None:
    unknown = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert schema_errors([unknown]) != []
