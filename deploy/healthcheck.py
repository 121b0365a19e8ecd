#!/usr/bin/env python3
"""Container health check: GET http://127.0.0.1:$CONGTAM_PORT/healthz, exit 0 on HTTP 200.

The runtime image is python:3.11-slim, which has no curl or wget; the interpreter is already
there, so the check costs no extra package. Standard library only, because it runs with the
system interpreter semantics of ``HEALTHCHECK`` and must not depend on the app importing.

Usage: healthcheck.py [PATH]   (PATH defaults to /healthz; /readyz works too)
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4.0  # below the Dockerfile's --timeout=5s, so we report rather than get killed


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/healthz"
    port = os.environ.get("CONGTAM_PORT", "8000")
    # Always loopback: CONGTAM_HOST may be 0.0.0.0, which is a bind address, not a destination.
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:  # 503 from /readyz lands here
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url}: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
