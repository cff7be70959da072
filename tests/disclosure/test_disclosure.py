"""The reporter's identity under two keys, proven by the key wraps in the database: a handler
holds no wrap of the identity key until a custodian approves; custodians never read the report."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.accounts.models import User
from sealbox.audit.models import AuditEntry
from sealbox.reports.models import IdentityKey, ReporterIdentity, ReportKey
from tests import staff_kit, support

NAME = "Jane IDENTITYCANARY Roe"
CONTACT = "jane@example.org"
REPORT_TEXT = "REPORTCANARY the mayor took a bribe"


def _ids(services, *usernames):
    with services.db.transaction() as session:
        return [session.scalar(select(User.id).where(User.username == u)) for u in usernames]


def _wraps(services, model, report_id):
    with services.db.transaction() as session:
        return set(session.scalars(select(model.user_id).where(model.report_id == report_id)))


def _setup(services, client):
    hana = staff_kit.account(services, "hana", "handler")
    cora = staff_kit.account(services, "cora", "custodian")
    staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    sent = staff_kit.submit_form(
        client, "city", {"text": REPORT_TEXT, "identity_name": NAME, "identity_contact": CONTACT}
    )
    assert sent.status_code == 200, sent.text
    return hana, cora, support.passphrase_of(sent), staff_kit.report_id_of(services, "city")


def test_identity_needs_a_custodians_approval(services, client):
    hana, cora, words, report_id = _setup(services, client)
    hana_id, cora_id = _ids(services, "hana", "cora")
    assert _wraps(services, IdentityKey, report_id) == {cora_id}
    assert _wraps(services, ReportKey, report_id) == {hana_id}, "custodians get no report key"
    with services.db.transaction() as session:
        stored = session.get(ReporterIdentity, report_id).body.ciphertext
    assert b"IDENTITYCANARY" not in stored

    with staff_kit.browser(services) as handler, staff_kit.browser(services) as custodian:
        support.staff_login(handler, services, hana)
        page = handler.get(f"/staff/reports/{report_id}")
        assert "IDENTITYCANARY" not in page.text
        assert "Request disclosure" in page.text
        short = staff_kit.post(handler, f"/staff/reports/{report_id}/disclosure", reason="why")
        assert short.status_code == 400 and "at least 20 characters" in short.text
        staff_kit.post(
            handler,
            f"/staff/reports/{report_id}/disclosure",
            reason="We must warn the reporter about retaliation risk.",
        )
        assert _wraps(services, IdentityKey, report_id) == {cora_id}, "no wrap before approval"
        again = staff_kit.post(handler, f"/staff/reports/{report_id}/disclosure", reason="x" * 30)
        assert again.status_code == 409

        support.staff_login(custodian, services, cora)
        queue = custodian.get("/staff/disclosures")
        [request_id] = staff_kit.request_ids(queue.text)
        detail = custodian.get(f"/staff/disclosures/{request_id}")
        assert NAME in detail.text and CONTACT in detail.text
        assert "retaliation risk" in detail.text
        assert "REPORTCANARY" not in detail.text, "custodians never see the report"
        assert custodian.get(f"/staff/reports/{report_id}").status_code == 404
        staff_kit.post(custodian, f"/staff/disclosures/{request_id}/approve")

        assert _wraps(services, IdentityKey, report_id) == {cora_id, hana_id}
        page = handler.get(f"/staff/reports/{report_id}")
        assert NAME in page.text and CONTACT in page.text

    mine = support.source_login(client, words)
    assert "allowed a person handling your report to see" in mine.text

    with services.db.transaction() as session:
        actions = [
            e.action
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.target == f"report:{report_id}")
            )
        ]
        details = " ".join(session.scalars(select(AuditEntry.details)))
    for action in ("disclosure_requested", "identity_viewed", "disclosure_approved"):
        assert action in actions
    assert "IDENTITYCANARY" not in details and "retaliation" not in details


def test_a_denied_request_leaves_the_identity_sealed(services, client):
    hana, cora, words, report_id = _setup(services, client)
    hana_id, cora_id = _ids(services, "hana", "cora")
    with staff_kit.browser(services) as handler, staff_kit.browser(services) as custodian:
        support.staff_login(handler, services, hana)
        staff_kit.post(
            handler, f"/staff/reports/{report_id}/disclosure", reason="I am curious who it is."
        )
        support.staff_login(custodian, services, cora)
        [request_id] = staff_kit.request_ids(custodian.get("/staff/disclosures").text)
        no_reason = staff_kit.post(custodian, f"/staff/disclosures/{request_id}/deny", reason="")
        assert no_reason.status_code == 400
        staff_kit.post(
            custodian,
            f"/staff/disclosures/{request_id}/deny",
            reason="Curiosity is not a ground for disclosure.",
        )
        assert _wraps(services, IdentityKey, report_id) == {cora_id}
        page = handler.get(f"/staff/reports/{report_id}")
        assert "IDENTITYCANARY" not in page.text
        assert "denied" in page.text and "Curiosity is not a ground" in page.text
        late = staff_kit.post(custodian, f"/staff/disclosures/{request_id}/approve")
        assert late.status_code == 409
    assert _wraps(services, IdentityKey, report_id) == {cora_id}
    assert "allowed a person handling" not in support.source_login(client, words).text


def test_identity_is_refused_without_a_custodian(services, client):
    staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "city", ["hana"], allow_identity=True)
    sent = staff_kit.submit_form(client, "city", {"text": "KEEPME my text", "identity_name": NAME})
    assert sent.status_code == 503
    assert "cannot protect identity details" in sent.text
    assert "KEEPME my text" in sent.text and NAME in sent.text, "what they typed is kept"
    assert staff_kit.report_id_of(services, "city") is None


def test_a_channel_without_identity_refuses_it(services, client):
    staff_kit.account(services, "hana", "handler")
    staff_kit.account(services, "cora", "custodian")
    staff_kit.channel(services, "city", ["hana"], allow_identity=False)
    page = client.get("/submit/city")
    assert 'name="identity_name"' not in page.text
    sent = staff_kit.submit_form(client, "city", {"text": "x", "identity_name": NAME})
    assert sent.status_code == 400
    assert staff_kit.report_id_of(services, "city") is None


def test_a_later_custodian_gets_the_key_from_an_earlier_one(services, client):
    hana, cora, _, report_id = _setup(services, client)
    dora = staff_kit.account(services, "dora", "custodian")
    # A second custodian needs the first one's approval (after comparing fingerprints).
    support.approve(services, cora, "dora")
    cora_id, dora_id = _ids(services, "cora", "dora")
    assert _wraps(services, IdentityKey, report_id) == {cora_id}
    with staff_kit.browser(services) as handler, staff_kit.browser(services) as late:
        support.staff_login(handler, services, hana)
        staff_kit.post(
            handler,
            f"/staff/reports/{report_id}/disclosure",
            reason="Needed to arrange protection.",
        )
        support.staff_login(late, services, dora)
        queue = late.get("/staff/disclosures")
        assert "1 identity key wraps are missing" in queue.text
        [request_id] = staff_kit.request_ids(queue.text)
        cannot = late.get(f"/staff/disclosures/{request_id}")
        assert cannot.status_code == 403 and "Another custodian can decide" in cannot.text
        # dora holds nothing to pass on; cora does.
        staff_kit.post(late, "/staff/disclosures/share")
        assert _wraps(services, IdentityKey, report_id) == {cora_id}
    with staff_kit.browser(services) as early:
        support.staff_login(early, services, cora, offset_steps=1)
        staff_kit.post(early, "/staff/disclosures/share")
    assert _wraps(services, IdentityKey, report_id) == {cora_id, dora_id}
    with staff_kit.browser(services) as late:
        support.staff_login(late, services, dora, offset_steps=1)
        assert NAME in late.get(f"/staff/disclosures/{request_id}").text


def test_a_removed_handlers_request_cannot_be_approved(services, client):
    hana, cora, _, report_id = _setup(services, client)
    ivan = staff_kit.account(services, "ivan", "handler")
    hana_id, ivan_id = _ids(services, "hana", "ivan")
    with staff_kit.browser(services) as h, staff_kit.browser(services) as i:
        support.staff_login(h, services, hana)
        staff_kit.post(h, f"/staff/reports/{report_id}/handlers", user_id=ivan_id)
        support.staff_login(i, services, ivan)
        staff_kit.post(
            i, f"/staff/reports/{report_id}/disclosure", reason="Needed for the interview plan."
        )
        with staff_kit.browser(services) as c:
            support.staff_login(c, services, cora)
            [request_id] = staff_kit.request_ids(c.get("/staff/disclosures").text)
            staff_kit.post(h, f"/staff/reports/{report_id}/handlers/remove", user_id=ivan_id)
            late = staff_kit.post(c, f"/staff/disclosures/{request_id}/approve")
            assert late.status_code == 409
    assert ivan_id not in _wraps(services, IdentityKey, report_id)
