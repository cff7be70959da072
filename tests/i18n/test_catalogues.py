"""Every message the code can show is in every catalogue, translated, with the same placeholders.

When this fails after you added or changed a message: run scripts/i18n-update, translate the new
entries in sealbox/locale/*/LC_MESSAGES/messages.po, and run the tests again (DEVELOPERS.md)."""

from __future__ import annotations

import re

import pytest

from sealbox.locale import LANGUAGES, translations
from sealbox.locale.extract import extract, read

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
TRANSLATED = [language.code for language in LANGUAGES if language.code != "en"]


@pytest.fixture(scope="module")
def wanted() -> dict[str, object]:
    return {message.id: message for message in extract() if message.id}


def _key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_catalogue_holds_every_message_and_nothing_stale(wanted, code):
    have = {m.id for m in read(code) if m.id}
    missing = sorted(_key(m) for m in set(wanted) - have)
    stale = sorted(_key(m) for m in have - set(wanted))
    assert not missing, f"{code}: not in the catalogue (run scripts/i18n-update): {missing}"
    assert not stale, f"{code}: no longer in the code (run scripts/i18n-update): {stale}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(wanted, code):
    catalogue = read(code)
    untranslated = [
        _key(m.id)
        for m in catalogue
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert not untranslated, f"{code}: untranslated or fuzzy: {untranslated}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders(code):
    wrong = []
    for m in read(code):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                wrong.append((_key(m.id), string))
    assert not wrong, f"{code}: placeholders differ: {wrong}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogue_translates(code):
    assert translations(code).gettext("Send report") != "Send report"
    assert translations(code).gettext("Language") != "Language"
