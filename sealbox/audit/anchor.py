"""Anchors: the log's head, signed with the instance's Ed25519 key and kept outside the database.

An anchor names one entry (its number and hash) and so pins every entry before it. The server
keeps its newest anchor in a file beside the database (`settings.audit_anchor_path`), auditors
keep theirs (mailed daily, downloaded, or printed by `sealbox audit anchor`), and `sealbox audit
verify` checks the log against all it has. Someone who rewrites the database alone cannot sign a
new anchor, nor make a rewritten log match an old one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sealbox.audit import verify
from sealbox.audit.actions import AuditAction
from sealbox.audit.log import GENESIS, SYSTEM, record
from sealbox.audit.models import AuditEntry
from sealbox.crypto import InvalidKey, SigningKey, VerifyKey
from sealbox.errors import DamagedData

if TYPE_CHECKING:  # the composition root: for annotations only, never imported here
    from sealbox.services import Services

FORMAT = "sealbox-audit-anchor/1"


class BadAnchor(DamagedData):
    """A file that is not an anchor, or one this instance did not sign (altered, forged, from
    another instance). A refusal like any other: a message id with its values, so the
    auditor's page says it in the auditor's language."""

    code = "bad_anchor"


@dataclass(frozen=True)
class Anchor:
    seq: int  # 0 names the empty log
    hash: str
    signed_at: str  # UTC, ISO 8601, to the second
    public_key: str  # hex Ed25519 key of the instance that signed it
    signature: str  # hex

    def message(self) -> bytes:
        """The signed bytes: every field but the signature, as canonical JSON."""
        fields = {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "signed_at": self.signed_at,
            "public_key": self.public_key,
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")

    def signed_by(self, key: VerifyKey) -> bool:
        try:
            signature = bytes.fromhex(self.signature)
        except ValueError:
            return False
        return self.public_key == str(key) and key.verify(signature, self.message())

    def to_text(self) -> str:
        """The anchor as a small JSON document, one field a line (mail clients keep it intact)."""
        fields = json.loads(self.message()) | {"signature": self.signature}
        return json.dumps(fields, indent=1, sort_keys=True) + "\n"

    @property
    def day(self) -> str:
        return self.signed_at[:10]


def parse(text: str) -> Anchor:
    """Read an anchor from its JSON, alone or inside other text (a saved mail)."""
    start, end = text.find("{"), text.rfind("}")
    try:
        raw = json.loads(text[start : end + 1]) if start >= 0 < end else None
    except json.JSONDecodeError:
        raw = None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BadAnchor("This is not a Sealbox audit anchor.")
    try:
        anchor = Anchor(
            seq=int(raw["seq"]),
            hash=str(raw["hash"]),
            signed_at=str(raw["signed_at"]),
            public_key=str(raw["public_key"]),
            signature=str(raw["signature"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadAnchor("This audit anchor is incomplete or damaged.") from exc
    return anchor


def signing_key(services: Services) -> SigningKey:
    return SigningKey.from_seed(services.secrets.signing_seed)


def verify_key(services: Services) -> VerifyKey:
    return signing_key(services).verify_key


def sign(services: Services, seq: int, head: str) -> Anchor:
    """Sign the head `head` of entry `seq` now."""
    key = signing_key(services)
    unsigned = Anchor(
        seq=seq,
        hash=head,
        signed_at=services.clock.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        public_key=str(key.verify_key),
        signature="",
    )
    return Anchor(**{**unsigned.__dict__, "signature": key.sign(unsigned.message()).hex()})


def check(services: Services, anchor: Anchor) -> None:
    """Refuse an anchor this instance did not sign (another instance, a changed key, a forgery)."""
    try:
        key = verify_key(services)
    except InvalidKey as exc:  # pragma: no cover - the seed is always 32 bytes
        raise BadAnchor("This instance's signing key cannot be read.") from exc
    if not anchor.signed_by(key):
        raise BadAnchor(
            "The anchor of %(day)s (entry %(seq)s) is not signed by this instance's key: it was "
            "altered, comes from another instance, or the key was replaced.",
            day=anchor.day,
            seq=anchor.seq,
        )


# The server's own copy -------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_local(services: Services) -> Anchor | None:
    """The server's newest anchor, or None when it has none yet (BadAnchor when damaged)."""
    path = services.settings.audit_anchor_path
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadAnchor(
            "The server's anchor %(path)s cannot be read (%(reason)s).",
            path=str(path),
            reason=type(exc).__name__,
        ) from exc
    return parse(text)


def keep(services: Services, anchor: Anchor) -> None:
    """Make `anchor` the server's copy, unless the one it has names a later entry."""
    path = services.settings.audit_anchor_path
    with _locked(path):
        _keep_unlocked(services, anchor)


def _keep_unlocked(services: Services, anchor: Anchor) -> None:
    path = services.settings.audit_anchor_path
    with contextlib.suppress(BadAnchor):
        current = read_local(services)
        # A shorter log never replaces a longer anchor: a cut-off end stays detectable.
        if current is not None and current.seq > anchor.seq:
            return
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(anchor.to_text())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def head(services: Services) -> tuple[int, str]:
    """(number, hash) of the newest entry; (0, GENESIS) for an empty log."""
    with services.db.transaction() as session:
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    return (last.seq, last.hash) if last else (0, GENESIS)


def adopt(services: Services) -> None:
    """At start: give an instance its first anchor, keying a log written before keys existed.

    Runs once per instance. The first anchor's file is what marks it done, and it is outside the
    database, so a rewritten database cannot make the server key (and so bless) a forged log.
    A log that already holds keyed entries but lost its anchor file is left to the next anchor.
    """
    path = services.settings.audit_anchor_path
    if path.exists():
        return
    with _locked(path):
        if path.exists():
            return
        with services.db.transaction() as session:
            keyed = session.scalar(
                select(AuditEntry.seq).where(AuditEntry.mac.is_not(None)).limit(1)
            )
            if keyed is not None:
                return
            legacy = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
            if legacy:
                if not verify.verify(session).intact:
                    return  # never key a broken chain: `verify` keeps reporting the break
                # This keyed entry's digest covers the hash of every entry before it.
                record(
                    session,
                    services.clock,
                    SYSTEM,
                    AuditAction.AUDIT_LOG_KEYED,
                    None,
                    legacy_entries=legacy,
                )
        seq, last = head(services)
        _keep_unlocked(services, sign(services, seq, last))


# Verification and signing on behalf of the instance -------------------------------------------


class LogBroken(Exception):
    """The log failed verification; no anchor is signed over a broken log."""

    def __init__(self, verdict: verify.Verdict) -> None:
        super().__init__(verdict.problem)
        self.verdict = verdict


def verify_instance(
    services: Services, extra: Sequence[Anchor] = (), expected_head: str | None = None
) -> verify.Verdict:
    """Verify the log with the audit key, against the server's anchor and any `extra` ones.

    BadAnchor when an anchor was not signed by this instance (the server's own included).
    """
    anchors = list(extra)
    local = read_local(services)
    if local is not None:
        anchors.append(local)
    for anchor in anchors:
        check(services, anchor)
    with services.db.transaction() as session:
        return verify.verify(session, services.secrets.audit_key, anchors, expected_head)


def sign_head(services: Services) -> Anchor:
    """Verify the log, then sign its head and keep it as the server's anchor.

    LogBroken when verification fails: signing then would bless the damage.
    """
    verdict = verify_instance(services)
    if not verdict.intact:
        raise LogBroken(verdict)
    # Entries are numbered from 1 without gaps: the verified head is entry `count`. Entries
    # appended meanwhile wait for the next anchor; only what was verified is signed.
    anchor = sign(services, verdict.count, verdict.head)
    keep(services, anchor)
    return anchor
