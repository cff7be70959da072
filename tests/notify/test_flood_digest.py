"""In a flood, each handler gets one digest a day ("10 new reports, 5 in quarantine"), never a
mail per report or per channel; it names no report and nothing a source wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from sealbox.jobs import runner
from tests import support
from tests.notify.mailbox import set_email, smtp_server
from tests.notify.test_events import at


@pytest.fixture
def mail_settings() -> dict:
    return {"channel_reports_per_hour": 3}


def test_a_flood_is_one_digest_per_handler_with_the_quarantine_count(services, client, smtp_port):
    support.add_user(services, "alice")
    support.add_user(services, "bob")
    support.add_channel(services, "fraud", ["alice"])
    support.add_channel(services, "safety", ["alice", "bob"])
    set_email(services, "alice", "alice@example.org")
    set_email(services, "bob", "bob@example.org")
    day = services.clock.today() + dt.timedelta(days=1)
    at(services, day, 22, 10)
    for n in range(8):
        assert support.submit(client, "fraud", f"bot report {n}").status_code == 200
    for n in range(2):
        assert support.submit(client, "safety", f"real report {n}").status_code == 200

    with smtp_server(smtp_port) as mailbox:
        at(services, day + dt.timedelta(days=1), 7, 5)
        runs = [run.outcome for run in runner.run_due(services, only=["mail"], force=True)]
        assert runs == ["sent 2, failed 0"]
        runs = [run.outcome for run in runner.run_due(services, only=["mail"], force=True)]
        assert runs == ["sent 0, failed 0"]  # told once
    [to_alice] = mailbox.to("alice@example.org")
    [to_bob] = mailbox.to("bob@example.org")
    assert to_alice["Subject"] == f"Sealbox: 10 new report(s), 5 in quarantine on {day}"
    body = to_alice.get_content().replace("\r\n", "\n")
    assert f"10 new report(s), 5 in quarantine arrived in your channels on {day}:" in body
    assert "- Fraud channel: 8 new, 5 in quarantine\n- Safety channel: 2 new\n" in body
    assert "quarantine page" in body
    assert to_bob["Subject"] == f"Sealbox: 2 new report(s) on {day}"
    assert "Fraud" not in to_bob.get_content()
    text = to_alice.as_string() + to_bob.as_string()
    assert "bot report" not in text and "real report" not in text
