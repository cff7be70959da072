"""Rewriting the audit log is caught: by the key a database copy lacks, by the server's signed
anchor, and by the anchors auditors keep (which catch even someone holding every server key)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

from sqlalchemy import inspect, text

from sealbox import audit
from sealbox import services as services_mod
from sealbox.audit import AuditAction
from sealbox.jobs import runner
from sealbox.notify.models import OutgoingMail
from tests import support
from tests.audit.cli_runner import sealbox
from tests.notify.mailbox import set_email, smtp_server

GENESIS = "0" * 64
ROGUE = "rogue"


def history(services) -> None:
    """A day at the office, with a rogue account made, logged in and enrolled in the middle."""
    steps = [
        ("admin", AuditAction.LOGIN, "user:a"),
        ("alice", AuditAction.REPORT_VIEWED, "report:" + "1" * 32),
        ("admin", AuditAction.USER_ADDED, f"user:{ROGUE}"),
        (ROGUE, AuditAction.LOGIN, f"user:{ROGUE}"),
        (ROGUE, AuditAction.TOTP_ENROLLED, f"user:{ROGUE}"),
        (ROGUE, AuditAction.LOGIN, f"user:{ROGUE}"),
        ("alice", AuditAction.REPORT_VIEWED, "report:" + "2" * 32),
        ("bob", AuditAction.LOGIN, "user:b"),
    ]
    for actor, action, target in steps:
        with services.db.transaction() as session:
            audit.record(session, services.clock, actor, action, target)
        services.clock.advance(30)


def rows(services) -> list[dict]:
    with services.db.engine.connect() as connection:
        result = connection.execute(text("select * from audit_log order by seq"))
        return [dict(row._mapping) for row in result]


def plain_hash(entry: dict, prev: str) -> str:
    """The chain as the export documents it: SHA-256 over a fixed-order JSON array."""
    at = entry["at"]
    at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at  # SQLite hands back text
    at = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).isoformat()
    fields = [entry["seq"], at, entry["actor"], entry["action"], entry["target"]]
    encoded = json.dumps(
        [*fields, entry["details"], prev], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


def everything_in_the_database(services) -> list[bytes]:
    """Every value of every table, raw and hex-decoded: the keys a database thief could try."""
    found: set[bytes] = set()
    engine = services.db.engine
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'select * from "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        found.add(bytes(value))
                    elif isinstance(value, str) and value:
                        found.add(value.encode())
                        with contextlib.suppress(ValueError):
                            found.add(bytes.fromhex(value))
    return sorted(found)


def rewrite(services, keep, key: bytes | None = None) -> None:
    """Delete entries, renumber the rest and recompute the whole chain (and keys, if given)."""
    kept = [entry for entry in rows(services) if keep(entry)]
    has_mac = "mac" in kept[0] if kept else False
    prev = GENESIS
    for seq, entry in enumerate(kept, start=1):
        entry["seq"], entry["prev_hash"] = seq, prev
        entry["hash"] = prev = plain_hash(entry, prev)
        if has_mac:
            entry["mac"] = (
                hmac.new(
                    key, b"sealbox-audit-entry\0" + entry["hash"].encode(), hashlib.sha256
                ).hexdigest()
                if key is not None
                else None
            )
    columns = list(kept[0]) if kept else []
    with services.db.engine.begin() as connection:
        connection.execute(text("delete from audit_log"))
        for entry in kept:
            names = ", ".join(columns)
            values = ", ".join(f":{c}" for c in columns)
            connection.execute(text(f"insert into audit_log ({names}) values ({values})"), entry)


def not_rogue(entry: dict) -> bool:
    return ROGUE not in (entry["actor"] or "") + (entry["target"] or "")


def test_removing_the_rogue_accounts_entries_and_rechaining_is_detected(services):
    history(services)
    assert sealbox(services, "audit", "verify").exit_code == 0
    # The thief holds a copy of the database and nothing else: no value in it is the key.
    keys = everything_in_the_database(services)
    [sample] = [e for e in rows(services) if e["seq"] == 1]
    if "mac" in sample:
        for candidate in keys:
            digest = hmac.new(
                candidate, b"sealbox-audit-entry\0" + sample["hash"].encode(), hashlib.sha256
            ).hexdigest()
            assert digest != sample["mac"]
    for candidate in [None, *keys[:3]]:
        rewrite(services, not_rogue, candidate)
        assert len(rows(services)) == 4
        result = sealbox(services, "audit", "verify")
        assert result.exit_code == 1, result.output
        assert "BROKEN at entry" in result.output


def test_cutting_the_end_is_caught_by_the_servers_anchor_without_being_asked(services):
    history(services)
    anchored = sealbox(services, "audit", "anchor")
    assert anchored.exit_code == 0, anchored.output
    with services.db.engine.begin() as connection:
        connection.execute(text("delete from audit_log where seq > 5"))
    result = sealbox(services, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert "names entry 8, but the log ends at entry 5" in result.output


def test_an_auditors_anchor_catches_a_rewrite_by_someone_holding_every_key(
    services, client, tmp_path
):
    auditor = support.add_user(services, "audrey", "auditor")
    history(services)
    assert support.staff_login(client, services, auditor).status_code == 200
    download = client.get("/staff/audit/anchor")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    kept = tmp_path / "anchor-kept-by-audrey.json"
    kept.write_text(download.text)

    # The thief holds the server, secrets file included: they re-key the rewritten chain and
    # sign a new anchor over it, so the server alone cannot tell.
    rewrite(services, not_rogue, services.secrets.audit_key)
    services.settings.audit_anchor_path.unlink()
    assert sealbox(services, "audit", "anchor").exit_code == 0
    assert sealbox(services, "audit", "verify").exit_code == 0
    result = sealbox(services, "audit", "verify", "--anchor", str(kept))
    assert result.exit_code == 1, result.output
    assert "BROKEN at entry" in result.output


def test_an_altered_or_foreign_anchor_is_refused(services, tmp_path):
    history(services)
    signed = tmp_path / "anchor.json"
    assert sealbox(services, "audit", "anchor", "-o", str(signed)).exit_code == 0
    assert sealbox(services, "audit", "verify", "--anchor", str(signed)).exit_code == 0
    altered = json.loads(signed.read_text())
    altered["seq"] = 3
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(altered))
    result = sealbox(services, "audit", "verify", "--anchor", str(forged))
    assert result.exit_code == 1
    assert "not signed by this instance" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text("hello")
    result = sealbox(services, "audit", "verify", "--anchor", str(junk))
    assert result.exit_code == 2
    assert "not a Sealbox audit anchor" in result.output
    assert "Traceback" not in result.output


def test_the_daily_job_mails_auditors_the_signed_head_and_nothing_else(
    services, smtp_port, tmp_path
):
    support.add_user(services, "audrey", "auditor")
    set_email(services, "audrey", "audrey@example.org")
    history(services)
    with smtp_server(smtp_port) as mailbox:
        runs = runner.run_due(services, only=["anchor", "mail"], force=True)
        assert [run.ok for run in runs] == [True, True], runs
    [mail] = mailbox.to("audrey@example.org")
    body = mail.get_content()
    for word in ("alice", "bob", "admin", ROGUE, "report:", "user:"):
        assert word not in body
    saved = tmp_path / "mail.txt"
    saved.write_text(body)
    ok = sealbox(services, "audit", "verify", "--anchor", str(saved))
    assert ok.exit_code == 0, ok.output
    assert "Holds the anchor" in ok.output
    rewrite(services, not_rogue, services.secrets.audit_key)
    assert sealbox(services, "audit", "verify", "--anchor", str(saved)).exit_code == 1


def test_the_daily_job_signs_nothing_over_a_broken_log_and_alerts_the_auditors(services):
    support.add_user(services, "audrey", "auditor")
    set_email(services, "audrey", "audrey@example.org")
    history(services)
    rewrite(services, not_rogue)
    [run] = runner.run_due(services, only=["anchor"], force=True)
    assert not run.ok
    with services.db.transaction() as session:
        subjects = [m.subject for m in session.query(OutgoingMail)]
    assert subjects == ["Sealbox alert: the audit log failed verification"]


def _legacy_database(settings) -> None:
    """A database of the release before keyed entries, with a log it wrote."""
    from alembic import command

    from sealbox.store.db import Database, alembic_config

    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    command.upgrade(alembic_config(db.url, db.engine), "0002")
    prev = GENESIS
    with db.engine.begin() as connection:
        for seq in range(1, 6):
            entry = {
                "seq": seq,
                "at": dt.datetime(2025, 3, 1, 9, seq, tzinfo=dt.UTC),
                "actor": ROGUE if seq == 3 else "admin",
                "action": "login",
                "target": None,
                "details": "{}",
            }
            entry["prev_hash"] = prev
            entry["hash"] = prev = plain_hash(entry, prev)
            connection.execute(
                text(
                    "insert into audit_log (seq, at, actor, action, target, details, prev_hash, "
                    "hash) values (:seq, :at, :actor, :action, :target, :details, :prev_hash, "
                    ":hash)"
                ),
                entry,
            )
    db.dispose()


def test_a_log_written_before_keying_keeps_verifying_after_the_upgrade(settings):
    _legacy_database(settings)
    svc = services_mod.build(settings)
    try:
        result = sealbox(svc, "audit", "verify")
        assert result.exit_code == 0, result.output
        assert "Entries 1-5 predate the audit key" in result.output
        with svc.db.transaction() as session:
            audit.record(session, svc.clock, "admin", AuditAction.LOGIN)
        assert sealbox(svc, "audit", "verify").exit_code == 0
    finally:
        svc.db.dispose()


def test_the_old_entries_cannot_be_rewritten_after_the_upgrade(settings):
    _legacy_database(settings)
    svc = services_mod.build(settings)
    try:
        # A database thief rewrites the old entries and re-chains everything, stripping every
        # key so the whole log looks older than keying; then the server restarts.
        rewrite(svc, not_rogue)
        again = services_mod.build(settings)
        again.db.dispose()
        result = sealbox(svc, "audit", "verify")
        assert result.exit_code == 1, result.output
    finally:
        svc.db.dispose()


def test_the_server_keeps_its_anchor_outside_the_database(services):
    path = Path(services.settings.audit_anchor_path)
    assert path.is_file() and path.parent == Path(services.settings.data_dir)
    history(services)
    assert sealbox(services, "audit", "anchor").exit_code == 0
    assert json.loads(path.read_text())["seq"] == 8
