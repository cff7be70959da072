"""Breach drill: after a full conversation, a copy of everything at rest names nothing.

Canaries are planted in everything a source or handler writes and in the source's request
headers; then every byte under the data directory, the app's temp directory, the server's
logs and (on PostgreSQL) a pg_dump is searched for them in UTF-8, UTF-16 and base64.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests import support
from tests.e2e import scan


def _canary(name: str) -> str:
    return f"CANARY{name.upper()}{secrets.token_hex(6)}"


def test_nothing_planted_survives_at_rest(instance, backend, database_url):
    password, totp_secret = instance.add_handler("alice")
    instance.add_staff("carla", "custodian")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    # The channel asks one question and lets sources give their identity (an admin's settings).
    instance.sql(
        "update channels set allow_identity = :yes, questions = :questions",
        yes=True,
        questions=json.dumps([{"kind": "text", "label": "Where?", "required": False}]),
    )
    instance.start()

    c = {
        k: _canary(k)
        for k in [
            "text",
            "filename",
            "filebytes",
            "followup",
            "followfile",
            "reply",
            "ip",
            "agent",
            "referer",
            "answer",
            "name",
            "contact",
            "note",
            "reason",
        ]
    }
    c["ip"] = f"203.0.113.{secrets.randbelow(200) + 20}"
    source_headers = {
        "X-Forwarded-For": c["ip"],
        "X-Real-IP": c["ip"],
        "Forwarded": f"for={c['ip']}",
        "User-Agent": c["agent"],
        "Referer": f"https://{c['referer'].lower()}.example/leak",
    }
    payload = (c["filebytes"] + "\n").encode() * 2000

    with httpx.Client(
        base_url=instance.url, headers=source_headers, follow_redirects=True
    ) as source:
        page = source.get("/submit/fraud")
        sent = source.post(
            "/submit/fraud",
            data={
                "form_token": support.token(page.text),
                "text": f"Report {c['text']} details",
                "q0": c["answer"],
                "identity_name": c["name"],
                "identity_contact": c["contact"],
            },
            files=[("files", (f"{c['filename']}.txt", payload, "text/plain"))],
        )
        assert sent.status_code == 200, sent.text
        words = support.passphrase_of(sent)

    handler, inbox = instance.staff_login("alice", password, totp_secret)
    [report_id] = support.report_ids(inbox)
    csrf = support.token(handler.get(f"/staff/reports/{report_id}").text)
    for path, field, canary in [("notes", "text", "note"), ("disclosure", "reason", "reason")]:
        done = handler.post(
            f"/staff/reports/{report_id}/{path}", data={"csrf": csrf, field: c[canary]}
        )
        assert done.status_code == 200, done.text
    page = handler.get(f"/staff/reports/{report_id}")
    assert c["note"] in page.text and c["answer"] in page.text
    assert c["name"] not in page.text, "the identity needs a custodian's approval"
    page = handler.get(f"/staff/reports/{report_id}")
    assert c["text"] in page.text and c["filename"] in page.text
    [link] = support.file_links(page.text)
    assert handler.get(link).content == payload
    handler.post(
        f"/staff/reports/{report_id}/reply",
        data={"csrf": support.token(page.text), "text": f"Reply {c['reply']}"},
    )

    with httpx.Client(
        base_url=instance.url, headers=source_headers, follow_redirects=True
    ) as source:
        login = source.get("/login")
        mine = source.post(
            "/login", data={"form_token": support.token(login.text), "passphrase": words}
        )
        assert c["reply"] in mine.text
        follow = source.post(
            "/report/messages",
            data={
                "form_token": support.token(mine.text, "/report/messages"),
                "text": c["followup"],
            },
            files=[("files", ("more.txt", c["followfile"].encode() * 100, "text/plain"))],
        )
        assert follow.status_code == 200

        again = handler.get(f"/staff/reports/{report_id}")
        assert c["followup"] in again.text and "more.txt" in again.text

    handler.close()
    instance.stop()
    places: dict[str, bytes] = {}
    for path in scan.files_under(instance.data_dir, instance.tmp_dir, *instance.logs):
        places[str(path.relative_to(instance.root))] = path.read_bytes()
    if backend == "postgresql":
        places["pg_dump"] = _pg_dump(database_url)
    assert any("blobs" in place for place in places), "the drill stored nothing: it proves nothing"

    canaries = dict(c)
    canaries["passphrase"] = words
    canaries["passphrase-form"] = words.replace(" ", "+")
    assert scan.find(canaries, places) == []


def _pg_dump(database_url: str) -> bytes:
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is missing (scripts/install-test-deps installs postgresql-client)")
    schema = database_url.split("csearch_path%3D")[1]
    return subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", make_url(database_url).database]
        + ["-n", schema],
        capture_output=True,
        check=True,
    ).stdout


def test_the_scanner_finds_canaries_in_every_encoding():
    import base64

    canary = "CANARYSELFTEST0123456789"
    for prefix in (b"", b"x", b"xy"):
        blob = base64.b64encode(prefix + canary.encode() + b"tail")
        assert scan.find({"c": canary}, {"b64": blob}), prefix
    assert scan.find({"c": canary}, {"u16": ("..." + canary).encode("utf-16")})
    assert scan.find({"c": canary}, {"clean": b"nothing here"}) == []
