"""Search over the content of a handler's reports: every sealed part is searched in memory,
in Chinese and Uyghur too; nobody finds what they cannot open; the words are never stored."""

from __future__ import annotations

import re

from sqlalchemy import select

from sealbox.channels.models import Channel
from tests import inbox_seed, server_copy, staff_kit, support


def _found(html: str) -> list[str]:
    return support.report_ids(html)


def _search(client, words: str):
    return staff_kit.post(client, "/staff/search", q=words)


def _channel_id(services, slug: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(Channel.id).where(Channel.slug == slug))


def test_search_finds_chinese_and_uyghur_substrings_in_every_sealed_part(
    services, client, other_client
):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    support.submit(
        client, "tips", "仓库经理把账本带走了", files=[("ledger-Nordwind.csv", b"a,b\n1,2\n")]
    )
    cjk = staff_kit.report_id_of(services, "tips")
    uyghur_words = support.passphrase_of(
        support.submit(client, "tips", "ئامبار باشقۇرغۇچىسى پۇل ئالدى")
    )
    with services.db.transaction() as session:
        from sealbox.reports.models import Report

        uyghur = next(r.id for r in session.scalars(select(Report)) if r.id != cjk)
    seeded = inbox_seed.seed(
        services,
        "hana",
        _channel_id(services, "tips"),
        3,
        services.clock.today(),
        texts=["nothing here"],
        answers={"Which site?": "Harbour depot Qelvin"},
    )
    support.staff_login(other_client, services, hana)

    assert _found(_search(other_client, "仓库").text) == [cjk]
    assert _found(_search(other_client, "经理 账本").text) == [cjk]
    assert _found(_search(other_client, "超市").text) == []
    assert _found(_search(other_client, "ئامبار").text) == [uyghur]
    assert _found(_search(other_client, "ＮＯＲＤＷＩＮＤ").text) == [cjk], "file name, NFKC"
    answers = _search(other_client, "qelvin")
    assert sorted(_found(answers.text)) == sorted(seeded.report_ids) and "answers" in answers.text

    # A reply, a note and a title are searched too.
    page = other_client.get(f"/staff/reports/{uyghur}")
    other_client.post(
        f"/staff/reports/{uyghur}/reply",
        data={"csrf": support.token(page.text), "text": "Please name the Brightwater depot."},
    )
    staff_kit.post(other_client, f"/staff/reports/{cjk}/notes", text="Ask Marwick in audit")
    staff_kit.post(other_client, f"/staff/reports/{cjk}/title", title="Ledger of Oskarsby")
    assert _found(_search(other_client, "brightwater").text) == [uyghur]
    note_hit = _search(other_client, "marwick")
    assert _found(note_hit.text) == [cjk] and "internal note" in note_hit.text
    assert _found(_search(other_client, "oskarsby").text) == [cjk]
    assert _found(_search(other_client, "oskarsby 仓库").text) == [cjk]
    assert _found(_search(other_client, "oskarsby brightwater").text) == []
    assert "Brightwater" in _search(other_client, "brightwater").text  # the excerpt
    assert support.source_login(client, uyghur_words).status_code == 200


def test_nobody_finds_what_they_cannot_open(services, client, other_client):
    staff_kit.account(services, "hana", "handler")
    ivan = staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    staff_kit.channel(services, "other", ["ivan"])
    support.submit(client, "tips", "The Vantorp invoices are forged")
    support.staff_login(other_client, services, ivan)
    result = _search(other_client, "vantorp")
    assert result.status_code == 200 and _found(result.text) == []
    assert "Vantorp" not in result.text
    admin = staff_kit.account(services, "root", "admin")
    with staff_kit.browser(services) as browser:
        support.staff_login(browser, services, admin)
        assert _search(browser, "vantorp").status_code == 404  # as every report page


def test_searches_are_audited_without_their_words_and_nothing_is_kept(
    services, client, other_client
):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    support.submit(client, "tips", "The Quillfeather shipment")
    report_id = staff_kit.report_id_of(services, "tips")
    support.staff_login(other_client, services, hana)
    assert _found(_search(other_client, "Quillfeather").text) == [report_id]
    assert _found(_search(other_client, "Zanderquist").text) == []

    entries = support.audit_entries(services, "user:hana")
    searched = [details for _, action, details in entries if action == "reports_searched"]
    assert searched == [
        {"words": 1, "opened": 1, "found": 1},
        {"words": 1, "opened": 1, "found": 0},
    ]
    found = support.audit_entries(services, f"report:{report_id}")
    assert [a for _, a, _ in found].count("report_found_by_search") == 1
    copy = server_copy.take(services)
    for word in (b"Quillfeather", b"quillfeather", b"Zanderquist", b"zanderquist"):
        assert not server_copy.holding(copy, word), word


def test_a_bad_search_is_refused_with_a_clear_message(services, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    support.staff_login(other_client, services, hana)
    empty = _search(other_client, "   ")
    assert empty.status_code == 400 and "Type a word to search for." in empty.text
    long = _search(other_client, "x" * 201)
    assert long.status_code == 400 and "at most 200 characters" in long.text
    assert 'value="' + "x" * 201 in long.text, "the typed words are kept in the form"
    assert re.search(r'<input id="q"[^>]*aria-invalid="true"', long.text)
