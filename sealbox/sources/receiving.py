"""A source's form as it arrives, part by part: its single-use token first, then text fields
into the typed text and files into the draft. The web parses the body as it streams in
(`web/upload.py`) and hands the parts over in order; nothing here knows HTTP.

What was typed always ends up in `fields`, refused or not, so that the page that answers a
refusal can give it back. Files are not kept across a refusal: keeping them would mean keeping
a draft's blobs and its report key between requests, somewhere a copy of the server or another
browser could reach. The refusal page instead names the files the form carried (`CHOSEN`), so
the source knows plainly which ones to attach again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from sealbox.errors import BadInput, Forbidden, SealboxError
from sealbox.reports import intake
from sealbox.sources import submission_tokens

# The names of the files a form carried (one per line), as `fields` holds them.
CHOSEN = "files_chosen"

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services


class FormPart(Protocol):
    """One part of a form as it streams in: a text field, or a file read chunk by chunk."""

    name: str
    filename: str | None
    content_type: str

    @property
    def is_file(self) -> bool: ...

    def read(self, n: int = -1) -> bytes: ...

    def is_empty(self) -> bool: ...

    def text(self) -> str: ...


def receive(
    services: Services,
    parts: Iterator[FormPart],
    draft: intake.Draft | None,
    fields: dict[str, str],
    purpose: str,
    binding: str,
    allow_keep: bool = False,
) -> None:
    """Read the form into `fields` (kept on failure): the token first (it works once), then
    anything. Without a draft, files are read and dropped and the token is only checked (the
    form only comes back); a used or expired token stores nothing, but what was typed is read
    to give back."""
    for part in parts:
        if "form_token" not in fields:
            if part.name != "form_token" or part.is_file:
                raise Forbidden("This form is out of date. Reload the page and send it again.")
            fields["form_token"] = part.text()
            try:
                if draft is None:
                    submission_tokens.check(services, purpose, fields["form_token"], binding)
                else:
                    submission_tokens.redeem(services, purpose, fields["form_token"], binding)
            except Forbidden:
                raise
            except SealboxError:
                # Used, expired, or the database could not note it (full, away): nothing is
                # stored, and what was typed comes back.
                _typed_text(parts, fields, services.settings.max_submission_bytes)
                raise
        elif part.is_file:
            if draft is None or (not part.filename and part.is_empty()):
                continue  # no file chosen: nothing to seal, so nothing touches the disk
            # "files_keep" is the channel-allowed, explicit choice to keep a file's metadata,
            # honoured only after the confirmation box that precedes it in the form.
            keep = part.name == "files_keep" and fields.get("keep_confirm") == "1" and allow_keep
            if part.name in ("files", "files_keep") or part.name.startswith("q"):
                _chosen(fields, part.filename)
                received = draft.add_file(part, part.filename or "", part.content_type, keep)
                if received is not None and part.name.startswith("q"):
                    # A questionnaire's file question: its answer names the attached file.
                    fields[part.name] = received.display_name
        else:
            fields[part.name] = part.text()
            if draft is not None:
                draft.add_text(len(fields[part.name]))


def _chosen(fields: dict[str, str], filename: str | None) -> None:
    """Note a chosen file's name under CHOSEN, for a refusal page to list the files to attach
    again: a refused form keeps no file (its draft is deleted, nothing is kept across requests),
    and the names go back only in that page, to the browser that sent them, never stored."""
    if filename:
        fields[CHOSEN] = "\n".join(filter(None, [fields.get(CHOSEN, ""), filename[:120]]))


def _typed_text(parts: Iterator[FormPart], fields: dict[str, str], limit: int) -> None:
    """The text fields of the rest of a refused form; files are read past (`limit` bytes at
    most), and a form that breaks off keeps what came before."""
    seen = 0
    try:
        for part in parts:
            if not part.is_file:
                fields[part.name] = part.text()
                continue
            _chosen(fields, part.filename)
            while chunk := part.read(1 << 16):
                seen += len(chunk)
                if seen > limit:
                    return
    except BadInput:
        return
