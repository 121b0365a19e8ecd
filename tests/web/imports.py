"""The import page as the HR officer uses it in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio


async def preview(page: Any, kind: str, sheet: Path, text: str | None = None) -> None:
    """Choose ``sheet`` (written with ``text`` first, if given) in the form of ``kind`` and
    check it first."""
    if text is not None:
        await anyio.Path(sheet).write_text(text, encoding="utf-8")
    await page.set_input_files(f"#file-{kind}", str(sheet))
    await page.click(f"#upload-{kind} button:has-text('Kiểm tra trước')")
    await page.wait_for_selector("#result")


async def template_bytes(page: Any, server: str, kind: str) -> bytes:
    """The template the page links for ``kind``, downloaded by the signed-in person."""
    template = await page.request.get(
        f"{server}{await page.get_attribute(f'#template-{kind}', 'href')}")
    assert template.status == 200
    body: bytes = await template.body()
    return body
