"""The reports service: what the staff report pages and the command line call.

Each call opens its own transaction, asks `access` whether the actor may open the report (and
with which key), and writes its audit entries in the transaction that does the work, so no
page or command can read or change a report without its record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sealbox import audit
from sealbox.accounts import staff
from sealbox.accounts.actor import StaffContext
from sealbox.accounts.staff_admin import INSTALLER
from sealbox.audit.actions import AuditAction
from sealbox.errors import Forbidden, NotFound
from sealbox.reports import (
    access,
    assignment,
    bulk_access,
    dialog,
    export,
    inbox,
    intake,
    notes,
    previews,
    quarantine,
    report_page,
    search,
    titles,
    workflow,
)
from sealbox.reports.dialog import FileMeta
from sealbox.reports.downloads import Download
from sealbox.reports.export import Bundle
from sealbox.reports.inbox import InboxFilter, InboxPage
from sealbox.reports.previews import PreviewInfo
from sealbox.reports.quarantine import QuarantinePage, Triaged
from sealbox.reports.report_page import ReportPage, SealedOffline
from sealbox.reports.search import SearchResult
from sealbox.reports.vocabulary import Author
from sealbox.scrub import PreviewResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sealbox.services import Services


@dataclass(frozen=True)
class InboxView:
    """A handler's inbox page: one page of reports, their channels, the quarantine's count."""

    listing: InboxPage
    channels: tuple[tuple[str, str], ...]
    # How many reports wait in the caller's quarantine, at most quarantine.COUNT_CAP + 1.
    quarantined: int
    today: dt.date
    quarantine_cap: int = quarantine.COUNT_CAP


@dataclass(frozen=True)
class QuarantineView:
    listing: QuarantinePage
    channels: tuple[tuple[str, str], ...]


class Reports:
    """Reading and working the reports a staff member holds a key for."""

    def __init__(self, services: Services) -> None:
        self._services = services

    # Reading

    def inbox(self, ctx: StaffContext, filters: InboxFilter, page: int) -> InboxView:
        """One page of the reports whose key is wrapped to the caller."""
        svc = self._services
        today = svc.clock.today()
        with svc.db.transaction() as session:
            listing = inbox.inbox(
                session,
                ctx.user_id,
                page,
                svc.settings.inbox_page_size,
                filters,
                today,
                ctx.identity,
            )
            channels = inbox.channels_of(session, ctx.user_id)
            waiting = quarantine.waiting(session, ctx.user_id)
        return InboxView(listing, tuple(channels), min(waiting, quarantine.COUNT_CAP + 1), today)

    def search(self, ctx: StaffContext, query: str) -> SearchResult:
        """The caller's reports that contain every word of `query`, opened in memory for this
        request. Audited like viewing: one entry for the search (how many reports were opened,
        never the words, which may name someone) and one per report it showed."""
        svc = self._services
        terms = search.parse_terms(query)  # a bad query is refused before anything is opened
        with svc.db.transaction() as session:
            if ctx.identity is None:
                raise Forbidden(access.READ_OFFLINE)
            result = search.search(session, ctx.user_id, ctx.identity, query)
            audit.record(
                session,
                svc.clock,
                ctx.username,
                AuditAction.REPORTS_SEARCHED,
                f"user:{ctx.username}",
                words=len(terms),
                opened=result.searched,
                found=len(result.hits),
            )
            for hit in result.hits:
                self._record(
                    session, ctx.username, AuditAction.REPORT_FOUND_BY_SEARCH, hit.report_id
                )
        return result

    def report_page(self, ctx: StaffContext, report_id: str) -> ReportPage | SealedOffline:
        """The report page, marked read and audited as viewed (which may raise the bulk-access
        alert); for a key kept offline, the notice that only the export opens it."""
        svc = self._services
        with svc.db.transaction() as session:
            access.require_wrap(session, ctx.user_id, report_id)
            if ctx.identity is None:
                self._record(session, ctx.username, AuditAction.REPORT_OFFLINE_NOTICE, report_id)
                return SealedOffline(report_id)
            page = report_page.assemble(session, ctx, report_id, svc.clock.today())
            inbox.mark_read(session, ctx.user_id, report_id)
            bulk_access.note_report_access(
                session, svc.clock, svc.settings, ctx.username, report_id
            )
        return page

    def download(self, ctx: StaffContext, report_id: str, file_id: str) -> Download:
        """One attachment of the report, to be decrypted as it streams out."""
        svc = self._services
        with svc.db.transaction() as session:
            report_key = access.open_report_key(session, ctx, report_id)
            blob_id, meta = dialog.file_meta(session, report_id, file_id, report_key)
            # The report, not the file: naming a source's file would date its upload (it existed
            # by this entry's time), ordering the source's turn among the staff's.
            self._record(session, ctx.username, AuditAction.FILE_DOWNLOADED, report_id)
        return Download(meta["display_name"], meta["size"], blob_id, svc.blobs, report_key)

    def preview_info(self, ctx: StaffContext, report_id: str, file_id: str) -> PreviewInfo:
        """What a preview of the attachment shows: its pages, counted in the isolated worker
        (or the refusal that says why it cannot be drawn). Audited as a look at the file."""
        meta, result = self._preview(ctx, report_id, file_id, 0)
        cleaning = meta.get("cleaning")
        cleaned = cleaning is None or cleaning["outcome"] != "cannot_clean"
        return PreviewInfo(
            file_id, meta["display_name"], result.kind, result.pages, result.total, cleaned
        )

    def preview_page(self, ctx: StaffContext, report_id: str, file_id: str, page: int) -> bytes:
        """Page `page` of the attachment drawn to PNG in the isolated worker (audited)."""
        if not 1 <= page <= previews.MAX_PAGES:
            raise NotFound("This file has no such page in its preview.")
        _, result = self._preview(ctx, report_id, file_id, page)
        png: bytes | None = result.png
        assert png is not None
        return png

    def _preview(
        self, ctx: StaffContext, report_id: str, file_id: str, page: int
    ) -> tuple[FileMeta, PreviewResult]:
        svc = self._services
        with svc.db.transaction() as session:
            report_key = access.open_report_key(session, ctx, report_id)
            blob_id, meta = dialog.file_meta(session, report_id, file_id, report_key)
            # As a download: the report, not the file (see `download`).
            self._record(session, ctx.username, AuditAction.FILE_PREVIEWED, report_id, page=page)
        result = previews.draw(svc.blobs, svc.settings, blob_id, meta, report_key, page)
        return meta, result

    def export(self, ctx: StaffContext, report_id: str) -> Bundle:
        """The caller's export bundle of the report (their own wrap of its key, all sealed)."""
        with self._services.db.transaction() as session:
            return self._export(session, ctx.username, ctx.user_id, ctx.username, report_id)

    def export_for(self, username: str, report_id: str) -> Bundle:
        """The command line's export of a report for the handler `username`: their wrap goes in
        the bundle, so only their key opens it."""
        with self._services.db.transaction() as session:
            user = staff.get_user(session, username)
            if user is None:
                raise NotFound("This account does not exist.")
            return self._export(session, INSTALLER, user.id, username, report_id)

    def _export(
        self, session: Session, actor: str, user_id: str, username: str, report_id: str
    ) -> Bundle:
        plan = export.bundle_plan(session, user_id, report_id)
        # One shape from the web and the command line: who acted, and whose wrap went out.
        self._record(session, actor, AuditAction.REPORT_EXPORTED, report_id, for_user=username)
        return Bundle(report_id, plan, self._services.blobs)

    # Working a case

    def reply(self, ctx: StaffContext, report_id: str, text: str, feedback: bool = False) -> None:
        """Send the source a reply (sealed to the report key, which anyone may seal to);
        `feedback`: the handler marks it as the feedback on the outcome, which stops the
        3-month clock (audited with the reply)."""
        svc = self._services
        with svc.db.transaction() as session:
            access.require_wrap(session, ctx.user_id, report_id)
            public_key = export.report_public_key(session, report_id)
        draft = intake.Draft.for_report(svc, public_key)

        def bookkeeping(session: Session) -> None:
            # Still theirs when the reply goes in: a handler removed meanwhile sends nothing.
            access.require_wrap(session, ctx.user_id, report_id)
            workflow.record_reply(session, svc.clock.today(), report_id, feedback)
            details = {"feedback": True} if feedback else {}
            self._record(session, ctx.username, AuditAction.REPLY_SENT, report_id, **details)

        intake.follow_up(svc, draft, report_id, Author.STAFF, ctx.user_id, text, also=bookkeeping)

    def set_status(self, ctx: StaffContext, report_id: str, status: str, outcome: str) -> None:
        with self._services.db.transaction() as session:
            workflow.set_status(session, self._services.clock, ctx, report_id, status, outcome)

    def set_labels(self, ctx: StaffContext, report_id: str, text: str) -> None:
        with self._services.db.transaction() as session:
            workflow.set_labels(session, self._services.clock, ctx, report_id, text)

    def set_title(self, ctx: StaffContext, report_id: str, text: str) -> None:
        """Seal the report's title to its notes key (handlers only)."""
        with self._services.db.transaction() as session:
            titles.set_title(session, self._services.clock, ctx, report_id, text)

    def set_flag(self, ctx: StaffContext, report_id: str, on: bool) -> None:
        with self._services.db.transaction() as session:
            workflow.set_flag(session, self._services.clock, ctx, report_id, on)

    def set_legal_hold(self, ctx: StaffContext, report_id: str, on: bool) -> None:
        with self._services.db.transaction() as session:
            workflow.set_legal_hold(session, self._services.clock, ctx, report_id, on)

    def add_note(self, ctx: StaffContext, report_id: str, text: str) -> None:
        with self._services.db.transaction() as session:
            notes.add_note(session, self._services.clock, ctx, report_id, text)

    def add_handler(self, ctx: StaffContext, report_id: str, user_id: str) -> None:
        """Give the report to another handler (their own wrap of its key)."""
        with self._services.db.transaction() as session:
            assignment.add_handler(session, self._services.clock, ctx, report_id, user_id)

    def remove_handler(self, ctx: StaffContext, report_id: str, user_id: str) -> None:
        """Take the report from a handler: their wraps go, and access ends at once."""
        with self._services.db.transaction() as session:
            assignment.remove_handler(session, self._services.clock, ctx, report_id, user_id)

    # The quarantine

    def quarantine(self, ctx: StaffContext, page: int, channel_id: str = "") -> QuarantineView:
        """One page of the caller's quarantine (audited as listed)."""
        with self._services.db.transaction() as session:
            listing = quarantine.listing(session, self._services.clock, ctx, page, channel_id)
            channels = inbox.channels_of(session, ctx.user_id)
        return QuarantineView(listing, tuple(channels))

    def triage(
        self, ctx: StaffContext, action: str, report_ids: list[str], confirmed: bool
    ) -> Triaged:
        """ "release" moves the chosen reports to the inbox; "spam" (once `confirmed`) shreds
        them for good."""
        chosen = quarantine.check_triage(action, report_ids, confirmed)
        if action == "release":
            with self._services.db.transaction() as session:
                return quarantine.release(session, self._services.clock, ctx, chosen)
        return quarantine.shred_spam(self._services, ctx, chosen)

    def _record(
        self, session: Session, actor: str, action: AuditAction, report_id: str, **details: object
    ) -> None:
        audit.record(session, self._services.clock, actor, action, f"report:{report_id}", **details)
