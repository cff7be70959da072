"""Short names of staff roles as people read them next to a username, in any language.

(Report statuses and outcomes are named in `sealbox.reports.workflow`, roles' longer
descriptions in `sealbox.accounts.roles`; both are marked for translation there.)"""

from __future__ import annotations

from jinja2 import pass_context

from sealbox.accounts.roles import Role
from sealbox.locale import N_
from sealbox.web.i18n import translate

ROLE = {
    Role.ADMIN: N_("administrator"),
    Role.HANDLER: N_("case handler"),
    Role.CUSTODIAN: N_("identity custodian"),
    Role.AUDITOR: N_("auditor"),
    Role.NONE: N_("no role yet"),
}


@pass_context
def role_label(context, value: str) -> str:
    return translate(context.get("locale") or "en", ROLE.get(value, value))


FILTERS = {"role_label": role_label}
