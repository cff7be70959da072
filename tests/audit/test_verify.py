"""`sealbox audit verify` finds every kind of tampering with the log in the database."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from sealbox import audit
from sealbox.audit import AuditAction
from sealbox.audit.log import entry_hash
from sealbox.audit.models import AuditEntry
from tests.audit.cli_runner import sealbox

COLUMNS = ("at", "actor", "action", "target", "details", "prev_hash", "hash")


def fill(services, count: int = 8) -> None:
    for n in range(count):
        with services.db.transaction() as session:
            audit.record(
                session,
                services.clock,
                f"user{n % 3}",
                AuditAction.REPORT_VIEWED,
                f"report:{n:032x}",
                page=n,
            )
        services.clock.advance(7)


def sql(services, statement: str, **params) -> None:
    with services.db.engine.begin() as connection:
        connection.execute(text(statement), params)


def row(services, seq: int) -> dict:
    with services.db.transaction() as session:
        entry = session.get(AuditEntry, seq)
        return {c: getattr(entry, c) for c in ("seq", *COLUMNS)}


def rewrite(services, seq: int, **values) -> None:
    """Change stored columns directly, as someone with write access to the database could."""
    with services.db.transaction() as session:
        entry = session.get(AuditEntry, seq)
        for column, value in values.items():
            setattr(entry, column, value)


def assert_broken_at(services, seq: int) -> str:
    result = sealbox(services, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert f"BROKEN at entry {seq}:" in result.output
    assert "Traceback" not in result.output
    return result.output


def test_an_intact_log_verifies_and_prints_its_head(services):
    fill(services)
    result = sealbox(services, "audit", "verify")
    assert result.exit_code == 0, result.output
    head = sealbox(services, "audit", "head")
    seq, digest = head.output.split()
    assert seq == "8" and len(digest) == 64
    assert f"OK: 8 entries, chain intact. Head: {digest}" in result.output


def test_an_empty_log_verifies(services):
    result = sealbox(services, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "OK: 0 entries" in result.output


@pytest.mark.parametrize("column", ["actor", "action", "target", "details", "at"])
@pytest.mark.parametrize("seq", [1, 4, 8])
def test_editing_any_field_of_any_entry_is_detected(services, column, seq):
    fill(services)
    value = {
        "actor": "someone-else",
        "action": "report_exported",
        "target": "report:" + "f" * 32,
        "details": '{"page":99}',
    }.get(column)
    if column == "at":
        rewrite(services, seq, at=row(services, seq)["at"].replace(year=2020))
    else:
        sql(services, f"update audit_log set {column} = :v where seq = :s", v=value, s=seq)
    output = assert_broken_at(services, seq)
    assert "changed after it was written" in output


def test_an_edit_that_also_recomputes_the_hash_is_caught_by_the_key(services):
    fill(services)
    sql(services, "update audit_log set actor = 'nobody' where seq = 3")
    # The forger recomputes the edited entry's hash, but cannot key it without the audit key
    # (and entry 4 still points at the old hash).
    with services.db.transaction() as session:
        entry = session.get(AuditEntry, 3)
        entry.hash = entry_hash(entry)
    output = assert_broken_at(services, 3)
    assert "keyed digest does not match" in output


def test_deleting_an_entry_is_detected(services):
    fill(services)
    sql(services, "delete from audit_log where seq = 5")
    output = assert_broken_at(services, 5)
    assert "missing" in output


def test_deleting_an_entry_and_renumbering_the_rest_is_detected(services):
    fill(services)
    sql(services, "delete from audit_log where seq = 5")
    for seq in range(6, 9):
        sql(services, "update audit_log set seq = :new where seq = :old", new=seq - 1, old=seq)
    assert_broken_at(services, 5)


def test_deleting_the_first_entry_is_detected(services):
    fill(services)
    sql(services, "delete from audit_log where seq = 1")
    assert_broken_at(services, 1)


@pytest.mark.parametrize(("a", "b"), [(2, 3), (1, 8), (4, 6)])
def test_swapping_two_entries_is_detected(services, a, b):
    fill(services)
    first, second = row(services, a), row(services, b)
    rewrite(services, a, **{c: second[c] for c in COLUMNS})
    rewrite(services, b, **{c: first[c] for c in COLUMNS})
    assert_broken_at(services, a)


def test_inserting_an_entry_is_detected(services):
    fill(services)
    # Make room at 4 (highest first, so the key never collides), then forge a well-chained entry.
    for seq in range(8, 3, -1):
        sql(services, "update audit_log set seq = :new where seq = :old", new=seq + 1, old=seq)
    before = row(services, 3)
    with services.db.transaction() as session:
        forged = AuditEntry(**dict(before, seq=4, actor="ghost", prev_hash=before["hash"]))
        forged.hash = entry_hash(forged)
        session.add(forged)
    # Well chained, but it carries no key (and entry 5 does not follow it either).
    output = assert_broken_at(services, 4)
    assert "carries no key" in output


def test_cutting_entries_off_the_end_is_detected_against_a_witnessed_head(services):
    fill(services)
    witnessed = sealbox(services, "audit", "head").output.split()[1]
    sql(services, "delete from audit_log where seq >= 7")
    # On its own the shorter chain is consistent; the witnessed head is what proves the cut.
    assert sealbox(services, "audit", "verify").exit_code == 0
    result = sealbox(services, "audit", "verify", "--expect-head", witnessed)
    assert result.exit_code == 1
    assert "witnessed head is not in the log" in result.output


def test_a_log_that_grew_since_the_witness_still_verifies(services):
    fill(services, 3)
    witnessed = sealbox(services, "audit", "head").output.split()[1]
    fill(services, 2)
    result = sealbox(services, "audit", "verify", "--expect-head", witnessed)
    assert result.exit_code == 0, result.output


def test_the_export_holds_everything_needed_to_verify_elsewhere(services, tmp_path):
    fill(services)
    out = tmp_path / "audit.jsonl"
    result = sealbox(services, "audit", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["seq"] for e in lines] == list(range(1, 9))
    prev = "0" * 64
    for entry in lines:
        encoded = json.dumps(
            [
                entry["seq"],
                entry["at"],
                entry["actor"],
                entry["action"],
                entry["target"],
                entry["details"],
                prev,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        assert entry["prev_hash"] == prev
        assert hashlib.sha256(encoded).hexdigest() == entry["hash"]
        prev = entry["hash"]
    assert prev == sealbox(services, "audit", "head").output.split()[1]
