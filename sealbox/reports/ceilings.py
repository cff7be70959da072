"""Hourly ceilings on new reports, per channel and for the instance, in reports and in bytes.

Past a ceiling a new report is still accepted, with its passphrase, but waits in the channel's
quarantine (sealbox.reports.quarantine) instead of the inbox. The counts live in the database, so
every serving process shares them; each is one atomic upsert. They are kept per UTC hour only,
and the chronology pass deletes every past hour's row before it rewrites the tables.
"""

from __future__ import annotations

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from sealbox.clock import Clock
from sealbox.reports.models import IntakeCount
from sealbox.settings import MIB, Settings
from sealbox.store.upsert import insert

INSTANCE = "*"


def count(session: Session, clock: Clock, settings: Settings, channel_id: str, size: int) -> bool:
    """Count one new report of `size` bytes in this hour; True when it is past a ceiling.

    Call it in the transaction that stores the report, so that a report that fails to commit
    counts for nothing. The channel's row is locked before the instance's, always.
    """
    hour = int(clock.timestamp()) // 3600
    limits = (
        (channel_id, settings.channel_reports_per_hour, settings.channel_mib_per_hour),
        (INSTANCE, settings.instance_reports_per_hour, settings.instance_mib_per_hour),
    )
    over = False
    for scope, most_reports, most_mib in limits:
        reports, received = _add(session, scope, hour, size)
        over |= bool(most_reports) and reports > most_reports
        over |= bool(most_mib) and received > most_mib * MIB
    return over


def forget_past_hours(session: Session, clock: Clock) -> int:
    """Delete the counts of every hour before this one; returns how many rows went."""
    hour = int(clock.timestamp()) // 3600
    result = session.execute(delete(IntakeCount).where(IntakeCount.hour < hour))
    assert isinstance(result, CursorResult)  # a DELETE's result counts its rows
    return result.rowcount or 0


def _add(session: Session, scope: str, hour: int, size: int) -> tuple[int, int]:
    statement = (
        insert(session, IntakeCount)
        .values(scope=scope, hour=hour, reports=1, bytes=size)
        .on_conflict_do_update(
            index_elements=["scope", "hour"],
            set_={"reports": IntakeCount.reports + 1, "bytes": IntakeCount.bytes + size},
        )
        .returning(IntakeCount.reports, IntakeCount.bytes)
    )
    reports, received = session.execute(statement).one()
    return reports, received
