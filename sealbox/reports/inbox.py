"""The handler's inbox: reports they hold a key for, filtered, sorted and paginated, with the
reports that need attention (unread source messages) first.

Holding a wrap of the report key is what grants access, so every query starts from the
caller's rows in report_keys (indexed by user, then report).

Order within a day. Only the day of a source's action is stored, so "newest first" sorts by
day and then by the report's id, which is random (`store.base.new_id`) and never changes: the
order within a day is stable from page to page and says nothing about which report came first.
A per-day sequence number ("the n-th report of that day") was the other choice and is
refused: it would order the day's reports among themselves, and with the audit log's times of
staff actions on them (viewed at 09:12) it would place a source's action before or after a
staff action, which a copy of the server must not allow (jobs/chronology.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.accounts.models import User
from sealbox.channels.models import Channel, ChannelHandler
from sealbox.clock import Clock
from sealbox.crypto import Identity, Recipient
from sealbox.reports import attention, titles
from sealbox.reports.models import ReadMark, Report, ReportKey, ReportLabel
from sealbox.reports.vocabulary import ReportStatus

SORTS = ("newest", "oldest", "activity", "due")
# Counting a million rows costs more than a page; past this the inbox says "1,000+" and
# pages on without a last page number.
COUNT_CAP = 1_000
# Reports needing attention shown above the first page (the rest: the "unread only" filter).
ATTENTION_ROWS = 10


@dataclass(frozen=True)
class InboxFilter:
    status: ReportStatus | None = None
    channel_id: str = ""
    label: str = ""
    overdue: bool = False
    flagged: bool = False
    unread: bool = False
    sort: str = "newest"

    @property
    def narrowing(self) -> bool:
        """True when some filter hides reports (the sort order alone does not)."""
        return bool(
            self.status is not None
            or self.channel_id
            or self.label
            or self.overdue
            or self.flagged
            or self.unread
        )

    def query_string(self, page: int | None = None) -> str:
        pairs = {
            "status": self.status or "",
            "channel": self.channel_id,
            "label": self.label,
            "overdue": "1" if self.overdue else "",
            "flagged": "1" if self.flagged else "",
            "unread": "1" if self.unread else "",
            "sort": self.sort if self.sort != "newest" else "",
            "page": str(page) if page and page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass(frozen=True)
class InboxItem:
    report_id: str
    channel_name: str
    received_on: dt.date
    status: str
    unread: bool
    message_count: int
    due_on: dt.date | None = None
    overdue: bool = False
    flagged: bool = False
    labels: tuple[str, ...] = ()
    unread_count: int = 0
    # The day of the newest source message (shown for reports needing attention).
    source_on: dt.date | None = None
    activity_on: dt.date | None = None
    title: str = ""
    preview: str = ""


@dataclass(frozen=True)
class InboxPage:
    items: tuple[InboxItem, ...]
    page: int
    pages: int
    total: int
    capped: bool = False  # more than COUNT_CAP: `total` and `pages` are lower bounds
    page_size: int = 0
    # Reports with unread source messages, shown first on the first page of an unfiltered list.
    attention: tuple[InboxItem, ...] = ()
    attention_more: bool = False

    @property
    def has_next(self) -> bool:
        if self.capped:
            return len(self.items) == self.page_size
        return self.page < self.pages


def inbox(
    session: Session,
    user_id: str,
    page: int,
    page_size: int,
    filters: InboxFilter | None = None,
    today: dt.date | None = None,
    identity: Identity | None = None,
) -> InboxPage:
    """One page of the reports whose key is wrapped to `user_id`, matching `filters`.

    Read marks are sealed to the reader: without their `identity` every report shows unread.
    """
    filters = filters or InboxFilter()
    today = today or Clock().today()  # UTC, as every date the instance stores
    conditions = _conditions(user_id, filters, today)
    if filters.unread:
        return _unread_page(session, user_id, identity, conditions, page, page_size, today)
    counted = session.scalar(
        select(func.count()).select_from(
            select(Report.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
        )
    )
    capped = (counted or 0) > COUNT_CAP
    total = min(counted or 0, COUNT_CAP)
    pages = max(1, math.ceil(total / page_size))
    page = max(1, page) if capped else min(max(1, page), pages)
    query = (
        select(Report, Channel.name, ReadMark.seen)
        .join(Channel, Channel.id == Report.channel_id)
        .outerjoin(ReadMark, and_(ReadMark.report_id == Report.id, ReadMark.user_id == user_id))
        .where(*conditions)
    )
    if filters.sort == "oldest":
        query = query.order_by(Report.received_on.asc(), Report.id.asc())
    elif filters.sort == "activity":
        query = query.order_by(Report.activity_on.desc(), Report.id.desc())
    elif filters.sort == "due":
        if not filters.overdue:
            # Reports without a running deadline go last (NULLs sort first in SQLite's index).
            query = query.order_by(Report.due_on.is_(None).asc())
        query = query.order_by(Report.due_on.asc(), Report.id.asc())
    else:
        query = query.order_by(Report.received_on.desc(), Report.id.desc())
    rows = session.execute(query.limit(page_size).offset((page - 1) * page_size)).all()
    listed = [(report, name, attention.seen_count(seen, identity)) for report, name, seen in rows]
    needing: list[attention.Unread] = []
    more = False
    if page == 1 and not filters.narrowing:
        needing, more = attention.unread(session, user_id, identity, conditions, ATTENTION_ROWS)
    items = _items(
        session,
        user_id,
        identity,
        today,
        listed + [(u.report, u.channel_name, u.seen) for u in needing],
    )
    return InboxPage(
        items[: len(listed)],
        page,
        pages,
        total,
        capped=capped,
        page_size=page_size,
        attention=items[len(listed) :],
        attention_more=more,
    )


def _conditions(user_id: str, filters: InboxFilter, today: dt.date) -> list[ColumnElement[bool]]:
    # The wrap is tested per report (EXISTS) rather than joined, so that the database walks a
    # reports index in the page's order and stops after one page, instead of sorting every
    # report the handler holds (bench/inbox: a million reports).
    holds = (
        select(ReportKey.report_id)
        .where(ReportKey.report_id == Report.id, ReportKey.user_id == user_id)
        .exists()
    )
    # Reports that came past an hourly ceiling wait in quarantine (reports/quarantine.py).
    conditions = [holds, Report.quarantined.is_(False)]
    if filters.status is not None:
        conditions.append(Report.status == filters.status)
    if filters.channel_id:
        conditions.append(Report.channel_id == filters.channel_id)
    if filters.overdue:
        conditions.append(Report.due_on < today)
    if filters.flagged:
        conditions.append(Report.flagged.is_(True))
    if filters.label:
        labelled = select(ReportLabel.report_id).where(ReportLabel.label == filters.label)
        conditions.append(Report.id.in_(labelled))
    return conditions


def _unread_page(
    session: Session,
    user_id: str,
    identity: Identity | None,
    conditions: Sequence[ColumnElement[bool]],
    page: int,
    page_size: int,
    today: dt.date,
) -> InboxPage:
    """The "unread only" list: newest activity first, as far as attention.SCAN_CAP reaches."""
    page = max(1, page)
    found, more = attention.unread(session, user_id, identity, conditions, page * page_size)
    total = len(found) + (1 if more else 0)
    pages = max(1, math.ceil(len(found) / page_size))
    chosen = found[(page - 1) * page_size : page * page_size]
    items = _items(
        session, user_id, identity, today, [(u.report, u.channel_name, u.seen) for u in chosen]
    )
    return InboxPage(
        items,
        page,
        pages if not more else page + 1,
        min(total, COUNT_CAP),
        capped=more,
        page_size=page_size,
    )


def _items(
    session: Session,
    user_id: str,
    identity: Identity | None,
    today: dt.date,
    rows: Sequence[tuple[Report, str, int]],
) -> tuple[InboxItem, ...]:
    """Rows as the page shows them; titles and previews opened in memory for this page."""
    ids = list({report.id for report, _, _ in rows})
    labels: dict[str, list[str]] = {}
    if ids:
        for report_id, label in session.execute(
            select(ReportLabel.report_id, ReportLabel.label)
            .where(ReportLabel.report_id.in_(ids))
            .order_by(ReportLabel.label)
        ):
            labels.setdefault(report_id, []).append(label)
    texts = titles.row_texts(session, user_id, identity, {r.id: r for r, _, _ in rows}.values())
    behind = {r.id: r.source_seq - seen for r, _, seen in rows if seen < r.source_seq}
    newest = attention.newest_from_source(session, list(behind))
    blank = titles.RowText()
    return tuple(
        InboxItem(
            report_id=report.id,
            channel_name=channel_name,
            received_on=report.received_on,
            status=report.status,
            unread=report.id in behind,
            message_count=report.message_count,
            due_on=report.due_on,
            overdue=report.due_on is not None and report.due_on < today,
            flagged=report.flagged,
            labels=tuple(labels.get(report.id, ())),
            unread_count=behind.get(report.id, 0),
            source_on=newest.get(report.id),
            activity_on=report.activity_on,
            title=texts.get(report.id, blank).title,
            preview=texts.get(report.id, blank).preview,
        )
        for report, channel_name, _ in rows
    )


def channels_of(session: Session, user_id: str) -> list[tuple[str, str]]:
    """(id, name) of the channels a handler is assigned to, for the inbox's filter."""
    return list(
        session.execute(
            select(Channel.id, Channel.name)
            .join(ChannelHandler, ChannelHandler.channel_id == Channel.id)
            .where(ChannelHandler.user_id == user_id)
            .order_by(Channel.name)
        ).all()
    )


def mark_read(session: Session, user_id: str, report_id: str) -> None:
    """Note that `user_id` has seen every source message so far, sealed to their own key."""
    report = session.get(Report, report_id)
    user = session.get(User, user_id)
    if report is None or user is None or user.public_key is None:
        return
    seen = crypto.seal(str(report.source_seq).encode(), Recipient.parse(user.public_key))
    mark = session.get(ReadMark, (report_id, user_id))
    if mark is None:
        session.add(ReadMark(report_id=report_id, user_id=user_id, seen=seen))
    else:
        mark.seen = seen
