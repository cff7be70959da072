"""The handler's inbox: reports they hold a key for, newest first, paginated."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from sealbox.cases.errors import NotFound
from sealbox.store.models import Channel, ReadMark, Report, ReportKey

STATUSES = ("new", "acknowledged", "in_progress", "closed")


@dataclass(frozen=True)
class InboxItem:
    report_id: str
    channel_name: str
    received_on: dt.date
    status: str
    unread: bool
    message_count: int


@dataclass(frozen=True)
class InboxPage:
    items: tuple[InboxItem, ...]
    page: int
    pages: int
    total: int


def inbox(session: Session, user_id: str, page: int, page_size: int) -> InboxPage:
    """Reports whose key is wrapped to `user_id`. Holding the wrap is what grants access."""
    total = (
        session.scalar(select(func.count()).select_from(ReportKey).where(ReportKey.user_id == user_id))
        or 0
    )
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(Report, Channel.name, ReadMark.seen_seq)
        .join(ReportKey, and_(ReportKey.report_id == Report.id, ReportKey.user_id == user_id))
        .join(Channel, Channel.id == Report.channel_id)
        .outerjoin(ReadMark, and_(ReadMark.report_id == Report.id, ReadMark.user_id == user_id))
        .order_by(Report.received_on.desc(), Report.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = tuple(
        InboxItem(
            report_id=report.id,
            channel_name=channel_name,
            received_on=report.received_on,
            status=report.status,
            unread=(seen or 0) < report.source_seq,
            message_count=report.message_count,
        )
        for report, channel_name, seen in rows
    )
    return InboxPage(items=items, page=page, pages=pages, total=total)


def report_key(session: Session, user_id: str, report_id: str) -> ReportKey:
    """The caller's wrap of the report key; NotFound when they hold none (any other channel)."""
    wrap = session.get(ReportKey, (report_id, user_id))
    if wrap is None:
        raise NotFound("This report does not exist or is not yours to read.")
    return wrap


def mark_read(session: Session, user_id: str, report_id: str) -> None:
    report = session.get(Report, report_id)
    mark = session.get(ReadMark, (report_id, user_id))
    if mark is None:
        session.add(ReadMark(report_id=report_id, user_id=user_id, seen_seq=report.source_seq))
    else:
        mark.seen_seq = report.source_seq


def set_status(session: Session, user_id: str, report_id: str, status: str, today: dt.date) -> None:
    if status not in STATUSES:
        raise NotFound(f"Unknown status {status!r}.")
    report_key(session, user_id, report_id)
    report = session.get(Report, report_id)
    report.status = status
    if status != "new" and report.acknowledged_on is None:
        report.acknowledged_on = today
