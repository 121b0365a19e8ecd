"""``python -m bench [--scale tiny|small|city] [--only NAME …] [--out DIR]`` (see README)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from rich.console import Console

from bench.report import print_report
from bench.runner import CHOICES, run, selected
from bench.scales import SCALES

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure Công Tâm's paths beside raw baselines on a throw-away embedded "
                    "PostgreSQL; print a table and write JSON.")
    parser.add_argument("--scale", choices=list(SCALES), default="small",
                        help="workload size (default: small); see bench/README.md")
    parser.add_argument("--only", action="append", choices=CHOICES, metavar="NAME",
                        help="measure only this path (repeatable; its baseline comes along): "
                             + ", ".join(CHOICES))
    parser.add_argument("--audit-events", type=int, metavar="N",
                        help="pad the auditor's tenant (verify, export, as-of) to N events "
                             "instead of the scale's default, e.g. 1000000 at --scale small")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="directory for <timestamp>-<scale>.json (default: bench/results)")
    args = parser.parse_args(argv)
    # Piped output (CI logs, the smoke test) gets a width that fits the whole table.
    console = Console(width=None if sys.stdout.isatty() else 150)
    record, path = asyncio.run(run(SCALES[args.scale], selected(args.only), args.out, console,
                                      args.audit_events))
    print_report(console, record, path)
    errors = sum(m["errors"] for m in record["paths"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
