"""Every sentence cleaning can show a person, keyed by a stable code.

Each string is a literal passed to the gettext function so catalogues can be extracted;
plurals are chosen by count with two literals (one, many).
"""

from __future__ import annotations

from collections.abc import Callable

Text = Callable[[Callable[[str], str], int, str], str]


# Plural pairs are written out so extraction tools see both literals.
_MESSAGES: dict[str, Text] = {
    # --- findings: what was removed ---
    "gps": lambda _, n, s: _("GPS position"),
    "location": lambda _, n, s: _("recording location"),
    "camera": lambda _, n, s: _("camera make and model"),
    "camera_serial": lambda _, n, s: _("camera make, model and serial number"),
    "lens": lambda _, n, s: _("lens make, model and serial number"),
    "maker_notes": lambda _, n, s: _("camera maker notes"),
    "exif_other": lambda _, n, s: _("other camera settings"),
    "dates": lambda _, n, s: _("1 date") if n == 1 else _("{n} dates").format(n=n),
    "thumbnail": lambda _, n, s: (
        _("embedded thumbnail") if n == 1 else _("{n} embedded thumbnails").format(n=n)
    ),
    "author": lambda _, n, s: _("names of the author, owner or editors"),
    "company": lambda _, n, s: _("company and manager names"),
    "software": lambda _, n, s: _("names of the software and computer used"),
    "title": lambda _, n, s: _("title, subject and description"),
    "keywords": lambda _, n, s: _("keywords"),
    "comments": lambda _, n, s: _("1 comment") if n == 1 else _("{n} comments").format(n=n),
    # Comments readers of a document see in its margin (not a comment in a file's header).
    "document_comments": lambda _, n, s: (
        _("1 comment") if n == 1 else _("{n} comments").format(n=n)
    ),
    "document_ids": lambda _, n, s: _("document identifiers"),
    "revision_ids": lambda _, n, s: _("revision marks that link versions of the document"),
    "history": lambda _, n, s: _("editing history"),
    "xmp": lambda _, n, s: (
        _("1 XMP metadata block") if n == 1 else _("{n} XMP metadata blocks").format(n=n)
    ),
    "iptc": lambda _, n, s: _("IPTC captions, names and places"),
    "icc": lambda _, n, s: _("colour profile"),
    "text_notes": lambda _, n, s: (
        _("1 hidden text note") if n == 1 else _("{n} hidden text notes").format(n=n)
    ),
    "trailing_data": lambda _, n, s: _("hidden data after the end of the file"),
    "unknown_blocks": lambda _, n, s: (
        _("1 unrecognised data block") if n == 1 else _("{n} unrecognised data blocks").format(n=n)
    ),
    "javascript": lambda _, n, s: _("JavaScript"),
    "embedded_files": lambda _, n, s: (
        _("1 attached file") if n == 1 else _("{n} attached files").format(n=n)
    ),
    "form_values": lambda _, n, s: _("filled-in form values"),
    "annotation_authors": lambda _, n, s: _("names and dates on annotations"),
    "tracked_changes": lambda _, n, s: (
        _("author and date of 1 tracked change")
        if n == 1
        else _("authors and dates of {n} tracked changes").format(n=n)
    ),
    "people": lambda _, n, s: _("list of people who worked on the document"),
    "printer": lambda _, n, s: _("printer name and settings"),
    "paths": lambda _, n, s: _("file paths from the author's computer"),
    "external_references": lambda _, n, s: _("addresses the file fetches when it is opened"),
    "custom_properties": lambda _, n, s: _("custom document properties"),
    "custom_xml": lambda _, n, s: _("custom XML data"),
    "drawing_names": lambda _, n, s: _("names and descriptions of pictures and shapes"),
    "app_properties": lambda _, n, s: _("editing time, revision count and program settings"),
    "archive_dates": lambda _, n, s: _("file dates inside the archive"),
    "archive_comments": lambda _, n, s: _("archive comments"),
    "unsafe_names": lambda _, n, s: (
        _("1 unsafe file name made safe")
        if n == 1
        else _("{n} unsafe file names made safe").format(n=n)
    ),
    "embedded_media": lambda _, n, s: (
        _("metadata in 1 embedded file")
        if n == 1
        else _("metadata in {n} embedded files").format(n=n)
    ),
    "tags": lambda _, n, s: (
        _("1 tag such as artist or title")
        if n == 1
        else _("{n} tags such as artist or title").format(n=n)
    ),
    "cover_art": lambda _, n, s: _("embedded cover picture"),
    "chapters": lambda _, n, s: _("chapter names"),
    "data_tracks": lambda _, n, s: (
        _("1 data or subtitle track (may hold GPS)")
        if n == 1
        else _("{n} data or subtitle tracks (may hold GPS)").format(n=n)
    ),
    "html_meta": lambda _, n, s: _("1 meta tag") if n == 1 else _("{n} meta tags").format(n=n),
    "html_comments": lambda _, n, s: (
        _("1 hidden comment") if n == 1 else _("{n} hidden comments").format(n=n)
    ),
    "html_title": lambda _, n, s: _("page title"),
    "metadata": lambda _, n, s: _("other metadata"),
    "speaker_notes": lambda _, n, s: _("the speaker notes"),
    "hidden_slides": lambda _, n, s: (
        _("1 hidden slide") if n == 1 else _("{n} hidden slides").format(n=n)
    ),
    "hidden_sheets": lambda _, n, s: (
        _("1 hidden sheet") if n == 1 else _("{n} hidden sheets").format(n=n)
    ),
    "hidden_rows": lambda _, n, s: (
        _("1 hidden row or column") if n == 1 else _("{n} hidden rows and columns").format(n=n)
    ),
    "revisions": lambda _, n, s: (
        _("1 tracked change") if n == 1 else _("{n} tracked changes").format(n=n)
    ),
    "hidden_text": lambda _, n, s: (
        _("1 piece of hidden text") if n == 1 else _("{n} pieces of hidden text").format(n=n)
    ),
    "server_properties": lambda _, n, s: _("document server and sensitivity label properties"),
    # --- residual: what cleaning cannot fix ---
    "image_content": lambda _, n, s: _("The picture itself can still show where or who you are."),
    "sensor_noise": lambda _, n, s: _(
        "Cameras leave a faint noise pattern in the pixels that can link pictures "
        "to the same camera; cleaning does not remove it."
    ),
    "sensor_noise_reduced": lambda _, n, s: _(
        "The picture was redrawn, which weakens but cannot remove the camera's noise pattern."
    ),
    "av_content": lambda _, n, s: _(
        "Video frames and sound are not inspected: faces, voices and background "
        "sounds can still identify you."
    ),
    "document_content": lambda _, n, s: _(
        "The text and pictures themselves are not changed: what they say can still point to you."
    ),
    "form_values_kept": lambda _, n, s: _("Filled-in form values were kept, as you chose."),
    "text_content": lambda _, n, s: _(
        "Plain text carries no hidden metadata, but its words can still point to you."
    ),
    "archive_names": lambda _, n, s: _("The names of the files inside the archive are kept."),
    "lossy_rerender": lambda _, n, s: _(
        "The picture was redrawn, so it may look very slightly different."
    ),
    # --- reasons: why a file cannot be cleaned ---
    "empty": lambda _, n, s: _("Cannot be cleaned: the file is empty."),
    "unsupported": lambda _, n, s: _(
        "Cannot be cleaned: this type of file ({name}) is not supported."
    ).format(name=s),
    "damaged": lambda _, n, s: _(
        "Cannot be cleaned: the file is damaged or incomplete ({name})."
    ).format(name=s),
    "encrypted": lambda _, n, s: _("Cannot be cleaned: the file is protected by a password."),
    "too_large": lambda _, n, s: _(
        "Cannot be cleaned: the picture is too large to check safely ({name})."
    ).format(name=s),
    "bomb": lambda _, n, s: _(
        "Cannot be cleaned: the archive would unpack to far more data than it holds "
        "(a possible zip bomb)."
    ),
    "overlapping": lambda _, n, s: _(
        "Cannot be cleaned: the archive's entries overlap (a possible zip bomb)."
    ),
    "too_deep": lambda _, n, s: _("Cannot be cleaned: archives are nested too deeply."),
    "too_many": lambda _, n, s: _("Cannot be cleaned: the archive holds too many files."),
    "unknown_parts": lambda _, n, s: _(
        "Cannot be cleaned: the document holds a part that cannot be checked ({name})."
    ).format(name=s),
    "member": lambda _, n, s: _(
        "Cannot be cleaned: a file inside it cannot be cleaned ({name})."
    ).format(name=s),
    "timeout": lambda _, n, s: _(
        "Cannot be cleaned: cleaning took too long (the file may be built to stall cleaners)."
    ),
    "memory": lambda _, n, s: _(
        "Cannot be cleaned: cleaning needed too much memory (the file may be a decompression bomb)."
    ),
    "crashed": lambda _, n, s: _("Cannot be cleaned: the cleaner crashed on this file."),
    "no_tool": lambda _, n, s: _(
        "Cannot be cleaned: the program needed for this file ({name}) is not installed."
    ).format(name=s),
    "not_removed": lambda _, n, s: _(
        "Cannot be cleaned: some metadata could not be removed ({name})."
    ).format(name=s),
    "failed": lambda _, n, s: _("Cannot be cleaned: cleaning failed unexpectedly."),
}


def describe(code: str, count: int | None, subject: str | None, gettext) -> str:
    """The sentence for `code`, rendered through `gettext`."""
    render = _MESSAGES.get(code)
    if render is None:
        return gettext("other metadata")
    return render(gettext, 1 if count is None else count, subject or "")


# Content a reader of the file could see in an office program, not metadata about it: the
# source is told that it went, so that they can copy what matters into their report.
_DOCUMENTS = ("application/pdf", "application/vnd.", "application/epub")
CONTENT = (
    "document_comments",
    "speaker_notes",
    "hidden_slides",
    "hidden_sheets",
    "hidden_rows",
    "revisions",
    "hidden_text",
)


def removed_content(kind: str, items: list[tuple[str, int | None]], gettext) -> str:
    """One sentence naming the content of a document that went, e.g. "2 comments and the
    speaker notes were removed; paste them into your report if they matter." ('' for none)."""
    if not kind.startswith(_DOCUMENTS):
        return ""  # a comment in a picture's header is metadata, not something to paste back
    texts = [describe(code, count, None, gettext) for code, count in items if code in CONTENT]
    if not texts:
        return ""
    joined = texts[-1]
    if len(texts) > 1:
        head = texts[0]
        for text in texts[1:-1]:
            head = gettext("{first}, {next}").format(first=head, next=text)
        joined = gettext("{first} and {last}").format(first=head, last=texts[-1])
    code, count = next((c, n) for c, n in items if c in CONTENT)
    if len(texts) == 1 and (count or 1) == 1 and code != "speaker_notes":
        return gettext("{item} was removed; paste it into your report if it matters.").format(
            item=joined
        )
    return gettext("{items} were removed; paste them into your report if they matter.").format(
        items=joined
    )


def known_codes() -> frozenset[str]:
    return frozenset(_MESSAGES)
