"""Triage of the quarantine by the channel's handlers: one form, many checkboxes, no
JavaScript. "Not spam" moves reports to the inbox, "Spam" crypto-shreds them; every action is
in the audit log, and nobody but a holder of a report's key can see or triage it."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from sealbox.accounts.models import User
from sealbox.audit.models import AuditEntry
from sealbox.notify.models import OutgoingMail
from sealbox.reports.models import Attachment, Report, SourceAccess
from tests import staff_kit, support
from tests.audit.cli_runner import sealbox

CHECKBOX = re.compile(
    r'<input type="checkbox" name="report" value="([0-9a-f]{32})"[^>]*?( checked)?>'
)


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, channel_reports_per_hour=1)


@pytest.fixture
def flood(services, client):
    """alice and bob handle "fraud": 1 report in the inbox and 5 in quarantine, each with a
    file; carol handles "safety" only. Returns the passphrases of the quarantined reports."""
    accounts = {
        "alice": support.add_user(services, "alice"),
        "bob": support.add_user(services, "bob"),
        "carol": support.add_user(services, "carol"),
        "audrey": support.add_user(services, "audrey", "auditor"),
    }
    support.add_channel(services, "fraud", ["alice", "bob"])
    support.add_channel(services, "safety", ["carol"])
    with services.db.transaction() as session:
        for user in session.scalars(select(User)):
            user.email = f"{user.username}@example.org"
    services.clock.advance(3600 - services.clock.timestamp() % 3600 + 60)
    words = []
    for n in range(6):
        sent = support.submit(client, "fraud", f"spam offer {n}", [(f"f{n}.bin", b"x" * 2000)])
        assert sent.status_code == 200, sent.text
        words.append(support.passphrase_of(sent))
    return accounts, words[1:]


def _boxes(html: str) -> dict[str, bool]:
    return {report_id: bool(checked) for report_id, checked in CHECKBOX.findall(html)}


def _audit(services, action: str) -> list[tuple[str, str]]:
    with services.db.transaction() as session:
        return list(
            session.execute(
                select(AuditEntry.actor, AuditEntry.target)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.seq)
            ).all()
        )


def _triage(browser, page_html: str, ids, action: str, confirm: bool = False):
    data = [("csrf", support.token(page_html)), ("action", action)]
    data += [("report", report_id) for report_id in ids]
    if confirm:
        data.append(("confirm", "1"))
    return browser.post(
        "/staff/quarantine?page=1",
        content=urlencode(data),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=True,
    )


def _counts(services) -> tuple[int, int]:
    with services.db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Report))
        held = session.scalar(select(func.count()).where(Report.quarantined.is_(True)))
    return total, held


def test_not_spam_moves_the_chosen_reports_to_the_inbox_audited(services, flood):
    accounts, _ = flood
    with staff_kit.browser(services) as alice:
        support.staff_login(alice, services, accounts["alice"])
        page = alice.get("/staff/quarantine")
        boxes = list(_boxes(page.text))
        assert len(boxes) == 5
        opened = alice.get(f"/staff/reports/{boxes[0]}")
        assert opened.status_code == 200 and "waits in quarantine" in opened.text
        done = _triage(alice, page.text, boxes[:2], "release")
        assert done.status_code == 200, done.text
        assert "Reports moved to the inbox: 2." in done.text
        assert len(_boxes(done.text)) == 3
        inbox = alice.get("/staff/").text
        assert set(boxes[:2]) <= set(support.report_ids(inbox))
        assert "Reports waiting in quarantine: 3" in inbox
        assert "waits in quarantine" not in alice.get(f"/staff/reports/{boxes[0]}").text
    assert _counts(services) == (6, 3)
    assert _audit(services, "quarantine_released") == [
        ("alice", f"report:{i}") for i in sorted(boxes[:2])
    ]
    listed = _audit(services, "quarantine_listed")
    assert listed and all(actor == "alice" for actor, _ in listed)
    assert sealbox(services, "audit", "verify").exit_code == 0


def test_spam_needs_a_confirmation_then_is_shredded_audited(services, flood):
    accounts, words = flood
    with staff_kit.browser(services) as alice:
        support.staff_login(alice, services, accounts["alice"])
        page = alice.get("/staff/quarantine")
        boxes = list(_boxes(page.text))
        unconfirmed = _triage(alice, page.text, boxes[:3], "spam")
        assert unconfirmed.status_code == 400
        assert "confirms spam is destroyed" in unconfirmed.text
        # The choice survives the refusal: the same boxes are still ticked.
        assert [i for i, on in _boxes(unconfirmed.text).items() if on] == boxes[:3]
        assert _counts(services) == (6, 5)
        done = _triage(alice, unconfirmed.text, boxes[:3], "spam", confirm=True)
        assert "Reports destroyed as spam: 3." in done.text, done.text
    assert _counts(services) == (3, 2)
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 3
        assert session.scalar(select(func.count()).select_from(SourceAccess)) == 3
    shredded = _audit(services, "quarantine_shredded")
    assert shredded == [("alice", f"report:{i}") for i in sorted(boxes[:3])]
    assert sealbox(services, "audit", "verify").exit_code == 0
    # The other handler of the channel hears of it; nobody else does.
    with services.db.transaction() as session:
        told = session.scalars(
            select(OutgoingMail.recipient).where(OutgoingMail.kind == "quarantine")
        )
        assert list(told) == ["bob@example.org"]
    # A shredded report's passphrase opens nothing any more; a kept one still does.
    opened = []
    for phrase in words:
        with staff_kit.browser(services) as source:
            opened.append("spam offer" in support.source_login(source, phrase).text)
    assert sorted(opened) == [False] * 3 + [True] * 2


def test_only_the_channels_handlers_see_and_triage_its_quarantine(services, flood):
    accounts, _ = flood
    with staff_kit.browser(services) as alice:
        support.staff_login(alice, services, accounts["alice"])
        theirs = list(_boxes(alice.get("/staff/quarantine").text))
    with staff_kit.browser(services) as carol:
        support.staff_login(carol, services, accounts["carol"])
        page = carol.get("/staff/quarantine")
        assert _boxes(page.text) == {} and "No report waits in quarantine." in page.text
        for action in ("release", "spam"):
            done = _triage(carol, page.text, theirs, action, confirm=True)
            assert done.status_code == 200
            assert "left as they were" in done.text and ": 5." in done.text
    assert _counts(services) == (6, 5)
    assert _audit(services, "quarantine_released") == _audit(services, "quarantine_shredded") == []
    with staff_kit.browser(services) as audrey:
        support.staff_login(audrey, services, accounts["audrey"])
        assert audrey.get("/staff/quarantine").status_code == 404


def test_every_report_on_a_page_can_be_chosen_without_javascript(services, flood):
    accounts, _ = flood
    with staff_kit.browser(services) as alice:
        support.staff_login(alice, services, accounts["alice"])
        page = alice.get("/staff/quarantine")
        assert "<script" not in page.text
        link = re.search(r'href="(/staff/quarantine\?[^"]*all=1[^"]*)"', page.text).group(1)
        chosen = alice.get(link.replace("&amp;", "&"))
        assert list(_boxes(chosen.text).values()) == [True] * 5


def test_a_choice_that_cannot_be_read_is_refused_clearly(services, flood):
    accounts, _ = flood
    with staff_kit.browser(services) as alice:
        support.staff_login(alice, services, accounts["alice"])
        page = alice.get("/staff/quarantine")
        none = _triage(alice, page.text, [], "release")
        assert none.status_code == 400 and "Choose at least one report." in none.text
        bad = _triage(alice, page.text, ["../../etc"], "release")
        assert bad.status_code == 400 and "could not be read" in bad.text
        no_csrf = alice.post("/staff/quarantine", data={"action": "release", "report": "x"})
        assert no_csrf.status_code == 403
    assert _counts(services) == (6, 5)
