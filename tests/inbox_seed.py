"""Many reports at once for the inbox tests and benches: rows written through the domain's
models in one transaction, with one report key and one notes key shared by all (sealing
is the slow part, and these tests are about the inbox, not the keys). The reports a test is
about are made through the app's public surfaces instead."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select

from sealbox import crypto
from sealbox.accounts.models import User
from sealbox.crypto import Identity, Recipient
from sealbox.reports import deadlines, preview
from sealbox.reports.models import Message, NoteKey, ReadMark, Report, ReportKey
from sealbox.reports.vocabulary import ReportStatus
from sealbox.services import Services
from sealbox.store.base import new_id


@dataclass(frozen=True)
class Seeded:
    report_ids: list[str]
    report_key: Identity
    notes_key: Identity


def seed(
    services: Services,
    username: str,
    channel_id: str,
    count: int,
    today: dt.date,
    days: int = 60,
    read_every: int = 1,
    texts: list[str] | None = None,
    answers: dict[str, str] | None = None,
) -> Seeded:
    """`count` reports of `channel_id` held by `username`, received over the past `days` days.

    Every `read_every`-th report has been read by the holder (a sealed read mark); every third
    had a follow-up from its source, which the holder has read too when the report is read.
    `texts` (cycled) are the reports' first messages, by default "report n", with `answers`.
    """
    report_key = Identity.generate()
    notes_key = Identity.generate()
    with services.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None and user.public_key
        own = Recipient.parse(user.public_key)
        key_wrap = crypto.wrap_identity(report_key, own)
        notes_wrap = crypto.wrap_identity(notes_key, own)
        marks = {n: crypto.seal(str(n).encode(), own) for n in (1, 2)}
        place = crypto.seal(b"0", report_key.recipient)
        ids = []
        dependants: list[object] = []
        for n in range(count):
            text = texts[n % len(texts)] if texts else f"report {n}"
            received = today - dt.timedelta(days=n * days // max(count, 1))
            follow_up = n % 3 == 0
            report = Report(
                id=new_id(),
                channel_id=channel_id,
                public_key=str(report_key.recipient),
                received_on=received,
                status=ReportStatus.NEW,
                source_seq=2 if follow_up else 1,
                message_count=2 if follow_up else 1,
                due_on=deadlines.initial_due(received),
                activity_on=received,
                notes_public_key=str(notes_key.recipient),
                preview=preview.seal_preview(text, None, notes_key.recipient),
            )
            session.add(report)
            dependants.append(ReportKey(report_id=report.id, user_id=user.id, wrapped=key_wrap))
            dependants.append(NoteKey(report_id=report.id, user_id=user.id, wrapped=notes_wrap))
            body = crypto.seal(
                json.dumps({"text": text, "answers": answers or {}}).encode(), report_key.recipient
            )
            dependants.append(
                Message(
                    report_id=report.id,
                    place=place,
                    author="source",
                    sent_on=received,
                    body=body,
                )
            )
            if follow_up:
                dependants.append(
                    Message(
                        report_id=report.id,
                        place=crypto.seal(b"1", report_key.recipient),
                        author="source",
                        sent_on=received,
                        body=crypto.seal(b'{"text": "more", "answers": {}}', report_key.recipient),
                    )
                )
            if n % read_every == 0:
                dependants.append(
                    ReadMark(report_id=report.id, user_id=user.id, seen=marks[report.source_seq])
                )
            ids.append(report.id)
        session.flush()  # the reports first: their rows are what the others point to
        session.add_all(dependants)
    return Seeded(ids, report_key, notes_key)
