"""Every action the audit log may hold, and the words the auditor reads for each.

Only these can be written (`log.record` refuses anything else, a plain string included), so no
page or command can invent an action the auditor has no words for. Each value is the exact
text entries have always stored: it is part of the hashed fields, so entries written before
this list existed still verify.
"""

from __future__ import annotations

import enum

from sealbox.locale import N_


class AuditAction(enum.StrEnum):
    """What a staff member (or the system, or the log itself) did."""

    # Signing in and out
    LOGIN = "login"
    LOGIN_PASSWORD = "login_password"  # noqa: S105 (an action's name, no secret)
    LOGIN_FAILED = "login_failed"
    PASSWORD_CHECK_FAILED = "password_check_failed"  # noqa: S105 (an action's name, no secret)
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    # One's own account: password, second factors, key
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action's name, no secret)
    TOTP_ENROLLED = "totp_enrolled"
    SECURITY_KEY_ADDED = "security_key_added"
    SECURITY_KEY_REMOVED = "security_key_removed"
    SECURITY_KEY_COPY_REFUSED = "security_key_copy_refused"
    KEY_CREATED = "key_created"
    KEY_ROTATED = "key_rotated"
    KEY_EXPORTED = "key_exported"
    # Accounts and roles
    USER_ADDED = "user_added"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    USER_TOTP_RESET = "user_totp_reset"
    USER_RESET = "user_reset"
    TOTP_POLICY_CHANGED = "totp_policy_changed"
    ROLE_REQUESTED = "role_requested"
    ROLE_GRANTED = "role_granted"
    ROLE_REFUSED = "role_refused"
    # Channels
    CHANNEL_ADDED = "channel_added"
    CHANNEL_CHANGED = "channel_changed"
    CHANNEL_QUESTIONS_CHANGED = "channel_questions_changed"
    SETUP_COMPLETED = "setup_completed"
    CHANNEL_HANDLERS_CHANGED = "channel_handlers_changed"
    CHANNEL_HANDLER_APPROVED = "channel_handler_approved"
    CHANNEL_HANDLER_REFUSED = "channel_handler_refused"
    # Reports
    REPORT_VIEWED = "report_viewed"
    REPORT_OFFLINE_NOTICE = "report_offline_notice"
    REPORTS_SEARCHED = "reports_searched"
    REPORT_FOUND_BY_SEARCH = "report_found_by_search"
    FILE_DOWNLOADED = "file_downloaded"
    FILE_PREVIEWED = "file_previewed"
    REPORT_EXPORTED = "report_exported"
    REPLY_SENT = "reply_sent"
    NOTE_ADDED = "note_added"
    REPORT_STATUS = "report_status"
    REPORT_FLAG = "report_flag"
    REPORT_LABELS = "report_labels"
    REPORT_TITLE = "report_title"
    REPORT_LEGAL_HOLD = "report_legal_hold"
    REPORT_HANDLER_ADDED = "report_handler_added"
    REPORT_HANDLER_REMOVED = "report_handler_removed"
    BULK_ACCESS_ALERT = "bulk_access_alert"
    RETENTION_DELETED = "retention_deleted"
    # Quarantine
    QUARANTINE_LISTED = "quarantine_listed"
    QUARANTINE_RELEASED = "quarantine_released"
    QUARANTINE_SHREDDED = "quarantine_shredded"
    # Identity disclosure
    DISCLOSURE_REQUESTED = "disclosure_requested"
    DISCLOSURE_APPROVED = "disclosure_approved"
    DISCLOSURE_DENIED = "disclosure_denied"
    IDENTITY_VIEWED = "identity_viewed"
    IDENTITY_KEYS_SHARED = "identity_keys_shared"
    # Mail
    MAIL_RETRIED = "mail_retried"
    MAIL_TEST_QUEUED = "mail_test_queued"
    MAIL_SETTINGS_CHANGED = "mail_settings_changed"
    # Recovery keys (offline; the operator's command line, and a holder's login)
    RECOVERY_KEY_ADDED = "recovery_key_added"
    RECOVERY_WRAPPED = "recovery_wrapped"
    RECOVERY_EXPORTED = "recovery_exported"
    RECOVERY_IMPORTED = "recovery_imported"
    # Backups (the operator's command line)
    BACKUP_KEY_ADDED = "backup_key_added"
    BACKUP_KEY_REMOVED = "backup_key_removed"
    BACKUP_CREATED = "backup_created"
    BACKUP_RESTORED = "backup_restored"
    # The log itself
    AUDIT_VERIFIED = "audit_verified"
    AUDIT_ANCHOR_DOWNLOADED = "audit_anchor_downloaded"
    AUDIT_EXPORTED = "audit_exported"
    AUDIT_LOG_KEYED = "audit_log_keyed"


# What the auditor's page shows for each action (translated where shown); the stored name
# stays beside it, as the export and the filter's address carry it.
LABELS: dict[AuditAction, str] = {
    AuditAction.LOGIN: N_("Signed in"),
    AuditAction.LOGIN_PASSWORD: N_("Password accepted, second factor awaited"),
    AuditAction.LOGIN_FAILED: N_("Sign-in refused"),
    AuditAction.PASSWORD_CHECK_FAILED: N_("Password confirmation refused"),
    AuditAction.LOGOUT: N_("Signed out"),
    AuditAction.LOGOUT_EVERYWHERE: N_("Signed out everywhere"),
    AuditAction.PASSWORD_CHANGED: N_("Password changed"),
    AuditAction.TOTP_ENROLLED: N_("Authenticator app set up"),
    AuditAction.SECURITY_KEY_ADDED: N_("Security key added"),
    AuditAction.SECURITY_KEY_REMOVED: N_("Security key removed"),
    AuditAction.SECURITY_KEY_COPY_REFUSED: N_("Security key refused as a possible copy"),
    AuditAction.KEY_CREATED: N_("Encryption key created"),
    AuditAction.KEY_ROTATED: N_("Encryption key replaced"),
    AuditAction.KEY_EXPORTED: N_("Encryption key exported"),
    AuditAction.USER_ADDED: N_("Account added"),
    AuditAction.USER_DEACTIVATED: N_("Account deactivated"),
    AuditAction.USER_REACTIVATED: N_("Account reactivated"),
    AuditAction.USER_TOTP_RESET: N_("Authenticator app reset"),
    AuditAction.USER_RESET: N_("Account reset (forgotten password)"),
    AuditAction.TOTP_POLICY_CHANGED: N_("Second-factor policy changed"),
    AuditAction.ROLE_REQUESTED: N_("Role change requested"),
    AuditAction.ROLE_GRANTED: N_("Role change approved"),
    AuditAction.ROLE_REFUSED: N_("Role change refused"),
    AuditAction.CHANNEL_ADDED: N_("Channel added"),
    AuditAction.CHANNEL_CHANGED: N_("Channel changed"),
    AuditAction.CHANNEL_QUESTIONS_CHANGED: N_("Channel questions changed"),
    AuditAction.SETUP_COMPLETED: N_("First-run setup completed"),
    AuditAction.CHANNEL_HANDLERS_CHANGED: N_("Channel handlers changed"),
    AuditAction.CHANNEL_HANDLER_APPROVED: N_("Channel handler approved"),
    AuditAction.CHANNEL_HANDLER_REFUSED: N_("Channel handler refused"),
    AuditAction.REPORT_VIEWED: N_("Report opened"),
    AuditAction.REPORT_OFFLINE_NOTICE: N_("Report held for an offline key: notice shown"),
    AuditAction.REPORTS_SEARCHED: N_("Reports searched"),
    AuditAction.REPORT_FOUND_BY_SEARCH: N_("Report shown by a search"),
    AuditAction.FILE_DOWNLOADED: N_("File downloaded"),
    AuditAction.FILE_PREVIEWED: N_("File preview viewed"),
    AuditAction.REPORT_EXPORTED: N_("Report exported"),
    AuditAction.REPLY_SENT: N_("Reply sent"),
    AuditAction.NOTE_ADDED: N_("Note added"),
    AuditAction.REPORT_STATUS: N_("Report status changed"),
    AuditAction.REPORT_FLAG: N_("Report flag changed"),
    AuditAction.REPORT_LABELS: N_("Report labels changed"),
    AuditAction.REPORT_TITLE: N_("Report title changed"),
    AuditAction.REPORT_LEGAL_HOLD: N_("Legal hold changed"),
    AuditAction.REPORT_HANDLER_ADDED: N_("Handler added to a report"),
    AuditAction.REPORT_HANDLER_REMOVED: N_("Handler removed from a report"),
    AuditAction.BULK_ACCESS_ALERT: N_("Alert: many reports opened"),
    AuditAction.RETENTION_DELETED: N_("Report deleted at the end of retention"),
    AuditAction.QUARANTINE_LISTED: N_("Quarantine listed"),
    AuditAction.QUARANTINE_RELEASED: N_("Report released from quarantine"),
    AuditAction.QUARANTINE_SHREDDED: N_("Quarantined report shredded"),
    AuditAction.DISCLOSURE_REQUESTED: N_("Identity disclosure requested"),
    AuditAction.DISCLOSURE_APPROVED: N_("Identity disclosure approved"),
    AuditAction.DISCLOSURE_DENIED: N_("Identity disclosure denied"),
    AuditAction.IDENTITY_VIEWED: N_("Reporter identity viewed"),
    AuditAction.IDENTITY_KEYS_SHARED: N_("Identity keys passed on to custodians"),
    AuditAction.MAIL_RETRIED: N_("Mail retried"),
    AuditAction.MAIL_TEST_QUEUED: N_("Test mail queued"),
    AuditAction.MAIL_SETTINGS_CHANGED: N_("Mail settings changed"),
    AuditAction.RECOVERY_KEY_ADDED: N_("Offline recovery key added"),
    AuditAction.RECOVERY_WRAPPED: N_("Keys wrapped to the recovery keys"),
    AuditAction.RECOVERY_EXPORTED: N_("Recovery bundle exported"),
    AuditAction.RECOVERY_IMPORTED: N_("Recovered keys imported"),
    AuditAction.BACKUP_KEY_ADDED: N_("Offline backup key added"),
    AuditAction.BACKUP_KEY_REMOVED: N_("Offline backup key removed"),
    AuditAction.BACKUP_CREATED: N_("Backup made"),
    AuditAction.BACKUP_RESTORED: N_("Restored from a backup"),
    AuditAction.AUDIT_VERIFIED: N_("Audit log verified"),
    AuditAction.AUDIT_ANCHOR_DOWNLOADED: N_("Signed head downloaded"),
    AuditAction.AUDIT_EXPORTED: N_("Audit log exported"),
    AuditAction.AUDIT_LOG_KEYED: N_("Audit log keyed"),
}


def label(action: str) -> str | None:
    """The message id naming a stored action, or None for a name this version does not know."""
    try:
        return LABELS[AuditAction(action)]
    except ValueError:
        return None
