"""Fixtures of the integration tests beyond the session's (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.office.mail_sink import start_sink
from tests.support.servers import free_port


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A local SMTP server keeping what it receives in a folder: (folder, port)."""
    folder, port = tmp_path / "mail", free_port()
    controller = start_sink(folder, "127.0.0.1", port)
    try:
        yield folder, port
    finally:
        controller.stop()
