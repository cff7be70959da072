"""The flood defences keep nothing finer than the hour, and only for as long as needed: the
chronology pass deletes past hours' intake counts and expired used tokens before it rewrites
the tables, so a copy made after the daily pass dates no source action finer than the day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sealbox.jobs import runner
from tests import support

DAY = dt.datetime(2031, 5, 6, tzinfo=dt.UTC)


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, channel_reports_per_hour=2, worker_heartbeat_seconds=1e6)


def _at(services, when: dt.datetime) -> None:
    services.clock.offset = 0
    services.clock.advance(when.timestamp() - services.clock.timestamp())


def _rows(services, table: str) -> list[tuple]:
    with services.db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(f"select * from {table}")]


def _chronology(services) -> str:
    [run] = runner.run_due(services, only=["chronology"], force=True)
    assert run.ok, run.outcome
    return run.outcome


def test_counts_go_with_their_hour_and_used_tokens_with_their_day(services, client):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    _at(services, DAY + dt.timedelta(hours=9, minutes=5))
    for n in range(3):
        assert support.submit(client, "fraud", f"report {n}").status_code == 200
    hour = int((DAY + dt.timedelta(hours=9)).timestamp()) // 3600
    counts = _rows(services, "intake_counts")
    assert sorted((scope == "*", h, reports) for scope, h, reports, _ in counts) == [
        (False, hour, 3),
        (True, hour, 3),
    ]
    tokens = _rows(services, "used_tokens")
    assert len(tokens) == 6  # each form's token, and each one-time passphrase receipt's
    assert all(len(key) == 64 and len(str(until)) == 10 for key, until in tokens)

    _at(services, DAY + dt.timedelta(hours=9, minutes=40))
    assert "0 past hour count(s)" in _chronology(services)  # this hour's counts are in use
    _at(services, DAY + dt.timedelta(hours=10, minutes=1))
    assert "2 past hour count(s) and 0 expired token(s) cleared" in _chronology(services)
    assert _rows(services, "intake_counts") == []
    assert len(_rows(services, "used_tokens")) == 6

    # The day's first pass two days on: every token of that day has expired and goes.
    _at(services, DAY + dt.timedelta(days=2, minutes=30))
    outcome = _chronology(services)
    assert outcome.startswith("daily pass: 0 past hour count(s) and 6 expired token(s) cleared")
    assert _rows(services, "used_tokens") == []
