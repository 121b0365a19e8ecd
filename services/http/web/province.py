"""The province's new catalogue version on the HR officer's home page: a ward that follows
its province's catalogue (or has none yet) sees that the province has published a version it
has not applied (``home.pending_versions``), and applies it in one action — keeping its own
adjustments as far as the new version allows (``inheritProvinceCatalogue`` without
adjustments). Reasons are asked for, as for every catalogue version; without them the API
refuses and nothing is written."""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.response import Redirect, Response

from services.http.web.home import home_view
from services.http.web.page import Page, Req, Web, check_form, first_use


@post("/province/catalogue", name="web:province-catalogue")
async def apply_catalogue(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    if "hr_officer" not in page.roles:
        return page.render("message.html", status=403, message=page.t("FORBIDDEN"))
    if not first_use(request, str(form.get("_once", ""))):
        return Redirect("/?applied=1", status_code=303)
    answer = await page.run("InheritProvinceCatalogue",
                            reasons=str(form.get("reasons") or ""))
    if not answer.ok:
        return await home_view(request, web, page, status=422, province_errors=[
            page.refusal_text(r) for r in answer.refusals],
            province_reasons=str(form.get("reasons") or ""))
    position = answer.data["inheritProvinceCatalogue"]["position"]
    return Redirect(f"/?applied=1&at={position}", status_code=303)
