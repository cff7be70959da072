"""A handler of channel A gets 404 on everything of channel B's reports."""

from __future__ import annotations

from tests import support


def test_handler_of_another_channel_sees_nothing(services, client, other_client):
    bert = support.add_user(services, "bert")
    support.add_channel(services, "beta", ["bert"])
    support.submit(client, "beta", "beta report")
    owner = support.add_user(services, "owner")
    support.add_channel(services, "gamma", ["owner"])
    support.submit(client, "gamma", "gamma report", [("g.txt", b"gamma file")])
    owner_client = other_client
    inbox = support.staff_login(owner_client, services, owner)
    [report_id] = support.report_ids(inbox.text)
    [file_link] = support.file_links(owner_client.get(f"/staff/reports/{report_id}").text)

    from starlette.testclient import TestClient

    from sealbox.web.app import create_app

    with TestClient(create_app(services), base_url="http://sealbox.test") as intruder:
        page = support.staff_login(intruder, services, bert)
        assert page.status_code == 200 and report_id not in page.text
        assert len(support.report_ids(page.text)) == 1  # bert's own report only
        csrf = support.token(page.text)
        for path in [
            f"/staff/reports/{report_id}",
            file_link,
            f"/staff/reports/{report_id}/export",
        ]:
            response = intruder.get(path)
            assert response.status_code == 404, path
            assert "gamma" not in response.text
        for path, data in [
            (f"/staff/reports/{report_id}/reply", {"csrf": csrf, "text": "hi"}),
            (f"/staff/reports/{report_id}/status", {"csrf": csrf, "status": "closed"}),
        ]:
            assert intruder.post(path, data=data).status_code == 404, path
        # A file id of one report cannot be fetched through another report's address.
        assert intruder.get(file_link.replace(report_id, "0" * 32)).status_code == 404

    again = owner_client.get(f"/staff/reports/{report_id}")
    assert '<div class="text">hi</div>' not in again.text
    assert "status closed" not in again.text
