"""An id given to a `congtam` command that is not one is refused as a bad parameter, naming
the option, before any database is opened (it used to end in a Python traceback)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Nothing listens there: a command that got as far as the database would fail differently.
NO_DATABASE = "postgresql://nobody@127.0.0.1:9/none"


@pytest.mark.parametrize(("argv", "option"), [
    (["contact", "--tenant", "t", "--staff", "not-an-id", "--email", "a@b.vn"], "--staff"),
    (["report", "unit-month", "--tenant", "t", "--unit", "not-an-id", "--year", "2026",
      "--month", "11", "--out", "x.pdf"], "--unit"),
    (["report", "unit-year", "--tenant", "t", "--unit", "not-an-id", "--year", "2026",
      "--out", "x.pdf"], "--unit"),
    (["report", "self-assessment", "--tenant", "t", "--staff", "not-an-id", "--year", "2026",
      "--out", "x.pdf"], "--staff"),
])
def test_an_id_that_is_not_a_uuid_is_refused_naming_its_option(
        argv: list[str], option: str) -> None:
    # A process of its own, as an operator runs it: the command configures the process's
    # logging, which must not outlive it into the tests that follow.
    env = {**os.environ, "DATABASE_URL": NO_DATABASE, "COLUMNS": "200"}  # the box on one line
    done = subprocess.run([sys.executable, "-m", "services.cli", *argv], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert option in done.stderr
    assert "UUID" in done.stderr
    assert "Traceback" not in done.stderr
