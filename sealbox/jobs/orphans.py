"""Sweeping blobs that no row names: what an upload leaves when its process dies before the
commit. Run at every server start and by the daily pass; safe with other servers sharing the
store (see BlobStore.sweep_orphans)."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.reports.models import Attachment
from sealbox.store.blobs import Blobs
from sealbox.store.db import Database


def sweep(db: Database, blobs: Blobs) -> int:
    """Delete every blob that no attachment names and no upload holds; returns how many."""

    def named(blob_ids: list[str]) -> set[str]:
        with db.transaction() as session:
            rows = session.scalars(
                select(Attachment.blob_id).where(Attachment.blob_id.in_(blob_ids))
            )
            return set(rows)

    return blobs.sweep_orphans(named)
