"""Domain errors. Each carries a message that the person who sees it can act on.

The domain knows nothing of HTTP: `sealbox/web/errors.py` decides which status each error is
answered with. A message is a `Message`: a message id with named placeholders and their
values, translated where it is shown, so the reader gets it in their language with the
values (a limit, a file name) filled in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sealbox.locale import N_, Message, Param
from sealbox.store.faults import BlobStoreAway, CommitUnknown, OutOfSpace, StoreFault

OUT_OF_SPACE = "The server is out of space, so nothing was stored. Please try again later."
DB_AWAY = "The database did not answer. Please try again in a minute."
BLOBS_AWAY = "The file store did not answer. Please try again in a minute."
DB_UNSURE = (
    "The database stopped answering while this was being stored: it may or may not have gone "
    "in. Please check in a minute."
)


class SealboxError(Exception):
    """Base for refusals that the web layer turns into a page or JSON error.

    `message` is a message id (an English sentence, found in the catalogues), with a named
    placeholder for each of `params`: `TooLarge("%(name)s is larger than %(limit)s.",
    name=filename, limit=n)`. Never build the sentence with the values already in it: it
    would not be found in the catalogues, and would stay in English."""

    code = "bad_request"
    # Said instead of `message` on a page that gives the typed text back in its form.
    on_form: str | None = None
    # Seconds after which asking again may work (the Retry-After header); None: it will not.
    retry_after: int | None = None

    def __init__(self, message: str, /, **params: Param) -> None:
        self.message = Message(message, params)
        super().__init__(str(self.message))

    @property
    def form_message(self) -> Message:
        """The message for a page that shows the form again with what was typed."""
        return Message(self.on_form) if self.on_form else self.message


class NotFound(SealboxError):
    code = "not_found"


class EmptyReport(SealboxError):
    code = "empty_report"


class TooLarge(SealboxError):
    code = "too_large"


class UnknownChannel(SealboxError):
    code = "unknown_channel"


class BadInput(SealboxError):
    code = "bad_input"


class LoginFailed(SealboxError):
    code = "login_failed"


class Throttled(SealboxError):
    code = "throttled"


class SessionExpired(SealboxError):
    code = "session_expired"


class Forbidden(SealboxError):
    code = "forbidden"


class DamagedData(SealboxError):
    code = "damaged_data"


class Conflict(SealboxError):
    code = "conflict"


class StorageFull(SealboxError):
    """The disk (of the blob store or of the database) is full: nothing of the request was kept."""

    code = "storage_full"
    on_form = N_(
        "The server is out of space, so nothing was stored. Your text is below: keep a copy "
        "and send it again later."
    )


class DatabaseUnavailable(SealboxError):
    """The database did not answer (twice, for a transaction that may be retried)."""

    code = "database_unavailable"
    retry_after = 60
    on_form = N_(
        "The database did not answer, so nothing was stored. Your text is below: send it "
        "again in a minute."
    )


class FileStoreUnavailable(DatabaseUnavailable):
    """The blob store's server (S3) did not answer: nothing of the request was kept."""

    code = "file_store_unavailable"
    on_form = N_(
        "The file store did not answer, so nothing was stored. Your text is below: send it "
        "again in a minute."
    )


class OutcomeUnknown(DatabaseUnavailable):
    """The database went away during the commit and could not say afterwards whether the
    work went in. Nothing the work would have named may be deleted."""

    code = "outcome_unknown"
    on_form = N_(
        "The database stopped answering while your report was being stored, so we cannot tell "
        "whether it arrived. Your text is below: if you send it again, it may arrive twice."
    )


def refusal_for(fault: StoreFault) -> SealboxError:
    """The refusal a person sees for a storage fault."""
    if isinstance(fault, OutOfSpace):
        return StorageFull(OUT_OF_SPACE)
    if isinstance(fault, CommitUnknown):
        return OutcomeUnknown(DB_UNSURE)
    if isinstance(fault, BlobStoreAway):
        return FileStoreUnavailable(BLOBS_AWAY)
    return DatabaseUnavailable(DB_AWAY)


@contextmanager
def storage_refusals() -> Iterator[None]:
    """Storage faults inside become refusals (StorageFull, DatabaseUnavailable), so that a
    page that catches SealboxError gives the typed text back for them too."""
    try:
        yield
    except StoreFault as fault:
        raise refusal_for(fault) from fault


class FormExpired(SealboxError):
    """A form sent after its token's time window: shown again with what was typed."""

    code = "form_expired"


class FormUsed(SealboxError):
    """A form sent a second time with the same token: shown again with what was typed."""

    code = "form_used"


class Busy(SealboxError):
    """The server is at its limit for this kind of work right now; nothing was done."""

    code = "busy"

    def __init__(self, message: str, /, retry_after: int = 10, **params: Param) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class TooSlow(SealboxError):
    """A request's body arrived too slowly, or stopped arriving."""

    code = "too_slow"
