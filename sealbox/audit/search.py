"""What auditors look at: the log filtered by actor, action, target and day, newest first.
Each action comes with its label (`actions.LABELS`) beside the name it is stored under."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sealbox.audit import actions as vocabulary
from sealbox.audit.log import timestamp
from sealbox.audit.models import AuditEntry


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    target: str = ""  # a prefix: "report:" lists every report action, "user:ab12" one account
    since: dt.date | None = None
    until: dt.date | None = None

    def query_string(self) -> str:
        pairs = {k: v for k, v in self.__dict__.items() if v}
        return urlencode(
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in pairs.items()}
        )


@dataclass(frozen=True)
class ActionName:
    """An action as stored, and the message id of its label (None: a name this version lacks)."""

    name: str
    label: str | None


@dataclass(frozen=True)
class Row:
    seq: int
    at: str
    actor: str
    action: ActionName
    target: str
    details: dict[str, object]
    hash: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[Row, ...]
    page: int
    pages: int
    total: int


def search(session: Session, filters: Filters, page: int, page_size: int) -> AuditPage:
    """One page of entries matching `filters` (all of them), newest first."""
    conditions = []
    if filters.actor:
        conditions.append(AuditEntry.actor == filters.actor)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.target:
        escaped = filters.target.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(AuditEntry.target.like(escaped + "%", escape="\\"))
    if filters.since:
        conditions.append(AuditEntry.at >= _midnight(filters.since))
    if filters.until:
        conditions.append(AuditEntry.at < _midnight(filters.until + dt.timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    entries = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.seq.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = tuple(
        Row(
            seq=e.seq,
            at=timestamp(e.at).replace("+00:00", "Z"),
            actor=e.actor or "",
            action=ActionName(e.action, vocabulary.label(e.action)),
            target=e.target or "",
            details=json.loads(e.details or "{}"),
            hash=e.hash,
        )
        for e in entries
    )
    return AuditPage(rows=rows, page=page, pages=pages, total=total)


def actions(session: Session) -> list[ActionName]:
    """Every action that occurs in the log, for the filter's choices."""
    names = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return [ActionName(name, vocabulary.label(name)) for name in names]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
