"""Browser tests: the distribution's Chromium (``apt-get install chromium``) driven by
Playwright against the real app (the ``server`` fixture). No browser is downloaded.

A missing browser fails the tests, everywhere: they never skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import pytest

from services.demo.tenants import _build_tenant, demo_users, grant_demo_users
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.projection import projected

CHROMIUM = os.environ.get("CONGTAM_CHROMIUM", "/usr/bin/chromium")


def chromium_path() -> str | None:
    """The distribution's Chromium, where the packages put it (or on PATH)."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


SHOTS = Path(os.environ.get("CONGTAM_SCREENSHOTS", "/tmp/congtam-web-screenshots"))


def _browser_missing(reason: str) -> None:
    """No browser, no pass: the web app's tests never skip (a missing install fails loudly)."""
    pytest.fail(f"BROWSER TESTS DID NOT RUN: {reason}. Install it with "
                "`apt-get update && apt-get install -y chromium` (and `pip install playwright`).",
                pytrace=False)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _browser_missing("playwright is not installed")
    executable = chromium_path()
    if executable is None:
        _browser_missing(f"no Chromium at {CHROMIUM}")
    async with async_playwright() as p:
        found = await p.chromium.launch(executable_path=executable,
                                        args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield found
        await found.close()


@dataclass
class Watch:
    """What a browser context did: every request's host, console errors, CSP violations."""

    server: str
    foreign: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def clean(self) -> None:
        assert not self.foreign, f"requests left for another host: {self.foreign}"
        assert not self.violations, f"CSP violations: {self.violations}"


@pytest.fixture
async def open_browser(browser: Any, server: str) -> AsyncIterator[Any]:
    """``await open_browser(width)`` → (context, page, watch); contexts closed afterwards."""
    contexts = []

    async def make(width: int = 360, height: int = 780,
                   storage_state: Any = None) -> tuple[Any, Any, Watch]:
        context = await browser.new_context(viewport={"width": width, "height": height},
                                            locale="vi-VN", storage_state=storage_state)
        await context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.sourceFile))")
        contexts.append(context)
        watch = Watch(server)
        host = urlsplit(server).netloc

        def on_request(request: Any) -> None:
            if request.url.startswith(("data:", "about:")):
                return
            if urlsplit(request.url).netloc != host:
                watch.foreign.append(request.url)

        def on_console(message: Any) -> None:
            text = message.text
            if "CSP-VIOLATION" in text or "Content Security Policy" in text:
                watch.violations.append(text)
            elif message.type == "error":
                watch.errors.append(text)

        context.on("request", on_request)
        page = await context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        return context, page, watch

    yield make
    for context in contexts:
        await context.close()


@dataclass
class Ward:
    tenant: Tenant
    users: dict[str, Any]  # demo user label → DemoUser

    @property
    def slug(self) -> str:
        return self.tenant.slug


@pytest.fixture
async def ward(runtime: Runtime, server: str) -> Ward:
    """A fresh ward filled like the demo ones: five units, last month decided and published,
    this month open and untouched; the demo users granted."""
    return await make_ward(runtime)


async def make_ward(runtime: Runtime, slug: str | None = None, name: str | None = None,
                    parent: str | None = None) -> Ward:
    """A ward (under ``parent``, if given) filled like the demo ones: see ``ward``."""
    slug = slug or f"web-{uuid.uuid4().hex[:8]}"
    name = name or f"Phường Thử {slug[-4:]}"
    tenant = await runtime.registry.register(slug, name, "ward", parent)
    service = runtime.service(tenant)
    # This month under the 2018 Hanoi rules: the board's quota scenario needs a monthly
    # quota, which the 2026 national policy does not have.
    await anyio.to_thread.run_sync(lambda: _build_tenant(service, slug, date.today(),
                                                         work_month=False))
    await grant_demo_users(runtime, slug)
    await runtime.written(tenant)
    await projected(runtime, tenant)
    return Ward(tenant, {u.name: u for u in demo_users(slug)})


async def sign_in(page: Any, server: str, ward: Ward, who: str, then: str = "/") -> None:
    await page.goto(f"{server}/login?tenant={ward.slug}&next={then}")
    await page.click(f'button[data-user="{who}"]')
    await page.wait_for_url(lambda url: url.startswith(f"{server}{then}")
                            and not urlsplit(url).path.startswith("/login"))


async def signed_in(open_browser: Any, server: str, ward: Ward, who: str, then: str = "/"
                    ) -> tuple[Any, Any]:
    """A fresh browser page signed in as ``who`` at ``then``, and its console watch."""
    _, page, watch = await open_browser()
    await sign_in(page, server, ward, who, then)
    return page, watch


async def no_horizontal_scroll(page: Any) -> None:
    sizes = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"horizontal scroll at {page.url}: {sizes}"


async def shoot(page: Any, name: str) -> Path:
    await anyio.Path(SHOTS).mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def fitting_shot(page: Any, name: str) -> Path:
    """The page fits its width (no horizontal scroll); then its screenshot ``name``."""
    await no_horizontal_scroll(page)
    return await shoot(page, name)
