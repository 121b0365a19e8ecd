"""The GraphQL server library is at a version past its published advisories."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from packaging.version import Version

pytestmark = pytest.mark.unit

# The last strawberry-graphql release fixing a published advisory (fragment cycles in the
# depth limiter, fragment amplification past the alias limiter: CVE-2026-45739/47706/47707).
FIXED_IN = Version("0.315.7")


def test_strawberry_is_past_its_advisories() -> None:
    installed = Version(version("strawberry-graphql"))
    assert installed >= FIXED_IN, f"strawberry-graphql {installed} < {FIXED_IN}: upgrade"


def test_the_declared_floor_is_past_them_too() -> None:
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    floor = next(line for line in pyproject.splitlines() if '"strawberry-graphql>=' in line)
    assert Version(floor.split(">=")[1].split(",")[0]) >= FIXED_IN, floor
