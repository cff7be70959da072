"""What a person typed into a form, kept for the page that answers a storage fault.

When the disk is full or the database does not answer, nothing of the form is stored; the
answer is the same form again with their text in it, to send once storage is back (see
`errors.kept_text_page`). A page that cannot check the session shows nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from sealbox.errors import DatabaseUnavailable, SealboxError, StorageFull


@dataclass(frozen=True)
class TypedField:
    """A field a person writes in, given back editable."""

    name: str
    label: str  # a message id, translated on the page
    value: str = ""
    long: bool = True  # a text area; else a one-line field
    note: str = ""  # said as it is after the label (a language's own name, say)


@dataclass(frozen=True)
class KeptForm:
    """The form to send again: where it posts, the typed fields, and the rest as it came."""

    action: str
    typed: tuple[TypedField, ...]
    layout: str  # the template the page extends (the source's or the staff's)
    hidden: tuple[tuple[str, str], ...] = ()
    files: bool = False  # a multipart form: files must be chosen again

    @classmethod
    def of(
        cls, action: str, layout: str, pairs: list[tuple[str, str]], typed: tuple[TypedField, ...]
    ) -> KeptForm:
        """The posted `pairs` of a form: the `typed` fields with their values, the rest hidden."""
        names = {field.name for field in typed}
        values = {name: value for name, value in pairs if name in names}
        given = tuple(
            TypedField(field.name, field.label, values.get(field.name, ""), field.long, field.note)
            for field in typed
        )
        hidden = tuple((name, value) for name, value in pairs if name not in names)
        return cls(action, given, layout, hidden)


def gives_back(exc: SealboxError) -> bool:
    """A refusal after which the typed text comes back: a full disk, a database away."""
    return isinstance(exc, StorageFull | DatabaseUnavailable)


def keep(request: Request, form: KeptForm) -> None:
    """Give `form` back if storage fails later in this request."""
    request.state.kept_form = form


def kept(request: Request) -> KeptForm | None:
    """The form this request keeps, if any."""
    return getattr(request.state, "kept_form", None)
