"""The README's table of `congtam` commands names every command the CLI has.

Operators and auditors learn the commands from that table; a command missing from it is a
command nobody finds. Sub-applications (``congtam tenant …``) count with their commands.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def test_every_documented_command_and_option_is_what_the_cli_dispatches() -> None:
    """The table read the other way, through click's own dispatch (what a shell reaches):
    two groups registered under one name hide one another, which the registrations above
    still list — `congtam import staff` once answered "No such command"."""
    root = typer.main.get_command(app)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `congtam ([^`]*)`", text, re.MULTILINE)
    assert len(rows) >= 20, rows
    unknown: list[str] = []
    for row in rows:
        words = row.split()
        command: Any = root  # typer's own (vendored) click classes
        path: list[str] = []
        while hasattr(command, "get_command") and words and re.fullmatch(r"[a-z][a-z-]*",
                                                                         words[0]):
            found = command.get_command(command.context_class(command), words[0])
            if found is None:
                unknown.append(f"congtam {' '.join([*path, words[0]])}")
                break
            path.append(words.pop(0))
            command = found
        # `congtam report NAME …`: a group whose command the row leaves open takes the
        # options of any of its commands.
        reached = ([command.get_command(command.context_class(command), n)
                    for n in command.list_commands(command.context_class(command))]
                   if hasattr(command, "get_command") else [command])
        options = {o for c in reached for p in c.params for o in (*p.opts, *p.secondary_opts)}
        unknown += [f"congtam {' '.join(path)} {w}" for w in
                    re.findall(r"--[a-z][a-z-]*", row) if w not in options | {"--help"}]
    assert not unknown, f"the README names what the CLI does not dispatch: {unknown}"
