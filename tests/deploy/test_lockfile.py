"""Reproducible installs: `make run`, `make test` and CI install exactly
requirements-dev.lock, the image exactly requirements.lock, and a lock that no longer
matches pyproject.toml's dependencies stops the install with the command that updates it."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.markers import Marker

from tests.deploy.support import REPO

LOCK_SCRIPT = REPO / "deploy" / "lock.py"


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(LOCK_SCRIPT), "check", "--root", str(root)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_locks_match_pyproject() -> None:
    checked = _check(REPO)
    assert checked.returncode == 0, checked.stderr


def test_a_changed_dependency_makes_the_lock_stale_and_says_how_to_update(
    tmp_path: Path,
) -> None:
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy2(REPO / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")

    # A tool's settings are not what the lock was compiled from: still current.
    pyproject.write_text(text + "\n[tool.example]\nanswer = 42\n", encoding="utf-8")
    assert _check(tmp_path).returncode == 0

    pyproject.write_text(text.replace('dependencies = [\n', 'dependencies = [\n'
                                      '    "jinja2>=3",\n', 1), encoding="utf-8")
    stale = _check(tmp_path)
    assert stale.returncode == 1
    assert "stale" in stale.stderr
    assert "make lock" in stale.stderr


def _applicable_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?$", line)
        if found and (found.group(3) is None or Marker(found.group(3)).evaluate()):
            pins[found.group(1)] = found.group(2)
    return pins


def test_this_environment_runs_the_locked_versions() -> None:
    pins = _applicable_pins(REPO / "requirements-dev.lock")
    assert len(pins) > 50
    differ = {}
    for name, version in pins.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = (version, installed)
    assert differ == {}, f"locked vs installed (run `make install`): {differ}"


def test_make_installs_from_the_lock_with_uv_into_the_venv(tmp_path: Path) -> None:
    planned = subprocess.run(["make", "-n", "-B", "install", f"VENV={tmp_path / 'venv'}"],
                             cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert planned.returncode == 0, planned.stderr
    steps = planned.stdout
    assert re.search(r"-m pip install --quiet 'uv==[\d.]+'", steps), steps
    assert "deploy/lock.py check" in steps
    assert re.search(r"uv pip sync .* requirements-dev\.lock", steps), steps
    assert re.search(r"uv pip install .* --no-deps -e \.", steps), steps
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
