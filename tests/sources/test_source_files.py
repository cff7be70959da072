"""File names: shown sanitised, kept original only under seal, renamable by the source."""

from __future__ import annotations

import re

from tests import support


def test_hostile_names_are_shown_safely_and_the_source_can_rename(services, client, other_client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    hostile = "../../etc/passwd\u202egpj.txt\x07"
    sent = support.submit(client, "fraud", "names", [(hostile, b"plain words")])
    assert sent.status_code == 200
    assert "\u202e" not in sent.text and "../" not in sent.text
    words = support.passphrase_of(sent)

    mine = support.source_login(client, words)
    match = re.search(r'action="(/report/files/[0-9a-f]{32}/name)[^"]*"', mine.text)
    assert match, "the source's own files can be renamed"
    form_token = support.token(mine.text, match.group(1))
    renamed = client.post(
        match.group(1),
        data={"form_token": form_token, "name": "dir/minutes\x00.txt"},
        follow_redirects=True,
    )
    assert renamed.status_code == 200
    assert "minutes.txt" in renamed.text

    inbox = support.staff_login(other_client, services, alice)
    [report_id] = support.report_ids(inbox.text)
    page = other_client.get(f"/staff/reports/{report_id}")
    assert "minutes.txt" in page.text and "passwd" not in page.text
    [link] = support.file_links(page.text)
    download = other_client.get(link)
    assert download.content == b"plain words"
    assert "minutes.txt" in download.headers["content-disposition"]

    # Renaming needs the source's session: a handler's browser cannot do it.
    assert other_client.post(
        match.group(1), data={"form_token": form_token, "name": "x"}
    ).status_code in (401, 403)
