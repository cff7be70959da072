"""Staff login back-off: guessing the second factor slows down; no one can lock an account.

At the password step every try costs one Argon2id run and gets the same answer whatever
failed: an unknown name, a wrong password, a wrong code, or a try made while the back-off runs.
What counts is a wrong second factor given after the right password (someone holds the password
and guesses the code): after `after` of those, each further one makes the account wait 2, 4,
8... seconds, never longer than `cap`. While it waits no code is checked (nor used up), and
tries do not prolong the wait.

A wrong password never makes anyone wait, so no one who lacks the password can keep the holder
out (a wait that the wrong passwords of others prolonged would). Unknown names are treated
exactly like a wrong password for a real account; nothing is kept about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.settings import Settings
from sealbox.store.models import User


@dataclass(frozen=True)
class Backoff:
    after: int = 5
    cap: float = 60.0

    @classmethod
    def for_settings(cls, settings: Settings) -> Backoff:
        return cls(settings.staff_lockout_after, settings.staff_backoff_max_seconds)

    def waiting(self, user: User, now: float) -> bool:
        """True while `user`'s back-off runs: a try now fails without its code being checked."""
        # A wait longer than the cap is one an older release set (it locked for up to an
        # hour): it no longer holds.
        return 0 < user.locked_until - now <= self.cap

    def failed(self, user: User, now: float) -> None:
        """A wrong second factor came after the right password."""
        user.failed_logins += 1
        if user.failed_logins >= self.after:
            user.locked_until = now + min(self.cap, 2.0 ** (user.failed_logins - self.after + 1))

    def passed(self, user: User) -> None:
        user.failed_logins = 0
        user.locked_until = 0.0
