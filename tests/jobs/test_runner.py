"""Jobs run under a lease in the database: one worker at a time, on schedule, from cron or serve."""

from __future__ import annotations

import threading

from sealbox.jobs import locks, runner
from tests import support
from tests.audit.cli_runner import sealbox


def test_only_one_of_many_workers_runs_a_job_at_once(services):
    barrier = threading.Barrier(8)
    results: list[list[runner.JobRun]] = []

    def worker():
        barrier.wait()
        results.append(runner.run_due(services, only=["retention"]))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(len(runs) for runs in results) == 1


def test_a_held_lease_blocks_others_until_it_expires(services):
    assert locks.claim(services, "retention", "worker-a", 600, force=True)
    assert not locks.claim(services, "retention", "worker-b", 600, force=True)
    assert runner.run_due(services, only=["retention"], force=True) == []
    # Worker A died without releasing: after the lease, anyone may take over.
    services.clock.advance(601)
    assert [run.name for run in runner.run_due(services, only=["retention"], force=True)] == [
        "retention"
    ]


def test_jobs_wait_for_their_interval(services):
    first = runner.run_due(services)
    assert {run.name for run in first} == set(runner.JOBS)
    assert runner.run_due(services) == []
    services.clock.advance(services.settings.job_mail_seconds + 1)
    assert [run.name for run in runner.run_due(services)] == ["mail"]
    services.clock.advance(services.settings.job_retention_seconds)
    # Everything but the daily audit anchor is due again after an hour.
    assert {run.name for run in runner.run_due(services)} == set(runner.JOBS) - {"anchor"}
    services.clock.advance(services.settings.job_anchor_seconds)
    assert "anchor" in {run.name for run in runner.run_due(services)}


def test_the_session_sweep_ends_idle_staff_sessions(services, client):
    alice = support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    assert support.staff_login(client, services, alice).status_code == 200
    services.clock.advance(services.settings.staff_session_idle_minutes * 60 + 1)
    [run] = runner.run_due(services, only=["sessions"], force=True)
    assert run.outcome == "ended 1 staff and 0 source session(s)"


def test_cron_runs_the_due_jobs_once(services):
    result = sealbox(services, "jobs", "run", "--once")
    assert result.exit_code == 0, result.output
    assert {line.split(":")[0] for line in result.output.splitlines()} == set(runner.JOBS)
    again = sealbox(services, "jobs", "run", "--once")
    assert again.exit_code == 0 and again.output == ""
    forced = sealbox(services, "jobs", "run", "--once", "--job", "retention", "--now")
    assert forced.output.startswith("retention: deleted 0 closed")


def test_an_unknown_job_is_named_in_the_error(services):
    result = sealbox(services, "jobs", "run", "--once", "--job", "backups")
    assert result.exit_code == 2
    assert (
        "No job named backups; the jobs are sessions, retention, reminders, anchor, disk, "
        "mail, chronology." in result.output
    )
    assert "Traceback" not in result.output


def test_the_serve_thread_runs_jobs_in_the_background(services):
    from sealbox.jobs import background

    thread = background.start(services)
    try:
        for _ in range(100):
            if {s.name for s in locks.states(services) if s.last_outcome} == set(runner.JOBS):
                break
            threading.Event().wait(0.05)
        assert {s.name for s in locks.states(services) if s.last_outcome} == set(runner.JOBS)
    finally:
        thread.stop()
        thread.join(10)
    assert not thread.is_alive()
