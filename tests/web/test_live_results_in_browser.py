"""A result arrives by itself: the staff member's results page holds a same-origin socket
(/live, graphql-transport-ws, the session cookie — no token in any script) and updates in
place when HR publishes. A socket opened from another site's page is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import websockets

from tests.web.conftest import Ward, fitting_shot, sign_in
from tests.web.test_month_in_browser import HR, MEMBER, board_decided

try:
    from playwright.async_api import expect
except ImportError:  # the ``browser`` fixture says loudly why these tests did not run
    expect = None

pytestmark = pytest.mark.e2e


async def handshake(host: str, origin: str, headers: dict[str, str]) -> str | bytes:
    async with websockets.connect(f"ws://{host}/live", subprotocols=["graphql-transport-ws"],
                                  origin=origin, additional_headers=headers) as socket:
        await socket.send('{"type": "connection_init"}')
        return await socket.recv()


async def test_the_staff_member_sees_the_result_arrive(open_browser: Any, server: str,
                                                       ward: Ward) -> None:
    await board_decided(open_browser, server, ward)

    staff_context, staff, watch = await open_browser()
    await sign_in(staff, server, ward, MEMBER)
    await staff.click("nav a:has-text('Kết quả của tôi')")  # a boosted navigation, no reload
    await staff.wait_for_selector("#results-live[data-connected=yes]")
    today = date.today()
    row = staff.locator(f"#month-{today.year}-{today.month}")
    assert "Đã công khai" not in await row.inner_text()
    # No script of the page can read the session: the cookie is HttpOnly.
    assert await staff.evaluate("() => document.cookie.includes('congtam_session')") is False

    _, hr, _ = await open_browser()
    await sign_in(hr, server, ward, HR, then="/periods")
    await hr.locator("li.line", has_text="Mặt trận").locator("button[value=publish]").click()
    await hr.wait_for_selector("p.ok")

    await expect(row).to_contain_text("Đã công khai", timeout=15_000)  # without a reload
    assert "Loại B" in await row.inner_text()
    await expect(staff.locator("#live-status")).to_be_visible()
    await fitting_shot(staff, "results-live")
    watch.clean()
    cookies = {c["name"]: c["value"] for c in await staff_context.cookies()}

    host = server.split("://", 1)[1]
    cookie = {"Cookie": f"congtam_session={cookies['congtam_session']}"}
    # This site's origin with the cookie: acknowledged; a query that is not live: refused.
    async with websockets.connect(f"ws://{host}/live", subprotocols=["graphql-transport-ws"],
                                  origin=server, additional_headers=cookie) as socket:
        await socket.send('{"type": "connection_init"}')
        assert "connection_ack" in await socket.recv()
        await socket.send('{"id": "1", "type": "subscribe", "payload": '
                          '{"query": "subscription { myResults { level } }"}}')
        assert "PERSISTED_QUERY_NOT_FOUND" in await socket.recv()
    # The same session cookie, but the handshake comes from another site: refused.
    with pytest.raises(websockets.exceptions.WebSocketException):
        await handshake(host, "http://elsewhere.example", cookie)
