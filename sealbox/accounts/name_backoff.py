"""The per-name half of the staff login back-off (see login_backoff), kept in memory only.

Each failed try at a name counts, and a name that exists is treated exactly like one that does
not: an entry is made for whatever was typed, so the table tells nothing about which accounts
exist. Names are kept only as keyed digests (HMAC under a key derived from an instance secret,
of the stripped, casefolded name): nothing here is written anywhere, and the table's memory
holds no name.

The table is bounded: an entry goes after `quiet` seconds without a counted failure, and
beyond `capacity` entries the one whose last counted failure is oldest goes first. Pushing a
name out takes thousands of tries at other names, each of them an Argon2id run.

Each process keeps its own table: behind several workers, a name waits in the worker that saw
its failures, so with N serving processes (`serve --workers N`, or several servers) a guesser
whose connections reach every one gets at most N counted tries per wait instead of one. The
per-account wait (login_backoff, on the User row) is shared by all; README says so.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sealbox.accounts.login_backoff import Backoff

CAPACITY = 10_000
QUIET_SECONDS = 3600.0
# The table's key is derived from the form key under this label, so no new secret is stored.
LABEL = b"sealbox staff login names"


@dataclass(slots=True)
class _Entry:
    failures: int = 0
    until: float = 0.0  # the wait runs until then
    last: float = 0.0  # the last counted failure


class NameBackoff:
    """Failed staff logins per name, shared by the threads of one process."""

    def __init__(
        self, instance_key: bytes, capacity: int = CAPACITY, quiet: float = QUIET_SECONDS
    ) -> None:
        self._key = hmac.new(instance_key, LABEL, hashlib.sha256).digest()
        self.capacity = max(1, capacity)
        self.quiet = quiet
        # Oldest counted failure first: expiry and eviction take from the front.
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, name: str) -> bytes:
        typed = name.strip().casefold().encode("utf-8", "surrogatepass")
        return hmac.new(self._key, typed, hashlib.sha256).digest()[:16]

    def waiting(self, name: str, now: float) -> bool:
        """True while `name` waits: a right password alone is then answered as a failure."""
        with self._lock:
            entry = self._entries.get(self._digest(name))
            return entry is not None and entry.until > now

    def failed(self, name: str, now: float, policy: Backoff) -> None:
        """Count a failed try at `name`, unless it came while the name waits."""
        digest = self._digest(name)
        with self._lock:
            self._expire(now)
            entry = self._entries.get(digest)
            if entry is not None and entry.until > now:
                return  # a try during the wait neither counts nor prolongs it
            if entry is None or now - entry.last > self.quiet:
                entry = self._entries[digest] = _Entry()
            entry.failures += 1
            entry.last = now
            delay = policy.delay(entry.failures)
            if delay:
                entry.until = now + delay
            self._entries.move_to_end(digest)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def passed(self, name: str) -> None:
        """The holder of `name` logged in: its count starts again."""
        with self._lock:
            self._entries.pop(self._digest(name), None)

    def _expire(self, now: float) -> None:
        while self._entries:
            entry = next(iter(self._entries.values()))
            if now - entry.last <= self.quiet or entry.until > now:
                return
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
