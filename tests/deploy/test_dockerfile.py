"""deploy/Dockerfile, exercised without Docker.

There is no Docker engine on the machines that run these tests, so each part of the image is
checked where it can be: the entrypoint is run as a real ``congtam`` subcommand, the builder
stage's steps are replayed on exactly the files the ignore file lets into the build context,
the health-check script is run against live HTTP servers, and hadolint lints the file.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shlex
import shutil
import sys
import threading
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.support import DEPLOY, REPO, is_congtam_subcommand, run, tool

DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
APP_UID = 10001  # k8s securityContext.runAsUser in every workload


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def _instructions(text: str) -> list[Instruction]:
    """Dockerfile instructions with line continuations joined and comment lines dropped."""
    result: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction are ignored by Docker
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        result.append(Instruction(keyword.upper(), args.strip()))
    return result


def _stages(instructions: list[Instruction]) -> tuple[dict[str, str], list[list[Instruction]]]:
    """Global ARG defaults and the instructions of each stage."""
    args: dict[str, str] = {}
    stages: list[list[Instruction]] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            stages.append([ins])
        elif stages:
            stages[-1].append(ins)
        elif ins.keyword == "ARG" and "=" in ins.args:
            name, value = ins.args.split("=", 1)
            args[name] = value
    return args, stages


def _exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"use the exec (JSON) form, not {args!r}"
    return [str(v) for v in value]


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[list[Instruction]]]:
    return _stages(_instructions(DOCKERFILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def runtime(dockerfile: tuple[dict[str, str], list[list[Instruction]]]) -> list[Instruction]:
    return dockerfile[1][-1]


def _last(stage: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in stage if i.keyword == keyword]
    assert found, f"no {keyword} in the runtime stage"
    return found[-1]


def _env(stage: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for ins in stage:
        if ins.keyword == "ENV":
            env.update(dict(token.split("=", 1) for token in shlex.split(ins.args)))
    return env


# --- what the container runs -----------------------------------------------------------------


def test_image_command_is_a_real_congtam_subcommand(runtime: list[Instruction]) -> None:
    argv = _exec_form(_last(runtime, "ENTRYPOINT").args) + _exec_form(_last(runtime, "CMD").args)
    assert argv[:2] == ["tini", "--"], "tini as PID 1 forwards SIGTERM to the app"
    command = argv[2:]
    assert command == ["congtam", "serve"], command
    assert is_congtam_subcommand(command[1]), f"`congtam {command[1]} --help` failed"


def test_other_roles_of_the_image_are_real_subcommands() -> None:
    # compose and Kubernetes run the same image as `congtam project` / `congtam migrate`.
    for subcommand in ("project", "migrate", "demo"):
        assert is_congtam_subcommand(subcommand), subcommand


def test_an_unknown_subcommand_is_refused() -> None:
    # Guards the check above: the CLI must fail for a name it does not know.
    assert not is_congtam_subcommand("no-such-subcommand")


def test_runtime_is_python_311_slim_as_a_non_root_numeric_user(
    dockerfile: tuple[dict[str, str], list[list[Instruction]]], runtime: list[Instruction]
) -> None:
    args, stages = dockerfile
    assert len(stages) >= 2, "multi-stage: the builder's pip and sources stay out of runtime"
    base = runtime[0].args.split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert base.startswith("python:3.11-slim"), base
    user = _last(runtime, "USER").args
    # Numeric, so Kubernetes can enforce runAsNonRoot without resolving a name.
    assert user.split(":")[0] == str(APP_UID), user


def test_runtime_defaults_are_production_and_reachable(runtime: list[Instruction]) -> None:
    env = _env(runtime)
    assert env["CONGTAM_MODE"] == "production"
    assert env["CONGTAM_HOST"] == "0.0.0.0"
    assert _last(runtime, "EXPOSE").args.split("/")[0] == env["CONGTAM_PORT"] == "8000"


def test_healthcheck_runs_the_shipped_script_on_healthz(runtime: list[Instruction]) -> None:
    check = _last(runtime, "HEALTHCHECK").args
    command = _exec_form(check.split("CMD", 1)[1].strip())
    assert command[0] == "python", "slim images have no curl; the interpreter is there"
    assert command[-1] == "/healthz"
    copies = [i.args.split() for i in runtime if i.keyword == "COPY"]
    assert ["deploy/healthcheck.py", command[1]] in copies


def test_dockerfile_passes_hadolint() -> None:
    result = run(tool("hadolint"), "--no-color", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


# --- the build context and the builder stage -------------------------------------------------


def _ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        rules.append((negate, re.compile(f"^{regex}$")))
    return rules


def _exceptions() -> list[str]:
    """The re-included (!) patterns, as written."""
    return [
        line.strip()[1:].strip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("!")
    ]


def _in_context(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or any parent folder decides."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    included = True
    for negate, regex in rules:
        if any(regex.match(c) for c in candidates):
            included = negate
    return included


@functools.cache
def _context_files() -> tuple[str, ...]:
    """The files `docker build -f deploy/Dockerfile .` sends, per the ignore file."""
    rules = _ignore_rules()
    files = []
    for folder, subfolders, names in os.walk(REPO):
        relative_folder = Path(folder).relative_to(REPO).as_posix()
        prefix = "" if relative_folder == "." else relative_folder + "/"
        # Prune folders nothing could re-include (an allow-list names top-level folders), so
        # the walk skips .venv, .git and .data instead of listing their many files.
        subfolders[:] = [
            d
            for d in subfolders
            if _in_context(prefix + d, rules)
            or any(n.startswith(prefix + d + "/") for n in _exceptions())
        ]
        files.extend(prefix + n for n in names if _in_context(prefix + n, rules))
    return tuple(sorted(files))


def test_build_context_holds_only_what_the_image_needs() -> None:
    files = _context_files()
    top = {f.split("/")[0] for f in files}
    assert top == {
        "pyproject.toml", "requirements.lock", "README.md", "domain", "services", "projections",
        "storage", "deploy",
    }, top
    assert [f for f in files if f.startswith("deploy/")] == ["deploy/healthcheck.py"]
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_every_copy_source_is_in_the_build_context(
    dockerfile: tuple[dict[str, str], list[list[Instruction]]],
) -> None:
    files = _context_files()
    for stage in dockerfile[1]:
        for ins in stage:
            if ins.keyword != "COPY" or ins.args.startswith("--from"):
                continue
            *sources, _ = ins.args.split()
            for source in sources:
                assert any(f == source or f.startswith(source.rstrip("/") + "/") for f in files), (
                    f"COPY {source}: not in the build context"
                )


@pytest.fixture(scope="module")
def build_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of exactly the files `docker build` would send."""
    context = tmp_path_factory.mktemp("context")
    for relative in _context_files():
        target = context / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    return context


def _pins(lock: Path) -> dict[str, str]:
    """name → version of each ``name==version`` line of a lock (names normalised)."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def _name(requirement: str) -> str:
    name = re.match(r"^[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def test_builder_installs_exactly_the_locked_runtime_dependencies(
    dockerfile: tuple[dict[str, str], list[list[Instruction]]], build_context: Path
) -> None:
    builder = dockerfile[1][0]
    (step,) = [i.args for i in builder if i.keyword == "RUN" and "requirements.lock" in i.args]
    assert shlex.split(step) == ["pip", "install", "--no-deps", "-r", "requirements.lock"]
    pins = _pins(build_context / "requirements.lock")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = {_name(r) for r in pyproject["project"]["dependencies"]}
    assert runtime <= pins.keys(), f"not locked: {runtime - pins.keys()}"
    assert not {"pytest", "ruff", "mypy", "hypothesis"} & pins.keys(), "dev tools stay out"
    # The image runs the versions the tests ran.
    dev_pins = _pins(REPO / "requirements-dev.lock")
    assert {n: v for n, v in pins.items() if dev_pins.get(n) != v} == {}


def test_builder_installs_a_complete_package_from_the_context(
    build_context: Path, tmp_path: Path
) -> None:
    # `pip install --no-deps .` in the image == building this wheel from the same files.
    # Offline, so without build isolation: the venv's own setuptools must build wheels.
    if importlib.util.find_spec("setuptools.command.bdist_wheel") is None:
        pytest.fail("setuptools cannot build wheels here: dev dependency setuptools>=70.1")
    result = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--quiet",
        "--wheel-dir",
        str(tmp_path),
        str(build_context),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("congtam-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "congtam = services.cli:app" in archive.read(entry_points).decode()
    assert "services/cli/__init__.py" in names
    assert any(n.startswith("projections/sql/") and n.endswith(".sql") for n in names), (
        "read-model SQL must be packaged, or the image cannot create read models"
    )


# --- the health check script -----------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response({"/healthz": 200, "/readyz": 503}.get(self.path, 404))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stub_app() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _healthcheck(port: int, path: str) -> int:
    import subprocess

    env = {**os.environ, "CONGTAM_PORT": str(port)}
    return subprocess.run(
        [sys.executable, str(DEPLOY / "healthcheck.py"), path],
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
    ).returncode


def test_healthcheck_passes_on_200_and_fails_on_503(stub_app: int) -> None:
    assert _healthcheck(stub_app, "/healthz") == 0
    assert _healthcheck(stub_app, "/readyz") == 1


def test_healthcheck_fails_when_nothing_listens() -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    assert _healthcheck(free_port, "/healthz") == 1
