"""The inbox's orders: newest first by default, oldest first, and by deadline with the reports
that have none (closed) last."""

from __future__ import annotations

from sqlalchemy import select

from sealbox.reports.models import Report
from tests import staff_kit, support

DAY = 24 * 3600


def _report_ids(services) -> set[str]:
    with services.db.transaction() as session:
        return set(session.scalars(select(Report.id)))


def test_the_inbox_sorts_by_arrival_and_by_deadline(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "fraud", ["hana"])
    arrived = []
    for n in range(3):
        support.submit(client, "fraud", f"report {n}")
        client.cookies.clear()
        newest = _report_ids(services) - set(arrived)
        arrived.append(newest.pop())
        services.clock.advance(DAY)
    first, second, third = arrived

    handler = other_client
    support.staff_login(handler, services, hana)
    closed = staff_kit.post(
        handler, f"/staff/reports/{first}/status", status="closed", outcome="substantiated"
    )
    assert closed.status_code < 400

    assert support.report_ids(handler.get("/staff/").text) == [third, second, first]
    assert support.report_ids(handler.get("/staff/?sort=oldest").text) == [first, second, third]
    # By deadline: the two open reports by their due day, the closed one (no deadline) last.
    assert support.report_ids(handler.get("/staff/?sort=due").text) == [second, third, first]
    assert support.report_ids(handler.get("/staff/?sort=due&overdue=1").text) == []
