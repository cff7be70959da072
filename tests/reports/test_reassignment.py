"""Re-assignment re-wraps the report key (the sealed blobs stay byte for byte the same) and
a removed handler loses access at once."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.accounts.models import User
from sealbox.reports.models import Message, NoteKey, ReportKey
from tests import staff_kit, support


def _user_id(services, name):
    with services.db.transaction() as session:
        return session.scalar(select(User.id).where(User.username == name))


def _sealed_state(services, report_id):
    blobs = sorted(p.read_bytes() for p in services.settings.blob_dir.rglob("*") if p.is_file())
    with services.db.transaction() as session:
        bodies = [
            m.body.ciphertext
            for m in session.scalars(select(Message).where(Message.report_id == report_id))
        ]
    return blobs, bodies


def test_adding_and_removing_a_handler(services, client):
    hana = staff_kit.account(services, "hana", "handler")
    ivan = staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    support.submit(client, "fraud", "REASSIGN the books are cooked", [("a.txt", b"evidence A")])
    report_id = staff_kit.report_id_of(services, "fraud")
    before = _sealed_state(services, report_id)

    with staff_kit.browser(services) as h, staff_kit.browser(services) as i:
        support.staff_login(h, services, hana)
        support.staff_login(i, services, ivan)
        assert i.get(f"/staff/reports/{report_id}").status_code == 404

        page = h.get(f"/staff/reports/{report_id}")
        assert "Add handler" in page.text
        staff_kit.post(h, f"/staff/reports/{report_id}/notes", text="NOTEFORIVAN check the ledger")
        staff_kit.post(
            h, f"/staff/reports/{report_id}/handlers", user_id=_user_id(services, "ivan")
        )
        with services.db.transaction() as session:
            holders = set(
                session.scalars(select(ReportKey.user_id).where(ReportKey.report_id == report_id))
            )
        assert holders == {_user_id(services, "hana"), _user_id(services, "ivan")}
        assert _sealed_state(services, report_id) == before, "no re-encryption of content"

        shared = i.get(f"/staff/reports/{report_id}").text
        assert "REASSIGN" in shared and "NOTEFORIVAN" in shared, "the notes key follows"
        assert report_id in i.get("/staff/").text
        [link] = support.file_links(i.get(f"/staff/reports/{report_id}").text)
        assert i.get(link).content == b"evidence A"

        staff_kit.post(
            h, f"/staff/reports/{report_id}/handlers/remove", user_id=_user_id(services, "ivan")
        )
        # At once: the very next request of the removed handler is refused.
        assert i.get(f"/staff/reports/{report_id}").status_code == 404
        assert i.get(link).status_code == 404
        assert i.get(f"/staff/reports/{report_id}/export").status_code == 404
        with services.db.transaction() as session:
            ivan_id = _user_id(services, "ivan")
            assert session.get(NoteKey, (report_id, ivan_id)) is None
            assert session.get(ReportKey, (report_id, ivan_id)) is None
        assert report_id not in i.get("/staff/").text

        last = staff_kit.post(
            h, f"/staff/reports/{report_id}/handlers/remove", user_id=_user_id(services, "hana")
        )
        assert last.status_code == 400 and "at least one handler" in last.text


def test_only_a_key_holder_can_add_and_only_handlers_can_be_added(services, client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.account(services, "cora", "custodian")
    otto = staff_kit.account(services, "otto", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    staff_kit.channel(services, "other", ["otto"])
    support.submit(client, "fraud", "secret")
    report_id = staff_kit.report_id_of(services, "fraud")
    with staff_kit.browser(services) as h, staff_kit.browser(services) as o:
        support.staff_login(h, services, hana)
        bad = staff_kit.post(
            h, f"/staff/reports/{report_id}/handlers", user_id=_user_id(services, "cora")
        )
        assert bad.status_code == 400 and "handler account" in bad.text
        support.staff_login(o, services, otto)
        # otto holds no key: he cannot give himself the report.
        sneaky = staff_kit.post(
            o, f"/staff/reports/{report_id}/handlers", user_id=_user_id(services, "otto")
        )
        assert sneaky.status_code == 404
    with services.db.transaction() as session:
        assert (
            session.scalar(select(ReportKey).where(ReportKey.user_id == _user_id(services, "otto")))
            is None
        )
