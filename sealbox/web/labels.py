"""Short names of staff roles as people read them next to a username, in any language.

(Report statuses and outcomes are named in `sealbox.reports.workflow`, roles' longer
descriptions in `sealbox.accounts.roles`; both are marked for translation there.)"""

from __future__ import annotations

from jinja2 import pass_context

from sealbox.locale import N_
from sealbox.web.i18n import translate

ROLE = {
    "admin": N_("administrator"),
    "handler": N_("case handler"),
    "custodian": N_("identity custodian"),
    "auditor": N_("auditor"),
    "none": N_("no role yet"),
}


@pass_context
def role_label(context, value: str) -> str:
    return translate(context.get("locale") or "en", ROLE.get(value, value))


FILTERS = {"role_label": role_label}
