"""The province's new catalogue version on the HR officer's home page: a ward that follows
its province's catalogue (or has none yet) sees that the province has published a version it
has not applied (``home.pending_versions``), and applies it in one action — keeping its own
adjustments as far as the new version allows (``inheritProvinceCatalogue`` without
adjustments). Reasons are asked for, as for every catalogue version; without them the API
refuses and nothing is written."""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.response import Response

from services.http.web.home import home_view
from services.http.web.page import Page, Posted, Req, Web, check_form


@post("/province/catalogue", name="web:province-catalogue")
async def apply_catalogue(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    if "hr_officer" not in page.roles:
        return page.render("message.html", status=403, message=page.t("FORBIDDEN"))
    reasons = str(form.get("reasons") or "")
    posted = Posted(page, request, form, again=lambda errors: home_view(
        request, web, page, status=422, province_errors=errors.get("form"),
        province_reasons=reasons), back=lambda at: "/?applied=1" if at is None
        else f"/?applied=1&at={at}")
    return await posted.send("InheritProvinceCatalogue", lambda _: "form", reasons=reasons)
