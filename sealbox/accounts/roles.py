"""The four staff roles and what each may do. Holding a key wrap is what opens a report;
the role only decides which pages a staff member is shown."""

from __future__ import annotations

import enum

from sealbox.errors import Forbidden, NotFound
from sealbox.locale import N_


class Role(enum.StrEnum):
    """A staff account's role, stored as its value in `users.role` (and the role tables)."""

    ADMIN = "admin"
    HANDLER = "handler"
    CUSTODIAN = "custodian"
    AUDITOR = "auditor"
    # An account whose role waits for a second person's approval (custodian): it opens no page.
    NONE = "none"


# The roles an account can be given.
ROLES = (Role.ADMIN, Role.HANDLER, Role.CUSTODIAN, Role.AUDITOR)
# Roles granted only with the approval of someone who already holds them (the two-person rule).
APPROVED_BY_PEERS = (Role.CUSTODIAN,)
# Roles that never receive a key wrap, so their accounts get no key pair at all.
KEYLESS = (Role.ADMIN, Role.AUDITOR)

ROLE_NAMES = {
    Role.ADMIN: N_("Administrator (users, channels; reads no reports)"),
    Role.HANDLER: N_("Case handler (reads the reports of their channels)"),
    Role.CUSTODIAN: N_("Identity custodian (decides disclosure requests; reads no reports)"),
    Role.AUDITOR: N_("Auditor (reads the audit log; reads no reports)"),
}


def require(role: Role, *allowed: Role) -> None:
    """Refuse a page that `role` may not see (403: the page exists but is not theirs)."""
    if role not in allowed:
        raise Forbidden("Your role does not give access to this page.")


def require_report_reader(role: Role) -> None:
    """Report pages answer 404 to every role but handlers, so they do not learn what exists."""
    if role != Role.HANDLER:
        raise NotFound("This report does not exist or is not yours to read.")
