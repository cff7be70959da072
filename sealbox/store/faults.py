"""What storage reports when it fails for reasons of its own, not of the data: the domain turns
these into refusals a person can act on (sealbox.errors.storage_refusals)."""

from __future__ import annotations


class StoreFault(Exception):
    """Storage failed; nothing of the operation that met it was kept."""


class OutOfSpace(StoreFault):
    """The disk of the blob store or of the database is full."""


class BlobStoreAway(StoreFault):
    """The blob store's server (an S3 endpoint) did not answer or refused the request."""


class DatabaseAway(StoreFault):
    """The database did not answer: the connection was lost (twice, for work that is tried
    again), or another writer held it for longer than the wait allowed."""


class CommitUnknown(DatabaseAway):
    """The connection was lost during the commit and the database could not be asked whether
    the work went in: it may or may not have."""
