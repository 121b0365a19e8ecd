"""Whether the lock files still match pyproject.toml's dependencies (standard library only).

``make lock`` writes requirements-dev.lock (runtime + dev: `make run`, `make test`, CI) and
requirements.lock (runtime: the image) with uv, then stamps each with a digest of what it
was compiled from: the dependency lists and ``requires-python`` of pyproject.toml. Any other
edit of pyproject.toml (a tool's settings) leaves the lock current.

    python deploy/lock.py check [--root DIR]   exit 1, saying how to update, when stale
    python deploy/lock.py stamp [--root DIR]   after compiling (make lock)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from pathlib import Path

LOCKS = ("requirements-dev.lock", "requirements.lock")
STAMP = "# pyproject.toml dependencies sha256: "


def digest(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    inputs = {"requires-python": project.get("requires-python"),
              "dependencies": project.get("dependencies", []),
              "optional-dependencies": project.get("optional-dependencies", {})}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def stamped(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(STAMP):
            return line.removeprefix(STAMP).strip()
    return None


def check(root: Path) -> int:
    want = digest(root / "pyproject.toml")
    stale = [name for name in LOCKS if stamped(root / name) != want]
    if not stale:
        return 0
    print(f"{', '.join(stale)}: stale — pyproject.toml's dependencies changed since the lock "
          "was compiled (or it is missing).\n"
          "Update it with `make lock` and commit the lock files; `make lock "
          "LOCK_FLAGS=--upgrade` also moves every other pin to its newest allowed version.",
          file=sys.stderr)
    return 1


def stamp(root: Path) -> int:
    line = f"{STAMP}{digest(root / 'pyproject.toml')}\n"
    for name in LOCKS:
        lock = root / name
        kept = [x for x in lock.read_text(encoding="utf-8").splitlines(keepends=True)
                if not x.startswith(STAMP)]
        lock.write_text(line + "".join(kept), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["check", "stamp"])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    return check(args.root) if args.action == "check" else stamp(args.root)


if __name__ == "__main__":
    sys.exit(main())
