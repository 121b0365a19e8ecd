"""An id given to a `congtam` command that is not one is refused as a bad parameter, naming
the option, before any database is opened (it used to end in a Python traceback)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from services.cli import app

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
        argv: list[str], option: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NO_DATABASE)
    monkeypatch.setenv("COLUMNS", "200")  # the error box on one line
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "UUID" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
