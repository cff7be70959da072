"""Audit actions come from one list: nothing else can be written, each is stored as the word
entries have always held (so older entries still verify), and each has words on the auditor's
page."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import func, select

from sealbox import audit
from sealbox.audit.actions import LABELS, AuditAction
from sealbox.audit.models import AuditEntry
from sealbox.locale import translations
from tests import support
from tests.audit.cli_runner import sealbox

# The words entries held before the list existed: each is hashed into its entry.
STORED_ACTIONS = (
    "login",
    "login_password",
    "login_failed",
    "password_check_failed",
    "logout",
    "logout_everywhere",
    "password_changed",
    "totp_enrolled",
    "security_key_added",
    "security_key_removed",
    "security_key_copy_refused",
    "key_created",
    "key_rotated",
    "key_exported",
    "user_added",
    "user_deactivated",
    "user_reactivated",
    "user_totp_reset",
    "user_reset",
    "totp_policy_changed",
    "role_requested",
    "role_granted",
    "role_refused",
    "channel_added",
    "channel_changed",
    "channel_questions_changed",
    "setup_completed",
    "channel_handlers_changed",
    "channel_handler_approved",
    "channel_handler_refused",
    "report_viewed",
    "report_offline_notice",
    "reports_searched",
    "report_found_by_search",
    "file_downloaded",
    "file_previewed",
    "report_exported",
    "reply_sent",
    "note_added",
    "report_status",
    "report_flag",
    "report_labels",
    "report_title",
    "report_legal_hold",
    "report_handler_added",
    "report_handler_removed",
    "bulk_access_alert",
    "retention_deleted",
    "quarantine_listed",
    "quarantine_released",
    "quarantine_shredded",
    "disclosure_requested",
    "disclosure_approved",
    "disclosure_denied",
    "identity_viewed",
    "identity_keys_shared",
    "mail_retried",
    "mail_test_queued",
    "mail_settings_changed",
    "recovery_key_added",
    "recovery_wrapped",
    "recovery_exported",
    "recovery_imported",
    "backup_key_added",
    "backup_key_removed",
    "backup_created",
    "backup_restored",
    "audit_verified",
    "audit_anchor_downloaded",
    "audit_exported",
    "audit_log_keyed",
)


def entry_count(services) -> int:
    with services.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_actions_are_exactly_the_stored_words():
    assert [a.value for a in AuditAction] == list(STORED_ACTIONS)
    assert json.dumps(list(AuditAction)) == json.dumps(list(STORED_ACTIONS))
    width = AuditEntry.__table__.c.action.type.length
    assert all(len(a) <= width for a in AuditAction)


def test_every_action_has_a_label_and_every_label_names_an_action():
    assert set(LABELS) == set(AuditAction)
    assert all(type(key) is AuditAction for key in LABELS)
    assert all(label.strip() for label in LABELS.values())
    assert len(set(LABELS.values())) == len(LABELS), "two actions would read the same"


@pytest.mark.parametrize("action", ["login", "report_viewed", "peeked_at_identity", ""])
def test_a_plain_string_is_refused_and_nothing_is_written(services, action):
    before = entry_count(services)
    with pytest.raises(TypeError, match=repr(action)), services.db.transaction() as session:
        audit.record(session, services.clock, "mallory", action, "report:" + "1" * 32)
    assert entry_count(services) == before


def test_every_action_round_trips_through_the_log_export_and_verify(services):
    for action in AuditAction:
        with services.db.transaction() as session:
            audit.record(session, services.clock, "alice", action, "user:a", n=1)
        services.clock.advance(1)

    with services.db.engine.connect() as connection:
        stored = connection.exec_driver_sql("select action from audit_log order by seq")
        raw = [row[0] for row in stored]
    assert raw == list(STORED_ACTIONS)
    assert all(type(value) is str for value in raw)

    exported = sealbox(services, "audit", "export")
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.output.splitlines() if line.startswith("{")]
    assert [entry["action"] for entry in lines] == list(STORED_ACTIONS)
    verified = sealbox(services, "audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_the_auditors_page_labels_every_action_in_each_language(services, client):
    for action in AuditAction:
        with services.db.transaction() as session:
            audit.record(session, services.clock, "alice", action, "user:a")
    auditor = support.add_user(services, "audrey", "auditor")
    assert support.staff_login(client, services, auditor).status_code == 200

    page = client.get("/staff/audit")
    assert page.status_code == 200
    for action, label in LABELS.items():
        assert f"{html.escape(label)} <code>{action}</code>" in page.text, action
        assert f'<option value="{action}">{html.escape(label)} ({action})</option>' in page.text

    for lang, code in (("zh-Hans", "zh_Hans"), ("zh-Hant", "zh_Hant"), ("ug", "ug")):
        page = client.get("/staff/audit", params={"lang": lang})
        catalogue = translations(code)
        for action, label in LABELS.items():
            translated = catalogue.gettext(label)
            assert translated != label, (code, label)
            assert f"{html.escape(translated)} <code>{action}</code>" in page.text, (code, action)


def test_an_action_this_version_does_not_know_shows_its_stored_name(services, client):
    """An entry from a later version (or an older one's action since retired) still reads."""
    with services.db.transaction() as session:
        audit.record(session, services.clock, "alice", AuditAction.LOGIN, "user:a")
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql("update audit_log set action = 'retired_action'")
    auditor = support.add_user(services, "audrey", "auditor")
    support.staff_login(client, services, auditor)
    page = client.get("/staff/audit", params={"action": "retired_action"})
    assert "<td><code>retired_action</code></td>" in page.text
    assert '<option value="retired_action" selected>retired_action</option>' in page.text
