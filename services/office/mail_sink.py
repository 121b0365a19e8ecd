"""The development mail sink: a real SMTP server (aiosmtpd) that keeps every message it
receives as a ``.eml`` file under ``<data dir>/mail``, so reminders travel the same SMTP path
as in production and can be read back (``GET /dev/mail``, development only).

Started by ``make run`` (``congtam mail-sink``) as its own small process; never in
production (the command refuses).
"""

from __future__ import annotations

import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

MAX_SHOWN = 200


class SaveToFolder:
    """aiosmtpd handler: one file per message, named so that they sort by arrival."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(content if isinstance(content, bytes)
                                         else str(content).encode())
        return "250 Message accepted for delivery"


def start_sink(folder: Path, host: str, port: int) -> Controller:
    controller = Controller(SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return controller


def received(folder: Path, limit: int = MAX_SHOWN) -> list[dict[str, str]]:
    """The messages the sink holds, newest first: to, subject, the text body."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = mail.get_body(preferencelist=("plain",))
        out.append({"id": path.stem, "to": str(mail["To"]), "from": str(mail["From"]),
                    "subject": str(mail["Subject"]),
                    "text": body.get_content() if body is not None else ""})  # type: ignore[attr-defined]
    return out
