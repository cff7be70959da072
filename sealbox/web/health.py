"""`GET /healthz`: "ok" or "not ok", for a load balancer, a monitor or systemd.

It answers anyone, so it says nothing else: no counts, no version, no reason (`sealbox doctor`
names the reason). Like every request, it is not logged.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from sealbox.services import Services
from sealbox.web.deps import services

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(svc: Services = Depends(services)) -> PlainTextResponse:
    """200 "ok" when the database takes a write and the blob store a file; 503 "not ok"."""
    ok = svc.db.answers() and svc.blobs.writable()
    return PlainTextResponse(
        "ok" if ok else "not ok",
        status_code=200 if ok else 503,
        headers={"cache-control": "no-store"},
    )
