"""The whole dialog over HTTP: a source reports, a handler answers, the source follows up."""

from __future__ import annotations

from tests import support


def test_source_and_handler_hold_a_conversation(services, client, other_client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])

    sent = support.submit(
        client,
        "fraud",
        "The director approved invoices from a shell company.",
        [("invoices.csv", b"id,amount\n1,5000\n"), ("photo.bin", bytes(range(256)) * 10)],
    )
    assert sent.status_code == 200, sent.text
    words = support.passphrase_of(sent)
    assert len(words.split()) == 7
    # The only cookie is the one-time passphrase receipt, gone once its page is shown.
    cleared = sent.headers.get_list("set-cookie")
    assert all(c.startswith('sealbox_sent=""') for c in cleared), cleared
    assert not client.cookies, "submitting must leave no cookie behind"
    # The CSV had nothing to remove; the unknown binary could not be cleaned and waits for
    # the source's explicit choice before any handler can see it.
    assert "Not sent yet" in sent.text
    assert support.decide_held(client, sent.text, "send") == 1

    handler = other_client
    inbox = support.staff_login(handler, services, alice)
    assert inbox.status_code == 200
    [report_id] = support.report_ids(inbox.text)
    assert 'class="unread' in inbox.text
    page = handler.get(f"/staff/reports/{report_id}")
    assert "shell company" in page.text
    links = support.file_links(page.text)
    assert len(links) == 2
    contents = {handler.get(link).content for link in links}
    assert contents == {b"id,amount\n1,5000\n", bytes(range(256)) * 10}
    assert 'class="unread' not in handler.get("/staff/").text

    csrf = support.token(page.text)
    reply = handler.post(
        f"/staff/reports/{report_id}/reply", data={"csrf": csrf, "text": "Which year?"}
    )
    assert reply.status_code == 200
    handler.post(
        f"/staff/reports/{report_id}/status", data={"csrf": csrf, "status": "acknowledged"}
    )

    mine = support.source_login(client, words)
    assert mine.status_code == 200
    assert "Which year?" in mine.text
    assert "receipt confirmed" in mine.text
    follow = client.post(
        "/report/messages",
        data={"form_token": support.token(mine.text, "/report/messages"), "text": "It was 2023."},
        files=[("files", ("ledger.txt", b"ledger 2023", "text/plain"))],
        follow_redirects=True,
    )
    assert follow.status_code == 200
    assert "Your message was sent" in follow.text

    inbox = handler.get("/staff/")
    assert 'class="unread' in inbox.text
    page = handler.get(f"/staff/reports/{report_id}")
    assert "It was 2023." in page.text
    assert "ledger.txt" in page.text

    out = client.post("/logout", data={"form_token": support.token(follow.text, "/logout")})
    assert out.status_code == 200
    assert client.get("/report").status_code == 401
