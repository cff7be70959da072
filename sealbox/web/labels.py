"""Names of fixed values (report statuses, staff roles) as people read them, in any language."""

from __future__ import annotations

from jinja2 import pass_context

from sealbox.locale import N_
from sealbox.web.i18n import translate

STATUS = {
    "new": N_("new"),
    "acknowledged": N_("acknowledged"),
    "in_progress": N_("in progress"),
    "waiting": N_("waiting"),
    "closed": N_("closed"),
}
ROLE = {
    "admin": N_("administrator"),
    "handler": N_("case handler"),
    "custodian": N_("identity custodian"),
    "auditor": N_("auditor"),
}


def _label(table: dict[str, str], code: str, value: str) -> str:
    return translate(code, table.get(value, value.replace("_", " ")))


@pass_context
def status_label(context, value: str) -> str:
    return _label(STATUS, context.get("locale") or "en", value)


@pass_context
def role_label(context, value: str) -> str:
    return _label(ROLE, context.get("locale") or "en", value)


FILTERS = {"status_label": status_label, "role_label": role_label}
