"""Search over the content of the reports a handler can open: text, answers, messages, notes,
titles and file names.

Everything it reads is sealed, so the search opens each report in memory, inside the request
that asks, and keeps nothing: no index, no table, no temporary file, no cache. (An index would
be a second copy of every report, readable by whoever holds its key; a cache per staff session
would keep plaintext in a process's memory between requests, beyond what a request needs.)
Matching is a substring test on NFKC-normalised, case-folded text: 仓库 finds 仓库经理 and
Uyghur text typed in presentation forms finds the same words in base letters. Every word of
the query must occur somewhere in the report.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from sealbox import crypto
from sealbox.channels.models import Channel
from sealbox.crypto import CannotOpen, Identity, Sealed
from sealbox.errors import BadInput
from sealbox.reports.models import Attachment, Message, Note, NoteKey, Report, ReportKey

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_HITS = 100
SNIPPET_CHARS = 60
# Where a match was found, as the page names it.
WHERE = ("text", "answers", "reply", "note", "title", "file")


@dataclass(frozen=True)
class Hit:
    report_id: str
    channel_name: str
    received_on: dt.date
    status: str
    title: str
    where: tuple[str, ...]
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    searched: int  # reports opened in memory
    more: bool  # more than MAX_HITS matched
    unopened: int = 0  # reports whose key did not open (damaged wraps)


@dataclass
class _Sealed:
    """One report's sealed parts, gathered before anything is opened."""

    report: Report
    channel_name: str
    key_wrap: Sealed
    notes_wrap: Sealed | None = None
    messages: list[tuple[str, Sealed]] = field(default_factory=list)
    files: list[Sealed] = field(default_factory=list)
    notes: list[Sealed] = field(default_factory=list)


def normalise(text: str) -> str:
    """The form both sides are compared in: NFKC (full-width, ligatures, Arabic presentation
    forms to their letters), then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def parse_terms(query: str) -> list[str]:
    """The query's words, normalised; BadInput for an empty or overlong query."""
    query = query.strip()
    if not query:
        raise BadInput("Type a word to search for.")
    if len(query) > MAX_QUERY_CHARS:
        raise BadInput("A search has at most %(max)s characters.", max=MAX_QUERY_CHARS)
    terms: list[str] = []
    for word in normalise(query).split():
        if word not in terms:
            terms.append(word)
    if len(terms) > MAX_TERMS:
        raise BadInput("A search has at most %(max)s words.", max=MAX_TERMS)
    return terms


def search(session: Session, user_id: str, identity: Identity, query: str) -> SearchResult:
    """Reports held by `user_id` in which every word of `query` occurs, newest first."""
    terms = parse_terms(query)
    gathered = _gather(session, user_id)
    hits: list[Hit] = []
    unopened = 0
    more = False
    for sealed in gathered:
        try:
            hit = _match(sealed, identity, terms)
        except CannotOpen:
            unopened += 1
            continue
        if hit is None:
            continue
        if len(hits) == MAX_HITS:
            more = True
            break
        hits.append(hit)
    return SearchResult(query.strip(), tuple(hits), len(gathered), more, unopened)


def _gather(session: Session, user_id: str) -> list[_Sealed]:
    """Every sealed part of the caller's reports, in a handful of queries, newest first."""
    held = and_(ReportKey.user_id == user_id)
    reports: dict[str, _Sealed] = {}
    for report, channel_name, wrap in session.execute(
        select(Report, Channel.name, ReportKey.wrapped)
        .join(ReportKey, ReportKey.report_id == Report.id)
        .join(Channel, Channel.id == Report.channel_id)
        .where(held)
        .order_by(Report.received_on.desc(), Report.id.desc())
    ):
        reports[report.id] = _Sealed(report, channel_name, wrap)
    for report_id, wrap in session.execute(
        select(NoteKey.report_id, NoteKey.wrapped).where(NoteKey.user_id == user_id)
    ):
        if report_id in reports:
            reports[report_id].notes_wrap = wrap
    for report_id, author, body in session.execute(
        select(Message.report_id, Message.author, Message.body).join(
            ReportKey, and_(ReportKey.report_id == Message.report_id, held)
        )
    ):
        reports[report_id].messages.append((author, body))
    for report_id, meta in session.execute(
        select(Attachment.report_id, Attachment.meta)
        .join(ReportKey, and_(ReportKey.report_id == Attachment.report_id, held))
        .where(Attachment.held.is_(False))  # not cleaned: handlers do not see it at all
    ):
        reports[report_id].files.append(meta)
    for report_id, body in session.execute(
        select(Note.report_id, Note.body).join(
            ReportKey, and_(ReportKey.report_id == Note.report_id, held)
        )
    ):
        reports[report_id].notes.append(body)
    return list(reports.values())


def _match(sealed: _Sealed, identity: Identity, terms: list[str]) -> Hit | None:
    """The hit for one report, opened in memory, or None when some word does not occur."""
    key = crypto.unwrap_identity(sealed.key_wrap, identity)
    found: dict[str, list[str]] = defaultdict(list)  # where -> texts

    for author, body in sealed.messages:
        opened = json.loads(crypto.unseal(body, key))
        found["text" if author == "source" else "reply"].append(opened.get("text", ""))
        answers = opened.get("answers") or {}
        if answers:
            found["answers"].append("\n".join(f"{q}: {a}" for q, a in answers.items()))
    for meta in sealed.files:
        found["file"].append(json.loads(crypto.unseal(meta, key)).get("display_name", ""))
    title = ""
    if sealed.notes_wrap is not None and (sealed.notes or sealed.report.title is not None):
        notes_key = crypto.unwrap_identity(sealed.notes_wrap, identity)
        if sealed.report.title is not None:
            title = crypto.unseal(sealed.report.title, notes_key).decode()
            found["title"].append(title)
        for note in sealed.notes:
            found["note"].append(json.loads(crypto.unseal(note, notes_key)).get("text", ""))

    normalised = {where: [normalise(t) for t in texts] for where, texts in found.items()}
    if not all(any(term in t for ts in normalised.values() for t in ts) for term in terms):
        return None
    where = tuple(
        w for w in WHERE if any(term in t for t in normalised.get(w, ()) for term in terms)
    )
    return Hit(
        report_id=sealed.report.id,
        channel_name=sealed.channel_name,
        received_on=sealed.report.received_on,
        status=sealed.report.status,
        title=title,
        where=where,
        snippet=_snippet(found, terms[0]),
    )


def _snippet(found: dict[str, list[str]], term: str) -> str:
    """A few words around the first occurrence of `term`, from the first place it occurs."""
    for where in WHERE:
        for text in found.get(where, ()):
            folded = normalise(text)
            at = folded.find(term)
            if at < 0:
                continue
            # NFKC and case-folding may change lengths; the position is close enough to cut by.
            flat = " ".join(text.split())
            at = normalise(flat).find(term)
            start = max(0, at - SNIPPET_CHARS)
            end = min(len(flat), at + len(term) + SNIPPET_CHARS)
            return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
    return ""
