"""The mails Sealbox sends. Each says that something needs attention, never what a report says.

Call these inside the transaction of the action they announce, so mail and action commit together
(a staff action). New reports are counted by the mail job instead: a source's action queues none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.accounts.roles import Role
from sealbox.audit.actions import AuditAction
from sealbox.channels.models import Channel, ChannelHandler
from sealbox.clock import Clock
from sealbox.notify import addresses
from sealbox.notify.models import OutgoingMail
from sealbox.notify.queue import enqueue
from sealbox.reports.models import Report
from sealbox.settings import Settings
from sealbox.store.space import Volume

SIGN_OFF = "\n\nLog in to Sealbox to see it. This mail holds no report content by design.\n"
# Days the new-report mail looks back for days not yet told (a server that was down).
LOOKBACK_DAYS = 7


def new_reports(session: Session, clock: Clock, settings: Settings) -> int:
    """Mail each handler one digest per past day not yet told: how many reports arrived in
    their channels that day, and how many of them wait in quarantine; returns how many mails
    were queued. The mail job calls it; nothing is queued by a report, so a flood of 700 bot
    reports is one mail per handler, not 700.

    It runs from the day's sending hour on (settings.new_report_mail_hour, UTC) and counts
    whole days only: a 07:00 mail that also counted today's reports would say how many came
    before 07:00. The price: handlers hear of a report the morning after the day it arrived.
    """
    now = clock.now()
    if now.hour < settings.new_report_mail_hour:
        return 0
    today = now.date()
    arrived = session.execute(
        select(Report.channel_id, Report.received_on, Report.quarantined, func.count())
        .where(Report.received_on >= today - dt.timedelta(days=LOOKBACK_DAYS))
        .where(Report.received_on < today)
        .group_by(Report.channel_id, Report.received_on, Report.quarantined)
    ).all()
    # day -> channel id -> [new, in quarantine]
    days: dict[dt.date, dict[str, list[int]]] = {}
    for channel_id, day, quarantined, count in arrived:
        counts = days.setdefault(day, {}).setdefault(channel_id, [0, 0])
        counts[0] += count
        counts[1] += count if quarantined else 0
    if not days:
        return 0
    names = dict(session.execute(select(Channel.id, Channel.name)).all())
    handlers = session.execute(
        select(User.id, User.email, ChannelHandler.channel_id)
        .join(ChannelHandler, ChannelHandler.user_id == User.id)
        .where(User.active, User.email.is_not(None))
    ).all()
    channels_of: dict[tuple[str, str], set[str]] = {}
    for user_id, email, channel_id in handlers:
        if email is not None:  # the query asked for an address
            channels_of.setdefault((user_id, email), set()).add(channel_id)
    queued = 0
    for day in sorted(days):
        for (user_id, email), theirs in sorted(channels_of.items()):
            told = {c: n for c, n in days[day].items() if c in theirs}
            if told and not _told_before(session, user_id, day, told):
                queued += _digest(session, clock, user_id, email, day, told, names)
    return queued


def _digest(
    session: Session,
    clock: Clock,
    user_id: str,
    email: str,
    day: dt.date,
    counts: dict[str, list[int]],
    names: dict[str, str],
) -> bool:
    total = sum(new for new, _ in counts.values())
    held = sum(quarantined for _, quarantined in counts.values())
    summary = f"{total} new report(s)"
    if held:
        summary += f", {held} in quarantine"
    lines = [
        f"- {names.get(channel_id, '?')}: {new} new"
        + (f", {quarantined} in quarantine" if quarantined else "")
        for channel_id, (new, quarantined) in sorted(
            counts.items(), key=lambda item: names.get(item[0], "")
        )
    ]
    body = f"{summary} arrived in your channels on {day.isoformat()}:\n" + "\n".join(lines)
    if held:
        body += (
            "\n\nReports that came past the hourly ceilings wait in the quarantine page: "
            "choose which are spam and which go to the inbox."
        )
    mail = enqueue(
        session,
        clock,
        "new_report",
        email,
        f"Sealbox: {summary} on {day.isoformat()}",
        body + SIGN_OFF,
        dedupe_key=f"new_reports:{user_id}:{day.isoformat()}",
        once=True,
    )
    return mail is not None


def _told_before(session: Session, user_id: str, day: dt.date, channel_ids: Iterable[str]) -> bool:
    """Whether an older release already mailed `user_id` about `day` (one mail per channel)."""
    keys = [f"new_reports:{c}:{user_id}:{day.isoformat()}" for c in sorted(channel_ids)]
    found = select(OutgoingMail.id).where(OutgoingMail.dedupe_key.in_(keys)).limit(1)
    return session.scalar(found) is not None


def spam_shredded(
    session: Session, clock: Clock, channel_id: str, actor_id: str, count: int
) -> int:
    """Tell a channel's other handlers that one of them shredded reports of its quarantine as
    spam (a real report shredded as spam would otherwise go unnoticed); returns how many."""
    channel = session.get(Channel, channel_id)
    actor = session.get(User, actor_id)
    assert channel is not None and actor is not None  # the shredding held both
    emails = addresses.found(
        session,
        select(User.email)
        .join(ChannelHandler, ChannelHandler.user_id == User.id)
        .where(ChannelHandler.channel_id == channel_id, User.id != actor_id)
        .where(User.active, User.email.is_not(None)),
    )
    for email in emails:
        enqueue(
            session,
            clock,
            "quarantine",
            email,
            f"Sealbox: reports of {channel.name} shredded as spam",
            f"{actor.username} marked {count} report(s) in the quarantine of the channel "
            f"“{channel.name}” as spam; they were destroyed. The audit log names each one."
            + SIGN_OFF,
        )
    return len(emails)


def deadline_reminder(
    session: Session, clock: Clock, user: User, due_soon: int, overdue: int, days_ahead: int
) -> bool:
    """Remind one handler of reports whose legal deadline is near or past (once a day at most)."""
    if not user.email or (due_soon == 0 and overdue == 0):
        return False
    lines = []
    if overdue:
        lines.append(
            f"{overdue} report(s) have passed their deadline (acknowledgement or feedback)."
        )
    if due_soon:
        lines.append(f"{due_soon} report(s) reach their deadline within {days_ahead} day(s).")
    mail = enqueue(
        session,
        clock,
        "reminder",
        user.email,
        "Sealbox: report deadlines",
        "\n".join(lines) + "\nThe inbox's overdue view lists them." + SIGN_OFF,
        dedupe_key=f"reminder:{user.id}:{clock.today().isoformat()}",
        once=True,
    )
    return mail is not None


def disclosure_requested(session: Session, clock: Clock) -> int:
    """Tell the custodians that a handler asked to learn a reporter's identity.

    Call from the disclosure request action; the mail names neither the report nor the reason.
    """
    return _to_role(
        session,
        clock,
        Role.CUSTODIAN,
        "disclosure",
        "Sealbox: an identity disclosure request awaits your decision",
        "A handler has asked for a reporter's identity to be disclosed, with a reason."
        "\nA custodian must approve or deny it." + SIGN_OFF,
    )


def disclosure_decided(session: Session, clock: Clock, handler_id: str, approved: bool) -> bool:
    """Tell the requesting handler that a custodian decided their disclosure request."""
    handler = session.get(User, handler_id)
    if handler is None or not handler.email or not handler.active:
        return False
    verdict = "approved" if approved else "denied"
    enqueue(
        session,
        clock,
        "disclosure",
        handler.email,
        f"Sealbox: your disclosure request was {verdict}",
        f"A custodian {verdict} your request to disclose a reporter's identity." + SIGN_OFF,
    )
    return True


def bulk_access_alert(
    session: Session, clock: Clock, username: str, reports: int, minutes: int
) -> int:
    """Tell the auditors that a staff member opened unusually many reports in a short time."""
    return _to_role(
        session,
        clock,
        Role.AUDITOR,
        "alert",
        f"Sealbox alert: bulk access by {username}",
        f"The staff member {username} opened {reports} different reports within {minutes} "
        f"minutes. The audit log has the details (filter by the action "
        f"{AuditAction.BULK_ACCESS_ALERT})." + SIGN_OFF,
    )


def audit_anchor(session: Session, clock: Clock, anchor_text: str, entries: int) -> int:
    """Mail the auditors the audit log's signed head: their own copy, outside the server.

    The mail holds the anchor and nothing else: an entry number, a hash, a time, a signature.
    """
    day = clock.today().isoformat()
    return _to_role(
        session,
        clock,
        Role.AUDITOR,
        "anchor",
        f"Sealbox audit anchor {day}",
        "The audit log's head, signed by this Sealbox instance. Keep this mail (or save the "
        "text below as a file) somewhere other than the server. Later,\n\n"
        "    sealbox audit verify --anchor FILE\n\n"
        f"proves that none of the {entries} entries it covers was changed, removed or "
        "reordered since, even by someone holding the server's keys.\n\n" + anchor_text,
    )


def audit_log_broken(session: Session, clock: Clock) -> int:
    """Tell the auditors that the daily check found the audit log altered (nothing was signed)."""
    return _to_role(
        session,
        clock,
        Role.AUDITOR,
        "alert",
        "Sealbox alert: the audit log failed verification",
        "Today's check of the audit log failed, so no anchor was signed. Run "
        "`sealbox audit verify --anchor FILE` with the last anchor you kept, or open the audit "
        "log's verification page, to see which entry was altered." + SIGN_OFF,
    )


def disk_low(session: Session, clock: Clock, volumes: list[Volume]) -> int:
    """Tell the admins, once a day, that a disk Sealbox writes to is filling up."""
    day = clock.today().isoformat()
    lines = "".join(
        f"- {volume.path}: {volume.free_bytes // (1024 * 1024)} MiB free of "
        f"{volume.total_bytes // (1024 * 1024)} MiB\n"
        for volume in volumes
    )
    emails = addresses.found(
        session,
        select(User.email).where(User.role == Role.ADMIN, User.active, User.email.is_not(None)),
    )
    for email in emails:
        enqueue(
            session,
            clock,
            "alert",
            email,
            "Sealbox alert: disk space is running low",
            "A disk Sealbox writes to is filling up:\n\n" + lines + "\nWhen it is full, sources "
            "cannot send reports or files (they get their text back and are asked to try later). "
            "Free some space or grow the volume." + SIGN_OFF,
            dedupe_key=f"disk_low:{email}:{day}",
            once=True,
        )
    return len(emails)


def _to_role(session: Session, clock: Clock, role: Role, kind: str, subject: str, body: str) -> int:
    emails = addresses.found(
        session, select(User.email).where(User.role == role, User.active, User.email.is_not(None))
    )
    for email in emails:
        enqueue(session, clock, kind, email, subject, body)
    return len(emails)
