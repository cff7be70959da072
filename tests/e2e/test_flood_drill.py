"""Flood drills: two real `sealbox serve` processes on loopback share one database and hold one
ceiling between them; a report shredded from the quarantine as spam leaves no byte behind
(carved like the shred drill: data directory, WAL, PostgreSQL's table files and pg_dump)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import httpx
import pytest
from sqlalchemy import select

from sealbox.channels.models import Channel
from sealbox.reports.models import Report
from tests import staff_kit, support
from tests.e2e import forensics
from tests.e2e.test_shred_drill import _blob_bytes, _opened_wraps, _sealed_values
from tests.e2e.test_shred_drill import _write_report as write_report
from tests.live_server import Instance

HELD = "Unusually many reports are arriving right now"


def _clear_of_the_hour() -> None:
    """Submissions of one drill fall in one UTC hour: wait out its last half minute."""
    now = dt.datetime.now(dt.UTC)
    if now.minute == 59 and now.second >= 30:
        time.sleep(61 - now.second)


def test_two_serving_processes_hold_one_ceiling(instance, monkeypatch):
    monkeypatch.setenv("SEALBOX_CHANNEL_REPORTS_PER_HOUR", "3")
    instance.add_handler("alice")
    instance.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
    other = Instance(root=instance.root, database_url=instance.database_url)
    other.start()
    try:
        _clear_of_the_hour()
        answers = []
        with (
            httpx.Client(base_url=instance.url, follow_redirects=True) as one,
            httpx.Client(base_url=other.url, follow_redirects=True) as two,
        ):
            for n in range(8):
                answers.append(support.submit((one, two)[n % 2], "fraud", f"bot report {n}"))
    finally:
        other.stop()
    assert [a.status_code for a in answers] == [200] * 8
    assert sorted(HELD in a.text for a in answers) == [False] * 3 + [True] * 5
    quarantined = instance.sql("select quarantined from reports")
    assert sorted(bool(q) for q in quarantined) == [False] * 3 + [True] * 5


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, channel_reports_per_hour=1)


def test_a_report_shredded_as_spam_leaves_no_byte_behind(services, backend, database_url):
    alice = support.add_user(services, "alice")
    support.add_user(services, "carla", "custodian")
    support.add_channel(services, "fraud", ["alice"])
    with services.db.transaction() as session:
        session.scalars(select(Channel)).one().allow_identity = True
    services.clock.advance(3600 - services.clock.timestamp() % 3600 + 60)
    ids, words = {}, {}
    with staff_kit.browser(services) as source:
        for name in ("first", "gone", "kept"):  # the first reaches the inbox, then quarantine
            before = _report_ids(services)
            words[name] = write_report(services, source, name)
            [ids[name]] = _report_ids(services) - before
    with services.db.transaction() as session:
        held = dict(session.execute(select(Report.id, Report.quarantined)).all())
    assert [held[ids[name]] for name in ("first", "gone", "kept")] == [False, True, True]
    del ids["first"]
    sealed = {
        name: {**_sealed_values(services, rid), **_blob_bytes(services, rid)}
        for name, rid in ids.items()
    }
    with staff_kit.browser(services) as handler:
        support.staff_login(handler, services, alice)
        page = handler.get("/staff/quarantine")
        done = handler.post(
            "/staff/quarantine",
            data={
                "csrf": support.token(page.text),
                "report": ids["gone"],
                "action": "spam",
                "confirm": "1",
            },
            follow_redirects=True,
        )
        assert "Reports destroyed as spam: 1." in done.text, done.text

    places = {
        str(path.relative_to(services.settings.data_dir)): path.read_bytes()
        for path in services.settings.data_dir.rglob("*")
        if path.is_file()
    }
    if backend == "postgresql":
        for label, path in forensics.pg_files(database_url, statistics=True).items():
            places[label] = path.read_bytes()
        places["pg_dump"] = forensics.pg_dump(database_url).encode()
    needles = {
        name: {label: forensics.pieces_of(value) for label, value in values.items()}
        for name, values in sealed.items()
    }
    found = {hit.split(" in ")[0] for hit in forensics.carve(places, needles["kept"])}
    assert found == set(needles["kept"]), "the carving must find the kept report"
    opened = {name: _opened_wraps(places, sealed[name], words[name], services) for name in ids}
    assert opened["kept"], "the kept report's wrap was not found: the carving proves nothing"
    assert (forensics.carve(places, needles["gone"]), opened["gone"]) == ([], [])


def _report_ids(services) -> set[str]:
    with services.db.transaction() as session:
        return set(session.scalars(select(Report.id)))
