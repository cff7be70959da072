"""Staff login back-off: guessing slows down, and no one can keep the holder out.

Two waits, one schedule: after `after` failures, each further one makes the next tries wait 2,
4, 8... seconds, never longer than `cap`; tries made while a wait runs are not counted and do
not prolong it.

- Per name (`name_backoff.NameBackoff`, in this process's memory only): every failed try at a
  name counts, whether the name is unknown, the password wrong or the code wrong. While the
  name waits, a right password alone is answered as a failure; its holder still gets in by
  showing more than the password (`staff.authenticate`).
- Per account (this module, on the User row): a wrong second factor given after the right
  password (someone holds the password and guesses the code). While it waits no code is
  checked (nor used up).

Either way every try at the password step costs one Argon2id run and gets the same answer as an
unknown name or a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.accounts.models import User
from sealbox.settings import Settings


@dataclass(frozen=True)
class Backoff:
    after: int = 5
    cap: float = 60.0

    @classmethod
    def for_settings(cls, settings: Settings) -> Backoff:
        return cls(settings.staff_lockout_after, settings.staff_backoff_max_seconds)

    def delay(self, failures: int) -> float:
        """How long the next tries wait after `failures` counted failures (0: none)."""
        if failures < self.after:
            return 0.0
        # The exponent is bounded: past the cap the count no longer matters.
        return min(self.cap, 2.0 ** min(failures - self.after + 1, 32))

    def waiting(self, user: User, now: float) -> bool:
        """True while `user`'s back-off runs: a try now fails without its code being checked."""
        # A wait longer than the cap is one an older release set (it locked for up to an
        # hour): it no longer holds.
        return 0 < user.locked_until - now <= self.cap

    def failed(self, user: User, now: float) -> None:
        """A wrong second factor came after the right password."""
        user.failed_logins += 1
        if user.failed_logins >= self.after:
            user.locked_until = now + self.delay(user.failed_logins)

    def passed(self, user: User) -> None:
        user.failed_logins = 0
        user.locked_until = 0.0
