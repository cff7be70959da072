"""A staff member opening many reports in a short time raises an alert entry and mails auditors."""

from __future__ import annotations

import pytest

from sealbox.jobs import runner
from tests import support
from tests.notify.mailbox import set_email, smtp_server


@pytest.fixture
def mail_settings():
    return {"bulk_access_threshold": 3, "bulk_access_minutes": 10}


def alerts(client) -> int:
    page = client.get("/staff/audit", params={"action": "bulk_access_alert"})
    assert page.status_code == 200
    return page.text.count("<code>bulk_access_alert</code>")


def test_opening_many_reports_quickly_alerts_the_auditors(
    services, client, other_client, smtp_port
):
    alice = support.add_user(services, "alice")
    audrey = support.add_user(services, "audrey", "auditor")
    set_email(services, "audrey", "audrey@example.org")
    support.add_channel(services, "fraud", ["alice"])
    for n in range(8):
        support.submit(client, "fraud", f"report {n}")
    client.cookies.clear()
    report_ids = support.report_ids(support.staff_login(client, services, alice).text)
    assert len(report_ids) == 8
    support.staff_login(other_client, services, audrey)

    # Re-opening the same report is not bulk access.
    for _ in range(6):
        client.get(f"/staff/reports/{report_ids[0]}")
    for report_id in report_ids[1:3]:
        assert client.get(f"/staff/reports/{report_id}").status_code == 200
    assert alerts(other_client) == 0
    client.get(f"/staff/reports/{report_ids[3]}")  # the fourth distinct report in 10 minutes
    assert alerts(other_client) == 1
    client.get(f"/staff/reports/{report_ids[4]}")
    assert alerts(other_client) == 1, "one alert per window"
    page = other_client.get("/staff/audit", params={"action": "bulk_access_alert"})
    assert "user:alice" in page.text and "reports=4" in page.text

    with smtp_server(smtp_port) as mailbox:
        runner.run_due(services, only=["mail"], force=True)
    # Besides the alert, auditors hear of staff changes (alice joining the channel).
    [mail] = [m for m in mailbox.to("audrey@example.org") if "alert" in m["Subject"]]
    assert mail["Subject"] == "Sealbox alert: bulk access by alice"
    assert "report 1" not in mail.as_string()
    # It names the action the auditor's page filters by, as stored.
    assert "(filter by the action bulk_access_alert)" in mail.get_content()

    # A new window: slow reading raises nothing, a new burst raises a new alert.
    services.clock.advance(11 * 60)
    client.cookies.clear()
    support.staff_login(client, services, alice)
    other_client.cookies.clear()
    support.staff_login(other_client, services, audrey)
    for report_id in report_ids[4:8]:
        client.get(f"/staff/reports/{report_id}")
    assert alerts(other_client) == 2
