"""deploy/README.md's settings table names every variable the service reads, with its default.

An operator configures the service from that table alone; a setting added to the code but not
to the table is a setting nobody can find. Both sides are read from the sources: the variables
from ``services/settings.py``'s ``load_settings``, the rows from the table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from services.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _read_variables() -> dict[str, str | None]:
    """Each ``e.get(NAME[, DEFAULT])`` in settings.py: variable → literal default (or None)."""
    tree = ast.parse((ROOT / "services" / "settings.py").read_text(encoding="utf-8"))
    found: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "e" and node.args
                and isinstance(node.args[0], ast.Constant)):
            default = node.args[1] if len(node.args) > 1 else None
            found[str(node.args[0].value)] = (
                str(default.value) if isinstance(default, ast.Constant) else None)
    return found


def _table() -> dict[str, str]:
    text = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^\| `([A-Z_]+)` \| ([^|]+) \|", text, flags=re.MULTILINE)}


def test_every_setting_is_in_the_table() -> None:
    variables, table = _read_variables(), _table()
    assert len(variables) >= 20, variables  # the parser still sees settings.py's reads
    missing = sorted(set(variables) - set(table))
    assert not missing, f"settings read by the service but not documented: {missing}"


def test_documented_defaults_match_the_code() -> None:
    table = _table()
    for name, default in _read_variables().items():
        if default is None:
            continue  # computed defaults (booleans, unset) are described in words
        cell = table[name].strip()
        assert cell.strip("`") == default, f"{name}: table says {cell}, code says {default!r}"


def test_keep_alive_outlasts_a_proxy_idle_timeout() -> None:
    # 60 s is the idle timeout of ingress-nginx's upstream pool and most cloud balancers.
    assert load_settings({}).keep_alive_s > 60
