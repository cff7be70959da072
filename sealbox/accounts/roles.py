"""The four staff roles and what each may do. Holding a key wrap is what opens a report;
the role only decides which pages a staff member is shown."""

from __future__ import annotations

from sealbox.errors import Forbidden, NotFound
from sealbox.locale import N_

ADMIN = "admin"
HANDLER = "handler"
CUSTODIAN = "custodian"
AUDITOR = "auditor"
ROLES = (ADMIN, HANDLER, CUSTODIAN, AUDITOR)
# An account whose role waits for a second person's approval (custodian): it opens no page.
NONE = "none"
# Roles granted only with the approval of someone who already holds them (the two-person rule).
APPROVED_BY_PEERS = (CUSTODIAN,)
# Roles that never receive a key wrap, so their accounts get no key pair at all.
KEYLESS = (ADMIN, AUDITOR)

ROLE_NAMES = {
    ADMIN: N_("Administrator (users, channels; reads no reports)"),
    HANDLER: N_("Case handler (reads the reports of their channels)"),
    CUSTODIAN: N_("Identity custodian (decides disclosure requests; reads no reports)"),
    AUDITOR: N_("Auditor (reads the audit log; reads no reports)"),
}


def require(role: str, *allowed: str) -> None:
    """Refuse a page that `role` may not see (403: the page exists but is not theirs)."""
    if role not in allowed:
        raise Forbidden("Your role does not give access to this page.")


def require_report_reader(role: str) -> None:
    """Report pages answer 404 to every role but handlers, so they do not learn what exists."""
    if role != HANDLER:
        raise NotFound("This report does not exist or is not yours to read.")
