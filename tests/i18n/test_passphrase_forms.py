"""The passphrase as digits: same words, same keys, accepted at login like the words."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from sealbox.crypto import passphrase
from tests import support

DIGIT_GROUPS = re.compile(r'<li class="group">(\d{4})</li>')


@given(st.lists(st.integers(0, 7775), min_size=7, max_size=10))
def test_digits_and_words_normalise_to_the_same_passphrase(positions):
    words = " ".join(passphrase.wordlist()[p] for p in positions)
    digits = passphrase.to_digits(words)
    assert [int(d) for d in digits] == positions
    expected = passphrase.normalise(words)
    assert passphrase.normalise(" ".join(digits)) == expected
    assert passphrase.normalise("".join(digits)) == expected
    assert passphrase.normalise("-".join(str(int(d)) for d in digits)) == expected
    full_width = "　".join(
        d.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}) for d in digits
    )
    assert passphrase.normalise(full_width) == expected
    arabic_indic = " ".join(
        d.translate({ord(c): 0x0660 + int(c) for c in "0123456789"}) for d in digits
    )
    assert passphrase.normalise(arabic_indic) == expected


def test_out_of_range_or_ragged_digits_open_nothing():
    assert passphrase.normalise("7776 0001") == "7776 0001"
    assert passphrase.normalise("12345") == "12345"


def test_both_forms_carry_the_same_entropy():
    # 7 words of 7,776, or 7 groups that each name one of the same 7,776 words.
    assert round(passphrase.entropy_bits(), 1) == round(7 * math.log2(7776), 1) == 90.5


def test_passphrase_page_shows_both_forms_and_the_digits_log_in(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    page = client.get("/submit/fraud?lang=ug")
    sent = client.post(
        "/submit/fraud?lang=ug",
        data={"form_token": support.token(page.text), "text": "A report."},
        files=[("files", ("notes.txt", b"notes", "text/plain"))],
    )
    words = support.passphrase_of(sent)
    groups = DIGIT_GROUPS.findall(sent.text)
    assert groups == passphrase.to_digits(words)
    assert "شۇ مەخپىي ئىبارىنىڭ رەقەم شەكلى" in sent.text
    client.cookies.clear()
    report = support.source_login(client, " ".join(groups))
    assert report.status_code == 200
    assert "A report." in report.text


def test_words_with_hyphens_open_the_report_in_both_forms(services, client, monkeypatch):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    phrase = "t-shirt drop-down yo-yo felt-tip abacus zoom unwind"
    monkeypatch.setattr(passphrase, "generate", lambda words=7: phrase)
    sent = support.submit(client, "fraud", "Hyphens.", [("a.txt", b"a")])
    assert DIGIT_GROUPS.findall(sent.text) == passphrase.to_digits(phrase)
    for typed in (phrase, " ".join(passphrase.to_digits(phrase))):
        client.cookies.clear()
        assert "Hyphens." in support.source_login(client, typed).text
