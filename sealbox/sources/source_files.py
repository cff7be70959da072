"""What a source may do with their own files: decide about a file that could not be cleaned
(send it as it is, or remove it) and rename a file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sealbox import crypto
from sealbox.crypto import Identity
from sealbox.errors import NotFound
from sealbox.reports.dialog import open_file_meta
from sealbox.reports.models import Attachment, Report
from sealbox.scrub.filenames import sanitise_filename

if TYPE_CHECKING:
    from sealbox.services import Services


def decide(services: Services, report_id: str, file_id: str, send: bool) -> None:
    """Release a held file to the handlers, or delete it (its blob goes first)."""
    with services.db.transaction() as session:
        row = session.get(Attachment, file_id)
        if row is None or row.report_id != report_id or not row.held:
            raise NotFound("This file is not waiting for your decision.")
        if send:
            row.held = False
            report = session.get(Report, report_id, with_for_update=True)
            assert report is not None  # the file's report: the file row refers to it
            # Handlers see the report as unread again: there is something new to look at.
            report.source_seq += 1
            return
        blob_id = row.blob_id
        session.delete(row)
    services.blobs.delete(blob_id)


def rename(
    services: Services, report_id: str, file_id: str, identity: Identity, new_name: str
) -> str:
    """Give one of the source's files another display name (sanitised); returns the name."""
    name = sanitise_filename(new_name)
    with services.db.transaction() as session:
        row = session.get(Attachment, file_id)
        if row is None or row.report_id != report_id:
            raise NotFound("This file does not exist.")
        meta = open_file_meta(row.meta, identity)
        meta["display_name"] = name
        row.meta = crypto.seal(json.dumps(meta).encode(), identity.recipient)
    return name
