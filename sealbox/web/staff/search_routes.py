"""Search over the content of the handler's reports. The words travel in a POST body, never in
a URL, so that neither a log line nor the browser's history keeps them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sealbox.errors import BadInput
from sealbox.reports import search
from sealbox.web.staff.pages import Form, Handler

router = APIRouter()


@router.get("/search")
def search_form(page: Handler) -> Response:
    return page.render("staff/search.html", {"query": "", "result": None})


@router.post("/search")
def search_reports(page: Handler, form: Form) -> Response:
    query = form.get("q", "")
    try:
        result = page.svc.reports.search(page.ctx, query)
    except BadInput as exc:
        context = {"query": query[: search.MAX_QUERY_CHARS * 2], "result": None}
        return page.render("staff/search.html", context, error=exc)
    return page.render("staff/search.html", {"query": result.query, "result": result})
