"""The gettext catalogues: which languages exist, and their translations loaded from the .po files.

The committed .po files are the only source of truth. They are compiled in memory when first
needed, so an editable install, a wheel and a checkout all translate without a build step, and a
compiled file can never be older than its catalogue.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    code: str  # gettext/Babel locale identifier: the catalogue's folder name
    tag: str  # BCP 47 tag: the `lang` attribute and the `?lang=` value
    name: str  # the language's name in itself, for the language switcher
    direction: str  # "ltr" or "rtl"


LANGUAGES: tuple[Language, ...] = (
    Language("en", "en", "English", "ltr"),
    Language("zh_Hans", "zh-Hans", "简体中文", "ltr"),
    Language("zh_Hant", "zh-Hant", "繁體中文", "ltr"),
    Language("ug", "ug", "ئۇيغۇرچە", "rtl"),
)
DEFAULT = LANGUAGES[0]
BY_TAG = {language.tag.lower(): language for language in LANGUAGES}


def po_path(code: str):
    """The catalogue file of one language, inside the installed package."""
    return resources.files(__name__).joinpath(code, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def translations(code: str) -> gettext.NullTranslations:
    """Compiled translations for `code`; fuzzy entries are left out (they show in English)."""
    path = po_path(code)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Marks a string for extraction into the catalogues; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Message:
    """A sentence translated where it is shown, in the reader's language: its message id, with
    named placeholders (`%(limit)s`), and the values for them.

    The id is looked up first, then the values are filled into the translation, so a value is
    never translated and never changes which sentence is looked up."""

    id: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str], number: Callable[[int], str]) -> str:
        """The sentence through `gettext`, numbers written by `number`."""
        text = gettext(self.id)
        if not self.params:
            return text  # no formatting: a translation may hold a plain "%"
        return text % {name: _fill(value, gettext, number) for name, value in self.params.items()}

    def __str__(self) -> str:
        """In English, for the command line and for logs."""
        return self.render(lambda text: text, lambda n: f"{n:,}")


# A placeholder's value: text goes in as it is (it is data: a file name, a username); a number
# is written in the reader's digits; a Message is translated in turn, and several are joined.
Param = str | int | Message | tuple[Message, ...]


def _fill(value: Param, gettext: Callable[[str], str], number: Callable[[int], str]) -> str:
    if isinstance(value, Message):
        return value.render(gettext, number)
    if isinstance(value, tuple):
        return " ".join(part.render(gettext, number) for part in value)
    if isinstance(value, bool):  # a bool is an int, but is never meant as a number
        return str(value)
    if isinstance(value, int):
        return number(value)
    return value
