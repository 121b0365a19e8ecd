"""The web app (issue 19): server-rendered pages, Vietnamese first, served at ``/`` by the
same litestar app. Every page is a client of our own GraphQL (services/http/web/client.py);
every script, style and font is served from ``/static`` (no CDN); htmx is vendored.

Hooks in services/api.py: ``web_router(settings, schema)`` among the route handlers, and
``with_offline_ide`` around the GraphQL controller.
"""

from __future__ import annotations

from pathlib import Path

import strawberry
import structlog
from litestar import Router, get
from litestar.di import Provide
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp

from services.http.web import (
    accountability,
    appeals,
    audit,
    board,
    home,
    hr,
    imports,
    live,
    overview,
    prints,
    province,
    registers,
    search,
    signin,
    staff,
    work,
)
from services.http.web.client import SignInRequiredError, load_operations
from services.http.web.graphiql import with_offline_ide
from services.http.web.headers import security_headers
from services.http.web.page import FormExpiredError, Web, environment, render
from services.http.web.settings import WebSettings, load_web_settings
from services.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
log = structlog.get_logger()


@get("/", media_type="text/plain; charset=utf-8", status_code=503, sync_to_thread=False)
def web_off() -> str:
    return ("Ứng dụng web chưa được cấu hình (CONGTAM_WEB_SESSION_SECRET). / "
            "The web app is not configured (CONGTAM_WEB_SESSION_SECRET).")

__all__ = ["web_router", "with_offline_ide"]


def web_router(settings: Settings, schema: strawberry.Schema,
               web_settings: WebSettings | None = None) -> Router:
    """Every page, the sign-in, and the static files, behind the session and the headers."""
    config = web_settings or load_web_settings(settings)
    if config.session_secret is None:
        log.warning("web_app_off", reason="CONGTAM_WEB_SESSION_SECRET is not set")
        return Router(path="/", route_handlers=[web_off], include_in_schema=False)
    web = Web(settings=config, schema=schema, operations=load_operations(),
              templates=environment(), production=settings.production)
    session = CookieBackendConfig(secret=config.session_secret, key="congtam_session",
                                  max_age=config.session_seconds, secure=config.secure_cookies,
                                  httponly=True, samesite="lax", path="/")
    # A closure, not DefineMiddleware: litestar copies a registered router deeply, and the
    # backend's AES-GCM cipher cannot be copied.
    backend = ClientSideSessionBackend(config=session)

    def with_session(app: ASGIApp) -> ASGIApp:
        return SessionMiddleware(app, backend=backend)

    static = create_static_files_router(path="/static", directories=[STATIC],
                                        cache_control=None, include_in_schema=False)

    return Router(
        path="/",
        route_handlers=[
            static, signin.login_page, signin.login_dev, signin.logout, signin.switch_tenant,
            signin.oidc_start, signin.oidc_callback, home.home, staff.self_page,
            staff.self_submit, staff.results_page, staff.file_appeal, board.boards,
            board.board, board.decide_board, hr.periods, hr.period_action, hr.tracker,
            audit.audit_home, audit.timeline, audit.board_as_of, appeals.appeals,
            appeals.appeal_detail, appeals.appeal_act, accountability.accountability,
            registers.register, registers.register_add, registers.policy, registers.collective,
            registers.collective_open, overview.overview, live.live,
            search.audit_search, search.audit_leader, work.my_work, work.report_done,
            work.work_boards, work.work_board, work.confirm, work.reassign, work.cancel,
            work.assign_page, work.assign, province.apply_catalogue, prints.print_document,
            *imports.ROUTES,
        ],
        dependencies={"web": Provide(lambda: web, sync_to_thread=False)},
        middleware=[security_headers, with_session],
        exception_handlers={
            SignInRequiredError: lambda request, _: signin.to_sign_in(request),
            FormExpiredError: lambda request, _: render(web, request, "message.html", status=403,
                                                   message_key="csrf"),
        },
        include_in_schema=False,
    )
