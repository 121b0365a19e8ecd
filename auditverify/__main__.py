"""``python -m auditverify BUNDLE_DIR [--checkpoint POSITION:HEAD ...]``; exit 0 when valid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditverify import verify_bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auditverify",
                                     description="Verify a Công Tâm audit bundle.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--checkpoint", action="append", default=[],
                        help="a checkpoint you hold, as POSITION:HEAD (repeatable)")
    parser.add_argument("--public-key", action="append", default=[],
                        help="a checkpoint-signing key you trust, base64 (repeatable); "
                             "checkpoints signed by any other key are refused")
    args = parser.parse_args(argv)
    held = []
    for text in args.checkpoint:
        position, _, head = text.partition(":")
        held.append((int(position), head))
    report = verify_bundle(args.bundle, held, args.public_key)
    if report.ok:
        print(f"OK — {report.events} events, head {report.head}, "
              f"{report.checkpoints_checked} checkpoint(s) matched, "
              f"{report.signatures_checked} signature(s) valid")
        return 0
    print(f"BROKEN at position {report.position}", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
