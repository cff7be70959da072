"""Saying on the next page that a save worked ("Status set to In progress", "Reply sent").

The page after a save is reached by a redirect (POST-redirect-GET), so the confirmation
travels as a query parameter holding a message id from `SAVED` and nothing else: no text a
handler typed goes into a URL, where it would stay in the browser's history and in any
proxy's log. Values the message names (a status) are read from the page itself."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse

from sealbox.locale import N_, Message, Param
from sealbox.web import i18n

PARAM = "done"
# id -> (message, the part of the page it is said in, which the redirect scrolls to)
SAVED = {
    "reply": (N_("Reply sent."), "write-reply"),
    "feedback": (
        N_("Reply sent and recorded as the feedback on the outcome: the 3-month deadline is met."),
        "write-reply",
    ),
    "status": (N_("Status set to %(status)s."), "workflow"),
    "labels": (N_("Labels saved."), "workflow"),
    "title": (N_("Title saved."), "workflow"),
    "flagged": (N_("Flag set."), "workflow"),
    "unflagged": (N_("Flag removed."), "workflow"),
    "held": (N_("Legal hold set: retention will not delete this report."), "workflow"),
    "released": (N_("Legal hold lifted."), "workflow"),
    "note": (N_("Note saved."), "notes"),
    "handler_added": (N_("Handler added: they can open this report now."), "handlers"),
    "handler_removed": (N_("Handler removed: their access ended at once."), "handlers"),
    "disclosure": (N_("Your request went to the identity custodians."), "identity"),
}


@dataclass(frozen=True)
class Notice:
    message: Message
    section: str  # the id of the page part that shows it


def redirect(request: Request, path: str, code: str) -> RedirectResponse:
    """303 to `path` (in the page's language), scrolled to the part that says `code`'s save
    worked."""
    section = SAVED[code][1]
    url = i18n.local_url(i18n.choice_of(request), f"{path}?{PARAM}={code}")
    return RedirectResponse(f"{url}#{section}", status_code=303)


def notice(request: Request, **params: Param) -> Notice | None:
    """The confirmation this page was asked to show, if its id is one of ours."""
    found = SAVED.get(request.query_params.get(PARAM, ""))
    if found is None:
        return None
    message, section = found
    used = {name: value for name, value in params.items() if f"%({name})s" in message}
    return Notice(Message(message, used), section)
