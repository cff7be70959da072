"""Telling a report's handlers that its source wrote again, without saying which report.

A follow-up on an old report ("they are looking for me") must not wait unseen on inbox page
22, yet a mail per message would date each of the source's visits in the mail server's logs.
So it goes as the new-report mail does: one digest per handler for each past day, sent from
the day's sending hour on, counting reports per channel; no report id (a mail is outside
Sealbox's keeping, and an id links it to the source's report), no word of what was written,
no time finer than the day the message is dated by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.channels.models import Channel
from sealbox.clock import Clock
from sealbox.notify.events import LOOKBACK_DAYS, SIGN_OFF
from sealbox.notify.queue import enqueue
from sealbox.reports.models import Message, Report, ReportKey

# Report ids per query of their holders (a bound on the statement's parameters).
CHUNK = 500


def follow_ups(session: Session, clock: Clock) -> int:
    """Mail each handler with an address one digest per past day (of the last week) on which
    sources wrote again in reports they hold a key to; returns how many mails were queued.

    The mail job calls it once a day from the sending hour; a day already told is not told
    again (the mail's dedupe key)."""
    today = clock.today()
    written = session.execute(
        select(Message.report_id, Report.channel_id, Message.sent_on, Report.received_on)
        .add_columns(func.count())
        .join(Report, Report.id == Message.report_id)
        .where(Message.author == "source")
        .where(Message.sent_on >= today - dt.timedelta(days=LOOKBACK_DAYS))
        .where(Message.sent_on < today)
        .group_by(Message.report_id, Report.channel_id, Message.sent_on, Report.received_on)
    ).all()
    # The report's own first message is dated by the day it was received: not a follow-up.
    wrote = [
        (report_id, channel_id, day)
        for report_id, channel_id, day, received_on, count in written
        if count - (day == received_on) > 0
    ]
    if not wrote:
        return 0
    holders = _holders(session, {report_id for report_id, _, _ in wrote})
    # (user id, email) -> day -> channel id -> reports written in
    counts: dict[tuple[str, str], dict[dt.date, dict[str, int]]] = {}
    for report_id, channel_id, day in wrote:
        for holder in holders.get(report_id, ()):
            per_channel = counts.setdefault(holder, {}).setdefault(day, {})
            per_channel[channel_id] = per_channel.get(channel_id, 0) + 1
    names = dict(session.execute(select(Channel.id, Channel.name)).all())
    queued = 0
    for (user_id, email), days in sorted(counts.items()):
        for day, per_channel in sorted(days.items()):
            queued += _digest(session, clock, user_id, email, day, per_channel, names)
    return queued


def _holders(session: Session, report_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """report id -> (user id, email) of its active handlers who have a mail address."""
    found: dict[str, list[tuple[str, str]]] = {}
    ids = sorted(report_ids)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(ReportKey.report_id, User.id, User.email)
            .join(User, User.id == ReportKey.user_id)
            .where(ReportKey.report_id.in_(ids[start : start + CHUNK]))
            .where(User.active, User.email.is_not(None))
        ).all()
        for report_id, user_id, email in rows:
            if email:  # never None here (filtered above); the type does not know
                found.setdefault(report_id, []).append((user_id, email))
    return found


def _digest(
    session: Session,
    clock: Clock,
    user_id: str,
    email: str,
    day: dt.date,
    per_channel: dict[str, int],
    names: dict[str, str],
) -> bool:
    total = sum(per_channel.values())
    lines = [
        f"- {names.get(channel_id, '?')}: {count} report(s)"
        for channel_id, count in sorted(per_channel.items(), key=lambda i: names.get(i[0], ""))
    ]
    body = (
        f"On {day.isoformat()}, sources wrote again in {total} report(s) you handle:\n"
        + "\n".join(lines)
    )
    mail = enqueue(
        session,
        clock,
        "follow_up",
        email,
        f"Sealbox: new messages from sources in {total} report(s) on {day.isoformat()}",
        body + SIGN_OFF,
        dedupe_key=f"follow_ups:{user_id}:{day.isoformat()}",
        once=True,
    )
    return mail is not None
