"""The source's choice about a file that could not be cleaned: send it as it is, or remove it."""

from __future__ import annotations

from sealbox.cases.errors import NotFound
from sealbox.services import Services
from sealbox.store.models import Attachment, Report


def decide(services: Services, report_id: str, file_id: str, send: bool) -> None:
    """Release a held file to the handlers, or delete it (its blob goes first)."""
    with services.db.transaction() as session:
        row = session.get(Attachment, file_id)
        if row is None or row.report_id != report_id or not row.held:
            raise NotFound("This file is not waiting for your decision.")
        if send:
            row.held = False
            report = session.get(Report, report_id, with_for_update=True)
            # Handlers see the report as unread again: there is something new to look at.
            report.source_seq += 1
            return
        blob_id = row.blob_id
        session.delete(row)
    services.blobs.delete(blob_id)
