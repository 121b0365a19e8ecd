"""The README's table of `congtam` commands names every command the CLI has.

Operators and auditors learn the commands from that table; a command missing from it is a
command nobody finds. Sub-applications (``congtam tenant …``) count with their commands.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

from services.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _commands(application: typer.Typer, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for command in application.registered_commands:
        name = command.name or (command.callback.__name__.replace("_", "-")
                                if command.callback else "")
        names.add(f"{prefix}{name}")
    for group in application.registered_groups:
        if group.typer_instance is not None and group.name:
            names |= _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_command_is_in_the_readme_table() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {m.group(1) for m in
                  re.finditer(r"^\| `congtam ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", text, re.MULTILINE)}
    commands = _commands(app)
    assert len(commands) >= 20, commands  # the walk still sees the CLI
    missing = sorted(c for c in commands
                     if c not in documented and c.split(" ")[0] not in documented)
    assert not missing, f"commands missing from README's command table: {missing}"
