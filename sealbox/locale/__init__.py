"""The gettext catalogues: which languages exist, and their translations loaded from the .po files.

The committed .po files are the only source of truth. They are compiled in memory when first
needed, so an editable install, a wheel and a checkout all translate without a build step, and a
compiled file can never be older than its catalogue.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
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
