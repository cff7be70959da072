"""Recovery drill: a handler forgets their password, an admin resets the account, the handler
enrols anew, and the organisation's offline recovery key gives them back every report, note
and disclosed identity they held: exported on the server, reopened offline (no server), and
imported. The server never holds anything that opens a report it could not open before, and
every step is in the audit log."""

from __future__ import annotations

import json
import subprocess

from sqlalchemy import select

from sealbox import crypto
from sealbox.accounts.models import User
from sealbox.crypto import Identity
from sealbox.recovery.models import RecoveryWrap
from sealbox.reports.models import ReportKey
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox
from tests.backup.kit import offline

NAME = "Jane IDENTITYCANARY Roe"


def _offline_key(tmp_path, name="recovery.key"):
    path = tmp_path / name
    made = subprocess.run(
        ["age-keygen", "-o", str(path)], capture_output=True, text=True, check=True
    )
    return path, made.stderr.split("Public key: ")[1].strip()


def _public_key(services, username):
    with services.db.transaction() as session:
        return session.scalar(select(User.public_key).where(User.username == username))


def _submit(services, client, text, **fields):
    sent = staff_kit.submit_form(client, "fraud", {"text": text, **fields})
    assert sent.status_code == 200, sent.text
    client.cookies.clear()
    with services.db.transaction() as session:
        return session.scalars(select(ReportKey.report_id)).all()


def _actions(services):
    return [action for _, action, _ in support.audit_entries(services, None)] + [
        action
        for who in ("alice",)
        for _, action, _ in support.audit_entries(services, _uid(services, who))
    ]


def _uid(services, username):
    with services.db.transaction() as session:
        return "user:" + session.scalar(select(User.id).where(User.username == username))


def test_a_forgotten_password_loses_no_report(services, client, tmp_path):
    alice = staff_kit.account(services, "alice", "handler")
    cora = staff_kit.account(services, "cora", "custodian")
    staff_kit.channel(services, "fraud", ["alice"], allow_identity=True)
    [early] = _submit(services, client, "EARLYCANARY made before the recovery key")

    key_file, public = _offline_key(tmp_path)
    added = sealbox(services, "recovery-key", "add", public)
    assert added.exit_code == 0 and "as their holders next log in" in added.output, added.output
    with staff_kit.browser(services) as handler:  # her login wraps the early report's key
        support.staff_login(handler, services, alice)
    listed = sealbox(services, "recovery-key", "list")
    assert "Not yet wrapped: 0 report key(s)" in listed.output, listed.output

    ids = _submit(
        services,
        client,
        "LATERCANARY the depot manager sells the fuel",
        identity_name=NAME,
        identity_contact="jane@example.org",
    )
    [later] = [i for i in ids if i != early]
    with staff_kit.browser(services) as handler, staff_kit.browser(services) as custodian:
        support.staff_login(handler, services, alice, 1)
        staff_kit.post(handler, f"/staff/reports/{later}/notes", text="NOTECANARY call legal")
        staff_kit.post(
            handler,
            f"/staff/reports/{later}/disclosure",
            reason="We must warn the reporter about retaliation risk.",
        )
        support.staff_login(custodian, services, cora)
        [request_id] = staff_kit.request_ids(custodian.get("/staff/disclosures").text)
        staff_kit.post(custodian, f"/staff/disclosures/{request_id}/approve")

    # Every key of both reports is wrapped to the recovery key, and opens with it alone.
    offline_identity = Identity.parse(key_file.read_text())
    with services.db.transaction() as session:
        wraps = session.execute(
            select(RecoveryWrap.report_id, RecoveryWrap.kind, RecoveryWrap.wrapped)
        ).all()
    # (A key made for the report's own use, such as a notes key for sealed titles, counts too.)
    assert {(r, k) for r, k, _ in wraps} >= {
        (early, "report"),
        (later, "report"),
        (later, "notes"),
        (later, "identity"),
    }
    for _, _, wrapped in wraps:
        crypto.unwrap_identity(wrapped, offline_identity)
    held = len(wraps)

    # The password is forgotten: the admin resets the account; the old key goes.
    old_key = _public_key(services, "alice")
    reset = sealbox(services, "user", "reset", "alice")
    assert reset.exit_code == 0, reset.output
    password = reset.output.split("one-time password: ")[1].split()[0]
    with services.db.transaction() as session:
        assert session.scalars(select(ReportKey).where(ReportKey.report_id == early)).all() == []
    alice = support.enrol(services, support.Account("alice", password, "", "handler"))
    new_key = _public_key(services, "alice")
    assert new_key and new_key != old_key
    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, alice)
        assert handler.get(f"/staff/reports/{early}").status_code == 404, "nothing opens yet"

    exported = tmp_path / "alice.json"
    done = sealbox(services, "recovery", "export", "--user", "alice", "-o", str(exported))
    assert done.exit_code == 0 and f"{held} wrapped key(s)" in done.output, done.output
    bundle = json.loads(exported.read_text())
    assert b"AGE-SECRET-KEY" not in exported.read_bytes()

    # Offline: no --data-dir, no database; the wrong recovery key opens nothing.
    other_file, _ = _offline_key(tmp_path, "other.key")
    wrong = offline(
        "recovery",
        "open",
        str(exported),
        "-i",
        str(other_file),
        "--to",
        new_key,
        "-o",
        str(tmp_path / "w.json"),
    )
    assert (
        "0 key(s) wrapped" in wrong.output
        and f"{held} wrapped to another recovery key" in wrong.output
    )
    reopened = tmp_path / "alice.reopened.json"
    opened = offline(
        "recovery", "open", str(exported), "-i", str(key_file), "--to", new_key, "-o", str(reopened)
    )
    assert opened.exit_code == 0 and f"{held} key(s) wrapped" in opened.output, opened.output

    # A bundle reopened to another key than the account's, or for another account, is refused.
    stranger = crypto.Identity.generate().recipient
    misdirected = tmp_path / "misdirected.json"
    offline(
        "recovery",
        "open",
        str(exported),
        "-i",
        str(key_file),
        "--to",
        str(stranger),
        "-o",
        str(misdirected),
    )
    refused = sealbox(services, "recovery", "import", str(misdirected))
    assert refused.exit_code == 2 and "another key" in refused.output
    renamed = json.loads(reopened.read_text()) | {"user": "cora"}
    (tmp_path / "renamed.json").write_text(json.dumps(renamed))
    assert sealbox(services, "recovery", "import", str(tmp_path / "renamed.json")).exit_code == 2

    imported = sealbox(services, "recovery", "import", str(reopened))
    assert imported.exit_code == 0 and f"{held} key(s) given back to alice" in imported.output, (
        imported.output
    )
    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, alice, 1)
        assert "EARLYCANARY" in handler.get(f"/staff/reports/{early}").text
        page = handler.get(f"/staff/reports/{later}").text
        assert "LATERCANARY" in page and "NOTECANARY" in page and NAME in page

    assert sealbox(services, "audit", "verify").exit_code == 0
    actions = _actions(services)
    for action in (
        "recovery_key_added",
        "recovery_wrapped",
        "user_reset",
        "recovery_exported",
        "recovery_imported",
    ):
        assert action in actions, action
    assert len(bundle["items"]) == held
    # Nothing on the server opens a recovery wrap: no private key in any of its files.
    for path in services.settings.data_dir.rglob("*"):
        if path.is_file():
            assert b"AGE-SECRET-KEY" not in path.read_bytes().upper(), path
