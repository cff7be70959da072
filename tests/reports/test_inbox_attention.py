"""The inbox at volume: a source's follow-up on an old report comes first, whatever its age;
rows carry a sealed title and the report's first line; the order within a day is stable and
reveals no time."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, DateTime, Time, inspect, select

from sealbox.channels.models import Channel
from sealbox.reports.models import Report
from tests import inbox_seed, server_copy, staff_kit, support

DAY = 24 * 3600


def _attention(html: str) -> str:
    """The "Needs attention" section of an inbox page ('' when there is none)."""
    start = html.find('id="attention-h"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def _attention_ids(html: str) -> list[str]:
    return re.findall(r'href="/staff/reports/([0-9a-f]{32})#latest"', _attention(html))


def _channel_id(services, slug: str) -> str:
    with services.db.transaction() as session:
        return session.scalar(select(Channel.id).where(Channel.slug == slug))


def test_a_follow_up_on_a_seven_week_old_report_tops_the_first_page_of_1300(
    services, client, other_client
):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    words = support.passphrase_of(support.submit(client, "tips", "The warehouse manager"))
    old = staff_kit.report_id_of(services, "tips")
    support.staff_login(other_client, services, hana)
    assert "The warehouse manager" in other_client.get(f"/staff/reports/{old}").text  # read

    services.clock.advance(49 * DAY)
    today = services.clock.today()
    # 1,300 reports over the past two months; every other one not opened yet, every third
    # with a follow-up that was read. None is from today.
    inbox_seed.seed(
        services,
        "hana",
        _channel_id(services, "tips"),
        1_300,
        today - dt.timedelta(days=1),
        read_every=2,
    )
    mine = support.source_login(client, words)
    sent = client.post(
        "/report/messages",
        data={
            "form_token": support.token(mine.text, "/report/messages"),
            "text": "Help, they are looking for me.",
        },
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=True,
    )
    assert sent.status_code == 200

    page = support.staff_login(other_client, services, hana)
    assert page.status_code == 200
    attention = _attention(page.text)
    assert _attention_ids(page.text)[0] == old, "the follow-up is the first report shown"
    first_row = attention[attention.index(old) :].split("</tr>")[0]
    assert "1 unread" in first_row
    assert today.isoformat() in first_row or str(today.day) in first_row
    # Without it, the report would sit far down the list ("newest first" by received day).
    assert old not in support.report_ids(page.text)

    unread_only = other_client.get("/staff/?unread=1")
    assert support.report_ids(unread_only.text)[0] == old
    assert "1 unread" in unread_only.text
    by_activity = other_client.get("/staff/?sort=activity")
    assert support.report_ids(by_activity.text)[0] == old

    other_client.get(f"/staff/reports/{old}")  # read now
    again = other_client.get("/staff/")
    assert old not in _attention_ids(again.text)
    assert old not in support.report_ids(other_client.get("/staff/?unread=1").text)


def test_unread_only_lists_new_reports_and_unread_follow_ups_not_read_ones(
    services, client, other_client
):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    seeded = inbox_seed.seed(
        services, "hana", _channel_id(services, "tips"), 12, services.clock.today(), read_every=3
    )
    support.staff_login(other_client, services, hana)
    unread = set(support.report_ids(other_client.get("/staff/?unread=1").text))
    never_opened = {rid for n, rid in enumerate(seeded.report_ids) if n % 3}
    assert unread == never_opened
    first = other_client.get("/staff/")
    assert set(_attention_ids(first.text)) == never_opened


def test_rows_show_a_sealed_title_and_the_first_line(services, client, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    ivan = staff_kit.account(services, "ivan", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    staff_kit.channel(services, "other", ["ivan"])
    words = support.passphrase_of(
        support.submit(client, "tips", "\n  Invoices from Lakeside Ltd are doubled  \nmore text")
    )
    report_id = staff_kit.report_id_of(services, "tips")
    support.staff_login(other_client, services, hana)
    inbox = other_client.get("/staff/").text
    assert "Invoices from Lakeside Ltd are doubled" in inbox and "more text" not in inbox

    saved = staff_kit.post(
        other_client, f"/staff/reports/{report_id}/title", title="Quartermaster Pellworth case"
    )
    assert saved.status_code == 200 and "Quartermaster Pellworth case" in saved.text
    assert "Quartermaster Pellworth case" in other_client.get("/staff/").text
    copy = server_copy.take(services)
    assert not server_copy.holding(copy, b"Quartermaster Pellworth")
    assert not server_copy.holding(copy, b"Lakeside Ltd")
    assert "Quartermaster" not in support.source_login(client, words).text
    [entry] = [
        e for e in support.audit_entries(services, f"report:{report_id}") if e[1] == "report_title"
    ]
    assert "Quartermaster" not in str(entry)

    # A handler of another channel cannot title the report (nor learn that it exists).
    with staff_kit.browser(services) as intruder:
        support.staff_login(intruder, services, ivan)
        refused = staff_kit.post(intruder, f"/staff/reports/{report_id}/title", title="Renamed")
        assert refused.status_code == 404
    assert "Quartermaster Pellworth case" in other_client.get(f"/staff/reports/{report_id}").text


def test_order_within_a_day_is_stable_and_stored_rows_carry_no_time(services, other_client):
    hana = staff_kit.account(services, "hana", "handler")
    staff_kit.channel(services, "tips", ["hana"])
    seeded = inbox_seed.seed(
        services, "hana", _channel_id(services, "tips"), 30, services.clock.today(), days=0
    )
    support.staff_login(other_client, services, hana)
    shown = support.report_ids(other_client.get("/staff/").text)
    assert shown == support.report_ids(other_client.get("/staff/").text), "stable"
    # Ordered by the random id, not by when the rows were written.
    assert shown == sorted(seeded.report_ids, reverse=True)
    assert shown != seeded.report_ids[::-1] and shown != seeded.report_ids
    oldest = support.report_ids(other_client.get("/staff/?sort=oldest").text)
    assert oldest == shown[::-1]

    # Nothing finer than a day, and no number that counts the day's reports.
    columns = inspect(services.db.engine).get_columns("reports")
    for column in columns:
        assert not isinstance(column["type"], DateTime | Time), column["name"]
    dated = {c.name for c in Report.__table__.columns if isinstance(c.type, Date)}
    assert "activity_on" in dated and "received_on" in dated
    assert not {c["name"] for c in columns} & {"seq", "day_seq", "created_at", "position"}
